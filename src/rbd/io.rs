//! Image I/O (`librbd/io`): an image request is clipped to the image, split
//! into object extents by the layout, issued as one RADOS operation per
//! object, and its result gathered when the last one answers. Writers take the
//! exclusive lock and mark new objects in the object map first.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::image::Image;
use super::layout::ObjectExtent;
use crate::cls::rbd::features::{self, object_state};
use crate::error::{Error, Result};
use crate::rados::op::{ObjectOperation, OpStep, StepOutput};
use crate::rados::payload::Payload;

pub use crate::rados::inflight::InFlight;

/// `-MAX_ERRNO`: the base of cmpext's mismatch results.
const MAX_ERRNO: i64 = 4095;

/// Compare-and-write works on one sector at most.
const SECTOR_SIZE: u64 = 512;

/// Where an image read puts its bytes: offsets are relative to the start of
/// the request; each byte is put or zeroed once, from any thread.
pub trait ReadBuffer: Send + Sync {
    /// Copies `data` to `offset`.
    fn put(&self, offset: usize, data: &[u8]);
    /// Zeroes `len` bytes at `offset` (a hole, a missing or short object).
    fn zero(&self, offset: usize, len: usize);
}

/// A read buffer of our own.
struct VecReadBuffer(Mutex<Vec<u8>>);

impl ReadBuffer for VecReadBuffer {
    fn put(&self, offset: usize, data: &[u8]) {
        self.0.lock().unwrap_or_else(|e| e.into_inner())[offset..offset + data.len()].copy_from_slice(data);
    }

    fn zero(&self, _offset: usize, _len: usize) {
        // made zeroed
    }
}

fn zero_extents(buffer: &dyn ReadBuffer, extents: &[(u64, u64)]) {
    for &(boff, blen) in extents {
        buffer.zero(boff as usize, blen as usize);
    }
}

/// Drops `data` (a request's payload, maybe lent), then reports `outcome`.
fn drop_then<D, T>(data: D, done: Done<T>, outcome: Result<T>) {
    drop(data);
    done(outcome)
}

/// Called once with an image request's outcome.
pub type Done<T> = Box<dyn FnOnce(Result<T>) + Send>;

/// Gathers the object operations of one image request, which completes with
/// its byte count or the first error of its parts.
struct Gather {
    pending: AtomicUsize,
    error: Mutex<Option<Error>>,
    len: u64,
    done: Mutex<Option<Done<u64>>>,
    image: Arc<Image>,
}

impl Gather {
    fn new(image: &Arc<Image>, parts: usize, len: u64, done: Done<u64>) -> Arc<Self> {
        image.inflight.start();
        Arc::new(Gather {
            pending: AtomicUsize::new(parts.max(1)),
            error: Mutex::new(None),
            len,
            done: Mutex::new(Some(done)),
            image: image.clone(),
        })
    }

    fn fail(&self, e: Error) {
        let mut err = self.error.lock().unwrap_or_else(|e| e.into_inner());
        if err.is_none() {
            *err = Some(e);
        }
    }

    /// A share of the request for one object operation: its drop counts the
    /// part as done — also when the completion code panics, which then fails
    /// the request instead of leaving it pending forever.
    fn part(self: &Arc<Self>) -> Part {
        Part(self.clone())
    }

    fn part_done(&self) {
        if self.pending.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        let err = self.error.lock().unwrap_or_else(|e| e.into_inner()).take();
        let done = self.done.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(done) = done {
            done(match err {
                Some(e) => Err(e),
                None => Ok(self.len),
            });
        }
        self.image.inflight.finish();
    }
}

struct Part(Arc<Gather>);

impl std::ops::Deref for Part {
    type Target = Gather;
    fn deref(&self) -> &Gather {
        &self.0
    }
}

impl Drop for Part {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.fail(Error::Panic);
        }
        self.0.part_done();
    }
}

/// What a discard does to one object extent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DiscardAction {
    Remove,
    Truncate,
    Zero,
}

impl Image {
    /// `clip_io`: EINVAL past the end; requests reaching past it are shortened.
    pub(super) fn clip(&self, offset: u64, len: u64) -> Result<u64> {
        self.check_open()?;
        if len == 0 {
            return Ok(0);
        }
        let size = self.header().size;
        if offset >= size {
            return Err(Error::invalid("offset past the end of the image"));
        }
        Ok(len.min(size - offset))
    }

