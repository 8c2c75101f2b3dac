//! Executing one compound operation on one object, with an OSD's semantics.
//!
//! `ObjectTxn` is a working copy of the object: metadata changes update a copy
//! of its `ObjectMeta` and record `ObjectChange` deltas; data changes are kept
//! as `DataOp`s and overlaid on the committed file when the same operation
//! reads. A failing step aborts the whole operation (nothing is applied) unless
//! it carries FAILOK. The result is a reply and, for writes, the list of
//! `Change`s to commit. Writes under a snap context newer than the object's
//! clone the head first (`prepare_write`), as the OSD's `make_writeable`.

use std::collections::BTreeMap;

use super::data::DataFiles;
use super::journal::{Change, DataOp, ObjectChange};
use super::meta::{Attrs, CloneMeta, ObjectKey, ObjectMeta, PoolMeta};
use crate::cls::{self, ObjectContext, OmapEntries};
use crate::denc::{Encode, EntityAddr, EntityNameT, UTime};
use crate::error::{Error, Result};
use crate::rados::object::{SnapContext, WatcherInfo, SNAP_DIR, SNAP_HEAD};
use crate::rados::op::{
    step_flags, ChecksumType, CmpMode, CmpOp, ObjectOperation, OpReply, OpStep, StepOutput, StepResult,
};

/// Largest object size (`osd_max_object_size`).
pub(crate) const MAX_OBJECT_SIZE: u64 = 128 << 20;
/// Longest object name (`osd_max_object_name_len`).
pub(crate) const MAX_OBJECT_NAME_LEN: usize = 2048;
/// Longest xattr name (`osd_max_attr_name_len`).
const MAX_ATTR_NAME_LEN: usize = 100;
/// Most omap entries one request returns (`osd_max_omap_entries_per_request`).
const MAX_OMAP_ENTRIES: u64 = 131072;
/// Ceph's "writer has an old snap context" errno (`EOLDSNAPC` = `ERESTART`).
pub(crate) const EOLDSNAPC: i32 = libc::ERESTART;
/// `-MAX_ERRNO - offset` is a cmpext mismatch at `offset`.
const MAX_ERRNO: i64 = 4095;

fn e(errno: i32) -> Error {
    Error::remote(-errno, "osd")
}

/// The request-level facts an operation runs with.
pub(crate) struct ExecEnv<'a> {
    pub files: &'a DataFiles,
    pub pool: &'a PoolMeta,
    pub key: &'a ObjectKey,
    pub read_snap: u64,
    pub snapc: &'a SnapContext,
    pub ordersnap: bool,
    pub mtime: UTime,
    pub origin: (EntityNameT, EntityAddr),
    /// The object's watchers (asked only by `ListWatchers`).
    pub watchers: &'a dyn Fn() -> Vec<WatcherInfo>,
    /// Allocates a new data file id.
    pub new_file_id: &'a dyn Fn() -> u64,
    /// Allocates the version of a committed write.
    pub new_version: &'a dyn Fn() -> u64,
}

/// What running an operation produced.
pub(crate) struct Outcome {
    pub reply: OpReply,
    /// Changes to commit (empty for reads and failed writes).
    pub changes: Vec<Change>,
    /// True when `changes` are plain data changes of an existing object plus
    /// its size/mtime: they may skip the journal (see store::commit).
    pub data_only: bool,
    pub wrote: bool,
    /// The operation removed the head object (its watches must end).
    pub removed_head: bool,
    pub bytes_read: u64,
    pub bytes_written: u64,
}

/// The working copy of the object an operation runs on.
pub(crate) struct ObjectTxn<'a> {
    env: &'a ExecEnv<'a>,
    meta: ObjectMeta,
    /// The committed file whose content the head had when the operation began.
    base_file: Option<u64>,
    base_size: u64,
    /// Data changes to the head's current file, in order.
    head_ops: Vec<DataOp>,
    /// Changes to commit, in order (clone copies before head writes).
    changes: Vec<Change>,
    write_prepared: bool,
    metadata_changed: bool,
    created: bool,
    /// Extents of the head changed by this operation (for clone overlaps).
    modified: Vec<(u64, u64)>,
    bytes_written: u64,
}

