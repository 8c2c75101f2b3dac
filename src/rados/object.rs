//! Object identities and the values that describe objects and pools: locators,
//! snap contexts, snap sets, watchers, pool and cluster statistics.

pub use crate::denc::EntityNameT;

/// The "head" snap id (`CEPH_NOSNAP`, `LIBRADOS_SNAP_HEAD`).
pub const SNAP_HEAD: u64 = u64::MAX - 1;
/// The snap directory id (`LIBRADOS_SNAP_DIR`).
pub const SNAP_DIR: u64 = u64::MAX;

/// Where an object lives: pool, namespace and locator key (empty: the name).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectLocator {
    pub pool: i64,
    pub namespace: Vec<u8>,
    pub key: Vec<u8>,
}

/// A fully named object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectTarget {
    pub locator: ObjectLocator,
    pub name: Vec<u8>,
}

impl ObjectTarget {
    /// The bytes that place the object: its locator key, or its name.
    pub fn placement_key(&self) -> &[u8] {
        if self.locator.key.is_empty() {
            &self.name
        } else {
            &self.locator.key
        }
    }
}

/// The snapshots a write must preserve: newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SnapContext {
    pub seq: u64,
    pub snaps: Vec<u64>,
}

impl SnapContext {
    /// A valid context has `seq >= snaps[0]` and strictly decreasing snaps.
    pub fn is_valid(&self) -> bool {
        self.snaps.first().is_none_or(|&s| s <= self.seq) && self.snaps.windows(2).all(|w| w[0] > w[1])
    }
}

/// One clone of an object (`rados_read_op_list_snaps`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CloneInfo {
    /// The clone's id; `SNAP_HEAD` for the head.
    pub cloneid: u64,
    /// The snapshots this clone serves, oldest first.
    pub snaps: Vec<u64>,
    /// Extents (offset, length) still identical to the next newer clone or head.
    pub overlap: Vec<(u64, u64)>,
    pub size: u64,
}

/// The clones of an object and the newest snap seq it has seen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SnapSet {
    pub seq: u64,
    pub clones: Vec<CloneInfo>,
}

/// One watcher of an object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WatcherInfo {
    pub addr: String,
    pub watcher_id: i64,
    pub cookie: u64,
    pub timeout_seconds: u32,
}

/// Pool usage (`struct rados_pool_stat_t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    pub num_bytes: u64,
    pub num_objects: u64,
    pub num_object_clones: u64,
    pub num_object_copies: u64,
    pub num_rd: u64,
    pub num_rd_kb: u64,
    pub num_wr: u64,
    pub num_wr_kb: u64,
    pub num_user_bytes: u64,
}

/// Cluster usage (`struct rados_cluster_stat_t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClusterStats {
    pub kb: u64,
    pub kb_used: u64,
    pub kb_avail: u64,
    pub num_objects: u64,
}
