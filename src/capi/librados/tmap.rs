//! Legacy tmap objects (a header and a sorted map in an object's data).
//!
//! librados 14.2+ answers the default versions with -ENOTSUP/-EOPNOTSUPP; the
//! hidden base versions (for binaries linked before 14.2, see
//! link/legacy_aliases.S) read and write the encoding as plain data.

use crate::capi::prelude::*;
use crate::denc::{Decode, Decoder, Encode};
use std::collections::BTreeMap;

/// Removed in librados 14.2: -ENOTSUP, as upstream.
#[no_mangle]
pub unsafe extern "C" fn rados_tmap_update(
    io: rados_ioctx_t,
    o: *const c_char,
    cmdbuf: *const c_char,
    cmdbuflen: usize,
) -> c_int {
    -libc::ENOTSUP
}

/// Removed in librados 14.2: -EOPNOTSUPP, as upstream.
#[no_mangle]
pub unsafe extern "C" fn rados_tmap_put(
    io: rados_ioctx_t,
    o: *const c_char,
    buf: *const c_char,
    buflen: usize,
) -> c_int {
    -libc::EOPNOTSUPP
}

/// Removed in librados 14.2: -EOPNOTSUPP, as upstream.
#[no_mangle]
pub unsafe extern "C" fn rados_tmap_get(io: rados_ioctx_t, o: *const c_char, buf: *mut c_char, buflen: usize) -> c_int {
    -libc::EOPNOTSUPP
}

/// `rados_tmap_update@` (hidden base version): the OSD's TMAPUP command
/// interpreter is not provided by this library: -EOPNOTSUPP (a deliberate
/// difference; tmap was replaced by omap in Ceph 0.56).
#[no_mangle]
pub(crate) unsafe extern "C" fn cephrs_legacy_rados_tmap_update(
    io: rados_ioctx_t,
    o: *const c_char,
    cmdbuf: *const c_char,
    cmdbuflen: usize,
) -> c_int {
    -libc::EOPNOTSUPP
}

/// `rados_tmap_put@` (hidden base version): checks that `buf` is a tmap
/// (header, then map) and writes it as the object's data.
/// Errors: -EINVAL when it does not decode, and those of `rados_write_full`.
#[no_mangle]
pub(crate) unsafe extern "C" fn cephrs_legacy_rados_tmap_put(
    io: rados_ioctx_t,
    o: *const c_char,
    buf: *const c_char,
    buflen: usize,
) -> c_int {
    entry(|| {
        // SAFETY: buf is valid for buflen bytes (C contract).
        let bytes = unsafe { c_slice(buf as *const u8, buflen, "buf") }?;
        let mut d = Decoder::new(bytes);
        let header = Vec::<u8>::decode(&mut d).map_err(|_| Error::invalid("tmap header"))?;
        let map = BTreeMap::<Vec<u8>, Vec<u8>>::decode(&mut d).map_err(|_| Error::invalid("tmap map"))?;
        let mut out = Vec::new();
        header.encode(&mut out);
        map.encode(&mut out);
        // SAFETY: forwarded arguments; `out` lives across the call.
        Ok(unsafe { super::object::rados_write_full(io, o, out.as_ptr() as *const c_char, out.len()) })
    })
}

/// `rados_tmap_get@` (hidden base version): reads the object's data from
/// offset 0 into `buf`, as upstream (`rados_read`).
#[no_mangle]
pub(crate) unsafe extern "C" fn cephrs_legacy_rados_tmap_get(
    io: rados_ioctx_t,
    o: *const c_char,
    buf: *mut c_char,
    buflen: usize,
) -> c_int {
    // SAFETY: forwarded arguments.
    unsafe { super::object::rados_read(io, o, buf, buflen, 0) }
}
