//! An open image (`ImageCtx`): its identity, the header state read at open
//! and refresh, and its lock, object map and watch.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};

use super::exclusive_lock::ExclusiveLock;
use super::layout::Layout;
use super::object_map::ObjectMap;
use super::object_names::{data_object, header_object, id_object, DIRECTORY};
use super::watcher::Watcher;
use crate::cls::rbd::{directory, features, header, CLASS as RBD, NOSNAP};
use crate::denc::{Decode, Encode, UTime};
use crate::error::{Error, Result};
use crate::rados::object::{SnapContext, SNAP_HEAD};
use crate::rados::op::{step_flags, ObjectOperation, OpStep, StepOutput};
use crate::rados::{check, IoCtx};

/// How an image is named when opening it.
#[derive(Clone, Copy, Debug)]
pub enum ImageRef<'a> {
    Name(&'a str),
    Id(&'a str),
}

/// What the header says, as of the last refresh.
#[derive(Clone, Debug, Default)]
pub struct HeaderState {
    pub size: u64,
    pub order: u8,
    pub features: u64,
    pub op_features: u64,
    pub flags: u64,
    pub object_prefix: String,
    pub layout: Option<Layout>,
    pub data_pool_id: i64,
    pub snapc: SnapContext,
    pub create_timestamp: UTime,
    pub access_timestamp: UTime,
    pub modify_timestamp: UTime,
    /// Per-image configuration overrides (`conf_<option>` metadata).
    pub config: BTreeMap<String, String>,
}

impl HeaderState {
    pub fn layout(&self) -> Layout {
        self.layout.unwrap_or_else(|| Layout::simple(self.order))
    }
}

/// Tunables read from the configuration (with per-image overrides) at open.
#[derive(Clone, Debug)]
pub struct ImageConfig {
    pub discard_granularity: u64,
    pub mtime_update_interval: u64,
    pub atime_update_interval: u64,
    /// Blocklist a dead lock owner before breaking its lock.
    pub blocklist_on_break_lock: bool,
    /// How long that blocklist entry lasts (0: the monitors' default).
    pub blocklist_expire_seconds: u64,
    /// Large writes may go out from the caller's buffer without a copy
    /// (`rbd_disable_zero_copy_writes` false; upstream's default is true: a
    /// caller that changes a buffer while its write is in flight would make
    /// the data's crc wrong, and the OSD drop the connection).
    pub zero_copy_writes: bool,
}

/// An open image.
pub struct Image {
    pub io: Arc<IoCtx>,
    pub data_io: Arc<IoCtx>,
    pub id: String,
    pub header_oid: String,
    pub read_only: bool,
    name: Mutex<String>,
    header: RwLock<HeaderState>,
    pub(crate) config: RwLock<ImageConfig>,
    /// A peer changed the header: refresh before the next operation.
    needs_refresh: AtomicBool,
    pub(crate) lock: ExclusiveLock,
    pub(crate) object_map: ObjectMap,
    pub(crate) watcher: Mutex<Option<Watcher>>,
    pub(crate) inflight: super::io::InFlight,
    /// The snapshot this handle reads (`rbd_snap_set`); None: the head.
    snap: Mutex<Option<u64>>,
    closed: AtomicBool,
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Image").field("id", &self.id).field("name", &self.name()).finish()
    }
}

/// One cls rbd step.
pub(crate) fn rbd_step(method: &str, input: Vec<u8>) -> OpStep {
    OpStep::Exec { class: RBD.into(), method: method.into(), input }
}

/// The data of a step's output.
pub(crate) fn step_data(out: &StepOutput) -> &[u8] {
    match out {
        StepOutput::Data(d) => d,
        _ => &[],
    }
}

fn decode<T: Decode>(out: &StepOutput, what: &str) -> Result<T> {
    T::from_bytes(step_data(out)).map_err(|_| Error::Corrupt(format!("cls rbd {what} reply")))
}

/// The id of image `name`: `rbd_id.<name>`'s content. ENOENT when missing.
pub fn lookup_id(io: &IoCtx, name: &str) -> Result<String> {
    let out = io.exec(id_object(name).as_bytes(), RBD, "get_id", Vec::new())?;
    String::from_bytes(&out).map_err(|_| Error::Corrupt("get_id reply".into()))
}

