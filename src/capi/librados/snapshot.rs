//! Pool snapshots and self-managed snapshots.

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_snap_create(io: rados_ioctx_t, snapname: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_snap_remove(io: rados_ioctx_t, snapname: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_snap_rollback(
    io: rados_ioctx_t,
    oid: *const c_char,
    snapname: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_snap_set_read(io: rados_ioctx_t, snap: rados_snap_t) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_selfmanaged_snap_create(io: rados_ioctx_t, snapid: *mut rados_snap_t) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_ioctx_selfmanaged_snap_create(
    io: rados_ioctx_t,
    snapid: *mut rados_snap_t,
    completion: rados_completion_t,
) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_selfmanaged_snap_remove(io: rados_ioctx_t, snapid: rados_snap_t) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_ioctx_selfmanaged_snap_remove(
    io: rados_ioctx_t,
    snapid: rados_snap_t,
    completion: rados_completion_t,
) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_selfmanaged_snap_rollback(
    io: rados_ioctx_t,
    oid: *const c_char,
    snapid: rados_snap_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_selfmanaged_snap_set_write_ctx(
    io: rados_ioctx_t,
    seq: rados_snap_t,
    snaps: *mut rados_snap_t,
    num_snaps: c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_snap_list(io: rados_ioctx_t, snaps: *mut rados_snap_t, maxlen: c_int) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_snap_lookup(
    io: rados_ioctx_t,
    name: *const c_char,
    id: *mut rados_snap_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_snap_get_name(
    io: rados_ioctx_t,
    id: rados_snap_t,
    name: *mut c_char,
    maxlen: c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_snap_get_stamp(io: rados_ioctx_t, id: rados_snap_t, t: *mut time_t) -> c_int {
    enosys!()
}
