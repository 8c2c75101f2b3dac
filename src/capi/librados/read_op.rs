//! Compound read operations (`rados_read_op_t`).
//!
//! Building functions return nothing; a bad argument poisons the operation and
//! `rados_read_op_operate` returns its error (see op_builder.rs). Output
//! pointers must stay valid until the operation completes.

use std::sync::Arc;

use super::iterators::{self, OMAP_ITERS, XATTR_ITERS};
use super::object_io::object_name;
use super::op_builder::{self as ops, build, StepSink, READ_OPS};
use crate::capi::prelude::*;
use crate::rados::op::{ChecksumType, CmpMode, OpStep, StepOutput, StepResult};

/// A new read operation; release it with `rados_release_read_op`.
#[no_mangle]
pub unsafe extern "C" fn rados_create_read_op() -> rados_read_op_t {
    ops::create(&READ_OPS)
}

/// Frees a read operation (a bad handle is ignored).
#[no_mangle]
pub unsafe extern "C" fn rados_release_read_op(read_op: rados_read_op_t) {
    let _ = READ_OPS.remove(read_op);
}

/// Sets `LIBRADOS_OP_FLAG_*` on the last step added.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_set_flags(read_op: rados_read_op_t, flags: c_int) {
    build(&READ_OPS, read_op, |op| {
        op.set_last_flags(flags as u32);
        Ok(())
    })
}

/// Fails the operation with -ENOENT when the object does not exist.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_assert_exists(read_op: rados_read_op_t) {
    build(&READ_OPS, read_op, |op| {
        op.push(OpStep::AssertExists);
        Ok(())
    })
}

/// Fails the operation unless the object's version is `ver` (-ERANGE when
/// older, -EOVERFLOW when newer, -EINVAL for 0).
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_assert_version(read_op: rados_read_op_t, ver: u64) {
    build(&READ_OPS, read_op, |op| {
        op.push(OpStep::AssertVersion { version: ver });
        Ok(())
    })
}

/// Compares object bytes at `off` with `cmp_buf`; a mismatch fails the
/// operation with `-MAX_ERRNO - offset`. Poisons on NULL `cmp_buf` with a length.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_cmpext(
    read_op: rados_read_op_t,
    cmp_buf: *const c_char,
    cmp_len: usize,
    off: u64,
    prval: *mut c_int,
) {
    build(&READ_OPS, read_op, |op| {
        // SAFETY: cmp_buf is valid for cmp_len bytes (C contract).
        let data = unsafe { c_slice(cmp_buf as *const u8, cmp_len, "cmp_buf") }?.to_vec();
        op.push_with(OpStep::CmpExt { offset: off, data }, prval, None);
        Ok(())
    })
}

/// Compares xattr `name` (as a byte string) with `value`; a false comparison
/// fails the operation with -ECANCELED. Poisons on NULL name or a bad operator.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_cmpxattr(
    read_op: rados_read_op_t,
    name: *const c_char,
    comparison_operator: u8,
    value: *const c_char,
    value_len: usize,
) {
    build(&READ_OPS, read_op, |op| {
        // SAFETY: C strings and buffers per the C contract.
        let step = unsafe { cmpxattr_step(name, comparison_operator, value, value_len) }?;
        op.push(step);
        Ok(())
    })
}

/// The step of a `cmpxattr` call (string comparison, as upstream's C API).
///
/// # Safety
/// `name` is NULL or a C string; `value` is NULL or valid for `value_len` bytes.
pub(crate) unsafe fn cmpxattr_step(
    name: *const c_char,
    comparison_operator: u8,
    value: *const c_char,
    value_len: usize,
) -> Result<OpStep> {
    Ok(OpStep::CmpXattr {
        // SAFETY: forwarded contract.
        name: unsafe { c_bytes(name, "xattr name") }?.to_vec(),
        op: ops::cmp_op(comparison_operator)?,
        mode: CmpMode::String,
        // SAFETY: forwarded contract.
        value: unsafe { c_slice(value as *const u8, value_len, "value") }?.to_vec(),
    })
}