/// The name of image `id` in the directory. ENOENT when missing.
pub fn lookup_name(io: &IoCtx, id: &str) -> Result<String> {
    let out = io.exec(DIRECTORY.as_bytes(), RBD, "dir_get_name", id.to_string().to_bytes())?;
    String::from_bytes(&out).map_err(|_| Error::Corrupt("dir_get_name reply".into()))
}

impl Image {
    /// Opens an image: finds its id, reads its header, and (read-write) watches it.
    /// Errors: ENOENT, ENOSYS for features this library does not know.
    pub fn open(io: &Arc<IoCtx>, image: ImageRef<'_>, read_only: bool) -> Result<Arc<Image>> {
        let (name, id) = match image {
            ImageRef::Name(n) => (n.to_string(), lookup_id(io, n)?),
            ImageRef::Id(i) => (lookup_name(io, i).unwrap_or_default(), i.to_string()),
        };
        let header_oid = header_object(&id);
        let state = read_header(io, &header_oid, read_only, None)?;
        // the image's own contexts, as upstream's ImageCtx duplicates the
        // caller's: later changes to it do not reach the image
        let io = io.duplicate();
        io.set_read_snap(SNAP_HEAD);
        io.set_write_snapc(SnapContext::default())?;
        let data_io = if state.data_pool_id >= 0 && state.data_pool_id != io.pool_id() {
            let pool = io.rados().pool_by_id(state.data_pool_id)?;
            let data_io = IoCtx::new(io.rados().clone(), pool)?;
            data_io.set_namespace(&io.namespace());
            data_io
        } else {
            io.duplicate()
        };
        data_io.set_write_snapc(state.snapc.clone())?;
        let image = Arc::new(Image {
            io: io.clone(),
            data_io,
            header_oid,
            id,
            read_only,
            name: Mutex::new(name),
            config: RwLock::new(read_config(&io, &state.config)),
            header: RwLock::new(state),
            needs_refresh: AtomicBool::new(false),
            lock: ExclusiveLock::default(),
            object_map: ObjectMap::default(),
            watcher: Mutex::new(None),
            inflight: Default::default(),
            snap: Mutex::new(None),
            closed: AtomicBool::new(false),
        });
        if !read_only {
            let watcher = Watcher::register(&image)?;
            *image.watcher.lock().unwrap_or_else(|e| e.into_inner()) = Some(watcher);
            image.touch_access_timestamp();
        }
        Ok(image)
    }

