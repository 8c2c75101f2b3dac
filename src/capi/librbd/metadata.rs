//! Image metadata and per-image/per-pool configuration overrides.

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_config_pool_list(
    io_ctx: rados_ioctx_t,
    options: *mut rbd_config_option_t,
    max_options: *mut c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_config_pool_list_cleanup(options: *mut rbd_config_option_t, max_options: c_int) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_metadata_get(
    image: rbd_image_t,
    key: *const c_char,
    value: *mut c_char,
    val_len: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_metadata_set(image: rbd_image_t, key: *const c_char, value: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_metadata_remove(image: rbd_image_t, key: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_metadata_list(
    image: rbd_image_t,
    start: *const c_char,
    max: u64,
    keys: *mut c_char,
    key_len: *mut usize,
    values: *mut c_char,
    vals_len: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_config_image_list(
    image: rbd_image_t,
    options: *mut rbd_config_option_t,
    max_options: *mut c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_config_image_list_cleanup(options: *mut rbd_config_option_t, max_options: c_int) {
    enosys!()
}
