//! Live image migration.

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_migration_prepare(
    ioctx: rados_ioctx_t,
    image_name: *const c_char,
    dest_ioctx: rados_ioctx_t,
    dest_image_name: *const c_char,
    opts: rbd_image_options_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_migration_prepare_import(
    source_spec: *const c_char,
    dest_ioctx: rados_ioctx_t,
    dest_image_name: *const c_char,
    opts: rbd_image_options_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_migration_execute(ioctx: rados_ioctx_t, image_name: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_migration_execute_with_progress(
    ioctx: rados_ioctx_t,
    image_name: *const c_char,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_migration_abort(ioctx: rados_ioctx_t, image_name: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_migration_abort_with_progress(
    ioctx: rados_ioctx_t,
    image_name: *const c_char,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_migration_commit(ioctx: rados_ioctx_t, image_name: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_migration_commit_with_progress(
    ioctx: rados_ioctx_t,
    image_name: *const c_char,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_migration_status(
    ioctx: rados_ioctx_t,
    image_name: *const c_char,
    status: *mut rbd_image_migration_status_t,
    status_size: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_migration_status_cleanup(status: *mut rbd_image_migration_status_t) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_migration_source_spec(
    image: rbd_image_t,
    source_spec: *mut c_char,
    max_len: *mut usize,
) -> c_int {
    enosys!()
}
