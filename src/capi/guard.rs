//! The one guard every exported function runs through.
//!
//! `entry` runs the body, turns `Err(e)` into the C error value of the function's
//! return type (`-errno` for signed integers, `NULL` for pointers, nothing for
//! `void`), and catches panics so none crosses into C (a panic becomes `-EIO`).
//! `enosys!()` marks a function that is not implemented: it returns `-ENOSYS`
//! before looking at any argument; tools/abi_status.py reads these markers.

use std::os::raw::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{Error, Result};

/// The value a C function returns when it fails with `errno` (positive).
pub(crate) trait ErrorReturn {
    fn from_errno(errno: i32) -> Self;
}

impl ErrorReturn for i32 {
    fn from_errno(errno: i32) -> Self {
        -errno
    }
}

impl ErrorReturn for isize {
    fn from_errno(errno: i32) -> Self {
        -(errno as isize)
    }
}

impl ErrorReturn for i64 {
    fn from_errno(errno: i32) -> Self {
        -(errno as i64)
    }
}

/// Unsigned results (ids, versions, sizes) have no error channel; upstream returns 0.
impl ErrorReturn for u32 {
    fn from_errno(_: i32) -> Self {
        0
    }
}

impl ErrorReturn for u64 {
    fn from_errno(_: i32) -> Self {
        0
    }
}

impl ErrorReturn for () {
    fn from_errno(_: i32) -> Self {}
}

impl ErrorReturn for *mut c_void {
    fn from_errno(_: i32) -> Self {
        std::ptr::null_mut()
    }
}

/// Runs the body of an exported function; see the module comment.
#[inline]
pub(crate) fn entry<R: ErrorReturn>(body: impl FnOnce() -> Result<R>) -> R {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err(error)) => {
            if crate::rados::cluster::debug_enabled() {
                eprintln!("cephrs: call failed: {error}");
            }
            R::from_errno(error.errno())
        }
        Err(_) => R::from_errno(Error::Panic.errno()),
    }
}

/// The answer of a function that is not implemented yet.
pub(crate) fn not_implemented<R: ErrorReturn>() -> R {
    R::from_errno(libc::ENOSYS)
}

/// Body of an exported function that is not implemented: `-ENOSYS`, arguments unread.
macro_rules! enosys {
    () => {
        $crate::capi::guard::not_implemented()
    };
}
pub(crate) use enosys;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_and_panics_become_c_values() {
        let r: i32 = entry(|| Err(Error::not_found("x")));
        assert_eq!(r, -libc::ENOENT);
        let r: isize = entry(|| -> Result<isize> { panic!("boom") });
        assert_eq!(r, -(libc::EIO as isize));
        let p: *mut c_void = entry(|| Err(Error::BadHandle));
        assert!(p.is_null());
        let n: i32 = entry(|| Ok(7));
        assert_eq!(n, 7);
        let e: i64 = enosys!();
        assert_eq!(e, -(libc::ENOSYS as i64));
    }
}