/// The step of an `omap_cmp` call: `key_len` None means a C string key.
///
/// # Safety
/// `key` is NULL, a C string, or valid for `key_len` bytes; `val` for `val_len`.
pub(crate) unsafe fn omap_cmp_step(
    key: *const c_char,
    key_len: Option<usize>,
    comparison_operator: u8,
    val: *const c_char,
    val_len: usize,
) -> Result<OpStep> {
    let key = match key_len {
        // SAFETY: forwarded contract.
        None => unsafe { c_bytes(key, "key") }?.to_vec(),
        // SAFETY: forwarded contract.
        Some(len) => unsafe { c_slice(key as *const u8, len, "key") }?.to_vec(),
    };
    let op = ops::cmp_op(comparison_operator)?;
    // SAFETY: forwarded contract.
    let value = unsafe { c_slice(val as *const u8, val_len, "val") }?.to_vec();
    Ok(OpStep::OmapCmp { assertions: vec![(key, op, value)] })
}

/// Registers an xattr iterator filled by a `GetXattrs` step's reply.
///
/// As upstream's decoding handler: a step that reports success without output
/// (it did not run because an earlier step failed) sets `*prval` to -EIO.
fn xattrs_iter_sink(prval: *mut c_int) -> (StepSink, rados_xattrs_iter_t) {
    let (shared, handle) = iterators::new_iter(&XATTR_ITERS);
    let prval = CPtr(prval);
    let sink: StepSink = Arc::new(move |step: &StepResult| {
        let entries = match &step.out {
            StepOutput::Xattrs(map) if step.rval >= 0 => map.clone().into_iter().collect(),
            _ => {
                if step.rval >= 0 {
                    // SAFETY: valid until completion (C contract); NULL is skipped.
                    unsafe { prval.set(-libc::EIO) };
                }
                Vec::new()
            }
        };
        iterators::fill(&shared, entries);
    });
    (sink, handle)
}

/// Reads every xattr into an iterator (`*iter` is set at once, filled on
/// completion). Poisons on NULL `iter`.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_getxattrs(
    read_op: rados_read_op_t,
    iter: *mut rados_xattrs_iter_t,
    prval: *mut c_int,
) {
    build(&READ_OPS, read_op, |op| {
        let out = Out::new(iter, "iter")?;
        let (sink, handle) = xattrs_iter_sink(prval);
        op.push_with(OpStep::GetXattrs, prval, Some(sink));
        // SAFETY: checked out-parameter.
        unsafe { out.write(handle) };
        Ok(())
    })
}

/// Compares omap key `key` (a C string) with `val`; false fails the
/// operation with -ECANCELED.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_omap_cmp(
    read_op: rados_read_op_t,
    key: *const c_char,
    comparison_operator: u8,
    val: *const c_char,
    val_len: usize,
    prval: *mut c_int,
) {
    build(&READ_OPS, read_op, |op| {
        // SAFETY: C contract for key and val.
        let step = unsafe { omap_cmp_step(key, None, comparison_operator, val, val_len) }?;
        op.push_with(step, prval, None);
        Ok(())
    })
}

/// As `rados_read_op_omap_cmp` with a key of `key_len` bytes.
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
    build(&READ_OPS, read_op, |op| {
        // SAFETY: C contract for key and val.
        let step = unsafe { omap_cmp_step(key, Some(key_len), comparison_operator, val, val_len) }?;
        op.push_with(step, prval, None);
        Ok(())
    })
}

/// Object size and modification time (seconds); written only on success.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_stat(
    read_op: rados_read_op_t,
    psize: *mut u64,
    pmtime: *mut time_t,
    prval: *mut c_int,
) {
    build(&READ_OPS, read_op, |op| {
        let (psize, pmtime) = (CPtr(psize), CPtr(pmtime));
        let prval_ = CPtr(prval);
        let sink: StepSink = Arc::new(move |step: &StepResult| {
            if step.rval < 0 {
                return;
            }
            // SAFETY: valid until completion (C contract); NULL is skipped.
            unsafe {
                match &step.out {
                    StepOutput::Stat { size, mtime } => {
                        psize.set(*size);
                        pmtime.set(mtime.0 as time_t);
                    }
                    // did not run: upstream's decoder fails with -EIO
                    _ => prval_.set(-libc::EIO),
                }
            }
        });
        op.push_with(OpStep::Stat, prval, Some(sink));
        Ok(())
    })
}

