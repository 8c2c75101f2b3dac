//! Compound read operations (`rados_read_op_t`).

use crate::capi::prelude::*;

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_create_read_op() -> rados_read_op_t {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_release_read_op(read_op: rados_read_op_t) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_set_flags(read_op: rados_read_op_t, flags: c_int) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_assert_exists(read_op: rados_read_op_t) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_assert_version(read_op: rados_read_op_t, ver: u64) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_cmpext(
    read_op: rados_read_op_t,
    cmp_buf: *const c_char,
    cmp_len: usize,
    off: u64,
    prval: *mut c_int,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_cmpxattr(
    read_op: rados_read_op_t,
    name: *const c_char,
    comparison_operator: u8,
    value: *const c_char,
    value_len: usize,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_getxattrs(
    read_op: rados_read_op_t,
    iter: *mut rados_xattrs_iter_t,
    prval: *mut c_int,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_omap_cmp(
    read_op: rados_read_op_t,
    key: *const c_char,
    comparison_operator: u8,
    val: *const c_char,
    val_len: usize,
    prval: *mut c_int,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_omap_cmp2(
    read_op: rados_read_op_t,
    key: *const c_char,
    comparison_operator: u8,
    val: *const c_char,
    key_len: usize,
    val_len: usize,
    prval: *mut c_int,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_stat(
    read_op: rados_read_op_t,
    psize: *mut u64,
    pmtime: *mut time_t,
    prval: *mut c_int,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_read(
    read_op: rados_read_op_t,
    offset: u64,
    len: usize,
    buffer: *mut c_char,
    bytes_read: *mut usize,
    prval: *mut c_int,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_checksum(
    read_op: rados_read_op_t,
    r#type: ChecksumTypeArg,
    init_value: *const c_char,
    init_value_len: usize,
    offset: u64,
    len: usize,
    chunk_size: usize,
    pchecksum: *mut c_char,
    checksum_len: usize,
    prval: *mut c_int,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_exec(
    read_op: rados_read_op_t,
    cls: *const c_char,
    method: *const c_char,
    in_buf: *const c_char,
    in_len: usize,
    out_buf: *mut *mut c_char,
    out_len: *mut usize,
    prval: *mut c_int,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_exec_user_buf(
    read_op: rados_read_op_t,
    cls: *const c_char,
    method: *const c_char,
    in_buf: *const c_char,
    in_len: usize,
    out_buf: *mut c_char,
    out_len: usize,
    used_len: *mut usize,
    prval: *mut c_int,
) {
    enosys!()
}

/// Not implemented yet.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_omap_get_vals(
    read_op: rados_read_op_t,
    start_after: *const c_char,
    filter_prefix: *const c_char,
    max_return: u64,
    iter: *mut rados_omap_iter_t,
    prval: *mut c_int,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_omap_get_vals2(
    read_op: rados_read_op_t,
    start_after: *const c_char,
    filter_prefix: *const c_char,
    max_return: u64,
    iter: *mut rados_omap_iter_t,
    pmore: *mut c_uchar,
    prval: *mut c_int,
) {
    enosys!()
}

/// Not implemented yet.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_omap_get_keys(
    read_op: rados_read_op_t,
    start_after: *const c_char,
    max_return: u64,
    iter: *mut rados_omap_iter_t,
    prval: *mut c_int,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_omap_get_keys2(
    read_op: rados_read_op_t,
    start_after: *const c_char,
    max_return: u64,
    iter: *mut rados_omap_iter_t,
    pmore: *mut c_uchar,
    prval: *mut c_int,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_omap_get_vals_by_keys(
    read_op: rados_read_op_t,
    keys: *const *const c_char,
    keys_len: usize,
    iter: *mut rados_omap_iter_t,
    prval: *mut c_int,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_omap_get_vals_by_keys2(
    read_op: rados_read_op_t,
    keys: *const *const c_char,
    num_keys: usize,
    key_lens: *const usize,
    iter: *mut rados_omap_iter_t,
    prval: *mut c_int,
) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_operate(
    read_op: rados_read_op_t,
    io: rados_ioctx_t,
    oid: *const c_char,
    flags: c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_read_op_operate(
    read_op: rados_read_op_t,
    io: rados_ioctx_t,
    completion: rados_completion_t,
    oid: *const c_char,
    flags: c_int,
) -> c_int {
    enosys!()
}
