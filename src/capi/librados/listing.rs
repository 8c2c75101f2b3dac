//! Object listing: `rados_nobjects_list_*` (a listing context that walks a
//! pool) and `rados_object_list_*` (explicit cursors, for parallel listing).
//!
//! Positions are `ListCursor`s of the backend; a cursor handle holds one, or
//! nothing for the end of the pool. The listing order is placement group,
//! then hash, then name — stable, so cursors stay meaningful across calls.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use crate::capi::prelude::*;
use crate::rados::backend::{ListCursor, ListEntry};
use crate::rados::IoCtx;

/// `LIBRADOS_ALL_NSPACES`: list every namespace.
const ALL_NSPACES: &[u8] = b"\x01";
/// Entries fetched from the backend at once.
const BATCH: usize = 1024;

/// A cursor handle's position; None is the end of the pool.
type Position = Option<ListCursor>;

/// A `rados_list_ctx_t`.
pub(crate) struct ListCtx {
    io: Arc<IoCtx>,
    /// None: every namespace.
    namespace: Option<Vec<u8>>,
    state: Mutex<ListState>,
}

#[derive(Default)]
struct ListState {
    /// Where the next fetch starts; None once the pool is exhausted.
    next_fetch: Position,
    buffered: VecDeque<ListEntry>,
    /// The entry returned last (name, key, namespace), NUL-terminated: the
    /// pointers handed to C point here until the next call.
    current: (Vec<u8>, Vec<u8>, Vec<u8>),
}

impl ListState {
    /// The position of the next entry to return.
    fn position(&self) -> Position {
        match self.buffered.front() {
            Some(e) => Some(e.position()),
            None => self.next_fetch.clone(),
        }
    }

    fn seek(&mut self, to: Position) {
        self.next_fetch = to;
        self.buffered.clear();
    }
}

pub(crate) static LIST_CTXS: HandleTable<ListCtx> = HandleTable::new(11);
pub(crate) static CURSORS: HandleTable<Mutex<Position>> = HandleTable::new(12);

/// Fetches the next entry of a listing; None at the end.
fn next_entry(ctx: &ListCtx, state: &mut ListState) -> Result<Option<ListEntry>> {
    if state.buffered.is_empty() {
        if let Some(from) = state.next_fetch.take() {
            let (entries, next) =
                ctx.io.backend().list_objects(ctx.io.pool_id(), ctx.namespace.as_deref(), &from, BATCH)?;
            state.buffered.extend(entries);
            state.next_fetch = next;
        }
    }
    Ok(state.buffered.pop_front())
}

/// Opens a listing of the context's pool in its current namespace (all
/// namespaces for `LIBRADOS_ALL_NSPACES`). Errors: -EINVAL, bad handles.
#[no_mangle]
pub unsafe extern "C" fn rados_nobjects_list_open(io: rados_ioctx_t, ctx: *mut rados_list_ctx_t) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        let out = Out::new(ctx, "ctx")?;
        let ns = io.namespace();
        let namespace = if ns == ALL_NSPACES { None } else { Some(ns) };
        let state = ListState { next_fetch: Some(ListCursor::default()), ..ListState::default() };
        let handle = LIST_CTXS.insert(Arc::new(ListCtx { io, namespace, state: Mutex::new(state) }));
        // SAFETY: checked out-parameter.
        unsafe { out.write(handle) };
        Ok(0)
    })
}

/// The placement group the listing is at (the pool's pg count at the end;
/// 0 for a bad handle).
#[no_mangle]
pub unsafe extern "C" fn rados_nobjects_list_get_pg_hash_position(ctx: rados_list_ctx_t) -> u32 {
    entry(|| {
        let ctx = LIST_CTXS.get(ctx)?;
        let pos = ctx.state.lock().unwrap_or_else(|e| e.into_inner()).position();
        Ok(pos.map_or(ctx.io.pg_num(), |c| c.pg))
    })
}