impl<'a> ObjectTxn<'a> {
    pub fn new(env: &'a ExecEnv<'a>, committed: Option<&ObjectMeta>) -> ObjectTxn<'a> {
        let meta = committed.cloned().unwrap_or_default();
        let base_file = meta.exists.then_some(meta.file_id);
        let base_size = if meta.exists { meta.size } else { 0 };
        ObjectTxn {
            env,
            meta,
            base_file,
            base_size,
            head_ops: Vec::new(),
            changes: Vec::new(),
            write_prepared: false,
            metadata_changed: false,
            created: false,
            modified: Vec::new(),
            bytes_written: 0,
        }
    }

    fn pool(&self) -> i64 {
        self.env.pool.id
    }

    fn object_change(&mut self, change: ObjectChange) {
        self.metadata_changed = true;
        self.changes.push(Change::Object { pool: self.pool(), key: self.env.key.clone(), change });
    }

    fn head_data(&mut self, op: DataOp) {
        self.changes.push(Change::Data { pool: self.pool(), file_id: self.meta.file_id, op: op.clone() });
        self.head_ops.push(op);
    }

    /// Reads the head as this operation sees it.
    fn read_head(&self, offset: u64, len: u64) -> Result<Vec<u8>> {
        let size = self.meta.size;
        if offset >= size {
            return Ok(Vec::new());
        }
        let n = len.min(size - offset);
        let mut buf = vec![0u8; n as usize];
        let mut valid = self.base_size; // content beyond is zeros
        if let Some(file) = self.base_file {
            if offset < valid {
                let got = self.env.files.read_into(self.pool(), file, offset, &mut buf)?;
                buf[got..].iter_mut().for_each(|b| *b = 0);
            }
        }
        let end = offset + n;
        for op in &self.head_ops {
            match op {
                DataOp::Write { offset: o, data } => {
                    let (s, e2) = ((*o).max(offset), (*o + data.len() as u64).min(end));
                    if s < e2 {
                        buf[(s - offset) as usize..(e2 - offset) as usize]
                            .copy_from_slice(&data[(s - o) as usize..(e2 - o) as usize]);
                    }
                }
                DataOp::Zero { offset: o, len: l } => {
                    let (s, e2) = ((*o).max(offset), (*o + l).min(end));
                    if s < e2 {
                        buf[(s - offset) as usize..(e2 - offset) as usize].iter_mut().for_each(|b| *b = 0);
                    }
                }
                DataOp::Truncate { size: t } => {
                    valid = valid.min(*t);
                    if *t < end {
                        let from = (*t).max(offset);
                        buf[(from - offset) as usize..].iter_mut().for_each(|b| *b = 0);
                    }
                }
                DataOp::Remove => buf.iter_mut().for_each(|b| *b = 0),
                DataOp::CopyFrom { from } => {
                    buf.iter_mut().for_each(|b| *b = 0);
                    self.env.files.read_into(self.pool(), *from, offset, &mut buf)?;
                }
            }
        }
        let _ = valid;
        Ok(buf)
    }

    /// The view of the object an operation reads: the head, or the clone that
    /// serves `read_snap`. Returns (size, attrs, data source) or ENOENT.
    fn snap_view(&self) -> Result<Option<&CloneMeta>> {
        let snap = self.env.read_snap;
        if snap == SNAP_HEAD || snap == SNAP_DIR {
            return if self.meta.exists { Ok(None) } else { Err(e(libc::ENOENT)) };
        }
        if self.env.pool.removed_snaps.contains(&snap) {
            return Err(e(libc::ENOENT));
        }
        if snap > self.meta.snap_seq {
            return if self.meta.exists { Ok(None) } else { Err(e(libc::ENOENT)) };
        }
        let clone = self.meta.clones.iter().find(|c| c.id >= snap).ok_or_else(|| e(libc::ENOENT))?;
        let oldest = clone.snaps.first().copied().unwrap_or(u64::MAX);
        let newest = clone.snaps.last().copied().unwrap_or(0);
        if oldest <= snap && snap <= newest {
            Ok(Some(clone))
        } else {
            Err(e(libc::ENOENT))
        }
    }

    fn view_size(&self) -> Result<u64> {
        Ok(match self.snap_view()? {
            Some(c) => c.size,
            None => self.meta.size,
        })
    }

    fn view_attrs(&self) -> Result<&Attrs> {
        Ok(match self.snap_view()? {
            Some(c) => &c.attrs,
            None => &self.meta.attrs,
        })
    }

    fn view_read(&self, offset: u64, len: u64) -> Result<Vec<u8>> {
        match self.snap_view()? {
            Some(c) => {
                if offset >= c.size {
                    return Ok(Vec::new());
                }
                let mut v = self.env.files.read(self.pool(), c.file_id, offset, len.min(c.size - offset))?;
                v.resize(len.min(c.size - offset) as usize, 0);
                Ok(v)
            }
            None => self.read_head(offset, len),
        }
    }

    fn require_head(&self) -> Result<()> {
        if self.env.read_snap != SNAP_HEAD {
            return Err(e(libc::EROFS));
        }
        Ok(())
    }

    /// Before the first change: checks the snap context and clones the head when
    /// it is older than the context's newest snapshot.
    fn prepare_write(&mut self) -> Result<()> {
        self.require_head()?;
        if self.write_prepared {
            return Ok(());
        }
        self.write_prepared = true;
        let snapc = self.env.snapc;
        if !snapc.is_valid() {
            return Err(e(libc::EINVAL));
        }
        if self.env.ordersnap && snapc.seq < self.meta.snap_seq {
            return Err(e(EOLDSNAPC));
        }
        if self.meta.exists && snapc.snaps.first().is_some_and(|&s| s > self.meta.snap_seq) {
            let snaps: Vec<u64> = snapc.snaps.iter().copied().take_while(|&s| s > self.meta.snap_seq).collect();
            let file_id = (self.env.new_file_id)();
            let clone = CloneMeta {
                id: snapc.seq,
                snaps: snaps.into_iter().rev().collect(),
                overlap: if self.meta.size > 0 { vec![(0, self.meta.size)] } else { Vec::new() },
                size: self.meta.size,
                file_id,
                attrs: self.meta.attrs.clone(),
            };
            self.changes.push(Change::Data {
                pool: self.pool(),
                file_id,
                op: DataOp::CopyFrom { from: self.meta.file_id },
            });
            self.meta.clones.push(clone.clone());
            self.object_change(ObjectChange::CloneAdd(clone));
        }
        if snapc.seq > self.meta.snap_seq {
            self.meta.snap_seq = snapc.seq;
            self.metadata_changed = true;
        }
        Ok(())
    }

    /// Makes the head exist (a write to a missing object creates it).
    fn ensure_exists(&mut self) {
        if !self.meta.exists {
            self.meta.exists = true;
            self.meta.file_id = (self.env.new_file_id)();
            self.meta.size = 0;
            self.meta.attrs = Attrs::default();
            self.base_file = None;
            self.base_size = 0;
            self.head_ops.clear();
            self.created = true;
            self.metadata_changed = true;
            self.changes.push(Change::Data {
                pool: self.pool(),
                file_id: self.meta.file_id,
                op: DataOp::Truncate { size: 0 },
            });
        }
    }

    fn mark_modified(&mut self, offset: u64, len: u64) {
        if len > 0 {
            self.modified.push((offset, len));
        }
    }

    fn write(&mut self, offset: u64, data: &[u8]) -> Result<()> {
        self.write_vec(offset, data.to_vec())
    }

    /// `write` taking the data over (no copy).
    fn write_vec(&mut self, offset: u64, data: Vec<u8>) -> Result<()> {
        check_extent(offset, data.len() as u64)?;
        self.prepare_write()?;
        self.ensure_exists();
        if data.is_empty() {
            // as the OSD: an empty write past the end extends the object
            if offset > self.meta.size {
                self.head_data(DataOp::Truncate { size: offset });
                self.meta.size = offset;
            }
        } else {
            let len = data.len() as u64;
            self.head_data(DataOp::Write { offset, data });
            self.meta.size = self.meta.size.max(offset + len);
            self.mark_modified(offset, len);
            self.bytes_written += len;
        }
        Ok(())
    }

    fn truncate(&mut self, size: u64) -> Result<()> {
        self.prepare_write()?;
        if !self.meta.exists {
            return Ok(()); // as the OSD: no object, nothing to truncate
        }
        check_extent(size, 0)?;
        if size < self.meta.size {
            self.mark_modified(size, self.meta.size - size);
        }
        self.head_data(DataOp::Truncate { size });
        self.meta.size = size;
        Ok(())
    }

    fn zero(&mut self, offset: u64, len: u64) -> Result<()> {
        if len == 0 {
            // the OSD asserts on this; refuse it instead
            return Err(e(libc::EINVAL));
        }
        check_extent(offset, len)?;
        self.prepare_write()?;
        if !self.meta.exists || offset >= self.meta.size {
            return Ok(());
        }
        if offset + len >= self.meta.size {
            // zeroing to the end truncates, as the OSD does
            self.mark_modified(offset, self.meta.size - offset);
            self.head_data(DataOp::Truncate { size: offset });
            self.meta.size = offset;
        } else {
            self.head_data(DataOp::Zero { offset, len });
            self.mark_modified(offset, len);
        }
        Ok(())
    }

    fn remove(&mut self) -> Result<()> {
        self.prepare_write()?;
        if !self.meta.exists {
            return Err(e(libc::ENOENT));
        }
        // the whole head changes: no clone overlaps it any more
        self.mark_modified(0, self.meta.size);
        self.head_data(DataOp::Remove);
        self.meta.exists = false;
        self.meta.size = 0;
        self.meta.attrs = Attrs::default();
        self.metadata_changed = true;
        self.base_file = None;
        self.base_size = 0;
        self.head_ops.clear();
        Ok(())
    }

    fn setxattr(&mut self, name: &[u8], value: &[u8]) -> Result<()> {
        if name.len() > MAX_ATTR_NAME_LEN {
            return Err(e(libc::ENAMETOOLONG));
        }
        self.prepare_write()?;
        self.ensure_exists();
        self.meta.attrs.xattrs.insert(name.to_vec(), value.to_vec());
        self.object_change(ObjectChange::XattrSet(name.to_vec(), value.to_vec()));
        Ok(())
    }

    fn rmxattr(&mut self, name: &[u8]) -> Result<()> {
        self.prepare_write()?;
        if !self.meta.exists {
            return Err(e(libc::ENOENT));
        }
        if self.meta.attrs.xattrs.remove(name).is_some() {
            self.object_change(ObjectChange::XattrRm(name.to_vec()));
        }
        Ok(())
    }

    fn omap_set(&mut self, entries: &[(Vec<u8>, Vec<u8>)]) -> Result<()> {
        self.prepare_write()?;
        self.ensure_exists();
        for (k, v) in entries {
            self.meta.attrs.omap.insert(k.clone(), v.clone());
        }
        self.object_change(ObjectChange::OmapSet(entries.to_vec()));
        Ok(())
    }

    fn omap_rm(&mut self, keys: &[Vec<u8>]) -> Result<()> {
        self.prepare_write()?;
        if !self.meta.exists {
            return Err(e(libc::ENOENT));
        }
        for k in keys {
            self.meta.attrs.omap.remove(k);
        }
        self.object_change(ObjectChange::OmapRm(keys.to_vec()));
        Ok(())
    }

    fn omap_list(&self, start_after: &[u8], prefix: &[u8], max: u64) -> Result<(OmapEntries, bool)> {
        let attrs = self.view_attrs()?;
        let max = max.min(MAX_OMAP_ENTRIES) as usize;
        let from = if start_after < prefix { prefix } else { start_after };
        let mut out = Vec::new();
        let mut more = false;
        let range = attrs.omap.range::<[u8], _>((
            if from == prefix && start_after < prefix {
                std::ops::Bound::Included(from)
            } else {
                std::ops::Bound::Excluded(from)
            },
            std::ops::Bound::Unbounded,
        ));
        for (k, v) in range {
            if !k.starts_with(prefix) {
                break;
            }
            if out.len() == max {
                more = true;
                break;
            }
            out.push((k.clone(), v.clone()));
        }
        Ok((out, more))
    }

    /// Subtracts this operation's modified extents from the newest clone's overlap.
    fn finish_overlap(&mut self) {
        if self.modified.is_empty() {
            return;
        }
        let Some(newest) = self.meta.clones.last_mut() else { return };
        let mut overlap = newest.overlap.clone();
        for &(o, l) in &self.modified {
            overlap = subtract_extent(&overlap, o, l);
        }
        if overlap != newest.overlap {
            newest.overlap = overlap.clone();
            let (id, snaps) = (newest.id, newest.snaps.clone());
            self.object_change(ObjectChange::CloneUpdate { id, snaps, overlap });
        }
    }
}

