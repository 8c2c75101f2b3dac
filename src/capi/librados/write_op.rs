//! Compound write operations (`rados_write_op_t`).
//!
//! Building functions return nothing; a bad argument poisons the operation and
//! `rados_write_op_operate` returns its error (see op_builder.rs). Buffers are
//! copied when a step is added.

use super::object_io::{check_len, object_name};
use super::op_builder::{self as ops, build, WRITE_OPS};
use super::read_op::{cmpxattr_step, exec_step, key_list, omap_cmp_step};
use crate::capi::prelude::*;
use crate::rados::op::OpStep;

/// A new write operation; release it with `rados_release_write_op`.
#[no_mangle]
pub unsafe extern "C" fn rados_create_write_op() -> rados_write_op_t {
    ops::create(&WRITE_OPS)
}

/// Frees a write operation (a bad handle is ignored).
#[no_mangle]
pub unsafe extern "C" fn rados_release_write_op(write_op: rados_write_op_t) {
    let _ = WRITE_OPS.remove(write_op);
}

/// Adds a step built by `step`.
fn add(write_op: rados_write_op_t, step: impl FnOnce() -> Result<OpStep>) {
    build(&WRITE_OPS, write_op, |op| {
        op.push(step()?);
        Ok(())
    })
}

/// A data buffer argument, copied.
///
/// # Safety
/// `buf` is NULL or valid for `len` bytes.
unsafe fn data(buf: *const c_char, len: usize) -> Result<Vec<u8>> {
    check_len(len)?;
    // SAFETY: forwarded contract.
    Ok(unsafe { c_slice(buf as *const u8, len, "buffer") }?.to_vec())
}

/// Sets `LIBRADOS_OP_FLAG_*` on the last step added.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_set_flags(write_op: rados_write_op_t, flags: c_int) {
    build(&WRITE_OPS, write_op, |op| {
        op.set_last_flags(flags as u32);
        Ok(())
    })
}

/// Fails the operation with -ENOENT when the object does not exist.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_assert_exists(write_op: rados_write_op_t) {
    add(write_op, || Ok(OpStep::AssertExists))
}

/// Fails the operation unless the object's version is `ver`.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_assert_version(write_op: rados_write_op_t, ver: u64) {
    add(write_op, || Ok(OpStep::AssertVersion { version: ver }))
}

/// Compares object bytes at `off` with `cmp_buf` before writing; a mismatch
/// fails the operation with `-MAX_ERRNO - offset`.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_cmpext(
    write_op: rados_write_op_t,
    cmp_buf: *const c_char,
    cmp_len: usize,
    off: u64,
    prval: *mut c_int,
) {
    build(&WRITE_OPS, write_op, |op| {
        // SAFETY: cmp_buf is valid for cmp_len bytes (C contract).
        let data = unsafe { c_slice(cmp_buf as *const u8, cmp_len, "cmp_buf") }?.to_vec();
        op.push_with(OpStep::CmpExt { offset: off, data }, prval, None);
        Ok(())
    })
}

/// Guards the write with an xattr comparison (-ECANCELED when false).
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_cmpxattr(
    write_op: rados_write_op_t,
    name: *const c_char,
    comparison_operator: u8,
    value: *const c_char,
    value_len: usize,
) {
    // SAFETY: C contract for name and value.
    add(write_op, || unsafe { cmpxattr_step(name, comparison_operator, value, value_len) })
}

/// Guards the write with an omap comparison (-ECANCELED when false).
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_omap_cmp(
    write_op: rados_write_op_t,
    key: *const c_char,
    comparison_operator: u8,
    val: *const c_char,
    val_len: usize,
    prval: *mut c_int,
) {
    build(&WRITE_OPS, write_op, |op| {
        // SAFETY: C contract for key and val.
        let step = unsafe { omap_cmp_step(key, None, comparison_operator, val, val_len) }?;
        op.push_with(step, prval, None);
        Ok(())
    })
}

/// As `rados_write_op_omap_cmp` with a key of `key_len` bytes.
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
    build(&WRITE_OPS, write_op, |op| {
        // SAFETY: C contract for key and val.
        let step = unsafe { omap_cmp_step(key, Some(key_len), comparison_operator, val, val_len) }?;
        op.push_with(step, prval, None);
        Ok(())
    })
}

/// Sets xattr `name` to `value_len` bytes of `value`.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_setxattr(
    write_op: rados_write_op_t,
    name: *const c_char,
    value: *const c_char,
    value_len: usize,
) {
    add(write_op, || {
        Ok(OpStep::SetXattr {
            // SAFETY: C string argument.
            name: unsafe { c_bytes(name, "xattr name") }?.to_vec(),
            // SAFETY: C buffer argument.
            value: unsafe { data(value, value_len) }?,
        })
    })
}

