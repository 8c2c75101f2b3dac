//! What the RADOS API needs from a storage backend: the embedded local store
//! (`local`) or a Ceph cluster (`cluster`).
//!
//! Object operations are asynchronous: `submit` returns at once and the reply
//! callback runs later on a backend thread with no lock held (never inside
//! `submit`). Control-plane calls (pools, snapshots, watches) are synchronous.

use std::sync::Arc;

use super::object::{ClusterStats, ObjectLocator, ObjectTarget, PoolStats, SnapContext, WatcherInfo};
use super::op::{ObjectOperation, OpReply};
use crate::error::Result;

/// Called once with an operation's reply.
pub type ReplyCallback = Box<dyn FnOnce(OpReply) + Send>;

/// One object operation to run.
pub struct OpRequest {
    pub target: ObjectTarget,
    pub op: ObjectOperation,
    /// Snapshot to read (`SNAP_HEAD` for the head).
    pub read_snap: u64,
    /// Snapshots writes must preserve.
    pub snapc: SnapContext,
    /// Modification time for writes (seconds, nanoseconds); None: now.
    pub mtime: Option<(i64, u32)>,
    pub on_reply: ReplyCallback,
    /// The callback only hands the reply over (a synchronous caller waiting):
    /// the backend may run it on its I/O thread instead of its callback thread.
    pub direct: bool,
}

/// A pool as the backend describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolInfo {
    pub id: i64,
    pub name: String,
    /// Pool snapshots exist (then self-managed snapshots are refused, and back).
    pub has_pool_snaps: bool,
    pub selfmanaged_snaps: bool,
    pub snap_seq: u64,
    /// Base tier pool id (itself when the pool is not a cache tier).
    pub base_tier: i64,
    pub pg_num: u32,
}

/// A pool snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolSnap {
    pub id: u64,
    pub name: String,
    pub stamp: (i64, u32),
}

/// Receives the notifies and errors of one watch.
pub trait WatchHandler: Send + Sync {
    /// A notify: `notify_id` to acknowledge, the watch `cookie`, the notifier's id, the payload.
    fn notify(&self, notify_id: u64, cookie: u64, notifier_id: u64, payload: &[u8]);
    /// The watch failed (`err` negative); it must be re-established.
    fn error(&self, cookie: u64, err: i32);
}

/// The result of a notify: 0 or -ETIMEDOUT (some watchers did not answer), and
/// the acknowledgements and timed-out watchers, encoded as RADOS encodes them.
pub type NotifyReplyCallback = Box<dyn FnOnce(i32, Vec<u8>) + Send>;

/// A storage backend.
pub trait Backend: Send + Sync {
    /// Runs an object operation; see the module comment.
    fn submit(&self, req: OpRequest);

    /// True when a write's payload may be lent (`Payload::Lent`): the
    /// backend lets go of it before the write's reply callback runs, on every
    /// path (see `rados::payload`).
    fn takes_lent_payloads(&self) -> bool {
        false
    }

    /// True when a write's data travels with its crc32c (msgr2 frames): a
    /// copied payload then gets it computed as it is copied
    /// (`buffer_pool::payload_of`); other backends take a plain copy.
    fn checksums_payloads(&self) -> bool {
        false
    }

    /// This client's global id (`rados_get_instance_id`, the notifier id).
    fn instance_id(&self) -> u64;
    /// This client's address, as peers see it.
    fn client_addr(&self) -> String;
    fn fsid(&self) -> String;
    /// `(require_osd_release, min_compat_client, require_min_compat_client)`,
    /// as Ceph release numbers.
    fn compat_releases(&self) -> (i8, i8, i8);

    fn pool_create(&self, name: &str, crush_rule: Option<u8>) -> Result<i64>;
    fn pool_delete(&self, name: &str) -> Result<()>;
    fn pools(&self) -> Result<Vec<PoolInfo>>;
    fn pool_stats(&self, pool: i64) -> Result<PoolStats>;
    fn cluster_stats(&self) -> Result<ClusterStats>;
    /// Waits until the latest cluster map is known (no-op for the local store).
    fn wait_for_latest_map(&self) -> Result<()>;

    fn application_enable(&self, pool: i64, app: &str, force: bool) -> Result<()>;
    fn application_list(&self, pool: i64) -> Result<Vec<String>>;
    fn application_metadata_get(&self, pool: i64, app: &str, key: &str) -> Result<String>;
    fn application_metadata_set(&self, pool: i64, app: &str, key: &str, value: &str) -> Result<()>;
    fn application_metadata_remove(&self, pool: i64, app: &str, key: &str) -> Result<()>;
    fn application_metadata_list(&self, pool: i64, app: &str) -> Result<Vec<(String, String)>>;

    fn pool_snap_create(&self, pool: i64, name: &str) -> Result<u64>;
    fn pool_snap_remove(&self, pool: i64, name: &str) -> Result<()>;
    fn pool_snaps(&self, pool: i64) -> Result<Vec<PoolSnap>>;
    fn selfmanaged_snap_create(&self, pool: i64) -> Result<u64>;
    fn selfmanaged_snap_remove(&self, pool: i64, snap: u64) -> Result<()>;

