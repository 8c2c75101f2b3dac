//! Watch and notify within one process.
//!
//! Watch callbacks run in order on one dedicated thread (never on a caller's
//! thread, never with a lock held), so that a callback may call back into the
//! library — `rados_notify_ack` from inside the callback is the usual pattern.
//! A notify completes when every watcher has acknowledged it or at its
//! timeout; its reply is encoded as an OSD encodes it:
//! `map<(gid, cookie), bufferlist> acks` then `list<(gid, cookie)> missed`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::denc::Encode;
use crate::error::{Error, Result};
use crate::rados::backend::WatchHandler;
use crate::rados::object::WatcherInfo;

/// Identifies the watched object: pool and object identity.
pub(crate) type WatchTarget = (i64, Vec<u8>, Vec<u8>, Vec<u8>);

/// Called with a notify's result (0 or -ETIMEDOUT) and its encoded reply.
pub(crate) type NotifyDone = Box<dyn FnOnce(i32, Vec<u8>) + Send>;

struct Watch {
    target: WatchTarget,
    client: u64,
    addr: String,
    timeout: u32,
    handler: Arc<dyn WatchHandler>,
}

struct PendingNotify {
    waiting: BTreeSet<(u64, u64)>,
    acks: BTreeMap<(u64, u64), Vec<u8>>,
    deadline: Instant,
    done: NotifyDone,
}

#[derive(Default)]
struct State {
    watches: BTreeMap<u64, Watch>,
    notifies: HashMap<u64, PendingNotify>,
    next_cookie: u64,
    next_notify: u64,
    stopping: bool,
}

enum Callback {
    Run(Box<dyn FnOnce() + Send>),
    Barrier(Sender<()>),
}