/// Reads up to `len` bytes at `offset` into `buffer`; `*bytes_read` gets the
/// count (0 and -ERANGE in `*prval` if the reply does not fit).
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_read(
    read_op: rados_read_op_t,
    offset: u64,
    len: usize,
    buffer: *mut c_char,
    bytes_read: *mut usize,
    prval: *mut c_int,
) {
    build(&READ_OPS, read_op, |op| {
        if buffer.is_null() && len > 0 {
            return Err(Error::invalid("buffer is NULL"));
        }
        let sink = ops::to_buffer_sink(buffer, len, bytes_read, prval);
        op.push_with(OpStep::Read { offset, len: len as u64 }, prval, Some(sink));
        Ok(())
    })
}

/// A checksum type argument.
pub(crate) fn checksum_type(t: ChecksumTypeArg) -> Result<ChecksumType> {
    Ok(match t.0 {
        0 => ChecksumType::XxHash32,
        1 => ChecksumType::XxHash64,
        2 => ChecksumType::Crc32c,
        other => return Err(Error::invalid(format!("checksum type {other}"))),
    })
}

/// Checksums `len` bytes at `offset` in chunks of `chunk_size`; the reply
/// (a little-endian u32 count then the checksums) goes to `pchecksum`.
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
    build(&READ_OPS, read_op, |op| {
        let kind = checksum_type(r#type)?;
        // SAFETY: init_value is valid for init_value_len bytes (C contract).
        let init = unsafe { c_slice(init_value as *const u8, init_value_len, "init_value") }?.to_vec();
        let sink =
            (!pchecksum.is_null()).then(|| ops::to_buffer_sink(pchecksum, checksum_len, std::ptr::null_mut(), prval));
        let step = OpStep::Checksum { kind, init, offset, len: len as u64, chunk_size: chunk_size as u64 };
        op.push_with(step, prval, sink);
        Ok(())
    })
}

/// The step of an object class call.
///
/// # Safety
/// `cls`, `method` are NULL or C strings; `in_buf` is valid for `in_len` bytes.
pub(crate) unsafe fn exec_step(
    cls: *const c_char,
    method: *const c_char,
    in_buf: *const c_char,
    in_len: usize,
) -> Result<OpStep> {
    Ok(OpStep::Exec {
        // SAFETY: forwarded contract.
        class: unsafe { c_str(cls, "class") }?.to_string(),
        // SAFETY: forwarded contract.
        method: unsafe { c_str(method, "method") }?.to_string(),
        // SAFETY: forwarded contract.
        input: unsafe { c_slice(in_buf as *const u8, in_len, "in_buf") }?.to_vec(),
    })
}

/// Calls an object class method; its output is `malloc`ed into `*out_buf`
/// (NULL when empty; free with `rados_buffer_free`) and `*out_len`.
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
    build(&READ_OPS, read_op, |op| {
        // SAFETY: C contract for the strings and the input buffer.
        let step = unsafe { exec_step(cls, method, in_buf, in_len) }?;
        let (out_buf, out_len) = (CPtr(out_buf), CPtr(out_len));
        let sink: StepSink = Arc::new(move |step: &StepResult| {
            let data = ops::step_data(step);
            let copy = if data.is_empty() { Ok(std::ptr::null_mut()) } else { malloc_copy(data, 0) };
            // SAFETY: valid until completion (C contract); NULL is skipped.
            unsafe {
                if let Ok(p) = copy {
                    out_buf.set(p as *mut c_char);
                    out_len.set(if p.is_null() { 0 } else { data.len() });
                }
            }
        });
        op.push_with(step, prval, Some(sink));
        Ok(())
    })
}

/// As `rados_read_op_exec`, into the caller's `out_buf` of `out_len` bytes;
/// `*used_len` gets the output length (-ERANGE in `*prval` if it does not fit).
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
    build(&READ_OPS, read_op, |op| {
        // SAFETY: C contract for the strings and the input buffer.
        let step = unsafe { exec_step(cls, method, in_buf, in_len) }?;
        let sink = ops::to_buffer_sink(out_buf, out_len, used_len, prval);
        op.push_with(step, prval, Some(sink));
        Ok(())
    })
}

