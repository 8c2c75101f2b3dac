//! Configuration: options, ceph.conf, `CEPH_CONF`/`CEPH_ARGS`, metavariables.
//!
//! Values live per level (default < mon < env < file < cmdline < override) and
//! the highest level wins, as upstream's `md_config_t`. Values are stored in
//! their canonical printed form; `$cluster`, `$name`, `$id`, `$type`, `$host`,
//! `$pid`, `$cctid`, `$home` and `$<option>` expand when read.

mod argv;
mod conf_file;
mod entity;
mod keyring;
pub mod schema;
mod schema_table;
pub mod value;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};

pub use conf_file::ConfFile;
pub use entity::{EntityName, EntityType};
pub use keyring::find_secret;
pub use schema::{OptionKind, OptionSpec};

use crate::error::{Error, Result};

/// Where a value came from; higher wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Default = 0,
    Mon = 1,
    Env = 2,
    File = 3,
    Cmdline = 4,
    Override = 5,
}

/// Upstream's default list of configuration files.
const DEFAULT_CONF_FILES: &str = "$data_dir/config,/etc/ceph/$cluster.conf,$home/.ceph/$cluster.conf,$cluster.conf";

/// The configuration of one cluster handle (upstream: a CephContext's config).
#[derive(Clone, Debug)]
pub struct Config {
    name: EntityName,
    cluster: String,
    values: HashMap<&'static str, BTreeMap<Level, String>>,
    cctid: u64,
    /// The last configuration file read (upstream keeps it, see `read_files`).
    last_file: Option<ConfFile>,
}

impl Config {
    /// A configuration with every option at its default.
    pub fn new(name: EntityName, cluster: &str) -> Config {
        static NEXT_CCTID: AtomicU64 = AtomicU64::new(1);
        Config {
            name,
            cluster: cluster.to_string(),
            values: HashMap::new(),
            cctid: NEXT_CCTID.fetch_add(1, Ordering::Relaxed),
            last_file: None,
        }
    }

    /// This handle's entity name.
    pub fn name(&self) -> &EntityName {
        &self.name
    }

    /// The cluster name ("" until given or taken from a configuration file).
    pub fn cluster(&self) -> &str {
        &self.cluster
    }

