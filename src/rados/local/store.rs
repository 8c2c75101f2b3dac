//! The local store: a directory holding a metadata journal and snapshot, and
//! object data files.
//!
//! ```text
//! <dir>/cephrs-store   format marker and fsid
//! <dir>/LOCK           flock'ed by the owning process (a second one gets EBUSY)
//! <dir>/journal        metadata transactions since the last checkpoint
//! <dir>/snapshot       all metadata as of the last checkpoint
//! <dir>/data/<pool>/…  sparse object data files
//! ```
//!
//! Commit rule (see docs/DESIGN.md, "Local store"): a transaction that only
//! writes data of an existing object not changed through the journal since the
//! last checkpoint is applied directly to the data file; every other one is
//! appended to the journal first (with its data), then applied. Objects changed
//! through the journal stay "logged" until the next checkpoint, so that replaying
//! a journaled data change can never overwrite a later direct write.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use super::data::DataFiles;
use super::exec::intersect_extents;
use super::journal::{Change, DataOp, Journal, ObjectChange, SnapshotImage};
use super::meta::{CloneMeta, ObjectKey, ObjectMeta, PoolCounters, PoolMeta};
use crate::denc::UTime;
use crate::error::{Error, Result};
use crate::rados::backend::{ListCursor, ListEntry, PoolInfo, PoolSnap};
use crate::rados::object::{ClusterStats, PoolStats};

/// Checkpoint when the journal grows past this.
const CHECKPOINT_BYTES: u64 = 32 << 20;
/// Versions jump by this much at each open (see `Store::open`).
const VERSION_EPOCH: u64 = 1 << 32;
const MARKER: &str = "cephrs-store";

/// An object's committed state.
#[derive(Debug, Default)]
pub(crate) struct ObjectEntry {
    pub meta: ObjectMeta,
    /// Changed through the journal since the last checkpoint.
    pub logged: bool,
}

pub(crate) type EntryRef = Arc<Mutex<ObjectEntry>>;

pub(crate) fn lock_entry(e: &EntryRef) -> MutexGuard<'_, ObjectEntry> {
    e.lock().unwrap_or_else(|p| p.into_inner())
}

/// A pool and its objects.
#[derive(Debug, Default)]
pub(crate) struct Pool {
    pub meta: PoolMeta,
    pub objects: BTreeMap<ObjectKey, EntryRef>,
    pub rd: AtomicU64,
    pub rd_kb: AtomicU64,
    pub wr: AtomicU64,
    pub wr_kb: AtomicU64,
}

impl Pool {
    fn new(meta: PoolMeta) -> Pool {
        let c = meta.stats;
        Pool {
            meta,
            objects: BTreeMap::new(),
            rd: AtomicU64::new(c.num_rd),
            rd_kb: AtomicU64::new(c.num_rd_kb),
            wr: AtomicU64::new(c.num_wr),
            wr_kb: AtomicU64::new(c.num_wr_kb),
        }
    }

    fn counters(&self) -> PoolCounters {
        PoolCounters {
            num_rd: self.rd.load(Ordering::Relaxed),
            num_rd_kb: self.rd_kb.load(Ordering::Relaxed),
            num_wr: self.wr.load(Ordering::Relaxed),
            num_wr_kb: self.wr_kb.load(Ordering::Relaxed),
        }
    }

    /// Counts one operation in the pool's statistics.
    pub fn count(&self, read_bytes: u64, written_bytes: u64, wrote: bool) {
        if wrote {
            self.wr.fetch_add(1, Ordering::Relaxed);
            self.wr_kb.fetch_add(written_bytes.div_ceil(1024), Ordering::Relaxed);
        } else {
            self.rd.fetch_add(1, Ordering::Relaxed);
            self.rd_kb.fetch_add(read_bytes.div_ceil(1024), Ordering::Relaxed);
        }
    }
}

