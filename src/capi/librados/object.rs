//! Synchronous single-object operations.

use super::object_io::{check_len, copy_out, object_name};
use super::read_op::{checksum_type, exec_step};
use crate::capi::prelude::*;
use crate::rados::op::{ObjectOperation, OpReply, OpStep, StepOutput};
use crate::rados::IoCtx;

/// Runs one step on object `o` through the I/O context `io` and waits.
///
/// # Safety
/// `o` is NULL or a C string.
pub(crate) unsafe fn run(io: rados_ioctx_t, o: *const c_char, step: OpStep) -> Result<OpReply> {
    let io = ioctx(io)?;
    // SAFETY: forwarded contract.
    let name = unsafe { object_name(o) }?;
    Ok(io.operate(name, ObjectOperation::single(step)))
}

/// A data buffer argument, copied.
///
/// # Safety
/// `buf` is NULL or valid for `len` bytes.
pub(crate) unsafe fn data(buf: *const c_char, len: usize) -> Result<Vec<u8>> {
    check_len(len)?;
    // SAFETY: forwarded contract.
    Ok(crate::rados::buffer_pool::copy_of(unsafe { c_slice(buf as *const u8, len, "buf") }?))
}

/// librados refuses reads over `INT_MAX` bytes with -EDOM.
pub(crate) fn check_read_len(len: usize) -> Result<()> {
    if len > i32::MAX as usize {
        return Err(Error::remote(-libc::EDOM, "read length over INT_MAX"));
    }
    Ok(())
}

/// The writesame argument rules of librados: -E2BIG for huge buffers,
/// -EINVAL unless `write_len` is a multiple of a non-empty `data_len`.
pub(crate) fn check_writesame(data_len: usize, write_len: usize) -> Result<()> {
    check_len(data_len)?;
    check_len(write_len)?;
    if data_len == 0 || write_len % data_len != 0 {
        return Err(Error::invalid("write_len is not a multiple of data_len"));
    }
    Ok(())
}

/// The snapshot id of pool snapshot `name` in `io`'s pool. Errors: -ENOENT.
pub(crate) fn pool_snap_id(io: &IoCtx, name: &str) -> Result<u64> {
    io.backend()
        .pool_snaps(io.pool_id())?
        .into_iter()
        .find(|s| s.name == name)
        .map(|s| s.id)
        .ok_or_else(|| Error::not_found(format!("pool snapshot {name}")))
}

/// Rolls object `oid` back to pool snapshot `snapname` (deprecated alias of
/// `rados_ioctx_snap_rollback`). Errors: -EINVAL for NULLs, -ENOENT for an
/// unknown snapshot, OSD errors.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_rollback(io: rados_ioctx_t, oid: *const c_char, snapname: *const c_char) -> c_int {
    // SAFETY: forwarded arguments.
    unsafe { super::snapshot::rados_ioctx_snap_rollback(io, oid, snapname) }
}

/// Writes `len` bytes at `off`. Errors: -EINVAL for NULLs, -E2BIG over
/// UINT_MAX/2 bytes, OSD errors (-EFBIG past the object size limit…).
#[no_mangle]
pub unsafe extern "C" fn rados_write(
    io: rados_ioctx_t,
    oid: *const c_char,
    buf: *const c_char,
    len: usize,
    off: u64,
) -> c_int {
    entry(|| {
        // SAFETY: C buffer and string arguments.
        let reply = unsafe { run(io, oid, OpStep::Write { offset: off, data: data(buf, len)?.into() }) }?;
        Ok(reply.result)
    })
}

/// Replaces the object's data with `len` bytes. Errors: as `rados_write`.
#[no_mangle]
pub unsafe extern "C" fn rados_write_full(
    io: rados_ioctx_t,
    oid: *const c_char,
    buf: *const c_char,
    len: usize,
) -> c_int {
    entry(|| {
        // SAFETY: C buffer and string arguments.
        let reply = unsafe { run(io, oid, OpStep::WriteFull { data: data(buf, len)? }) }?;
        Ok(reply.result)
    })
}

/// Writes `data_len` bytes repeatedly over `write_len` bytes at `off`.
/// Errors: -EINVAL unless `write_len` is a multiple of `data_len` > 0, -E2BIG.
#[no_mangle]
pub unsafe extern "C" fn rados_writesame(
    io: rados_ioctx_t,
    oid: *const c_char,
    buf: *const c_char,
    data_len: usize,
    write_len: usize,
    off: u64,
) -> c_int {
    entry(|| {
        check_writesame(data_len, write_len)?;
        // SAFETY: C buffer and string arguments.
        let step = OpStep::WriteSame { offset: off, len: write_len as u64, data: unsafe { data(buf, data_len) }? };
        // SAFETY: C string argument.
        Ok(unsafe { run(io, oid, step) }?.result)
    })
}

