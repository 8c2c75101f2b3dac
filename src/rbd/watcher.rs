//! The header watch (`ImageWatcher`): a read-write handle watches its image's
//! header to hear lock requests and releases and header updates from peers,
//! and answers every notification.

use std::sync::{Arc, Weak};

use super::exclusive_lock::notify_async;
use super::image::Image;
use super::notify_messages::{response, NotifyMessage};
use crate::denc::Decode;
use crate::error::Result;
use crate::rados::backend::WatchHandler;
use crate::rados::IoCtx;

/// A registered header watch.
pub struct Watcher {
    cookie: u64,
}

struct HeaderWatch {
    image: Weak<Image>,
    io: Arc<IoCtx>,
    header_oid: Vec<u8>,
}

impl WatchHandler for HeaderWatch {
    fn notify(&self, notify_id: u64, cookie: u64, _notifier_id: u64, payload: &[u8]) {
        let mut reply = Vec::new();
        if let (Some(image), Ok(message)) = (self.image.upgrade(), NotifyMessage::from_bytes(payload)) {
            match message {
                NotifyMessage::ReleasedLock(_) => image.lock.peer_released(),
                NotifyMessage::HeaderUpdate => image.mark_stale(),
                NotifyMessage::RequestLock { .. } if image.lock.is_owner() && !image.is_closed() => {
                    reply = response(0);
                    // answer first, then hand the lock over (not on this thread's time)
                    let _ = self.io.notify_ack(&self.header_oid, notify_id, cookie, &reply);
                    std::thread::spawn(move || {
                        let _ = image.lock.release(&image);
                    });
                    return;
                }
                _ => {}
            }
        }
        let _ = self.io.notify_ack(&self.header_oid, notify_id, cookie, &reply);
    }

    fn error(&self, _cookie: u64, _err: i32) {
        // the watch was lost (the header went away, or the connection): what
        // we knew may be stale
        if let Some(image) = self.image.upgrade() {
            image.mark_stale();
        }
    }
}

impl Watcher {
    /// Watches `image`'s header.
    pub fn register(image: &Arc<Image>) -> Result<Watcher> {
        let handler = HeaderWatch {
            image: Arc::downgrade(image),
            io: image.io.clone(),
            header_oid: image.header_oid.as_bytes().to_vec(),
        };
        let cookie = image.io.watch(image.header_oid.as_bytes(), 0, Arc::new(handler))?;
        Ok(Watcher { cookie })
    }

    pub fn cookie(&self) -> u64 {
        self.cookie
    }

    pub fn unregister(&self, io: &IoCtx) {
        let _ = io.unwatch(self.cookie);
    }
}

/// Tells every handle of an image that its header changed.
pub fn notify_header_update(image: &Image) {
    notify_async(image, NotifyMessage::HeaderUpdate);
}
