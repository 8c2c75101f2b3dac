//! Plumbing shared by the object functions: submitting an operation for a C
//! completion, and carrying caller pointers to the thread that completes it.

use std::sync::Arc;

use crate::capi::completions;
use crate::capi::prelude::*;
use crate::rados::op::{ObjectOperation, OpReply, OpStep, StepOutput};
use crate::rados::IoCtx;

/// Submits `op` on object `name`; when it completes, `finish` turns the reply
/// into the completion's return value (copying outputs to the caller) and then
/// the completion fires. Errors: bad handles, a completion already used.
pub(crate) fn submit(
    io: &Arc<IoCtx>,
    completion: rados_completion_t,
    name: &[u8],
    op: ObjectOperation,
    mtime: Option<(i64, u32)>,
    finish: impl FnOnce(&OpReply) -> i64 + Send + 'static,
) -> Result<()> {
    let entry = RADOS_COMPLETIONS.get(completion)?;
    completions::submit(&entry)?;
    io.aio_operate(name, op, mtime, move |reply| {
        let c = &entry.completion;
        // a cancelled completion's caller may have freed its buffers: touch nothing
        if c.claim() {
            let value = finish(&reply);
            c.complete(value, reply.version);
        }
    });
    Ok(())
}

/// The reply's result, or the first step's data for a successful read.
pub(crate) fn first_data(reply: &OpReply) -> Option<&[u8]> {
    match reply.steps.first().map(|s| &s.out) {
        Some(StepOutput::Data(d)) => Some(d),
        _ => None,
    }
}

/// Copies a successful read into the caller's buffer of `len` bytes; -ERANGE
/// when it does not fit (as upstream), else the byte count.
///
/// # Safety
/// `buf` is valid for writes of `len` bytes.
pub(crate) unsafe fn copy_out(reply: &OpReply, buf: CPtr<c_char>, len: usize) -> i64 {
    if reply.result < 0 {
        return reply.result as i64;
    }
    let data = first_data(reply).unwrap_or(&[]);
    if data.len() > len {
        return -(libc::ERANGE as i64);
    }
    if !data.is_empty() {
        // SAFETY: buf holds len >= data.len() bytes per this function's contract.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), buf.ptr() as *mut u8, data.len()) };
    }
    data.len() as i64
}

/// The result of a write, or of a reply whose value is just its result code.
pub(crate) fn result_of(reply: &OpReply) -> i64 {
    reply.result as i64
}

/// An object name argument (arbitrary bytes but NUL).
///
/// # Safety
/// As `c_bytes`.
pub(crate) unsafe fn object_name<'a>(p: *const c_char) -> Result<&'a [u8]> {
    // SAFETY: forwarded contract.
    unsafe { c_bytes(p, "object name") }
}

/// librados refuses single buffers over `UINT_MAX / 2` bytes.
pub(crate) fn check_len(len: usize) -> Result<()> {
    if len > (u32::MAX / 2) as usize {
        return Err(Error::remote(-libc::E2BIG, "buffer too large"));
    }
    Ok(())
}

/// Submits one step on object `o` of I/O context `io`; `finish` computes the
/// completion's value.
///
/// # Safety
/// `o` is NULL or a C string.
pub(crate) unsafe fn submit_step(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    step: OpStep,
    finish: impl FnOnce(&OpReply) -> i64 + Send + 'static,
) -> Result<c_int> {
    let io = ioctx(io)?;
    // SAFETY: forwarded contract.
    let name = unsafe { object_name(o) }?;
    submit(&io, completion, name, ObjectOperation::single(step), None, finish)?;
    Ok(0)
}
