//! Watch and notify.
//!
//! Watch callbacks run on a library thread with no lock held. A watch set up
//! with the legacy `rados_watch` is acknowledged automatically after its
//! callback, as upstream does for the legacy protocol.

use std::sync::Arc;

use super::object_io::object_name;
use crate::capi::completions;
use crate::capi::prelude::*;
use crate::denc::Decode;
use crate::rados::backend::WatchHandler;
use crate::rados::IoCtx;

/// Hands a watch's notifies and errors to C callbacks.
struct CWatch {
    notify2: rados_watchcb2_t,
    legacy: rados_watchcb_t,
    error: rados_watcherrcb_t,
    arg: usize,
    /// For legacy watches: where to send the automatic acknowledgement.
    ack_to: Option<(Arc<IoCtx>, Vec<u8>)>,
}

impl WatchHandler for CWatch {
    fn notify(&self, notify_id: u64, cookie: u64, notifier_id: u64, payload: &[u8]) {
        let arg = self.arg as *mut c_void;
        if let Some(cb) = self.notify2 {
            // SAFETY: C registered this callback and argument for this watch; the
            // payload lives for the duration of the call.
            unsafe { cb(arg, notify_id, cookie, notifier_id, payload.as_ptr() as *mut c_void, payload.len()) };
        }
        if let Some(cb) = self.legacy {
            // SAFETY: as above; the legacy callback gets opcode 0 and version 0.
            unsafe { cb(0, 0, arg) };
        }
        if let Some((io, name)) = &self.ack_to {
            let _ = io.notify_ack(name, notify_id, cookie, &[]);
        }
    }

    fn error(&self, cookie: u64, err: i32) {
        if let Some(cb) = self.error {
            // SAFETY: C registered this callback and argument for this watch.
            unsafe { cb(self.arg as *mut c_void, cookie, err) };
        }
    }
}

/// Registers a watch on object `o`.
///
/// # Safety
/// `o` is NULL or a C string.
unsafe fn watch(
    io: rados_ioctx_t,
    o: *const c_char,
    timeout: u32,
    make: impl FnOnce(&Arc<IoCtx>, &[u8]) -> CWatch,
) -> Result<u64> {
    let io = ioctx(io)?;
    // SAFETY: forwarded contract.
    let name = unsafe { object_name(o) }?;
    let handler = make(&io, name);
    io.watch(name, timeout, Arc::new(handler))
}

/// Legacy watch: `watchcb(0, 0, arg)` per notify, acknowledged automatically.
/// `*cookie` gets the watch handle. Errors: -EINVAL for NULLs, -ENOENT.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_watch(
    io: rados_ioctx_t,
    o: *const c_char,
    ver: u64,
    cookie: *mut u64,
    watchcb: rados_watchcb_t,
    arg: *mut c_void,
) -> c_int {
    entry(|| {
        let out = Out::new(cookie, "cookie")?;
        if watchcb.is_none() {
            return Err(Error::invalid("watch callback is NULL"));
        }
        // SAFETY: C string argument.
        let handle = unsafe {
            watch(io, o, 0, |io, name| CWatch {
                notify2: None,
                legacy: watchcb,
                error: None,
                arg: arg as usize,
                ack_to: Some((io.clone(), name.to_vec())),
            })
        }?;
        // SAFETY: checked out-parameter.
        unsafe { out.write(handle) };
        Ok(0)
    })
}

/// Watches object `o` with the default timeout; see `rados_watch3`.
#[no_mangle]
pub unsafe extern "C" fn rados_watch2(
    io: rados_ioctx_t,
    o: *const c_char,
    cookie: *mut u64,
    watchcb: rados_watchcb2_t,
    watcherrcb: rados_watcherrcb_t,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: forwarded arguments.
    unsafe { rados_watch3(io, o, cookie, watchcb, watcherrcb, 0, arg) }
}