    /// Lists objects of `pool` in `namespace` (None: all) from `cursor` on;
    /// returns up to `max` entries and the cursor after them (None at the end).
    fn list_objects(
        &self,
        pool: i64,
        namespace: Option<&[u8]>,
        cursor: &ListCursor,
        max: usize,
    ) -> Result<(Vec<ListEntry>, Option<ListCursor>)>;

    /// Registers a watch on an object; returns its cookie.
    fn watch(&self, target: &ObjectTarget, timeout_secs: u32, handler: Arc<dyn WatchHandler>) -> Result<u64>;
    fn unwatch(&self, cookie: u64) -> Result<()>;
    /// Milliseconds since the watch was last confirmed, or its error.
    fn watch_check(&self, cookie: u64) -> Result<u64>;
    fn list_watchers(&self, target: &ObjectTarget) -> Result<Vec<WatcherInfo>>;
    /// Sends a notify to every watcher of an object; `on_reply` gets the encoded reply.
    fn notify(&self, target: &ObjectTarget, payload: &[u8], timeout_ms: u64, on_reply: NotifyReplyCallback);
    fn notify_ack(&self, target: &ObjectTarget, notify_id: u64, cookie: u64, payload: &[u8]) -> Result<()>;
    /// Waits until every watch callback queued so far has run.
    fn watch_flush(&self) -> Result<()>;

    /// Runs a monitor command: its return code, status string and output.
    fn mon_command(&self, cmd: &[String], input: &[u8]) -> Result<(i32, String, Vec<u8>)>;

    /// Runs a command on one daemon (an OSD, a PG's primary, the active or
    /// a named manager, one monitor): its return code, status and output.
    fn daemon_command(&self, target: &CommandTarget, cmd: &[String], input: &[u8]) -> Result<(i32, String, Vec<u8>)>;

    /// Pings monitor `mon_id` (a name); returns its JSON report.
    fn ping_monitor(&self, mon_id: &str) -> Result<String>;

    /// Delivers the cluster log of subscription `watch.0` (`log-info`,
    /// `log-debug`, `log-sec`, `log-error`) to `watch.1`; None stops it.
    fn monitor_log(&self, watch: Option<(String, ClusterLogCallback)>) -> Result<()>;

    /// Registers this client as daemon `daemon` of service `service` with
    /// the manager (its service map), with `metadata`.
    fn service_register(&self, service: &str, daemon: &str, metadata: &[(String, String)]) -> Result<()>;
    /// Sets the status this client reports as a service daemon.
    fn service_update_status(&self, status: &[(String, String)]) -> Result<()>;

    /// Makes every completed write durable (power-loss safe).
    fn flush(&self) -> Result<()>;
    /// Closes this client's use of the backend.
    fn shutdown(&self);
}

/// One entry of the cluster log, as `rados_monitor_log` callbacks get it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterLogEntry {
    /// `stamp name level msg`, as upstream formats it.
    pub line: String,
    pub channel: String,
    /// The logging daemon's rank and addresses (`mon.0 v2:…`).
    pub who: String,
    /// The logging entity's name (`mon.a`).
    pub name: String,
    pub sec: u64,
    pub nsec: u64,
    pub seq: u64,
    /// `[DBG]`, `[INF]`, `[SEC]`, `[WRN]` or `[ERR]`.
    pub level: String,
    pub msg: String,
}

/// Receives cluster log entries, on a backend thread with no lock held.
pub type ClusterLogCallback = Arc<dyn Fn(&ClusterLogEntry) + Send + Sync>;

/// The daemon a command goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandTarget {
    Osd(i32),
    /// The acting primary of a PG (pool, seed).
    Pg(i64, u32),
    /// The active manager (None), or the manager of that name (a tell command).
    Mgr(Option<String>),
    /// A monitor by rank (a number) or name.
    Mon(String),
}

/// A position in a pool's listing order.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct ListCursor {
    /// Placement group, then hash, then the object's identity.
    pub pg: u32,
    pub hash: u32,
    pub namespace: Vec<u8>,
    pub key: Vec<u8>,
    pub name: Vec<u8>,
    /// True when this cursor points just past `name` (continue after it).
    pub after: bool,
}

/// One listed object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListEntry {
    pub namespace: Vec<u8>,
    pub key: Vec<u8>,
    pub name: Vec<u8>,
    pub pg: u32,
    pub hash: u32,
}

impl ListEntry {
    /// The cursor that lists from this entry on.
    pub fn position(&self) -> ListCursor {
        ListCursor {
            pg: self.pg,
            hash: self.hash,
            namespace: self.namespace.clone(),
            key: self.key.clone(),
            name: self.name.clone(),
            after: false,
        }
    }
}

/// Where ops go: convenience for code holding a locator.
pub fn target(locator: &ObjectLocator, name: &[u8]) -> ObjectTarget {
    ObjectTarget { locator: locator.clone(), name: name.to_vec() }
}
