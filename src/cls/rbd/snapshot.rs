//! Image snapshots in the header (`snapshot_<id>` omap records,
//! `cls_rbd_snap`), the methods on them as Pacific's `cls_rbd.cc` serves them
//! (`snapshot_add`, `snapshot_get`, `snapshot_remove`, `snapshot_rename`,
//! the protection status, `snapshot_set_limit`), and `SnapshotInfo`, what
//! `snapshot_get` answers, which the client decodes.

use super::{read_key, read_key_or, remove_key, snap_key, write_key, MAX_KEYS_READ, NOSNAP, SNAP_KEY_PREFIX};
use crate::cls::{decode_input, errno, ObjectContext};
use crate::denc::{encode_versioned, Decode, Decoder, Encode, UTime};
use crate::error::Result;

/// `cls::rbd::SnapshotNamespaceType`: user snapshots are the ones `rbd snap create` makes.
pub const NAMESPACE_USER: u32 = 0;
/// A snapshot removed while clones still used it (`TrashSnapshotNamespace`).
pub const NAMESPACE_TRASH: u32 = 2;
/// The namespace types upstream knows (user, group, trash, mirror).
const NAMESPACE_TYPES: u32 = 4;

/// `CEPH_MAXSNAP`: the highest snapshot id.
pub const MAX_SNAP_ID: u64 = NOSNAP - 2;

/// `RBD_PROTECTION_STATUS_*`.
pub mod protection {
    pub const UNPROTECTED: u8 = 0;
    pub const UNPROTECTING: u8 = 1;
    pub const PROTECTED: u8 = 2;
    /// `RBD_PROTECTION_STATUS_LAST`: statuses are below it.
    pub const LAST: u8 = 3;
}

/// A snapshot namespace (`cls::rbd::SnapshotNamespace`): its type and the
/// rest of its encoding, kept as given (a user snapshot's is empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SnapshotNamespace {
    pub kind: u32,
    pub data: Vec<u8>,
}

impl SnapshotNamespace {
    pub fn user() -> SnapshotNamespace {
        SnapshotNamespace { kind: NAMESPACE_USER, data: Vec::new() }
    }
}

impl Encode for SnapshotNamespace {
    fn encode(&self, o: &mut Vec<u8>) {
        encode_versioned(o, 1, 1, |o| {
            self.kind.encode(o);
            o.extend_from_slice(&self.data);
        });
    }
}

impl Decode for SnapshotNamespace {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(1, |_, d| {
            let kind = d.u32()?;
            Ok(SnapshotNamespace { kind, data: d.take(d.remaining())?.to_vec() })
        })
    }
}

/// One snapshot's record in the header (`cls_rbd_snap`), as Nautilus and
/// later OSDs write it (version 8, compat 8: no image features and parent
/// inside; a clone's overlap at the snapshot instead).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapRecord {
    pub id: u64,
    pub name: String,
    pub image_size: u64,
    pub protection_status: u8,
    pub flags: u64,
    pub namespace: SnapshotNamespace,
    pub timestamp: UTime,
    pub child_count: u32,
    pub parent_overlap: Option<u64>,
}

impl Encode for SnapRecord {
    fn encode(&self, o: &mut Vec<u8>) {
        encode_versioned(o, 8, 8, |o| {
            self.id.encode(o);
            self.name.encode(o);
            self.image_size.encode(o);
            self.protection_status.encode(o);
            self.flags.encode(o);
            self.namespace.encode(o);
            self.timestamp.encode(o);
            self.child_count.encode(o);
            self.parent_overlap.encode(o);
        });
    }
}

impl Decode for SnapRecord {
    /// Records of older OSDs (compat below 8) carry unused features and a
    /// parent spec after the size: skipped (the parent's overlap is lost;
    /// images made here have no parent).
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        let compat = d.peek_compat()?;
        d.versioned(8, |v, d| {
            let id = d.u64()?;
            let name = d.string()?;
            let image_size = d.u64()?;
            if compat < 8 {
                d.u64()?;
                if v >= 2 {
                    d.versioned(2, |_, d| d.take(d.remaining()).map(|_| ()))?;
                }
            }
            let mut record = SnapRecord {
                id,
                name,
                image_size,
                protection_status: protection::UNPROTECTED,
                flags: 0,
                namespace: SnapshotNamespace::user(),
                timestamp: UTime::default(),
                child_count: 0,
                parent_overlap: None,
            };
            if v >= 3 {
                record.protection_status = d.u8()?;
            }
            if v >= 4 {
                record.flags = d.u64()?;
            }
            if v >= 5 {
                record.namespace = SnapshotNamespace::decode(d)?;
            }
            if v >= 6 {
                record.timestamp = UTime::decode(d)?;
            }
            if v >= 7 {
                record.child_count = d.u32()?;
            }
            if v >= 8 {
                record.parent_overlap = Decode::decode(d)?;
            }
            Ok(record)
        })
    }
}

