//! Image snapshots (`librbd/operation/Snapshot*Request`): creating one (a
//! pool snapshot id, the header record, a copy of the object map), removing,
//! renaming and protecting it, its limit, and reading the list back. A
//! handle reads a snapshot after `set_snapshot` (writes then fail with EROFS).

use std::sync::Arc;

use super::image::{rbd_step, step_data, Image};
use super::object_names::{object_map_object, LOCK_NAME};
use super::watcher::notify_header_update;
use crate::cls::lock::{AssertOp, CLASS as LOCK_CLASS, LOCK_EXCLUSIVE};
use crate::cls::rbd::features::{self, object_state};
use crate::cls::rbd::snapshot::{protection, AddInput, SnapshotInfo, SnapshotNamespace, NAMESPACE_USER};
use crate::cls::rbd::CLASS as RBD;
use crate::denc::bit_vector::BitVector2;
use crate::denc::{Decode, Encode};
use crate::error::{Error, Result};
use crate::rados::check;
use crate::rados::op::{ObjectOperation, OpStep};

/// Attempts at `snapshot_add` when another client's snapshot took the next id.
const CREATE_ATTEMPTS: usize = 8;

fn assert_locked_step(cookie: &str, tag: &str) -> OpStep {
    let input = AssertOp { name: LOCK_NAME.into(), lock_type: LOCK_EXCLUSIVE, cookie: cookie.into(), tag: tag.into() };
    OpStep::Exec { class: LOCK_CLASS.into(), method: "assert_locked".into(), input: input.to_bytes() }
}

impl Image {
    /// The image's snapshots, lowest id first (upstream lists its `snap_info`
    /// map in that order), in every namespace. One compound read of the header.
    /// Errors: EBADF once closed; the OSD's error for the header read.
    pub fn snapshots(&self) -> Result<Vec<SnapshotInfo>> {
        self.check_open()?;
        let mut ids = self.header().snapc.snaps.clone();
        ids.sort_unstable();
        self.read_snapshots(&ids)
    }

    /// Snapshot `id`. Errors: ENOENT when the image has no such snapshot;
    /// EBADF once closed; the OSD's error for the header read.
    pub fn snapshot(&self, id: u64) -> Result<SnapshotInfo> {
        self.check_open()?;
        if !self.header().snapc.snaps.contains(&id) {
            return Err(Error::NotFound(format!("snapshot {id}")));
        }
        Ok(self.read_snapshots(&[id])?.remove(0))
    }

    /// The user snapshot named `name`. Errors: ENOENT without one.
    pub fn snapshot_named(&self, name: &str) -> Result<SnapshotInfo> {
        self.snapshots()?
            .into_iter()
            .find(|s| s.namespace_type == NAMESPACE_USER && s.name == name)
            .ok_or_else(|| Error::not_found(format!("snapshot {name}")))
    }

