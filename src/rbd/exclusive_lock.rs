//! The exclusive lock (`ExclusiveLock`/`ManagedLock`): a cls `lock` exclusive
//! lock `rbd_lock` on the header, tag `internal`, cookie `auto <watch handle>`,
//! taken before the first write and released on close or when a peer asks for
//! it through the header watch.
//!
//! Writers hold `io_gate` shared while they check ownership and submit; a
//! release holds it exclusively, then waits for in-flight I/O, so that no write
//! reaches RADOS without the lock.

use std::sync::{Condvar, Mutex, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use super::image::Image;
use super::notify_messages::{decode_response, ClientId, NotifyMessage};
use super::object_names::LOCK_NAME;
use crate::cls::lock::LOCK_EXCLUSIVE;
use crate::cls::rbd::features;
use crate::denc::{Decode, Encode};
use crate::error::{Error, Result};
use crate::rados::LockRequest;

pub(crate) const LOCK_TAG: &str = "internal";
const COOKIE_PREFIX: &str = "auto";
/// How long a peer is given to hand the lock over before asking again.
const HANDOVER_WAIT: Duration = Duration::from_millis(1000);
/// Give up acquiring after this long (a peer that never lets go).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);
const NOTIFY_TIMEOUT_MS: u64 = 5000;

#[derive(Default)]
struct State {
    owner: bool,
    cookie: String,
    acquiring: bool,
    /// Taken by `rbd_lock_acquire`: kept against peers' requests, and never
    /// taken again automatically once released (writes then fail: EROFS).
    manual: bool,
    /// Bumped whenever a peer says it released the lock.
    releases_seen: u64,
}

/// One image handle's view of the exclusive lock.
#[derive(Default)]
pub struct ExclusiveLock {
    state: Mutex<State>,
    changed: Condvar,
    io_gate: RwLock<()>,
}

/// The cookie of a watch handle's lock.
pub fn cookie_for(handle: u64) -> String {
    format!("{COOKIE_PREFIX} {handle}")
}

/// The watch handle of a lock cookie made by `cookie_for`.
pub fn handle_of(cookie: &str) -> Option<u64> {
    let (prefix, handle) = cookie.split_once(' ')?;
    (prefix == COOKIE_PREFIX).then(|| handle.trim().parse().ok()).flatten()
}

impl ExclusiveLock {
    fn lock_state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn is_owner(&self) -> bool {
        self.lock_state().owner
    }

    /// Held by writers while they check ownership and submit.
    pub fn io_guard(&self) -> RwLockReadGuard<'_, ()> {
        self.io_gate.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Held by an operation that must see no write start meanwhile (a
    /// snapshot): writers wait at `io_guard`. Not to be held across `release`.
    pub fn block_writes(&self) -> std::sync::RwLockWriteGuard<'_, ()> {
        self.io_gate.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The lock's cookie while this handle owns it.
    pub fn owner_cookie(&self) -> Option<String> {
        let st = self.lock_state();
        st.owner.then(|| st.cookie.clone())
    }

    /// Whether the lock is held for `rbd_lock_acquire` (kept against peers).
    pub fn is_manual(&self) -> bool {
        self.lock_state().manual
    }

    /// `rbd_lock_acquire`: takes the lock (asking an owner to hand it over)
    /// and keeps it against peers' requests until `release_manual`.
    /// Errors: EINVAL without the exclusive-lock feature; EROFS; the lock's.
    pub fn acquire_manual(&self, image: &Image) -> Result<()> {
        if image.header().features & features::EXCLUSIVE_LOCK == 0 {
            return Err(Error::invalid("the image has no exclusive-lock feature"));
        }
        self.acquire_for(image, true)?;
        self.lock_state().manual = true;
        Ok(())
    }

    /// `rbd_lock_release`: EINVAL unless held (for `rbd_lock_acquire` or
    /// not); afterwards writes fail (EROFS) until the lock is acquired again.
    pub fn release_manual(&self, image: &Image) -> Result<()> {
        if image.header().features & features::EXCLUSIVE_LOCK == 0 || !self.is_owner() {
            return Err(Error::invalid("the lock is not held"));
        }
        self.lock_state().manual = true;
        self.release(image)
    }

    /// A peer announced it released the lock.
    pub fn peer_released(&self) {
        self.lock_state().releases_seen += 1;
        self.changed.notify_all();
    }

    /// Makes this handle the owner, when the image has the feature and it is
    /// not already. Errors: EROFS (read-only), EBUSY (locked by something that
    /// is not an image handle, or a peer that never lets go), RADOS errors.
    pub fn acquire(&self, image: &Image) -> Result<()> {
        self.acquire_for(image, false)
    }

    /// `acquire`; `explicit` (for `rbd_lock_acquire`) also after a
    /// `rbd_lock_release`, which otherwise leaves writes failing with EROFS.
    fn acquire_for(&self, image: &Image, explicit: bool) -> Result<()> {
        if image.header().features & features::EXCLUSIVE_LOCK == 0 {
            return Ok(());
        }
        image.check_writable()?;
        let mut st = self.lock_state();
        loop {
            if st.owner {
                return Ok(());
            }
            if st.manual && !explicit {
                return Err(Error::ReadOnly("the lock was released by rbd_lock_release".into()));
            }
            if !st.acquiring {
                break;
            }
            st = self.changed.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        st.acquiring = true;
        drop(st);
        let result = self.acquire_locked(image);
        let mut st = self.lock_state();
        st.acquiring = false;
        if let Ok(cookie) = &result {
            st.owner = true;
            st.cookie = cookie.clone();
        }
        drop(st);
        self.changed.notify_all();
        result?;
        if let Err(e) = image.object_map.open(image) {
            let _ = self.release(image);
            return Err(e);
        }
        notify_async(image, NotifyMessage::AcquiredLock(client_id(image)));
        Ok(())
    }

    fn acquire_locked(&self, image: &Image) -> Result<String> {
        let handle = image.watch_handle();
        let cookie = cookie_for(handle);
        let header = image.header_oid.as_bytes();
        let request =
            LockRequest { name: LOCK_NAME, cookie: &cookie, tag: LOCK_TAG, description: "", duration: None, flags: 0 };
        let deadline = Instant::now() + ACQUIRE_TIMEOUT;
        loop {
            match image.io.lock(header, false, &request) {
                Ok(()) => return Ok(cookie),
                // this handle already holds it (a reopen after a crash of ours)
                Err(e) if e.errno() == libc::EEXIST => return Ok(cookie),
                Err(e) if e.errno() != libc::EBUSY => return Err(e),
                Err(_) => {}
            }
            if Instant::now() >= deadline {
                return Err(Error::Busy("exclusive lock held by another client".into()));
            }
            let info = image.io.lock_info(header, LOCK_NAME)?;
            let Some((id, _)) = info.lockers.iter().next() else { continue };
            if info.tag != LOCK_TAG || info.lock_type != LOCK_EXCLUSIVE {
                return Err(Error::Busy("image locked by another application".into()));
            }
            let Some(owner_handle) = handle_of(&id.cookie) else {
                return Err(Error::Busy("image locked by another application".into()));
            };
            let watchers = image.io.list_watchers(header)?;
            let alive = watchers.iter().any(|w| w.watcher_id == id.locker.num && w.cookie == owner_handle);
            if !alive {
                // the owner is gone: take its lock over
                break_dead_owner(image, id, &info.lockers[id].addr)?;
                continue;
            }
            self.request_from_owner(image)?;
        }
    }

    /// Asks the owner to hand the lock over and waits a while for its release.
    fn request_from_owner(&self, image: &Image) -> Result<()> {
        let seen = self.lock_state().releases_seen;
        let message = NotifyMessage::RequestLock { client: client_id(image), force: false };
        let (r, reply) = image.io.notify_wait(image.header_oid.as_bytes(), &message.to_bytes(), NOTIFY_TIMEOUT_MS);
        if r < 0 && r != -libc::ETIMEDOUT {
            return Err(Error::remote(r, "lock request"));
        }
        // an owner that refuses answers with an error
        if let Some(err) = refusal(&reply) {
            return Err(Error::remote(err, "lock owner refused to release the lock"));
        }
        let mut st = self.lock_state();
        let until = Instant::now() + HANDOVER_WAIT;
        while st.releases_seen == seen {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            st = self.changed.wait_timeout(st, left).unwrap_or_else(|e| e.into_inner()).0;
        }
        Ok(())
    }

    /// Releases the lock if held: stops new writes, waits for in-flight ones,
    /// closes the object map, unlocks, and tells the peers.
    pub fn release(&self, image: &Image) -> Result<()> {
        let _gate = self.io_gate.write().unwrap_or_else(|e| e.into_inner());
        let cookie = {
            let st = self.lock_state();
            if !st.owner {
                return Ok(());
            }
            st.cookie.clone()
        };
        image.inflight.wait();
        image.object_map.close(image);
        let result = match image.io.unlock(image.header_oid.as_bytes(), LOCK_NAME, &cookie) {
            Err(e) if e.errno() == libc::ENOENT => Ok(()),
            other => other,
        };
        {
            let mut st = self.lock_state();
            st.owner = false;
            st.cookie.clear();
        }
        self.changed.notify_all();
        notify_async(image, NotifyMessage::ReleasedLock(client_id(image)));
        result
    }
}

/// This handle as lock messages name it.
fn client_id(image: &Image) -> ClientId {
    ClientId { gid: image.io.backend().instance_id(), handle: image.watch_handle() }
}

/// Sends a notification without waiting (safe from a watch callback).
pub(crate) fn notify_async(image: &Image, message: NotifyMessage) {
    image.io.notify(image.header_oid.as_bytes(), &message.to_bytes(), NOTIFY_TIMEOUT_MS, Box::new(|_, _| {}));
}

/// The first error a watcher answered a notification with.
fn refusal(reply: &[u8]) -> Option<i32> {
    let acks = Vec::<((u64, u64), Vec<u8>)>::from_bytes(reply).ok()?;
    acks.iter().filter_map(|(_, payload)| decode_response(payload)).find(|r| *r < 0)
}

/// Breaks the lock of an owner whose watch is gone, as upstream's
/// `BreakRequest`: the lock is read again (a changed owner is left alone,
/// the caller tries again), the dead owner is blocklisted first when
/// `rbd_blocklist_on_break_lock` says so — so that a client that was only cut
/// off cannot write once it comes back — and then its lock is broken.
/// Errors: EINVAL for this client's own lock; the blocklist command's or the
/// break's error (ENOENT, a lock already gone, is success). The local store
/// has no blocklist (EOPNOTSUPP): there a dead client cannot come back.
fn break_dead_owner(image: &Image, id: &crate::cls::lock::LockerId, addr: &crate::denc::EntityAddr) -> Result<()> {
    let header = image.header_oid.as_bytes();
    let info = image.io.lock_info(header, LOCK_NAME)?;
    if !info.lockers.contains_key(id) {
        return Ok(());
    }
    let config = image.config.read().unwrap_or_else(|e| e.into_inner()).clone();
    if config.blocklist_on_break_lock {
        if u64::try_from(id.locker.num).ok() == Some(image.io.backend().instance_id()) {
            return Err(Error::invalid("attempting to blocklist this client itself"));
        }
        let expire = u32::try_from(config.blocklist_expire_seconds).unwrap_or(u32::MAX);
        match image.io.rados().blocklist_add(&addr.legacy_string(), expire) {
            Ok(()) => {}
            Err(e) if e.errno() == libc::EOPNOTSUPP => {}
            Err(e) => return Err(e),
        }
    }
    match image.io.break_lock(header, LOCK_NAME, id.locker, &id.cookie) {
        Err(e) if e.errno() != libc::ENOENT => Err(e),
        _ => Ok(()),
    }
}
