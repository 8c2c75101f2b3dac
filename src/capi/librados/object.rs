//! Synchronous single-step object operations.

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_rollback(io: rados_ioctx_t, oid: *const c_char, snapname: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_write(
    io: rados_ioctx_t,
    oid: *const c_char,
    buf: *const c_char,
    len: usize,
    off: u64,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_write_full(
    io: rados_ioctx_t,
    oid: *const c_char,
    buf: *const c_char,
    len: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_writesame(
    io: rados_ioctx_t,
    oid: *const c_char,
    buf: *const c_char,
    data_len: usize,
    write_len: usize,
    off: u64,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_append(io: rados_ioctx_t, oid: *const c_char, buf: *const c_char, len: usize) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_read(
    io: rados_ioctx_t,
    oid: *const c_char,
    buf: *mut c_char,
    len: usize,
    off: u64,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_checksum(
    io: rados_ioctx_t,
    oid: *const c_char,
    r#type: ChecksumTypeArg,
    init_value: *const c_char,
    init_value_len: usize,
    len: usize,
    off: u64,
    chunk_size: usize,
    pchecksum: *mut c_char,
    checksum_len: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_remove(io: rados_ioctx_t, oid: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_trunc(io: rados_ioctx_t, oid: *const c_char, size: u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_cmpext(
    io: rados_ioctx_t,
    o: *const c_char,
    cmp_buf: *const c_char,
    cmp_len: usize,
    off: u64,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_stat(
    io: rados_ioctx_t,
    o: *const c_char,
    psize: *mut u64,
    pmtime: *mut time_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_exec(
    io: rados_ioctx_t,
    oid: *const c_char,
    cls: *const c_char,
    method: *const c_char,
    in_buf: *const c_char,
    in_len: usize,
    buf: *mut c_char,
    out_len: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_cache_pin(io: rados_ioctx_t, o: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_cache_unpin(io: rados_ioctx_t, o: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_set_alloc_hint(
    io: rados_ioctx_t,
    o: *const c_char,
    expected_object_size: u64,
    expected_write_size: u64,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_set_alloc_hint2(
    io: rados_ioctx_t,
    o: *const c_char,
    expected_object_size: u64,
    expected_write_size: u64,
    flags: u32,
) -> c_int {
    enosys!()
}
/// Lets writes proceed when the pool is full (as far as the backend allows).
#[no_mangle]
pub unsafe extern "C" fn rados_set_pool_full_try(io: rados_ioctx_t) {
    entry(|| Ok(ioctx(io)?.set_full_try(true)))
}