/// Watches object `o`: each notify calls `watchcb(arg, notify_id, handle,
/// notifier_id, data, len)`, which should answer with `rados_notify_ack`; a
/// failed watch calls `watcherrcb(arg, handle, err)`. `timeout` seconds (0:
/// `osd_client_watch_timeout`). `*cookie` gets the handle.
/// Errors: -EINVAL for NULLs, -ENOENT for a missing object.
#[no_mangle]
pub unsafe extern "C" fn rados_watch3(
    io: rados_ioctx_t,
    o: *const c_char,
    cookie: *mut u64,
    watchcb: rados_watchcb2_t,
    watcherrcb: rados_watcherrcb_t,
    timeout: u32,
    arg: *mut c_void,
) -> c_int {
    entry(|| {
        let out = Out::new(cookie, "cookie")?;
        if watchcb.is_none() {
            return Err(Error::invalid("watch callback is NULL"));
        }
        let make = |_: &Arc<IoCtx>, _: &[u8]| CWatch {
            notify2: watchcb,
            legacy: None,
            error: watcherrcb,
            arg: arg as usize,
            ack_to: None,
        };
        // SAFETY: C string argument.
        let handle = unsafe { watch(io, o, timeout, make) }?;
        // SAFETY: checked out-parameter.
        unsafe { out.write(handle) };
        Ok(0)
    })
}

/// As `rados_watch2`, completing `completion`; `*handle` is written before the
/// completion fires, when the watch is set up.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_watch(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    handle: *mut u64,
    watchcb: rados_watchcb2_t,
    watcherrcb: rados_watcherrcb_t,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: forwarded arguments.
    unsafe { rados_aio_watch2(io, o, completion, handle, watchcb, watcherrcb, 0, arg) }
}

/// As `rados_watch3`, completing `completion`.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_watch2(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    handle: *mut u64,
    watchcb: rados_watchcb2_t,
    watcherrcb: rados_watcherrcb_t,
    timeout: u32,
    arg: *mut c_void,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string argument.
        let name = unsafe { object_name(o) }?.to_vec();
        let out = CPtr(Out::new(handle, "handle")?.0.as_ptr());
        if watchcb.is_none() {
            return Err(Error::invalid("watch callback is NULL"));
        }
        let arg = arg as usize;
        completions::complete_detached(&RADOS_COMPLETIONS, completion, move || {
            let handler = CWatch { notify2: watchcb, legacy: None, error: watcherrcb, arg, ack_to: None };
            match io.watch(&name, timeout, Arc::new(handler)) {
                Ok(cookie) => {
                    // SAFETY: handle stays valid until completion (C contract).
                    unsafe { out.set(cookie) };
                    0
                }
                Err(e) => -(e.errno() as i64),
            }
        })?;
        Ok(0)
    })
}

/// 0 when the watch is healthy, with its age in milliseconds as a positive
/// value; -ENOTCONN when it failed or is unknown.
#[no_mangle]
pub unsafe extern "C" fn rados_watch_check(io: rados_ioctx_t, cookie: u64) -> c_int {
    entry(|| Ok(ioctx(io)?.watch_check(cookie)?.min(i32::MAX as u64) as c_int))
}

/// Ends a legacy watch. Errors: -ENOENT for an unknown cookie.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_unwatch(io: rados_ioctx_t, o: *const c_char, cookie: u64) -> c_int {
    // SAFETY: C string argument (checked as upstream requires one).
    entry(|| {
        unsafe { object_name(o) }?;
        ioctx(io)?.unwatch(cookie)?;
        Ok(0)
    })
}

/// Ends a watch; callbacks already queued may still run (see `rados_watch_flush`).
/// Errors: -ENOENT for an unknown cookie.
#[no_mangle]
pub unsafe extern "C" fn rados_unwatch2(io: rados_ioctx_t, cookie: u64) -> c_int {
    entry(|| {
        ioctx(io)?.unwatch(cookie)?;
        Ok(0)
    })
}

/// As `rados_unwatch2`, completing `completion`.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_unwatch(io: rados_ioctx_t, cookie: u64, completion: rados_completion_t) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        completions::complete_detached(&RADOS_COMPLETIONS, completion, move || {
            io.unwatch(cookie).map_or_else(|e| -(e.errno() as i64), |_| 0)
        })?;
        Ok(0)
    })
}

/// A notify payload argument.
///
/// # Safety
/// `buf` is NULL or valid for `len` bytes.
unsafe fn payload<'a>(buf: *const c_char, len: c_int) -> Result<&'a [u8]> {
    let len = usize::try_from(len).map_err(|_| Error::invalid("negative buffer length"))?;
    // SAFETY: forwarded contract.
    unsafe { c_slice(buf as *const u8, len, "buf") }
}

