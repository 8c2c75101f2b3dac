//! Reading C arguments and writing C results.
//!
//! Strings arrive as NUL-terminated bytes (RADOS names are arbitrary bytes
//! except NUL); buffers as pointer + length; out-parameters are checked for
//! NULL first and written last, only on success. Memory handed to C is
//! allocated with `malloc` so that C (and `rados_buffer_free`) can `free` it.

use std::ffi::CStr;
use std::os::raw::{c_char, c_int, c_void};
use std::ptr::NonNull;

use crate::error::{Error, Result};

/// A string argument as bytes; NULL is `-EINVAL`.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn c_bytes<'a>(p: *const c_char, what: &str) -> Result<&'a [u8]> {
    if p.is_null() {
        return Err(Error::invalid(format!("{what} is NULL")));
    }
    // SAFETY: non-null and NUL-terminated per the caller's contract.
    Ok(unsafe { CStr::from_ptr(p) }.to_bytes())
}

/// A string argument that must be UTF-8 (option names, pool names…).
///
/// # Safety
/// As `c_bytes`.
pub(crate) unsafe fn c_str<'a>(p: *const c_char, what: &str) -> Result<&'a str> {
    // SAFETY: forwarded contract.
    let bytes = unsafe { c_bytes(p, what) }?;
    std::str::from_utf8(bytes).map_err(|_| Error::invalid(format!("{what} is not UTF-8")))
}

/// An optional string argument: NULL is `None`.
///
/// # Safety
/// As `c_bytes`.
pub(crate) unsafe fn opt_c_str<'a>(p: *const c_char, what: &str) -> Result<Option<&'a str>> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded contract.
    unsafe { c_str(p, what) }.map(Some)
}

/// A read-only buffer argument; NULL is allowed only with length 0.
///
/// # Safety
/// `p` is NULL or valid for reads of `len` elements for `'a`.
pub(crate) unsafe fn c_slice<'a, T>(p: *const T, len: usize, what: &str) -> Result<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Error::invalid(format!("{what} is NULL")));
    }
    // SAFETY: non-null and valid for `len` elements per the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// A writable buffer argument; NULL is allowed only with length 0.
///
/// # Safety
/// `p` is NULL or valid for writes of `len` elements for `'a`, not aliased.
pub(crate) unsafe fn c_slice_mut<'a, T>(p: *mut T, len: usize, what: &str) -> Result<&'a mut [T]> {
    if len == 0 {
        return Ok(&mut []);
    }
    if p.is_null() {
        return Err(Error::invalid(format!("{what} is NULL")));
    }
    // SAFETY: non-null and valid for `len` writable elements per the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts_mut(p, len) })
}

/// An out-parameter, checked for NULL up front and written at the end.
pub(crate) struct Out<T>(pub(crate) NonNull<T>);

impl<T> Out<T> {
    /// Checks `p`; NULL is `-EINVAL`.
    pub(crate) fn new(p: *mut T, what: &str) -> Result<Out<T>> {
        NonNull::new(p).map(Out).ok_or_else(|| Error::invalid(format!("{what} is NULL")))
    }

    /// An optional out-parameter: NULL means the caller does not want it.
    pub(crate) fn optional(p: *mut T) -> Option<Out<T>> {
        NonNull::new(p).map(Out)
    }

    /// Stores the result.
    ///
    /// # Safety
    /// The pointer given to `new` is valid for a write of `T`.
    pub(crate) unsafe fn write(self, value: T) {
        // SAFETY: non-null, and valid for writes per the caller's contract.
        unsafe { self.0.as_ptr().write(value) }
    }
}

/// Copies `bytes` plus a NUL into `malloc`'ed memory.
pub(crate) fn malloc_cstring(bytes: &[u8]) -> Result<*mut c_char> {
    let p = malloc_copy(bytes, 1)? as *mut c_char;
    // SAFETY: malloc_copy allocated bytes.len() + 1 bytes.
    unsafe { *p.add(bytes.len()) = 0 };
    Ok(p)
}

/// `malloc_cstring` of each item, in order; on failure the ones made are
/// freed again, so nothing is left to the caller.
pub(crate) fn malloc_cstrings<S: AsRef<[u8]>>(items: impl IntoIterator<Item = S>) -> Result<Vec<*mut c_char>> {
    let mut made = Vec::new();
    for item in items {
        match malloc_cstring(item.as_ref()) {
            Ok(p) => made.push(p),
            Err(e) => {
                for p in made {
                    // SAFETY: allocated just above, not handed out.
                    unsafe { free_c(p as *mut c_void) };
                }
                return Err(e);
            }
        }
    }
    Ok(made)
}

