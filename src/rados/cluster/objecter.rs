//! The Objecter: sends object operations to the OSDs that hold them and
//! delivers their replies. It owns the current OSD map, one session per OSD
//! (opened on a connector thread the first time an op needs it, so that
//! submitters never block), the in-flight ops by tid, and the watches and
//! notifies (linger ops).
//!
//! Ops are resent when the map moves their PG (primary, acting set or pg_num
//! change), when their session is reset, and when an OSD lifts a backoff; a
//! retry carries the attempt number so that stale replies are ignored, and the
//! OSD recognises a resent write by its tid. Replies are delivered on the
//! finisher thread (or directly for a waiting synchronous caller), never with
//! a lock held.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use super::connection::{ClientIdentity, Connection, Dispatcher, Message, CLIENT_FEATURES};
use super::json::Json;
use super::monclient::{msg as mon_msg, MonClient, OsdMapSink};
use super::osd_wire::{
    backoff_op, decode_osd_op_reply, encode_osd_op, flag, msg, to_reply, watch_event, Backoff, EncodedOps, OpCodes,
    OpHeader, OpReplyMsg, RawOp, WatchNotify,
};
use super::osdmap::{MapMessage, OsdMap, PgId};
use super::osdmap_incremental::Incremental;
use crate::config::EntityType;
use crate::denc::EntityAddr;
use crate::error::{Error, Result};
use crate::rados::backend::{ReplyCallback, WatchHandler};
use crate::rados::object::{ObjectTarget, SnapContext, SNAP_HEAD};

/// How a finished op reports (the decoded reply, or the errno that ended
/// it): a closure, or a RADOS reply callback with the ops' codes to read the
/// reply by (the backend's ops, which then need no closure of their own).
pub enum OpDone {
    Raw(Box<dyn FnOnce(std::result::Result<OpReplyMsg, i32>) + Send>),
    Steps(ReplyCallback, OpCodes),
}

impl OpDone {
    pub fn call(self, result: std::result::Result<OpReplyMsg, i32>) {
        match self {
            OpDone::Raw(done) => done(result),
            OpDone::Steps(on_reply, codes) => on_reply(to_reply(codes.as_slice(), result)),
        }
    }
}

/// How a notify reports: its return code and the encoded replies.
pub type NotifyDone = Box<dyn FnOnce(i32, Vec<u8>) + Send>;

/// One operation to send.
pub struct OsdRequest {
    pub target: ObjectTarget,
    /// PG ops (listing) name their PG seed instead of an object.
    pub pg_seed: Option<u32>,
    pub ops: EncodedOps,
    pub flags: u32,
    pub snap: u64,
    pub snapc: SnapContext,
    pub mtime: (i64, u32),
    /// Run `done` on the connection's reader thread (a synchronous caller waits).
    pub direct: bool,
    pub done: OpDone,
}

impl OsdRequest {
    /// The request's `done`, everything else (its payload above all: a lent
    /// one must be let go before the request ends) dropped first.
    fn into_done(self) -> OpDone {
        self.done
    }

    /// A one-op request at the head, now, for a waiting caller.
    pub fn single(target: ObjectTarget, raw: RawOp, flags: u32, pg_seed: Option<u32>, done: OpDone) -> OsdRequest {
        OsdRequest {
            target,
            pg_seed,
            ops: EncodedOps::new(vec![raw]),
            flags,
            snap: SNAP_HEAD,
            snapc: SnapContext::default(),
            mtime: now(),
            direct: true,
            done,
        }
    }
}

/// Where an op goes under one map.
#[derive(Clone, Debug, PartialEq, Eq)]
struct OpTarget {
    osd: i32,
    /// The pool the op goes to: its own, or a cache tier's (overlay).
    pool: i64,
    pg: PgId,
    hash: u32,
    /// The PG's placement (its acting set: a change is a new interval).
    placement: Arc<super::osdmap::Placement>,
    pg_num: u32,
}

struct InFlight {
    req: OsdRequest,
    target: Option<OpTarget>,
    /// Sends so far (the next send's retry attempt).
    attempts: u32,
    /// The connection it was last sent on.
    sent_on: Option<Weak<Connection>>,
    deadline: Option<Instant>,
}

enum Session {
    Connecting,
    Open(Arc<Connection>),
}

/// A watch or a notify in progress (upstream: a linger op).
struct Linger {
    target: ObjectTarget,
    kind: LingerKind,
}

enum LingerKind {
    Watch {
        handler: Arc<dyn WatchHandler>,
        timeout: u32,
        gen: u32,
        registered: bool,
        /// A re-registration is in flight.
        reconnecting: bool,
        last_error: i32,
        confirmed: Instant,
        /// The OSD the registration went to.
        osd: i32,
    },
    Notify {
        /// The OSD's reply to the notify op: 0, or the error that ended it.
        acked: Option<i32>,
        /// The NOTIFY_COMPLETE event: return code and encoded replies.
        completed: Option<(i32, Vec<u8>)>,
        done: Option<NotifyDone>,
    },
}

