//! The monitor client: finds a monitor of `mon_host` that answers (hunting),
//! authenticates, subscribes to the monitor and OSD maps, and runs monitor
//! commands; on a fault it hunts again and resends what was in flight.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{mpsc, Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use super::cephx::CephxClient;
use super::cluster_log;
use super::connection::{ClientIdentity, Connection, Dispatcher, Message};
use super::daemon_command::{msg as command_msg, MgrMap, MonMap};
use super::handshake::Credentials;
use crate::config::EntityType;
use crate::denc::{Decoder, Encode};
use crate::error::{Error, Result};
use crate::rados::backend::ClusterLogEntry;

/// Message types the monitor client sends or handles.
pub mod msg {
    pub const MON_MAP: u16 = 4;
    pub const AUTH: u16 = 17;
    pub const AUTH_REPLY: u16 = 18;
    pub const MON_SUBSCRIBE: u16 = 15;
    pub const MON_SUBSCRIBE_ACK: u16 = 16;
    pub const OSD_MAP: u16 = 41;
    pub const MON_COMMAND: u16 = 50;
    pub const MON_COMMAND_ACK: u16 = 51;
    pub const POOL_OP_REPLY: u16 = 48;
    pub const POOL_OP: u16 = 49;
}

/// How often the monitor session is kept alive (upstream's `mon_client_ping_interval`).
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);

/// A monitor command's result: return code, status string, output.
pub type CommandReply = (i32, String, Vec<u8>);

/// Receives OSD maps (the front of each MOSDMap message).
pub trait OsdMapSink: Send + Sync {
    fn osd_map(&self, front: &[u8]);
}

/// A request waiting for its reply (resent on a new session).
struct PendingRequest {
    msg: Message,
    reply: mpsc::Sender<Result<Message>>,
}

struct State {
    conn: Option<Arc<Connection>>,
    fsid: Option<[u8; 16]>,
    global_id: u64,
    next_tid: u64,
    commands: HashMap<u64, PendingRequest>,
    /// Next OSD map epoch we want (0: the latest full map).
    osdmap_want: u32,
    shutdown: bool,
    hunting: bool,
    /// When the last request for service tickets was sent (unanswered yet).
    renewal_sent: Option<Instant>,
    monmap: MonMap,
    mgrmap: Option<MgrMap>,
    log: LogSubscription,
}

/// The cluster log subscription (`rados_monitor_log`).
#[derive(Default)]
struct LogSubscription {
    /// `log-info`…, and where entries go; None: not subscribed.
    want: Option<(String, mpsc::Sender<Vec<ClusterLogEntry>>)>,
    /// The newest log version delivered (older messages are dropped).
    last_version: u64,
}

/// A session with the monitors.
pub struct MonClient {
    mons: Vec<SocketAddr>,
    identity: Mutex<ClientIdentity>,
    timeout: Duration,
    state: Mutex<State>,
    changed: Condvar,
    osdmap_sink: Mutex<Option<Weak<dyn OsdMapSink>>>,
    me: Weak<MonClient>,
}

/// The v2 addresses in a `mon_host` value (`[v2:a:3300,v1:a:6789],b:3300,c`);
/// a bare address without a port gets 3300.
pub fn parse_mon_host(value: &str) -> Result<Vec<SocketAddr>> {
    let mut out = Vec::new();
    for group in value.split([',', ';', ' ']).filter(|s| !s.is_empty()) {
        let entry = group.trim_matches(|c| c == '[' || c == ']');
        if entry.is_empty() || entry.starts_with("v1:") {
            continue;
        }
        let entry = entry.strip_prefix("v2:").unwrap_or(entry);
        let addr = match entry.parse::<SocketAddr>() {
            Ok(a) if a.port() == 6789 => SocketAddr::new(a.ip(), 3300),
            Ok(a) => a,
            Err(_) => match entry.parse::<std::net::IpAddr>() {
                Ok(ip) => SocketAddr::new(ip, 3300),
                Err(_) => {
                    use std::net::ToSocketAddrs;
                    let with_port = if entry.contains(':') { entry.to_string() } else { format!("{entry}:3300") };
                    with_port
                        .to_socket_addrs()
                        .map_err(|e| Error::invalid(format!("mon_host entry '{entry}': {e}")))?
                        .next()
                        .ok_or_else(|| Error::invalid(format!("mon_host entry '{entry}' resolves to nothing")))?
                }
            },
        };
        if !out.contains(&addr) {
            out.push(addr);
        }
    }
    if out.is_empty() {
        return Err(Error::not_found(format!("no msgr2 monitor address in mon_host '{value}'")));
    }
    Ok(out)
}