/// Moves the listing to the start of placement group `pos`; returns it.
#[no_mangle]
pub unsafe extern "C" fn rados_nobjects_list_seek(ctx: rados_list_ctx_t, pos: u32) -> u32 {
    entry(|| {
        let ctx = LIST_CTXS.get(ctx)?;
        let to = (pos < ctx.io.pg_num()).then(|| ListCursor { pg: pos, ..ListCursor::default() });
        ctx.state.lock().unwrap_or_else(|e| e.into_inner()).seek(to);
        Ok(pos)
    })
}

/// Moves the listing to `cursor`; returns its placement group.
#[no_mangle]
pub unsafe extern "C" fn rados_nobjects_list_seek_cursor(
    ctx: rados_list_ctx_t,
    cursor: rados_object_list_cursor,
) -> u32 {
    entry(|| {
        let ctx = LIST_CTXS.get(ctx)?;
        let to = CURSORS.get(cursor)?.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let pg = to.as_ref().map_or(ctx.io.pg_num(), |c| c.pg);
        ctx.state.lock().unwrap_or_else(|e| e.into_inner()).seek(to);
        Ok(pg)
    })
}

/// A new cursor at the listing's position (free with
/// `rados_object_list_cursor_free`). Errors: -EINVAL, bad handles.
#[no_mangle]
pub unsafe extern "C" fn rados_nobjects_list_get_cursor(
    ctx: rados_list_ctx_t,
    cursor: *mut rados_object_list_cursor,
) -> c_int {
    entry(|| {
        let ctx = LIST_CTXS.get(ctx)?;
        let out = Out::new(cursor, "cursor")?;
        let pos = ctx.state.lock().unwrap_or_else(|e| e.into_inner()).position();
        // SAFETY: checked out-parameter.
        unsafe { out.write(CURSORS.insert(Arc::new(Mutex::new(pos)))) };
        Ok(0)
    })
}

/// Bytes plus a NUL.
fn c_string(bytes: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(bytes.len() + 1);
    v.extend_from_slice(bytes);
    v.push(0);
    v
}

/// Returns the next object: its name, locator key (NULL when none) and
/// namespace, valid until the next call. Errors: -ENOENT at the end, bad handles.
#[no_mangle]
pub unsafe extern "C" fn rados_nobjects_list_next(
    ctx: rados_list_ctx_t,
    entry_: *mut *const c_char,
    key: *mut *const c_char,
    nspace: *mut *const c_char,
) -> c_int {
    // SAFETY: forwarded arguments.
    unsafe {
        rados_nobjects_list_next2(
            ctx,
            entry_,
            key,
            nspace,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    }
}

/// As `rados_nobjects_list_next`, with the three lengths (names may hold NULs).
#[no_mangle]
pub unsafe extern "C" fn rados_nobjects_list_next2(
    ctx: rados_list_ctx_t,
    entry_: *mut *const c_char,
    key: *mut *const c_char,
    nspace: *mut *const c_char,
    entry_size: *mut usize,
    key_size: *mut usize,
    nspace_size: *mut usize,
) -> c_int {
    entry(|| {
        let ctx = LIST_CTXS.get(ctx)?;
        let out = Out::new(entry_, "entry")?;
        let mut state = ctx.state.lock().unwrap_or_else(|e| e.into_inner());
        let e = next_entry(&ctx, &mut state)?.ok_or_else(|| Error::not_found("end of listing"))?;
        state.current = (c_string(&e.name), c_string(&e.key), c_string(&e.namespace));
        let (name, k, ns) = &state.current;
        // SAFETY: checked or NULL-skipped out-parameters; the strings live in the
        // context until the next call.
        unsafe {
            out.write(name.as_ptr() as *const c_char);
            if let Some(o) = Out::optional(key) {
                o.write(if e.key.is_empty() { std::ptr::null() } else { k.as_ptr() as *const c_char });
            }
            if let Some(o) = Out::optional(nspace) {
                o.write(ns.as_ptr() as *const c_char);
            }
            if let Some(o) = Out::optional(entry_size) {
                o.write(e.name.len());
            }
            if let Some(o) = Out::optional(key_size) {
                o.write(e.key.len());
            }
            if let Some(o) = Out::optional(nspace_size) {
                o.write(e.namespace.len());
            }
        }
        Ok(0)
    })
}

/// Closes a listing (a bad handle is ignored).
#[no_mangle]
pub unsafe extern "C" fn rados_nobjects_list_close(ctx: rados_list_ctx_t) {
    let _ = LIST_CTXS.remove(ctx);
}

/// A cursor at the start of the pool (NULL for a bad handle).
#[no_mangle]
pub unsafe extern "C" fn rados_object_list_begin(io: rados_ioctx_t) -> rados_object_list_cursor {
    entry(|| {
        ioctx(io)?;
        Ok(CURSORS.insert(Arc::new(Mutex::new(Some(ListCursor::default())))))
    })
}

/// A cursor at the end of the pool (NULL for a bad handle).
#[no_mangle]
pub unsafe extern "C" fn rados_object_list_end(io: rados_ioctx_t) -> rados_object_list_cursor {
    entry(|| {
        ioctx(io)?;
        Ok(CURSORS.insert(Arc::new(Mutex::new(None))))
    })
}

/// A cursor's position.
fn position(cursor: rados_object_list_cursor) -> Result<Position> {
    Ok(CURSORS.get(cursor)?.lock().unwrap_or_else(|e| e.into_inner()).clone())
}

/// 1 when `cur` is at the end of the pool, else 0 (-EINVAL/-EBADF for bad handles).
#[no_mangle]
pub unsafe extern "C" fn rados_object_list_is_end(io: rados_ioctx_t, cur: rados_object_list_cursor) -> c_int {
    entry(|| {
        ioctx(io)?;
        Ok(c_int::from(position(cur)?.is_none()))
    })
}

/// Frees a cursor (a bad handle is ignored).
#[no_mangle]
pub unsafe extern "C" fn rados_object_list_cursor_free(io: rados_ioctx_t, cur: rados_object_list_cursor) {
    let _ = CURSORS.remove(cur);
}

/// Orders two positions, the end last.
fn compare(a: &Position, b: &Position) -> std::cmp::Ordering {
    match (a, b) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
        (Some(a), Some(b)) => a.cmp(b),
    }
}

