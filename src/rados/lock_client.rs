//! Advisory object locks through cls `lock`: the client side of src/cls/lock.rs.

use super::IoCtx;
use crate::cls::lock::{self, BreakOp, GetInfoOp, LockInfo, LockOp, UnlockOp};
use crate::denc::{Decode, Encode, EntityNameT, UTime};
use crate::error::{Error, Result};

/// A lock request.
#[derive(Clone, Debug, Default)]
pub struct LockRequest<'a> {
    pub name: &'a str,
    pub cookie: &'a str,
    pub tag: &'a str,
    pub description: &'a str,
    /// None: the lock does not expire.
    pub duration: Option<UTime>,
    pub flags: u8,
}

impl IoCtx {
    /// Takes an exclusive (`shared` false) or shared lock on an object.
    pub fn lock(&self, oid: &[u8], shared: bool, req: &LockRequest<'_>) -> Result<()> {
        let op = LockOp {
            name: req.name.into(),
            lock_type: if shared { lock::LOCK_SHARED } else { lock::LOCK_EXCLUSIVE },
            cookie: req.cookie.into(),
            tag: req.tag.into(),
            description: req.description.into(),
            duration: req.duration.unwrap_or_default(),
            flags: req.flags,
        };
        self.exec(oid, lock::CLASS, "lock", op.to_bytes()).map(|_| ())
    }

    pub fn unlock(&self, oid: &[u8], name: &str, cookie: &str) -> Result<()> {
        let op = UnlockOp { name: name.into(), cookie: cookie.into() };
        self.exec(oid, lock::CLASS, "unlock", op.to_bytes()).map(|_| ())
    }

    pub fn break_lock(&self, oid: &[u8], name: &str, locker: EntityNameT, cookie: &str) -> Result<()> {
        let op = BreakOp { name: name.into(), locker, cookie: cookie.into() };
        self.exec(oid, lock::CLASS, "break_lock", op.to_bytes()).map(|_| ())
    }

    pub fn lock_info(&self, oid: &[u8], name: &str) -> Result<LockInfo> {
        let out = self.exec(oid, lock::CLASS, "get_info", GetInfoOp { name: name.into() }.to_bytes())?;
        LockInfo::from_bytes(&out).map_err(|_| Error::Corrupt("cls lock get_info reply".into()))
    }
}