/// One snapshot of an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotInfo {
    pub id: u64,
    /// The namespace's type and the rest of its encoding, kept as read.
    pub namespace_type: u32,
    pub namespace_data: Vec<u8>,
    pub name: String,
    pub image_size: u64,
    pub timestamp: UTime,
    pub child_count: u32,
}

impl Encode for SnapshotInfo {
    fn encode(&self, o: &mut Vec<u8>) {
        encode_versioned(o, 1, 1, |o| {
            self.id.encode(o);
            encode_versioned(o, 1, 1, |o| {
                self.namespace_type.encode(o);
                o.extend_from_slice(&self.namespace_data);
            });
            self.name.encode(o);
            self.image_size.encode(o);
            self.timestamp.encode(o);
            self.child_count.encode(o);
        });
    }
}

impl Decode for SnapshotInfo {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(1, |_, d| {
            let id = d.u64()?;
            let (namespace_type, namespace_data) = d.versioned(1, |_, d| {
                let kind = d.u32()?;
                Ok((kind, d.take(d.remaining())?.to_vec()))
            })?;
            Ok(SnapshotInfo {
                id,
                namespace_type,
                namespace_data,
                name: d.string()?,
                image_size: d.u64()?,
                timestamp: UTime::decode(d)?,
                child_count: d.u32()?,
            })
        })
    }
}

/// Every snapshot record of the header, lowest id first; `visit` may stop
/// the walk with an error (`image::snapshot::iterate`).
fn for_each_record(ctx: &mut dyn ObjectContext, mut visit: impl FnMut(&SnapRecord) -> Result<()>) -> Result<()> {
    let prefix = SNAP_KEY_PREFIX.as_bytes();
    let mut last = prefix.to_vec();
    loop {
        let (entries, more) = ctx.omap_list(&last, prefix, MAX_KEYS_READ)?;
        for (key, value) in &entries {
            let record = SnapRecord::from_bytes(value).map_err(|_| {
                errno(libc::EIO, format!("cannot decode snapshot record {}", String::from_utf8_lossy(key)))
            })?;
            visit(&record)?;
        }
        match entries.last() {
            Some((key, _)) if more => last = key.clone(),
            _ => return Ok(()),
        }
    }
}

fn read_record(ctx: &mut dyn ObjectContext, snap_id: u64) -> Result<SnapRecord> {
    read_key(ctx, &snap_key(snap_id))
}

fn write_record(ctx: &mut dyn ObjectContext, record: &SnapRecord) -> Result<()> {
    write_key(ctx, &snap_key(record.id), record)
}

/// `snapshot_add` input: name, id, then (optionally) the namespace.
pub struct AddInput {
    pub name: String,
    pub id: u64,
    pub namespace: SnapshotNamespace,
}

impl Encode for AddInput {
    fn encode(&self, o: &mut Vec<u8>) {
        self.name.encode(o);
        self.id.encode(o);
        self.namespace.encode(o);
    }
}