    fn read_snapshots(&self, ids: &[u64]) -> Result<Vec<SnapshotInfo>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut op = ObjectOperation::new();
        for id in ids {
            op.push(rbd_step("snapshot_get", id.to_bytes()));
        }
        let reply = self.io.operate(self.header_oid.as_bytes(), op);
        check(&reply)?;
        reply
            .steps
            .iter()
            .map(|s| {
                SnapshotInfo::from_bytes(step_data(&s.out)).map_err(|_| Error::Corrupt("snapshot_get reply".into()))
            })
            .collect()
    }

    /// The header operation `step` guarded by the exclusive lock, when the
    /// image has one (this handle must own it).
    fn locked_header_op(&self, step: OpStep) -> ObjectOperation {
        let mut op = ObjectOperation::new();
        if let Some(cookie) = self.lock.owner_cookie() {
            op.push(assert_locked_step(&cookie, super::exclusive_lock::LOCK_TAG));
        }
        op.push(step);
        op
    }

    /// The start of every snapshot change: a handle not opened read-only,
    /// the exclusive lock, an up-to-date header. A handle reading a snapshot
    /// may change snapshots too, without the lock (as upstream, whose lock is
    /// shut down while a snapshot is set).
    fn prepare_snapshot_change(self: &Arc<Self>) -> Result<()> {
        self.check_open()?;
        if self.read_only {
            return Err(Error::ReadOnly("image opened read-only".into()));
        }
        if self.selected_snapshot().is_none() {
            self.lock.acquire(self)?;
        }
        self.refresh()
    }

    /// Creates user snapshot `name` of the head. Writes wait meanwhile and
    /// those in flight finish first. Errors: EROFS (read-only, or a snapshot
    /// selected), EEXIST (the name is taken), EDQUOT (the snapshot limit),
    /// EINVAL (an empty name), the lock's and the OSDs' errors.
    pub fn create_snapshot(self: &Arc<Self>, name: &str) -> Result<()> {
        if name.is_empty() {
            return Err(Error::invalid("empty snapshot name"));
        }
        self.prepare_snapshot_change()?;
        if self.snapshot_named(name).is_ok() {
            return Err(Error::AlreadyExists(format!("snapshot {name}")));
        }
        let gate = self.lock.block_writes();
        self.inflight.wait();
        let result = self.add_snapshot_record(name).and_then(|id| self.snapshot_object_map(id));
        let refreshed = self.refresh();
        drop(gate);
        notify_header_update(self);
        result.and(refreshed)
    }

    /// A new pool snapshot id and its header record; returns the id.
    fn add_snapshot_record(&self, name: &str) -> Result<u64> {
        let pool = self.data_io.pool_id();
        for _ in 0..CREATE_ATTEMPTS {
            let id = self.data_io.backend().selfmanaged_snap_create(pool)?;
            let input = AddInput { name: name.into(), id, namespace: SnapshotNamespace::user() };
            let op = self.locked_header_op(rbd_step("snapshot_add", input.to_bytes()));
            match check(&self.io.operate(self.header_oid.as_bytes(), op)) {
                Ok(()) => return Ok(id),
                Err(e) => {
                    let _ = self.data_io.backend().selfmanaged_snap_remove(pool, id);
                    if e.errno() != libc::ESTALE {
                        return Err(e);
                    }
                }
            }
        }
        Err(Error::remote(-libc::ESTALE, "snapshot ids kept moving"))
    }

    /// The snapshot's object map: a copy of the head's; with fast-diff the
    /// head's objects then turn EXISTS_CLEAN (no change since this snapshot).
    fn snapshot_object_map(&self, id: u64) -> Result<()> {
        let features = self.header().features;
        if features & features::OBJECT_MAP == 0 {
            return Ok(());
        }
        self.copy_object_map(None, Some(id))?;
        if features & features::FAST_DIFF != 0 {
            let mut op = self.head_map_op();
            op.push(rbd_step("object_map_snap_add", Vec::new()));
            check(&self.io.operate(object_map_object(&self.id, None).as_bytes(), op))?;
            self.object_map.mark_clean();
        }
        Ok(())
    }

    /// An operation on the head's object map, guarded by the map's lock when
    /// this handle holds it (a handle reading a snapshot does not).
    fn head_map_op(&self) -> ObjectOperation {
        let mut op = ObjectOperation::new();
        if self.object_map.is_loaded() {
            op.push(assert_locked_step("", ""));
        }
        op
    }

    /// Copies object map `from` over `to` (None: the head's), as bytes;
    /// returns them.
    fn copy_object_map(&self, from: Option<u64>, to: Option<u64>) -> Result<Vec<u8>> {
        let bytes = self.io.read(object_map_object(&self.id, from).as_bytes(), 0, 0)?;
        let mut op = if to.is_none() { self.head_map_op() } else { ObjectOperation::new() };
        op.push(OpStep::WriteFull { data: bytes.clone() });
        check(&self.io.operate(object_map_object(&self.id, to).as_bytes(), op))?;
        Ok(bytes)
    }

    /// Removes user snapshot `name`. Errors: ENOENT without it, EBUSY while
    /// it is protected or has clones, EROFS, the lock's and the OSDs' errors.
    pub fn remove_snapshot(self: &Arc<Self>, name: &str) -> Result<()> {
        self.prepare_snapshot_change()?;
        let snap = self.snapshot_named(name)?;
        self.remove_snapshot_id(snap.id)
    }

    /// Removes snapshot `id` (of any namespace). Errors as `remove_snapshot`.
    pub fn remove_snapshot_by_id(self: &Arc<Self>, id: u64) -> Result<()> {
        self.prepare_snapshot_change()?;
        self.snapshot(id)?;
        self.remove_snapshot_id(id)
    }

    fn remove_snapshot_id(self: &Arc<Self>, id: u64) -> Result<()> {
        if self.protection_status(id)? != protection::UNPROTECTED {
            return Err(Error::Busy("snapshot is protected".into()));
        }
        if self.snapshot(id)?.child_count > 0 {
            return Err(Error::Busy("snapshot has clones".into()));
        }
        self.remove_snapshot_object_map(id)?;
        match self.data_io.backend().selfmanaged_snap_remove(self.data_io.pool_id(), id) {
            Err(e) if e.errno() != libc::ENOENT => return Err(e),
            _ => {}
        }
        let op = self.locked_header_op(rbd_step("snapshot_remove", id.to_bytes()));
        let result = check(&self.io.operate(self.header_oid.as_bytes(), op));
        let refreshed = self.refresh();
        notify_header_update(self);
        result.and(refreshed)
    }

    /// Hands a removed snapshot's changes to the next map (the next snapshot's
    /// or the head's, with fast-diff) and removes its object map.
    fn remove_snapshot_object_map(&self, id: u64) -> Result<()> {
        let features = self.header().features;
        if features & features::OBJECT_MAP == 0 {
            return Ok(());
        }
        let oid = object_map_object(&self.id, Some(id));
        if features & features::FAST_DIFF != 0 {
            match self.io.exec(oid.as_bytes(), RBD, "object_map_load", Vec::new()) {
                Ok(map) => {
                    let next = self.header().snapc.snaps.iter().copied().filter(|&s| s > id).min();
                    let mut op = if next.is_none() { self.head_map_op() } else { ObjectOperation::new() };
                    op.push(rbd_step("object_map_snap_remove", map.clone()));
                    let target = object_map_object(&self.id, next);
                    match check(&self.io.operate(target.as_bytes(), op)) {
                        Err(e) if e.errno() != libc::ENOENT => return Err(e),
                        _ => {}
                    }
                    if next.is_none() {
                        let removed = BitVector2::from_bytes(&map).map_err(|_| Error::Corrupt("object map".into()))?;
                        self.object_map.absorb_removed_snapshot(&removed);
                    }
                }
                Err(e) if e.errno() != libc::ENOENT => return Err(e),
                Err(_) => {}
            }
        }
        match check(&self.io.operate(oid.as_bytes(), ObjectOperation::single(OpStep::Remove))) {
            Err(e) if e.errno() != libc::ENOENT => Err(e),
            _ => Ok(()),
        }
    }

    /// Renames user snapshot `from` to `to`. Errors: ENOENT without `from`,
    /// EEXIST when `to` is taken, EINVAL for an empty name, EROFS, the OSDs'.
    pub fn rename_snapshot(self: &Arc<Self>, from: &str, to: &str) -> Result<()> {
        if to.is_empty() {
            return Err(Error::invalid("empty snapshot name"));
        }
        self.prepare_snapshot_change()?;
        let snap = self.snapshot_named(from)?;
        if self.snapshot_named(to).is_ok() {
            return Err(Error::AlreadyExists(format!("snapshot {to}")));
        }
        let mut input = snap.id.to_bytes();
        to.to_string().encode(&mut input);
        let op = self.locked_header_op(rbd_step("snapshot_rename", input));
        let result = check(&self.io.operate(self.header_oid.as_bytes(), op));
        let refreshed = self.refresh();
        notify_header_update(self);
        result.and(refreshed)
    }

    /// Snapshot `id`'s protection status (`protection::*`).
    pub fn protection_status(&self, id: u64) -> Result<u8> {
        let out = self.io.exec(self.header_oid.as_bytes(), RBD, "get_protection_status", id.to_bytes())?;
        u8::from_bytes(&out).map_err(|_| Error::Corrupt("get_protection_status reply".into()))
    }

    /// Whether user snapshot `name` is protected. Errors: ENOENT without it.
    pub fn is_snapshot_protected(&self, name: &str) -> Result<bool> {
        let snap = self.snapshot_named(name)?;
        Ok(self.protection_status(snap.id)? == protection::PROTECTED)
    }

    /// Protects user snapshot `name` (clones may be made from it). Errors:
    /// ENOSYS without layering (upstream's answer), ENOENT, EBUSY when
    /// already protected, EROFS.
    pub fn protect_snapshot(self: &Arc<Self>, name: &str) -> Result<()> {
        self.check_open()?;
        if self.header().features & features::LAYERING == 0 {
            return Err(Error::NotImplemented("protecting a snapshot of an image without layering"));
        }
        self.prepare_snapshot_change()?;
        let snap = self.snapshot_named(name)?;
        if self.protection_status(snap.id)? == protection::PROTECTED {
            return Err(Error::Busy("snapshot already protected".into()));
        }
        self.set_protection(snap.id, protection::PROTECTED)
    }

    /// Unprotects user snapshot `name`. Errors: ENOSYS without layering,
    /// ENOENT, EINVAL when not protected, EBUSY while clones use it, EROFS.
    /// (Clones of the old format, listed in each pool's `rbd_children`, are
    /// not looked for: this library makes none.)
    pub fn unprotect_snapshot(self: &Arc<Self>, name: &str) -> Result<()> {
        self.check_open()?;
        if self.header().features & features::LAYERING == 0 {
            return Err(Error::NotImplemented("unprotecting a snapshot of an image without layering"));
        }
        self.prepare_snapshot_change()?;
        let snap = self.snapshot_named(name)?;
        if self.protection_status(snap.id)? != protection::PROTECTED {
            return Err(Error::invalid("snapshot is not protected"));
        }
        self.set_protection(snap.id, protection::UNPROTECTING)?;
        if self.snapshot(snap.id)?.child_count > 0 {
            self.set_protection(snap.id, protection::PROTECTED)?;
            return Err(Error::Busy("snapshot has clones".into()));
        }
        self.set_protection(snap.id, protection::UNPROTECTED)
    }

    fn set_protection(self: &Arc<Self>, id: u64, status: u8) -> Result<()> {
        let mut input = id.to_bytes();
        status.encode(&mut input);
        let op = self.locked_header_op(rbd_step("set_protection_status", input));
        check(&self.io.operate(self.header_oid.as_bytes(), op))?;
        notify_header_update(self);
        Ok(())
    }

    /// The most snapshots the image may have (`u64::MAX`: no limit).
    pub fn snapshot_limit(&self) -> Result<u64> {
        self.check_open()?;
        let out = self.io.exec(self.header_oid.as_bytes(), RBD, "snapshot_get_limit", Vec::new())?;
        u64::from_bytes(&out).map_err(|_| Error::Corrupt("snapshot_get_limit reply".into()))
    }

    /// Sets the snapshot limit (`u64::MAX` removes it). Errors: ERANGE below
    /// the current count, EROFS.
    pub fn set_snapshot_limit(self: &Arc<Self>, limit: u64) -> Result<()> {
        self.check_writable()?;
        self.io.exec(self.header_oid.as_bytes(), RBD, "snapshot_set_limit", limit.to_bytes())?;
        Ok(())
    }

    /// Rolls the head back to user snapshot `name` (`SnapshotRollbackRequest`):
    /// writes wait; the size becomes the snapshot's; the object map becomes
    /// the snapshot's copy; then each data object up to the snapshot's size
    /// is rolled back by its OSD (an object made after the snapshot is
    /// removed). `progress(objects done, object count)` follows the objects.
    /// Errors: ENOENT without the snapshot, EROFS, the OSDs' errors.
    pub fn rollback_to_snapshot(self: &Arc<Self>, name: &str, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
        self.check_writable()?;
        self.prepare_snapshot_change()?;
        let snap = self.snapshot_named(name)?;
        if self.header().size != snap.image_size {
            self.resize(snap.image_size, true, &mut |_, _| {})?;
        }
        let gate = self.lock.block_writes();
        self.inflight.wait();
        let result = self.rollback_objects(snap.id, snap.image_size, progress);
        let refreshed = self.refresh();
        drop(gate);
        notify_header_update(self);
        result.and(refreshed)
    }

    fn rollback_objects(&self, id: u64, size: u64, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
        let (features, layout, prefix) = {
            let h = self.header();
            (h.features, h.layout(), h.object_prefix.clone())
        };
        if features & features::OBJECT_MAP != 0 {
            let bytes = self.copy_object_map(Some(id), None)?;
            let map = BitVector2::from_bytes(&bytes).map_err(|_| Error::Corrupt("object map".into()))?;
            self.object_map
                .update_loaded(|i, _| Some(if i < map.len() { map.get(i) } else { object_state::NONEXISTENT }));
        }
        let count = layout.num_objects(size);
        for object_no in 0..count {
            let name = super::object_names::data_object(&prefix, object_no);
            let op = ObjectOperation::single(OpStep::Rollback { snap: id });
            match check(&self.data_io.operate(name.as_bytes(), op)) {
                Err(e) if e.errno() != libc::ENOENT => return Err(e),
                _ => {}
            }
            progress(object_no + 1, count);
        }
        Ok(())
    }

    /// Reads user snapshot `name` from now on (None: the head again). Setting
    /// a snapshot releases the exclusive lock, as upstream. Errors: ENOENT.
    pub fn set_snapshot(self: &Arc<Self>, name: Option<&str>) -> Result<()> {
        self.check_open()?;
        let id = match name {
            Some(n) => Some(self.snapshot_named(n)?.id),
            None => None,
        };
        self.set_snapshot_id(id)
    }

    /// Reads snapshot `id` (any namespace) from now on; None: the head.
    /// Errors: ENOENT without it.
    pub fn set_snapshot_id(self: &Arc<Self>, id: Option<u64>) -> Result<()> {
        self.check_open()?;
        if let Some(id) = id {
            self.snapshot(id)?;
            self.lock.release(self)?;
        }
        self.inflight.wait();
        self.select_snapshot(id)
    }
}

impl super::object_map::ObjectMap {
    /// After `object_map_snap_add` on the stored head map: EXISTS objects
    /// of the loaded map turn EXISTS_CLEAN too.
    fn mark_clean(&self) {
        self.update_loaded(|_, s| (s == object_state::EXISTS).then_some(object_state::EXISTS_CLEAN));
    }

    /// After `object_map_snap_remove` on the stored head map, with the
    /// removed snapshot's map: the same change in the loaded one.
    fn absorb_removed_snapshot(&self, removed: &BitVector2) {
        self.update_loaded(|i, s| {
            (s == object_state::EXISTS_CLEAN && (i >= removed.len() || removed.get(i) == object_state::EXISTS))
                .then_some(object_state::EXISTS)
        });
    }
}