/// `extents` minus `[offset, offset + len)`.
pub(crate) fn subtract_extent(extents: &[(u64, u64)], offset: u64, len: u64) -> Vec<(u64, u64)> {
    let end = offset + len;
    let mut out = Vec::new();
    for &(o, l) in extents {
        let e2 = o + l;
        if e2 <= offset || o >= end {
            out.push((o, l));
            continue;
        }
        if o < offset {
            out.push((o, offset - o));
        }
        if e2 > end {
            out.push((end, e2 - end));
        }
    }
    out
}

/// The intersection of two sorted extent lists.
pub(crate) fn intersect_extents(a: &[(u64, u64)], b: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    for &(o1, l1) in a {
        for &(o2, l2) in b {
            let (s, e2) = (o1.max(o2), (o1 + l1).min(o2 + l2));
            if s < e2 {
                out.push((s, e2 - s));
            }
        }
    }
    out.sort_unstable();
    out
}

/// Runs `op` on the object whose committed state is `committed`.
/// Runs `op`; the data of its write steps is taken over (left empty in `op`).
pub(crate) fn execute(env: &ExecEnv<'_>, committed: Option<&ObjectMeta>, op: &mut ObjectOperation) -> Outcome {
    let mut txn = ObjectTxn::new(env, committed);
    let mut steps = vec![StepResult::default(); op.steps.len()];
    let mut bytes_read = 0u64;
    let writes = is_write_op(op);
    // A read of a missing object fails as a whole before any step runs (the
    // OSD finds no object context); the steps report nothing.
    if !writes && !op.steps.iter().any(|s| matches!(s.op, OpStep::ListSnaps)) && txn.snap_view().is_err() {
        let reply = OpReply { result: -libc::ENOENT, version: 0, steps };
        return Outcome {
            reply,
            changes: Vec::new(),
            data_only: false,
            wrote: false,
            removed_head: false,
            bytes_read,
            bytes_written: 0,
        };
    }
    // As the OSD: one result carried from step to step; a step that does not
    // set it reports the value it inherited.
    let mut result = 0;
    for (i, step) in op.steps.iter_mut().enumerate() {
        let outcome = match &mut step.op {
            // the data moves into the transaction rather than being copied
            OpStep::Write { offset, data } => {
                txn.write_vec(*offset, std::mem::take(data).into_vec()).map(|_| (Some(0), StepOutput::None))
            }
            other => run_step(&mut txn, other, &mut bytes_read),
        };
        match outcome {
            Ok((rval, out)) => {
                if let Some(r) = rval {
                    result = r;
                }
                steps[i] = StepResult { rval: result, out };
            }
            Err(err) => {
                result = -err.errno();
                steps[i] = StepResult { rval: result, out: StepOutput::None };
            }
        }
        if result < 0 && step.flags & step_flags::FAILOK != 0 {
            result = 0;
        }
        if result < 0 {
            break;
        }
    }
    let nothing = |reply: OpReply| Outcome {
        reply,
        changes: Vec::new(),
        data_only: false,
        wrote: false,
        removed_head: false,
        bytes_read,
        bytes_written: 0,
    };
    if result < 0 {
        return nothing(OpReply { result, version: 0, steps });
    }
    if txn.changes.is_empty() && !txn.metadata_changed {
        // a read (whose result may be positive, e.g. after a true cmpxattr),
        // or a write with nothing to do (truncating a missing object…)
        let version = txn.meta.version;
        return nothing(OpReply { result, version, steps });
    }
    txn.finish_overlap();
    txn.meta.version = (env.new_version)();
    txn.meta.mtime = env.mtime;
    let data_only = !txn.metadata_changed && !txn.created;
    let removed_head = committed.is_some_and(|c| c.exists) && !txn.meta.exists;
    let bytes_written = txn.bytes_written;
    let changes = std::mem::take(&mut txn.changes);
    let changes = finish_changes(&mut txn, changes);
    Outcome {
        reply: OpReply { result: 0, version: txn.meta.version, steps },
        changes,
        data_only,
        wrote: true,
        removed_head,
        bytes_read,
        bytes_written,
    }
}