    /// Takes the exclusive lock if needed and returns the guard writers hold
    /// while submitting.
    fn write_guard(&self) -> Result<std::sync::RwLockReadGuard<'_, ()>> {
        self.check_writable()?;
        loop {
            self.lock.acquire(self)?;
            let guard = self.lock.io_guard();
            if self.header().features & features::EXCLUSIVE_LOCK == 0 || self.lock.is_owner() {
                return Ok(guard);
            }
            // released between acquiring and submitting: take it again
        }
    }

    /// Reads [`offset`, `offset + len`) (clipped to the image) into a new
    /// buffer; holes read as zeros.
    pub fn aio_read(self: &Arc<Self>, offset: u64, len: u64, done: Done<Vec<u8>>) {
        let len = match self.clip(offset, len) {
            Ok(l) => l,
            Err(e) => return done(Err(e)),
        };
        let buffer = Arc::new(VecReadBuffer(Mutex::new(vec![0u8; len as usize])));
        let result = buffer.clone();
        self.aio_read_into(
            offset,
            len,
            buffer,
            Box::new(move |r| {
                done(r.map(|_| std::mem::take(&mut *result.0.lock().unwrap_or_else(|e| e.into_inner()))))
            }),
        );
    }

    /// Reads [`offset`, `offset + len`) (clipped to the image) into `buffer`
    /// (byte 0 of the buffer is `offset`); holes read as zeros. The result is
    /// the byte count read. Each byte of the buffer is written once, by the
    /// reply of its object, straight from the received message.
    pub fn aio_read_into(self: &Arc<Self>, offset: u64, len: u64, buffer: Arc<dyn ReadBuffer>, done: Done<u64>) {
        let len = match self.clip(offset, len) {
            Ok(l) => l,
            Err(e) => return done(Err(e)),
        };
        let mut extents = self.header().layout().map(offset, len);
        extents.retain(|e| {
            // an object the object map says is absent reads as zeros
            let may_exist = self.object_map.may_exist(self, e.object_no);
            if !may_exist {
                zero_extents(&*buffer, &e.buffer_extents);
            }
            may_exist
        });
        let gather = Gather::new(self, extents.len(), len, done);
        if extents.is_empty() {
            return gather.part_done();
        }
        for e in extents {
            let name = self.data_object_name(e.object_no);
            let op = ObjectOperation::single(OpStep::Read { offset: e.offset, len: e.length });
            let (g, buf) = (gather.part(), buffer.clone());
            self.data_io.aio_operate_named(name.into_bytes(), op, None, move |reply| {
                if reply.result == -libc::ENOENT {
                    // a missing object reads as zeros
                    zero_extents(&*buf, &e.buffer_extents);
                } else if reply.result < 0 {
                    g.fail(Error::remote(reply.result, "object read"));
                } else {
                    let data = match reply.steps.into_iter().next().map(|s| s.out) {
                        Some(StepOutput::Data(d)) => d,
                        _ => Vec::new(),
                    };
                    let d = &data[..];
                    let mut from = 0usize;
                    // a short object reads as zeros past its end
                    for &(boff, blen) in e.buffer_extents.iter() {
                        let (boff, blen) = (boff as usize, blen as usize);
                        let n = blen.min(d.len().saturating_sub(from));
                        if n > 0 {
                            buf.put(boff, &d[from..from + n]);
                        }
                        if n < blen {
                            buf.zero(boff + n, blen - n);
                        }
                        from += blen;
                    }
                    // a large reply's buffer serves the next large reply
                    crate::rados::buffer_pool::give(data);
                }
                drop(g);
            });
        }
    }

    /// Writes `data` at `offset` (shortened at the image's end); the result is
    /// the byte count written.
    ///
    /// A lent payload (a caller's buffer) is shared by the object writes, not
    /// copied, unless an object's piece is scattered (fancy striping).
    pub fn aio_write(self: &Arc<Self>, offset: u64, data: impl Into<Payload>, done: Done<u64>) {
        let mut data = data.into();
        // (a lent payload is let go before the request ends)
        let len = match self.clip(offset, data.len() as u64) {
            Ok(0) => return drop_then(data, done, Ok(0)),
            Ok(l) => l,
            Err(e) => return drop_then(data, done, Err(e)),
        };
        let whole = data.len() as u64 == len;
        self.submit_writes(offset, len, done, move |e| {
            let data = match e.buffer_extents.as_slice() {
                // one object takes the whole buffer: hand it on without a copy
                &[(0, l)] if whole && l == len => std::mem::take(&mut data),
                &[(boff, blen)] if matches!(data, Payload::Lent { .. }) => data.slice(boff as usize, blen as usize),
                pieces => {
                    let mut piece = Vec::with_capacity(e.length as usize);
                    for &(boff, blen) in pieces {
                        piece.extend_from_slice(&data[boff as usize..(boff + blen) as usize]);
                    }
                    piece.into()
                }
            };
            OpStep::Write { offset: e.offset, data }
        });
    }

    /// Writes `data` repeated over `len` bytes at `offset`. EINVAL unless `len`
    /// is a multiple of a non-empty `data`.
    pub fn aio_writesame(self: &Arc<Self>, offset: u64, len: u64, data: Vec<u8>, done: Done<u64>) {
        if data.is_empty() || len % data.len() as u64 != 0 {
            return done(Err(Error::invalid("length is not a multiple of the data")));
        }
        if data.iter().all(|&b| b == 0) && self.rados_conf_bool("rbd_discard_on_zeroed_write_same") {
            return self.aio_discard_impl(offset, len, false, done);
        }
        self.writesame_impl(offset, len, data, done)
    }

    /// Writes zeros over `len` bytes at `offset` as data, allocating the
    /// objects (`RBD_WRITE_ZEROES_FLAG_THICK_PROVISION`).
    pub fn aio_write_zeroes_thick(self: &Arc<Self>, offset: u64, len: u64, done: Done<u64>) {
        self.writesame_impl(offset, len, vec![0u8; SECTOR_SIZE as usize], done)
    }

    fn writesame_impl(self: &Arc<Self>, offset: u64, len: u64, data: Vec<u8>, done: Done<u64>) {
        let len = match self.clip(offset, len) {
            Ok(0) => return done(Ok(0)),
            Ok(l) => l,
            Err(e) => return done(Err(e)),
        };
        let pattern = data;
        self.submit_writes(offset, len, done, move |e| {
            let n = pattern.len() as u64;
            let first = e.buffer_extents.first().map_or(0, |r| r.0);
            if e.buffer_extents.len() == 1 && first % n == 0 && e.length % n == 0 {
                OpStep::WriteSame { offset: e.offset, len: e.length, data: pattern.clone() }
            } else {
                let mut piece = Vec::with_capacity(e.length as usize);
                for &(boff, blen) in e.buffer_extents.iter() {
                    piece.extend((boff..boff + blen).map(|i| pattern[(i % n) as usize]));
                }
                OpStep::Write { offset: e.offset, data: piece.into() }
            }
        });
    }

    fn rados_conf_bool(&self, key: &str) -> bool {
        self.io.rados().context().config().get_bool(key)
    }

    /// The shared path of data writes: lock, object map, one op per object.
    fn submit_writes(
        self: &Arc<Self>,
        offset: u64,
        len: u64,
        done: Done<u64>,
        mut step_for: impl FnMut(&ObjectExtent) -> OpStep,
    ) {
        let guard = match self.write_guard() {
            Ok(g) => g,
            Err(e) => return drop_then(step_for, done, Err(e)),
        };
        let extents = self.header().layout().map(offset, len);
        for e in &extents {
            if self.object_map.state(e.object_no).is_some_and(|s| s != object_state::EXISTS) {
                if let Err(err) = self.object_map.update(self, e.object_no, e.object_no + 1, object_state::EXISTS, None)
                {
                    return drop_then(step_for, done, Err(err));
                }
            }
        }
        let gather = Gather::new(self, extents.len(), len, done);
        for e in &extents {
            let name = self.data_object_name(e.object_no);
            let g = gather.part();
            self.data_io.aio_operate_named(
                name.into_bytes(),
                ObjectOperation::single(step_for(e)),
                None,
                move |reply| {
                    if reply.result < 0 {
                        g.fail(Error::remote(reply.result, "object write"));
                    }
                    drop(g);
                },
            );
        }
        // the data now belongs to the object operations alone
        drop(step_for);
        drop(guard);
        self.touch_modify_timestamp();
    }

    /// Discards `len` bytes at `offset`: whole objects are removed, object
    /// tails truncated, other ranges zeroed; ranges smaller than
    /// `rbd_discard_granularity_bytes` are skipped, as upstream.
    pub fn aio_discard(self: &Arc<Self>, offset: u64, len: u64, done: Done<u64>) {
        self.aio_discard_impl(offset, len, true, done)
    }

    /// Zeroes `len` bytes at `offset` (a discard without granularity).
    pub fn aio_write_zeroes(self: &Arc<Self>, offset: u64, len: u64, done: Done<u64>) {
        self.aio_discard_impl(offset, len, false, done)
    }

    fn aio_discard_impl(self: &Arc<Self>, offset: u64, len: u64, prune: bool, done: Done<u64>) {
        let len = match self.clip(offset, len) {
            Ok(0) => return done(Ok(0)),
            Ok(l) => l,
            Err(e) => return done(Err(e)),
        };
        let guard = match self.write_guard() {
            Ok(g) => g,
            Err(e) => return done(Err(e)),
        };
        let layout = self.header().layout();
        let object_size = layout.object_size;
        let mut extents = layout.map(offset, len);
        let granularity = self.config.read().unwrap_or_else(|e| e.into_inner()).discard_granularity.min(object_size);
        if prune && granularity > 0 {
            for e in extents.iter_mut() {
                let end = e.offset + e.length;
                if granularity < object_size || end < object_size {
                    let start = e.offset.next_multiple_of(granularity);
                    let stop = end / granularity * granularity;
                    e.length = stop.saturating_sub(start);
                    e.offset = start;
                }
            }
            extents.retain(|e| e.length > 0);
        }
        extents.retain(|e| self.object_map.may_exist(self, e.object_no));
        let mut planned = Vec::new();
        for e in extents {
            let action = if e.offset == 0 && e.length == object_size {
                DiscardAction::Remove
            } else if e.offset + e.length == object_size {
                DiscardAction::Truncate
            } else {
                DiscardAction::Zero
            };
            if action == DiscardAction::Remove {
                if let Err(err) =
                    self.object_map.update(self, e.object_no, e.object_no + 1, object_state::PENDING, None)
                {
                    return done(Err(err));
                }
            }
            planned.push((e, action));
        }
        let gather = Gather::new(self, planned.len(), len, done);
        if planned.is_empty() {
            drop(guard);
            return gather.part_done();
        }
        for (e, action) in planned {
            let step = match action {
                DiscardAction::Remove => OpStep::Remove,
                DiscardAction::Truncate => OpStep::Truncate { size: e.offset },
                DiscardAction::Zero => OpStep::Zero { offset: e.offset, len: e.length },
            };
            let (g, image) = (gather.part(), self.clone());
            let name = self.data_object_name(e.object_no);
            self.data_io.aio_operate_named(name.into_bytes(), ObjectOperation::single(step), None, move |reply| {
                if reply.result < 0 && reply.result != -libc::ENOENT {
                    g.fail(Error::remote(reply.result, "object discard"));
                } else if action == DiscardAction::Remove {
                    let n = e.object_no;
                    if let Err(err) = image.object_map.update(
                        &image,
                        n,
                        n + 1,
                        object_state::NONEXISTENT,
                        Some(object_state::PENDING),
                    ) {
                        g.fail(err);
                    }
                }
                drop(g);
            });
        }
        drop(guard);
        self.touch_modify_timestamp();
    }

    /// Compares `cmp` with the image at `offset` and, when equal, writes
    /// `data` there, atomically. The (clipped) range must stay inside one
    /// 512-byte sector (EINVAL otherwise). A mismatch is `Error::Mismatch(m)`
    /// where, as upstream computes it, `m` is the image offset of byte `i` of
    /// the object, `i` being the index of the first differing byte in `cmp`
    /// (for object 0 of a plain layout: the index itself).
    pub fn aio_compare_and_write(self: &Arc<Self>, offset: u64, cmp: Vec<u8>, data: Vec<u8>, done: Done<u64>) {
        if cmp.len() != data.len() {
            return done(Err(Error::invalid("compare and write lengths differ")));
        }
        let len = match self.clip(offset, data.len() as u64) {
            Ok(0) => return done(Ok(0)),
            Ok(l) => l,
            Err(e) => return done(Err(e)),
        };
        if offset % SECTOR_SIZE + len > SECTOR_SIZE {
            return done(Err(Error::invalid("compare and write across a sector boundary")));
        }
        let layout = self.header().layout();
        let extents = layout.map(offset, len);
        if extents.len() != 1 || extents[0].buffer_extents.len() != 1 {
            return done(Err(Error::invalid("compare and write across objects")));
        }
        let guard = match self.write_guard() {
            Ok(g) => g,
            Err(e) => return done(Err(e)),
        };
        let e = &extents[0];
        if self.object_map.state(e.object_no).is_some_and(|s| s != object_state::EXISTS) {
            if let Err(err) = self.object_map.update(self, e.object_no, e.object_no + 1, object_state::EXISTS, None) {
                return done(Err(err));
            }
        }
        let mut op = ObjectOperation::new();
        op.push(OpStep::CmpExt { offset: e.offset, data: cmp[..len as usize].to_vec() });
        op.push(OpStep::Write { offset: e.offset, data: data[..len as usize].to_vec().into() });
        let gather = Gather::new(self, 1, len, done);
        let name = self.data_object_name(e.object_no);
        let g = gather.part();
        let object_no = e.object_no;
        self.data_io.aio_operate_named(name.into_bytes(), op, None, move |reply| {
            let r = i64::from(reply.result);
            if r <= -MAX_ERRNO {
                let index = (-r - MAX_ERRNO) as u64;
                let mismatch = layout.file_offset(object_no, index);
                g.fail(Error::Mismatch(mismatch));
            } else if r < 0 {
                g.fail(Error::remote(reply.result, "compare and write"));
            }
            drop(g);
        });
        drop(guard);
    }

    /// Waits for every write submitted so far, then makes the writes durable.
    pub fn aio_flush(self: &Arc<Self>, done: Done<u64>) {
        if let Err(e) = self.check_open() {
            return done(Err(e));
        }
        let backend = self.data_io.backend().clone();
        self.inflight.when_drained(Box::new(move || done(backend.flush().map(|_| 0))));
    }

    // ---- synchronous forms --------------------------------------------------------

    pub fn read(self: &Arc<Self>, offset: u64, len: u64) -> Result<Vec<u8>> {
        wait(|d| self.aio_read(offset, len, d))
    }

    /// `aio_read_into`, waited for.
    pub fn read_into(self: &Arc<Self>, offset: u64, len: u64, buffer: Arc<dyn ReadBuffer>) -> Result<u64> {
        wait(|d| self.aio_read_into(offset, len, buffer, d))
    }

    pub fn write(self: &Arc<Self>, offset: u64, data: impl Into<Payload>) -> Result<u64> {
        wait(|d| self.aio_write(offset, data, d))
    }

    pub fn writesame(self: &Arc<Self>, offset: u64, len: u64, data: Vec<u8>) -> Result<u64> {
        wait(|d| self.aio_writesame(offset, len, data, d))
    }

    pub fn discard(self: &Arc<Self>, offset: u64, len: u64) -> Result<u64> {
        wait(|d| self.aio_discard(offset, len, d))
    }

    pub fn write_zeroes(self: &Arc<Self>, offset: u64, len: u64) -> Result<u64> {
        wait(|d| self.aio_write_zeroes(offset, len, d))
    }

    pub fn write_zeroes_thick(self: &Arc<Self>, offset: u64, len: u64) -> Result<u64> {
        wait(|d| self.aio_write_zeroes_thick(offset, len, d))
    }

    pub fn compare_and_write(self: &Arc<Self>, offset: u64, cmp: Vec<u8>, data: Vec<u8>) -> Result<u64> {
        wait(|d| self.aio_compare_and_write(offset, cmp, data, d))
    }

    pub fn flush(self: &Arc<Self>) -> Result<()> {
        wait(|d| self.aio_flush(d)).map(|_| ())
    }

    /// Reads [`offset`, `offset + len`) (clipped to the image) period by
    /// period, handing each piece to `each(offset relative to the start,
    /// data)`; a negative return from `each` stops with that code. Returns
    /// the byte count read.
    pub fn read_iterate(
        self: &Arc<Self>,
        offset: u64,
        len: u64,
        each: &mut dyn FnMut(u64, &[u8]) -> i32,
    ) -> Result<u64> {
        let len = self.clip(offset, len)?;
        let layout = self.header().layout();
        let period = layout.object_size * layout.stripe_count;
        let (mut done, mut cur) = (0u64, offset);
        while done < len {
            let piece = (period - cur % period).min(len - done);
            let data = self.read(cur, piece)?;
            let r = each(done, &data);
            if r < 0 {
                return Err(Error::remote(r, "read_iterate callback"));
            }
            done += data.len() as u64;
            cur += data.len() as u64;
            if data.is_empty() {
                break;
            }
        }
        Ok(done)
    }
}

/// Runs an asynchronous request and waits for its outcome.
fn wait<T: Send + 'static>(start: impl FnOnce(Done<T>)) -> Result<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    start(Box::new(move |r| {
        let _ = tx.send(r);
    }));
    rx.recv().unwrap_or_else(|_| Err(Error::Corrupt("request dropped".into())))
}
