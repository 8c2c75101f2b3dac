//! Result iterators handed to C: an object's xattrs (`rados_xattrs_iter_t`)
//! and omap entries (`rados_omap_iter_t`).
//!
//! An iterator is registered when the read is built and filled when its reply
//! arrives. The pointers it hands out point into memory it owns, valid until
//! the next call on it or its end (as upstream).

use std::sync::{Arc, Mutex};

use crate::capi::prelude::*;

/// Key/value pairs and a position; keys (and xattr values) keep a trailing NUL
/// so that their pointers are C strings.
#[derive(Default)]
pub(crate) struct EntryIter {
    entries: Vec<(Vec<u8>, Vec<u8>)>,
    next: usize,
}

impl EntryIter {
    /// Replaces the contents (the reply arrived) and rewinds.
    pub(crate) fn fill(&mut self, entries: impl IntoIterator<Item = (Vec<u8>, Vec<u8>)>) {
        self.entries = entries
            .into_iter()
            .map(|(mut k, mut v)| {
                k.push(0);
                v.push(0);
                (k, v)
            })
            .collect();
        self.next = 0;
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The next entry as (key C string, key length, value pointer, value
    /// length); None at the end.
    fn advance(&mut self) -> Option<(*const c_char, usize, *const c_char, usize)> {
        let (k, v) = self.entries.get(self.next)?;
        self.next += 1;
        Some((k.as_ptr() as *const c_char, k.len() - 1, v.as_ptr() as *const c_char, v.len() - 1))
    }
}

pub(crate) type SharedIter = Arc<Mutex<EntryIter>>;

pub(crate) static XATTR_ITERS: HandleTable<Mutex<EntryIter>> = HandleTable::new(7);
pub(crate) static OMAP_ITERS: HandleTable<Mutex<EntryIter>> = HandleTable::new(10);

/// Registers an empty iterator in `table`; returns it and its handle.
pub(crate) fn new_iter(table: &HandleTable<Mutex<EntryIter>>) -> (SharedIter, *mut c_void) {
    let iter: SharedIter = Arc::new(Mutex::new(EntryIter::default()));
    let handle = table.insert(iter.clone());
    (iter, handle)
}

/// Fills a shared iterator.
pub(crate) fn fill(iter: &SharedIter, entries: impl IntoIterator<Item = (Vec<u8>, Vec<u8>)>) {
    iter.lock().unwrap_or_else(|e| e.into_inner()).fill(entries);
}

/// Returns the next xattr: `*name` NULL at the end. Errors: bad handle.
#[no_mangle]
pub unsafe extern "C" fn rados_getxattrs_next(
    iter: rados_xattrs_iter_t,
    name: *mut *const c_char,
    val: *mut *const c_char,
    len: *mut usize,
) -> c_int {
    entry(|| {
        let it = XATTR_ITERS.get(iter)?;
        let (name_out, val_out, len_out) = (Out::new(name, "name")?, Out::new(val, "val")?, Out::new(len, "len")?);
        let next = it.lock().unwrap_or_else(|e| e.into_inner()).advance();
        let (n, _, v, l) = next.unwrap_or((std::ptr::null(), 0, std::ptr::null(), 0));
        // SAFETY: checked out-parameters; the pointers stay valid while the iterator lives.
        unsafe {
            name_out.write(n);
            val_out.write(v);
            len_out.write(l);
        }
        Ok(0)
    })
}

/// Frees an xattr iterator.
#[no_mangle]
pub unsafe extern "C" fn rados_getxattrs_end(iter: rados_xattrs_iter_t) {
    let _ = XATTR_ITERS.remove(iter);
}

/// Returns the next omap entry (keys as C strings, empty values as NULL);
/// `*key` NULL at the end. Any out-parameter may be NULL. Errors: bad handle.
#[no_mangle]
pub unsafe extern "C" fn rados_omap_get_next2(
    iter: rados_omap_iter_t,
    key: *mut *mut c_char,
    val: *mut *mut c_char,
    key_len: *mut usize,
    val_len: *mut usize,
) -> c_int {
    entry(|| {
        let next = OMAP_ITERS.get(iter)?.lock().unwrap_or_else(|e| e.into_inner()).advance();
        let (k, kl, v, vl) = match next {
            Some((k, kl, v, vl)) => (k, kl, if vl == 0 { std::ptr::null() } else { v }, vl),
            None => (std::ptr::null(), 0, std::ptr::null(), 0),
        };
        // SAFETY: each out-parameter is NULL (skipped) or valid for a write.
        unsafe {
            if let Some(o) = Out::optional(key) {
                o.write(k as *mut c_char);
            }
            if let Some(o) = Out::optional(val) {
                o.write(v as *mut c_char);
            }
            if let Some(o) = Out::optional(key_len) {
                o.write(kl);
            }
            if let Some(o) = Out::optional(val_len) {
                o.write(vl);
            }
        }
        Ok(0)
    })
}

/// As `rados_omap_get_next2` without the key length.
#[no_mangle]
pub unsafe extern "C" fn rados_omap_get_next(
    iter: rados_omap_iter_t,
    key: *mut *mut c_char,
    val: *mut *mut c_char,
    len: *mut usize,
) -> c_int {
    // SAFETY: forwarded arguments.
    unsafe { rados_omap_get_next2(iter, key, val, std::ptr::null_mut(), len) }
}

/// The number of entries the iterator holds (0 for a bad handle).
#[no_mangle]
pub unsafe extern "C" fn rados_omap_iter_size(iter: rados_omap_iter_t) -> c_uint {
    entry(|| Ok(OMAP_ITERS.get(iter)?.lock().unwrap_or_else(|e| e.into_inner()).len() as c_uint))
}

/// Frees an omap iterator.
#[no_mangle]
pub unsafe extern "C" fn rados_omap_get_end(iter: rados_omap_iter_t) {
    let _ = OMAP_ITERS.remove(iter);
}
