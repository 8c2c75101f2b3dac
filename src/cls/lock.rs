//! cls `lock`: advisory locks stored in the object's `lock.<name>` xattr.
//!
//! Types are encoded as upstream's (`cls_lock_types.h`, `cls_lock_ops.h`); the
//! methods follow Pacific's `cls_lock.cc`: expired lockers are dropped on read,
//! a lock on a missing object creates it, an ephemeral exclusive lock removes
//! the object when its last locker goes.

use std::collections::BTreeMap;

use super::{decode_input, errno, Method, ObjectContext, RD, RDWR};
use crate::denc::{encode_versioned, Decode, Decoder, Encode, EntityAddr, EntityNameT, UTime};
use crate::error::Result;

pub const CLASS: &str = "lock";

/// `ClsLockType`.
pub const LOCK_NONE: u8 = 0;
pub const LOCK_EXCLUSIVE: u8 = 1;
pub const LOCK_SHARED: u8 = 2;
pub const LOCK_EXCLUSIVE_EPHEMERAL: u8 = 3;

/// Lock flags.
pub const LOCK_FLAG_MAY_RENEW: u8 = 0x1;
pub const LOCK_FLAG_MUST_RENEW: u8 = 0x2;

const XATTR_PREFIX: &str = "lock.";

fn is_exclusive(t: u8) -> bool {
    t == LOCK_EXCLUSIVE || t == LOCK_EXCLUSIVE_EPHEMERAL
}

fn is_valid(t: u8) -> bool {
    matches!(t, LOCK_EXCLUSIVE | LOCK_SHARED | LOCK_EXCLUSIVE_EPHEMERAL)
}

/// `locker_id_t`: who holds a lock, by entity and cookie.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct LockerId {
    pub locker: EntityNameT,
    pub cookie: String,
}

impl Encode for LockerId {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_versioned(out, 1, 1, |o| {
            self.locker.encode(o);
            self.cookie.encode(o);
        });
    }
}

impl Decode for LockerId {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(1, |_, d| Ok(LockerId { locker: Decode::decode(d)?, cookie: d.string()? }))
    }
}

/// `locker_info_t`: when a locker's hold expires, its address, description.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LockerInfo {
    pub expiration: UTime,
    pub addr: EntityAddr,
    pub description: String,
}

impl Encode for LockerInfo {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_versioned(out, 1, 1, |o| {
            self.expiration.encode(o);
            self.addr.encode(o);
            self.description.encode(o);
        });
    }
}

impl Decode for LockerInfo {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(1, |_, d| {
            Ok(LockerInfo { expiration: Decode::decode(d)?, addr: Decode::decode(d)?, description: d.string()? })
        })
    }
}

/// `lock_info_t`, the xattr value; also the `get_info` reply.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LockInfo {
    pub lockers: BTreeMap<LockerId, LockerInfo>,
    pub lock_type: u8,
    pub tag: String,
}

impl Encode for LockInfo {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_versioned(out, 1, 1, |o| {
            self.lockers.encode(o);
            self.lock_type.encode(o);
            self.tag.encode(o);
        });
    }
}

impl Decode for LockInfo {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(1, |_, d| Ok(LockInfo { lockers: Decode::decode(d)?, lock_type: d.u8()?, tag: d.string()? }))
    }
}

/// `cls_lock_lock_op`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LockOp {
    pub name: String,
    pub lock_type: u8,
    pub cookie: String,
    pub tag: String,
    pub description: String,
    pub duration: UTime,
    pub flags: u8,
}

impl Encode for LockOp {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_versioned(out, 1, 1, |o| {
            self.name.encode(o);
            self.lock_type.encode(o);
            self.cookie.encode(o);
            self.tag.encode(o);
            self.description.encode(o);
            self.duration.encode(o);
            self.flags.encode(o);
        });
    }
}

impl Decode for LockOp {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(1, |_, d| {
            Ok(LockOp {
                name: d.string()?,
                lock_type: d.u8()?,
                cookie: d.string()?,
                tag: d.string()?,
                description: d.string()?,
                duration: Decode::decode(d)?,
                flags: d.u8()?,
            })
        })
    }
}

/// `cls_lock_unlock_op`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnlockOp {
    pub name: String,
    pub cookie: String,
}

impl Encode for UnlockOp {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_versioned(out, 1, 1, |o| {
            self.name.encode(o);
            self.cookie.encode(o);
        });
    }
}

impl Decode for UnlockOp {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(1, |_, d| Ok(UnlockOp { name: d.string()?, cookie: d.string()? }))
    }
}

/// `cls_lock_break_op`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BreakOp {
    pub name: String,
    pub locker: EntityNameT,
    pub cookie: String,
}

impl Encode for BreakOp {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_versioned(out, 1, 1, |o| {
            self.name.encode(o);
            self.locker.encode(o);
            self.cookie.encode(o);
        });
    }
}

