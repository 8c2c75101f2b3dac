//! Image I/O, sync and async, and image event notification.
//!
//! Results are upstream's: synchronous reads and writes return the byte count
//! (shorter at the image's end), a request starting at or past the end fails
//! with -EINVAL, a zero-length one returns 0. Asynchronous requests return 0
//! once submitted and complete with the byte count for reads and 0 for every
//! other request (or -errno). Common errors: -EINVAL for NULL arguments,
//! -EBADF for a closed image or a bad completion, -EROFS on a read-only
//! image, -EINVAL for a completion already used.

use std::sync::Arc;

use super::image_handle::{finish, image, image_entry, value_of, ImageEntry};
use crate::capi::prelude::*;
use crate::rados::payload::{LentBytes, Payload};
use crate::rbd::{Done, Image, ReadBuffer};

/// Linux's `IOV_MAX`.
const IOV_MAX: c_int = 1024;

/// `RBD_WRITE_ZEROES_FLAG_THICK_PROVISION`.
const THICK_PROVISION: c_int = 1;

/// Submits one image request for C completion `c`; `value` turns its outcome
/// into the completion's value.
fn submit<T: Send + 'static>(
    image: rbd_image_t,
    c: rbd_completion_t,
    start: impl FnOnce(&Arc<Image>, Done<T>),
    value: impl FnOnce(T) -> i64 + Send + 'static,
) -> Result<c_int> {
    submit_on(open_entry(image)?, c, start, value)
}

/// The open image behind `image`. Errors: EINVAL for NULL, EBADF.
fn open_entry(image: rbd_image_t) -> Result<Arc<ImageEntry>> {
    let entry = image_entry(image)?;
    entry.image.check_open()?;
    Ok(entry)
}

/// `submit` on an image already looked up (`open_entry`).
fn submit_on<T: Send + 'static>(
    entry: Arc<ImageEntry>,
    c: rbd_completion_t,
    start: impl FnOnce(&Arc<Image>, Done<T>),
    value: impl FnOnce(T) -> i64 + Send + 'static,
) -> Result<c_int> {
    let completion = entry.start_aio(c)?;
    start(&entry.image, Box::new(move |r| finish(&completion.completion, value_of(r, value))));
    Ok(0)
}

/// A caller buffer copied for a write.
///
/// # Safety
/// `buf` is NULL or valid for `len` bytes.
unsafe fn write_data(buf: *const c_char, len: usize) -> Result<Vec<u8>> {
    // SAFETY: per this function's contract.
    Ok(crate::rados::buffer_pool::copy_of(unsafe { c_slice(buf as *const u8, len, "buf") }?))
}

/// Writes of this size or more lend the caller's buffer to the engine instead
/// of copying it, where the image allows it (`rbd_disable_zero_copy_writes`
/// false, as upstream's zero-copy writes) and the backend takes lent payloads
/// (the cluster's); smaller ones are cheaper to copy.
const LEND_MIN: usize = 64 << 10;

/// A write payload holding a copy of the caller's `pieces`, one after the
/// other, with its crc where the image's backend sends one (computed as it is
/// copied, `buffer_pool::payload_of`).
fn copied_payload(image: &Image, pieces: &[&[u8]]) -> Payload {
    crate::rados::buffer_pool::payload_of(pieces, image.data_io.backend().checksums_payloads())
}

/// A caller's write buffer, lent to the engine until the request ends.
struct CallerBytes {
    buf: CPtr<u8>,
    len: usize,
}

impl LentBytes for CallerBytes {
    fn bytes(&self) -> &[u8] {
        // SAFETY: per `lend`: the caller keeps buf valid for len bytes while
        // the request runs, and the request waits for every share of it to be
        // let go (`wait_returned`) before it ends.
        unsafe { std::slice::from_raw_parts(self.buf.ptr(), self.len) }
    }
}

/// The payload of a write of the caller's `buf`: lent when large, allowed by
/// the image's configuration and taken by its backend (with the buffer to
/// wait for, see `wait_returned`), else a copy.
///
/// # Safety
/// `buf` is NULL or valid for `len` bytes until the request ends.
unsafe fn lend(image: &Image, buf: *const c_char, len: usize) -> Result<(Payload, Option<Arc<CallerBytes>>)> {
    if len < LEND_MIN || !image.data_io.backend().takes_lent_payloads() || !image.zero_copy_writes() {
        // SAFETY: per this function's contract.
        let data = unsafe { c_slice(buf as *const u8, len, "buf") }?;
        return Ok((copied_payload(image, &[data]), None));
    }
    if buf.is_null() {
        return Err(Error::invalid("buf is NULL"));
    }
    let lent = Arc::new(CallerBytes { buf: CPtr(buf as *mut u8), len });
    Ok((Payload::lent(lent.clone()), Some(lent)))
}