struct State {
    map: Option<Arc<OsdMap>>,
    sessions: HashMap<i32, Session>,
    ops: BTreeMap<u64, InFlight>,
    next_tid: u64,
    /// Backoffs in force: (osd, pg) -> backoff ids.
    backoffs: HashMap<(i32, PgId), HashSet<u64>>,
    lingers: BTreeMap<u64, Linger>,
    next_linger: u64,
    shutdown: bool,
    /// Set while `submit` routes: small messages are queued on their
    /// connection (in lock order) and written after the lock is released,
    /// so that a reader with replies does not wait on a socket write.
    defer_sends: bool,
    /// Connections with queued messages, to flush after the lock.
    to_flush: Vec<Arc<Connection>>,
}

/// Largest payload a deferred send copies (larger ones go out under the lock,
/// their buffer moved, not copied).
const DEFERRED_SEND_MAX_DATA: usize = 64 << 10;

use super::finisher::{Finisher, Job, Work};

/// The OSD side of the cluster client.
pub struct Objecter {
    monc: Arc<MonClient>,
    /// Connection modes offered to OSDs (`ms_client_mode`).
    osd_modes: Vec<u32>,
    op_timeout: Option<Duration>,
    state: Mutex<State>,
    map_changed: Condvar,
    finisher: Finisher,
    /// How many maps were decoded whole and how many applied as incrementals.
    maps_full: AtomicU64,
    maps_incremental: AtomicU64,
    me: Weak<Objecter>,
}

/// Linger pings and laggy-op checks run this often.
const TICK: Duration = Duration::from_secs(1);
/// A watch is pinged this often (upstream `objecter_tick_interval` 5 s).
const WATCH_PING: Duration = Duration::from_secs(5);

fn errno_of(e: &Error) -> i32 {
    -e.errno().abs()
}

