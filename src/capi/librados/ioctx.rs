//! I/O contexts (`rados_ioctx_t`): pool, namespace and locator key of object operations.

use crate::capi::prelude::*;

/// The configuration handle of a cluster handle (for `rados_create_with_context`);
/// NULL for a NULL or stale handle.
#[no_mangle]
pub unsafe extern "C" fn rados_cct(cluster: rados_t) -> rados_config_t {
    entry(|| Ok(CLUSTERS.get(cluster)?.cct as rados_config_t))
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_create(
    cluster: rados_t,
    pool_name: *const c_char,
    ioctx: *mut rados_ioctx_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_create2(cluster: rados_t, pool_id: i64, ioctx: *mut rados_ioctx_t) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_destroy(io: rados_ioctx_t) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_cct(io: rados_ioctx_t) -> rados_config_t {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_get_cluster(io: rados_ioctx_t) -> rados_t {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_get_id(io: rados_ioctx_t) -> i64 {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_get_pool_name(io: rados_ioctx_t, buf: *mut c_char, maxlen: c_uint) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_locator_set_key(io: rados_ioctx_t, key: *const c_char) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_set_namespace(io: rados_ioctx_t, nspace: *const c_char) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_get_namespace(io: rados_ioctx_t, buf: *mut c_char, maxlen: c_uint) -> c_int {
    enosys!()
}