/// Removes xattr `name` (a missing one is not an error).
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_rmxattr(write_op: rados_write_op_t, name: *const c_char) {
    // SAFETY: C string argument.
    add(write_op, || Ok(OpStep::RmXattr { name: unsafe { c_bytes(name, "xattr name") }?.to_vec() }))
}

/// Creates the object; `exclusive` fails with -EEXIST if it exists. `category` is unused.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_create(write_op: rados_write_op_t, exclusive: c_int, category: *const c_char) {
    add(write_op, || Ok(OpStep::Create { exclusive: exclusive != 0 }))
}

/// Writes `len` bytes at `offset`.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_write(
    write_op: rados_write_op_t,
    buffer: *const c_char,
    len: usize,
    offset: u64,
) {
    // SAFETY: C buffer argument.
    add(write_op, || Ok(OpStep::Write { offset, data: unsafe { data(buffer, len) }?.into() }))
}

/// Replaces the object's data with `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_write_full(write_op: rados_write_op_t, buffer: *const c_char, len: usize) {
    // SAFETY: C buffer argument.
    add(write_op, || Ok(OpStep::WriteFull { data: unsafe { data(buffer, len) }? }))
}

/// Writes `data_len` bytes repeatedly over `write_len` bytes at `offset`.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_writesame(
    write_op: rados_write_op_t,
    buffer: *const c_char,
    data_len: usize,
    write_len: usize,
    offset: u64,
) {
    add(write_op, || {
        check_len(write_len)?;
        // SAFETY: C buffer argument.
        Ok(OpStep::WriteSame { offset, len: write_len as u64, data: unsafe { data(buffer, data_len) }? })
    })
}

/// Appends `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_append(write_op: rados_write_op_t, buffer: *const c_char, len: usize) {
    // SAFETY: C buffer argument.
    add(write_op, || Ok(OpStep::Append { data: unsafe { data(buffer, len) }? }))
}

/// Removes the object.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_remove(write_op: rados_write_op_t) {
    add(write_op, || Ok(OpStep::Remove))
}

/// Sets the object's size.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_truncate(write_op: rados_write_op_t, offset: u64) {
    add(write_op, || Ok(OpStep::Truncate { size: offset }))
}

/// Zeroes `len` bytes at `offset`.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_zero(write_op: rados_write_op_t, offset: u64, len: u64) {
    add(write_op, || Ok(OpStep::Zero { offset, len }))
}

/// Calls an object class method (its output is discarded).
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_exec(
    write_op: rados_write_op_t,
    cls: *const c_char,
    method: *const c_char,
    in_buf: *const c_char,
    in_len: usize,
    prval: *mut c_int,
) {
    build(&WRITE_OPS, write_op, |op| {
        // SAFETY: C contract for the strings and the input buffer.
        let step = unsafe { exec_step(cls, method, in_buf, in_len) }?;
        op.push_with(step, prval, None);
        Ok(())
    })
}

/// The entries of an omap_set call (`key_lens` NULL: C string keys).
///
/// # Safety
/// The arrays hold `num` entries; each value is valid for its length.
unsafe fn omap_entries(
    keys: *const *const c_char,
    key_lens: *const usize,
    vals: *const *const c_char,
    val_lens: *const usize,
    num: usize,
) -> Result<OpStep> {
    // SAFETY: forwarded contract.
    let keys = unsafe { key_list(keys, key_lens, num) }?;
    // SAFETY: forwarded contract.
    let vals = unsafe { c_slice(vals, num, "vals") }?;
    // SAFETY: forwarded contract.
    let lens = unsafe { c_slice(val_lens, num, "lens") }?;
    let mut entries = Vec::with_capacity(num);
    for (i, key) in keys.into_iter().enumerate() {
        // SAFETY: forwarded contract.
        entries.push((key, unsafe { data(vals[i], lens[i]) }?));
    }
    Ok(OpStep::OmapSetVals { entries })
}

/// Sets omap entries: C string keys, values of `lens[i]` bytes.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_omap_set(
    write_op: rados_write_op_t,
    keys: *const *const c_char,
    vals: *const *const c_char,
    lens: *const usize,
    num: usize,
) {
    // SAFETY: C arrays of num entries.
    add(write_op, || unsafe { omap_entries(keys, std::ptr::null(), vals, lens, num) })
}

/// Sets omap entries with keys and values of given lengths.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_omap_set2(
    write_op: rados_write_op_t,
    keys: *const *const c_char,
    vals: *const *const c_char,
    key_lens: *const usize,
    val_lens: *const usize,
    num: usize,
) {
    add(write_op, || {
        if key_lens.is_null() && num > 0 {
            return Err(Error::invalid("key_lens is NULL"));
        }
        // SAFETY: C arrays of num entries.
        unsafe { omap_entries(keys, key_lens, vals, val_lens, num) }
    })
}

