//! Image snapshots.

use crate::capi::prelude::*;

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_spec_cleanup(snap: *mut rbd_snap_spec_t) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_list(
    image: rbd_image_t,
    snaps: *mut rbd_snap_info_t,
    max_snaps: *mut c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_list_end(snaps: *mut rbd_snap_info_t) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_exists(image: rbd_image_t, snapname: *const c_char, exists: *mut bool) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_create(image: rbd_image_t, snapname: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_create2(
    image: rbd_image_t,
    snap_name: *const c_char,
    flags: u32,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_remove(image: rbd_image_t, snapname: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_remove2(
    image: rbd_image_t,
    snap_name: *const c_char,
    flags: u32,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_remove_by_id(image: rbd_image_t, snap_id: u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_rollback(image: rbd_image_t, snapname: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_rollback_with_progress(
    image: rbd_image_t,
    snapname: *const c_char,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_rename(
    image: rbd_image_t,
    snapname: *const c_char,
    dstsnapsname: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_protect(image: rbd_image_t, snap_name: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_unprotect(image: rbd_image_t, snap_name: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_is_protected(
    image: rbd_image_t,
    snap_name: *const c_char,
    is_protected: *mut c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_limit(image: rbd_image_t, limit: *mut u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_set_limit(image: rbd_image_t, limit: u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_timestamp(image: rbd_image_t, snap_id: u64, timestamp: *mut timespec) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_set(image: rbd_image_t, snapname: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_set_by_id(image: rbd_image_t, snap_id: u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_name(
    image: rbd_image_t,
    snap_id: u64,
    snapname: *mut c_char,
    name_len: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_id(image: rbd_image_t, snapname: *const c_char, snap_id: *mut u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_namespace_type(
    image: rbd_image_t,
    snap_id: u64,
    namespace_type: *mut rbd_snap_namespace_type_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_trash_namespace(
    image: rbd_image_t,
    snap_id: u64,
    original_name: *mut c_char,
    max_length: usize,
) -> c_int {
    enosys!()
}
