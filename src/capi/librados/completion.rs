//! RADOS completions (`rados_completion_t`): creation, waiting, results, release.

use crate::capi::completions;
use crate::capi::prelude::*;

/// Creates a completion; `cb_complete` then `cb_safe` (each may be NULL) run on a
/// library thread when the operation completes. Errors: -EINVAL for a NULL `pc`.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_create_completion(
    cb_arg: *mut c_void,
    cb_complete: rados_callback_t,
    cb_safe: rados_callback_t,
    pc: *mut rados_completion_t,
) -> c_int {
    entry(|| {
        let out = Out::new(pc, "pc")?;
        let handle = completions::create(&RADOS_COMPLETIONS, cb_arg, &[cb_complete, cb_safe]);
        // SAFETY: checked out-parameter.
        unsafe { out.write(handle) };
        Ok(0)
    })
}

/// Creates a completion whose `cb_complete` (may be NULL) runs on a library thread
/// when the operation completes. Errors: -EINVAL for a NULL `pc`.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_create_completion2(
    cb_arg: *mut c_void,
    cb_complete: rados_callback_t,
    pc: *mut rados_completion_t,
) -> c_int {
    entry(|| {
        let out = Out::new(pc, "pc")?;
        let handle = completions::create(&RADOS_COMPLETIONS, cb_arg, &[cb_complete]);
        // SAFETY: checked out-parameter.
        unsafe { out.write(handle) };
        Ok(0)
    })
}

/// Blocks until the operation completes; returns 0.
/// Errors: -EINVAL for NULL, or a completion no operation uses (it could never
/// complete; upstream would block forever), -EBADF for a released one.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_wait_for_complete(c: rados_completion_t) -> c_int {
    entry(|| completions::wait(&RADOS_COMPLETIONS.get(c)?, false).map(|_| 0))
}

/// As `rados_aio_wait_for_complete` (completion and safety are one event now).
#[no_mangle]
pub unsafe extern "C" fn rados_aio_wait_for_safe(c: rados_completion_t) -> c_int {
    entry(|| completions::wait(&RADOS_COMPLETIONS.get(c)?, false).map(|_| 0))
}

/// 1 when the operation has completed, else 0. Errors: -EINVAL, -EBADF for bad handles.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_is_complete(c: rados_completion_t) -> c_int {
    entry(|| Ok(RADOS_COMPLETIONS.get(c)?.completion.is_complete() as c_int))
}

/// As `rados_aio_is_complete`.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_is_safe(c: rados_completion_t) -> c_int {
    entry(|| Ok(RADOS_COMPLETIONS.get(c)?.completion.is_complete() as c_int))
}

/// Blocks until the operation completed and its callbacks returned; returns 0.
/// Errors: as `rados_aio_wait_for_complete`.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_wait_for_complete_and_cb(c: rados_completion_t) -> c_int {
    entry(|| completions::wait(&RADOS_COMPLETIONS.get(c)?, true).map(|_| 0))
}

/// As `rados_aio_wait_for_complete_and_cb`.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_wait_for_safe_and_cb(c: rados_completion_t) -> c_int {
    entry(|| completions::wait(&RADOS_COMPLETIONS.get(c)?, true).map(|_| 0))
}

/// 1 when the operation completed and its callbacks returned, else 0.
/// Errors: -EINVAL, -EBADF for bad handles.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_is_complete_and_cb(c: rados_completion_t) -> c_int {
    entry(|| Ok(RADOS_COMPLETIONS.get(c)?.completion.is_complete_and_callbacks_done() as c_int))
}

/// As `rados_aio_is_complete_and_cb`.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_is_safe_and_cb(c: rados_completion_t) -> c_int {
    entry(|| Ok(RADOS_COMPLETIONS.get(c)?.completion.is_complete_and_callbacks_done() as c_int))
}

/// The operation's return value (0 while pending). Errors: -EINVAL, -EBADF for bad handles.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_get_return_value(c: rados_completion_t) -> c_int {
    entry(|| Ok(RADOS_COMPLETIONS.get(c)?.completion.return_value() as c_int))
}

/// The object version the operation saw (0 while pending or for a bad handle).
#[no_mangle]
pub unsafe extern "C" fn rados_aio_get_version(c: rados_completion_t) -> u64 {
    entry(|| Ok(RADOS_COMPLETIONS.get(c)?.completion.version()))
}

/// Releases a completion; a pending one stays valid for its callbacks until they
/// have run. NULL or stale handles are ignored.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_release(c: rados_completion_t) {
    entry(|| completions::release(&RADOS_COMPLETIONS, c))
}

/// Cancels an asynchronous operation: its completion fires at once with
/// -ECANCELED and its output buffers are not written afterwards. A write
/// already handed to the store may still be applied (as upstream, where the
/// OSD may have it). An operation that already completed is left alone and
/// the call returns 0, as upstream. Errors: bad handles.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_cancel(io: rados_ioctx_t, completion: rados_completion_t) -> c_int {
    entry(|| {
        ioctx(io)?;
        completions::cancel(&RADOS_COMPLETIONS.get(completion)?);
        Ok(0)
    })
}
