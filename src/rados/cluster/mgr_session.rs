//! The session with the active manager that a service daemon keeps
//! (`rados_service_register`, `rados_service_update_status`): MMgrOpen
//! with the daemon's service, name, metadata and status, then an MMgrReport
//! every stats period (MMgrConfigure says how often; the manager drops a
//! daemon from the service map when its reports stop). It follows the
//! manager map: a new active manager gets a new session.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use super::connection::{ClientIdentity, Connection, Dispatcher, Message};
use super::daemon_command::msgr2_addr;
use super::monclient::MonClient;
use crate::config::EntityType;
use crate::denc::{Decoder, Encode, EntityAddr};
use crate::error::{Error, Result};

mod msg {
    pub const MGR_OPEN: u16 = 0x700;
    pub const MGR_CONFIGURE: u16 = 0x701;
    pub const MGR_REPORT: u16 = 0x702;
}

/// Who provides the identity the manager session presents.
pub type IdentitySource = Box<dyn Fn() -> ClientIdentity + Send + Sync>;

/// A registered service daemon.
#[derive(Clone, Debug)]
struct Registration {
    service: String,
    daemon: String,
    metadata: Vec<(String, String)>,
}

struct State {
    registration: Option<Registration>,
    status: Vec<(String, String)>,
    /// The status changed since the last report.
    status_dirty: bool,
    /// The session and the manager address it goes to.
    conn: Option<(Arc<Connection>, EntityAddr)>,
    period: Duration,
    shutdown: bool,
}

/// The manager session of this client (idle until a registration).
pub struct MgrSession {
    monc: Arc<MonClient>,
    identity: IdentitySource,
    state: Mutex<State>,
    changed: Condvar,
    me: Weak<MgrSession>,
}

