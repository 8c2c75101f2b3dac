//! The local store's metadata model: pools, objects (scalar fields, xattrs,
//! omap, clones) and their encodings, used by the snapshot file and the journal.
//!
//! Object data lives in sparse files named by `file_id`; an object's size is
//! its data file's length, kept here as a cache.

use std::collections::BTreeMap;

use crate::denc::{encode_versioned, Decode, Decoder, Encode, UTime};
use crate::error::Result;
use crate::rados::object::{CloneInfo, SnapSet};
use crate::rados::placement;

/// An object's identity and listing position within a pool.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ObjectKey {
    pub pg: u32,
    pub hash: u32,
    pub namespace: Vec<u8>,
    pub key: Vec<u8>,
    pub name: Vec<u8>,
}

impl ObjectKey {
    pub fn new(namespace: &[u8], key: &[u8], name: &[u8], pg_num: u32) -> ObjectKey {
        let hash = placement::str_hash_rjenkins(if key.is_empty() { name } else { key });
        ObjectKey {
            pg: placement::pg_of(hash, pg_num),
            hash,
            namespace: namespace.to_vec(),
            key: key.to_vec(),
            name: name.to_vec(),
        }
    }
}

impl Encode for ObjectKey {
    fn encode(&self, out: &mut Vec<u8>) {
        self.pg.encode(out);
        self.hash.encode(out);
        self.namespace.encode(out);
        self.key.encode(out);
        self.name.encode(out);
    }
}

impl Decode for ObjectKey {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        Ok(ObjectKey {
            pg: d.u32()?,
            hash: d.u32()?,
            namespace: d.bytes()?.to_vec(),
            key: d.bytes()?.to_vec(),
            name: d.bytes()?.to_vec(),
        })
    }
}

/// An object's key-value parts: xattrs, omap and omap header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Attrs {
    pub xattrs: BTreeMap<Vec<u8>, Vec<u8>>,
    pub omap: BTreeMap<Vec<u8>, Vec<u8>>,
    pub omap_header: Vec<u8>,
}

impl Encode for Attrs {
    fn encode(&self, out: &mut Vec<u8>) {
        self.xattrs.encode(out);
        self.omap.encode(out);
        self.omap_header.encode(out);
    }
}

impl Decode for Attrs {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        Ok(Attrs { xattrs: Decode::decode(d)?, omap: Decode::decode(d)?, omap_header: Decode::decode(d)? })
    }
}

/// One clone of an object: its snapshot ids and the head's state when cloned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CloneMeta {
    pub id: u64,
    /// The snaps it serves, oldest first.
    pub snaps: Vec<u64>,
    /// Extents still equal to the next newer clone (or the head).
    pub overlap: Vec<(u64, u64)>,
    pub size: u64,
    pub file_id: u64,
    pub attrs: Attrs,
}

impl Encode for CloneMeta {
    fn encode(&self, out: &mut Vec<u8>) {
        self.id.encode(out);
        self.snaps.encode(out);
        self.overlap.encode(out);
        self.size.encode(out);
        self.file_id.encode(out);
        self.attrs.encode(out);
    }
}

impl Decode for CloneMeta {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        Ok(CloneMeta {
            id: d.u64()?,
            snaps: Decode::decode(d)?,
            overlap: Decode::decode(d)?,
            size: d.u64()?,
            file_id: d.u64()?,
            attrs: Decode::decode(d)?,
        })
    }
}

/// Everything known about one object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ObjectMeta {
    /// False when only clones remain (the head was removed).
    pub exists: bool,
    pub file_id: u64,
    pub size: u64,
    pub version: u64,
    pub mtime: UTime,
    pub attrs: Attrs,
    /// Newest snap seq the object has been written under.
    pub snap_seq: u64,
    /// Oldest first.
    pub clones: Vec<CloneMeta>,
}

impl ObjectMeta {
    /// The object's snap set as `list_snaps` reports it (head last, when it exists).
    pub fn snap_set(&self) -> SnapSet {
        let mut clones: Vec<CloneInfo> = self
            .clones
            .iter()
            .map(|c| CloneInfo { cloneid: c.id, snaps: c.snaps.clone(), overlap: c.overlap.clone(), size: c.size })
            .collect();
        if self.exists {
            clones.push(CloneInfo {
                cloneid: crate::rados::object::SNAP_HEAD,
                snaps: Vec::new(),
                overlap: Vec::new(),
                size: self.size,
            });
        }
        SnapSet { seq: self.snap_seq, clones }
    }
}

impl Encode for ObjectMeta {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_versioned(out, 1, 1, |o| {
            self.exists.encode(o);
            self.file_id.encode(o);
            self.size.encode(o);
            self.version.encode(o);
            self.mtime.encode(o);
            self.attrs.encode(o);
            self.snap_seq.encode(o);
            self.clones.encode(o);
        });
    }
}

impl Decode for ObjectMeta {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(1, |_, d| {
            Ok(ObjectMeta {
                exists: Decode::decode(d)?,
                file_id: d.u64()?,
                size: d.u64()?,
                version: d.u64()?,
                mtime: Decode::decode(d)?,
                attrs: Decode::decode(d)?,
                snap_seq: d.u64()?,
                clones: Decode::decode(d)?,
            })
        })
    }
}

/// A pool's own metadata (its objects are kept apart).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PoolMeta {
    pub id: i64,
    pub name: String,
    pub pg_num: u32,
    /// Last snap id allocated in this pool (pool or self-managed).
    pub snap_seq: u64,
    /// Pool snapshots: id → (name, stamp).
    pub snaps: BTreeMap<u64, (String, UTime)>,
    /// Self-managed snapshot mode (exclusive with pool snapshots).
    pub selfmanaged: bool,
    /// Snapshot ids removed and not trimmed from objects yet.
    pub removed_snaps: Vec<u64>,
    /// application → key → value.
    pub applications: BTreeMap<String, BTreeMap<String, String>>,
    pub stats: PoolCounters,
}

/// Read/write counters of a pool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PoolCounters {
    pub num_rd: u64,
    pub num_rd_kb: u64,
    pub num_wr: u64,
    pub num_wr_kb: u64,
}

impl Encode for PoolMeta {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_versioned(out, 1, 1, |o| {
            self.id.encode(o);
            self.name.encode(o);
            self.pg_num.encode(o);
            self.snap_seq.encode(o);
            self.snaps.encode(o);
            self.selfmanaged.encode(o);
            self.removed_snaps.encode(o);
            self.applications.encode(o);
            for v in [self.stats.num_rd, self.stats.num_rd_kb, self.stats.num_wr, self.stats.num_wr_kb] {
                v.encode(o);
            }
        });
    }
}

impl Decode for PoolMeta {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(1, |_, d| {
            Ok(PoolMeta {
                id: d.i64()?,
                name: d.string()?,
                pg_num: d.u32()?,
                snap_seq: d.u64()?,
                snaps: Decode::decode(d)?,
                selfmanaged: Decode::decode(d)?,
                removed_snaps: Decode::decode(d)?,
                applications: Decode::decode(d)?,
                stats: PoolCounters { num_rd: d.u64()?, num_rd_kb: d.u64()?, num_wr: d.u64()?, num_wr_kb: d.u64()? },
            })
        })
    }
}