impl Objecter {
    /// An objecter on `monc`; it subscribes to OSD maps and waits (within
    /// `timeout`) for the first one.
    pub fn start(
        monc: Arc<MonClient>,
        osd_modes: Vec<u32>,
        op_timeout: Option<Duration>,
        timeout: Duration,
    ) -> Result<Arc<Objecter>> {
        let finisher = Finisher::start("cephrs-finisher").map_err(Error::Io)?;
        let o = Arc::new_cyclic(|me| Objecter {
            monc: monc.clone(),
            osd_modes,
            op_timeout,
            state: Mutex::new(State {
                map: None,
                sessions: HashMap::new(),
                ops: BTreeMap::new(),
                next_tid: 1,
                backoffs: HashMap::new(),
                lingers: BTreeMap::new(),
                next_linger: 1,
                shutdown: false,
                defer_sends: false,
                to_flush: Vec::new(),
            }),
            map_changed: Condvar::new(),
            finisher,
            maps_full: AtomicU64::new(0),
            maps_incremental: AtomicU64::new(0),
            me: me.clone(),
        });
        let sink: Arc<dyn OsdMapSink> = o.clone();
        monc.set_osdmap_sink(Arc::downgrade(&sink));
        monc.want_osdmap(0)?;
        o.wait_for_map(0, timeout)?;
        o.start_ticker();
        Ok(o)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current OSD map (after `start`, always present).
    pub fn map(&self) -> Result<Arc<OsdMap>> {
        self.lock().map.clone().ok_or(Error::NotConnected)
    }

    /// Waits until the map's epoch is past `epoch`.
    pub fn wait_for_map(&self, epoch: u32, timeout: Duration) -> Result<Arc<OsdMap>> {
        let deadline = Instant::now() + timeout;
        let mut st = self.lock();
        loop {
            if let Some(m) = &st.map {
                if m.epoch > epoch {
                    return Ok(m.clone());
                }
            }
            if st.shutdown {
                return Err(Error::NotConnected);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::TimedOut(format!("waiting for an OSD map newer than {epoch}")));
            }
            st = self.map_changed.wait_timeout(st, left).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Asks the monitors for the newest map and waits for it.
    pub fn wait_for_latest_map(&self, timeout: Duration) -> Result<()> {
        let (r, _, out) =
            self.monc.command(&[r#"{"prefix": "osd dump", "format": "json"}"#.into()], &[], Some(timeout))?;
        if r < 0 {
            return Err(Error::remote(r, "osd dump"));
        }
        let dump = Json::parse(&String::from_utf8_lossy(&out))?;
        let epoch = dump.get("epoch").and_then(Json::as_u64).unwrap_or(0) as u32;
        if self.map()?.epoch >= epoch {
            return Ok(());
        }
        self.request_newer_map()?;
        self.wait_for_map(epoch.saturating_sub(1), timeout).map(|_| ())
    }

    fn finish(&self, job: Job) {
        self.finisher.queue(job);
    }

    /// `finish`, but on a reader thread with the other replies of its read
    /// (handed over in `read_done`).
    fn finish_after_read(&self, job: Work) {
        let mut job = Some(job);
        READ_BATCH.with(|b| {
            let mut b = b.borrow_mut();
            if b.open {
                b.jobs.extend(job.take());
            }
        });
        if let Some(job) = job {
            self.finisher.queue_work(job);
        }
    }

    /// Runs `job` after every callback queued so far.
    pub fn flush_callbacks(&self) {
        let (tx, rx) = mpsc::channel();
        self.finish(Box::new(move || {
            let _ = tx.send(());
        }));
        let _ = rx.recv();
    }

    /// Runs `job` on the finisher thread (callbacks never run inside `submit`).
    pub fn defer(&self, job: Job) {
        self.finish(job);
    }

    /// Hands an op its result: directly for a waiting synchronous caller, else
    /// on the finisher thread.
    fn deliver(&self, mut req: OsdRequest, result: std::result::Result<OpReplyMsg, i32>) {
        // the payload is sent for good: a large one goes back for the next write
        // (a lent payload is let go before its request hears of the end)
        if let Some(data) = std::mem::take(&mut req.ops.data).into_own_buffer() {
            crate::rados::buffer_pool::give(data);
        }
        if req.direct {
            req.done.call(result);
        } else {
            self.finish_after_read(Work::Reply(req.done, result));
        }
    }

    /// Runs one op and waits (up to `wait`, None: as long as the op lives)
    /// for its reply; the reply's own result is the caller's to read.
    pub fn call(
        &self,
        target: ObjectTarget,
        raw: RawOp,
        flags: u32,
        pg_seed: Option<u32>,
        wait: Option<Duration>,
    ) -> Result<OpReplyMsg> {
        let (tx, rx) = mpsc::channel();
        self.submit(OsdRequest::single(
            target,
            raw,
            flags,
            pg_seed,
            OpDone::Raw(Box::new(move |r| {
                let _ = tx.send(r);
            })),
        ));
        let r = match wait {
            Some(t) => rx.recv_timeout(t).map_err(|_| Error::TimedOut("osd op".into()))?,
            None => rx.recv().map_err(|_| Error::NotConnected)?,
        };
        r.map_err(|errno| Error::remote(errno, "osd op"))
    }

    /// Submits an op; `done` runs once with its reply, never inside this call.
    pub fn submit(&self, req: OsdRequest) -> u64 {
        let mut st = self.lock();
        if st.shutdown {
            drop(st);
            let done = req.into_done();
            self.finish(Box::new(move || done.call(Err(-libc::ENOTCONN))));
            return 0;
        }
        let tid = st.next_tid;
        st.next_tid += 1;
        let deadline = self.op_timeout.map(|t| Instant::now() + t);
        st.ops.insert(tid, InFlight { req, target: None, attempts: 0, sent_on: None, deadline });
        st.defer_sends = true;
        let failed = self.route(&mut st, tid);
        st.defer_sends = false;
        // one op goes to one connection: the list keeps its room for the next submit
        let flush: Vec<_> = if st.to_flush.len() > 1 { std::mem::take(&mut st.to_flush) } else { Vec::new() };
        let first = st.to_flush.pop();
        drop(st);
        for conn in first.into_iter().chain(flush) {
            if let Err(e) = conn.flush() {
                trace!("send to {}: {e}", conn.peer);
            }
        }
        if let Some((req, errno)) = failed {
            let done = req.into_done();
            self.finish(Box::new(move || done.call(Err(errno))));
        }
        tid
    }

    /// Computes an op's target and sends it if its session is open; returns
    /// the op, taken out of the table, when it cannot be placed (pool gone).
    fn route(&self, st: &mut State, tid: u64) -> Option<(OsdRequest, i32)> {
        let map = st.map.clone()?;
        let target = {
            let op = st.ops.get(&tid)?;
            calc_target(&map, &op.req.target, op.req.flags, op.req.pg_seed)
        };
        match target {
            Err(errno) => {
                let op = st.ops.remove(&tid)?;
                Some((op.req, errno))
            }
            Ok(t) => {
                let osd = t.osd;
                if let Some(op) = st.ops.get_mut(&tid) {
                    op.target = Some(t);
                    op.sent_on = None;
                }
                if osd >= 0 {
                    self.send_if_open(st, &map, tid, osd);
                }
                None
            }
        }
    }

    /// Sends op `tid` to `osd` when its session is open (else opens it; the
    /// op goes out when it is).
    fn send_if_open(&self, st: &mut State, map: &OsdMap, tid: u64, osd: i32) {
        let conn = match st.sessions.get(&osd) {
            Some(Session::Open(c)) => c.clone(),
            Some(Session::Connecting) => return,
            None => {
                self.open_session(st, map, osd);
                return;
            }
        };
        let Some(op) = st.ops.get_mut(&tid) else { return };
        let Some(t) = &op.target else { return };
        if st.backoffs.get(&(osd, t.pg)).is_some_and(|b| !b.is_empty()) {
            return;
        }
        let mut m = build_message(tid, op, map.epoch, conn.peer_features);
        op.attempts += 1;
        op.sent_on = Some(Arc::downgrade(&conn));
        if st.defer_sends && m.data.len() <= DEFERRED_SEND_MAX_DATA {
            // the op keeps its payload (for a resend); the queued message,
            // which may outlive the op in the queue of a closed connection,
            // shares it (a copy when lent)
            op.req.ops.data = std::mem::take(&mut m.data);
            m.data = op.req.ops.data.for_queue();
            conn.enqueue(m);
            if !st.to_flush.iter().any(|c| Arc::ptr_eq(c, &conn)) {
                st.to_flush.push(conn);
            }
            return;
        }
        let sent = conn.send(&m);
        op.req.ops.data = std::mem::take(&mut m.data);
        if let Err(e) = sent {
            trace!("send to osd.{osd}: {e}");
        }
    }

    fn open_session(&self, st: &mut State, map: &OsdMap, osd: i32) {
        let Some(addr) = osd_addr(map, osd) else { return };
        st.sessions.insert(osd, Session::Connecting);
        let Some(me) = self.me.upgrade() else { return };
        let identity = self.session_identity();
        let spawned = std::thread::Builder::new()
            .name(format!("cephrs-osd{osd}-connect"))
            .spawn(move || me.connect_session(osd, addr, identity));
        if spawned.is_err() {
            st.sessions.remove(&osd);
        }
    }

    fn connect_session(self: Arc<Self>, osd: i32, addr: EntityAddr, identity: ClientIdentity) {
        let dispatcher: Arc<dyn Dispatcher> = self.clone();
        match Connection::open_addr(addr, EntityType::Osd, &identity, Duration::from_secs(10), dispatcher) {
            Ok(conn) => {
                let mut st = self.lock();
                if st.shutdown {
                    conn.close();
                    return;
                }
                st.sessions.insert(osd, Session::Open(conn));
                let Some(map) = st.map.clone() else { return };
                let waiting: Vec<u64> = st
                    .ops
                    .iter()
                    .filter(|(_, op)| op.target.as_ref().is_some_and(|t| t.osd == osd) && op.sent_on.is_none())
                    .map(|(tid, _)| *tid)
                    .collect();
                for tid in waiting {
                    self.send_if_open(&mut st, &map, tid, osd);
                }
                let lingers: Vec<u64> = st.lingers.keys().copied().collect();
                drop(st);
                for id in lingers {
                    self.relink_watch(id, osd);
                }
            }
            Err(e) => {
                trace!("connect to osd.{osd} at {addr}: {e}");
                self.lock().sessions.remove(&osd);
                // the OSD may be down: ask for a newer map, then retry what still targets it
                let _ = self.request_newer_map();
                std::thread::sleep(Duration::from_millis(500));
                let mut st = self.lock();
                if st.shutdown || st.sessions.contains_key(&osd) {
                    return;
                }
                let wanted = st.ops.values().any(|op| op.target.as_ref().is_some_and(|t| t.osd == osd));
                if wanted {
                    if let Some(map) = st.map.clone() {
                        self.open_session(&mut st, &map, osd);
                    }
                }
            }
        }
    }

    /// Installs a new map and resends what it moved.
    fn install_map(&self, map: OsdMap) {
        let map = Arc::new(map);
        let mut failed = Vec::new();
        let mut relink = Vec::new();
        {
            let mut st = self.lock();
            if st.map.as_ref().is_some_and(|m| m.epoch >= map.epoch) {
                return;
            }
            trace!("osd map epoch {}", map.epoch);
            st.map = Some(map.clone());
            // sessions to OSDs that went down or moved
            let stale: Vec<i32> = st
                .sessions
                .iter()
                .filter(|(osd, s)| match s {
                    Session::Open(c) => osd_addr(&map, **osd).and_then(|a| a.addr) != Some(c.peer),
                    Session::Connecting => false,
                })
                .map(|(osd, _)| *osd)
                .collect();
            for osd in &stale {
                if let Some(Session::Open(c)) = st.sessions.remove(osd) {
                    c.close();
                }
            }
            let tids: Vec<u64> = st.ops.keys().copied().collect();
            for tid in tids {
                let Some(op) = st.ops.get(&tid) else { continue };
                let new = calc_target(&map, &op.req.target, op.req.flags, op.req.pg_seed);
                let moved = match (&new, &op.target) {
                    (Ok(n), Some(old)) => n != old || stale.contains(&n.osd) || op.sent_on.is_none(),
                    _ => true,
                };
                if moved {
                    if let Some(f) = self.route(&mut st, tid) {
                        failed.push(f);
                    }
                }
            }
            for (id, l) in &st.lingers {
                if let LingerKind::Watch { osd, registered: true, .. } = &l.kind {
                    let now = calc_target(&map, &l.target, flag::WRITE, None).map(|t| t.osd).unwrap_or(-1);
                    if now != *osd || stale.contains(osd) {
                        relink.push(*id);
                    }
                }
            }
        }
        self.monc.have_osdmap(map.epoch);
        self.map_changed.notify_all();
        for (req, errno) in failed {
            self.deliver(req, Err(errno));
        }
        for id in relink {
            self.reregister_watch(id);
        }
    }

    /// Follows the maps an MOSDMap carries: from the epoch after ours, each
    /// full map is decoded and each incremental applied to the one before;
    /// when the message starts past our epoch, its newest full map is the
    /// base. A gap asks the monitor for the maps after the newest we have.
    fn handle_map_message(&self, front: &[u8]) -> Result<()> {
        let m = MapMessage::decode(front)?;
        let current = self.lock().map.clone();
        let have = current.as_ref().map_or(0, |m| m.epoch);
        let newest = m.full.keys().chain(m.incremental.keys()).copied().max().unwrap_or(0);
        if newest <= have {
            return Ok(());
        }
        let mut built: Option<OsdMap> = None;
        let mut epoch = have;
        let mut rebased = false;
        loop {
            let next = epoch + 1;
            if let Some(full) = m.full.get(&next) {
                built = Some(OsdMap::decode(full)?);
                self.maps_full.fetch_add(1, Ordering::Relaxed);
            } else if let (Some(inc), Some(base)) = (m.incremental.get(&next), built.as_ref().or(current.as_deref())) {
                built = Some(base.apply(&Incremental::decode(inc)?)?);
                self.maps_incremental.fetch_add(1, Ordering::Relaxed);
            } else if !rebased {
                // not contiguous with ours: start again from the message's newest full map
                rebased = true;
                match m.full.range(next..).next_back() {
                    Some((&e, full)) => {
                        built = Some(OsdMap::decode(full)?);
                        self.maps_full.fetch_add(1, Ordering::Relaxed);
                        epoch = e;
                    }
                    None => break,
                }
                continue;
            } else {
                break;
            }
            epoch = next;
        }
        if let Some(map) = built {
            self.install_map(map);
        }
        if epoch < newest {
            trace!("osd maps {have}..{newest} arrived with a gap after {epoch}; asking for the rest");
            self.monc.want_osdmap(if epoch == 0 { 0 } else { epoch + 1 })?;
        }
        Ok(())
    }

    /// Who we are to OSDs and managers: our identity with the modes of
    /// `ms_client_mode`.
    pub fn session_identity(&self) -> ClientIdentity {
        let mut identity = self.monc.identity();
        identity.modes = self.osd_modes.clone();
        identity
    }

    /// How many OSD maps were decoded whole and how many were applied as
    /// incrementals since the start.
    pub fn map_counts(&self) -> (u64, u64) {
        (self.maps_full.load(Ordering::Relaxed), self.maps_incremental.load(Ordering::Relaxed))
    }

    /// Asks the monitors for the maps after ours (none are sent until one exists).
    pub fn request_newer_map(&self) -> Result<()> {
        let have = self.lock().map.as_ref().map_or(0, |m| m.epoch);
        self.monc.want_osdmap(if have == 0 { 0 } else { have + 1 })
    }

    fn handle_reply(&self, conn: &Arc<Connection>, m: Message) -> Result<()> {
        let reply = decode_osd_op_reply(m.version, &m.front, m.data.into_vec())?;
        let mut st = self.lock();
        let Some(op) = st.ops.get(&m.tid) else { return Ok(()) };
        let on_this = op.sent_on.as_ref().and_then(Weak::upgrade).is_some_and(|c| Arc::ptr_eq(&c, conn));
        if !on_this || (reply.retry_attempt >= 0 && reply.retry_attempt as u32 + 1 != op.attempts) {
            return Ok(()); // a reply to an earlier send
        }
        if let Some((pool, key)) = &reply.redirect {
            let op = st.ops.get_mut(&m.tid).expect("present");
            op.req.target.locator.pool = *pool;
            if !key.is_empty() {
                op.req.target.locator.key = key.clone();
            }
            // as upstream: a redirected op goes where it was sent, not to a tier
            op.req.flags |= flag::REDIRECTED | flag::IGNORE_CACHE | flag::IGNORE_OVERLAY;
            let failed = self.route(&mut st, m.tid);
            drop(st);
            if let Some((req, errno)) = failed {
                self.deliver(req, Err(errno));
            }
            return Ok(());
        }
        let op = st.ops.remove(&m.tid).expect("present");
        drop(st);
        if reply.result < 0 {
            trace!(
                "op {} on {:?}: {} ({} ops, rvals {:?})",
                m.tid,
                String::from_utf8_lossy(&op.req.target.name),
                reply.result,
                op.req.ops.count,
                reply.rvals
            );
        }
        self.deliver(op.req, Ok(reply));
        Ok(())
    }

    fn handle_backoff(&self, conn: &Arc<Connection>, front: &[u8]) -> Result<()> {
        let b = Backoff::decode(front)?;
        let mut st = self.lock();
        let Some(osd) = session_osd(&st, conn) else { return Ok(()) };
        match b.op {
            backoff_op::BLOCK => {
                st.backoffs.entry((osd, b.pg)).or_default().insert(b.id);
                let ack = Backoff { op: backoff_op::ACK_BLOCK, epoch: st.map.as_ref().map_or(0, |m| m.epoch), ..b };
                drop(st);
                conn.send(&Message::new(msg::OSD_BACKOFF, 1, 1, ack.encode()))?;
            }
            backoff_op::UNBLOCK => {
                let clear = st.backoffs.get_mut(&(osd, b.pg)).is_some_and(|ids| {
                    ids.remove(&b.id);
                    ids.is_empty()
                });
                if clear {
                    st.backoffs.remove(&(osd, b.pg));
                    let Some(map) = st.map.clone() else { return Ok(()) };
                    let tids: Vec<u64> = st
                        .ops
                        .iter()
                        .filter(|(_, op)| op.target.as_ref().is_some_and(|t| t.osd == osd && t.pg == b.pg))
                        .map(|(t, _)| *t)
                        .collect();
                    for tid in tids {
                        self.send_if_open(&mut st, &map, tid, osd);
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn session_lost(&self, conn: &Arc<Connection>) {
        let mut st = self.lock();
        let Some(osd) = session_osd(&st, conn) else { return };
        st.sessions.remove(&osd);
        st.backoffs.retain(|(o, _), _| *o != osd);
        if st.shutdown {
            return;
        }
        trace!("session to osd.{osd} lost; resending its ops");
        for op in st.ops.values_mut() {
            if op.target.as_ref().is_some_and(|t| t.osd == osd) {
                op.sent_on = None;
            }
        }
        let wanted = st.ops.values().any(|op| op.target.as_ref().is_some_and(|t| t.osd == osd))
            || st.lingers.values().any(|l| matches!(l.kind, LingerKind::Watch { osd: o, .. } if o == osd));
        if wanted {
            if let Some(map) = st.map.clone() {
                self.open_session(&mut st, &map, osd);
            }
        }
    }

    // ---- watch / notify

    /// Registers a watch; returns its cookie.
    pub fn watch(
        &self,
        target: &ObjectTarget,
        timeout: u32,
        handler: Arc<dyn WatchHandler>,
        wait: Duration,
    ) -> Result<u64> {
        let id = self.add_linger(
            target,
            LingerKind::Watch {
                handler,
                timeout,
                gen: 0,
                registered: false,
                reconnecting: false,
                last_error: 0,
                confirmed: Instant::now(),
                osd: -1,
            },
        );
        let r = self.watch_op(id, super::osd_wire::watch_op::WATCH, 0, timeout, wait);
        let mut st = self.lock();
        let map = st.map.clone();
        match r {
            Ok(()) => {
                if let Some(Linger { kind: LingerKind::Watch { registered, confirmed, osd, .. }, target }) =
                    st.lingers.get_mut(&id)
                {
                    *registered = true;
                    *confirmed = Instant::now();
                    *osd =
                        map.as_ref().and_then(|m| calc_target(m, target, flag::WRITE, None).ok()).map_or(-1, |t| t.osd);
                }
                Ok(id)
            }
            Err(e) => {
                st.lingers.remove(&id);
                Err(e)
            }
        }
    }

    /// Runs one watch op (register, reconnect, ping, unwatch) and waits for it.
    fn watch_op(&self, id: u64, op: u8, gen: u32, timeout: u32, wait: Duration) -> Result<()> {
        let target = self.lock().lingers.get(&id).map(|l| l.target.clone()).ok_or(Error::NotFound("watch".into()))?;
        let flags = if op == super::osd_wire::watch_op::PING { flag::READ } else { flag::WRITE | flag::ONDISK };
        let reply = self.call(target, RawOp::watch(id, op, gen, timeout), flags, None, Some(wait))?;
        if reply.result < 0 {
            return Err(Error::remote(reply.result, "watch"));
        }
        Ok(())
    }

    /// Registers a linger op; returns its id (the cookie on the wire).
    fn add_linger(&self, target: &ObjectTarget, kind: LingerKind) -> u64 {
        let mut st = self.lock();
        let id = st.next_linger;
        st.next_linger += 1;
        st.lingers.insert(id, Linger { target: target.clone(), kind });
        id
    }

    /// Re-registers a watch after its session or placement changed
    /// (RECONNECT with the next generation); failure reaches its handler.
    fn reregister_watch(&self, id: u64) {
        let Some(me) = self.me.upgrade() else { return };
        let (gen, timeout) = {
            let mut st = self.lock();
            let Some(Linger { kind: LingerKind::Watch { gen, timeout, reconnecting, .. }, .. }) =
                st.lingers.get_mut(&id)
            else {
                return;
            };
            if *reconnecting {
                return;
            }
            *gen += 1;
            *reconnecting = true;
            (*gen, *timeout)
        };
        std::thread::spawn(move || {
            let r = me.watch_op(id, super::osd_wire::watch_op::RECONNECT, gen, timeout, Duration::from_secs(30));
            me.watch_result(id, r);
        });
    }

    fn relink_watch(&self, id: u64, osd: i32) {
        let lost = {
            let st = self.lock();
            matches!(st.lingers.get(&id), Some(Linger { kind: LingerKind::Watch { osd: o, registered: true, .. }, .. }) if *o == osd)
        };
        if lost {
            self.reregister_watch(id);
        }
    }

    /// Records a watch op's outcome; errors go to the watch's handler.
    fn watch_result(&self, id: u64, r: Result<()>) {
        let handler = {
            let mut st = self.lock();
            let map = st.map.clone();
            let Some(Linger {
                kind: LingerKind::Watch { handler, reconnecting, last_error, confirmed, osd, .. },
                target,
            }) = st.lingers.get_mut(&id)
            else {
                return;
            };
            *reconnecting = false;
            match &r {
                Ok(()) => {
                    *confirmed = Instant::now();
                    if let Some(m) = map {
                        *osd = calc_target(&m, target, flag::WRITE, None).map_or(-1, |t| t.osd);
                    }
                    return;
                }
                Err(e) => {
                    if *last_error != 0 {
                        return;
                    }
                    *last_error = errno_of(e);
                    handler.clone()
                }
            }
        };
        let err = r.err().map_or(-libc::ENOTCONN, |e| errno_of(&e));
        self.finish(Box::new(move || handler.error(id, err)));
    }

    pub fn unwatch(&self, cookie: u64, wait: Duration) -> Result<()> {
        if !self.lock().lingers.contains_key(&cookie) {
            return Err(Error::NotFound(format!("watch {cookie}")));
        }
        let r = self.watch_op(cookie, super::osd_wire::watch_op::UNWATCH, 0, 0, wait);
        self.lock().lingers.remove(&cookie);
        r
    }

    /// Milliseconds since the watch was last confirmed, or its error.
    pub fn watch_check(&self, cookie: u64) -> Result<u64> {
        let st = self.lock();
        match st.lingers.get(&cookie) {
            Some(Linger { kind: LingerKind::Watch { last_error, confirmed, .. }, .. }) => {
                if *last_error != 0 {
                    Err(Error::remote(*last_error, "watch"))
                } else {
                    Ok(confirmed.elapsed().as_millis() as u64)
                }
            }
            _ => Err(Error::NotFound(format!("watch {cookie}"))),
        }
    }

    /// Sends a notify; `done` gets the return code and the encoded replies.
    pub fn notify(&self, target: &ObjectTarget, payload: &[u8], timeout_secs: u32, done: NotifyDone) {
        let id = self.add_linger(target, LingerKind::Notify { acked: None, completed: None, done: Some(done) });
        let me = self.me.clone();
        self.submit(OsdRequest::single(
            target.clone(),
            RawOp::notify(id, payload, timeout_secs),
            flag::READ,
            None,
            OpDone::Raw(Box::new(move |r| {
                let result = match r {
                    Ok(reply) => reply.result,
                    Err(errno) => errno,
                };
                if let Some(o) = me.upgrade() {
                    o.notify_progress(id, Some(result), None);
                }
            })),
        ));
    }

    fn notify_progress(&self, id: u64, acked: Option<i32>, completed: Option<(i32, Vec<u8>)>) {
        let ready = {
            let mut st = self.lock();
            let Some(Linger { kind: LingerKind::Notify { acked: a, completed: c, done }, .. }) =
                st.lingers.get_mut(&id)
            else {
                return;
            };
            if acked.is_some() {
                *a = acked;
            }
            if completed.is_some() {
                *c = completed;
            }
            let finished = match (*a, &*c) {
                (Some(r), _) if r < 0 => Some((r, Vec::new())),
                (Some(_), Some((r, bl))) => Some((*r, bl.clone())),
                _ => None,
            };
            match finished {
                Some(res) => done.take().map(|d| (d, res)),
                None => None,
            }
        };
        if let Some((done, (r, bl))) = ready {
            self.lock().lingers.remove(&id);
            self.finish(Box::new(move || done(r, bl)));
        }
    }

    fn handle_watch_notify(&self, m: &Message) -> Result<()> {
        let n = WatchNotify::decode(m.version, &m.front)?;
        match n.opcode {
            watch_event::NOTIFY => {
                let handler = match self.lock().lingers.get(&n.cookie) {
                    Some(Linger { kind: LingerKind::Watch { handler, .. }, .. }) => handler.clone(),
                    _ => return Ok(()),
                };
                self.finish(Box::new(move || handler.notify(n.notify_id, n.cookie, n.notifier_gid, &n.payload)));
            }
            // the replies travel in the data segment (upstream reads get_data())
            watch_event::NOTIFY_COMPLETE => {
                self.notify_progress(n.cookie, None, Some((n.return_code, m.data.to_vec())))
            }
            watch_event::DISCONNECT => self.watch_result(n.cookie, Err(Error::NotConnected)),
            _ => {}
        }
        Ok(())
    }

    // ---- ticks

    fn start_ticker(&self) {
        let me = self.me.clone();
        let _ = std::thread::Builder::new().name("cephrs-objecter-tick".into()).spawn(move || {
            let mut last_ping = Instant::now();
            loop {
                std::thread::sleep(TICK);
                let Some(o) = me.upgrade() else { return };
                if o.lock().shutdown {
                    return;
                }
                o.expire_ops();
                if last_ping.elapsed() >= WATCH_PING {
                    last_ping = Instant::now();
                    o.ping_watches();
                }
            }
        });
    }

    fn expire_ops(&self) {
        let now = Instant::now();
        let expired: Vec<OpDone> = {
            let mut st = self.lock();
            let tids: Vec<u64> =
                st.ops.iter().filter(|(_, op)| op.deadline.is_some_and(|d| d <= now)).map(|(t, _)| *t).collect();
            tids.into_iter().filter_map(|t| st.ops.remove(&t)).map(|op| op.req.into_done()).collect()
        };
        for done in expired {
            self.finish(Box::new(move || done.call(Err(-libc::ETIMEDOUT))));
        }
    }

    fn ping_watches(&self) {
        let watches: Vec<(u64, u32)> = {
            let st = self.lock();
            st.lingers
                .iter()
                .filter_map(|(id, l)| match &l.kind {
                    LingerKind::Watch { registered: true, reconnecting: false, last_error: 0, gen, .. } => {
                        Some((*id, *gen))
                    }
                    _ => None,
                })
                .collect()
        };
        for (id, gen) in watches {
            let Some(me) = self.me.upgrade() else { return };
            std::thread::spawn(move || {
                let r = me.watch_op(id, super::osd_wire::watch_op::PING, gen, 0, Duration::from_secs(30));
                me.watch_result(id, r);
            });
        }
    }

    /// Fails every op and closes every session.
    pub fn shutdown(&self) {
        let (ops, sessions) = {
            let mut st = self.lock();
            st.shutdown = true;
            st.lingers.clear();
            (std::mem::take(&mut st.ops), std::mem::take(&mut st.sessions))
        };
        for (_, s) in sessions {
            if let Session::Open(c) = s {
                c.close();
            }
        }
        for (_, op) in ops {
            op.req.into_done().call(Err(-libc::ENOTCONN));
        }
        self.map_changed.notify_all();
    }
}

impl OsdMapSink for Objecter {
    fn osd_map(&self, front: &[u8]) {
        if let Err(e) = self.handle_map_message(front) {
            trace!("osd map not understood: {e}");
        }
    }
}

/// The replies a reader thread delivers while it works through one read from
/// its socket (several, under load), handed to the finisher together when the
/// read is done: one hand-over and at most one wake-up for all of them.
#[derive(Default)]
struct ReadBatch {
    /// Between a read's first message and its `read_done`.
    open: bool,
    jobs: Vec<Work>,
}

thread_local! {
    static READ_BATCH: std::cell::RefCell<ReadBatch> = std::cell::RefCell::new(ReadBatch::default());
}

impl Dispatcher for Objecter {
    fn message(&self, conn: &Arc<Connection>, m: Message) {
        READ_BATCH.with(|b| b.borrow_mut().open = true);
        let r = match m.kind {
            msg::OSD_OPREPLY => self.handle_reply(conn, m),
            mon_msg::OSD_MAP => self.handle_map_message(&m.front),
            msg::OSD_BACKOFF => self.handle_backoff(conn, &m.front),
            msg::WATCH_NOTIFY => self.handle_watch_notify(&m),
            _ => Ok(()),
        };
        if let Err(e) = r {
            trace!("osd message not understood: {e}");
        }
    }

    fn read_done(&self) {
        READ_BATCH.with(|b| {
            let mut b = b.borrow_mut();
            b.open = false;
            self.finisher.queue_all(&mut b.jobs);
        });
    }

    fn fault(&self, conn: &Arc<Connection>, err: &Error) {
        trace!("osd connection to {}: {err}", conn.peer);
        self.session_lost(conn);
    }
}

fn session_osd(st: &State, conn: &Arc<Connection>) -> Option<i32> {
    st.sessions.iter().find_map(|(osd, s)| match s {
        Session::Open(c) if Arc::ptr_eq(c, conn) => Some(*osd),
        _ => None,
    })
}

/// The OSD's msgr2 address.
fn osd_addr(map: &OsdMap, osd: i32) -> Option<EntityAddr> {
    let addrs = map.osd_addrs.get(usize::try_from(osd).ok()?)?;
    addrs.iter().find(|a| a.kind == EntityAddr::TYPE_MSGR2 && a.addr.is_some()).copied()
}

/// Where an op goes: ENOENT when its pool (or its overlay tier) is gone.
/// Without `IGNORE_OVERLAY`, reads go to the pool's read tier and writes to
/// its write tier, as upstream's `_calc_target` applies cache tiering (PG
/// ops, with `pg_seed`, go to the pool named: upstream sends them with
/// `IGNORE_OVERLAY`).
fn calc_target(
    map: &OsdMap,
    target: &ObjectTarget,
    flags: u32,
    pg_seed: Option<u32>,
) -> std::result::Result<OpTarget, i32> {
    let mut pool = map.pools.get(&target.locator.pool).ok_or(-libc::ENOENT)?;
    if flags & flag::IGNORE_OVERLAY == 0 && pg_seed.is_none() {
        let mut tier = pool.id;
        if flags & flag::READ != 0 && pool.read_tier >= 0 {
            tier = pool.read_tier;
        }
        if flags & flag::WRITE != 0 && pool.write_tier >= 0 {
            tier = pool.write_tier;
        }
        if tier != pool.id {
            pool = map.pools.get(&tier).ok_or(-libc::ENOENT)?;
        }
    }
    let raw = match pg_seed {
        Some(seed) => PgId { pool: pool.id, seed },
        None => map.object_pg(pool, &target.name, &target.locator.key, &target.locator.namespace),
    };
    let p = map.placement(raw).map_err(|e| errno_of(&e))?;
    Ok(OpTarget { osd: p.acting_primary, pool: pool.id, pg: p.pg, hash: raw.seed, placement: p, pg_num: pool.pg_num })
}

fn build_message(tid: u64, op: &mut InFlight, epoch: u32, peer_features: u64) -> Message {
    let t = op.target.as_ref().expect("routed");
    let mut flags = op.req.flags | flag::KNOWN_REDIR;
    if op.attempts > 0 {
        flags |= flag::RETRY;
    }
    let tiered;
    let target = if t.pool == op.req.target.locator.pool {
        &op.req.target
    } else {
        let mut o = op.req.target.clone();
        o.locator.pool = t.pool;
        tiered = o;
        &tiered
    };
    let h = OpHeader {
        pg: t.pg,
        hash: t.hash,
        epoch,
        flags,
        mtime: op.req.mtime,
        target,
        snap: op.req.snap,
        snapc: &op.req.snapc,
        attempt: op.attempts,
        features: CLIENT_FEATURES & peer_features,
    };
    let front = encode_osd_op(&h, &op.req.ops);
    let mut m = Message::new(msg::OSD_OP, 8, 3, front);
    m.tid = tid;
    m.data = std::mem::take(&mut op.req.ops.data);
    m
}

/// The current time as (seconds, nanoseconds).
pub fn now() -> (i64, u32) {
    let t = crate::denc::UTime::now();
    (i64::from(t.sec), t.nsec)
}