/// Appends `len` bytes. Errors: as `rados_write`.
#[no_mangle]
pub unsafe extern "C" fn rados_append(io: rados_ioctx_t, oid: *const c_char, buf: *const c_char, len: usize) -> c_int {
    entry(|| {
        // SAFETY: C buffer and string arguments.
        let reply = unsafe { run(io, oid, OpStep::Append { data: data(buf, len)? }) }?;
        Ok(reply.result)
    })
}

/// Reads up to `len` bytes at `off` into `buf`; returns the byte count.
/// Errors: -EINVAL for NULLs, -EDOM over INT_MAX, -ENOENT, OSD errors.
#[no_mangle]
pub unsafe extern "C" fn rados_read(
    io: rados_ioctx_t,
    oid: *const c_char,
    buf: *mut c_char,
    len: usize,
    off: u64,
) -> c_int {
    entry(|| {
        check_read_len(len)?;
        if buf.is_null() && len > 0 {
            return Err(Error::invalid("buf is NULL"));
        }
        // SAFETY: C string argument.
        let reply = unsafe { run(io, oid, OpStep::Read { offset: off, len: len as u64 }) }?;
        // SAFETY: buf is valid for len bytes (C contract).
        Ok(unsafe { copy_out(&reply, CPtr(buf), len) } as c_int)
    })
}

