//! Watch and notify through an I/O context: the object checks RADOS makes
//! before the backend registers a watch or delivers a notify.

use std::sync::Arc;

use super::backend::{NotifyReplyCallback, WatchHandler};
use super::object::WatcherInfo;
use super::op::{ObjectOperation, OpStep};
use super::IoCtx;
use crate::error::{Error, Result};

impl IoCtx {
    /// Fails with the OSD's error (-ENOENT) unless the object exists.
    fn require_object(&self, name: &[u8]) -> Result<()> {
        let reply = self.operate(name, ObjectOperation::single(OpStep::AssertExists));
        if reply.result < 0 {
            return Err(Error::remote(reply.result, "watched object"));
        }
        Ok(())
    }

    /// Watches object `name`; notifies and errors go to `handler`. `timeout_secs`
    /// 0 takes `osd_client_watch_timeout`. Returns the watch cookie.
    /// Errors: -ENOENT for a missing object.
    pub fn watch(&self, name: &[u8], timeout_secs: u32, handler: Arc<dyn WatchHandler>) -> Result<u64> {
        self.require_object(name)?;
        let timeout = if timeout_secs == 0 {
            self.rados().context().config().get_u64("osd_client_watch_timeout") as u32
        } else {
            timeout_secs
        };
        self.backend().watch(&self.target(name), timeout, handler)
    }

    /// Ends a watch. Errors: -ENOENT for an unknown cookie.
    pub fn unwatch(&self, cookie: u64) -> Result<()> {
        self.backend().unwatch(cookie)
    }

    /// Milliseconds since the watch was last confirmed. Errors: -ENOTCONN.
    pub fn watch_check(&self, cookie: u64) -> Result<u64> {
        self.backend().watch_check(cookie)
    }

    /// The watchers of object `name`. Errors: -ENOENT for a missing object.
    pub fn list_watchers(&self, name: &[u8]) -> Result<Vec<WatcherInfo>> {
        self.require_object(name)?;
        self.backend().list_watchers(&self.target(name))
    }

    /// Notifies every watcher of object `name` and calls `on_reply` with 0 or
    /// -ETIMEDOUT and the encoded acknowledgements. `timeout_ms` 0 takes
    /// `client_notify_timeout` (seconds). A missing object answers -ENOENT.
    pub fn notify(&self, name: &[u8], payload: &[u8], timeout_ms: u64, on_reply: NotifyReplyCallback) {
        if let Err(e) = self.require_object(name) {
            return on_reply(-e.errno(), Vec::new());
        }
        let timeout_ms = if timeout_ms == 0 {
            self.rados().context().config().get_u64("client_notify_timeout") * 1000
        } else {
            timeout_ms
        };
        self.backend().notify(&self.target(name), payload, timeout_ms, on_reply);
    }

    /// As `notify`, waiting for the outcome: (result, encoded reply).
    pub fn notify_wait(&self, name: &[u8], payload: &[u8], timeout_ms: u64) -> (i32, Vec<u8>) {
        let (tx, rx) = std::sync::mpsc::channel();
        self.notify(
            name,
            payload,
            timeout_ms,
            Box::new(move |r, reply| {
                let _ = tx.send((r, reply));
            }),
        );
        rx.recv().unwrap_or((-libc::ESHUTDOWN, Vec::new()))
    }

    /// Acknowledges notify `notify_id` received by watch `cookie` on `name`.
    pub fn notify_ack(&self, name: &[u8], notify_id: u64, cookie: u64, payload: &[u8]) -> Result<()> {
        self.backend().notify_ack(&self.target(name), notify_id, cookie, payload)
    }
}