    /// `rados_conf_set`: sets `key` at the override level.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        self.set_at(key, value, Level::Override)
    }

    /// Sets `key` at `level`; unknown keys are `NotFound`, bad values `InvalidArgument`.
    pub fn set_at(&mut self, key: &str, value: &str, level: Level) -> Result<()> {
        let key = schema::normalize_key(key);
        if key.is_empty() {
            return Err(Error::invalid("no key specified"));
        }
        let spec = schema::find(&key).ok_or_else(|| Error::not_found(format!("configuration option '{key}'")))?;
        let canonical = value::canonical(spec.kind, value)?;
        self.values.entry(spec.name).or_default().insert(level, canonical);
        Ok(())
    }

    /// `rados_conf_get`: the value of `key`, metavariables expanded.
    pub fn get(&self, key: &str) -> Result<String> {
        let key = schema::normalize_key(key);
        if key.is_empty() {
            return Err(Error::invalid("no key specified"));
        }
        let spec = schema::find(&key).ok_or_else(|| Error::not_found(format!("configuration option '{key}'")))?;
        Ok(self.expand(self.raw(spec), &mut vec![spec.name]))
    }

    /// The stored (unexpanded) value of an option.
    fn raw(&self, spec: &'static OptionSpec) -> &str {
        self.values
            .get(spec.name)
            .and_then(|levels| levels.values().next_back())
            .map(String::as_str)
            .unwrap_or(spec.default)
    }

    /// Typed getters for options the library itself uses; `key` must exist.
    pub fn get_str(&self, key: &str) -> String {
        self.get(key).unwrap_or_default()
    }

    pub fn get_bool(&self, key: &str) -> bool {
        value::parse_bool(&self.get_str(key)).unwrap_or(false)
    }

    pub fn get_u64(&self, key: &str) -> u64 {
        self.get_str(key).parse().unwrap_or(0)
    }

    pub fn get_i64(&self, key: &str) -> i64 {
        self.get_str(key).parse().unwrap_or(0)
    }

    pub fn get_f64(&self, key: &str) -> f64 {
        self.get_str(key).parse().unwrap_or(0.0)
    }

    /// `rados_conf_read_file`: reads the first readable file of `path_list`
    /// (default: `$CEPH_CONF`, then upstream's list), then applies `CEPH_KEYRING`
    /// and `CEPH_ARGS`. As upstream: entries are separated by `,` or `;` and not
    /// trimmed; when none can be read, the handle's previous file is applied again,
    /// and without one that is `NotFound`; a syntax error is `InvalidArgument`.
    pub fn read_files(&mut self, path_list: Option<&str>) -> Result<()> {
        if self.cluster.is_empty() && path_list.is_none() {
            self.cluster = "ceph".into();
        }
        let list = match path_list {
            Some(p) => p.to_string(),
            None => std::env::var("CEPH_CONF").unwrap_or_else(|_| DEFAULT_CONF_FILES.to_string()),
        };
        let mut chosen = None;
        for entry in list.split([',', ';']).filter(|s| !s.is_empty()) {
            if entry.contains("$data_dir") {
                continue; // a client has no data dir
            }
            let path = self.expand(entry, &mut Vec::new());
            // unreadable entries (missing, directories, no permission) are skipped
            if let Ok(text) = std::fs::read(&path) {
                chosen = Some((path, text));
                break;
            }
        }
        let file = match chosen {
            Some((path, text)) => {
                let file = ConfFile::parse(&text)?;
                if self.cluster.is_empty() {
                    let base = path.rsplit('/').next().unwrap_or(&path);
                    self.cluster = base.find(".conf").map_or("ceph", |end| &base[..end]).to_string();
                }
                file
            }
            None => {
                self.last_file.clone().ok_or_else(|| Error::not_found(format!("no configuration file in '{list}'")))?
            }
        };
        self.apply_file(&file);
        self.last_file = Some(file);
        self.parse_env(None)
    }

    /// Applies every schema option found in this entity's sections
    /// (`type.id`, then `type`, then `global`) at the file level.
    pub fn apply_file(&mut self, file: &ConfFile) {
        let sections = [self.name.to_string(), self.name.kind.as_str().to_string(), "global".to_string()];
        for spec in schema::all() {
            let found = sections.iter().find_map(|s| file.get(s, spec.name));
            if let Some(value) = found {
                // upstream warns and keeps going when a file value does not parse
                let _ = self.set_at(spec.name, value, Level::File);
            }
        }
    }

    /// `rados_conf_parse_argv*`: applies `args`, removing the ones it used.
    pub fn parse_argv(&mut self, args: &mut Vec<String>) -> Result<()> {
        argv::parse(self, args, Level::Cmdline)
    }

    /// `rados_conf_parse_env`: `CEPH_KEYRING`, `CEPH_LIB`, then the arguments in
    /// `var` (default `CEPH_ARGS`).
    pub fn parse_env(&mut self, var: Option<&str>) -> Result<()> {
        if let Ok(keyring) = std::env::var("CEPH_KEYRING") {
            let _ = self.set_at("keyring", &keyring, Level::Env);
        }
        if let Ok(dir) = std::env::var("CEPH_LIB") {
            for option in ["erasure_code_dir", "plugin_dir", "osd_class_dir"] {
                let _ = self.set_at(option, &dir, Level::Env);
            }
        }
        if let Ok(value) = std::env::var(var.unwrap_or("CEPH_ARGS")) {
            let mut args = argv::split_env(&value);
            argv::parse(self, &mut args, Level::Env)?;
        }
        Ok(())
    }

    /// Expands metavariables as upstream's `_expand_meta`; `stack` breaks cycles.
    fn expand(&self, text: &str, stack: &mut Vec<&'static str>) -> String {
        if !text.contains('$') {
            return text.to_string();
        }
        let is_var = |c: char| c.is_ascii_lowercase() || c == '_';
        let mut out = String::new();
        let mut rest = text;
        while let Some(pos) = rest.find('$') {
            out.push_str(&rest[..pos]);
            let after = &rest[pos + 1..];
            let (var, consumed) = if let Some(braced) = after.strip_prefix('{') {
                let end = braced.find(|c: char| !is_var(c)).unwrap_or(braced.len());
                if braced[end..].starts_with('}') {
                    (&braced[..end], end + 2)
                } else {
                    ("", 0)
                }
            } else {
                let end = after.find(|c: char| !is_var(c)).unwrap_or(after.len());
                (&after[..end], end)
            };
            rest = &after[consumed..];
            if var.is_empty() {
                out.push('$');
                continue;
            }
            match var {
                "type" => out.push_str(self.name.kind.as_str()),
                "cluster" => out.push_str(&self.cluster),
                "name" => out.push_str(&self.name.to_string()),
                "id" | "num" => out.push_str(&self.name.id),
                "host" => out.push_str(&self.host()),
                "pid" => out.push_str(&std::process::id().to_string()),
                "cctid" => out.push_str(&self.cctid.to_string()),
                "home" => {
                    // upstream replaces everything expanded so far
                    out = std::env::var("HOME").unwrap_or_default();
                }
                _ => match schema::find(var) {
                    Some(spec) if stack.contains(&spec.name) => {
                        out.push('$');
                        out.push_str(spec.name);
                    }
                    Some(spec) => {
                        stack.push(spec.name);
                        let value = self.expand(self.raw(spec), stack);
                        stack.pop();
                        out.push_str(&value);
                    }
                    None => out.push_str(&text[text.len() - after.len() - 1..text.len() - rest.len()]),
                },
            }
        }
        out.push_str(rest);
        out
    }

    fn host(&self) -> String {
        let configured = self.raw(schema::find("host").expect("host option"));
        if !configured.is_empty() {
            return configured.to_string();
        }
        let mut buf = [0u8; 256];
        // SAFETY: buf is valid for writes of its length; gethostname NUL-terminates on success.
        let r = unsafe { libc::gethostname(buf.as_mut_ptr() as *mut libc::c_char, buf.len()) };
        if r != 0 {
            return String::new();
        }
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        let name = String::from_utf8_lossy(&buf[..end]).into_owned();
        name.split('.').next().unwrap_or("").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_expansion_and_errors() {
        let mut c = Config::new(EntityName::client("admin"), "");
        assert_eq!(
            c.get("keyring").unwrap(),
            "/etc/ceph/.client.admin.keyring,/etc/ceph/.keyring,/etc/ceph/keyring,/etc/ceph/keyring.bin,"
        );
        assert!(matches!(c.get("nope"), Err(Error::NotFound(_))));
        assert!(matches!(c.set("", "x"), Err(Error::InvalidArgument(_))));
        assert!(matches!(c.set("rbd-cache", "x"), Err(Error::NotFound(_))));
        assert!(matches!(c.set("rbd_cache", "maybe"), Err(Error::InvalidArgument(_))));
        c.set_at("rbd_cache", "false", Level::File).unwrap();
        c.set(" rbd cache ", "true").unwrap();
        c.set_at("rbd_cache", "false", Level::Env).unwrap();
        assert_eq!(c.get("rbd_cache").unwrap(), "true", "override beats file and env");
        c.set("admin_socket", "$run_dir/$cluster-$name.asok").unwrap();
        c.set("run_dir", "/r/$admin_socket").unwrap();
        assert_eq!(c.get("admin_socket").unwrap(), "/r/$admin_socket/-client.admin.asok");
        c.set("log_file", "${name}x$bogus$").unwrap();
        assert_eq!(c.get("log_file").unwrap(), "client.adminx$bogus$");
    }

    #[test]
    fn reads_files_by_section_priority() {
        let dir = std::env::temp_dir().join(format!("cephrs-conf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("mycluster.conf");
        std::fs::write(
            &path,
            "[global]\nrados_osd_op_timeout = 3\nrbd_cache = false\n[client]\nrados_osd_op_timeout = 5\n\
             [client.admin]\nrados_osd_op_timeout = 7\n",
        )
        .unwrap();
        let mut c = Config::new(EntityName::client("admin"), "");
        c.read_files(Some(path.to_str().unwrap())).unwrap();
        assert_eq!(c.get("rados_osd_op_timeout").unwrap(), "7");
        assert_eq!(c.get("rbd_cache").unwrap(), "false");
        assert_eq!(c.cluster(), "mycluster");
        let mut other = Config::new(EntityName::client("other"), "ceph");
        other.read_files(Some(path.to_str().unwrap())).unwrap();
        assert_eq!(other.get("rados_osd_op_timeout").unwrap(), "5");
        let missing = dir.join("none.conf");
        assert!(other.read_files(Some(missing.to_str().unwrap())).is_ok(), "a file was read before");
        let mut fresh = Config::new(EntityName::client("admin"), "");
        assert!(matches!(fresh.read_files(Some(missing.to_str().unwrap())), Err(Error::NotFound(_))));
        let list = format!("{},{}", missing.display(), path.display());
        fresh.read_files(Some(&list)).unwrap();
        assert_eq!(fresh.get("rados_osd_op_timeout").unwrap(), "7");
        let spaced = format!("{}, {}", missing.display(), path.display());
        let mut other_fresh = Config::new(EntityName::client("admin"), "");
        assert!(other_fresh.read_files(Some(&spaced)).is_err(), "entries are not trimmed");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
