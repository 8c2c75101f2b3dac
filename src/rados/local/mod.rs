//! The embedded local store: RADOS on a directory, no cluster needed.
//!
//! One `Store` per directory per process, shared by every cluster handle that
//! connects to it (each handle is a distinct client with its own global id,
//! as on a cluster); another process opening the same directory gets EBUSY.
//! See store.rs for the layout and the durability rules.

mod data;
mod exec;
mod journal;
mod meta;
mod shards;
mod store;
mod watch;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Duration;

use shards::{Client, Workers};
use store::Store;
use watch::Watches;

use super::backend::{
    Backend, ListCursor, ListEntry, NotifyReplyCallback, OpRequest, PoolInfo, PoolSnap, WatchHandler,
};
use super::object::{ClusterStats, ObjectTarget, PoolStats, WatcherInfo};
use crate::denc::EntityAddr;
use crate::error::{Error, Result};

/// A store open in this process, with its threads.
struct OpenStore {
    store: Arc<Store>,
    watches: Arc<Watches>,
    workers: Workers,
    /// Dropped last (fields drop in order): the store is closed by then.
    _closed: ClosedSignal,
}

/// Takes a closed store out of the registry, waking connects that wait for it.
struct ClosedSignal {
    path: PathBuf,
}

impl Drop for ClosedSignal {
    fn drop(&mut self) {
        let (stores, closed) = open_stores();
        let mut stores = stores.lock().unwrap_or_else(|e| e.into_inner());
        if stores.get(&self.path).is_some_and(|w| w.strong_count() == 0) {
            stores.remove(&self.path);
        }
        closed.notify_all();
    }
}

impl Drop for OpenStore {
    fn drop(&mut self) {
        self.workers.stop();
        self.watches.stop();
        // a clean close leaves an empty journal behind
        let _ = self.store.checkpoint();
    }
}

/// The stores open in this process, by canonical path; an entry that no
/// longer upgrades is a store still closing (its last handle may be dropped
/// on a library thread just after the caller's shutdown returned). The
/// condition variable signals that a closing store is gone.
type OpenStores = (Mutex<HashMap<PathBuf, Weak<OpenStore>>>, Condvar);

fn open_stores() -> &'static OpenStores {
    static STORES: std::sync::OnceLock<OpenStores> = std::sync::OnceLock::new();
    STORES.get_or_init(|| (Mutex::new(HashMap::new()), Condvar::new()))
}

/// How long a connect waits for this process's previous opening of the same
/// store to finish closing.
const CLOSING_WAIT: Duration = Duration::from_secs(10);

/// One client's connection to a local store.
pub struct LocalBackend {
    open: Arc<OpenStore>,
    client: Client,
}

/// The local store's options (`rados_local_store_*`).
#[derive(Clone, Debug, Default)]
pub struct LocalStoreOptions {
    /// Make every commit durable before replying.
    pub sync_writes: bool,
    /// How long the reply thread polls for more work before sleeping.
    pub poll: std::time::Duration,
}

impl LocalBackend {
    /// Opens (or creates) the store in `dir`; errors: EBUSY when another process
    /// uses it, EINVAL for a directory that holds something else. With
    /// `sync_writes`, the store makes every commit durable before replying
    /// (from then on, for every handle sharing it); `poll` applies when this
    /// call opens the store.
    pub fn connect(dir: &Path, options: &LocalStoreOptions) -> Result<Arc<LocalBackend>> {
        if dir.as_os_str().is_empty() {
            return Err(Error::invalid("rados_local_store is empty"));
        }
        std::fs::create_dir_all(dir)?;
        let canonical = std::fs::canonicalize(dir)?;
        let open = {
            let (stores, closed) = open_stores();
            let stores = stores.lock().unwrap_or_else(|e| e.into_inner());
            let (mut stores, _) = closed
                .wait_timeout_while(stores, CLOSING_WAIT, |s| s.get(&canonical).is_some_and(|w| w.strong_count() == 0))
                .unwrap_or_else(|e| e.into_inner());
            match stores.get(&canonical).and_then(Weak::upgrade) {
                Some(open) => open,
                None => {
                    let store = Arc::new(Store::open(&canonical)?);
                    let watches = Watches::start();
                    let workers = Workers::start(store.clone(), watches.clone(), options.poll);
                    let closed = ClosedSignal { path: canonical.clone() };
                    let open = Arc::new(OpenStore { store, watches, workers, _closed: closed });
                    stores.insert(canonical, Arc::downgrade(&open));
                    open
                }
            }
        };
        if options.sync_writes {
            open.store.set_sync_writes();
        }
        let id = open.store.new_client_id();
        let addr = EntityAddr::new(EntityAddr::TYPE_ANY, "127.0.0.1:0".parse().expect("addr"), std::process::id());
        Ok(Arc::new(LocalBackend { open, client: Client { id, addr } }))
    }