/// Adds snapshot `id` named `name`: ESTALE when `id` is below the header's
/// `snap_seq` (another snapshot was made meanwhile), EEXIST when the id or
/// the name (in the same namespace) is taken, EDQUOT at the snapshot limit,
/// EINVAL for an unknown namespace or an id past `CEPH_MAXSNAP`.
pub fn snapshot_add(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let mut d = Decoder::new(input);
    let bad = |_| errno(libc::EINVAL, "cannot decode method input");
    let name = d.string().map_err(bad)?;
    let id = d.u64().map_err(bad)?;
    let namespace =
        if d.is_empty() { SnapshotNamespace::user() } else { SnapshotNamespace::decode(&mut d).map_err(bad)? };
    if namespace.kind >= NAMESPACE_TYPES {
        return Err(errno(libc::EINVAL, "unknown snapshot namespace"));
    }
    if id > MAX_SNAP_ID {
        return Err(errno(libc::EINVAL, "snapshot id out of range"));
    }
    let seq: u64 = read_key(ctx, "snap_seq")?;
    if id < seq {
        return Err(errno(libc::ESTALE, "a newer snapshot exists"));
    }
    let image_size: u64 = read_key(ctx, "size")?;
    let flags: u64 = read_key_or(ctx, "flags", 0)?;
    let limit: u64 = read_key_or(ctx, "snap_limit", u64::MAX)?;
    let record = SnapRecord {
        id,
        name,
        image_size,
        protection_status: protection::UNPROTECTED,
        flags,
        namespace,
        timestamp: ctx.now(),
        child_count: 0,
        parent_overlap: None,
    };
    let mut seen = 0u64;
    for_each_record(ctx, |old| {
        // upstream counts before comparing: a limit of 0 still lets the first snapshot in
        seen += 1;
        if seen >= limit {
            return Err(errno(libc::EDQUOT, "snapshot limit reached"));
        }
        if (old.name == record.name && old.namespace == record.namespace) || old.id == record.id {
            return Err(errno(libc::EEXIST, "snapshot exists"));
        }
        Ok(())
    })?;
    if record.namespace.kind == NAMESPACE_TRASH {
        super::header::set_op_features(ctx, super::features::op::SNAP_TRASH, super::features::op::SNAP_TRASH)?;
    }
    write_key(ctx, "snap_seq", &id)?;
    write_record(ctx, &record)?;
    Ok(Vec::new())
}

/// Snapshot `id` as `SnapshotInfo`: EINVAL for the head, ENOENT without it.
pub fn snapshot_get(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let snap_id: u64 = decode_input(input)?;
    if snap_id == NOSNAP {
        return Err(errno(libc::EINVAL, "the head is no snapshot"));
    }
    let r = read_record(ctx, snap_id)?;
    let info = SnapshotInfo {
        id: r.id,
        namespace_type: r.namespace.kind,
        namespace_data: r.namespace.data,
        name: r.name,
        image_size: r.image_size,
        timestamp: r.timestamp,
        child_count: r.child_count,
    };
    Ok(info.to_bytes())
}

/// Removes snapshot `id`'s record: ENOENT without it, EBUSY while it is
/// protected or has clone children. Clears the op features no other
/// snapshot needs any more (clone child, snapshot trash).
pub fn snapshot_remove(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let snap_id: u64 = decode_input(input)?;
    let record = read_record(ctx, snap_id)?;
    if record.protection_status != protection::UNPROTECTED || record.child_count > 0 {
        return Err(errno(libc::EBUSY, "snapshot protected or in use"));
    }
    remove_key(ctx, &snap_key(snap_id))?;
    let (mut child_snaps, mut trash_snaps) = (false, false);
    for_each_record(ctx, |other| {
        if other.id != snap_id {
            child_snaps |= other.parent_overlap.is_some();
            trash_snaps |= other.namespace.kind == NAMESPACE_TRASH;
        }
        Ok(())
    })?;
    // images made here have no parent, so none is a head child (`parent` key)
    let head_child = ctx.omap_get(b"parent").is_ok();
    let mut mask = 0;
    if !child_snaps && !head_child {
        mask |= super::features::op::CLONE_CHILD;
    }
    if !trash_snaps {
        mask |= super::features::op::SNAP_TRASH;
    }
    if mask != 0 {
        super::header::set_op_features(ctx, 0, mask)?;
    }
    Ok(Vec::new())
}

/// Renames user snapshot `id`: EEXIST when a user snapshot has the new
/// name, ENOENT without the snapshot, EINVAL for another namespace's.
pub fn snapshot_rename(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let mut d = Decoder::new(input);
    let bad = |_| errno(libc::EINVAL, "cannot decode method input");
    let snap_id = d.u64().map_err(bad)?;
    let new_name = d.string().map_err(bad)?;
    for_each_record(ctx, |other| {
        if other.namespace.kind == NAMESPACE_USER && other.name == new_name {
            return Err(errno(libc::EEXIST, "snapshot name taken"));
        }
        Ok(())
    })?;
    let mut record = read_record(ctx, snap_id)?;
    if record.namespace.kind != NAMESPACE_USER {
        return Err(errno(libc::EINVAL, "only user snapshots are renamed"));
    }
    record.name = new_name;
    write_record(ctx, &record)?;
    Ok(Vec::new())
}