/// Waits until the engine has let go of every share of a lent buffer (at
/// once, normally: the backend drops a payload before its reply callback; the
/// submitting thread may still hold one for a moment).
fn wait_returned(lent: Option<Arc<CallerBytes>>) {
    let Some(lent) = lent else { return };
    let mut spins = 0u32;
    while Arc::strong_count(&lent) > 1 {
        spins += 1;
        if spins < 100 {
            std::thread::yield_now();
        } else {
            std::thread::sleep(std::time::Duration::from_micros(100));
        }
    }
}

/// The caller's buffers a read fills in place: one buffer, or the buffers of
/// an iovec array one after the other.
struct CallerBuffer {
    parts: CallerParts,
    /// Held while an iovec read copies: C allows iovecs that overlap, and
    /// replies arrive on several threads.
    copying: std::sync::Mutex<()>,
}

/// The buffer of `rbd_aio_read` (no vector to allocate), or an iovec's.
enum CallerParts {
    One((CPtr<u8>, usize)),
    Iovec(Vec<(CPtr<u8>, usize)>),
}

impl CallerParts {
    fn as_slice(&self) -> &[(CPtr<u8>, usize)] {
        match self {
            CallerParts::One(one) => std::slice::from_ref(one),
            CallerParts::Iovec(parts) => parts,
        }
    }
}

impl CallerBuffer {
    /// # Safety
    /// Each part is valid for writes of its length until the read completes
    /// (the C contract of the read functions), and the parts do not overlap.
    unsafe fn new(parts: Vec<(CPtr<u8>, usize)>) -> Arc<CallerBuffer> {
        Arc::new(CallerBuffer { parts: CallerParts::Iovec(parts), copying: std::sync::Mutex::new(()) })
    }

    /// One buffer of `len` bytes; EINVAL when NULL with a length.
    ///
    /// # Safety
    /// `buf` is NULL or valid for writes of `len` bytes until the read completes.
    unsafe fn single(buf: *mut c_char, len: usize) -> Result<Arc<CallerBuffer>> {
        if buf.is_null() && len > 0 {
            return Err(Error::invalid("buf is NULL"));
        }
        let one = CallerParts::One((CPtr(buf as *mut u8), len));
        Ok(Arc::new(CallerBuffer { parts: one, copying: std::sync::Mutex::new(()) }))
    }

    /// Calls `each(part pointer, bytes)` for the parts under [`offset`,
    /// `offset + len`).
    fn visit(&self, mut offset: usize, mut len: usize, mut each: impl FnMut(*mut u8, usize, usize)) {
        let parts = self.parts.as_slice();
        let _copying = (parts.len() > 1).then(|| self.copying.lock().unwrap_or_else(|e| e.into_inner()));
        let mut done = 0usize;
        for &(base, size) in parts {
            if len == 0 {
                break;
            }
            if offset >= size {
                offset -= size;
                continue;
            }
            let n = (size - offset).min(len);
            // the engine never reaches past the request, whose length is the parts' sum
            each(base.ptr().wrapping_add(offset), done, n);
            done += n;
            len -= n;
            offset = 0;
        }
    }
}

impl ReadBuffer for CallerBuffer {
    fn put(&self, offset: usize, data: &[u8]) {
        self.visit(offset, data.len(), |to, from, n| {
            // SAFETY: per `CallerBuffer::new`: `to` is inside a live caller part with n bytes left.
            unsafe { std::ptr::copy_nonoverlapping(data[from..from + n].as_ptr(), to, n) }
        });
    }

    fn zero(&self, offset: usize, len: usize) {
        self.visit(offset, len, |to, _, n| {
            // SAFETY: as in `put`.
            unsafe { std::ptr::write_bytes(to, 0, n) }
        });
    }
}