    pub fn name(&self) -> String {
        self.name.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The header state (refreshed first when a peer changed it).
    pub fn header(&self) -> RwLockReadGuard<'_, HeaderState> {
        if self.needs_refresh.swap(false, Ordering::AcqRel) {
            let _ = self.refresh();
        }
        self.header.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn mark_stale(&self) {
        self.needs_refresh.store(true, Ordering::Release);
    }

    /// Fails with EBADF once closed.
    pub fn check_open(&self) -> Result<()> {
        if self.closed.load(Ordering::Acquire) {
            return Err(Error::BadHandle);
        }
        Ok(())
    }

    /// Fails with EROFS for a read-only handle or one reading a snapshot.
    pub fn check_writable(&self) -> Result<()> {
        self.check_open()?;
        if self.read_only {
            return Err(Error::ReadOnly("image opened read-only".into()));
        }
        if self.selected_snapshot().is_some() {
            return Err(Error::ReadOnly("a snapshot is selected".into()));
        }
        Ok(())
    }

    /// The snapshot this handle reads, if not the head.
    pub fn selected_snapshot(&self) -> Option<u64> {
        *self.snap.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads snapshot `snap` (None: the head) from now on, with its size;
    /// the header is read again. Errors: ENOENT when the snapshot is gone.
    pub(crate) fn select_snapshot(&self, snap: Option<u64>) -> Result<()> {
        let state = read_header(&self.io, &self.header_oid, self.read_only, snap)?;
        *self.snap.lock().unwrap_or_else(|e| e.into_inner()) = snap;
        self.data_io.set_read_snap(snap.unwrap_or(SNAP_HEAD));
        self.install(state)
    }

    /// Re-reads the header.
    pub fn refresh(&self) -> Result<()> {
        let state = read_header(&self.io, &self.header_oid, self.read_only, self.selected_snapshot())?;
        self.install(state)
    }

    fn install(&self, state: HeaderState) -> Result<()> {
        self.data_io.set_write_snapc(state.snapc.clone())?;
        let snapshots_changed = self.header.read().unwrap_or_else(|e| e.into_inner()).snapc != state.snapc;
        if snapshots_changed && self.object_map.is_loaded() {
            // another handle made or removed a snapshot: the stored map
            // changed under ours (fast-diff's clean states)
            self.object_map.reload(self)?;
        }
        *self.config.write().unwrap_or_else(|e| e.into_inner()) = read_config(&self.io, &state.config);
        *self.header.write().unwrap_or_else(|e| e.into_inner()) = state;
        Ok(())
    }

    /// The name of data object `object_no`.
    pub fn data_object_name(&self, object_no: u64) -> String {
        data_object(&self.header().object_prefix, object_no)
    }

    /// Whether large writes may lend the caller's buffer (`ImageConfig::zero_copy_writes`).
    pub fn zero_copy_writes(&self) -> bool {
        self.config.read().unwrap_or_else(|e| e.into_inner()).zero_copy_writes
    }

    /// Updates the access timestamp when it is older than `rbd_atime_update_interval`.
    fn touch_access_timestamp(&self) {
        let interval = self.config.read().unwrap_or_else(|e| e.into_inner()).atime_update_interval;
        let last = self.header().access_timestamp;
        if interval > 0 && u64::from(UTime::now().sec.saturating_sub(last.sec)) >= interval {
            let _ = self.io.exec(self.header_oid.as_bytes(), RBD, "set_access_timestamp", Vec::new());
        }
    }

    /// Updates the modify timestamp when it is older than `rbd_mtime_update_interval`.
    pub(crate) fn touch_modify_timestamp(&self) {
        let interval = self.config.read().unwrap_or_else(|e| e.into_inner()).mtime_update_interval;
        let last = self.header.read().unwrap_or_else(|e| e.into_inner()).modify_timestamp;
        let now = UTime::now();
        if interval > 0 && u64::from(now.sec.saturating_sub(last.sec)) >= interval {
            self.header.write().unwrap_or_else(|e| e.into_inner()).modify_timestamp = now;
            let _ = self.io.exec(self.header_oid.as_bytes(), RBD, "set_modify_timestamp", Vec::new());
        }
    }

    /// Closes the image: waits for in-flight I/O, releases the lock, ends the watch.
    pub fn close(&self) -> Result<()> {
        if self.closed.swap(true, Ordering::AcqRel) {
            return Err(Error::BadHandle);
        }
        self.inflight.wait();
        let released = self.lock.release(self);
        if let Some(w) = self.watcher.lock().unwrap_or_else(|e| e.into_inner()).take() {
            w.unregister(&self.io);
        }
        released
    }

    /// True while this handle holds the exclusive lock.
    pub fn is_exclusive_lock_owner(&self) -> bool {
        self.lock.is_owner()
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// The header's watch handle (0 when not watching).
    pub fn watch_handle(&self) -> u64 {
        self.watcher.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map_or(0, |w| w.cookie())
    }
}

impl Drop for Image {
    fn drop(&mut self) {
        if !self.closed.load(Ordering::Acquire) {
            let _ = self.close();
        }
    }
}

/// Reads an image header in one compound read; the size and flags are
/// snapshot `snap`'s when given (ENOENT when it is gone).
fn read_header(io: &IoCtx, header_oid: &str, read_only: bool, snap: Option<u64>) -> Result<HeaderState> {
    let snap = snap.unwrap_or(NOSNAP);
    let mut op = ObjectOperation::new();
    op.push(rbd_step("get_size", snap.to_bytes()));
    op.push(rbd_step("get_features", header::GetFeaturesInput { snap_id: NOSNAP, read_only }.to_bytes()));
    op.push(rbd_step("get_object_prefix", Vec::new()));
    op.push(rbd_step("get_data_pool", Vec::new()));
    op.push(rbd_step("get_flags", snap.to_bytes()));
    op.push(rbd_step("op_features_get", Vec::new()));
    op.push(rbd_step("get_snapcontext", Vec::new()));
    op.push(rbd_step("get_create_timestamp", Vec::new()));
    op.push(rbd_step("get_access_timestamp", Vec::new()));
    op.push(rbd_step("get_modify_timestamp", Vec::new()));
    op.push(rbd_step(
        "metadata_list",
        directory::ListInput { start_after: "conf_".into(), max_return: 1024 }.to_bytes(),
    ));
    op.push(rbd_step("get_stripe_unit_count", Vec::new()));
    op.set_last_flags(step_flags::FAILOK);
    op.push(rbd_step("parent_get", Vec::new()));
    op.set_last_flags(step_flags::FAILOK);
    let reply = io.operate(header_oid.as_bytes(), op);
    check(&reply)?;
    let s = &reply.steps;
    let size: header::SizeOrder = decode(&s[0].out, "get_size")?;
    let feats: header::Features = decode(&s[1].out, "get_features")?;
    let snapc: header::SnapContextOut = decode(&s[6].out, "get_snapcontext")?;
    let metadata: BTreeMap<String, Vec<u8>> = decode(&s[10].out, "metadata_list")?;
    let striping: Option<header::Striping> =
        if s[11].rval >= 0 { Some(decode(&s[11].out, "get_stripe_unit_count")?) } else { None };
    if feats.features & !features::ALL != 0 {
        return Err(Error::NotImplemented("image features unknown to this library"));
    }
    // writes to a journaled image must go through its journal first: not
    // implemented, so such an image opens read-only only
    if feats.features & features::JOURNALING != 0 && !read_only {
        return Err(Error::NotSupported("journaling is not provided by this library yet".into()));
    }
    // a clone reads through to its parent: not implemented, so never opened
    // (reads would silently miss the parent's data)
    if s[12].rval >= 0 && decode::<header::ParentImageSpec>(&s[12].out, "parent_get")?.exists() {
        return Err(Error::NotImplemented("cloned images"));
    }
    let config = metadata
        .into_iter()
        .filter_map(|(k, v)| k.strip_prefix("conf_").map(|o| (o.to_string(), String::from_utf8_lossy(&v).into_owned())))
        .collect();
    Ok(HeaderState {
        size: size.size,
        order: size.order,
        features: feats.features,
        op_features: decode(&s[5].out, "op_features_get")?,
        flags: decode(&s[4].out, "get_flags")?,
        object_prefix: decode(&s[2].out, "get_object_prefix")?,
        layout: striping.map(|st| Layout::new(size.order, st.stripe_unit, st.stripe_count)),
        data_pool_id: decode(&s[3].out, "get_data_pool")?,
        snapc: SnapContext { seq: snapc.seq, snaps: snapc.snaps },
        create_timestamp: decode(&s[7].out, "get_create_timestamp")?,
        access_timestamp: decode(&s[8].out, "get_access_timestamp")?,
        modify_timestamp: decode(&s[9].out, "get_modify_timestamp")?,
        config,
    })
}

/// The tunables of an image: the cluster configuration, then its overrides.
fn read_config(io: &IoCtx, overrides: &BTreeMap<String, String>) -> ImageConfig {
    image_config(&io.rados().context().config(), overrides)
}

/// `read_config` from a configuration.
fn image_config(conf: &crate::config::Config, overrides: &BTreeMap<String, String>) -> ImageConfig {
    let get =
        |key: &str| -> u64 { overrides.get(key).and_then(|v| v.parse().ok()).unwrap_or_else(|| conf.get_u64(key)) };
    let get_bool = |key: &str| -> bool {
        overrides.get(key).and_then(|v| crate::config::value::parse_bool(v)).unwrap_or_else(|| conf.get_bool(key))
    };
    ImageConfig {
        discard_granularity: get("rbd_discard_granularity_bytes"),
        mtime_update_interval: get("rbd_mtime_update_interval"),
        atime_update_interval: get("rbd_atime_update_interval"),
        blocklist_on_break_lock: get_bool("rbd_blocklist_on_break_lock"),
        blocklist_expire_seconds: get("rbd_blocklist_expire_seconds"),
        zero_copy_writes: !get_bool("rbd_disable_zero_copy_writes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, EntityName};

    #[test]
    fn zero_copy_writes_follow_rbd_disable_zero_copy_writes() {
        let mut conf = Config::new(EntityName::client("admin"), "");
        let none = BTreeMap::new();
        assert!(!image_config(&conf, &none).zero_copy_writes, "upstream's default: copy");
        conf.set("rbd_disable_zero_copy_writes", "false").unwrap();
        assert!(image_config(&conf, &none).zero_copy_writes);
        let per_image = BTreeMap::from([("rbd_disable_zero_copy_writes".to_string(), "true".to_string())]);
        assert!(!image_config(&conf, &per_image).zero_copy_writes, "the image's override wins");
    }
}
