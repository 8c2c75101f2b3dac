//! Image metadata (`metadata_<key>` on the header) and the per-image
//! configuration kept in it as `conf_<option>` keys.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::image::Image;
use super::watcher::notify_header_update;
use crate::cls::rbd::directory::ListInput;
use crate::cls::rbd::CLASS as RBD;
use crate::config::Config;
use crate::denc::{Decode, Encode};
use crate::error::{Error, Result};

/// Per-image configuration keys are stored with this prefix.
pub const CONF_PREFIX: &str = "conf_";

/// Options that are not per-image (upstream's exclusion lists).
const EXCLUDED: &[&str] = &[
    "rbd_auto_exclusive_lock_until_manual_request",
    "rbd_default_format",
    "rbd_default_pool",
    "rbd_discard_on_zeroed_write_same",
    "rbd_op_thread_timeout",
    "rbd_op_threads",
    "rbd_tracing",
    "rbd_validate_names",
    "rbd_validate_pool",
    "rbd_mirror_pool_replayers_refresh_interval",
    "rbd_config_pool_override_update_timestamp",
];
const EXCLUDED_FOR_IMAGES: &[&str] = &[
    "rbd_default_clone_format",
    "rbd_default_data_pool",
    "rbd_default_features",
    "rbd_default_format",
    "rbd_default_order",
    "rbd_default_stripe_count",
    "rbd_default_stripe_unit",
    "rbd_journal_order",
    "rbd_journal_pool",
    "rbd_journal_splay_width",
];

/// True for an option a pool or an image may override.
pub fn is_image_option(name: &str) -> bool {
    // rbd_mirror_* belong to the rbd-mirror daemon, not to librbd
    name.starts_with("rbd_")
        && !name.starts_with("rbd_mirror_")
        && crate::config::schema::find(name).is_some()
        && !EXCLUDED.contains(&name)
        && !EXCLUDED_FOR_IMAGES.contains(&name)
}

/// Every option a pool or an image may override, in name order.
pub fn image_options() -> Vec<&'static str> {
    let mut v: Vec<&'static str> =
        crate::config::schema::all().map(|o| o.name).filter(|n| is_image_option(n)).collect();
    v.sort_unstable();
    v
}

/// Where the effective value of an image option comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigSource {
    Config,
    Pool,
    Image,
}

/// Checks a `conf_` metadata value the way upstream does before storing it.
fn validate(key: &str, value: &str) -> Result<()> {
    if let Some(option) = key.strip_prefix(CONF_PREFIX) {
        if option.is_empty() {
            return Ok(());
        }
        if !is_image_option(option) {
            return Err(Error::invalid(format!("{option} is not a per-image option")));
        }
        let mut scratch = Config::new(crate::config::EntityName::client("admin"), "ceph");
        scratch.set(option, value)?;
    }
    Ok(())
}

impl Image {
    /// Value of metadata `key`. ENOENT when missing.
    pub fn metadata_get(&self, key: &str) -> Result<Vec<u8>> {
        self.check_open()?;
        let out = self.io.exec(self.header_oid.as_bytes(), RBD, "metadata_get", key.to_string().to_bytes())?;
        Vec::<u8>::from_bytes(&out).map_err(|_| Error::Corrupt("metadata_get reply".into()))
    }

    /// Sets metadata `key`. EINVAL for a `conf_` key naming no per-image option
    /// or with a value the option does not take; EROFS when read-only.
    pub fn metadata_set(self: &Arc<Self>, key: &str, value: &str) -> Result<()> {
        self.check_writable()?;
        validate(key, value)?;
        self.lock.acquire(self)?;
        let mut data = BTreeMap::new();
        data.insert(key.to_string(), value.as_bytes().to_vec());
        self.io.exec(self.header_oid.as_bytes(), RBD, "metadata_set", data.to_bytes())?;
        self.after_metadata_change(key);
        Ok(())
    }

    /// Removes metadata `key`. ENOENT when missing.
    pub fn metadata_remove(self: &Arc<Self>, key: &str) -> Result<()> {
        self.check_writable()?;
        self.metadata_get(key)?;
        self.lock.acquire(self)?;
        self.io.exec(self.header_oid.as_bytes(), RBD, "metadata_remove", key.to_string().to_bytes())?;
        self.after_metadata_change(key);
        Ok(())
    }

    fn after_metadata_change(&self, key: &str) {
        if key.starts_with(CONF_PREFIX) {
            let _ = self.refresh();
        }
        notify_header_update(self);
    }

    /// Every per-image option, in name order, with its effective value and
    /// where it comes from (`rbd_config_image_list`).
    pub fn config_list(&self) -> Vec<(&'static str, String, ConfigSource)> {
        // the header first: reading it may refresh, which reads the configuration
        let overrides = self.header().config.clone();
        let conf = self.io.rados().context().config();
        image_options()
            .into_iter()
            .map(|name| {
                let spec = crate::config::schema::find(name);
                let image_value = overrides
                    .get(name)
                    .and_then(|raw| spec.and_then(|s| crate::config::value::canonical(s.kind, raw).ok()));
                match image_value {
                    Some(v) => (name, v, ConfigSource::Image),
                    None => (name, conf.get_str(name), ConfigSource::Config),
                }
            })
            .collect()
    }

    /// Up to `max` entries (0: all) after `start`, in key order, read in
    /// pages as upstream's `GetMetadataRequest`.
    pub fn metadata_list(&self, start: &str, max: u64) -> Result<Vec<(String, Vec<u8>)>> {
        const PAGE: u64 = 128;
        self.check_open()?;
        let mut out: Vec<(String, Vec<u8>)> = Vec::new();
        let mut after = start.to_string();
        loop {
            let want = if max == 0 { PAGE } else { (max - out.len() as u64).min(PAGE) };
            let input = ListInput { start_after: after.clone(), max_return: want }.to_bytes();
            let reply = self.io.exec(self.header_oid.as_bytes(), RBD, "metadata_list", input)?;
            let page = BTreeMap::<String, Vec<u8>>::from_bytes(&reply)
                .map_err(|_| Error::Corrupt("metadata_list reply".into()))?;
            let got = page.len() as u64;
            out.extend(page);
            if got < want || (max != 0 && out.len() as u64 >= max) {
                return Ok(out);
            }
            after = out.last().map(|(k, _)| k.clone()).unwrap_or_default();
        }
    }
}
