//! The image trash.

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_move(io: rados_ioctx_t, name: *const c_char, delay: u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_get(
    io: rados_ioctx_t,
    id: *const c_char,
    info: *mut rbd_trash_image_info_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_get_cleanup(info: *mut rbd_trash_image_info_t) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_list(
    io: rados_ioctx_t,
    trash_entries: *mut rbd_trash_image_info_t,
    num_entries: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_list_cleanup(trash_entries: *mut rbd_trash_image_info_t, num_entries: usize) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_purge(io: rados_ioctx_t, expire_ts: time_t, threshold: f32) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_purge_with_progress(
    io: rados_ioctx_t,
    expire_ts: time_t,
    threshold: f32,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_remove(io: rados_ioctx_t, id: *const c_char, force: bool) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_remove_with_progress(
    io: rados_ioctx_t,
    id: *const c_char,
    force: bool,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_restore(io: rados_ioctx_t, id: *const c_char, name: *const c_char) -> c_int {
    enosys!()
}
