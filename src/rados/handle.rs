//! Cluster handles (`Rados`) and the configuration context they share.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use super::backend::{Backend, PoolInfo};
use super::cluster::backend::ClusterBackend;
use super::local::{LocalBackend, LocalStoreOptions};
use crate::config::{Config, EntityName};
use crate::error::{Error, Result};

/// A configuration shared by the cluster handles made from it (upstream: a
/// CephContext; `rados_create_with_context` makes a second handle on one).
#[derive(Debug)]
pub struct ConfigContext {
    config: Mutex<Config>,
}

impl ConfigContext {
    /// A context for entity `name` in cluster `cluster`, with `CEPH_ARGS`
    /// and friends applied as upstream does at creation.
    pub fn new(name: EntityName, cluster: &str) -> Arc<ConfigContext> {
        let mut config = Config::new(name, cluster);
        // upstream ignores argument errors at creation
        let _ = config.parse_env(None);
        Arc::new(ConfigContext { config: Mutex::new(config) })
    }

    /// The configuration, locked.
    pub fn config(&self) -> MutexGuard<'_, Config> {
        self.config.lock().unwrap_or_else(|e| e.into_inner())
    }
}

enum State {
    Configuring,
    Connected(Arc<dyn Backend>),
    Shutdown,
}

/// A cluster handle: configuration, then a connection to a backend.
pub struct Rados {
    context: Arc<ConfigContext>,
    state: Mutex<State>,
}

impl std::fmt::Debug for Rados {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rados").finish_non_exhaustive()
    }
}

impl Rados {
    /// A new, unconnected handle on `context`.
    pub fn new(context: Arc<ConfigContext>) -> Arc<Rados> {
        Arc::new(Rados { context, state: Mutex::new(State::Configuring) })
    }

    /// The configuration context.
    pub fn context(&self) -> &Arc<ConfigContext> {
        &self.context
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Connects: to the local store when `rados_local_store` is set, else to the
    /// monitors of `mon_host`. Errors: EISCONN when connected; ENOENT with
    /// neither configured (as upstream without monitors); EBUSY when another
    /// process holds the local store.
    pub fn connect(&self) -> Result<()> {
        let mut state = self.lock();
        match *state {
            State::Connected(_) => return Err(Error::AlreadyConnected),
            State::Shutdown => return Err(Error::NotConnected),
            State::Configuring => {}
        }
        let (store, store_options, mon_host, config) = {
            let config = self.context.config();
            let store_options = LocalStoreOptions {
                sync_writes: config.get_bool("rados_local_store_sync_writes"),
                poll: std::time::Duration::from_micros(config.get_u64("rados_local_store_poll_us")),
            };
            (config.get_str("rados_local_store"), store_options, config.get_str("mon_host"), config.clone())
        };
        let backend: Arc<dyn Backend> = if !store.is_empty() {
            LocalBackend::connect(&PathBuf::from(store), &store_options)?
        } else if !mon_host.is_empty() {
            ClusterBackend::connect(&config)?
        } else {
            return Err(Error::NotFound(
                "no monitors (mon_host) and no local store (rados_local_store) configured".into(),
            ));
        };
        *state = State::Connected(backend);
        Ok(())
    }

    /// The connected backend; ENOTCONN before `connect` or after `shutdown`.
    pub fn backend(&self) -> Result<Arc<dyn Backend>> {
        match &*self.lock() {
            State::Connected(b) => Ok(b.clone()),
            _ => Err(Error::NotConnected),
        }
    }

    pub fn is_connected(&self) -> bool {
        matches!(*self.lock(), State::Connected(_))
    }

    /// Closes the connection; the handle is unusable afterwards.
    pub fn shutdown(&self) {
        let old = std::mem::replace(&mut *self.lock(), State::Shutdown);
        if let State::Connected(backend) = old {
            backend.shutdown();
        }
    }

    /// The pool named `name`.
    pub fn pool_by_name(&self, name: &str) -> Result<PoolInfo> {
        self.backend()?
            .pools()?
            .into_iter()
            .find(|p| p.name == name)
            .ok_or_else(|| Error::remote(-libc::ENOENT, format!("no pool {name}")))
    }

    /// The pool with id `id`.
    pub fn pool_by_id(&self, id: i64) -> Result<PoolInfo> {
        self.backend()?
            .pools()?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| Error::remote(-libc::ENOENT, format!("no pool {id}")))
    }
}