/// Appends the object's scalar fields (or its deletion) to the changes.
fn finish_changes(txn: &mut ObjectTxn<'_>, mut changes: Vec<Change>) -> Vec<Change> {
    let m = &txn.meta;
    let change = if !m.exists && m.clones.is_empty() {
        ObjectChange::Delete
    } else {
        ObjectChange::Put {
            exists: m.exists,
            file_id: m.file_id,
            size: m.size,
            version: m.version,
            mtime: txn.env.mtime,
            snap_seq: m.snap_seq,
        }
    };
    changes.push(Change::Object { pool: txn.env.pool.id, key: txn.env.key.clone(), change });
    changes
}

/// A step's effect on the operation's result (None: left as inherited, as
/// the OSD's STAT, ASSERT_VER and omap reads do) and its output.
type StepOk = (Option<i32>, StepOutput);

/// True when the operation modifies the object (an `Exec` by its method's flags).
pub(crate) fn is_write_op(op: &ObjectOperation) -> bool {
    op.steps.iter().any(|s| match &s.op {
        OpStep::Exec { class, method, .. } => cls::find(class, method).is_ok_and(|m| m.flags.write),
        other => other.is_write(),
    })
}

fn run_step(txn: &mut ObjectTxn<'_>, step: &OpStep, bytes_read: &mut u64) -> Result<StepOk> {
    let set = |r: i32| Ok((Some(r), StepOutput::None));
    let keep = || Ok((None, StepOutput::None));
    match step {
        OpStep::Read { offset, len } => {
            let size = txn.view_size()?;
            let len = if *len == 0 { size.saturating_sub(*offset) } else { *len };
            let data = txn.view_read(*offset, len)?;
            *bytes_read += data.len() as u64;
            Ok((Some(0), StepOutput::Data(data)))
        }
        OpStep::SparseRead { offset, len } => {
            let size = txn.view_size()?;
            let end = if *len == 0 { size } else { offset.saturating_add(*len).min(size) };
            if *offset >= end {
                return Ok((Some(0), StepOutput::Extents { extents: Vec::new(), data: Vec::new() }));
            }
            let file = match txn.snap_view()? {
                Some(c) => Some(c.file_id),
                None if txn.head_ops.is_empty() => txn.base_file,
                None => None,
            };
            let extents = match file {
                Some(f) => txn.env.files.extents(txn.pool(), f, *offset, end - offset)?,
                None => vec![(*offset, end - offset)],
            };
            let mut data = Vec::new();
            for &(o, l) in &extents {
                data.extend(txn.view_read(o, l)?);
            }
            *bytes_read += data.len() as u64;
            Ok((Some(0), StepOutput::Extents { extents, data }))
        }
        OpStep::Stat => {
            let size = txn.view_size()?;
            let m = txn.meta.mtime;
            Ok((None, StepOutput::Stat { size, mtime: (m.sec as i64, m.nsec) }))
        }
        OpStep::GetXattr { name } => {
            let v = txn.view_attrs()?.xattrs.get(name).cloned().ok_or_else(|| e(libc::ENODATA))?;
            Ok((Some(0), StepOutput::Data(v)))
        }
        OpStep::GetXattrs => Ok((Some(0), StepOutput::Xattrs(txn.view_attrs()?.xattrs.clone()))),
        OpStep::CmpXattr { name, op, mode, value } => {
            let stored = txn.view_attrs()?.xattrs.get(name).cloned().unwrap_or_default();
            // the OSD compares `given OP stored`
            let holds = match mode {
                CmpMode::String => op.holds(value.as_slice().cmp(stored.as_slice())),
                CmpMode::U64 => {
                    let given: [u8; 8] =
                        value.get(..8).and_then(|b| b.try_into().ok()).ok_or_else(|| e(libc::EINVAL))?;
                    op.holds(u64::from_le_bytes(given).cmp(&leading_u64(&stored)))
                }
            };
            if holds {
                set(1)
            } else {
                Err(e(libc::ECANCELED))
            }
        }
        OpStep::OmapGetKeys { start_after, max } => {
            let (vals, more) = txn.omap_list(start_after, b"", *max)?;
            Ok((None, StepOutput::Keys { keys: vals.into_iter().map(|(k, _)| k).collect(), more }))
        }
        OpStep::OmapGetVals { start_after, prefix, max } => {
            let (vals, more) = txn.omap_list(start_after, prefix, *max)?;
            Ok((None, StepOutput::Vals { vals, more }))
        }
        OpStep::OmapGetValsByKeys { keys } => {
            let attrs = txn.view_attrs()?;
            let vals = keys.iter().filter_map(|k| attrs.omap.get(k).map(|v| (k.clone(), v.clone()))).collect();
            Ok((None, StepOutput::Vals { vals, more: false }))
        }
        OpStep::OmapGetHeader => Ok((None, StepOutput::Data(txn.view_attrs()?.omap_header.clone()))),
        OpStep::OmapCmp { assertions } => {
            let attrs = txn.view_attrs()?;
            for (key, op, value) in assertions {
                let stored = attrs.omap.get(key).cloned().unwrap_or_default();
                // the OSD compares `stored OP given`, and knows only EQ, LT and GT
                let holds = match op {
                    CmpOp::Eq | CmpOp::Lt | CmpOp::Gt => op.holds(stored.as_slice().cmp(value.as_slice())),
                    _ => return Err(e(libc::EINVAL)),
                };
                if !holds {
                    return Err(e(libc::ECANCELED));
                }
            }
            keep()
        }
        OpStep::CmpExt { offset, data } => {
            // a missing object compares as zeros (reads fail earlier with ENOENT)
            let have = match txn.view_read(*offset, data.len() as u64) {
                Err(err) if err.errno() == libc::ENOENT => Vec::new(),
                other => other?,
            };
            for (i, b) in data.iter().enumerate() {
                if have.get(i).copied().unwrap_or(0) != *b {
                    return set((-(MAX_ERRNO + i as i64)) as i32);
                }
            }
            set(0)
        }
        OpStep::Checksum { kind, init, offset, len, chunk_size } => {
            checksum(txn, *kind, init, *offset, *len, *chunk_size)
        }
        OpStep::ListSnaps => {
            if !txn.meta.exists && txn.meta.clones.is_empty() {
                return Err(e(libc::ENOENT));
            }
            Ok((Some(0), StepOutput::Snaps(txn.meta.snap_set())))
        }
        OpStep::ListWatchers => {
            txn.view_size()?;
            Ok((Some(0), StepOutput::Watchers((txn.env.watchers)())))
        }
        OpStep::AssertExists => {
            // librados sends a STAT, which leaves the result as it was
            txn.view_size()?;
            keep()
        }
        OpStep::AssertVersion { version } => {
            if *version == 0 {
                return Err(e(libc::EINVAL));
            }
            let have = txn.meta.version;
            match version.cmp(&have) {
                std::cmp::Ordering::Less => Err(e(libc::ERANGE)),
                std::cmp::Ordering::Greater => Err(e(libc::EOVERFLOW)),
                std::cmp::Ordering::Equal => keep(),
            }
        }
        OpStep::Exec { class, method, input } => {
            let m = match cls::find(class, method) {
                Ok(m) => m,
                Err(_) if !cls::methods().any(|m| m.class == class) => return Err(e(libc::EPERM)),
                Err(err) => return Err(err),
            };
            if m.flags.write {
                txn.require_head()?;
            }
            let out = (m.run)(txn, input)?;
            Ok((Some(0), StepOutput::Data(out)))
        }
        OpStep::Create { exclusive } => {
            if txn.meta.exists {
                return if *exclusive { Err(e(libc::EEXIST)) } else { set(0) };
            }
            txn.prepare_write()?;
            txn.ensure_exists();
            set(0)
        }
        OpStep::Write { offset, data } => txn.write(*offset, data).and(set(0)),
        OpStep::WriteFull { data } => {
            if data.len() as u64 > MAX_OBJECT_SIZE {
                return Err(e(libc::EFBIG));
            }
            txn.prepare_write()?;
            txn.ensure_exists();
            let old = txn.meta.size;
            txn.mark_modified(0, old.max(data.len() as u64));
            txn.head_data(DataOp::Truncate { size: 0 });
            txn.meta.size = 0;
            if !data.is_empty() {
                txn.head_data(DataOp::Write { offset: 0, data: data.clone() });
                txn.meta.size = data.len() as u64;
                txn.bytes_written += data.len() as u64;
            }
            set(0)
        }
        OpStep::WriteSame { offset, len, data } => {
            if data.is_empty() || len % data.len() as u64 != 0 {
                return Err(e(libc::EINVAL));
            }
            let buf: Vec<u8> = data.iter().copied().cycle().take(*len as usize).collect();
            txn.write(*offset, &buf).and(set(0))
        }
        OpStep::Append { data } => {
            let at = if txn.meta.exists { txn.meta.size } else { 0 };
            txn.write(at, data).and(set(0))
        }
        OpStep::Zero { offset, len } => {
            // the OSD turns a zero reaching the end into a truncate, and one
            // starting past the end into nothing at all (result untouched)
            let (o, l, size) = (*offset, *len, txn.meta.size);
            if txn.meta.exists
                && o < MAX_OBJECT_SIZE
                && (1..=MAX_OBJECT_SIZE).contains(&l)
                && o.saturating_add(l) >= size
                && o >= size
            {
                txn.require_head()?;
                return keep();
            }
            txn.zero(o, l).and(set(0))
        }
        OpStep::Truncate { size } => txn.truncate(*size).and(set(0)),
        OpStep::Remove => txn.remove().and(set(0)),
        OpStep::SetXattr { name, value } => txn.setxattr(name, value).and(set(0)),
        OpStep::RmXattr { name } => txn.rmxattr(name).and(set(0)),
        OpStep::OmapSetVals { entries } => txn.omap_set(entries).and(set(0)),
        OpStep::OmapRmKeys { keys } => txn.omap_rm(keys).and(set(0)),
        OpStep::OmapRmRange { start, end } => {
            txn.prepare_write()?;
            if !txn.meta.exists {
                return Err(e(libc::ENOENT));
            }
            let keys: Vec<Vec<u8>> = txn
                .meta
                .attrs
                .omap
                .range::<[u8], _>((
                    std::ops::Bound::Included(start.as_slice()),
                    std::ops::Bound::Excluded(end.as_slice()),
                ))
                .map(|(k, _)| k.clone())
                .collect();
            for k in &keys {
                txn.meta.attrs.omap.remove(k);
            }
            txn.object_change(ObjectChange::OmapRmRange(start.clone(), end.clone()));
            set(0)
        }
        OpStep::OmapClear => {
            txn.prepare_write()?;
            if !txn.meta.exists {
                return Err(e(libc::ENOENT));
            }
            txn.meta.attrs.omap.clear();
            txn.object_change(ObjectChange::OmapClear);
            set(0)
        }
        OpStep::OmapSetHeader { data } => {
            txn.prepare_write()?;
            txn.ensure_exists();
            txn.meta.attrs.omap_header = data.clone();
            txn.object_change(ObjectChange::OmapHeader(data.clone()));
            set(0)
        }
        OpStep::SetAllocHint { .. } => {
            txn.prepare_write()?;
            txn.ensure_exists();
            set(0)
        }
        OpStep::Rollback { snap } => rollback(txn, *snap).and(set(0)),
        // the local store has no cache tiers: what an OSD answers for a pool that is not one
        OpStep::CachePin { .. } => Err(e(libc::EINVAL)),
    }
}

