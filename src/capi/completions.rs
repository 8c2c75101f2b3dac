//! C completion handles (`rados_completion_t`, `rbd_completion_t`) over the
//! engine's `Completion`.
//!
//! The C callbacks run as the completion's observer, on the completing library thread,
//! with no lock held, and receive the handle and the caller's argument. As with
//! upstream's reference counting, releasing a submitted completion that has not
//! finished its callbacks keeps the handle alive until they have run.

use std::os::raw::c_void;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, Weak};

use super::handles::HandleTable;
use crate::error::{Error, Result};
use crate::rados::{Completion, CompletionObserver};

/// A C completion callback: `(completion handle, caller argument)`.
pub(crate) type CCallback = unsafe extern "C" fn(*mut c_void, *mut c_void);

/// Where a finished completion is announced after its callbacks (an image's
/// event socket, `rbd_set_image_notification`).
pub(crate) trait Announce: Send + Sync {
    fn announce(&self, handle: usize);
}

/// What a completion handle names.
pub(crate) struct CompletionEntry {
    pub(crate) completion: Completion,
    /// The caller's callback argument (`rbd_aio_get_arg`).
    pub(crate) arg: usize,
    /// At most two (librados's complete and safe callbacks), run in order.
    callbacks: [Option<CCallback>; 2],
    table: &'static HandleTable<CompletionEntry>,
    handle: AtomicUsize,
    announce_to: OnceLock<Arc<dyn Announce>>,
    submitted: AtomicBool,
    released: AtomicBool,
    callbacks_done: AtomicBool,
}

/// Registers a new completion whose C `callbacks` run in order when it completes.
pub(crate) fn create(
    table: &'static HandleTable<CompletionEntry>,
    arg: *mut c_void,
    callbacks: &[Option<CCallback>],
) -> *mut c_void {
    debug_assert!(callbacks.len() <= 2);
    let entry = Arc::new(CompletionEntry {
        completion: Completion::new(),
        arg: arg as usize,
        callbacks: [callbacks.first().copied().flatten(), callbacks.get(1).copied().flatten()],
        table,
        handle: AtomicUsize::new(0),
        announce_to: OnceLock::new(),
        submitted: AtomicBool::new(false),
        released: AtomicBool::new(false),
        callbacks_done: AtomicBool::new(false),
    });
    let handle = table.insert(entry.clone());
    entry.handle.store(handle as usize, Ordering::SeqCst);
    let observer: Weak<dyn CompletionObserver> = Arc::downgrade(&entry) as Weak<CompletionEntry>;
    entry.completion.observe(observer);
    handle
}

impl CompletionObserver for CompletionEntry {
    /// The C callbacks, then the announcement, then the deferred release
    /// (upstream's `AioCompletion::complete` order).
    fn completed(&self, _result: i64) {
        let handle = self.handle.load(Ordering::SeqCst);
        for callback in self.callbacks.into_iter().flatten() {
            // SAFETY: C supplied this callback for this completion; it receives the
            // handle and argument it was created with.
            unsafe { callback(handle as *mut c_void, self.arg as *mut c_void) };
        }
        if let Some(target) = self.announce_to.get() {
            target.announce(handle);
        }
        if self.submitted.load(Ordering::SeqCst) {
            self.callbacks_done.store(true, Ordering::SeqCst);
            if self.released.load(Ordering::SeqCst) {
                let _ = self.table.remove(handle as *const c_void);
            }
        }
    }
}

/// Marks a completion as handed to an operation (each completion serves one);
/// from then on a release waits for its callbacks.
pub(crate) fn submit(entry: &Arc<CompletionEntry>) -> Result<()> {
    if entry.submitted.swap(true, Ordering::SeqCst) {
        return Err(Error::invalid("completion already used by another operation"));
    }
    Ok(())
}

/// As `submit`, and announces the completion to `target` after its callbacks.
pub(crate) fn submit_announced(entry: &Arc<CompletionEntry>, target: Arc<dyn Announce>) -> Result<()> {
    submit(entry)?;
    // (the first and only operation of this completion: the cell is empty)
    let _ = entry.announce_to.set(target);
    Ok(())
}

/// `rados_aio_release` / `rbd_aio_release`.
pub(crate) fn release(table: &'static HandleTable<CompletionEntry>, handle: *const c_void) -> Result<()> {
    let entry = table.get(handle)?;
    entry.released.store(true, Ordering::SeqCst);
    let idle = !entry.submitted.load(Ordering::SeqCst) || entry.callbacks_done.load(Ordering::SeqCst);
    if idle {
        let _ = table.remove(handle);
    }
    Ok(())
}

/// Blocks until complete (`with_callbacks`: and callbacks done). A completion
/// that was never submitted would block forever: that is `InvalidArgument`.
pub(crate) fn wait(entry: &Arc<CompletionEntry>, with_callbacks: bool) -> Result<i64> {
    if !entry.submitted.load(Ordering::SeqCst) {
        return Err(Error::invalid("waiting on a completion that no operation uses"));
    }
    Ok(if with_callbacks { entry.completion.wait_callbacks_done() } else { entry.completion.wait() })
}

/// Runs `work` on a new library thread and completes the C completion
/// `handle` with its value: for the rare asynchronous calls whose engine side
/// is synchronous (snapshots, watches). The callback never runs on the
/// caller's thread, as upstream.
pub(crate) fn complete_detached(
    table: &'static HandleTable<CompletionEntry>,
    handle: *const c_void,
    work: impl FnOnce() -> i64 + Send + 'static,
) -> Result<()> {
    let entry = table.get(handle)?;
    submit(&entry)?;
    std::thread::Builder::new()
        .name("cephrs-aio".into())
        .spawn(move || {
            if entry.completion.claim() {
                entry.completion.complete(work(), 0);
            }
        })
        .map_err(Error::Io)?;
    Ok(())
}

/// Cancels the operation behind a completion: it completes at once with
/// -ECANCELED and its reply, when it comes, is dropped (buffers untouched).
/// An operation already sent may still take effect, as upstream. A completion
/// with nothing in flight (never used, or done) is left alone, as upstream's
/// Objecter does for an unknown operation.
pub(crate) fn cancel(entry: &Arc<CompletionEntry>) {
    if entry.submitted.load(Ordering::SeqCst) && entry.completion.claim() {
        entry.completion.complete(-(libc::ECANCELED as i64), 0);
    }
}
