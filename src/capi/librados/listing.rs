//! Object listing: `rados_nobjects_list_*` and `rados_object_list_*` with cursors.

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_nobjects_list_open(io: rados_ioctx_t, ctx: *mut rados_list_ctx_t) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_nobjects_list_get_pg_hash_position(ctx: rados_list_ctx_t) -> u32 {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_nobjects_list_seek(ctx: rados_list_ctx_t, pos: u32) -> u32 {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_nobjects_list_seek_cursor(
    ctx: rados_list_ctx_t,
    cursor: rados_object_list_cursor,
) -> u32 {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_nobjects_list_get_cursor(
    ctx: rados_list_ctx_t,
    cursor: *mut rados_object_list_cursor,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_nobjects_list_next(
    ctx: rados_list_ctx_t,
    entry: *mut *const c_char,
    key: *mut *const c_char,
    nspace: *mut *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_nobjects_list_next2(
    ctx: rados_list_ctx_t,
    entry: *mut *const c_char,
    key: *mut *const c_char,
    nspace: *mut *const c_char,
    entry_size: *mut usize,
    key_size: *mut usize,
    nspace_size: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_nobjects_list_close(ctx: rados_list_ctx_t) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_object_list_begin(io: rados_ioctx_t) -> rados_object_list_cursor {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_object_list_end(io: rados_ioctx_t) -> rados_object_list_cursor {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_object_list_is_end(io: rados_ioctx_t, cur: rados_object_list_cursor) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_object_list_cursor_free(io: rados_ioctx_t, cur: rados_object_list_cursor) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_object_list_cursor_cmp(
    io: rados_ioctx_t,
    lhs: rados_object_list_cursor,
    rhs: rados_object_list_cursor,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_object_list(
    io: rados_ioctx_t,
    start: rados_object_list_cursor,
    finish: rados_object_list_cursor,
    result_size: usize,
    filter_buf: *const c_char,
    filter_buf_len: usize,
    results: *mut rados_object_list_item,
    next: *mut rados_object_list_cursor,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_object_list_free(result_size: usize, results: *mut rados_object_list_item) {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rados_object_list_slice(
    io: rados_ioctx_t,
    start: rados_object_list_cursor,
    finish: rados_object_list_cursor,
    n: usize,
    m: usize,
    split_start: *mut rados_object_list_cursor,
    split_finish: *mut rados_object_list_cursor,
) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_objects_list_open(io: rados_ioctx_t, ctx: *mut rados_list_ctx_t) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_objects_list_get_pg_hash_position(ctx: rados_list_ctx_t) -> u32 {
    enosys!()
}

/// Not implemented yet.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_objects_list_seek(ctx: rados_list_ctx_t, pos: u32) -> u32 {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_objects_list_next(
    ctx: rados_list_ctx_t,
    entry: *mut *const c_char,
    key: *mut *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_objects_list_close(ctx: rados_list_ctx_t) {
    enosys!()
}
