//! What an `rbd_image_t` names: the open engine image, plus the C-side state
//! of the handle — the event socket of `rbd_set_image_notification` and the
//! queue of finished completions that `rbd_poll_io_events` drains — and the
//! plumbing that ties a C completion to an image request.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use crate::capi::completions;
use crate::capi::prelude::*;
use crate::rados::Completion;
use crate::rbd::Image;

/// An open image as C holds it.
pub(crate) struct ImageEntry {
    pub(crate) image: Arc<Image>,
    events: Mutex<EventSocket>,
}

/// Where finished asynchronous requests are announced.
#[derive(Default)]
struct EventSocket {
    /// (file descriptor, `EVENT_TYPE_PIPE` or `EVENT_TYPE_EVENTFD`).
    target: Option<(c_int, c_int)>,
    /// Handles of finished completions not yet polled.
    completed: VecDeque<usize>,
}

impl ImageEntry {
    pub(crate) fn new(image: Arc<Image>) -> ImageEntry {
        ImageEntry { image, events: Mutex::new(EventSocket::default()) }
    }

    fn events(&self) -> std::sync::MutexGuard<'_, EventSocket> {
        self.events.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `rbd_set_image_notification`: EINVAL for a negative descriptor or an
    /// unknown type.
    pub(crate) fn set_notification(&self, fd: c_int, kind: c_int) -> Result<()> {
        if fd < 0 || !(kind == EVENT_TYPE_PIPE || kind == EVENT_TYPE_EVENTFD) {
            return Err(Error::invalid("bad event socket"));
        }
        self.events().target = Some((fd, kind));
        Ok(())
    }

    /// Moves finished completions, oldest first, into `out` (as many as fit);
    /// returns their count.
    pub(crate) fn poll(&self, out: &mut [usize]) -> usize {
        let mut events = self.events();
        let n = out.len().min(events.completed.len());
        for (slot, handle) in out.iter_mut().zip(events.completed.drain(..n)) {
            *slot = handle;
        }
        n
    }

    /// Prepares C completion `c` for one request on this image: marks it used
    /// and, when an event socket is set, arranges that it is queued and
    /// announced after its callback ran (as upstream's `AioCompletion`).
    /// Returns the C completion, whose engine completion the request completes.
    pub(crate) fn start_aio(self: &Arc<Self>, c: rbd_completion_t) -> Result<Arc<completions::CompletionEntry>> {
        let entry = RBD_COMPLETIONS.get(c)?;
        if self.events().target.is_some() {
            completions::submit_announced(&entry, self.clone())?;
        } else {
            completions::submit(&entry)?;
        }
        Ok(entry)
    }
}

impl completions::Announce for ImageEntry {
    fn announce(&self, handle: usize) {
        let target = {
            let mut events = self.events();
            events.completed.push_back(handle);
            events.target
        };
        match target {
            Some((fd, EVENT_TYPE_EVENTFD)) => {
                let one: u64 = 1;
                // SAFETY: writes 8 bytes from a live local to the caller's eventfd.
                let _ = unsafe { libc::write(fd, (&one as *const u64).cast(), 8) };
            }
            Some((fd, _)) => {
                let byte = b'i';
                // SAFETY: writes 1 byte from a live local to the caller's pipe.
                let _ = unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
            }
            None => {}
        }
    }
}

/// The open image behind an `rbd_image_t`. Errors: EINVAL for NULL, EBADF for
/// a closed or foreign handle.
pub(crate) fn image_entry(handle: rbd_image_t) -> Result<Arc<ImageEntry>> {
    IMAGES.get(handle)
}

/// The engine image behind an `rbd_image_t` (see `image_entry`).
pub(crate) fn image(handle: rbd_image_t) -> Result<Arc<Image>> {
    let image = IMAGES.get(handle)?.image.clone();
    image.check_open()?;
    Ok(image)
}

/// Completes an engine completion with `value` (once).
pub(crate) fn finish(completion: &Completion, value: i64) {
    if completion.claim() {
        completion.complete(value, 0);
    }
}

/// The completion value of an engine result: `ok(value)` or `-errno`.
pub(crate) fn value_of<T>(result: Result<T>, ok: impl FnOnce(T) -> i64) -> i64 {
    match result {
        Ok(v) => ok(v),
        Err(e) => -i64::from(e.errno()),
    }
}