/// -1, 0 or 1 as `lhs` is before, at or after `rhs`.
#[no_mangle]
pub unsafe extern "C" fn rados_object_list_cursor_cmp(
    io: rados_ioctx_t,
    lhs: rados_object_list_cursor,
    rhs: rados_object_list_cursor,
) -> c_int {
    entry(|| {
        ioctx(io)?;
        Ok(compare(&position(lhs)?, &position(rhs)?) as c_int)
    })
}

/// Lists up to `result_size` objects from `start` up to (not including)
/// `finish` into `results` (strings `malloc`ed; free with
/// `rados_object_list_free`), moves the existing cursor `*next` past them,
/// and returns how many were written. Errors: -EINVAL (NULLs, bad cursors),
/// -EOPNOTSUPP for a filter (this library lists without server-side filters).
#[no_mangle]
pub unsafe extern "C" fn rados_object_list(
    io: rados_ioctx_t,
    start: rados_object_list_cursor,
    finish: rados_object_list_cursor,
    result_size: usize,
    filter_buf: *const c_char,
    filter_buf_len: usize,
    results: *mut rados_object_list_item,
    next: *mut rados_object_list_cursor,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        if filter_buf_len > 0 {
            return Err(Error::NotSupported("object listing filters".into()));
        }
        // SAFETY: next is NULL or readable (C contract).
        let next_cursor = CURSORS.get(unsafe { Out::new(next, "next")?.0.as_ptr().read() })?;
        // SAFETY: results holds result_size items (C contract).
        let items = unsafe { c_slice_mut(results, result_size, "results") }?;
        let (from, until) = (position(start)?, position(finish)?);
        let ns = io.namespace();
        let namespace = if ns == ALL_NSPACES { None } else { Some(ns.as_slice()) };
        let (mut entries, mut after) = match &from {
            Some(from) if result_size > 0 => io.backend().list_objects(io.pool_id(), namespace, from, result_size)?,
            _ => (Vec::new(), from.clone()),
        };
        if let Some(cut) = entries.iter().position(|e| compare(&Some(e.position()), &until).is_ge()) {
            entries.truncate(cut);
            after = until.clone();
        }
        if compare(&after, &until).is_gt() {
            after = until;
        }
        for (item, e) in items.iter_mut().zip(entries.iter()) {
            *item = rados_object_list_item {
                oid_length: e.name.len(),
                oid: malloc_cstring(&e.name)?,
                nspace_length: e.namespace.len(),
                nspace: malloc_cstring(&e.namespace)?,
                locator_length: e.key.len(),
                locator: malloc_cstring(&e.key)?,
            };
        }
        *next_cursor.lock().unwrap_or_else(|e| e.into_inner()) = after;
        Ok(entries.len() as c_int)
    })
}