    fn store(&self) -> &Store {
        &self.open.store
    }

    fn workers(&self) -> &Workers {
        &self.open.workers
    }

    fn watch_target(target: &ObjectTarget) -> watch::WatchTarget {
        (target.locator.pool, target.locator.namespace.clone(), target.locator.key.clone(), target.name.clone())
    }

    /// Drops `snap` from the clones of every object of `pool`, each under its shard's lock.
    fn trim(&self, pool: i64, snap: u64) -> Result<()> {
        for key in self.store().objects_with_clones(pool)? {
            self.workers().trim(pool, key, snap)?;
        }
        Ok(())
    }
}

impl Backend for LocalBackend {
    fn submit(&self, req: OpRequest) {
        self.workers().submit(self.client, req);
    }

    fn instance_id(&self) -> u64 {
        self.client.id
    }

    fn client_addr(&self) -> String {
        self.client.addr.to_string()
    }

    fn fsid(&self) -> String {
        self.store().fsid.clone()
    }

    /// What a fresh Pacific cluster reports: pacific, jewel, luminous.
    fn compat_releases(&self) -> (i8, i8, i8) {
        (16, 10, 12)
    }

    fn pool_create(&self, name: &str, _crush_rule: Option<u8>) -> Result<i64> {
        self.store().pool_create(name, 32)
    }

    fn pool_delete(&self, name: &str) -> Result<()> {
        self.store().pool_delete(name)
    }

    fn pools(&self) -> Result<Vec<PoolInfo>> {
        Ok(self.store().pool_infos())
    }

    fn pool_stats(&self, pool: i64) -> Result<PoolStats> {
        self.store().pool_stats(pool)
    }

    fn cluster_stats(&self) -> Result<ClusterStats> {
        self.store().cluster_stats()
    }

    fn wait_for_latest_map(&self) -> Result<()> {
        Ok(())
    }

    fn application_enable(&self, pool: i64, app: &str, force: bool) -> Result<()> {
        self.store().update_pool(pool, |m| {
            if !m.applications.contains_key(app) && !m.applications.is_empty() && !force {
                return Err(Error::remote(-libc::EPERM, "pool already has an application"));
            }
            m.applications.entry(app.to_string()).or_default();
            Ok(())
        })
    }

    fn application_list(&self, pool: i64) -> Result<Vec<String>> {
        Ok(self.store().pool_meta(pool)?.applications.keys().cloned().collect())
    }

    fn application_metadata_get(&self, pool: i64, app: &str, key: &str) -> Result<String> {
        let meta = self.store().pool_meta(pool)?;
        meta.applications
            .get(app)
            .and_then(|kv| kv.get(key))
            .cloned()
            .ok_or_else(|| Error::remote(-libc::ENOENT, format!("no application metadata {app}/{key}")))
    }

    fn application_metadata_set(&self, pool: i64, app: &str, key: &str, value: &str) -> Result<()> {
        self.store().update_pool(pool, |m| {
            let kv =
                m.applications.get_mut(app).ok_or_else(|| Error::remote(-libc::ENOENT, "application not enabled"))?;
            kv.insert(key.to_string(), value.to_string());
            Ok(())
        })
    }

    fn application_metadata_remove(&self, pool: i64, app: &str, key: &str) -> Result<()> {
        self.store().update_pool(pool, |m| {
            let kv =
                m.applications.get_mut(app).ok_or_else(|| Error::remote(-libc::ENOENT, "application not enabled"))?;
            // as the monitor: removing a key that is not there succeeds
            kv.remove(key);
            Ok(())
        })
    }