/// The iovecs of a vectored request, checked: 1 to `IOV_MAX` entries whose
/// total fits `ssize_t`, non-NULL bases.
///
/// # Safety
/// `iov` is NULL or valid for `iovcnt` entries.
unsafe fn iovecs(iov: *const iovec, iovcnt: c_int) -> Result<Vec<(CPtr<u8>, usize)>> {
    if iovcnt <= 0 || iovcnt > IOV_MAX {
        return Err(Error::invalid("iovcnt out of range"));
    }
    // SAFETY: per this function's contract.
    let entries = unsafe { c_slice(iov, iovcnt as usize, "iov") }?;
    let mut total = 0usize;
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        total =
            total.checked_add(e.iov_len).filter(|&t| t <= isize::MAX as usize).ok_or(Error::invalid("iov too long"))?;
        if e.iov_base.is_null() && e.iov_len > 0 {
            return Err(Error::invalid("iov base is NULL"));
        }
        out.push((CPtr(e.iov_base as *mut u8), e.iov_len));
    }
    Ok(out)
}

// ---- events -------------------------------------------------------------------------

/// Announces finished asynchronous requests on `fd`: `type` is
/// `EVENT_TYPE_EVENTFD` (each completion adds 1) or `EVENT_TYPE_PIPE` (each
/// writes one byte); `rbd_poll_io_events` then returns them. Errors: -EINVAL
/// for a negative fd or another type, -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rbd_set_image_notification(image: rbd_image_t, fd: c_int, r#type: c_int) -> c_int {
    entry(|| {
        let entry = image_entry(image)?;
        entry.image.check_open()?;
        entry.set_notification(fd, r#type).map(|_| 0)
    })
}

/// Stores up to `numcomp` finished completions (oldest first) in `comps` and
/// returns their count. Errors: -EINVAL for `numcomp` <= 0 or NULL `comps`, -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rbd_poll_io_events(image: rbd_image_t, comps: *mut rbd_completion_t, numcomp: c_int) -> c_int {
    entry(|| {
        let entry = image_entry(image)?;
        if numcomp <= 0 {
            return Err(Error::invalid("numcomp must be positive"));
        }
        // SAFETY: the caller's array of numcomp entries.
        let out = unsafe { c_slice_mut(comps, numcomp as usize, "comps") }?;
        // a completion handle is a pointer-sized integer: read the slots as such
        // SAFETY: same size and alignment (usize and a pointer), every bit pattern valid.
        let slots = unsafe { std::slice::from_raw_parts_mut(out.as_mut_ptr() as *mut usize, out.len()) };
        Ok(entry.poll(slots) as c_int)
    })
}

// ---- reads --------------------------------------------------------------------------

/// Reads `len` bytes at `ofs` into `buf`; returns the byte count.
#[no_mangle]
pub unsafe extern "C" fn rbd_read(image: rbd_image_t, ofs: u64, len: usize, buf: *mut c_char) -> ssize_t {
    // SAFETY: forwarded C contract.
    unsafe { rbd_read2(image, ofs, len, buf, 0) }
}

/// `rbd_read` with fadvise flags (accepted, no effect).
#[no_mangle]
pub unsafe extern "C" fn rbd_read2(
    image: rbd_image_t,
    ofs: u64,
    len: usize,
    buf: *mut c_char,
    op_flags: c_int,
) -> ssize_t {
    let _ = op_flags;
    entry(|| {
        let image = self::image(image)?;
        // SAFETY: the caller's buffer of len bytes, valid during this call.
        let target = unsafe { CallerBuffer::single(buf, len) }?;
        Ok(image.read_into(ofs, len as u64, target)? as ssize_t)
    })
}

/// Reads the image period by period, calling `cb(offset from ofs, length,
/// data, arg)` for each piece; returns the byte count. A negative callback
/// result stops the iteration and is returned. Errors: -EINVAL (NULL `cb`,
/// `ofs` past the end), -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rbd_read_iterate(
    image: rbd_image_t,
    ofs: u64,
    len: usize,
    cb: Option<unsafe extern "C" fn(u64, usize, *const c_char, *mut c_void) -> c_int>,
    arg: *mut c_void,
) -> i64 {
    // SAFETY: forwarded C contract.
    entry(|| unsafe { read_iterate(image, ofs, len as u64, cb, arg) }.map(|n| n as i64))
}

/// `rbd_read_iterate` returning 0 on success.
#[no_mangle]
pub unsafe extern "C" fn rbd_read_iterate2(
    image: rbd_image_t,
    ofs: u64,
    len: u64,
    cb: Option<unsafe extern "C" fn(u64, usize, *const c_char, *mut c_void) -> c_int>,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: forwarded C contract.
    entry(|| unsafe { read_iterate(image, ofs, len, cb, arg) }.map(|_| 0))
}