/// Frees the strings `rados_object_list` stored in `results`.
#[no_mangle]
pub unsafe extern "C" fn rados_object_list_free(result_size: usize, results: *mut rados_object_list_item) {
    if results.is_null() {
        return;
    }
    for i in 0..result_size {
        // SAFETY: results holds result_size items filled by rados_object_list.
        unsafe {
            let item = &mut *results.add(i);
            free_c(item.oid as *mut c_void);
            free_c(item.nspace as *mut c_void);
            free_c(item.locator as *mut c_void);
            item.oid = std::ptr::null_mut();
            item.nspace = std::ptr::null_mut();
            item.locator = std::ptr::null_mut();
        }
    }
}

/// Splits [`start`, `finish`) into `m` parts by placement group and moves the
/// existing cursors `*split_start`/`*split_finish` to part `n`. Bad
/// arguments (NULLs, `n >= m`) leave them unchanged.
#[no_mangle]
pub unsafe extern "C" fn rados_object_list_slice(
    io: rados_ioctx_t,
    start: rados_object_list_cursor,
    finish: rados_object_list_cursor,
    n: usize,
    m: usize,
    split_start: *mut rados_object_list_cursor,
    split_finish: *mut rados_object_list_cursor,
) {
    let _: c_int = entry(|| {
        let io = ioctx(io)?;
        if n >= m {
            return Err(Error::invalid("slice index out of range"));
        }
        // SAFETY: the split pointers are NULL or readable (C contract).
        let (s_out, f_out) = unsafe {
            (
                CURSORS.get(Out::new(split_start, "split_start")?.0.as_ptr().read())?,
                CURSORS.get(Out::new(split_finish, "split_finish")?.0.as_ptr().read())?,
            )
        };
        let (from, until) = (position(start)?, position(finish)?);
        let first = from.as_ref().map_or(io.pg_num(), |c| c.pg) as u64;
        let last = until.as_ref().map_or(io.pg_num(), |c| c.pg) as u64;
        let span = last.saturating_sub(first);
        let at = |i: usize| -> Position {
            if i == 0 {
                return from.clone();
            }
            if i == m {
                return until.clone();
            }
            Some(ListCursor { pg: (first + span * i as u64 / m as u64) as u32, ..ListCursor::default() })
        };
        *s_out.lock().unwrap_or_else(|e| e.into_inner()) = at(n);
        *f_out.lock().unwrap_or_else(|e| e.into_inner()) = at(n + 1);
        Ok(0)
    });
}

/// Legacy listing, removed upstream: -ENOTSUP, as librados 16.2 answers.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_objects_list_open(io: rados_ioctx_t, ctx: *mut rados_list_ctx_t) -> c_int {
    -libc::ENOTSUP
}

/// Legacy listing, removed upstream: 0, as librados 16.2 answers.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_objects_list_get_pg_hash_position(ctx: rados_list_ctx_t) -> u32 {
    0
}

/// Legacy listing, removed upstream: 0, as librados 16.2 answers.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_objects_list_seek(ctx: rados_list_ctx_t, pos: u32) -> u32 {
    0
}

/// Legacy listing, removed upstream: -ENOTSUP, as librados 16.2 answers.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_objects_list_next(
    ctx: rados_list_ctx_t,
    entry_: *mut *const c_char,
    key: *mut *const c_char,
) -> c_int {
    -libc::ENOTSUP
}

/// Legacy listing, removed upstream: does nothing, as librados 16.2.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_objects_list_close(ctx: rados_list_ctx_t) {}