    fn application_metadata_list(&self, pool: i64, app: &str) -> Result<Vec<(String, String)>> {
        let meta = self.store().pool_meta(pool)?;
        let kv = meta.applications.get(app).ok_or_else(|| Error::remote(-libc::ENOENT, "application not enabled"))?;
        Ok(kv.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }

    fn pool_snap_create(&self, pool: i64, name: &str) -> Result<u64> {
        self.store().pool_snap_create(pool, name)
    }

    fn pool_snap_remove(&self, pool: i64, name: &str) -> Result<()> {
        let snap = self.store().pool_snap_remove(pool, name)?;
        self.trim(pool, snap)
    }

    fn pool_snaps(&self, pool: i64) -> Result<Vec<PoolSnap>> {
        self.store().pool_snaps(pool)
    }

    fn selfmanaged_snap_create(&self, pool: i64) -> Result<u64> {
        self.store().selfmanaged_snap_create(pool)
    }

    fn selfmanaged_snap_remove(&self, pool: i64, snap: u64) -> Result<()> {
        self.store().selfmanaged_snap_remove(pool, snap)?;
        self.trim(pool, snap)
    }

    fn list_objects(
        &self,
        pool: i64,
        namespace: Option<&[u8]>,
        cursor: &ListCursor,
        max: usize,
    ) -> Result<(Vec<ListEntry>, Option<ListCursor>)> {
        self.store().list(pool, namespace, cursor, max)
    }

    fn watch(&self, target: &ObjectTarget, timeout_secs: u32, handler: Arc<dyn WatchHandler>) -> Result<u64> {
        self.store().pool(target.locator.pool)?;
        Ok(self.open.watches.watch(
            Self::watch_target(target),
            self.client.id,
            self.client_addr(),
            timeout_secs,
            handler,
        ))
    }

    fn unwatch(&self, cookie: u64) -> Result<()> {
        self.open.watches.unwatch(cookie)
    }

    fn watch_check(&self, cookie: u64) -> Result<u64> {
        self.open.watches.check(cookie)
    }

    fn list_watchers(&self, target: &ObjectTarget) -> Result<Vec<WatcherInfo>> {
        Ok(self.open.watches.watchers(&Self::watch_target(target)))
    }

    fn notify(&self, target: &ObjectTarget, payload: &[u8], timeout_ms: u64, on_reply: NotifyReplyCallback) {
        let timeout = Duration::from_millis(if timeout_ms == 0 { 30_000 } else { timeout_ms });
        self.open.watches.notify(&Self::watch_target(target), self.client.id, payload, timeout, on_reply);
    }

    fn notify_ack(&self, _target: &ObjectTarget, notify_id: u64, cookie: u64, payload: &[u8]) -> Result<()> {
        // the acknowledging client is the watch's owner: find it by cookie
        self.open.watches.ack_by_cookie(notify_id, cookie, payload)
    }

    fn watch_flush(&self) -> Result<()> {
        self.open.watches.flush();
        Ok(())
    }

    fn mon_command(&self, _cmd: &[String], _input: &[u8]) -> Result<(i32, String, Vec<u8>)> {
        Err(Error::NotSupported("monitor commands need a cluster (the local store has no monitors)".into()))
    }

    fn daemon_command(
        &self,
        _target: &crate::rados::backend::CommandTarget,
        _cmd: &[String],
        _input: &[u8],
    ) -> Result<(i32, String, Vec<u8>)> {
        Err(Error::NotSupported("daemon commands need a cluster (the local store has no daemons)".into()))
    }

    fn ping_monitor(&self, _mon_id: &str) -> Result<String> {
        Err(Error::NotSupported("pinging a monitor needs a cluster (the local store has no monitors)".into()))
    }

    fn monitor_log(&self, _watch: Option<(String, crate::rados::backend::ClusterLogCallback)>) -> Result<()> {
        Err(Error::NotSupported("the cluster log needs a cluster (the local store has no monitors)".into()))
    }

    fn service_register(&self, _service: &str, _daemon: &str, _metadata: &[(String, String)]) -> Result<()> {
        Err(Error::NotSupported("service daemons need a cluster (the local store has no manager)".into()))
    }

    fn service_update_status(&self, _status: &[(String, String)]) -> Result<()> {
        Err(Error::NotSupported("service daemons need a cluster (the local store has no manager)".into()))
    }

    fn flush(&self) -> Result<()> {
        self.store().flush()
    }

    fn shutdown(&self) {
        self.open.watches.forget_client(self.client.id);
    }
}