/// # Safety
/// `cb` is a valid callback for `arg`.
unsafe fn read_iterate(
    image: rbd_image_t,
    ofs: u64,
    len: u64,
    cb: Option<unsafe extern "C" fn(u64, usize, *const c_char, *mut c_void) -> c_int>,
    arg: *mut c_void,
) -> Result<u64> {
    let image = self::image(image)?;
    let cb = cb.ok_or(Error::invalid("callback is NULL"))?;
    let mut each = |offset: u64, data: &[u8]| {
        // SAFETY: the caller's callback, given a buffer valid for the call.
        unsafe { cb(offset, data.len(), data.as_ptr() as *const c_char, arg) }
    };
    image.read_iterate(ofs, len, &mut each)
}

/// Reads `len` bytes at `off` into `buf` asynchronously; `c` completes with
/// the byte count. `buf` must stay valid until then.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_read(
    image: rbd_image_t,
    off: u64,
    len: usize,
    buf: *mut c_char,
    c: rbd_completion_t,
) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { rbd_aio_read2(image, off, len, buf, c, 0) }
}

/// `rbd_aio_read` with fadvise flags (accepted, no effect).
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_read2(
    image: rbd_image_t,
    off: u64,
    len: usize,
    buf: *mut c_char,
    c: rbd_completion_t,
    op_flags: c_int,
) -> c_int {
    let _ = op_flags;
    entry(|| {
        // SAFETY: the caller keeps buf (len bytes) valid until completion.
        let target = unsafe { CallerBuffer::single(buf, len) }?;
        submit(image, c, |image, done| image.aio_read_into(off, len as u64, target, done), |n| n as i64)
    })
}

/// Reads into the buffers of `iov` from `off` asynchronously; `c` completes
/// with the byte count. Errors: -EINVAL for `iovcnt` outside 1..=IOV_MAX.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_readv(
    image: rbd_image_t,
    iov: *const iovec,
    iovcnt: c_int,
    off: u64,
    c: rbd_completion_t,
) -> c_int {
    entry(|| {
        // SAFETY: the caller's iovec array.
        let parts = unsafe { iovecs(iov, iovcnt) }?;
        let total: usize = parts.iter().map(|t| t.1).sum();
        // SAFETY: the caller keeps each iovec buffer valid until completion.
        let target = unsafe { CallerBuffer::new(parts) };
        submit(image, c, |image, done| image.aio_read_into(off, total as u64, target, done), |n| n as i64)
    })
}

// ---- writes -------------------------------------------------------------------------

/// Writes `len` bytes of `buf` at `ofs`; returns the byte count written.
#[no_mangle]
pub unsafe extern "C" fn rbd_write(image: rbd_image_t, ofs: u64, len: usize, buf: *const c_char) -> ssize_t {
    // SAFETY: forwarded C contract.
    unsafe { rbd_write2(image, ofs, len, buf, 0) }
}

/// `rbd_write` with fadvise flags (accepted, no effect).
#[no_mangle]
pub unsafe extern "C" fn rbd_write2(
    image: rbd_image_t,
    ofs: u64,
    len: usize,
    buf: *const c_char,
    op_flags: c_int,
) -> ssize_t {
    let _ = op_flags;
    entry(|| {
        let image = self::image(image)?;
        // SAFETY: the caller's buffer of len bytes, valid during this call.
        let (data, lent) = unsafe { lend(&image, buf, len) }?;
        let written = image.write(ofs, data);
        wait_returned(lent);
        Ok(written? as ssize_t)
    })
}

/// Discards `len` bytes at `ofs` (ranges under `rbd_discard_granularity_bytes`
/// are skipped, as upstream); returns the length. Errors: -EINVAL for a
/// length over `INT_MAX`.
#[no_mangle]
pub unsafe extern "C" fn rbd_discard(image: rbd_image_t, ofs: u64, len: u64) -> c_int {
    entry(|| {
        if len > c_int::MAX as u64 {
            return Err(Error::invalid("discard length over INT_MAX"));
        }
        Ok(self::image(image)?.discard(ofs, len)? as c_int)
    })
}

