//! Cluster handles (`Rados`) and the configuration context they share.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use super::backend::{Backend, ClusterLogCallback, PoolInfo};
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
    /// This client's registration as a service daemon (made before or
    /// after connecting; sent to the manager once connected).
    service_daemon: Mutex<Option<ServiceDaemon>>,
}

/// A service daemon registration: service, daemon name, metadata.
#[derive(Clone, Debug)]
struct ServiceDaemon {
    service: String,
    daemon: String,
    metadata: Vec<(String, String)>,
}

impl std::fmt::Debug for Rados {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rados").finish_non_exhaustive()
    }
}

impl Rados {
    /// A new, unconnected handle on `context`.
    pub fn new(context: Arc<ConfigContext>) -> Arc<Rados> {
        Arc::new(Rados { context, state: Mutex::new(State::Configuring), service_daemon: Mutex::new(None) })
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
        *state = State::Connected(backend.clone());
        drop(state);
        let registration = self.service_daemon.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(reg) = registration {
            // as upstream, a registration made before connecting is sent
            // now; the local store has no manager to send it to
            if let Err(e) = backend.service_register(&reg.service, &reg.daemon, &reg.metadata) {
                if !matches!(e, Error::NotSupported(_)) {
                    return Err(e);
                }
            }
        }
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

    /// Adds `client_address` to the OSD blocklist for `expire_seconds` (0:
    /// the monitors' default), as upstream's `RadosClient::blocklist_add`:
    /// the `osd blocklist` command (the legacy `osd blacklist` when the
    /// monitors do not know it), then the OSD map that carries it.
    /// Errors: EINVAL for an address upstream would not parse; the
    /// monitor's error; ENOTCONN; EOPNOTSUPP on the local store.
    pub fn blocklist_add(&self, client_address: &str, expire_seconds: u32) -> Result<()> {
        if crate::denc::EntityAddr::parse_text(client_address, crate::denc::EntityAddr::TYPE_LEGACY).is_none() {
            return Err(Error::invalid(format!("unable to parse address {client_address}")));
        }
        let backend = self.backend()?;
        let expire = if expire_seconds != 0 { format!(r#", "expire": {expire_seconds}.0"#) } else { String::new() };
        let command = |prefix: &str| {
            format!(r#"{{"prefix": "osd {prefix}", "{prefix}op": "add", "addr": "{client_address}"{expire}}}"#)
        };
        let (mut r, mut status, _) = backend.mon_command(&[command("blocklist")], &[])?;
        if r == -libc::EINVAL {
            (r, status, _) = backend.mon_command(&[command("blacklist")], &[])?;
        }
        if r < 0 {
            return Err(Error::remote(r, format!("osd blocklist add {client_address}: {status}")));
        }
        backend.wait_for_latest_map()
    }

    /// Pings monitor `mon_id` and returns its report (health and status,
    /// JSON). Before connecting, the monitors are those of `mon_host`
    /// (`noname-a`…), as upstream's. Errors: EINVAL for an empty id, ENOENT
    /// for an unknown monitor or without `mon_host`, ETIMEDOUT after
    /// `mon_client_ping_timeout`, EOPNOTSUPP on the local store.
    pub fn ping_monitor(&self, mon_id: &str) -> Result<String> {
        let backend = match &*self.lock() {
            State::Connected(b) => Some(b.clone()),
            State::Configuring => None,
            State::Shutdown => return Err(Error::NotConnected),
        };
        match backend {
            Some(b) => b.ping_monitor(mon_id),
            None => {
                let config = self.context.config().clone();
                super::cluster::mon_ping::ping_unconnected(&config, mon_id)
            }
        }
    }

    /// Delivers the cluster log at `level` (debug, info, warn/warning/sec,
    /// err/error) to `callback`; None stops the delivery (no callback runs
    /// after this returns). Errors: ENOTCONN, EINVAL for an unknown level,
    /// EOPNOTSUPP on the local store.
    pub fn monitor_log(&self, level: &str, callback: Option<ClusterLogCallback>) -> Result<()> {
        let backend = self.backend()?;
        let Some(callback) = callback else { return backend.monitor_log(None) };
        let sub = super::cluster::cluster_log::subscription(level)
            .ok_or_else(|| Error::invalid(format!("invalid monitor log level {level}")))?;
        backend.monitor_log(Some((sub.to_string(), callback)))
    }

    /// Registers this client as daemon `daemon` of service `service`, with
    /// `metadata` (and the host's, as upstream adds it); before connecting
    /// it is kept and sent at connect. Errors: EEXIST when registered
    /// already, EINVAL for an empty name or a Ceph daemon type as service
    /// (osd, mds, client, mon, mgr), EOPNOTSUPP on the local store.
    pub fn service_register(&self, service: &str, daemon: &str, metadata: Vec<(String, String)>) -> Result<()> {
        let mut registration = self.service_daemon.lock().unwrap_or_else(|e| e.into_inner());
        if registration.is_some() {
            return Err(Error::remote(-libc::EEXIST, "already registered as a service daemon"));
        }
        if matches!(service, "osd" | "mds" | "client" | "mon" | "mgr") || service.is_empty() || daemon.is_empty() {
            return Err(Error::invalid(format!("service daemon {service}.{daemon}")));
        }
        let reg = ServiceDaemon { service: service.into(), daemon: daemon.into(), metadata };
        let backend = match &*self.lock() {
            State::Connected(b) => Some(b.clone()),
            _ => None,
        };
        if let Some(b) = backend {
            b.service_register(&reg.service, &reg.daemon, &reg.metadata)?;
        }
        *registration = Some(reg);
        Ok(())
    }

    /// The status this client reports as a service daemon. Errors: ENOTCONN,
    /// EOPNOTSUPP on the local store.
    pub fn service_update_status(&self, status: Vec<(String, String)>) -> Result<()> {
        self.backend()?.service_update_status(&status)
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