/// The watches and pending notifies of one store.
pub(crate) struct Watches {
    state: Mutex<State>,
    timer_wakeup: Condvar,
    callbacks: Mutex<Option<Sender<Callback>>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Watches {
    pub fn start() -> Arc<Watches> {
        let (tx, rx) = channel::<Callback>();
        let watches = Arc::new(Watches {
            state: Mutex::new(State { next_cookie: 1, next_notify: 1, ..State::default() }),
            timer_wakeup: Condvar::new(),
            callbacks: Mutex::new(Some(tx)),
            threads: Mutex::new(Vec::new()),
        });
        let runner = std::thread::Builder::new()
            .name("cephrs-watch-cb".into())
            .spawn(move || {
                for job in rx {
                    match job {
                        Callback::Run(f) => {
                            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
                        }
                        Callback::Barrier(done) => {
                            let _ = done.send(());
                        }
                    }
                }
            })
            .expect("spawn watch callback thread");
        let weak = Arc::downgrade(&watches);
        let timer = std::thread::Builder::new()
            .name("cephrs-watch-timer".into())
            .spawn(move || {
                while let Some(w) = weak.upgrade() {
                    if !w.expire_notifies() {
                        break;
                    }
                }
            })
            .expect("spawn watch timer thread");
        watches.threads.lock().unwrap_or_else(|e| e.into_inner()).extend([runner, timer]);
        watches
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn run_callback(&self, f: impl FnOnce() + Send + 'static) {
        if let Some(tx) = self.callbacks.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            let _ = tx.send(Callback::Run(Box::new(f)));
        }
    }

    pub fn watch(
        &self,
        target: WatchTarget,
        client: u64,
        addr: String,
        timeout: u32,
        handler: Arc<dyn WatchHandler>,
    ) -> u64 {
        let mut s = self.lock();
        let cookie = s.next_cookie;
        s.next_cookie += 1;
        s.watches.insert(cookie, Watch { target, client, addr, timeout, handler });
        cookie
    }

    pub fn unwatch(&self, cookie: u64) -> Result<()> {
        let mut s = self.lock();
        let watch = s.watches.remove(&cookie).ok_or_else(|| Error::remote(-libc::ENOENT, "no such watch"))?;
        // notifies still waiting for this watcher count it as missed
        let id = (watch.client, cookie);
        let finished: Vec<u64> = s
            .notifies
            .iter_mut()
            .filter_map(|(nid, n)| (n.waiting.remove(&id) && n.waiting.is_empty()).then_some(*nid))
            .collect();
        let done: Vec<PendingNotify> = finished.into_iter().filter_map(|nid| s.notifies.remove(&nid)).collect();
        drop(s);
        for n in done {
            // the departed watcher did not answer: a timeout, as the OSD reports it
            let reply = encode_reply(&n.acks, &[id]);
            (n.done)(-libc::ETIMEDOUT, reply);
        }
        Ok(())
    }

    /// The object behind `target` is gone: its watches end, each owner's error
    /// callback receives `err` (-ENOTCONN), as when the OSD disconnects them.
    pub fn disconnect(&self, target: &WatchTarget, err: i32) {
        let cookies: Vec<u64> =
            self.lock().watches.iter().filter(|(_, w)| &w.target == target).map(|(c, _)| *c).collect();
        for cookie in cookies {
            let handler = self.lock().watches.get(&cookie).map(|w| w.handler.clone());
            if self.unwatch(cookie).is_ok() {
                if let Some(h) = handler {
                    self.run_callback(move || h.error(cookie, err));
                }
            }
        }
    }

    pub fn check(&self, cookie: u64) -> Result<u64> {
        if self.lock().watches.contains_key(&cookie) {
            Ok(0)
        } else {
            Err(Error::remote(-libc::ENOTCONN, "no such watch"))
        }
    }

    pub fn watchers(&self, target: &WatchTarget) -> Vec<WatcherInfo> {
        self.lock()
            .watches
            .iter()
            .filter(|(_, w)| &w.target == target)
            .map(|(cookie, w)| WatcherInfo {
                addr: w.addr.clone(),
                watcher_id: w.client as i64,
                cookie: *cookie,
                timeout_seconds: w.timeout,
            })
            .collect()
    }

    /// Sends a notify; `done` runs on the callback thread with the result.
    pub fn notify(&self, target: &WatchTarget, notifier: u64, payload: &[u8], timeout: Duration, done: NotifyDone) {
        let mut s = self.lock();
        let watchers: Vec<(u64, u64, Arc<dyn WatchHandler>)> = s
            .watches
            .iter()
            .filter(|(_, w)| &w.target == target)
            .map(|(cookie, w)| (*cookie, w.client, w.handler.clone()))
            .collect();
        if watchers.is_empty() {
            drop(s);
            let reply = encode_reply(&BTreeMap::new(), &[]);
            self.run_callback(move || done(0, reply));
            return;
        }
        let notify_id = s.next_notify;
        s.next_notify += 1;
        let waiting = watchers.iter().map(|(cookie, client, _)| (*client, *cookie)).collect();
        s.notifies.insert(
            notify_id,
            PendingNotify { waiting, acks: BTreeMap::new(), deadline: Instant::now() + timeout, done: Box::new(done) },
        );
        drop(s);
        self.timer_wakeup.notify_all();
        let payload = payload.to_vec();
        for (cookie, _, handler) in watchers {
            let payload = payload.clone();
            self.run_callback(move || handler.notify(notify_id, cookie, notifier, &payload));
        }
    }

    /// A watcher's acknowledgement; completes the notify when it was the last.
    pub fn ack(&self, notify_id: u64, cookie: u64, client: u64, payload: &[u8]) -> Result<()> {
        let mut s = self.lock();
        let Some(n) = s.notifies.get_mut(&notify_id) else {
            // late or duplicate acks are ignored, as the OSD does
            return Ok(());
        };
        if n.waiting.remove(&(client, cookie)) {
            n.acks.insert((client, cookie), payload.to_vec());
        }
        if n.waiting.is_empty() {
            let n = s.notifies.remove(&notify_id).expect("present");
            drop(s);
            let reply = encode_reply(&n.acks, &[]);
            self.run_callback(move || (n.done)(0, reply));
        }
        Ok(())
    }

    /// An acknowledgement from the owner of watch `cookie`.
    pub fn ack_by_cookie(&self, notify_id: u64, cookie: u64, payload: &[u8]) -> Result<()> {
        let client = self.lock().watches.get(&cookie).map(|w| w.client);
        match client {
            Some(client) => self.ack(notify_id, cookie, client, payload),
            None => Err(Error::remote(-libc::ENOENT, "no such watch")),
        }
    }

    /// Completes notifies past their deadline; false when stopping.
    fn expire_notifies(&self) -> bool {
        let mut s = self.lock();
        if s.stopping {
            return false;
        }
        let now = Instant::now();
        let expired: Vec<u64> = s.notifies.iter().filter(|(_, n)| n.deadline <= now).map(|(id, _)| *id).collect();
        let mut done = Vec::new();
        for id in expired {
            let n = s.notifies.remove(&id).expect("present");
            let missed: Vec<(u64, u64)> = n.waiting.iter().copied().collect();
            done.push((n.done, encode_reply(&n.acks, &missed)));
        }
        let next = s.notifies.values().map(|n| n.deadline).min();
        if done.is_empty() {
            let wait = next.map_or(Duration::from_secs(1), |d| d.saturating_duration_since(now));
            let _ = self.timer_wakeup.wait_timeout(s, wait.min(Duration::from_secs(1)));
        } else {
            drop(s);
            for (f, reply) in done {
                self.run_callback(move || f(-libc::ETIMEDOUT, reply));
            }
        }
        true
    }

    /// Waits until every callback queued so far has run.
    pub fn flush(&self) {
        let (tx, rx) = channel();
        if let Some(cb) = self.callbacks.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            let _ = cb.send(Callback::Barrier(tx));
        } else {
            return;
        }
        let _ = rx.recv();
    }

    /// Drops the watches of a client that is going away.
    pub fn forget_client(&self, client: u64) {
        let cookies: Vec<u64> =
            self.lock().watches.iter().filter(|(_, w)| w.client == client).map(|(c, _)| *c).collect();
        for c in cookies {
            let _ = self.unwatch(c);
        }
    }

    pub fn stop(&self) {
        self.lock().stopping = true;
        self.timer_wakeup.notify_all();
        self.callbacks.lock().unwrap_or_else(|e| e.into_inner()).take();
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|e| e.into_inner()));
        for t in threads {
            if t.thread().id() != std::thread::current().id() {
                let _ = t.join();
            }
        }
    }
}

/// The notify reply as an OSD encodes it.
pub(crate) fn encode_reply(acks: &BTreeMap<(u64, u64), Vec<u8>>, missed: &[(u64, u64)]) -> Vec<u8> {
    let mut out = Vec::new();
    acks.encode(&mut out);
    missed.encode(&mut out);
    out
}