/// The store's shared state.
pub(crate) struct Store {
    pub path: PathBuf,
    pub fsid: String,
    pub files: DataFiles,
    pub pools: RwLock<BTreeMap<i64, Arc<RwLock<Pool>>>>,
    journal: Mutex<Journal>,
    /// Journaled commits hold it shared; a checkpoint holds it exclusively.
    gate: RwLock<()>,
    next_pool_id: AtomicU64,
    next_file_id: AtomicU64,
    next_version: AtomicU64,
    next_client: AtomicU64,
    /// fsync at every commit (`rados_local_store_sync_writes`).
    sync_writes: std::sync::atomic::AtomicBool,
    _lock_file: File,
}

fn store_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Corrupt(format!("local store: {what}: {e}"))
}

fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    // SAFETY: getrandom writes at most b.len() bytes into b.
    let n = unsafe { libc::getrandom(b.as_mut_ptr() as *mut libc::c_void, b.len(), 0) };
    if n != 8 {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        return t.as_nanos() as u64 ^ u64::from(std::process::id()) << 32;
    }
    u64::from_le_bytes(b)
}

/// A random UUID (version 4) as text.
pub(crate) fn new_uuid() -> String {
    let (a, b) = (random_u64(), random_u64());
    let hi = (a & !0xf000) | 0x4000;
    let lo = (b & !(0xc << 60)) | (0x8 << 60);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

impl Store {
    /// Opens (or creates) the store in `dir`, taking its lock.
    pub fn open(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir)?;
        let marker = dir.join(MARKER);
        let fsid = match std::fs::read_to_string(&marker) {
            Ok(text) => text
                .lines()
                .find_map(|l| l.strip_prefix("fsid "))
                .map(str::to_string)
                .ok_or_else(|| store_err("marker", "no fsid"))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let foreign = std::fs::read_dir(dir)?.flatten().any(|e| e.file_name() != "LOCK");
                if foreign {
                    return Err(Error::invalid(format!("{} is not empty and not a cephrs store", dir.display())));
                }
                let fsid = new_uuid();
                std::fs::write(&marker, format!("cephrs local store 1\nfsid {fsid}\n"))?;
                fsid
            }
            Err(e) => return Err(e.into()),
        };
        let lock_file =
            OpenOptions::new().read(true).write(true).create(true).truncate(false).open(dir.join("LOCK"))?;
        // SAFETY: flock on a descriptor we own.
        if unsafe { libc::flock(lock_file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return Err(Error::Busy(format!("local store {} is in use by another process", dir.display())));
        }
        let (journal, snapshot, records) = Journal::open(dir)?;
        let store = Store {
            path: dir.to_path_buf(),
            fsid,
            files: DataFiles::new(&dir.join("data")),
            pools: RwLock::new(BTreeMap::new()),
            journal: Mutex::new(journal),
            gate: RwLock::new(()),
            next_pool_id: AtomicU64::new(1),
            next_file_id: AtomicU64::new(1),
            next_version: AtomicU64::new(1),
            next_client: AtomicU64::new(1),
            sync_writes: std::sync::atomic::AtomicBool::new(false),
            _lock_file: lock_file,
        };
        if let Some(image) = snapshot {
            store.load_snapshot(image);
        }
        for changes in &records {
            store.apply(changes, true)?;
        }
        store.recover_sizes_and_orphans()?;
        // Versions must keep growing across crashes: writes that skipped the
        // journal raised them without a record, so jump past them.
        store.next_version.fetch_add(VERSION_EPOCH, Ordering::SeqCst);
        // client ids look like a monitor's global ids (4 hex digits), so that
        // image ids built from them have upstream's usual 12 characters
        store.next_client.store(random_u64() % 0xE000 + 0x1000, Ordering::SeqCst);
        store.checkpoint()?;
        Ok(store)
    }

    fn load_snapshot(&self, image: SnapshotImage) {
        self.next_pool_id.store(image.next_pool_id as u64, Ordering::SeqCst);
        self.next_file_id.store(image.next_file_id, Ordering::SeqCst);
        self.next_version.store(image.next_version, Ordering::SeqCst);
        let mut pools = self.pools_write();
        for (meta, objects) in image.pools {
            let mut pool = Pool::new(meta);
            for (k, m) in objects {
                pool.objects.insert(k, Arc::new(Mutex::new(ObjectEntry { meta: m, logged: false })));
            }
            pools.insert(pool.meta.id, Arc::new(RwLock::new(pool)));
        }
    }

    /// After replay: sizes come from the data files (writes that skipped the
    /// journal changed them); files no object refers to are removed.
    fn recover_sizes_and_orphans(&self) -> Result<()> {
        let pools: Vec<Arc<RwLock<Pool>>> = self.pools_read().values().cloned().collect();
        for pool in pools {
            let pool = pool.read().unwrap_or_else(|e| e.into_inner());
            let id = pool.meta.id;
            let mut referenced = std::collections::HashSet::new();
            for entry in pool.objects.values() {
                let mut e = lock_entry(entry);
                if e.meta.exists {
                    e.meta.size = self.files.size(id, e.meta.file_id)?;
                    referenced.insert(e.meta.file_id);
                }
                for c in &e.meta.clones {
                    referenced.insert(c.file_id);
                }
                self.bump_ids(&e.meta);
            }
            for file in self.files.list_ids(id)? {
                if !referenced.contains(&file) {
                    self.files.remove(id, file)?;
                }
            }
        }
        Ok(())
    }

    fn bump_ids(&self, meta: &ObjectMeta) {
        self.next_file_id.fetch_max(meta.file_id + 1, Ordering::SeqCst);
        for c in &meta.clones {
            self.next_file_id.fetch_max(c.file_id + 1, Ordering::SeqCst);
        }
        self.next_version.fetch_max(meta.version + 1, Ordering::SeqCst);
    }

    pub fn pools_read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<i64, Arc<RwLock<Pool>>>> {
        self.pools.read().unwrap_or_else(|e| e.into_inner())
    }

    fn pools_write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<i64, Arc<RwLock<Pool>>>> {
        self.pools.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn pool(&self, id: i64) -> Result<Arc<RwLock<Pool>>> {
        self.pools_read().get(&id).cloned().ok_or_else(|| Error::remote(-libc::ENOENT, format!("no pool {id}")))
    }

    pub fn new_file_id(&self) -> u64 {
        self.next_file_id.fetch_add(1, Ordering::SeqCst)
    }

    pub fn new_version(&self) -> u64 {
        self.next_version.fetch_add(1, Ordering::SeqCst)
    }

    pub fn new_client_id(&self) -> u64 {
        self.next_client.fetch_add(1, Ordering::SeqCst)
    }

    /// Commits a transaction; see the module comment for when it skips the journal.
    pub fn commit(&self, changes: &[Change], data_only: bool, entry: Option<&EntryRef>) -> Result<()> {
        self.commit_buffered(changes, data_only, entry)?;
        if self.sync_writes.load(Ordering::Relaxed) {
            self.flush()?;
        }
        Ok(())
    }

    /// Makes every later commit durable before it returns (`rados_local_store_sync_writes`).
    pub fn set_sync_writes(&self) {
        self.sync_writes.store(true, Ordering::Relaxed);
    }

    fn commit_buffered(&self, changes: &[Change], data_only: bool, entry: Option<&EntryRef>) -> Result<()> {
        if data_only {
            if let Some(entry) = entry {
                let mut e = lock_entry(entry);
                if !e.logged {
                    for change in changes {
                        self.apply_one(change, false, Some(&mut e))?;
                    }
                    return Ok(());
                }
            }
        }
        let journal_len = {
            let _gate = self.gate.read().unwrap_or_else(|e| e.into_inner());
            let len = {
                let mut journal = self.journal.lock().unwrap_or_else(|e| e.into_inner());
                journal.append(changes)?;
                journal.len()
            };
            self.apply(changes, false)?;
            len
        };
        if journal_len > CHECKPOINT_BYTES {
            self.checkpoint()?;
        }
        Ok(())
    }

    /// Applies a transaction to memory and data files (live or replayed).
    pub fn apply(&self, changes: &[Change], replay: bool) -> Result<()> {
        // Objects whose journaled transaction carries data stay logged until the
        // next checkpoint (see the module comment).
        let with_data = changes.iter().any(|c| matches!(c, Change::Data { .. }));
        for change in changes {
            match change {
                Change::Object { pool, key, change } => self.apply_object(*pool, key, change, replay, with_data)?,
                other => self.apply_one(other, replay, None)?,
            }
        }
        Ok(())
    }

    fn apply_one(&self, change: &Change, replay: bool, locked: Option<&mut ObjectEntry>) -> Result<()> {
        match change {
            Change::Counters { next_pool_id, next_file_id, next_version } => {
                self.next_pool_id.fetch_max(*next_pool_id as u64, Ordering::SeqCst);
                self.next_file_id.fetch_max(*next_file_id, Ordering::SeqCst);
                self.next_version.fetch_max(*next_version, Ordering::SeqCst);
            }
            Change::PoolPut(meta) => {
                self.next_pool_id.fetch_max(meta.id as u64 + 1, Ordering::SeqCst);
                let mut pools = self.pools_write();
                match pools.get(&meta.id) {
                    Some(p) => p.write().unwrap_or_else(|e| e.into_inner()).meta = meta.clone(),
                    None => {
                        pools.insert(meta.id, Arc::new(RwLock::new(Pool::new(meta.clone()))));
                    }
                }
            }
            Change::PoolDelete { id } => {
                self.pools_write().remove(id);
                self.files.remove_pool(*id)?;
            }
            Change::Object { pool, key, change } => match locked {
                Some(entry) => apply_object_change(&mut entry.meta, change),
                None => self.apply_object(*pool, key, change, replay, false)?,
            },
            Change::Data { pool, file_id, op } => {
                match op {
                    DataOp::Write { offset, data } => self.files.write(*pool, *file_id, *offset, data)?,
                    DataOp::Zero { offset, len } => self.files.zero(*pool, *file_id, *offset, *len)?,
                    DataOp::Truncate { size } => self.files.truncate(*pool, *file_id, *size)?,
                    DataOp::Remove => self.files.remove(*pool, *file_id)?,
                    DataOp::CopyFrom { from } => {
                        if !(replay && self.files.exists(*pool, *file_id)) {
                            self.files.copy(*pool, *from, *file_id)?;
                        }
                    }
                }
                if replay {
                    self.next_file_id.fetch_max(file_id + 1, Ordering::SeqCst);
                }
            }
        }
        Ok(())
    }

    fn apply_object(
        &self,
        pool: i64,
        key: &ObjectKey,
        change: &ObjectChange,
        replay: bool,
        logged: bool,
    ) -> Result<()> {
        let Ok(pool) = self.pool(pool) else { return Ok(()) };
        let existing = pool.read().unwrap_or_else(|e| e.into_inner()).objects.get(key).cloned();
        match (existing, change) {
            (Some(_), ObjectChange::Delete) => {
                pool.write().unwrap_or_else(|e| e.into_inner()).objects.remove(key);
            }
            (None, ObjectChange::Delete) => {}
            (Some(entry), change) => {
                let mut e = lock_entry(&entry);
                apply_object_change(&mut e.meta, change);
                e.logged |= logged;
                if replay {
                    self.bump_ids(&e.meta);
                }
            }
            (None, change) => {
                let mut meta = ObjectMeta::default();
                apply_object_change(&mut meta, change);
                if replay {
                    self.bump_ids(&meta);
                }
                let entry = Arc::new(Mutex::new(ObjectEntry { meta, logged }));
                pool.write().unwrap_or_else(|e| e.into_inner()).objects.insert(key.clone(), entry);
            }
        }
        Ok(())
    }

    /// Writes all metadata to a new snapshot and empties the journal.
    pub fn checkpoint(&self) -> Result<()> {
        let _gate = self.gate.write().unwrap_or_else(|e| e.into_inner());
        let mut image = SnapshotImage {
            next_pool_id: self.next_pool_id.load(Ordering::SeqCst) as i64,
            next_file_id: self.next_file_id.load(Ordering::SeqCst),
            next_version: self.next_version.load(Ordering::SeqCst),
            pools: Vec::new(),
        };
        let pools: Vec<Arc<RwLock<Pool>>> = self.pools_read().values().cloned().collect();
        for pool in &pools {
            let p = pool.read().unwrap_or_else(|e| e.into_inner());
            let mut meta = p.meta.clone();
            meta.stats = p.counters();
            let mut objects = Vec::with_capacity(p.objects.len());
            for (k, entry) in &p.objects {
                let mut e = lock_entry(entry);
                e.logged = false;
                objects.push((k.clone(), e.meta.clone()));
            }
            image.pools.push((meta, objects));
        }
        // data written through the journal must be on disk before the journal goes
        self.files.sync()?;
        self.journal.lock().unwrap_or_else(|e| e.into_inner()).checkpoint(&image)
    }

    /// Makes every completed write durable.
    pub fn flush(&self) -> Result<()> {
        self.files.sync()?;
        self.journal.lock().unwrap_or_else(|e| e.into_inner()).sync()
    }

    // ---- pools ------------------------------------------------------------------------

    pub fn pool_infos(&self) -> Vec<PoolInfo> {
        self.pools_read()
            .values()
            .map(|p| {
                let p = p.read().unwrap_or_else(|e| e.into_inner());
                let m = &p.meta;
                PoolInfo {
                    id: m.id,
                    name: m.name.clone(),
                    has_pool_snaps: !m.selfmanaged && (m.snap_seq > 0),
                    selfmanaged_snaps: m.selfmanaged,
                    snap_seq: m.snap_seq,
                    base_tier: m.id,
                    pg_num: m.pg_num,
                }
            })
            .collect()
    }

    pub fn pool_create(&self, name: &str, pg_num: u32) -> Result<i64> {
        if name.is_empty() {
            return Err(Error::remote(-libc::EINVAL, "empty pool name"));
        }
        let _serial = self.pools_admin();
        if self.pool_infos().iter().any(|p| p.name == name) {
            return Err(Error::remote(-libc::EEXIST, format!("pool {name} exists")));
        }
        let id = self.next_pool_id.fetch_add(1, Ordering::SeqCst) as i64;
        let meta = PoolMeta { id, name: name.to_string(), pg_num: pg_num.max(1), ..PoolMeta::default() };
        self.commit(&[Change::PoolPut(meta)], false, None)?;
        Ok(id)
    }

    pub fn pool_delete(&self, name: &str) -> Result<()> {
        let _serial = self.pools_admin();
        let id = self.pool_by_name(name)?;
        self.commit(&[Change::PoolDelete { id }], false, None)
    }

    /// Serializes pool administration (create/delete/snapshots/applications).
    fn pools_admin(&self) -> MutexGuard<'static, ()> {
        static ADMIN: Mutex<()> = Mutex::new(());
        ADMIN.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn pool_by_name(&self, name: &str) -> Result<i64> {
        self.pool_infos()
            .into_iter()
            .find(|p| p.name == name)
            .map(|p| p.id)
            .ok_or_else(|| Error::remote(-libc::ENOENT, format!("no pool {name}")))
    }

    /// Changes a pool's metadata through the journal.
    pub fn update_pool<T>(&self, pool: i64, f: impl FnOnce(&mut PoolMeta) -> Result<T>) -> Result<T> {
        let _serial = self.pools_admin();
        let mut meta = self.pool(pool)?.read().unwrap_or_else(|e| e.into_inner()).meta.clone();
        let out = f(&mut meta)?;
        self.commit(&[Change::PoolPut(meta)], false, None)?;
        Ok(out)
    }

    pub fn pool_meta(&self, pool: i64) -> Result<PoolMeta> {
        Ok(self.pool(pool)?.read().unwrap_or_else(|e| e.into_inner()).meta.clone())
    }

    pub fn pool_snaps(&self, pool: i64) -> Result<Vec<PoolSnap>> {
        Ok(self
            .pool_meta(pool)?
            .snaps
            .iter()
            .map(|(id, (name, stamp))| PoolSnap { id: *id, name: name.clone(), stamp: (stamp.sec as i64, stamp.nsec) })
            .collect())
    }

    pub fn pool_snap_create(&self, pool: i64, name: &str) -> Result<u64> {
        self.update_pool(pool, |m| {
            if m.selfmanaged {
                return Err(Error::remote(-libc::EINVAL, "pool uses self-managed snapshots"));
            }
            if m.snaps.values().any(|(n, _)| n == name) {
                return Err(Error::remote(-libc::EEXIST, format!("snapshot {name} exists")));
            }
            m.snap_seq += 1;
            m.snaps.insert(m.snap_seq, (name.to_string(), UTime::now()));
            Ok(m.snap_seq)
        })
    }

    /// Removes a pool snapshot; returns its id (to trim).
    pub fn pool_snap_remove(&self, pool: i64, name: &str) -> Result<u64> {
        self.update_pool(pool, |m| {
            let id = m
                .snaps
                .iter()
                .find(|(_, (n, _))| n == name)
                .map(|(id, _)| *id)
                .ok_or_else(|| Error::remote(-libc::ENOENT, format!("no snapshot {name}")))?;
            m.snaps.remove(&id);
            m.removed_snaps.push(id);
            Ok(id)
        })
    }

    pub fn selfmanaged_snap_create(&self, pool: i64) -> Result<u64> {
        self.update_pool(pool, |m| {
            if !m.selfmanaged && m.snap_seq > 0 {
                return Err(Error::remote(-libc::EINVAL, "pool uses pool snapshots"));
            }
            // as the monitor: a pool's first self-managed snapshot is 2 (seq 1 is
            // reserved when the pool leaves pool-snapshot mode)
            m.selfmanaged = true;
            m.snap_seq = m.snap_seq.max(1) + 1;
            Ok(m.snap_seq)
        })
    }

    pub fn selfmanaged_snap_remove(&self, pool: i64, snap: u64) -> Result<()> {
        self.update_pool(pool, |m| {
            if !m.selfmanaged && m.snap_seq > 0 {
                return Err(Error::remote(-libc::EINVAL, "pool uses pool snapshots"));
            }
            if !m.removed_snaps.contains(&snap) {
                m.removed_snaps.push(snap);
            }
            // as the monitor (`remove_unmanaged_snap`): a removal moves the
            // sequence on, so the next snapshot context is newer than it
            m.snap_seq += 1;
            Ok(())
        })
    }

    /// Objects of a pool that have clones (candidates for trimming).
    pub fn objects_with_clones(&self, pool: i64) -> Result<Vec<ObjectKey>> {
        let pool = self.pool(pool)?;
        let p = pool.read().unwrap_or_else(|e| e.into_inner());
        Ok(p.objects.iter().filter(|(_, e)| !lock_entry(e).meta.clones.is_empty()).map(|(k, _)| k.clone()).collect())
    }

    /// The changes that drop `snap` from one object's clones (run on its shard).
    pub fn trim_changes(&self, pool: i64, key: &ObjectKey, snap: u64) -> Result<Vec<Change>> {
        let p = self.pool(pool)?;
        let Some(entry) = p.read().unwrap_or_else(|e| e.into_inner()).objects.get(key).cloned() else {
            return Ok(Vec::new());
        };
        let meta = lock_entry(&entry).meta.clone();
        let mut changes = Vec::new();
        let mut clones: Vec<CloneMeta> = meta.clones.clone();
        let obj = |change| Change::Object { pool, key: key.clone(), change };
        let mut i = 0;
        while i < clones.len() {
            if !clones[i].snaps.contains(&snap) {
                i += 1;
                continue;
            }
            clones[i].snaps.retain(|&s| s != snap);
            if clones[i].snaps.is_empty() {
                let gone = clones.remove(i);
                if i > 0 {
                    // the older clone's overlap now relates to the next newer one
                    let merged = intersect_extents(&clones[i - 1].overlap, &gone.overlap);
                    clones[i - 1].overlap = merged.clone();
                    let (id, snaps) = (clones[i - 1].id, clones[i - 1].snaps.clone());
                    changes.push(obj(ObjectChange::CloneUpdate { id, snaps, overlap: merged }));
                }
                changes.push(obj(ObjectChange::CloneRemove { id: gone.id }));
                changes.push(Change::Data { pool, file_id: gone.file_id, op: DataOp::Remove });
            } else {
                let c = &clones[i];
                changes.push(obj(ObjectChange::CloneUpdate {
                    id: c.id,
                    snaps: c.snaps.clone(),
                    overlap: c.overlap.clone(),
                }));
                i += 1;
            }
        }
        if clones.is_empty() && !meta.exists && !changes.is_empty() {
            changes.push(obj(ObjectChange::Delete));
        }
        Ok(changes)
    }

    // ---- listing and statistics --------------------------------------------------------

    pub fn list(
        &self,
        pool: i64,
        namespace: Option<&[u8]>,
        cursor: &ListCursor,
        max: usize,
    ) -> Result<(Vec<ListEntry>, Option<ListCursor>)> {
        let pool = self.pool(pool)?;
        let p = pool.read().unwrap_or_else(|e| e.into_inner());
        let start = ObjectKey {
            pg: cursor.pg,
            hash: cursor.hash,
            namespace: cursor.namespace.clone(),
            key: cursor.key.clone(),
            name: cursor.name.clone(),
        };
        let bound = if cursor.after { std::ops::Bound::Excluded(&start) } else { std::ops::Bound::Included(&start) };
        let mut out = Vec::new();
        for (k, entry) in p.objects.range((bound, std::ops::Bound::Unbounded)) {
            // an object whose head was removed while snapshots keep clones of
            // it is still listed, as an OSD lists its whiteout head
            let listed = {
                let e = lock_entry(entry);
                e.meta.exists || !e.meta.clones.is_empty()
            };
            if namespace.is_some_and(|ns| ns != k.namespace.as_slice()) || !listed {
                continue;
            }
            if out.len() == max {
                let next = ListCursor {
                    pg: k.pg,
                    hash: k.hash,
                    namespace: k.namespace.clone(),
                    key: k.key.clone(),
                    name: k.name.clone(),
                    after: false,
                };
                return Ok((out, Some(next)));
            }
            out.push(ListEntry {
                namespace: k.namespace.clone(),
                key: k.key.clone(),
                name: k.name.clone(),
                pg: k.pg,
                hash: k.hash,
            });
        }
        Ok((out, None))
    }

    pub fn pool_stats(&self, pool: i64) -> Result<PoolStats> {
        let pool = self.pool(pool)?;
        let p = pool.read().unwrap_or_else(|e| e.into_inner());
        let mut s = PoolStats::default();
        for entry in p.objects.values() {
            let e = lock_entry(entry);
            if e.meta.exists {
                s.num_objects += 1;
                s.num_bytes += e.meta.size;
            }
            for c in &e.meta.clones {
                s.num_objects += 1;
                s.num_object_clones += 1;
                s.num_bytes += c.size;
            }
        }
        s.num_object_copies = s.num_objects;
        s.num_user_bytes = s.num_bytes;
        let c = p.counters();
        (s.num_rd, s.num_rd_kb, s.num_wr, s.num_wr_kb) = (c.num_rd, c.num_rd_kb, c.num_wr, c.num_wr_kb);
        Ok(s)
    }

    pub fn cluster_stats(&self) -> Result<ClusterStats> {
        let mut vfs: libc::statvfs = unsafe_zeroed_statvfs();
        let path =
            std::ffi::CString::new(self.path.as_os_str().as_encoded_bytes()).map_err(|_| Error::invalid("path"))?;
        // SAFETY: path is NUL-terminated; vfs is a valid out-parameter.
        if unsafe { libc::statvfs(path.as_ptr(), &mut vfs) } != 0 {
            return Err(Error::Io(std::io::Error::last_os_error()));
        }
        let kb = |blocks: u64| blocks * vfs.f_frsize / 1024;
        let mut objects = 0;
        for id in self.pools_read().keys().copied().collect::<Vec<_>>() {
            objects += self.pool_stats(id)?.num_objects;
        }
        Ok(ClusterStats {
            kb: kb(vfs.f_blocks),
            kb_used: kb(vfs.f_blocks - vfs.f_bfree),
            kb_avail: kb(vfs.f_bavail),
            num_objects: objects,
        })
    }
}

fn unsafe_zeroed_statvfs() -> libc::statvfs {
    // SAFETY: statvfs is a plain C struct for which all-zero bytes are valid.
    unsafe { std::mem::zeroed() }
}

/// Applies one metadata change to an object's state.
pub(crate) fn apply_object_change(meta: &mut ObjectMeta, change: &ObjectChange) {
    match change {
        ObjectChange::Put { exists, file_id, size, version, mtime, snap_seq } => {
            if !*exists {
                meta.attrs = Default::default();
            }
            meta.exists = *exists;
            meta.file_id = *file_id;
            meta.size = *size;
            meta.version = *version;
            meta.mtime = *mtime;
            meta.snap_seq = *snap_seq;
        }
        ObjectChange::Delete => *meta = ObjectMeta::default(),
        ObjectChange::XattrSet(k, v) => {
            meta.attrs.xattrs.insert(k.clone(), v.clone());
        }
        ObjectChange::XattrRm(k) => {
            meta.attrs.xattrs.remove(k);
        }
        ObjectChange::OmapSet(entries) => {
            for (k, v) in entries {
                meta.attrs.omap.insert(k.clone(), v.clone());
            }
        }
        ObjectChange::OmapRm(keys) => {
            for k in keys {
                meta.attrs.omap.remove(k);
            }
        }
        ObjectChange::OmapRmRange(start, end) => {
            let keys: Vec<Vec<u8>> = meta
                .attrs
                .omap
                .range::<[u8], _>((
                    std::ops::Bound::Included(start.as_slice()),
                    std::ops::Bound::Excluded(end.as_slice()),
                ))
                .map(|(k, _)| k.clone())
                .collect();
            for k in keys {
                meta.attrs.omap.remove(&k);
            }
        }
        ObjectChange::OmapClear => meta.attrs.omap.clear(),
        ObjectChange::OmapHeader(h) => meta.attrs.omap_header = h.clone(),
        ObjectChange::AttrsReplace(a) => meta.attrs = a.clone(),
        ObjectChange::CloneAdd(c) => {
            meta.clones.retain(|x| x.id != c.id);
            meta.clones.push(c.clone());
            meta.clones.sort_by_key(|x| x.id);
        }
        ObjectChange::CloneUpdate { id, snaps, overlap } => {
            if let Some(c) = meta.clones.iter_mut().find(|c| c.id == *id) {
                c.snaps = snaps.clone();
                c.overlap = overlap.clone();
            }
        }
        ObjectChange::CloneRemove { id } => meta.clones.retain(|c| c.id != *id),
    }
}