/// An omap entry.
type KeyValue = (Vec<u8>, Vec<u8>);

/// Registers an omap iterator filled from a keys/values step; `pmore` gets
/// the "more entries" flag on success.
fn omap_iter_sink(pmore: *mut c_uchar, prval: *mut c_int) -> (StepSink, rados_omap_iter_t) {
    let (shared, handle) = iterators::new_iter(&OMAP_ITERS);
    let (pmore, prval) = (CPtr(pmore), CPtr(prval));
    let sink: StepSink = Arc::new(move |step: &StepResult| {
        let (entries, more): (Vec<KeyValue>, Option<bool>) = match (&step.out, step.rval >= 0) {
            (StepOutput::Vals { vals, more }, true) => (vals.clone(), Some(*more)),
            (StepOutput::Keys { keys, more }, true) => {
                (keys.iter().map(|k| (k.clone(), Vec::new())).collect(), Some(*more))
            }
            (_, ok) => {
                if ok {
                    // did not run: upstream's decoder fails with -EIO
                    // SAFETY: valid until completion (C contract); NULL is skipped.
                    unsafe { prval.set(-libc::EIO) };
                }
                (Vec::new(), None)
            }
        };
        iterators::fill(&shared, entries);
        if let Some(more) = more {
            // SAFETY: valid until completion (C contract); NULL is skipped.
            unsafe { pmore.set(c_uchar::from(more)) };
        }
    });
    (sink, handle)
}

/// Adds an omap listing step whose results fill a new iterator in `*iter`.
///
/// # Safety
/// `iter` is NULL or valid for a write; `pmore`/`prval` NULL or valid until completion.
unsafe fn push_omap_listing(
    read_op: rados_read_op_t,
    iter: *mut rados_omap_iter_t,
    pmore: *mut c_uchar,
    prval: *mut c_int,
    step: impl FnOnce() -> Result<OpStep>,
) {
    build(&READ_OPS, read_op, |op| {
        let out = Out::new(iter, "iter")?;
        let step = step()?;
        let (sink, handle) = omap_iter_sink(pmore, prval);
        op.push_with(step, prval, Some(sink));
        // SAFETY: checked out-parameter.
        unsafe { out.write(handle) };
        Ok(())
    })
}

/// An optional C string argument as bytes (NULL: empty).
///
/// # Safety
/// `p` is NULL or a C string.
unsafe fn bytes_or_empty(p: *const c_char) -> Vec<u8> {
    if p.is_null() {
        Vec::new()
    } else {
        // SAFETY: non-null C string per this function's contract.
        unsafe { std::ffi::CStr::from_ptr(p) }.to_bytes().to_vec()
    }
}

/// Lists up to `max_return` omap entries after `start_after` whose keys start
/// with `filter_prefix` (NULL: none) into a new iterator.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_omap_get_vals(
    read_op: rados_read_op_t,
    start_after: *const c_char,
    filter_prefix: *const c_char,
    max_return: u64,
    iter: *mut rados_omap_iter_t,
    prval: *mut c_int,
) {
    // SAFETY: forwarded C contract.
    unsafe {
        rados_read_op_omap_get_vals2(read_op, start_after, filter_prefix, max_return, iter, std::ptr::null_mut(), prval)
    }
}

/// As `rados_read_op_omap_get_vals`; `*pmore` tells whether entries remain.
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
    // SAFETY: forwarded C contract.
    unsafe {
        push_omap_listing(read_op, iter, pmore, prval, || {
            Ok(OpStep::OmapGetVals {
                start_after: bytes_or_empty(start_after),
                prefix: bytes_or_empty(filter_prefix),
                max: max_return,
            })
        })
    }
}

/// Lists up to `max_return` omap keys after `start_after` (values empty).
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_omap_get_keys(
    read_op: rados_read_op_t,
    start_after: *const c_char,
    max_return: u64,
    iter: *mut rados_omap_iter_t,
    prval: *mut c_int,
) {
    // SAFETY: forwarded C contract.
    unsafe { rados_read_op_omap_get_keys2(read_op, start_after, max_return, iter, std::ptr::null_mut(), prval) }
}