/// Snapshot `id`'s protection status (u8): EINVAL for the head, EIO for
/// a status out of range.
pub fn get_protection_status(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let snap_id: u64 = decode_input(input)?;
    super::check_exists(ctx)?;
    if snap_id == NOSNAP {
        return Err(errno(libc::EINVAL, "the head is no snapshot"));
    }
    let record = read_record(ctx, snap_id)?;
    if record.protection_status >= protection::LAST {
        return Err(errno(libc::EIO, "bad protection status"));
    }
    Ok(record.protection_status.to_bytes())
}

/// Sets snapshot `id`'s protection status: ENOEXEC without layering,
/// EINVAL for the head or a status out of range, ENOENT without it.
pub fn set_protection_status(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let mut d = Decoder::new(input);
    let bad = |_| errno(libc::EINVAL, "cannot decode method input");
    let snap_id = d.u64().map_err(bad)?;
    let status = d.u8().map_err(bad)?;
    super::check_exists(ctx)?;
    super::require_feature(ctx, super::features::LAYERING)?;
    if snap_id == NOSNAP || status >= protection::LAST {
        return Err(errno(libc::EINVAL, "bad snapshot or status"));
    }
    let mut record = read_record(ctx, snap_id)?;
    record.protection_status = status;
    write_record(ctx, &record)?;
    Ok(Vec::new())
}

/// Sets the snapshot limit (u64; `u64::MAX` removes it): ERANGE below the
/// number of snapshots.
pub fn snapshot_set_limit(ctx: &mut dyn ObjectContext, input: &[u8]) -> Result<Vec<u8>> {
    let limit: u64 = decode_input(input)?;
    if limit == u64::MAX {
        remove_key(ctx, "snap_limit")?;
        return Ok(Vec::new());
    }
    let mut count = 0u64;
    for_each_record(ctx, |_| {
        count += 1;
        Ok(())
    })?;
    if limit < count {
        return Err(errno(libc::ERANGE, "limit below the snapshot count"));
    }
    write_key(ctx, "snap_limit", &limit)?;
    Ok(Vec::new())
}

/// The image size a snapshot recorded (for `get_size` at a snapshot):
/// ENOENT without it.
pub fn record_image_size(ctx: &mut dyn ObjectContext, snap_id: u64) -> Result<u64> {
    Ok(read_record(ctx, snap_id)?.image_size)
}

/// A snapshot's flags (for `get_flags` at a snapshot): ENOENT without it.
pub fn record_flags(ctx: &mut dyn ObjectContext, snap_id: u64) -> Result<u64> {
    Ok(read_record(ctx, snap_id)?.flags)
}

/// Updates a snapshot's flags (for `set_flags` at a snapshot): ENOENT without it.
pub fn set_record_flags(ctx: &mut dyn ObjectContext, snap_id: u64, flags: u64, mask: u64) -> Result<()> {
    let mut record = read_record(ctx, snap_id)?;
    record.flags = (record.flags & !mask) | (flags & mask);
    write_record(ctx, &record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_info_reads_an_osd_reply_and_writes_it_back() {
        // snapshot_get for user snapshot "s1" (id 4, 64 MiB), as an OSD answers
        let mut reply = vec![1, 1, 44, 0, 0, 0];
        reply.extend_from_slice(&4u64.to_le_bytes());
        reply.extend_from_slice(&[1, 1, 4, 0, 0, 0, 0, 0, 0, 0]);
        reply.extend_from_slice(&[2, 0, 0, 0, b's', b'1']);
        reply.extend_from_slice(&(64u64 << 20).to_le_bytes());
        reply.extend_from_slice(&[0x10, 0, 0, 0, 0x20, 0, 0, 0]);
        reply.extend_from_slice(&0u32.to_le_bytes());
        let info = SnapshotInfo::from_bytes(&reply).unwrap();
        assert_eq!(info.id, 4);
        assert_eq!(info.namespace_type, NAMESPACE_USER);
        assert_eq!(info.name, "s1");
        assert_eq!(info.image_size, 64 << 20);
        assert_eq!(info.timestamp, UTime { sec: 0x10, nsec: 0x20 });
        assert_eq!(info.to_bytes(), reply);
        for cut in 0..reply.len() {
            assert!(SnapshotInfo::from_bytes(&reply[..cut]).is_err(), "truncated at {cut}");
        }
    }
}