/// Stores a notify reply for the caller (`malloc`ed; free with `rados_buffer_free`).
///
/// # Safety
/// Both pointers are NULL or valid for writes.
unsafe fn reply_out(reply: &[u8], buf: CPtr<*mut c_char>, len: CPtr<usize>) -> Result<()> {
    if !buf.ptr().is_null() {
        let p = malloc_copy(reply, 0)? as *mut c_char;
        // SAFETY: per this function's contract.
        unsafe { buf.set(p) };
    }
    // SAFETY: per this function's contract.
    unsafe { len.set(reply.len()) };
    Ok(())
}

/// Legacy notify: waits for every watcher (`client_notify_timeout`).
/// Errors: -EINVAL, -ENOENT, -ETIMEDOUT.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_notify(
    io: rados_ioctx_t,
    o: *const c_char,
    ver: u64,
    buf: *const c_char,
    buf_len: c_int,
) -> c_int {
    // SAFETY: forwarded arguments.
    unsafe { rados_notify2(io, o, buf, buf_len, 0, std::ptr::null_mut(), std::ptr::null_mut()) }
}

/// As `rados_notify2`, completing `completion`; the reply is stored before
/// the completion fires.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_notify(
    io: rados_ioctx_t,
    o: *const c_char,
    completion: rados_completion_t,
    buf: *const c_char,
    buf_len: c_int,
    timeout_ms: u64,
    reply_buffer: *mut *mut c_char,
    reply_buffer_len: *mut usize,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string and buffer arguments.
        let (name, data) = unsafe { (object_name(o)?.to_vec(), payload(buf, buf_len)?.to_vec()) };
        let (rb, rl) = (CPtr(reply_buffer), CPtr(reply_buffer_len));
        completions::complete_detached(&RADOS_COMPLETIONS, completion, move || {
            let (r, reply) = io.notify_wait(&name, &data, timeout_ms);
            if r == 0 || r == -libc::ETIMEDOUT {
                // SAFETY: the reply pointers stay valid until completion (C contract).
                if let Err(e) = unsafe { reply_out(&reply, rb, rl) } {
                    return -(e.errno() as i64);
                }
            }
            r as i64
        })?;
        Ok(0)
    })
}

/// Notifies every watcher of object `o` with `buf_len` bytes and waits up to
/// `timeout_ms` (0: `client_notify_timeout`). The acknowledgements are stored
/// in `*reply_buffer` (`malloc`ed; decode with `rados_decode_notify_response`,
/// free with `rados_buffer_free`) unless it is NULL.
/// Errors: -EINVAL, -ENOENT, -ETIMEDOUT (the reply is still stored).
#[no_mangle]
pub unsafe extern "C" fn rados_notify2(
    io: rados_ioctx_t,
    o: *const c_char,
    buf: *const c_char,
    buf_len: c_int,
    timeout_ms: u64,
    reply_buffer: *mut *mut c_char,
    reply_buffer_len: *mut usize,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string and buffer arguments.
        let (name, data) = unsafe { (object_name(o)?, payload(buf, buf_len)?) };
        let (r, reply) = io.notify_wait(name, data, timeout_ms);
        if r == 0 || r == -libc::ETIMEDOUT {
            // SAFETY: NULL or valid out-parameters.
            unsafe { reply_out(&reply, CPtr(reply_buffer), CPtr(reply_buffer_len)) }?;
        }
        Ok(r)
    })
}