/// Checksums `len` bytes at `off` in `chunk_size` chunks into `pchecksum`
/// (a little-endian u32 count, then the checksums). Errors: -EINVAL for bad
/// arguments or an initial value of the wrong width, -ERANGE when the range
/// passes the object's end or the result does not fit, -ENOENT.
#[no_mangle]
pub unsafe extern "C" fn rados_checksum(
    io: rados_ioctx_t,
    oid: *const c_char,
    r#type: ChecksumTypeArg,
    init_value: *const c_char,
    init_value_len: usize,
    len: usize,
    off: u64,
    chunk_size: usize,
    pchecksum: *mut c_char,
    checksum_len: usize,
) -> c_int {
    entry(|| {
        let kind = checksum_type(r#type)?;
        // SAFETY: C buffer argument.
        let init = unsafe { c_slice(init_value as *const u8, init_value_len, "init_value") }?.to_vec();
        if pchecksum.is_null() && checksum_len > 0 {
            return Err(Error::invalid("pchecksum is NULL"));
        }
        let step = OpStep::Checksum { kind, init, offset: off, len: len as u64, chunk_size: chunk_size as u64 };
        // SAFETY: C string argument.
        let reply = unsafe { run(io, oid, step) }?;
        // SAFETY: pchecksum is valid for checksum_len bytes (C contract).
        let r = unsafe { copy_out(&reply, CPtr(pchecksum), checksum_len) };
        Ok(if r < 0 { r as c_int } else { 0 })
    })
}

/// Removes the object. Errors: -ENOENT, OSD errors.
#[no_mangle]
pub unsafe extern "C" fn rados_remove(io: rados_ioctx_t, oid: *const c_char) -> c_int {
    // SAFETY: C string argument.
    entry(|| Ok(unsafe { run(io, oid, OpStep::Remove) }?.result))
}

/// Sets the object's size (creating it if missing is not done: a missing
/// object stays missing). Errors: -EFBIG past the size limit, OSD errors.
#[no_mangle]
pub unsafe extern "C" fn rados_trunc(io: rados_ioctx_t, oid: *const c_char, size: u64) -> c_int {
    // SAFETY: C string argument.
    entry(|| Ok(unsafe { run(io, oid, OpStep::Truncate { size }) }?.result))
}

/// Compares object bytes at `off` with `cmp_buf`: 0 when equal, else
/// `-MAX_ERRNO - offset of the first difference`. Errors: -EINVAL, -ENOENT.
#[no_mangle]
pub unsafe extern "C" fn rados_cmpext(
    io: rados_ioctx_t,
    o: *const c_char,
    cmp_buf: *const c_char,
    cmp_len: usize,
    off: u64,
) -> c_int {
    entry(|| {
        // SAFETY: C buffer argument.
        let data = unsafe { c_slice(cmp_buf as *const u8, cmp_len, "cmp_buf") }?.to_vec();
        // SAFETY: C string argument.
        Ok(unsafe { run(io, o, OpStep::CmpExt { offset: off, data }) }?.result)
    })
}

/// Object size and modification time (seconds); either pointer may be NULL.
/// Errors: -EINVAL, -ENOENT.
#[no_mangle]
pub unsafe extern "C" fn rados_stat(
    io: rados_ioctx_t,
    o: *const c_char,
    psize: *mut u64,
    pmtime: *mut time_t,
) -> c_int {
    entry(|| {
        // SAFETY: C string argument.
        let reply = unsafe { run(io, o, OpStep::Stat) }?;
        if reply.result < 0 {
            return Ok(reply.result);
        }
        if let Some(StepOutput::Stat { size, mtime }) = reply.steps.first().map(|s| &s.out) {
            // SAFETY: NULL or valid out-parameters.
            unsafe {
                CPtr(psize).set(*size);
                CPtr(pmtime).set(mtime.0 as time_t);
            }
        }
        Ok(0)
    })
}

/// Calls object class method `cls`.`method`; its output goes to `buf`.
/// Returns the output length (or the method's result when it produced none).
/// Errors: -EINVAL, -ERANGE when the output exceeds `out_len`, -EPERM for an
/// unknown class, -EOPNOTSUPP for an unknown method, the method's errors.
#[no_mangle]
pub unsafe extern "C" fn rados_exec(
    io: rados_ioctx_t,
    oid: *const c_char,
    cls: *const c_char,
    method: *const c_char,
    in_buf: *const c_char,
    in_len: usize,
    buf: *mut c_char,
    out_len: usize,
) -> c_int {
    entry(|| {
        // SAFETY: C strings and input buffer.
        let step = unsafe { exec_step(cls, method, in_buf, in_len) }?;
        // SAFETY: C string argument.
        let reply = unsafe { run(io, oid, step) }?;
        if reply.result < 0 {
            return Ok(reply.result);
        }
        let out = reply.steps.first().map(super::op_builder::step_data).unwrap_or(&[]);
        if out.is_empty() {
            return Ok(reply.result);
        }
        if out.len() > out_len || buf.is_null() {
            return Err(Error::Range(format!("class output of {} bytes", out.len())));
        }
        // SAFETY: buf is valid for out_len >= out.len() bytes (C contract).
        unsafe { std::ptr::copy_nonoverlapping(out.as_ptr(), buf as *mut u8, out.len()) };
        Ok(out.len() as c_int)
    })
}

/// Pins object `o` in a cache tier pool (the tier agent will not evict it).
/// Errors: -EINVAL for NULLs and for a pool that is not a cache tier (the
/// OSD's answer; always on the local store), -ENOENT for a missing object.
#[no_mangle]
pub unsafe extern "C" fn rados_cache_pin(io: rados_ioctx_t, o: *const c_char) -> c_int {
    // SAFETY: forwarded arguments.
    unsafe { cache_pin(io, o, true) }
}

/// Unpins object `o` from a cache tier pool. Errors: as `rados_cache_pin`.
#[no_mangle]
pub unsafe extern "C" fn rados_cache_unpin(io: rados_ioctx_t, o: *const c_char) -> c_int {
    // SAFETY: forwarded arguments.
    unsafe { cache_pin(io, o, false) }
}

/// # Safety
/// `o` is NULL or a C string.
unsafe fn cache_pin(io: rados_ioctx_t, o: *const c_char, pin: bool) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string argument.
        let name = unsafe { object_name(o) }?;
        Ok(io.operate(name, ObjectOperation::single(OpStep::CachePin { pin })).result)
    })
}

/// Records the expected object and write sizes (creates the object).
/// Errors: -EINVAL, OSD errors.
#[no_mangle]
pub unsafe extern "C" fn rados_set_alloc_hint(
    io: rados_ioctx_t,
    o: *const c_char,
    expected_object_size: u64,
    expected_write_size: u64,
) -> c_int {
    // SAFETY: forwarded arguments.
    unsafe { rados_set_alloc_hint2(io, o, expected_object_size, expected_write_size, 0) }
}

/// As `rados_set_alloc_hint` with `LIBRADOS_ALLOC_HINT_FLAG_*` flags.
#[no_mangle]
pub unsafe extern "C" fn rados_set_alloc_hint2(
    io: rados_ioctx_t,
    o: *const c_char,
    expected_object_size: u64,
    expected_write_size: u64,
    flags: u32,
) -> c_int {
    let step = OpStep::SetAllocHint { object_size: expected_object_size, write_size: expected_write_size, flags };
    // SAFETY: C string argument.
    entry(|| Ok(unsafe { run(io, o, step) }?.result))
}

/// Lets writes proceed when the pool is full (as far as the backend allows).
#[no_mangle]
pub unsafe extern "C" fn rados_set_pool_full_try(io: rados_ioctx_t) {
    entry(|| {
        ioctx(io)?.set_full_try(true);
        Ok(())
    })
}
