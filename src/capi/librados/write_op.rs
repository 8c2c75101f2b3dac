//! Compound write operations (`rados_write_op_t`).

use crate::capi::prelude::*;

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_create_write_op() -> rados_write_op_t {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_release_write_op(write_op: rados_write_op_t) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_set_flags(write_op: rados_write_op_t, flags: c_int) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_assert_exists(write_op: rados_write_op_t) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_assert_version(write_op: rados_write_op_t, ver: u64) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_cmpext(
    write_op: rados_write_op_t,
    cmp_buf: *const c_char,
    cmp_len: usize,
    off: u64,
    prval: *mut c_int,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_cmpxattr(
    write_op: rados_write_op_t,
    name: *const c_char,
    comparison_operator: u8,
    value: *const c_char,
    value_len: usize,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_omap_cmp(
    write_op: rados_write_op_t,
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
pub unsafe extern "C" fn rados_write_op_omap_cmp2(
    write_op: rados_write_op_t,
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
pub unsafe extern "C" fn rados_write_op_setxattr(
    write_op: rados_write_op_t,
    name: *const c_char,
    value: *const c_char,
    value_len: usize,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_rmxattr(write_op: rados_write_op_t, name: *const c_char) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_create(write_op: rados_write_op_t, exclusive: c_int, category: *const c_char) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_write(
    write_op: rados_write_op_t,
    buffer: *const c_char,
    len: usize,
    offset: u64,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_write_full(write_op: rados_write_op_t, buffer: *const c_char, len: usize) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_writesame(
    write_op: rados_write_op_t,
    buffer: *const c_char,
    data_len: usize,
    write_len: usize,
    offset: u64,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_append(write_op: rados_write_op_t, buffer: *const c_char, len: usize) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_remove(write_op: rados_write_op_t) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_truncate(write_op: rados_write_op_t, offset: u64) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_zero(write_op: rados_write_op_t, offset: u64, len: u64) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_exec(
    write_op: rados_write_op_t,
    cls: *const c_char,
    method: *const c_char,
    in_buf: *const c_char,
    in_len: usize,
    prval: *mut c_int,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_omap_set(
    write_op: rados_write_op_t,
    keys: *const *const c_char,
    vals: *const *const c_char,
    lens: *const usize,
    num: usize,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_omap_set2(
    write_op: rados_write_op_t,
    keys: *const *const c_char,
    vals: *const *const c_char,
    key_lens: *const usize,
    val_lens: *const usize,
    num: usize,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_omap_rm_keys(
    write_op: rados_write_op_t,
    keys: *const *const c_char,
    keys_len: usize,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_omap_rm_keys2(
    write_op: rados_write_op_t,
    keys: *const *const c_char,
    key_lens: *const usize,
    keys_len: usize,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_omap_rm_range2(
    write_op: rados_write_op_t,
    key_begin: *const c_char,
    key_begin_len: usize,
    key_end: *const c_char,
    key_end_len: usize,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_omap_clear(write_op: rados_write_op_t) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_set_alloc_hint(
    write_op: rados_write_op_t,
    expected_object_size: u64,
    expected_write_size: u64,
) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_set_alloc_hint2(
    write_op: rados_write_op_t,
    expected_object_size: u64,
    expected_write_size: u64,
    flags: u32,
) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_operate(
    write_op: rados_write_op_t,
    io: rados_ioctx_t,
    oid: *const c_char,
    mtime: *mut time_t,
    flags: c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_operate2(
    write_op: rados_write_op_t,
    io: rados_ioctx_t,
    oid: *const c_char,
    mtime: *mut timespec,
    flags: c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_write_op_operate(
    write_op: rados_write_op_t,
    io: rados_ioctx_t,
    completion: rados_completion_t,
    oid: *const c_char,
    mtime: *mut time_t,
    flags: c_int,
) -> c_int {
    enosys!()
}