/// Removes omap keys (C strings).
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_omap_rm_keys(
    write_op: rados_write_op_t,
    keys: *const *const c_char,
    keys_len: usize,
) {
    // SAFETY: C array of keys_len strings.
    add(write_op, || Ok(OpStep::OmapRmKeys { keys: unsafe { key_list(keys, std::ptr::null(), keys_len) }? }))
}

/// Removes omap keys of given lengths.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_omap_rm_keys2(
    write_op: rados_write_op_t,
    keys: *const *const c_char,
    key_lens: *const usize,
    keys_len: usize,
) {
    add(write_op, || {
        if key_lens.is_null() && keys_len > 0 {
            return Err(Error::invalid("key_lens is NULL"));
        }
        // SAFETY: C arrays of keys_len entries.
        Ok(OpStep::OmapRmKeys { keys: unsafe { key_list(keys, key_lens, keys_len) }? })
    })
}

/// Removes the omap keys in [`key_begin`, `key_end`).
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_omap_rm_range2(
    write_op: rados_write_op_t,
    key_begin: *const c_char,
    key_begin_len: usize,
    key_end: *const c_char,
    key_end_len: usize,
) {
    add(write_op, || {
        Ok(OpStep::OmapRmRange {
            // SAFETY: C buffers of the given lengths.
            start: unsafe { c_slice(key_begin as *const u8, key_begin_len, "key_begin") }?.to_vec(),
            // SAFETY: C buffers of the given lengths.
            end: unsafe { c_slice(key_end as *const u8, key_end_len, "key_end") }?.to_vec(),
        })
    })
}

/// Removes every omap entry.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_omap_clear(write_op: rados_write_op_t) {
    add(write_op, || Ok(OpStep::OmapClear))
}

/// Records the expected object and write sizes (creates the object).
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_set_alloc_hint(
    write_op: rados_write_op_t,
    expected_object_size: u64,
    expected_write_size: u64,
) {
    add(write_op, || {
        Ok(OpStep::SetAllocHint { object_size: expected_object_size, write_size: expected_write_size, flags: 0 })
    })
}

/// As `rados_write_op_set_alloc_hint` with `LIBRADOS_ALLOC_HINT_FLAG_*` flags.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_set_alloc_hint2(
    write_op: rados_write_op_t,
    expected_object_size: u64,
    expected_write_size: u64,
    flags: u32,
) {
    add(write_op, || {
        Ok(OpStep::SetAllocHint { object_size: expected_object_size, write_size: expected_write_size, flags })
    })
}

/// Runs the write operation on object `oid` (modification time `*mtime`, or
/// now when NULL) and waits. Returns 0 or the failing step's error; nothing
/// is applied on failure.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_operate(
    write_op: rados_write_op_t,
    io: rados_ioctx_t,
    oid: *const c_char,
    mtime: *mut time_t,
    flags: c_int,
) -> c_int {
    entry(|| {
        // SAFETY: C string argument; mtime is NULL or readable.
        let (name, mtime) = unsafe { (object_name(oid)?, ops::mtime_of_time_t(mtime)) };
        ops::operate_sync(&WRITE_OPS, write_op, io, name, ops::operation_flags(flags), mtime)
    })
}

/// As `rados_write_op_operate` with a `timespec` modification time.
#[no_mangle]
pub unsafe extern "C" fn rados_write_op_operate2(
    write_op: rados_write_op_t,
    io: rados_ioctx_t,
    oid: *const c_char,
    mtime: *mut timespec,
    flags: c_int,
) -> c_int {
    entry(|| {
        // SAFETY: C string argument; mtime is NULL or readable.
        let (name, mtime) = unsafe { (object_name(oid)?, ops::mtime_of_timespec(mtime)) };
        ops::operate_sync(&WRITE_OPS, write_op, io, name, ops::operation_flags(flags), mtime)
    })
}

/// As `rados_write_op_operate`, completing `completion` with the result.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_write_op_operate(
    write_op: rados_write_op_t,
    io: rados_ioctx_t,
    completion: rados_completion_t,
    oid: *const c_char,
    mtime: *mut time_t,
    flags: c_int,
) -> c_int {
    entry(|| {
        // SAFETY: C string argument; mtime is NULL or readable.
        let (name, mtime) = unsafe { (object_name(oid)?, ops::mtime_of_time_t(mtime)) };
        ops::operate_async(&WRITE_OPS, write_op, io, completion, name, ops::operation_flags(flags), mtime)
    })
}