/// The OSD's `check_offset_and_length`: -EFBIG past the object size limit.
fn check_extent(offset: u64, len: u64) -> Result<()> {
    if offset >= MAX_OBJECT_SIZE || len > MAX_OBJECT_SIZE || offset + len > MAX_OBJECT_SIZE {
        return Err(e(libc::EFBIG));
    }
    Ok(())
}

/// The number at the start of `bytes`, as `strtoull(…, 10)` reads it (0 if none).
fn leading_u64(bytes: &[u8]) -> u64 {
    let text = std::str::from_utf8(bytes).unwrap_or("");
    let text = text.trim_start();
    let digits: String = text.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().unwrap_or(if digits.is_empty() { 0 } else { u64::MAX })
}

fn rollback(txn: &mut ObjectTxn<'_>, snap: u64) -> Result<()> {
    txn.prepare_write()?;
    if snap > txn.meta.snap_seq {
        return Ok(()); // the head is what the snapshot saw
    }
    let clone = txn
        .meta
        .clones
        .iter()
        .find(|c| {
            c.id >= snap && c.snaps.first().is_some_and(|&o| o <= snap) && c.snaps.last().is_some_and(|&n| n >= snap)
        })
        .cloned();
    match clone {
        None => {
            // the object did not exist at that snapshot
            if txn.meta.exists {
                txn.remove()?;
            }
        }
        Some(c) => {
            txn.ensure_exists();
            let old = txn.meta.size;
            txn.mark_modified(0, old.max(c.size));
            txn.head_data(DataOp::Remove);
            txn.head_data(DataOp::CopyFrom { from: c.file_id });
            txn.meta.size = c.size;
            txn.meta.attrs = c.attrs.clone();
            txn.object_change(ObjectChange::AttrsReplace(c.attrs));
        }
    }
    Ok(())
}