/// As `rados_read_op_omap_get_keys`; `*pmore` tells whether keys remain.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_omap_get_keys2(
    read_op: rados_read_op_t,
    start_after: *const c_char,
    max_return: u64,
    iter: *mut rados_omap_iter_t,
    pmore: *mut c_uchar,
    prval: *mut c_int,
) {
    // SAFETY: forwarded C contract.
    unsafe {
        push_omap_listing(read_op, iter, pmore, prval, || {
            Ok(OpStep::OmapGetKeys { start_after: bytes_or_empty(start_after), max: max_return })
        })
    }
}

/// The keys of a `keys`/`key_lens` argument pair (`key_lens` NULL: C strings).
///
/// # Safety
/// `keys` holds `n` pointers, each a C string or valid for its length.
pub(crate) unsafe fn key_list(keys: *const *const c_char, key_lens: *const usize, n: usize) -> Result<Vec<Vec<u8>>> {
    // SAFETY: forwarded contract.
    let ptrs = unsafe { c_slice(keys, n, "keys") }?;
    let lens = if key_lens.is_null() {
        None
    } else {
        // SAFETY: forwarded contract.
        Some(unsafe { c_slice(key_lens, n, "key_lens") }?)
    };
    let mut out = Vec::with_capacity(n);
    for (i, &p) in ptrs.iter().enumerate() {
        out.push(match lens {
            // SAFETY: forwarded contract.
            Some(lens) => unsafe { c_slice(p as *const u8, lens[i], "key") }?.to_vec(),
            // SAFETY: forwarded contract.
            None => unsafe { c_bytes(p, "key") }?.to_vec(),
        });
    }
    Ok(out)
}

/// Reads the omap values of `keys` (missing keys are left out) into a new iterator.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_omap_get_vals_by_keys(
    read_op: rados_read_op_t,
    keys: *const *const c_char,
    keys_len: usize,
    iter: *mut rados_omap_iter_t,
    prval: *mut c_int,
) {
    // SAFETY: forwarded C contract.
    unsafe {
        push_omap_listing(read_op, iter, std::ptr::null_mut(), prval, || {
            Ok(OpStep::OmapGetValsByKeys { keys: key_list(keys, std::ptr::null(), keys_len)? })
        })
    }
}

/// As `rados_read_op_omap_get_vals_by_keys` with keys of given lengths.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_omap_get_vals_by_keys2(
    read_op: rados_read_op_t,
    keys: *const *const c_char,
    num_keys: usize,
    key_lens: *const usize,
    iter: *mut rados_omap_iter_t,
    prval: *mut c_int,
) {
    // SAFETY: forwarded C contract.
    unsafe {
        push_omap_listing(read_op, iter, std::ptr::null_mut(), prval, || {
            if key_lens.is_null() && num_keys > 0 {
                return Err(Error::invalid("key_lens is NULL"));
            }
            Ok(OpStep::OmapGetValsByKeys { keys: key_list(keys, key_lens, num_keys)? })
        })
    }
}

/// Runs the read operation on object `oid` and waits; returns 0 or the first
/// failing step's error (-ENOENT for a missing object…), or the building error.
#[no_mangle]
pub unsafe extern "C" fn rados_read_op_operate(
    read_op: rados_read_op_t,
    io: rados_ioctx_t,
    oid: *const c_char,
    flags: c_int,
) -> c_int {
    entry(|| {
        // SAFETY: C string argument.
        let name = unsafe { object_name(oid) }?;
        ops::operate_sync(&READ_OPS, read_op, io, name, ops::operation_flags(flags), None)
    })
}

/// As `rados_read_op_operate`, completing `completion` (whose return value is
/// the operation's result). Errors at submission: bad handles, building error.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_read_op_operate(
    read_op: rados_read_op_t,
    io: rados_ioctx_t,
    completion: rados_completion_t,
    oid: *const c_char,
    flags: c_int,
) -> c_int {
    entry(|| {
        // SAFETY: C string argument.
        let name = unsafe { object_name(oid) }?;
        ops::operate_async(&READ_OPS, read_op, io, completion, name, ops::operation_flags(flags), None)
    })
}
