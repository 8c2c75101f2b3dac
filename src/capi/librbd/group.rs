//! Consistency groups and group snapshots.

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_group(
    image: rbd_image_t,
    group_info: *mut rbd_group_info_t,
    group_info_size: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_group_namespace(
    image: rbd_image_t,
    snap_id: u64,
    group_snap: *mut rbd_snap_group_namespace_t,
    group_snap_size: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_group_namespace_cleanup(
    group_snap: *mut rbd_snap_group_namespace_t,
    group_snap_size: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_create(p: rados_ioctx_t, name: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_remove(p: rados_ioctx_t, name: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_list(p: rados_ioctx_t, names: *mut c_char, size: *mut usize) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_rename(
    p: rados_ioctx_t,
    src_name: *const c_char,
    dest_name: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_info_cleanup(group_info: *mut rbd_group_info_t, group_info_size: usize) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_image_add(
    group_p: rados_ioctx_t,
    group_name: *const c_char,
    image_p: rados_ioctx_t,
    image_name: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_image_remove(
    group_p: rados_ioctx_t,
    group_name: *const c_char,
    image_p: rados_ioctx_t,
    image_name: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_image_remove_by_id(
    group_p: rados_ioctx_t,
    group_name: *const c_char,
    image_p: rados_ioctx_t,
    image_id: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_image_list(
    group_p: rados_ioctx_t,
    group_name: *const c_char,
    images: *mut rbd_group_image_info_t,
    group_image_info_size: usize,
    num_entries: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_image_list_cleanup(
    images: *mut rbd_group_image_info_t,
    group_image_info_size: usize,
    num_entries: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_snap_create(
    group_p: rados_ioctx_t,
    group_name: *const c_char,
    snap_name: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_snap_create2(
    group_p: rados_ioctx_t,
    group_name: *const c_char,
    snap_name: *const c_char,
    flags: u32,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_snap_remove(
    group_p: rados_ioctx_t,
    group_name: *const c_char,
    snap_name: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_snap_rename(
    group_p: rados_ioctx_t,
    group_name: *const c_char,
    old_snap_name: *const c_char,
    new_snap_name: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_snap_list(
    group_p: rados_ioctx_t,
    group_name: *const c_char,
    snaps: *mut rbd_group_snap_info_t,
    group_snap_info_size: usize,
    num_entries: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_snap_list_cleanup(
    snaps: *mut rbd_group_snap_info_t,
    group_snap_info_size: usize,
    num_entries: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_snap_rollback(
    group_p: rados_ioctx_t,
    group_name: *const c_char,
    snap_name: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_group_snap_rollback_with_progress(
    group_p: rados_ioctx_t,
    group_name: *const c_char,
    snap_name: *const c_char,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}