/// Writes `data_len` bytes of `buf` repeatedly over `len` bytes at `ofs`
/// (an all-zero pattern is a zeroing discard when
/// `rbd_discard_on_zeroed_write_same`); returns the length. Errors: -EINVAL
/// unless `len` is a multiple of a non-zero `data_len` and at most `INT_MAX`.
#[no_mangle]
pub unsafe extern "C" fn rbd_writesame(
    image: rbd_image_t,
    ofs: u64,
    len: usize,
    buf: *const c_char,
    data_len: usize,
    op_flags: c_int,
) -> ssize_t {
    let _ = op_flags;
    entry(|| {
        let image = self::image(image)?;
        // SAFETY: the caller's buffer of data_len bytes.
        let data = unsafe { writesame_data(buf, len, data_len) }?;
        Ok(image.writesame(ofs, len as u64, data)? as ssize_t)
    })
}

/// The pattern of a writesame, checked as upstream.
///
/// # Safety
/// `buf` is NULL or valid for `data_len` bytes.
unsafe fn writesame_data(buf: *const c_char, len: usize, data_len: usize) -> Result<Vec<u8>> {
    if data_len == 0 || len % data_len != 0 || len > c_int::MAX as usize {
        return Err(Error::invalid("writesame length"));
    }
    // SAFETY: per this function's contract.
    unsafe { write_data(buf, data_len) }
}

/// Zeroes `len` bytes at `ofs` (deallocating where it can; with
/// `RBD_WRITE_ZEROES_FLAG_THICK_PROVISION`, writing zeros); returns the
/// length. Errors: -EINVAL for other flags.
#[no_mangle]
pub unsafe extern "C" fn rbd_write_zeroes(
    image: rbd_image_t,
    ofs: u64,
    len: usize,
    zero_flags: c_int,
    op_flags: c_int,
) -> ssize_t {
    let _ = op_flags;
    entry(|| {
        let image = self::image(image)?;
        let thick = zero_flags_thick(zero_flags)?;
        let n = if thick { image.write_zeroes_thick(ofs, len as u64)? } else { image.write_zeroes(ofs, len as u64)? };
        Ok(n as ssize_t)
    })
}

fn zero_flags_thick(zero_flags: c_int) -> Result<bool> {
    if zero_flags & !THICK_PROVISION != 0 {
        return Err(Error::invalid("unknown write_zeroes flags"));
    }
    Ok(zero_flags & THICK_PROVISION != 0)
}

/// Writes `buf` at `ofs` if the image there equals `cmp_buf`, atomically; the
/// range must lie within one 512-byte sector. Returns the length; on a
/// mismatch, -EILSEQ with `*mismatch_off` set as upstream sets it (the
/// differing byte's index in the compare buffer, placed in the object:
/// for object 0 of a plain layout, the index itself). -EINVAL for a NULL
/// `mismatch_off`.
#[no_mangle]
pub unsafe extern "C" fn rbd_compare_and_write(
    image: rbd_image_t,
    ofs: u64,
    len: usize,
    cmp_buf: *const c_char,
    buf: *const c_char,
    mismatch_off: *mut u64,
    op_flags: c_int,
) -> ssize_t {
    let _ = op_flags;
    entry(|| {
        let image = self::image(image)?;
        // SAFETY: the caller's buffers of len bytes.
        let (cmp, data) = unsafe { (write_data(cmp_buf, len)?, write_data(buf, len)?) };
        let out = Out::new(mismatch_off, "mismatch_off")?;
        match image.compare_and_write(ofs, cmp, data) {
            Err(Error::Mismatch(at)) => {
                // SAFETY: non-null out-parameter supplied by the caller.
                unsafe { out.write(at) };
                Err(Error::Mismatch(at))
            }
            other => Ok(other? as ssize_t),
        }
    })
}

/// Writes `len` bytes of `buf` at `off` asynchronously (the data is copied
/// at once); `c` completes with 0.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_write(
    image: rbd_image_t,
    off: u64,
    len: usize,
    buf: *const c_char,
    c: rbd_completion_t,
) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { rbd_aio_write2(image, off, len, buf, c, 0) }
}

/// `rbd_aio_write` with fadvise flags (accepted, no effect).
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_write2(
    image: rbd_image_t,
    off: u64,
    len: usize,
    buf: *const c_char,
    c: rbd_completion_t,
    op_flags: c_int,
) -> c_int {
    let _ = op_flags;
    entry(|| {
        let entry = open_entry(image)?;
        // SAFETY: the caller keeps buf (len bytes) valid until completion.
        let (data, lent) = unsafe { lend(&entry.image, buf, len) }?;
        submit_on(
            entry,
            c,
            |image, done| {
                image.aio_write(
                    off,
                    data,
                    Box::new(move |r| {
                        wait_returned(lent);
                        done(r)
                    }),
                )
            },
            |_| 0,
        )
    })
}

