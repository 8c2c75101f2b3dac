//! Extended attributes of objects (the iterator functions are in iterators.rs).

use super::iterators::{self, XATTR_ITERS};
use super::object::{data, run};
use super::object_io::{result_of, submit_step};
use super::op_builder::step_data;
use crate::capi::prelude::*;
use crate::rados::op::{OpReply, OpStep, StepOutput};

/// An xattr name argument.
///
/// # Safety
/// `name` is NULL or a C string.
unsafe fn xattr_name(name: *const c_char) -> Result<Vec<u8>> {
    // SAFETY: forwarded contract.
    Ok(unsafe { c_bytes(name, "xattr name") }?.to_vec())
}

/// Copies an xattr value into `buf` of `len` bytes: its length, or -ERANGE.
///
/// # Safety
/// `buf` is valid for `len` bytes.
unsafe fn value_out(reply: &OpReply, buf: CPtr<c_char>, len: usize) -> i64 {
    if reply.result < 0 {
        return reply.result as i64;
    }
    let value = reply.steps.first().map(step_data).unwrap_or(&[]);
    if value.len() > len {
        return -(libc::ERANGE as i64);
    }
    if !value.is_empty() {
        // SAFETY: buf holds len >= value.len() bytes per this function's contract.
        unsafe { std::ptr::copy_nonoverlapping(value.as_ptr(), buf.ptr() as *mut u8, value.len()) };
    }
    value.len() as i64
}

/// Reads xattr `name` into `buf`; returns its length. Errors: -EINVAL for
/// NULLs, -ENOENT (no object), -ENODATA (no such xattr), -ERANGE when over `len`.
#[no_mangle]
pub unsafe extern "C" fn rados_getxattr(
    io: rados_ioctx_t,
    o: *const c_char,
    name: *const c_char,
    buf: *mut c_char,
    len: usize,
) -> c_int {
    entry(|| {
        if buf.is_null() && len > 0 {
            return Err(Error::invalid("buf is NULL"));
        }
        // SAFETY: C string arguments.
        let reply = unsafe { run(io, o, OpStep::GetXattr { name: xattr_name(name)? }) }?;
        // SAFETY: buf is valid for len bytes (C contract).
        Ok(unsafe { value_out(&reply, CPtr(buf), len) } as c_int)
    })
}

/// Sets xattr `name` to `len` bytes of `buf` (creates the object).
/// Errors: -EINVAL, -ENAMETOOLONG for names over the OSD's limit, OSD errors.
#[no_mangle]
pub unsafe extern "C" fn rados_setxattr(
    io: rados_ioctx_t,
    o: *const c_char,
    name: *const c_char,
    buf: *const c_char,
    len: usize,
) -> c_int {
    entry(|| {
        // SAFETY: C string and buffer arguments.
        let step = unsafe { OpStep::SetXattr { name: xattr_name(name)?, value: data(buf, len)? } };
        // SAFETY: C string argument.
        Ok(unsafe { run(io, o, step) }?.result)
    })
}

/// Removes xattr `name`. Errors: -EINVAL, -ENOENT (no object).
#[no_mangle]
pub unsafe extern "C" fn rados_rmxattr(io: rados_ioctx_t, o: *const c_char, name: *const c_char) -> c_int {
    // SAFETY: C string arguments.
    entry(|| Ok(unsafe { run(io, o, OpStep::RmXattr { name: xattr_name(name)? }) }?.result))
}

/// Reads every xattr into a new iterator `*iter` (written on success; free
/// it with `rados_getxattrs_end`). Errors: -EINVAL, -ENOENT.
#[no_mangle]
pub unsafe extern "C" fn rados_getxattrs(
    io: rados_ioctx_t,
    oid: *const c_char,
    iter: *mut rados_xattrs_iter_t,
) -> c_int {
    entry(|| {
        let out = Out::new(iter, "iter")?;
        // SAFETY: C string argument.
        let reply = unsafe { run(io, oid, OpStep::GetXattrs) }?;
        if reply.result < 0 {
            return Ok(reply.result);
        }
        let (shared, handle) = iterators::new_iter(&XATTR_ITERS);
        if let Some(StepOutput::Xattrs(map)) = reply.steps.into_iter().next().map(|s| s.out) {
            iterators::fill(&shared, map);
        }
        // SAFETY: checked out-parameter.
        unsafe { out.write(handle) };
        Ok(0)
    })
}

/// As `rados_getxattr`; the completion's value is the length or the error.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_getxattr(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    name: *const c_char,
    buf: *mut c_char,
    len: usize,
) -> c_int {
    entry(|| {
        if buf.is_null() && len > 0 {
            return Err(Error::invalid("buf is NULL"));
        }
        let buf = CPtr(buf);
        // SAFETY: C string arguments; buf stays valid for len bytes until completion.
        unsafe {
            submit_step(io, o, completion, OpStep::GetXattr { name: xattr_name(name)? }, move |reply| {
                value_out(reply, buf, len)
            })
        }
    })
}

/// As `rados_setxattr`, completing `completion`.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_setxattr(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    name: *const c_char,
    buf: *const c_char,
    len: usize,
) -> c_int {
    entry(|| {
        // SAFETY: C string and buffer arguments.
        let step = unsafe { OpStep::SetXattr { name: xattr_name(name)?, value: data(buf, len)? } };
        // SAFETY: C string argument.
        unsafe { submit_step(io, o, completion, step, result_of) }
    })
}

/// As `rados_rmxattr`, completing `completion`.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_rmxattr(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    name: *const c_char,
) -> c_int {
    // SAFETY: C string arguments.
    entry(|| unsafe { submit_step(io, o, completion, OpStep::RmXattr { name: xattr_name(name)? }, result_of) })
}

/// As `rados_getxattrs`, completing `completion`; `*iter` is written when the
/// operation succeeds, before the completion fires.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_getxattrs(
    io: rados_ioctx_t,
    oid: *const c_char,
    completion: rados_completion_t,
    iter: *mut rados_xattrs_iter_t,
) -> c_int {
    entry(|| {
        let out = CPtr(Out::new(iter, "iter")?.0.as_ptr());
        let finish = move |reply: &OpReply| {
            if reply.result < 0 {
                return reply.result as i64;
            }
            let (shared, handle) = iterators::new_iter(&XATTR_ITERS);
            if let Some(StepOutput::Xattrs(map)) = reply.steps.first().map(|s| &s.out) {
                iterators::fill(&shared, map.clone());
            }
            // SAFETY: iter stays valid until completion (C contract).
            unsafe { out.set(handle) };
            0
        };
        // SAFETY: C string argument.
        unsafe { submit_step(io, oid, completion, OpStep::GetXattrs, finish) }
    })
}
