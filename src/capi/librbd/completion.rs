//! RBD completions (`rbd_completion_t`).

use crate::capi::completions;
use crate::capi::prelude::*;

/// Creates a completion; `complete_cb` (may be NULL) runs on a library thread when
/// the operation completes. Errors: -EINVAL for a NULL `c`.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_create_completion(
    cb_arg: *mut c_void,
    complete_cb: rbd_callback_t,
    c: *mut rbd_completion_t,
) -> c_int {
    entry(|| {
        let out = Out::new(c, "c")?;
        let handle = completions::create(&RBD_COMPLETIONS, cb_arg, &[complete_cb]);
        // SAFETY: checked out-parameter.
        unsafe { out.write(handle) };
        Ok(0)
    })
}

/// 1 when the operation has completed and its callback has run, else 0. Errors: -EINVAL, -EBADF for bad handles.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_is_complete(c: rbd_completion_t) -> c_int {
    entry(|| Ok(RBD_COMPLETIONS.get(c)?.completion.is_complete_and_callbacks_done() as c_int))
}

/// Blocks until the operation completes and its callback has run; returns 0. Errors: -EINVAL for NULL or
/// a completion no operation uses, -EBADF for a released one.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_wait_for_complete(c: rbd_completion_t) -> c_int {
    entry(|| completions::wait(&RBD_COMPLETIONS.get(c)?, true).map(|_| 0))
}

/// The operation's result: bytes for reads and writes, 0 or -errno otherwise
/// (0 while pending). Errors: -EINVAL, -EBADF for bad handles.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_get_return_value(c: rbd_completion_t) -> ssize_t {
    entry(|| Ok(RBD_COMPLETIONS.get(c)?.completion.return_value() as ssize_t))
}

/// The callback argument given at creation (NULL for a bad handle).
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_get_arg(c: rbd_completion_t) -> *mut c_void {
    entry(|| Ok(RBD_COMPLETIONS.get(c)?.arg as *mut c_void))
}

/// Releases a completion; a pending one stays valid for its callback until it has
/// run. NULL or stale handles are ignored.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_release(c: rbd_completion_t) {
    entry(|| completions::release(&RBD_COMPLETIONS, c))
}