impl MonClient {
    /// Connects to one of `mons` and authenticates (within `timeout`).
    pub fn connect(mons: Vec<SocketAddr>, identity: ClientIdentity, timeout: Duration) -> Result<Arc<MonClient>> {
        let mc = Arc::new_cyclic(|me| MonClient {
            mons,
            identity: Mutex::new(identity),
            timeout,
            state: Mutex::new(State {
                conn: None,
                fsid: None,
                global_id: 0,
                next_tid: 1,
                commands: HashMap::new(),
                osdmap_want: 0,
                shutdown: false,
                hunting: false,
                renewal_sent: None,
                monmap: MonMap::default(),
                mgrmap: None,
                log: LogSubscription::default(),
            }),
            changed: Condvar::new(),
            osdmap_sink: Mutex::new(None),
            me: me.clone(),
        });
        mc.hunt(Instant::now() + timeout)?;
        mc.start_keepalives();
        // the monmap carries the fsid; wait for it so that callers can use it
        let deadline = Instant::now() + timeout;
        let mut st = mc.lock();
        while st.fsid.is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::TimedOut("waiting for the monitor map".into()));
            }
            st = mc.changed.wait_timeout(st, left).unwrap_or_else(|e| e.into_inner()).0;
        }
        drop(st);
        Ok(mc)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Tries the monitors in turn until one session opens.
    fn hunt(&self, deadline: Instant) -> Result<()> {
        let me = self.me.upgrade().ok_or(Error::NotConnected)?;
        let mut last_err = Error::NotConnected;
        let start = rand_index(self.mons.len());
        loop {
            for i in 0..self.mons.len() {
                let addr = self.mons[(start + i) % self.mons.len()];
                let identity = self.identity.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(100));
                match Connection::open(addr, EntityType::Mon, &identity, left.min(Duration::from_secs(10)), me.clone())
                {
                    Ok(conn) => {
                        if let Some(gid) = conn.global_id {
                            self.identity.lock().unwrap_or_else(|e| e.into_inner()).global_id = gid;
                        }
                        return self.session_opened(conn);
                    }
                    Err(e @ Error::PermissionDenied(_)) => return Err(e),
                    Err(e) => last_err = e,
                }
            }
            if Instant::now() >= deadline {
                return Err(match last_err {
                    Error::TimedOut(_) => last_err,
                    e => Error::TimedOut(format!("no monitor answered: {e}")),
                });
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    fn session_opened(&self, conn: Arc<Connection>) -> Result<()> {
        let mut st = self.lock();
        if st.shutdown {
            conn.close();
            return Err(Error::NotConnected);
        }
        if let Some(gid) = conn.global_id {
            st.global_id = gid;
        }
        st.conn = Some(conn.clone());
        st.hunting = false;
        st.renewal_sent = None;
        let subscribe = subscribe_message(st.osdmap_want, st.log.subscription());
        let resend: Vec<Message> = st.commands.values().map(|c| c.msg.clone()).collect();
        drop(st);
        self.changed.notify_all();
        conn.send(&subscribe)?;
        for m in resend {
            conn.send(&m)?;
        }
        Ok(())
    }

    /// Sends a keepalive on the session every `KEEPALIVE_INTERVAL` (the
    /// monitor closes sessions it has not heard from in `mon_session_timeout`);
    /// the thread holds only a weak reference and ends with the client.
    fn start_keepalives(&self) {
        let me = self.me.clone();
        let _ = std::thread::Builder::new().name("cephrs-mon-tick".into()).spawn(move || loop {
            let Some(mc) = me.upgrade() else { return };
            let wait = mc.next_renewal().map_or(KEEPALIVE_INTERVAL, |at| {
                at.saturating_duration_since(Instant::now()).clamp(Duration::from_millis(200), KEEPALIVE_INTERVAL)
            });
            let conn = {
                let st = mc.lock();
                let (st, _) = mc.changed.wait_timeout(st, wait).unwrap_or_else(|e| e.into_inner());
                if st.shutdown {
                    return;
                }
                st.conn.clone()
            };
            if let Some(c) = conn {
                if let Err(e) = c.keepalive() {
                    trace!("monitor keepalive: {e}");
                }
                mc.renew_tickets(&c);
            }
        });
    }

    fn cephx(&self) -> Option<Arc<Mutex<CephxClient>>> {
        match &self.identity.lock().unwrap_or_else(|e| e.into_inner()).credentials {
            Credentials::Cephx(c) => Some(c.clone()),
            Credentials::None(_) => None,
        }
    }

    /// When the first cephx ticket is due for renewal (None without cephx).
    fn next_renewal(&self) -> Option<Instant> {
        self.cephx()?.lock().unwrap_or_else(|e| e.into_inner()).renew_after()
    }

    /// Renews cephx tickets in their last quarter, as upstream's MonClient
    /// does: the service tickets (mon, osd, mgr) through an MAuth request
    /// on the session; the auth ticket by a new session (a new
    /// authentication, reclaiming our global id).
    fn renew_tickets(&self, conn: &Arc<Connection>) {
        let Some(cephx) = self.cephx() else { return };
        let now = Instant::now();
        let (need, auth_due) = {
            let c = cephx.lock().unwrap_or_else(|e| e.into_inner());
            (c.due(now), c.auth_due(now))
        };
        if auth_due {
            trace!("cephx auth ticket due for renewal: authenticating again on a new monitor session");
            conn.close();
            return;
        }
        if need == 0 {
            return;
        }
        {
            let mut st = self.lock();
            if st.renewal_sent.is_some_and(|at| now.duration_since(at) < Duration::from_secs(10)) {
                return; // the monitor has not answered the last request yet
            }
            st.renewal_sent = Some(now);
        }
        let request = cephx.lock().unwrap_or_else(|e| e.into_inner()).principal_request(need);
        match request {
            Ok(payload) => {
                trace!("cephx: renewing service tickets {need:#x}");
                if let Err(e) = conn.send(&auth_message(&payload)) {
                    trace!("cephx ticket renewal: {e}");
                }
            }
            Err(e) => trace!("cephx ticket renewal: {e}"),
        }
    }

    /// MAuthReply to a ticket renewal: the new tickets.
    fn handle_auth_reply(&self, front: &[u8]) -> Result<()> {
        self.lock().renewal_sent = None;
        let mut d = Decoder::new(front);
        let _protocol = d.u32()?;
        let result = d.i32()?;
        let _global_id = d.u64()?;
        let payload = d.bytes()?;
        if result != 0 {
            let msg = d.string().unwrap_or_default();
            return Err(Error::remote(result, format!("cephx ticket renewal refused: {msg}")));
        }
        let cephx = self.cephx().ok_or_else(|| Error::Corrupt("MAuthReply without cephx".into()))?;
        cephx.lock().unwrap_or_else(|e| e.into_inner()).handle_principal_reply(payload)?;
        trace!("cephx: service tickets renewed");
        Ok(())
    }

    /// When the ticket for `service` expires (None without one).
    pub fn ticket_expires(&self, service: EntityType) -> Option<Instant> {
        self.cephx()?.lock().unwrap_or_else(|e| e.into_inner()).ticket(service).ok().map(|t| t.expires)
    }

    /// The monitor map (empty before the first one arrives).
    pub fn monmap(&self) -> MonMap {
        self.lock().monmap.clone()
    }

    /// The manager map, waiting up to `timeout` for the first one.
    pub fn mgrmap(&self, timeout: Duration) -> Result<MgrMap> {
        let deadline = Instant::now() + timeout;
        let mut st = self.lock();
        loop {
            if let Some(m) = &st.mgrmap {
                return Ok(m.clone());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || st.shutdown {
                return Err(Error::TimedOut("no manager map from the monitors".into()));
            }
            st = self.changed.wait_timeout(st, left).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Where OSD maps go.
    pub fn set_osdmap_sink(&self, sink: Weak<dyn OsdMapSink>) {
        *self.osdmap_sink.lock().unwrap_or_else(|e| e.into_inner()) = Some(sink);
    }

    /// Asks for OSD maps from `epoch` on (0: the latest full map).
    pub fn want_osdmap(&self, epoch: u32) -> Result<()> {
        let conn = {
            let mut st = self.lock();
            st.osdmap_want = epoch;
            st.conn.clone().map(|c| (c, subscribe_message(epoch, st.log.subscription())))
        };
        match conn {
            Some((c, m)) => c.send(&m),
            None => Ok(()),
        }
    }

    /// Subscribes to the cluster log `sub` (`log-info`…), its entries sent
    /// to `sink`; None: entries are dropped from now on (the monitor keeps
    /// the subscription until the session ends, as with upstream's).
    pub fn set_log_subscription(&self, want: Option<(String, mpsc::Sender<Vec<ClusterLogEntry>>)>) -> Result<()> {
        let send = {
            let mut st = self.lock();
            let subscribe = want.is_some();
            st.log.want = want;
            match &st.conn {
                Some(c) if subscribe => Some((c.clone(), subscribe_message(st.osdmap_want, st.log.subscription()))),
                _ => None,
            }
        };
        match send {
            Some((c, m)) => c.send(&m),
            None => Ok(()),
        }
    }

    /// An MLog: new entries go to the subscriber.
    fn handle_log(&self, front: &[u8]) -> Result<()> {
        let (version, entries) = cluster_log::decode_message(front)?;
        let mut st = self.lock();
        if version <= st.log.last_version {
            return Ok(());
        }
        st.log.last_version = version;
        if let Some((_, sink)) = &st.log.want {
            let _ = sink.send(entries);
        }
        Ok(())
    }

    /// Notes the newest OSD map the client holds: a new session subscribes
    /// from the epoch after it (incremental maps) instead of a full map.
    pub fn have_osdmap(&self, epoch: u32) {
        let mut st = self.lock();
        st.osdmap_want = st.osdmap_want.max(epoch + 1);
    }

    pub fn global_id(&self) -> u64 {
        self.lock().global_id
    }

    /// Who we are, with the global id the monitors assigned: what OSD
    /// connections present.
    pub fn identity(&self) -> ClientIdentity {
        self.identity.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The cluster fsid (zero before the first monitor map).
    pub fn fsid_bytes(&self) -> [u8; 16] {
        self.lock().fsid.unwrap_or([0; 16])
    }

    /// Our identity for a separate monitor session: fresh cephx state and no
    /// global id, so that the session's tickets do not replace ours.
    pub fn anonymous_identity(&self) -> ClientIdentity {
        let mut id = self.identity();
        id.global_id = 0;
        if let Credentials::Cephx(c) = &id.credentials {
            let fresh = c.lock().unwrap_or_else(|e| e.into_inner()).fresh();
            id.credentials = Credentials::Cephx(Arc::new(Mutex::new(fresh)));
        }
        id
    }

    /// The cluster fsid, as text.
    pub fn fsid(&self) -> String {
        self.lock().fsid.map(|f| format_uuid(&f)).unwrap_or_default()
    }

    /// When the monitor last answered a keepalive on the current session.
    pub fn last_keepalive_ack(&self) -> Option<Instant> {
        self.lock().conn.as_ref().map(|c| c.last_keepalive_ack())
    }

    /// True when the current session runs in secure (encrypted) mode.
    pub fn is_secure(&self) -> bool {
        self.lock().conn.as_ref().is_some_and(|c| c.secure)
    }

    /// Our address as the monitor sees it.
    pub fn addr_for_me(&self) -> Option<crate::denc::EntityAddr> {
        self.lock().conn.as_ref().map(|c| c.addr_for_me)
    }

    /// Runs a monitor command; waits for its reply (`timeout` None: forever).
    pub fn command(&self, cmd: &[String], input: &[u8], timeout: Option<Duration>) -> Result<CommandReply> {
        let fsid = self.lock().fsid;
        let reply = self.request(command_message(fsid, cmd, input), timeout)?;
        let mut d = Decoder::new(&reply.front);
        skip_paxos_header(&mut d)?;
        let r = d.i32()?;
        let rs = d.string()?;
        Ok((r, rs, reply.data.into_vec()))
    }

    /// Runs a pool operation (MPoolOp); returns the monitor's result, the
    /// map epoch that carries it and the reply data.
    pub fn pool_op(&self, op: u32, pool: u32, name: &str, snap: u64, crush_rule: i16) -> Result<(i32, u32, Vec<u8>)> {
        let fsid = self.lock().fsid.unwrap_or([0; 16]);
        let mut front = Vec::new();
        paxos_header(&mut front);
        front.extend_from_slice(&fsid);
        pool.encode(&mut front);
        op.encode(&mut front);
        0u64.encode(&mut front);
        snap.encode(&mut front);
        name.encode(&mut front);
        0u8.encode(&mut front);
        (crush_rule as u16).encode(&mut front);
        let reply =
            self.request(Message::new(msg::POOL_OP, 4, 2, front), Some(self.timeout.max(Duration::from_secs(60))))?;
        let mut d = Decoder::new(&reply.front);
        skip_paxos_header(&mut d)?;
        d.take(16)?;
        let r = d.u32()? as i32;
        let epoch = d.u32()?;
        let data = if d.u8()? != 0 { d.bytes()?.to_vec() } else { Vec::new() };
        Ok((r, epoch, data))
    }

    /// Sends a request that the monitor answers with the same tid; resent
    /// after a session loss.
    fn request(&self, mut m: Message, timeout: Option<Duration>) -> Result<Message> {
        let (tx, rx) = mpsc::channel();
        let (tid, conn) = {
            let mut st = self.lock();
            if st.shutdown {
                return Err(Error::NotConnected);
            }
            let tid = st.next_tid;
            st.next_tid += 1;
            m.tid = tid;
            st.commands.insert(tid, PendingRequest { msg: m.clone(), reply: tx });
            (tid, st.conn.clone())
        };
        if let Some(c) = conn {
            // a failed send is resent when the session is back
            let _ = c.send(&m);
        }
        let reply = match timeout {
            Some(t) => rx.recv_timeout(t).map_err(|_| Error::TimedOut(format!("monitor request {}", m.kind))),
            None => rx.recv().map_err(|_| Error::NotConnected),
        };
        if reply.is_err() {
            self.lock().commands.remove(&tid);
        }
        reply?
    }

    /// Closes the session; pending commands fail with ENOTCONN.
    pub fn shutdown(&self) {
        let (conn, commands) = {
            let mut st = self.lock();
            st.shutdown = true;
            (st.conn.take(), std::mem::take(&mut st.commands))
        };
        if let Some(c) = conn {
            c.close();
        }
        for (_, c) in commands {
            let _ = c.reply.send(Err(Error::NotConnected));
        }
        self.changed.notify_all();
    }

    fn handle_reply(&self, msg: Message) -> Result<()> {
        if let Some(c) = self.lock().commands.remove(&msg.tid) {
            let _ = c.reply.send(Ok(msg));
        }
        Ok(())
    }
}

impl Dispatcher for MonClient {
    fn message(&self, _conn: &Arc<Connection>, msg: Message) {
        let kind = msg.kind;
        let r = match msg.kind {
            msg::MON_MAP => MonMap::decode_message(&msg.front).map(|map| {
                let mut st = self.lock();
                st.fsid = Some(map.fsid);
                st.monmap = map;
                drop(st);
                self.changed.notify_all();
            }),
            command_msg::MGR_MAP => MgrMap::decode(&msg.front).map(|map| {
                self.lock().mgrmap = Some(map);
                self.changed.notify_all();
            }),
            msg::MON_COMMAND_ACK | msg::POOL_OP_REPLY => self.handle_reply(msg),
            msg::AUTH_REPLY => self.handle_auth_reply(&msg.front),
            cluster_log::MSG_LOG => self.handle_log(&msg.front),
            msg::OSD_MAP => {
                let sink = self.osdmap_sink.lock().unwrap_or_else(|e| e.into_inner()).as_ref().and_then(Weak::upgrade);
                if let Some(s) = sink {
                    s.osd_map(&msg.front);
                }
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(e) = r {
            trace!("monitor message {kind} not understood: {e}");
        }
    }

    fn fault(&self, conn: &Arc<Connection>, err: &Error) {
        {
            let mut st = self.lock();
            let current = st.conn.as_ref().is_some_and(|c| Arc::ptr_eq(c, conn));
            if !current || st.shutdown || st.hunting {
                return;
            }
            st.conn = None;
            st.hunting = true;
        }
        trace!("monitor session to {} lost ({err}); hunting", conn.peer);
        let weak = self.me.clone();
        std::thread::spawn(move || {
            // between failed hunts a growing pause, as upstream's
            // mon_client_hunt_interval backoff: a monitor that refuses us
            // (a cluster recreated under the same address, with other keys)
            // answers at once, and hunting again at once kept it busy
            let mut pause = REHUNT_PAUSE_FIRST;
            loop {
                {
                    let Some(me) = weak.upgrade() else { return };
                    if me.lock().shutdown {
                        return;
                    }
                    match me.hunt(Instant::now() + me.timeout) {
                        Ok(()) => return,
                        Err(e) => trace!("monitor hunting: {e}; again in {pause:?}"),
                    }
                }
                std::thread::sleep(pause);
                pause = (pause * 3 / 2).min(REHUNT_PAUSE_MAX);
            }
        });
    }
}

/// The pause after a failed hunt for a lost session, growing by half each
/// time up to the most.
const REHUNT_PAUSE_FIRST: Duration = Duration::from_secs(1);
const REHUNT_PAUSE_MAX: Duration = Duration::from_secs(30);

fn rand_index(n: usize) -> usize {
    if n <= 1 {
        0
    } else {
        (super::crypto::random_u64() % n as u64) as usize
    }
}

/// `PaxosServiceMessage` header: version, session mon, session mon tid.
fn paxos_header(out: &mut Vec<u8>) {
    0u64.encode(out);
    (-1i16 as u16).encode(out);
    0u64.encode(out);
}

fn skip_paxos_header(d: &mut Decoder<'_>) -> Result<()> {
    d.take(8 + 2 + 8).map(|_| ())
}

fn command_message(fsid: Option<[u8; 16]>, cmd: &[String], input: &[u8]) -> Message {
    let mut front = Vec::new();
    paxos_header(&mut front);
    front.extend_from_slice(&fsid.unwrap_or([0; 16]));
    cmd.to_vec().encode(&mut front);
    let mut m = Message::new(msg::MON_COMMAND, 1, 1, front);
    m.data = input.to_vec().into();
    m
}

/// MAuth (cephx protocol 2) carrying `payload`.
fn auth_message(payload: &[u8]) -> Message {
    let mut front = Vec::new();
    paxos_header(&mut front);
    2u32.encode(&mut front);
    payload.to_vec().encode(&mut front);
    0u32.encode(&mut front); // monmap epoch
    Message::new(msg::AUTH, 0, 0, front)
}

impl LogSubscription {
    /// The cluster log subscription and the version to start from.
    fn subscription(&self) -> Option<(String, u64)> {
        let start = if self.last_version == 0 { 0 } else { self.last_version + 1 };
        self.want.as_ref().map(|(sub, _)| (sub.clone(), start))
    }
}

/// MMonSubscribe v3: the monitor and manager maps (continuous), OSD maps
/// from `osdmap_start`, and the cluster log when `log` names a level.
fn subscribe_message(osdmap_start: u32, log: Option<(String, u64)>) -> Message {
    let mut front = Vec::new();
    (3 + u32::from(log.is_some())).encode(&mut front);
    for map in ["mgrmap", "monmap"] {
        map.encode(&mut front);
        0u64.encode(&mut front);
        0u8.encode(&mut front);
    }
    "osdmap".encode(&mut front);
    u64::from(osdmap_start).encode(&mut front);
    0u8.encode(&mut front);
    if let Some((sub, start)) = log {
        sub.encode(&mut front);
        start.encode(&mut front);
        0u8.encode(&mut front);
    }
    hostname().encode(&mut front);
    Message::new(msg::MON_SUBSCRIBE, 3, 1, front)
}

fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates within it.
    let r = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if r != 0 {
        return String::new();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// A uuid in its text form.
pub fn format_uuid(u: &[u8; 16]) -> String {
    let h: String = u.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mon_host_forms() {
        let a = parse_mon_host("[v2:127.0.0.1:3300,v1:127.0.0.1:3301]").unwrap();
        assert_eq!(a, vec!["127.0.0.1:3300".parse().unwrap()]);
        let b = parse_mon_host("10.0.0.1, 10.0.0.2:6789 [v2:10.0.0.3:3400]").unwrap();
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].port(), 3300);
        assert_eq!(b[1].port(), 3300);
        assert_eq!(b[2].port(), 3400);
        assert!(parse_mon_host("[v1:1.2.3.4:6789]").is_err());
    }

    #[test]
    fn uuid_text() {
        let u: [u8; 16] = std::array::from_fn(|i| i as u8);
        assert_eq!(format_uuid(&u), "00010203-0405-0607-0809-0a0b0c0d0e0f");
    }
}