/// The OSD's CHECKSUM: a range trimmed to the object, an optional chunk size
/// that must divide it, an initial value of the algorithm's width (extra bytes
/// are ignored). Output: a little-endian u32 count, then the checksums.
fn checksum(
    txn: &mut ObjectTxn<'_>,
    kind: ChecksumType,
    init: &[u8],
    offset: u64,
    len: u64,
    chunk: u64,
) -> Result<StepOk> {
    if chunk > 0 && (len == 0 || len % chunk != 0) {
        return Err(e(libc::EINVAL));
    }
    let size = txn.view_size()?;
    let width = if kind == ChecksumType::XxHash64 { 8 } else { 4 };
    let mut len = len;
    if offset == 0 && len == 0 {
        len = size;
    } else if offset >= size {
        len = 0;
    } else if offset + len > size {
        len = size - offset;
        if chunk > 0 && len % chunk != 0 {
            return Err(e(libc::EINVAL));
        }
    }
    if init.len() < width {
        return Err(e(libc::EINVAL));
    }
    let data = if len > 0 { txn.view_read(offset, len)? } else { Vec::new() };
    let chunk = if chunk == 0 { data.len() as u64 } else { chunk };
    let mut out = Vec::new();
    let count = (data.len() as u64).checked_div(chunk).unwrap_or(0);
    (count as u32).encode(&mut out);
    for piece in data.chunks(chunk.max(1) as usize).take(count as usize) {
        match kind {
            ChecksumType::Crc32c => {
                let seed = u32::from_le_bytes(init[..4].try_into().expect("4 bytes"));
                crc32c_ceph(seed, piece).encode(&mut out);
            }
            ChecksumType::XxHash32 => {
                let seed = u32::from_le_bytes(init[..4].try_into().expect("4 bytes"));
                xxhash_rust::xxh32::xxh32(piece, seed).encode(&mut out);
            }
            ChecksumType::XxHash64 => {
                let seed = u64::from_le_bytes(init[..8].try_into().expect("8 bytes"));
                xxhash_rust::xxh64::xxh64(piece, seed).encode(&mut out);
            }
        }
    }
    Ok((Some(0), StepOutput::Data(out)))
}