impl MgrSession {
    pub fn new(monc: Arc<MonClient>, identity: IdentitySource, period: Duration) -> Arc<MgrSession> {
        Arc::new_cyclic(|me| MgrSession {
            monc,
            identity,
            state: Mutex::new(State {
                registration: None,
                status: Vec::new(),
                status_dirty: false,
                conn: None,
                period: period.max(Duration::from_secs(1)),
                shutdown: false,
            }),
            changed: Condvar::new(),
            me: me.clone(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers the daemon and starts reporting.
    /// Errors: EEXIST when already registered.
    pub fn register(&self, service: &str, daemon: &str, metadata: Vec<(String, String)>) -> Result<()> {
        {
            let mut st = self.lock();
            if st.registration.is_some() {
                return Err(Error::remote(-libc::EEXIST, "already registered as a service daemon"));
            }
            st.registration = Some(Registration { service: service.into(), daemon: daemon.into(), metadata });
        }
        let me = self.me.clone();
        std::thread::Builder::new().name("cephrs-mgr".into()).spawn(move || report_loop(me))?;
        Ok(())
    }

    /// The status sent with the next report (sent now).
    pub fn update_status(&self, status: Vec<(String, String)>) {
        let mut st = self.lock();
        st.status = status;
        st.status_dirty = true;
        drop(st);
        self.changed.notify_all();
    }

    pub fn shutdown(&self) {
        let conn = {
            let mut st = self.lock();
            st.shutdown = true;
            st.conn.take()
        };
        if let Some((c, _)) = conn {
            c.close();
        }
        self.changed.notify_all();
    }

    /// Opens a session with the active manager when there is none (or the
    /// active one changed), then sends a report.
    fn tick(&self) -> Result<()> {
        let mgrmap = self.monc.mgrmap(Duration::from_secs(1))?;
        let active = msgr2_addr(&mgrmap.active_addrs).filter(|_| mgrmap.available);
        let (conn, open) = {
            let st = self.lock();
            match (&st.conn, active) {
                (Some((c, addr)), Some(a)) if *addr == a => (Some(c.clone()), None),
                (_, a) => (None, a),
            }
        };
        let conn = match (conn, open) {
            (Some(c), _) => c,
            (None, None) => return Err(Error::remote(-libc::ENOTCONN, "no active manager")),
            (None, Some(addr)) => {
                let me = self.me.upgrade().ok_or(Error::NotConnected)?;
                let c = Connection::open_addr(addr, EntityType::Mgr, &(self.identity)(), Duration::from_secs(10), me)?;
                let (open, old) = {
                    let mut st = self.lock();
                    let reg = st.registration.clone().ok_or(Error::NotConnected)?;
                    st.status_dirty = false;
                    (open_message(&reg, &st.status), st.conn.replace((c.clone(), addr)))
                };
                if let Some((old, _)) = old {
                    old.close();
                }
                trace!("manager session to {addr}: registering as a service daemon");
                c.send(&open)?;
                c
            }
        };
        let report = {
            let mut st = self.lock();
            let reg = st.registration.clone().ok_or(Error::NotConnected)?;
            let status = std::mem::take(&mut st.status_dirty).then(|| st.status.clone());
            report_message(&reg, status.as_deref())
        };
        conn.send(&report)
    }
}

/// Reports every period, or at once when the status changes; ends with the session.
fn report_loop(me: Weak<MgrSession>) {
    let mut next = Instant::now();
    loop {
        let Some(session) = me.upgrade() else { return };
        {
            let mut st = session.lock();
            while !st.shutdown && !st.status_dirty && Instant::now() < next {
                let left = next.saturating_duration_since(Instant::now());
                st = session.changed.wait_timeout(st, left).unwrap_or_else(|e| e.into_inner()).0;
            }
            if st.shutdown {
                return;
            }
            next = Instant::now() + st.period;
        }
        if let Err(e) = session.tick() {
            trace!("manager session: {e}");
            next = next.min(Instant::now() + Duration::from_secs(1));
        }
    }
}

impl Dispatcher for MgrSession {
    fn message(&self, _conn: &Arc<Connection>, msg: Message) {
        if msg.kind == msg::MGR_CONFIGURE {
            // MMgrConfigure: the stats period (seconds) comes first
            if let Ok(period) = Decoder::new(&msg.front).u32() {
                if period > 0 {
                    self.lock().period = Duration::from_secs(u64::from(period));
                }
            }
        }
    }

    fn fault(&self, conn: &Arc<Connection>, err: &Error) {
        let mut st = self.lock();
        if st.conn.as_ref().is_some_and(|(c, _)| Arc::ptr_eq(c, conn)) {
            trace!("manager session lost: {err}");
            st.conn = None;
        }
    }
}

fn encode_map(map: &[(String, String)], out: &mut Vec<u8>) {
    let mut sorted: Vec<&(String, String)> = map.iter().collect();
    sorted.sort();
    (sorted.len() as u32).encode(out);
    for (k, v) in sorted {
        k.encode(out);
        v.encode(out);
    }
}

/// MMgrOpen v3: daemon name, service name, service daemon flag, metadata
/// and status, and empty config blobs.
fn open_message(reg: &Registration, status: &[(String, String)]) -> Message {
    let mut front = Vec::new();
    reg.daemon.encode(&mut front);
    reg.service.encode(&mut front);
    1u8.encode(&mut front);
    encode_map(&reg.metadata, &mut front);
    encode_map(status, &mut front);
    0u32.encode(&mut front); // config_bl
    0u32.encode(&mut front); // config_defaults_bl
    Message::new(msg::MGR_OPEN, 3, 1, front)
}

/// MMgrReport v9 without counters: names, the status when it changed.
fn report_message(reg: &Registration, status: Option<&[(String, String)]>) -> Message {
    let mut front = Vec::new();
    reg.daemon.encode(&mut front);
    0u32.encode(&mut front); // declare_types
                             // packed counter values: a versioned envelope (v1) even when empty,
                             // which the manager decodes unconditionally
    6u32.encode(&mut front);
    front.extend_from_slice(&[1, 1, 0, 0, 0, 0]);
    0u32.encode(&mut front); // undeclare_types
    reg.service.encode(&mut front);
    match status {
        Some(s) => {
            1u8.encode(&mut front);
            encode_map(s, &mut front);
        }
        None => 0u8.encode(&mut front),
    }
    0u32.encode(&mut front); // daemon_health_metrics
    0u32.encode(&mut front); // config_bl
    0u32.encode(&mut front); // osd_perf_metric_reports
    0u8.encode(&mut front); // task_status
    0u8.encode(&mut front); // metric_report_message
    Message::new(msg::MGR_REPORT, 9, 1, front)
}

/// What upstream's `collect_sys_info` reports about the host: versions,
/// kernel (uname), memory, processor, distribution, container hints.
pub fn system_metadata() -> Vec<(String, String)> {
    let mut m: Vec<(String, String)> = vec![
        (
            "ceph_version".into(),
            format!("ceph version 16.2.15 (cephrs {}) pacific (stable)", env!("CARGO_PKG_VERSION")),
        ),
        ("ceph_version_short".into(), "16.2.15".into()),
        ("ceph_release".into(), "pacific".into()),
    ];
    // SAFETY: all-zero is a valid utsname; uname fills it.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `u` is valid for writing.
    let nodename = if unsafe { libc::uname(&mut u) } == 0 {
        let field = |f: &[libc::c_char]| {
            let bytes: Vec<u8> = f.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        m.push(("os".into(), field(&u.sysname)));
        m.push(("kernel_version".into(), field(&u.release)));
        m.push(("kernel_description".into(), field(&u.version)));
        m.push(("hostname".into(), field(&u.nodename)));
        m.push(("arch".into(), field(&u.machine)));
        field(&u.nodename)
    } else {
        String::new()
    };
    let env = |k: &str| std::env::var(k).ok();
    let mut in_container = false;
    for (var, key) in
        [("POD_NAME", "pod_name"), ("CONTAINER_NAME", "container_name"), ("CONTAINER_IMAGE", "container_image")]
    {
        if let Some(v) = env(var) {
            m.push((key.into(), v));
            in_container = true;
        }
    }
    if in_container {
        if let Some(node) = env("NODE_NAME") {
            m.push(("container_hostname".into(), nodename));
            m.retain(|(k, _)| k != "hostname");
            m.push(("hostname".into(), node));
        }
        if let Some(ns) = env("POD_NAMESPACE") {
            m.push(("pod_namespace".into(), ns));
        }
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    for (field, key) in [("MemTotal:", "mem_total_kb"), ("SwapTotal:", "mem_swap_kb")] {
        if let Some(v) = meminfo.lines().find_map(|l| l.strip_prefix(field)) {
            m.push((key.into(), v.split_whitespace().next().unwrap_or("").into()));
        }
    }
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    if let Some(cpu) = cpuinfo.lines().find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':'))) {
        m.push(("cpu".into(), cpu.1.trim().into()));
    }
    let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    for (field, key) in [("ID=", "distro"), ("PRETTY_NAME=", "distro_description"), ("VERSION_ID=", "distro_version")] {
        if let Some(v) = os_release.lines().find_map(|l| l.strip_prefix(field)) {
            m.push((key.into(), v.trim_matches('"').into()));
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_and_report_encode_as_pacific_decodes_them() {
        let reg = Registration {
            service: "svc".into(),
            daemon: "d1".into(),
            metadata: vec![("z".into(), "1".into()), ("a".into(), "2".into())],
        };
        let open = open_message(&reg, &[]);
        let mut d = Decoder::new(&open.front);
        assert_eq!((d.string().unwrap(), d.string().unwrap(), d.u8().unwrap()), ("d1".into(), "svc".into(), 1));
        assert_eq!(d.u32().unwrap(), 2);
        assert_eq!(d.string().unwrap(), "a", "metadata is a sorted map");
        let report = report_message(&reg, Some(&[("k".into(), "v".into())]));
        assert_eq!((report.kind, report.version, report.compat_version), (0x702, 9, 1));
        let mut d = Decoder::new(&report.front);
        assert_eq!(d.string().unwrap(), "d1");
        assert_eq!(d.u32().unwrap(), 0);
        assert_eq!(d.bytes().unwrap(), [1, 1, 0, 0, 0, 0], "packed: an empty v1 envelope");
        assert_eq!(d.u32().unwrap(), 0);
        assert_eq!(d.string().unwrap(), "svc");
        assert_eq!(d.u8().unwrap(), 1);
        assert_eq!(d.u32().unwrap(), 1);
        assert_eq!((d.string().unwrap(), d.string().unwrap()), ("k".into(), "v".into()));
        assert_eq!(d.remaining(), 4 * 3 + 2);
    }

    #[test]
    fn host_metadata_has_upstreams_keys() {
        let m = system_metadata();
        for key in ["ceph_version", "ceph_release", "os", "hostname", "arch", "mem_total_kb", "distro"] {
            assert!(m.iter().any(|(k, _)| k == key), "{key} missing");
        }
    }
}
