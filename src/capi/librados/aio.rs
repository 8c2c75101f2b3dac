//! Asynchronous single-step object I/O (`rados_aio_*`).
//!
//! Each function checks its arguments, copies input buffers and submits; the
//! completion's return value is the operation's result (bytes for reads).
//! Output buffers must stay valid until the completion fires. Errors returned
//! at submission: -EINVAL for NULL arguments or a completion already in use,
//! bad handles, the size checks of the synchronous calls.

use super::object::{check_read_len, check_writesame, data};
use super::object_io::{copy_out, result_of, submit_step};
use super::op_builder::step_data;
use super::read_op::exec_step;
use crate::capi::completions;
use crate::capi::prelude::*;
use crate::rados::op::{OpReply, OpStep, StepOutput};

/// Writes `len` bytes at `off`.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_write(
    io: rados_ioctx_t,
    oid: *const c_char,
    completion: rados_completion_t,
    buf: *const c_char,
    len: usize,
    off: u64,
) -> c_int {
    entry(|| {
        // SAFETY: C buffer and string arguments.
        unsafe {
            submit_step(io, oid, completion, OpStep::Write { offset: off, data: data(buf, len)?.into() }, result_of)
        }
    })
}

/// Appends `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_append(
    io: rados_ioctx_t,
    oid: *const c_char,
    completion: rados_completion_t,
    buf: *const c_char,
    len: usize,
) -> c_int {
    entry(|| {
        // SAFETY: C buffer and string arguments.
        unsafe { submit_step(io, oid, completion, OpStep::Append { data: data(buf, len)? }, result_of) }
    })
}

/// Replaces the object's data with `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_write_full(
    io: rados_ioctx_t,
    oid: *const c_char,
    completion: rados_completion_t,
    buf: *const c_char,
    len: usize,
) -> c_int {
    entry(|| {
        // SAFETY: C buffer and string arguments.
        unsafe { submit_step(io, oid, completion, OpStep::WriteFull { data: data(buf, len)? }, result_of) }
    })
}

/// Writes `data_len` bytes repeatedly over `write_len` bytes at `off`.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_writesame(
    io: rados_ioctx_t,
    oid: *const c_char,
    completion: rados_completion_t,
    buf: *const c_char,
    data_len: usize,
    write_len: usize,
    off: u64,
) -> c_int {
    entry(|| {
        check_writesame(data_len, write_len)?;
        // SAFETY: C buffer argument.
        let step = OpStep::WriteSame { offset: off, len: write_len as u64, data: unsafe { data(buf, data_len) }? };
        // SAFETY: C string argument.
        unsafe { submit_step(io, oid, completion, step, result_of) }
    })
}

/// Removes the object.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_remove(
    io: rados_ioctx_t,
    oid: *const c_char,
    completion: rados_completion_t,
) -> c_int {
    // SAFETY: C string argument.
    entry(|| unsafe { submit_step(io, oid, completion, OpStep::Remove, result_of) })
}

/// Reads up to `len` bytes at `off` into `buf`; the completion's value is
/// the byte count. Extra error: -EDOM over INT_MAX bytes.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_read(
    io: rados_ioctx_t,
    oid: *const c_char,
    completion: rados_completion_t,
    buf: *mut c_char,
    len: usize,
    off: u64,
) -> c_int {
    entry(|| {
        check_read_len(len)?;
        if buf.is_null() && len > 0 {
            return Err(Error::invalid("buf is NULL"));
        }
        let buf = CPtr(buf);
        let step = OpStep::Read { offset: off, len: len as u64 };
        // SAFETY: C string argument; buf stays valid for len bytes until completion.
        unsafe { submit_step(io, oid, completion, step, move |reply| copy_out(reply, buf, len)) }
    })
}

/// Waits until every asynchronous write submitted on `io` so far has
/// completed, and makes them durable. Errors: bad handles, backend errors.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_flush(io: rados_ioctx_t) -> c_int {
    entry(|| {
        ioctx(io)?.aio_flush()?;
        Ok(0)
    })
}

/// As `rados_aio_flush`, completing `completion` instead of waiting.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_flush_async(io: rados_ioctx_t, completion: rados_completion_t) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        let entry = RADOS_COMPLETIONS.get(completion)?;
        completions::submit(&entry)?;
        io.aio_flush_async(move |result| {
            let c = &entry.completion;
            if c.claim() {
                c.complete(result.map_or_else(|e| -(e.errno() as i64), |_| 0), 0);
            }
        });
        Ok(0)
    })
}

/// Object size and modification time (seconds), written on success; either
/// pointer may be NULL.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_stat(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    psize: *mut u64,
    pmtime: *mut time_t,
) -> c_int {
    entry(|| {
        let (psize, pmtime) = (CPtr(psize), CPtr(pmtime));
        let finish = move |reply: &OpReply| {
            if let (0.., Some(StepOutput::Stat { size, mtime })) = (reply.result, reply.steps.first().map(|s| &s.out)) {
                // SAFETY: NULL or valid until completion (C contract).
                unsafe {
                    psize.set(*size);
                    pmtime.set(mtime.0 as time_t);
                }
            }
            reply.result as i64
        };
        // SAFETY: C string argument.
        unsafe { submit_step(io, o, completion, OpStep::Stat, finish) }
    })
}

/// Compares object bytes at `off` with `cmp_buf`; the completion's value is 0
/// or `-MAX_ERRNO - offset of the first difference`.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_cmpext(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    cmp_buf: *const c_char,
    cmp_len: usize,
    off: u64,
) -> c_int {
    entry(|| {
        // SAFETY: C buffer argument.
        let data = unsafe { c_slice(cmp_buf as *const u8, cmp_len, "cmp_buf") }?.to_vec();
        // SAFETY: C string argument.
        unsafe { submit_step(io, o, completion, OpStep::CmpExt { offset: off, data }, result_of) }
    })
}

/// Calls an object class method; its output goes to `buf` and the
/// completion's value is its length (-ERANGE when over `out_len`).
#[no_mangle]
pub unsafe extern "C" fn rados_aio_exec(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
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
        if buf.is_null() && out_len > 0 {
            return Err(Error::invalid("buf is NULL"));
        }
        let buf = CPtr(buf);
        let finish = move |reply: &OpReply| {
            if reply.result < 0 {
                return reply.result as i64;
            }
            let out = reply.steps.first().map(step_data).unwrap_or(&[]);
            if out.is_empty() {
                return reply.result as i64;
            }
            if out.len() > out_len || buf.ptr().is_null() {
                return -(libc::ERANGE as i64);
            }
            // SAFETY: buf is valid for out_len bytes until completion (C contract).
            unsafe { std::ptr::copy_nonoverlapping(out.as_ptr(), buf.ptr() as *mut u8, out.len()) };
            out.len() as i64
        };
        // SAFETY: C string argument.
        unsafe { submit_step(io, o, completion, step, finish) }
    })
}
