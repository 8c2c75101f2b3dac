//! The header watch (`ImageWatcher`): a read-write handle watches its image's
//! header to hear lock requests and releases and header updates from peers,
//! and answers every notification. While it owns the exclusive lock it runs
//! the operations peers ask of the owner (resize, snapshot create, remove,
//! rename, protect, unprotect): a request with an id is acknowledged at once
//! and its result announced with `AsyncComplete`; one without is answered
//! with its result. They run on a thread of their own, never on the
//! notification's.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, Weak};

use super::exclusive_lock::notify_async;
use super::image::Image;
use super::notify_messages::{response, AsyncRequestId, NotifyMessage, SnapRef};
use crate::cls::rbd::snapshot::NAMESPACE_USER;
use crate::denc::Decode;
use crate::error::Error;
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
    /// Asynchronous requests being run (a requester repeats its notification
    /// until acknowledged: a repeat is acknowledged, not run again).
    running: Arc<Mutex<HashSet<AsyncRequestId>>>,
}

/// The errno result of an operation, as a notification carries it.
fn result_of(outcome: crate::error::Result<()>) -> i32 {
    outcome.map_or_else(|e| -e.errno(), |_| 0)
}

/// Only user snapshots are made or changed on request here.
fn user_snapshot(snap: &SnapRef) -> crate::error::Result<&str> {
    if snap.namespace.kind != NAMESPACE_USER {
        return Err(Error::NotSupported("only user snapshots are handled for peers".into()));
    }
    Ok(&snap.name)
}

impl HeaderWatch {
    /// Runs `op` for a peer, off the notification thread: with a request id,
    /// acknowledges now and announces the result; without, answers with it.
    fn run_for_peer(
        &self,
        image: Arc<Image>,
        notify_id: u64,
        cookie: u64,
        request: Option<AsyncRequestId>,
        op: impl FnOnce(&Arc<Image>) -> crate::error::Result<()> + Send + 'static,
    ) {
        let (io, oid) = (self.io.clone(), self.header_oid.clone());
        let request = request.filter(|r| r.request_id != 0);
        if let Some(id) = request {
            let fresh = self.running.lock().unwrap_or_else(|e| e.into_inner()).insert(id);
            let _ = io.notify_ack(&oid, notify_id, cookie, &response(0));
            if !fresh {
                return;
            }
        }
        let running = self.running.clone();
        std::thread::spawn(move || {
            let result = result_of(op(&image));
            match request {
                Some(id) => {
                    notify_async(&image, NotifyMessage::AsyncComplete { request: id, result });
                    running.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
                }
                None => {
                    let _ = io.notify_ack(&oid, notify_id, cookie, &response(result));
                }
            }
        });
    }
}

impl WatchHandler for HeaderWatch {
    fn notify(&self, notify_id: u64, cookie: u64, _notifier_id: u64, payload: &[u8]) {
        let mut reply = Vec::new();
        if let (Some(image), Ok(message)) = (self.image.upgrade(), NotifyMessage::from_bytes(payload)) {
            let owner = image.lock.is_owner() && !image.is_closed();
            match message {
                NotifyMessage::Resize { size, request, allow_shrink } if owner => {
                    let op = move |image: &Arc<Image>| image.resize(size, allow_shrink, &mut |_, _| {});
                    return self.run_for_peer(image, notify_id, cookie, Some(request), op);
                }
                NotifyMessage::SnapCreate { snap, .. } if owner => {
                    let request = Some(snap.request);
                    let op = move |image: &Arc<Image>| image.create_snapshot(user_snapshot(&snap)?);
                    return self.run_for_peer(image, notify_id, cookie, request, op);
                }
                NotifyMessage::SnapRemove(snap) if owner => {
                    let request = Some(snap.request);
                    let op = move |image: &Arc<Image>| image.remove_snapshot(user_snapshot(&snap)?);
                    return self.run_for_peer(image, notify_id, cookie, request, op);
                }
                NotifyMessage::SnapRename { snap_id, new } if owner => {
                    let request = Some(new.request);
                    let op = move |image: &Arc<Image>| {
                        let from = image.snapshot(snap_id)?.name;
                        image.rename_snapshot(&from, user_snapshot(&new)?)
                    };
                    return self.run_for_peer(image, notify_id, cookie, request, op);
                }
                NotifyMessage::SnapProtect(snap) if owner => {
                    let request = Some(snap.request);
                    let op = move |image: &Arc<Image>| image.protect_snapshot(user_snapshot(&snap)?);
                    return self.run_for_peer(image, notify_id, cookie, request, op);
                }
                NotifyMessage::SnapUnprotect(snap) if owner => {
                    let request = Some(snap.request);
                    let op = move |image: &Arc<Image>| image.unprotect_snapshot(user_snapshot(&snap)?);
                    return self.run_for_peer(image, notify_id, cookie, request, op);
                }
                NotifyMessage::ReleasedLock(_) => image.lock.peer_released(),
                NotifyMessage::HeaderUpdate => image.mark_stale(),
                NotifyMessage::RequestLock { .. } if owner && image.lock.is_manual() => {
                    // held for rbd_lock_acquire: the peer's write fails
                    reply = response(-libc::EROFS);
                }
                NotifyMessage::RequestLock { .. } if owner => {
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
            running: Arc::default(),
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
