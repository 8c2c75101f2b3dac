//! Pool-level RBD: init, namespaces, pool metadata, pool statistics.

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_pool_metadata_get(
    io_ctx: rados_ioctx_t,
    key: *const c_char,
    value: *mut c_char,
    val_len: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_pool_metadata_set(
    io_ctx: rados_ioctx_t,
    key: *const c_char,
    value: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_pool_metadata_remove(io_ctx: rados_ioctx_t, key: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_pool_metadata_list(
    io_ctx: rados_ioctx_t,
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
pub unsafe extern "C" fn rbd_namespace_create(io: rados_ioctx_t, namespace_name: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_namespace_remove(io: rados_ioctx_t, namespace_name: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_namespace_list(
    io: rados_ioctx_t,
    namespace_names: *mut c_char,
    size: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_namespace_exists(
    io: rados_ioctx_t,
    namespace_name: *const c_char,
    exists: *mut bool,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_pool_init(io: rados_ioctx_t, force: bool) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_pool_stats_create(stats: *mut rbd_pool_stats_t) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_pool_stats_destroy(stats: rbd_pool_stats_t) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_pool_stats_option_add_uint64(
    stats: rbd_pool_stats_t,
    stat_option: c_int,
    stat_val: *mut u64,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_pool_stats_get(io: rados_ioctx_t, stats: rbd_pool_stats_t) -> c_int {
    enosys!()
}
