//! Cluster handles (`Rados`) and the configuration context they share.

use std::sync::{Arc, Mutex, MutexGuard};

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

#[derive(Debug)]
enum State {
    Configuring,
    Shutdown,
}

/// A cluster handle: configuration, then a connection to a backend.
#[derive(Debug)]
pub struct Rados {
    context: Arc<ConfigContext>,
    state: Mutex<State>,
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

    /// Connects to the configured backend.
    pub fn connect(&self) -> Result<()> {
        match *self.state.lock().unwrap_or_else(|e| e.into_inner()) {
            State::Shutdown => Err(Error::NotConnected),
            State::Configuring => Err(Error::NotImplemented("rados_connect")),
        }
    }

    /// Closes the connection; the handle is unusable afterwards.
    pub fn shutdown(&self) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = State::Shutdown;
    }
}