/// Ceph's crc32c: the raw CRC register, seeded, without final inversion.
pub(crate) fn crc32c_ceph(seed: u32, data: &[u8]) -> u32 {
    // crc32c::crc32c_append(c, d) computes !update(!c, d); Ceph's is update(seed, d).
    !crc32c::crc32c_append(!seed, data)
}

// ---- object classes see the transaction as their object --------------------------

impl ObjectContext for ObjectTxn<'_> {
    fn origin(&self) -> (EntityNameT, EntityAddr) {
        self.env.origin
    }

    fn now(&self) -> UTime {
        UTime::now()
    }

    fn exists(&self) -> bool {
        self.meta.exists
    }

    fn stat(&mut self) -> Result<(u64, UTime)> {
        Ok((self.view_size()?, self.meta.mtime))
    }

    fn create(&mut self, exclusive: bool) -> Result<()> {
        if self.meta.exists {
            return if exclusive { Err(e(libc::EEXIST)) } else { Ok(()) };
        }
        self.prepare_write()?;
        self.ensure_exists();
        Ok(())
    }

    fn remove(&mut self) -> Result<()> {
        ObjectTxn::remove(self)
    }

    fn read(&mut self, offset: u64, len: u64) -> Result<Vec<u8>> {
        let size = self.view_size()?;
        let len = if len == 0 { size.saturating_sub(offset) } else { len };
        self.view_read(offset, len)
    }

    fn write(&mut self, offset: u64, data: &[u8]) -> Result<()> {
        ObjectTxn::write(self, offset, data)
    }

    fn write_full(&mut self, data: &[u8]) -> Result<()> {
        run_step(self, &OpStep::WriteFull { data: data.to_vec() }, &mut 0).map(|_| ())
    }

    fn truncate(&mut self, size: u64) -> Result<()> {
        ObjectTxn::truncate(self, size)
    }

    fn getxattr(&mut self, name: &[u8]) -> Result<Vec<u8>> {
        self.view_attrs()?.xattrs.get(name).cloned().ok_or_else(|| e(libc::ENODATA))
    }

    fn getxattrs(&mut self) -> Result<BTreeMap<Vec<u8>, Vec<u8>>> {
        Ok(self.view_attrs()?.xattrs.clone())
    }

    fn setxattr(&mut self, name: &[u8], value: &[u8]) -> Result<()> {
        ObjectTxn::setxattr(self, name, value)
    }

    fn omap_get(&mut self, key: &[u8]) -> Result<Vec<u8>> {
        self.view_attrs()?.omap.get(key).cloned().ok_or_else(|| e(libc::ENOENT))
    }

    fn omap_list(&mut self, start_after: &[u8], prefix: &[u8], max: u64) -> Result<(OmapEntries, bool)> {
        ObjectTxn::omap_list(self, start_after, prefix, max)
    }

    fn omap_set(&mut self, entries: &[(Vec<u8>, Vec<u8>)]) -> Result<()> {
        ObjectTxn::omap_set(self, entries)
    }

    fn omap_remove(&mut self, keys: &[Vec<u8>]) -> Result<()> {
        ObjectTxn::omap_rm(self, keys)
    }

    fn omap_header(&mut self) -> Result<Vec<u8>> {
        Ok(self.view_attrs()?.omap_header.clone())
    }

    fn set_omap_header(&mut self, data: &[u8]) -> Result<()> {
        run_step(self, &OpStep::OmapSetHeader { data: data.to_vec() }, &mut 0).map(|_| ())
    }

    fn version(&self) -> u64 {
        self.meta.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extent_arithmetic() {
        assert_eq!(subtract_extent(&[(0, 100)], 10, 20), vec![(0, 10), (30, 70)]);
        assert_eq!(subtract_extent(&[(0, 100)], 0, 200), vec![]);
        assert_eq!(subtract_extent(&[(0, 10), (20, 10)], 5, 20), vec![(0, 5), (25, 5)]);
        assert_eq!(intersect_extents(&[(0, 10), (20, 10)], &[(5, 20)]), vec![(5, 5), (20, 5)]);
    }

    #[test]
    fn ceph_crc32c_is_the_raw_register() {
        // ceph_crc32c(0, "foo", 3) and ceph_crc32c(-1, "123456789", 9) as Ceph computes them
        assert_eq!(crc32c_ceph(0xffff_ffff, b"123456789"), !0xe306_9283);
    }
}