/// The `(buffer, *size)` protocol of names (`rbd_get_name`,
/// `rbd_snap_get_name`): `*size` is the buffer's room and becomes the size
/// needed (the text and its NUL). Errors: -ERANGE (size stored) when it
/// does not fit, -EINVAL for a NULL buffer.
///
/// # Safety
/// `buf` is NULL or valid for `*size` bytes.
pub(crate) unsafe fn write_sized_cstring(buf: *mut c_char, size: Out<usize>, text: &[u8]) -> Result<c_int> {
    // SAFETY: checked non-null; the caller's size_t.
    let room = unsafe { *size.0.as_ptr() };
    if room < text.len() + 1 {
        // SAFETY: checked out-parameter.
        unsafe { size.write(text.len() + 1) };
        return Err(Error::Range("buffer too small".into()));
    }
    // SAFETY: the caller's buffer of `room` bytes.
    if !unsafe { write_cstring(buf, room, text) } {
        return Err(Error::invalid("buffer is NULL"));
    }
    // SAFETY: checked out-parameter.
    unsafe { size.write(text.len() + 1) };
    Ok(0)
}

/// Copies `bytes` into `malloc`'ed memory with `extra` spare zeroed bytes; never NULL.
#[allow(dead_code)] // first users: the object and image listing functions
pub(crate) fn malloc_copy(bytes: &[u8], extra: usize) -> Result<*mut c_void> {
    let size = bytes.len() + extra;
    // SAFETY: plain allocation; at least one byte so that success is never NULL.
    let p = unsafe { libc::calloc(size.max(1), 1) };
    if p.is_null() {
        return Err(Error::Io(std::io::Error::from_raw_os_error(libc::ENOMEM)));
    }
    // SAFETY: p has room for `size` >= bytes.len() bytes; the regions are distinct.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), p as *mut u8, bytes.len()) };
    Ok(p)
}

/// Frees memory that `malloc_*` handed to C; NULL is ignored.
///
/// # Safety
/// `p` is NULL or came from `malloc_*` and was not freed yet.
pub(crate) unsafe fn free_c(p: *mut c_void) {
    // SAFETY: per the caller's contract.
    unsafe { libc::free(p) }
}

/// Writes `bytes` and a terminating NUL into a caller buffer of `len` bytes.
/// Returns `false` (and writes nothing) when it does not fit.
///
/// # Safety
/// `buf` is valid for writes of `len` bytes.
pub(crate) unsafe fn write_cstring(buf: *mut c_char, len: usize, bytes: &[u8]) -> bool {
    if bytes.len() >= len || buf.is_null() {
        return false;
    }
    // SAFETY: buf has room for bytes.len() + 1 <= len bytes per the caller's contract.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf as *mut u8, bytes.len());
        *buf.add(bytes.len()) = 0;
    }
    true
}

/// A caller pointer written when an asynchronous operation completes. The C
/// contract of the aio functions keeps it valid until then.
#[derive(Debug)]
pub(crate) struct CPtr<T>(pub(crate) *mut T);

impl<T> Clone for CPtr<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for CPtr<T> {}

// SAFETY: the pointee belongs to the caller, who keeps it valid and does not
// touch it until the completion fires (the aio functions' contract).
unsafe impl<T> Send for CPtr<T> {}
// SAFETY: as for Send: only the completing thread writes through it, once.
unsafe impl<T> Sync for CPtr<T> {}

impl<T> CPtr<T> {
    /// The pointer (a method, so that closures capture the whole `CPtr`).
    pub(crate) fn ptr(self) -> *mut T {
        self.0
    }

    /// Writes `value` when the pointer is not NULL.
    ///
    /// # Safety
    /// The pointer is NULL or valid for a write of `T`.
    pub(crate) unsafe fn set(self, value: T) {
        if !self.0.is_null() {
            // SAFETY: per this function's contract.
            unsafe { self.0.write(value) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_buffers_and_out_params() {
        let s = c"pool";
        assert_eq!(unsafe { c_str(s.as_ptr(), "name") }.unwrap(), "pool");
        assert!(unsafe { c_str(std::ptr::null(), "name") }.is_err());
        assert_eq!(unsafe { opt_c_str(std::ptr::null(), "snap") }.unwrap(), None);
        assert!(unsafe { c_slice::<u8>(std::ptr::null(), 0, "buf") }.unwrap().is_empty());
        assert!(unsafe { c_slice::<u8>(std::ptr::null(), 1, "buf") }.is_err());
        assert!(Out::<u64>::new(std::ptr::null_mut(), "size").is_err());
        let mut v = 0u64;
        unsafe { Out::new(&mut v, "size").unwrap().write(5) };
        assert_eq!(v, 5);
        let mut buf = [1 as c_char; 4];
        assert!(!unsafe { write_cstring(buf.as_mut_ptr(), 4, b"abcd") });
        assert_eq!(buf[0], 1, "nothing written on failure");
        assert!(unsafe { write_cstring(buf.as_mut_ptr(), 4, b"abc") });
        assert_eq!(buf[3], 0);
        let p = malloc_cstring(b"xy").unwrap();
        assert_eq!(unsafe { CStr::from_ptr(p) }.to_bytes(), b"xy");
        unsafe { free_c(p as *mut c_void) };
    }
}
