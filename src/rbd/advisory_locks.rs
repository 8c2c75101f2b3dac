//! Locks a user takes on an image's header by name (`librbd/internal`'s
//! `lock`, `unlock`, `break_lock`, `list_lockers`: cls `lock` "rbd_lock"
//! with the user's cookie and tag) and the owners of the managed exclusive
//! lock (`lock_get_owners`).

use std::sync::Arc;

use super::exclusive_lock::LOCK_TAG;
use super::image::Image;
use super::object_names::LOCK_NAME;
use super::watcher::notify_header_update;
use crate::cls::lock::LOCK_EXCLUSIVE;
use crate::cls::rbd::features;
use crate::denc::EntityNameT;
use crate::error::{Error, Result};
use crate::rados::LockRequest;

/// One holder of a user lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locker {
    /// `client.<id>`.
    pub client: String,
    pub cookie: String,
    /// The holder's address (`ip:port/nonce`).
    pub address: String,
}

/// The user locks of an image: whether exclusive, their tag, their holders.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lockers {
    pub exclusive: bool,
    pub tag: String,
    pub lockers: Vec<Locker>,
}

impl Image {
    /// The header lock as users see it: the managed exclusive lock (tag
    /// "internal") is not listed, as upstream hides it.
    pub fn list_lockers(&self) -> Result<Lockers> {
        self.check_open()?;
        let info = match self.io.lock_info(self.header_oid.as_bytes(), LOCK_NAME) {
            Ok(i) => i,
            Err(e) if e.errno() == libc::ENOENT => return Ok(Lockers::default()),
            Err(e) => return Err(e),
        };
        if info.tag == LOCK_TAG {
            return Ok(Lockers::default());
        }
        Ok(Lockers {
            exclusive: info.lock_type == LOCK_EXCLUSIVE,
            tag: info.tag.clone(),
            lockers: info
                .lockers
                .iter()
                .map(|(id, held)| Locker {
                    client: id.locker.to_string(),
                    cookie: id.cookie.clone(),
                    address: held.addr.legacy_string(),
                })
                .collect(),
        })
    }

    /// Takes a user lock (`shared` with `tag`), from a read-only handle too
    /// (as upstream). Errors: EEXIST (this client holds it with that
    /// cookie), EBUSY (held otherwise).
    pub fn lock_user(self: &Arc<Self>, shared: bool, cookie: &str, tag: &str) -> Result<()> {
        self.check_open()?;
        let request = LockRequest { name: LOCK_NAME, cookie, tag, description: "", duration: None, flags: 0 };
        self.io.lock(self.header_oid.as_bytes(), shared, &request)?;
        notify_header_update(self);
        Ok(())
    }

    /// Drops this client's user lock `cookie`. Errors: ENOENT.
    pub fn unlock_user(self: &Arc<Self>, cookie: &str) -> Result<()> {
        self.check_open()?;
        self.io.unlock(self.header_oid.as_bytes(), LOCK_NAME, cookie)?;
        notify_header_update(self);
        Ok(())
    }

    /// Breaks `client`'s user lock `cookie`, blocklisting the client first
    /// when `rbd_blocklist_on_break_lock` says so (not on the local store,
    /// which has no blocklist). Errors: EINVAL (not `client.<id>`), ENOENT
    /// (the client holds no lock, or not with that cookie).
    pub fn break_user_lock(self: &Arc<Self>, client: &str, cookie: &str) -> Result<()> {
        self.check_open()?;
        let locker = EntityNameT::parse(client).ok_or_else(|| Error::invalid(format!("bad client name {client}")))?;
        let config = self.config.read().unwrap_or_else(|e| e.into_inner()).clone();
        if config.blocklist_on_break_lock {
            let info = self.io.lock_info(self.header_oid.as_bytes(), LOCK_NAME)?;
            let Some((_, held)) = info.lockers.iter().find(|(id, _)| id.locker == locker) else {
                return Err(Error::not_found(format!("no lock of {client}")));
            };
            let expire = u32::try_from(config.blocklist_expire_seconds).unwrap_or(u32::MAX);
            match self.io.rados().blocklist_add(&held.addr.legacy_string(), expire) {
                Err(e) if e.errno() != libc::EOPNOTSUPP => return Err(e),
                _ => {}
            }
        }
        self.io.break_lock(self.header_oid.as_bytes(), LOCK_NAME, locker, cookie)?;
        notify_header_update(self);
        Ok(())
    }

    /// `rbd_lock_acquire` (exclusive mode): takes the managed lock and keeps
    /// it against peers' requests. Errors: EINVAL without the feature; EROFS.
    pub fn lock_acquire(&self) -> Result<()> {
        self.check_open()?;
        self.lock.acquire_manual(self)
    }

    /// `rbd_lock_release`: EINVAL unless this handle holds the lock; writes
    /// fail with EROFS afterwards, as upstream's.
    pub fn lock_release(&self) -> Result<()> {
        self.check_open()?;
        self.lock.release_manual(self)
    }

    /// The addresses of the managed exclusive lock's owners (none or one).
    /// Errors: EINVAL without the exclusive-lock feature.
    pub fn lock_owners(&self) -> Result<Vec<String>> {
        self.check_open()?;
        if self.header().features & features::EXCLUSIVE_LOCK == 0 {
            return Err(Error::invalid("the image has no exclusive-lock feature"));
        }
        let info = match self.io.lock_info(self.header_oid.as_bytes(), LOCK_NAME) {
            Ok(i) => i,
            Err(e) if e.errno() == libc::ENOENT => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        if info.tag != LOCK_TAG || info.lock_type != LOCK_EXCLUSIVE {
            return Ok(Vec::new());
        }
        Ok(info.lockers.values().map(|held| held.addr.legacy_string()).collect())
    }
}