/// Writes the buffers of `iov` at `off` asynchronously; `c` completes with 0.
/// Errors: -EINVAL for `iovcnt` outside 1..=IOV_MAX.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_writev(
    image: rbd_image_t,
    iov: *const iovec,
    iovcnt: c_int,
    off: u64,
    c: rbd_completion_t,
) -> c_int {
    entry(|| {
        // SAFETY: the caller's iovec array.
        let sources = unsafe { iovecs(iov, iovcnt) }?;
        let pieces = sources
            .into_iter()
            // SAFETY: each iovec buffer is valid for its length.
            .map(|(base, len)| unsafe { c_slice(base.ptr() as *const u8, len, "iov_base") })
            .collect::<Result<Vec<&[u8]>>>()?;
        submit(image, c, |image, done| image.aio_write(off, copied_payload(image, &pieces), done), |_| 0)
    })
}

/// Discards asynchronously (see `rbd_discard`); `c` completes with 0.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_discard(image: rbd_image_t, off: u64, len: u64, c: rbd_completion_t) -> c_int {
    entry(|| submit(image, c, |image, done| image.aio_discard(off, len, done), |_| 0))
}

/// `rbd_writesame` asynchronously; its argument errors are returned at once,
/// `c` completes with 0.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_writesame(
    image: rbd_image_t,
    off: u64,
    len: usize,
    buf: *const c_char,
    data_len: usize,
    c: rbd_completion_t,
    op_flags: c_int,
) -> c_int {
    let _ = op_flags;
    entry(|| {
        // SAFETY: the caller's buffer of data_len bytes.
        let data = unsafe { writesame_data(buf, len, data_len) }?;
        submit(image, c, |image, done| image.aio_writesame(off, len as u64, data, done), |_| 0)
    })
}

/// `rbd_write_zeroes` asynchronously; `c` completes with 0 (-EINVAL for
/// unknown flags).
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_write_zeroes(
    image: rbd_image_t,
    off: u64,
    len: usize,
    c: rbd_completion_t,
    zero_flags: c_int,
    op_flags: c_int,
) -> c_int {
    let _ = op_flags;
    entry(|| {
        submit(
            image,
            c,
            |image, done| match zero_flags_thick(zero_flags) {
                Err(e) => done(Err(e)),
                Ok(true) => image.aio_write_zeroes_thick(off, len as u64, done),
                Ok(false) => image.aio_write_zeroes(off, len as u64, done),
            },
            |_| 0,
        )
    })
}

/// `rbd_compare_and_write` asynchronously: `c` completes with 0, or -EILSEQ
/// after `*mismatch_off` was set; range errors come through `c` too; a NULL
/// `mismatch_off` is -EINVAL at once.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_compare_and_write(
    image: rbd_image_t,
    off: u64,
    len: usize,
    cmp_buf: *const c_char,
    buf: *const c_char,
    c: rbd_completion_t,
    mismatch_off: *mut u64,
    op_flags: c_int,
) -> ssize_t {
    let _ = op_flags;
    entry(|| {
        // SAFETY: the caller's buffers of len bytes.
        let (cmp, data) = unsafe { (write_data(cmp_buf, len)?, write_data(buf, len)?) };
        Out::new(mismatch_off, "mismatch_off")?;
        let mismatch = CPtr(mismatch_off);
        let start = |image: &Arc<Image>, done: Done<u64>| {
            image.aio_compare_and_write(
                off,
                cmp,
                data,
                Box::new(move |r| {
                    if let Err(Error::Mismatch(at)) = &r {
                        // SAFETY: the caller keeps mismatch_off (checked non-null) valid until completion.
                        unsafe { mismatch.set(*at) };
                    }
                    done(r)
                }),
            )
        };
        submit(image, c, start, |_| 0).map(|r| r as ssize_t)
    })
}

// ---- flush and cache ----------------------------------------------------------------

/// Waits for every write submitted before and makes them durable. Errors: -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rbd_flush(image: rbd_image_t) -> c_int {
    entry(|| self::image(image)?.flush().map(|_| 0))
}

/// `rbd_flush` asynchronously; `c` completes with 0.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_flush(image: rbd_image_t, c: rbd_completion_t) -> c_int {
    entry(|| submit(image, c, |image, done| image.aio_flush(done), |_| 0))
}

/// This library keeps no image cache: returns 0. Errors: -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rbd_invalidate_cache(image: rbd_image_t) -> c_int {
    entry(|| self::image(image).map(|_| 0))
}