impl Decode for BreakOp {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(1, |_, d| Ok(BreakOp { name: d.string()?, locker: Decode::decode(d)?, cookie: d.string()? }))
    }
}

/// `cls_lock_get_info_op`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetInfoOp {
    pub name: String,
}

impl Encode for GetInfoOp {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_versioned(out, 1, 1, |o| self.name.encode(o));
    }
}

impl Decode for GetInfoOp {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(1, |_, d| Ok(GetInfoOp { name: d.string()? }))
    }
}

/// `cls_lock_list_locks_reply`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListLocksReply {
    pub locks: Vec<String>,
}

impl Encode for ListLocksReply {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_versioned(out, 1, 1, |o| self.locks.encode(o));
    }
}

impl Decode for ListLocksReply {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(1, |_, d| Ok(ListLocksReply { locks: Decode::decode(d)? }))
    }
}

/// `cls_lock_assert_op`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssertOp {
    pub name: String,
    pub lock_type: u8,
    pub cookie: String,
    pub tag: String,
}

impl Encode for AssertOp {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_versioned(out, 1, 1, |o| {
            self.name.encode(o);
            self.lock_type.encode(o);
            self.cookie.encode(o);
            self.tag.encode(o);
        });
    }
}

impl Decode for AssertOp {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(1, |_, d| {
            Ok(AssertOp { name: d.string()?, lock_type: d.u8()?, cookie: d.string()?, tag: d.string()? })
        })
    }
}

/// `cls_lock_set_cookie_op`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SetCookieOp {
    pub name: String,
    pub lock_type: u8,
    pub cookie: String,
    pub tag: String,
    pub new_cookie: String,
}

impl Encode for SetCookieOp {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_versioned(out, 1, 1, |o| {
            self.name.encode(o);
            self.lock_type.encode(o);
            self.cookie.encode(o);
            self.tag.encode(o);
            self.new_cookie.encode(o);
        });
    }
}

impl Decode for SetCookieOp {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(1, |_, d| {
            Ok(SetCookieOp {
                name: d.string()?,
                lock_type: d.u8()?,
                cookie: d.string()?,
                tag: d.string()?,
                new_cookie: d.string()?,
            })
        })
    }
}

// ---- the methods ------------------------------------------------------------------

pub static METHODS: [Method; 7] = [
    Method { class: CLASS, name: "lock", flags: RDWR, run: lock },
    Method { class: CLASS, name: "unlock", flags: RDWR, run: unlock },
    Method { class: CLASS, name: "break_lock", flags: RDWR, run: break_lock },
    Method { class: CLASS, name: "get_info", flags: RD, run: get_info },
    Method { class: CLASS, name: "list_locks", flags: RD, run: list_locks },
    Method { class: CLASS, name: "assert_locked", flags: RD, run: assert_locked },
    Method { class: CLASS, name: "set_cookie", flags: RDWR, run: set_cookie },
];

fn xattr_name(name: &str) -> Vec<u8> {
    format!("{XATTR_PREFIX}{name}").into_bytes()
}

/// The lock's state without expired lockers; a missing xattr is an empty lock;
/// a missing object is ENOENT.
fn read_lock(ctx: &mut dyn ObjectContext, name: &str) -> Result<LockInfo> {
    let bytes = match ctx.getxattr(&xattr_name(name)) {
        Ok(b) => b,
        Err(e) if e.errno() == libc::ENODATA => return Ok(LockInfo::default()),
        Err(e) => return Err(e),
    };
    let mut info = LockInfo::from_bytes(&bytes).map_err(|_| errno(libc::EIO, "cannot decode lock"))?;
    let now = ctx.now();
    info.lockers.retain(|_, l| l.expiration.is_zero() || l.expiration >= now);
    Ok(info)
}

fn write_lock(ctx: &mut dyn ObjectContext, name: &str, info: &LockInfo) -> Result<()> {
    ctx.setxattr(&xattr_name(name), &info.to_bytes())
}

