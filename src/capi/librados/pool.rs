//! Pools: create, delete, list, lookup, statistics, application metadata.

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_wait_for_latest_osdmap(cluster: rados_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_pool_list(cluster: rados_t, buf: *mut c_char, len: usize) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_inconsistent_pg_list(
    cluster: rados_t,
    pool: i64,
    buf: *mut c_char,
    len: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_pool_stat(io: rados_ioctx_t, stats: *mut rados_pool_stat_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_pool_lookup(cluster: rados_t, pool_name: *const c_char) -> i64 {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_pool_reverse_lookup(
    cluster: rados_t,
    id: i64,
    buf: *mut c_char,
    maxlen: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_pool_create(cluster: rados_t, pool_name: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_pool_create_with_auid(cluster: rados_t, pool_name: *const c_char, auid: u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_pool_create_with_crush_rule(
    cluster: rados_t,
    pool_name: *const c_char,
    crush_rule_num: u8,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_pool_create_with_all(
    cluster: rados_t,
    pool_name: *const c_char,
    auid: u64,
    crush_rule_num: u8,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_pool_get_base_tier(cluster: rados_t, pool: i64, base_tier: *mut i64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_pool_delete(cluster: rados_t, pool_name: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_pool_set_auid(io: rados_ioctx_t, auid: u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_pool_get_auid(io: rados_ioctx_t, auid: *mut u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_pool_requires_alignment(io: rados_ioctx_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_pool_requires_alignment2(io: rados_ioctx_t, req: *mut c_int) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_pool_required_alignment(io: rados_ioctx_t) -> u64 {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_pool_required_alignment2(io: rados_ioctx_t, alignment: *mut u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_application_enable(io: rados_ioctx_t, app_name: *const c_char, force: c_int) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_application_list(
    io: rados_ioctx_t,
    values: *mut c_char,
    values_len: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_application_metadata_get(
    io: rados_ioctx_t,
    app_name: *const c_char,
    key: *const c_char,
    value: *mut c_char,
    value_len: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_application_metadata_set(
    io: rados_ioctx_t,
    app_name: *const c_char,
    key: *const c_char,
    value: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_application_metadata_remove(
    io: rados_ioctx_t,
    app_name: *const c_char,
    key: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_application_metadata_list(
    io: rados_ioctx_t,
    app_name: *const c_char,
    keys: *mut c_char,
    key_len: *mut usize,
    values: *mut c_char,
    vals_len: *mut usize,
) -> c_int {
    enosys!()
}

/// `struct rados_pool_stat_t` as librados laid it out before 14.2.0 (12 counters).
#[repr(C)]
pub(crate) struct LegacyPoolStat {
    pub num_bytes: u64,
    pub num_kb: u64,
    pub num_objects: u64,
    pub num_object_clones: u64,
    pub num_object_copies: u64,
    pub num_objects_missing_on_primary: u64,
    pub num_objects_unfound: u64,
    pub num_objects_degraded: u64,
    pub num_rd: u64,
    pub num_rd_kb: u64,
    pub num_wr: u64,
    pub num_wr_kb: u64,
}

/// `rados_ioctx_pool_stat@` (hidden base version, link/legacy_aliases.S): the
/// pre-14.2.0 struct layout. Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub(crate) unsafe extern "C" fn cephrs_legacy_rados_ioctx_pool_stat(
    io: rados_ioctx_t,
    stats: *mut LegacyPoolStat,
) -> c_int {
    enosys!()
}