/// Decodes a notify reply into `malloc`ed arrays of acknowledgements and
/// timed-out watchers (free with `rados_free_notify_response`).
/// Errors: -EINVAL for NULL or empty input, or bytes that do not decode.
#[no_mangle]
pub unsafe extern "C" fn rados_decode_notify_response(
    reply_buffer: *mut c_char,
    reply_buffer_len: usize,
    acks: *mut *mut notify_ack_t,
    nr_acks: *mut usize,
    timeouts: *mut *mut notify_timeout_t,
    nr_timeouts: *mut usize,
) -> c_int {
    entry(|| {
        if reply_buffer.is_null() || reply_buffer_len == 0 {
            return Err(Error::invalid("empty notify reply"));
        }
        let (acks_out, nr_acks_out) = (Out::new(acks, "acks")?, Out::new(nr_acks, "nr_acks")?);
        let (timeouts_out, nr_timeouts_out) = (Out::new(timeouts, "timeouts")?, Out::new(nr_timeouts, "nr_timeouts")?);
        // SAFETY: reply_buffer is valid for reply_buffer_len bytes (C contract).
        let bytes = unsafe { c_slice(reply_buffer as *const u8, reply_buffer_len, "reply_buffer") }?;
        let mut cursor = crate::denc::Decoder::new(bytes);
        let acked = Vec::<((u64, u64), Vec<u8>)>::decode(&mut cursor)
            .map_err(|_| Error::invalid("notify reply does not decode"))?;
        let missed =
            Vec::<(u64, u64)>::decode(&mut cursor).map_err(|_| Error::invalid("notify reply does not decode"))?;
        let ack_array = calloc_array::<notify_ack_t>(acked.len())?;
        for (i, ((notifier_id, cookie), data)) in acked.iter().enumerate() {
            let payload = if data.is_empty() { std::ptr::null_mut() } else { malloc_copy(data, 0)? as *mut c_char };
            // SAFETY: ack_array has acked.len() zeroed elements.
            unsafe {
                ack_array.add(i).write(notify_ack_t {
                    notifier_id: *notifier_id,
                    cookie: *cookie,
                    payload,
                    payload_len: data.len() as u64,
                })
            };
        }
        let timeout_array = calloc_array::<notify_timeout_t>(missed.len())?;
        for (i, (notifier_id, cookie)) in missed.iter().enumerate() {
            // SAFETY: timeout_array has missed.len() zeroed elements.
            unsafe { timeout_array.add(i).write(notify_timeout_t { notifier_id: *notifier_id, cookie: *cookie }) };
        }
        // SAFETY: checked out-parameters.
        unsafe {
            acks_out.write(ack_array);
            nr_acks_out.write(acked.len());
            timeouts_out.write(timeout_array);
            nr_timeouts_out.write(missed.len());
        }
        Ok(0)
    })
}

/// A zeroed `malloc`ed array of `n` elements; NULL for none.
fn calloc_array<T>(n: usize) -> Result<*mut T> {
    if n == 0 {
        return Ok(std::ptr::null_mut());
    }
    // SAFETY: plain zeroed allocation.
    let p = unsafe { libc::calloc(n, std::mem::size_of::<T>()) } as *mut T;
    if p.is_null() {
        return Err(Error::Io(std::io::Error::from_raw_os_error(libc::ENOMEM)));
    }
    Ok(p)
}

/// Frees what `rados_decode_notify_response` allocated.
#[no_mangle]
pub unsafe extern "C" fn rados_free_notify_response(
    acks: *mut notify_ack_t,
    nr_acks: usize,
    timeouts: *mut notify_timeout_t,
) {
    if !acks.is_null() {
        for i in 0..nr_acks {
            // SAFETY: acks came from rados_decode_notify_response with nr_acks elements.
            unsafe { free_c((*acks.add(i)).payload as *mut c_void) };
        }
        // SAFETY: as above.
        unsafe { free_c(acks as *mut c_void) };
    }
    // SAFETY: timeouts came from rados_decode_notify_response (or is NULL).
    unsafe { free_c(timeouts as *mut c_void) };
}

/// Acknowledges notify `notify_id` received by watch `cookie` on object `o`,
/// with an optional payload. Errors: -EINVAL, -ENOENT for an unknown watch.
#[no_mangle]
pub unsafe extern "C" fn rados_notify_ack(
    io: rados_ioctx_t,
    o: *const c_char,
    notify_id: u64,
    cookie: u64,
    buf: *const c_char,
    buf_len: c_int,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string and buffer arguments.
        let (name, data) = unsafe { (object_name(o)?, payload(buf, buf_len)?) };
        io.notify_ack(name, notify_id, cookie, data)?;
        Ok(0)
    })
}

/// Waits until every watch callback queued so far has run.
/// Errors: bad handles, -ENOTCONN.
#[no_mangle]
pub unsafe extern "C" fn rados_watch_flush(cluster: rados_t) -> c_int {
    entry(|| {
        CLUSTERS.get(cluster)?.rados.backend()?.watch_flush()?;
        Ok(0)
    })
}

/// As `rados_watch_flush`, completing `completion`.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_watch_flush(cluster: rados_t, completion: rados_completion_t) -> c_int {
    entry(|| {
        let backend = CLUSTERS.get(cluster)?.rados.backend()?;
        completions::complete_detached(&RADOS_COMPLETIONS, completion, move || {
            backend.watch_flush().map_or_else(|e| -(e.errno() as i64), |_| 0)
        })?;
        Ok(0)
    })
}