fn lock(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let op: LockOp = decode_input(input)?;
    let exclusive = is_exclusive(op.lock_type);
    let fail_if_exists = op.flags & LOCK_FLAG_MAY_RENEW == 0;
    let fail_if_missing = op.flags & LOCK_FLAG_MUST_RENEW != 0;
    if !is_valid(op.lock_type) || op.name.is_empty() || (!fail_if_exists && fail_if_missing) {
        return Err(errno(libc::EINVAL, "lock: bad arguments"));
    }
    let mut info = match read_lock(ctx, &op.name) {
        Ok(i) => i,
        Err(e) if e.errno() == libc::ENOENT => LockInfo::default(),
        Err(e) => return Err(e),
    };
    let (locker, mut addr) = ctx.origin();
    let id = LockerId { locker, cookie: op.cookie.clone() };
    if !info.lockers.is_empty() && op.tag != info.tag {
        return Err(errno(libc::EBUSY, "lock: tag mismatch"));
    }
    if info.lockers.contains_key(&id) {
        if fail_if_exists && !fail_if_missing {
            return Err(errno(libc::EEXIST, "lock: already held"));
        }
        info.lockers.remove(&id);
    } else if fail_if_missing {
        return Err(errno(libc::ENOENT, "lock: not held"));
    }
    if !info.lockers.is_empty() && (exclusive || info.lock_type != op.lock_type) {
        return Err(errno(libc::EBUSY, "lock: held by another"));
    }
    info.lock_type = op.lock_type;
    info.tag = op.tag.clone();
    let expiration = if op.duration.is_zero() {
        UTime::default()
    } else {
        let now = ctx.now();
        let nanos = u64::from(now.nsec) + u64::from(op.duration.nsec);
        UTime { sec: now.sec + op.duration.sec + (nanos / 1_000_000_000) as u32, nsec: (nanos % 1_000_000_000) as u32 }
    };
    // as upstream: lockers are recorded with a legacy (v1) address
    addr.kind = EntityAddr::TYPE_LEGACY;
    info.lockers.insert(id, LockerInfo { expiration, addr, description: op.description });
    write_lock(ctx, &op.name, &info)?;
    Ok(Vec::new())
}

fn remove_locker(ctx: &mut dyn ObjectContext, name: &str, locker: EntityNameT, cookie: &str) -> Result<Vec<u8>> {
    let mut info = read_lock(ctx, name)?;
    let id = LockerId { locker, cookie: cookie.to_string() };
    if info.lockers.remove(&id).is_none() {
        return Err(errno(libc::ENOENT, "unlock: no such locker"));
    }
    if info.lockers.is_empty() && info.lock_type == LOCK_EXCLUSIVE_EPHEMERAL {
        ctx.remove()?;
    } else {
        write_lock(ctx, name, &info)?;
    }
    Ok(Vec::new())
}

fn unlock(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let op: UnlockOp = decode_input(input)?;
    let (locker, _) = ctx.origin();
    remove_locker(ctx, &op.name, locker, &op.cookie)
}

fn break_lock(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let op: BreakOp = decode_input(input)?;
    remove_locker(ctx, &op.name, op.locker, &op.cookie)
}

fn get_info(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let op: GetInfoOp = decode_input(input)?;
    Ok(read_lock(ctx, &op.name)?.to_bytes())
}

fn list_locks(ctx: &mut dyn ObjectContext, _input: &[u8]) -> Result<Vec<u8>> {
    let locks = ctx
        .getxattrs()?
        .keys()
        .filter_map(|k| k.strip_prefix(XATTR_PREFIX.as_bytes()).map(|n| String::from_utf8_lossy(n).into_owned()))
        .collect();
    Ok(ListLocksReply { locks }.to_bytes())
}

/// The checks shared by `assert_locked` and `set_cookie`: the caller holds the
/// lock with this type, tag and cookie.
fn check_held(
    ctx: &mut dyn ObjectContext,
    name: &str,
    lock_type: u8,
    tag: &str,
    cookie: &str,
) -> Result<(LockInfo, LockerId)> {
    if !is_valid(lock_type) || name.is_empty() {
        return Err(errno(libc::EINVAL, "bad arguments"));
    }
    let info = read_lock(ctx, name)?;
    if info.lockers.is_empty() || info.lock_type != lock_type || info.tag != tag {
        return Err(errno(libc::EBUSY, "not locked that way"));
    }
    let (locker, _) = ctx.origin();
    let id = LockerId { locker, cookie: cookie.to_string() };
    if !info.lockers.contains_key(&id) {
        return Err(errno(libc::EBUSY, "not locked by this client"));
    }
    Ok((info, id))
}

fn assert_locked(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let op: AssertOp = decode_input(input)?;
    check_held(ctx, &op.name, op.lock_type, &op.tag, &op.cookie)?;
    Ok(Vec::new())
}

fn set_cookie(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let op: SetCookieOp = decode_input(input)?;
    let (mut info, id) = check_held(ctx, &op.name, op.lock_type, &op.tag, &op.cookie)?;
    let new_id = LockerId { locker: id.locker, cookie: op.new_cookie.clone() };
    if info.lockers.contains_key(&new_id) {
        return Err(errno(libc::EBUSY, "cookie in use"));
    }
    let held = info.lockers.remove(&id).expect("checked");
    info.lockers.insert(new_id, held);
    write_lock(ctx, &op.name, &info)?;
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_xattr_bytes_match_upstream() {
        // `rados getxattr rbd_header.<id> lock.rbd_lock` after librbd released its lock
        let released = LockInfo { lockers: BTreeMap::new(), lock_type: LOCK_EXCLUSIVE, tag: "internal".into() };
        let expected = [
            0x01, 0x01, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, b'i', b'n', b't',
            b'e', b'r', b'n', b'a', b'l',
        ];
        assert_eq!(released.to_bytes(), expected);
        assert_eq!(LockInfo::from_bytes(&expected).unwrap(), released);
    }
}
