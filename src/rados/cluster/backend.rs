//! `ClusterBackend`: the RADOS `Backend` on a Ceph cluster. Object operations
//! go through the Objecter; pools, pool snapshots and self-managed snapshots
//! through pool ops (MPoolOp) as upstream librados sends them; application
//! metadata and statistics through monitor commands.

use std::sync::Arc;
use std::time::Duration;

use super::cluster_log::LogDelivery;
use super::connection::ClientIdentity;
use super::handshake::{Credentials, CON_MODE_CRC, CON_MODE_SECURE};
use super::json::Json;
use super::mgr_session::MgrSession;
use super::monclient::{parse_mon_host, MonClient};
use super::objecter::{now, Objecter, OpDone, OsdRequest};
use super::osd_wire::{
    code, decode_pgnls, decode_step_output, encode_step, encode_step_owned, flag, request_flags, EncodedOps, HObject,
    OpCodes, RawOp,
};
use super::osdmap::{PgId, Pool};
use crate::config::{Config, EntityType};
use crate::error::{Error, Result};
use crate::rados::backend::{
    Backend, ClusterLogCallback, CommandTarget, ListCursor, ListEntry, NotifyReplyCallback, OpRequest, PoolInfo,
    PoolSnap, WatchHandler,
};
use crate::rados::object::{ClusterStats, ObjectTarget, PoolStats, WatcherInfo, SNAP_DIR, SNAP_HEAD};
use crate::rados::op::{OpReply, OpStep, StepOutput};

/// `pg_pool_t` flags.
const FLAG_SELFMANAGED_SNAPS: u64 = 1 << 13;
/// MPoolOp operations.
mod pool_op {
    pub const CREATE: u32 = 0x01;
    pub const DELETE: u32 = 0x02;
    pub const CREATE_SNAP: u32 = 0x11;
    pub const DELETE_SNAP: u32 = 0x12;
    pub const CREATE_UNMANAGED_SNAP: u32 = 0x21;
    pub const DELETE_UNMANAGED_SNAP: u32 = 0x22;
}
/// The namespace that lists every namespace (`LIBRADOS_ALL_NSPACES`).
const ALL_NAMESPACES: &[u8] = b"\x01";

/// A connected cluster client.
pub struct ClusterBackend {
    monc: Arc<MonClient>,
    objecter: Arc<Objecter>,
    timeout: Duration,
    ping_timeout: Duration,
    mgr: Arc<MgrSession>,
    log_delivery: std::sync::Mutex<Option<LogDelivery>>,
}

fn modes(value: &str) -> Result<Vec<u32>> {
    let mut out = Vec::new();
    for m in value.split([',', ' ', ';']).filter(|s| !s.is_empty()) {
        out.push(match m {
            "crc" => CON_MODE_CRC,
            "secure" => CON_MODE_SECURE,
            other => return Err(Error::InvalidArgument(format!("unknown connection mode {other}"))),
        });
    }
    if out.is_empty() {
        out.push(CON_MODE_CRC);
    }
    Ok(out)
}

/// Who this client is to the monitors, from the configuration: its
/// credentials (cephx with the key found as upstream finds it, or none) and
/// the connection modes of `ms_mon_client_mode` (else `ms_client_mode`).
pub fn client_identity(config: &Config) -> Result<ClientIdentity> {
    let auth = config.get_str("auth_client_required");
    let credentials = if auth.split([',', ' ', ';']).any(|a| a == "cephx") {
        let key = super::crypto::CryptoKey::from_base64(&crate::config::find_secret(config)?)?;
        Credentials::Cephx(Arc::new(std::sync::Mutex::new(super::cephx::CephxClient::new(config.name().clone(), key))))
    } else {
        Credentials::None(config.name().clone())
    };
    let mut client_mode = config.get_str("ms_mon_client_mode");
    if client_mode.is_empty() {
        client_mode = config.get_str("ms_client_mode");
    }
    Ok(ClientIdentity {
        credentials,
        modes: modes(&client_mode)?,
        nonce: super::crypto::random_u64() as u32,
        global_id: 0,
    })
}

impl ClusterBackend {
    /// Connects to the monitors of `mon_host` as the configuration says, then
    /// waits for the first OSD map.
    pub fn connect(config: &Config) -> Result<Arc<ClusterBackend>> {
        let mons = parse_mon_host(&config.get_str("mon_host"))?;
        let timeout = Duration::from_secs(config.get_u64("client_mount_timeout").max(1));
        let op_timeout = match config.get_u64("rados_osd_op_timeout") {
            0 => None,
            s => Some(Duration::from_secs(s)),
        };
        let identity = client_identity(config)?;
        let osd_modes = modes(&config.get_str("ms_client_mode"))?;
        let monc = MonClient::connect(mons, identity, timeout)?;
        let objecter = match Objecter::start(monc.clone(), osd_modes, op_timeout, timeout) {
            Ok(o) => o,
            Err(e) => {
                monc.shutdown();
                return Err(e);
            }
        };
        let session_objecter = Arc::downgrade(&objecter);
        let session_monc = monc.clone();
        let identity_source: super::mgr_session::IdentitySource = Box::new(move || match session_objecter.upgrade() {
            Some(o) => o.session_identity(),
            None => session_monc.identity(),
        });
        let mgr =
            MgrSession::new(monc.clone(), identity_source, Duration::from_secs(config.get_u64("mgr_stats_period")));
        Ok(Arc::new(ClusterBackend {
            monc,
            objecter,
            timeout,
            ping_timeout: super::mon_ping::ping_timeout(config),
            mgr,
            log_delivery: std::sync::Mutex::new(None),
        }))
    }

    fn pool(&self, id: i64) -> Result<Pool> {
        self.objecter
            .map()?
            .pools
            .get(&id)
            .cloned()
            .ok_or_else(|| Error::remote(-libc::ENOENT, format!("no pool {id}")))
    }

    fn command(&self, cmd: String) -> Result<(String, Vec<u8>)> {
        let (r, rs, out) =
            self.monc.command(std::slice::from_ref(&cmd), &[], Some(self.timeout.max(Duration::from_secs(60))))?;
        if r < 0 {
            return Err(Error::remote(r, format!("{cmd}: {rs}")));
        }
        Ok((rs, out))
    }

    fn command_json(&self, cmd: String) -> Result<Json> {
        let (_, out) = self.command(cmd)?;
        Json::parse(&String::from_utf8_lossy(&out))
    }

    /// Runs a pool op and waits for the map that carries its effect.
    fn pool_op(&self, op: u32, pool: i64, name: &str, snap: u64, crush_rule: i16) -> Result<Vec<u8>> {
        let (r, epoch, data) = self.monc.pool_op(op, pool as u32, name, snap, crush_rule)?;
        trace!("pool op {op:#x} {name}: r={r} epoch {epoch} (have {})", self.objecter.map()?.epoch);
        if r != 0 {
            return Err(Error::remote(r, format!("pool op {op:#x} on {name}")));
        }
        if self.objecter.map()?.epoch < epoch {
            self.objecter.request_newer_map()?;
            self.objecter.wait_for_map(epoch - 1, self.timeout.max(Duration::from_secs(30)))?;
        }
        Ok(data)
    }

    /// Runs one raw op on an object (or a PG) and waits for its result and output.
    fn run_raw(&self, target: &ObjectTarget, raw: RawOp, flags: u32, pg_seed: Option<u32>) -> Result<(i32, Vec<u8>)> {
        let mut reply = self.objecter.call(target.clone(), raw, flags, pg_seed, None)?;
        Ok((reply.result, reply.outdata.pop().unwrap_or_default()))
    }
}

impl Backend for ClusterBackend {
    fn submit(&self, req: OpRequest) {
        let OpRequest { target, op, read_snap, snapc, mtime, on_reply, direct } = req;
        let steps = &op.steps;
        let writes = op.has_writes();
        if writes && read_snap != SNAP_HEAD {
            // as upstream's IoCtx: writes while reading from a snapshot are
            // refused (reported later, as every reply: never inside submit)
            let n = op.steps.len();
            drop(op);
            self.objecter.defer(Box::new(move || on_reply(OpReply::failed(libc::EROFS, n))));
            return;
        }
        let list_snaps = steps.iter().any(|s| matches!(s.op, OpStep::ListSnaps));
        let flags = request_flags(&op);
        let ops = EncodedOps::new(op.steps.into_iter().map(|s| encode_step_owned(s.op, s.flags)));
        let codes = OpCodes::of(ops.codes());
        let snap = if writes {
            SNAP_HEAD
        } else if list_snaps {
            SNAP_DIR
        } else {
            read_snap
        };
        self.objecter.submit(OsdRequest {
            target,
            pg_seed: None,
            flags,
            ops,
            snap,
            snapc,
            mtime: mtime.unwrap_or_else(now),
            direct,
            done: OpDone::Steps(on_reply, codes),
        });
    }

    /// The objecter drops an op's payload before its `done` (`into_done`,
    /// `deliver`), and a queued message carries a copy.
    fn takes_lent_payloads(&self) -> bool {
        true
    }

    fn checksums_payloads(&self) -> bool {
        true
    }

    fn instance_id(&self) -> u64 {
        self.monc.global_id()
    }

    fn client_addr(&self) -> String {
        // as upstream prints a client's address: no type prefix, port 0
        // (what our connections present and the OSDs match blocklists
        // against), our nonce
        match self.monc.addr_for_me() {
            Some(a) => crate::denc::EntityAddr {
                kind: crate::denc::EntityAddr::TYPE_ANY,
                nonce: self.monc.identity().nonce,
                addr: a.addr.map(|mut a| {
                    a.set_port(0);
                    a
                }),
            }
            .to_string(),
            None => String::new(),
        }
    }

    fn fsid(&self) -> String {
        self.monc.fsid()
    }

    fn compat_releases(&self) -> (i8, i8, i8) {
        let release = |name: Option<&str>| -> i8 {
            const NAMES: [&str; 17] = [
                "",
                "argonaut",
                "bobtail",
                "cuttlefish",
                "dumpling",
                "emperor",
                "firefly",
                "giant",
                "hammer",
                "infernalis",
                "jewel",
                "kraken",
                "luminous",
                "mimic",
                "nautilus",
                "octopus",
                "pacific",
            ];
            name.and_then(|n| NAMES.iter().position(|x| *x == n)).map_or(0, |i| i as i8)
        };
        match self.command_json(r#"{"prefix": "osd dump", "format": "json"}"#.into()) {
            Ok(j) => (
                release(j.get("require_osd_release").and_then(Json::as_str)),
                release(j.get("min_compat_client").and_then(Json::as_str)),
                release(j.get("require_min_compat_client").and_then(Json::as_str)),
            ),
            Err(_) => (0, 0, 0),
        }
    }

    fn pool_create(&self, name: &str, crush_rule: Option<u8>) -> Result<i64> {
        self.wait_for_latest_map()?;
        if self.objecter.map()?.pool_by_name(name).is_some() {
            return Err(Error::remote(-libc::EEXIST, format!("pool {name} exists")));
        }
        let rule = crush_rule.map_or(-1, i16::from);
        self.pool_op(pool_op::CREATE, 0, name, 0, rule)?;
        let map = self.objecter.map()?;
        map.pool_by_name(name).map(|p| p.id).ok_or_else(|| Error::remote(-libc::ENOENT, format!("pool {name}")))
    }

    fn pool_delete(&self, name: &str) -> Result<()> {
        let id = match self.objecter.map()?.pool_by_name(name) {
            Some(p) => p.id,
            None => return Err(Error::remote(-libc::ENOENT, format!("no pool {name}"))),
        };
        // upstream names a delete "delete" (the monitor reads a pool name as "exists already")
        self.pool_op(pool_op::DELETE, id, "delete", 0, -1).map(|_| ())
    }

    fn pools(&self) -> Result<Vec<PoolInfo>> {
        Ok(self
            .objecter
            .map()?
            .pools
            .values()
            .map(|p| PoolInfo {
                id: p.id,
                name: p.name.clone(),
                has_pool_snaps: !p.snaps.is_empty(),
                selfmanaged_snaps: p.flags & FLAG_SELFMANAGED_SNAPS != 0,
                snap_seq: p.snap_seq,
                base_tier: if p.tier_of >= 0 { p.tier_of } else { p.id },
                pg_num: p.pg_num,
            })
            .collect())
    }

    fn pool_stats(&self, pool: i64) -> Result<PoolStats> {
        let df = self.command_json(r#"{"prefix": "df", "detail": "detail", "format": "json"}"#.into())?;
        let p = df
            .get("pools")
            .map(Json::as_array)
            .unwrap_or_default()
            .iter()
            .find(|p| p.get("id").and_then(Json::as_u64) == Some(pool as u64))
            .and_then(|p| p.get("stats"));
        let Some(p) = p else {
            // a pool the managers have not reported on yet: no usage
            self.pool(pool)?;
            return Ok(PoolStats::default());
        };
        let n = |k: &str| p.get(k).and_then(Json::as_u64).unwrap_or(0);
        let size = u64::from(self.pool(pool).map_or(1, |p| p.size));
        Ok(PoolStats {
            num_bytes: n("stored"),
            num_objects: n("objects"),
            num_object_clones: 0,
            num_object_copies: n("objects") * size,
            num_rd: n("rd"),
            num_rd_kb: n("rd_bytes") / 1024,
            num_wr: n("wr"),
            num_wr_kb: n("wr_bytes") / 1024,
            num_user_bytes: n("stored"),
        })
    }

    fn cluster_stats(&self) -> Result<ClusterStats> {
        let df = self.command_json(r#"{"prefix": "df", "format": "json"}"#.into())?;
        let s = df.get("stats").ok_or_else(|| Error::Corrupt("df without stats".into()))?;
        let n = |k: &str| s.get(k).and_then(Json::as_u64).unwrap_or(0);
        let objects =
            df.get("pools").map(Json::as_array).unwrap_or_default().iter().fold(0, |acc, p| {
                acc + p.get("stats").and_then(|s| s.get("objects")).and_then(Json::as_u64).unwrap_or(0)
            });
        Ok(ClusterStats {
            kb: n("total_bytes") / 1024,
            kb_used: n("total_used_raw_bytes") / 1024,
            kb_avail: n("total_avail_bytes") / 1024,
            num_objects: objects,
        })
    }

    fn wait_for_latest_map(&self) -> Result<()> {
        self.objecter.wait_for_latest_map(self.timeout.max(Duration::from_secs(30)))
    }

    fn application_enable(&self, pool: i64, app: &str, force: bool) -> Result<()> {
        let p = self.pool(pool)?;
        let force = if force { r#", "yes_i_really_mean_it": true"# } else { "" };
        self.command(format!(
            r#"{{"prefix": "osd pool application enable", "pool": {}, "app": {}{force}}}"#,
            quote(&p.name),
            quote(app)
        ))?;
        self.wait_for_latest_map()
    }

    fn application_list(&self, pool: i64) -> Result<Vec<String>> {
        Ok(self.pool(pool)?.application_metadata.keys().cloned().collect())
    }

    fn application_metadata_get(&self, pool: i64, app: &str, key: &str) -> Result<String> {
        self.pool(pool)?
            .application_metadata
            .get(app)
            .and_then(|kv| kv.get(key))
            .cloned()
            .ok_or_else(|| Error::remote(-libc::ENOENT, format!("no application metadata {app}/{key}")))
    }

    fn application_metadata_set(&self, pool: i64, app: &str, key: &str, value: &str) -> Result<()> {
        let p = self.pool(pool)?;
        self.command(format!(
            r#"{{"prefix": "osd pool application set", "pool": {}, "app": {}, "key": {}, "value": {}}}"#,
            quote(&p.name),
            quote(app),
            quote(key),
            quote(value)
        ))?;
        self.wait_for_latest_map()
    }

    fn application_metadata_remove(&self, pool: i64, app: &str, key: &str) -> Result<()> {
        let p = self.pool(pool)?;
        self.command(format!(
            r#"{{"prefix": "osd pool application rm", "pool": {}, "app": {}, "key": {}}}"#,
            quote(&p.name),
            quote(app),
            quote(key)
        ))?;
        self.wait_for_latest_map()
    }

    fn application_metadata_list(&self, pool: i64, app: &str) -> Result<Vec<(String, String)>> {
        let p = self.pool(pool)?;
        let kv =
            p.application_metadata.get(app).ok_or_else(|| Error::remote(-libc::ENOENT, "application not enabled"))?;
        Ok(kv.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }

    fn pool_snap_create(&self, pool: i64, name: &str) -> Result<u64> {
        // as upstream's Objecter: an existing name is refused here
        if self.pool(pool)?.snaps.values().any(|(n, _)| n == name) {
            return Err(Error::remote(-libc::EEXIST, format!("snapshot {name} exists")));
        }
        self.pool_op(pool_op::CREATE_SNAP, pool, name, 0, -1)?;
        let p = self.pool(pool)?;
        p.snaps
            .iter()
            .find(|(_, (n, _))| n == name)
            .map(|(id, _)| *id)
            .ok_or_else(|| Error::remote(-libc::ENOENT, format!("snapshot {name}")))
    }

    fn pool_snap_remove(&self, pool: i64, name: &str) -> Result<()> {
        if !self.pool(pool)?.snaps.values().any(|(n, _)| n == name) {
            return Err(Error::remote(-libc::ENOENT, format!("no snapshot {name}")));
        }
        self.pool_op(pool_op::DELETE_SNAP, pool, name, 0, -1).map(|_| ())
    }

    fn pool_snaps(&self, pool: i64) -> Result<Vec<PoolSnap>> {
        Ok(self
            .pool(pool)?
            .snaps
            .iter()
            .map(|(id, (name, stamp))| PoolSnap { id: *id, name: name.clone(), stamp: (i64::from(stamp.0), stamp.1) })
            .collect())
    }

    fn selfmanaged_snap_create(&self, pool: i64) -> Result<u64> {
        let data = self.pool_op(pool_op::CREATE_UNMANAGED_SNAP, pool, "", 0, -1)?;
        let b: [u8; 8] =
            data.get(..8).and_then(|s| s.try_into().ok()).ok_or_else(|| Error::Corrupt("snap id".into()))?;
        Ok(u64::from_le_bytes(b))
    }

    fn selfmanaged_snap_remove(&self, pool: i64, snap: u64) -> Result<()> {
        self.pool_op(pool_op::DELETE_UNMANAGED_SNAP, pool, "", snap, -1).map(|_| ())
    }

    fn list_objects(
        &self,
        pool: i64,
        namespace: Option<&[u8]>,
        cursor: &ListCursor,
        max: usize,
    ) -> Result<(Vec<ListEntry>, Option<ListCursor>)> {
        let p = self.pool(pool)?;
        let map = self.objecter.map()?;
        let mut out = Vec::new();
        let mut pg = cursor.pg;
        // the start of a PG is the minimal hobject (pool i64::MIN), as upstream's
        let start_of_pg = HObject { pool: i64::MIN, ..HObject::default() };
        let mut handle = if *cursor == (ListCursor { pg: cursor.pg, ..ListCursor::default() }) {
            start_of_pg.clone()
        } else {
            HObject {
                key: cursor.key.clone(),
                name: cursor.name.clone(),
                snap: 0,
                hash: cursor.hash,
                max: false,
                namespace: cursor.namespace.clone(),
                pool,
            }
        };
        let ns = namespace.unwrap_or(ALL_NAMESPACES);
        while pg < p.pg_num {
            if out.len() >= max {
                return Ok((out, Some(position(pg, &handle))));
            }
            let target = ObjectTarget {
                locator: crate::rados::object::ObjectLocator { pool, namespace: ns.to_vec(), key: Vec::new() },
                name: Vec::new(),
            };
            let raw = RawOp::pgnls((max - out.len()) as u64, map.epoch, &handle);
            let (r, data) = self.run_raw(&target, raw, flag::READ | flag::PGOP, Some(pg))?;
            if r < 0 && r != -libc::ENOENT {
                return Err(Error::remote(r, "pgnls"));
            }
            let (next, entries) =
                if r < 0 { (HObject { max: true, ..HObject::default() }, Vec::new()) } else { decode_pgnls(&data)? };
            for (nspace, name, key) in entries {
                let raw = map.object_pg(&p, &name, &key, &nspace);
                out.push(ListEntry { namespace: nspace, key, name, pg, hash: raw.seed });
            }
            if next.max || r == 1 {
                pg += 1;
                handle = start_of_pg.clone();
            } else {
                handle = next;
            }
        }
        Ok((out, None))
    }

    fn watch(&self, target: &ObjectTarget, timeout_secs: u32, handler: Arc<dyn WatchHandler>) -> Result<u64> {
        self.objecter.watch(target, timeout_secs, handler, self.timeout.max(Duration::from_secs(30)))
    }

    fn unwatch(&self, cookie: u64) -> Result<()> {
        self.objecter.unwatch(cookie, self.timeout.max(Duration::from_secs(30)))
    }

    fn watch_check(&self, cookie: u64) -> Result<u64> {
        self.objecter.watch_check(cookie)
    }

    fn list_watchers(&self, target: &ObjectTarget) -> Result<Vec<WatcherInfo>> {
        let (r, data) = self.run_raw(target, encode_step(&OpStep::ListWatchers, 0), flag::READ, None)?;
        if r < 0 {
            return Err(Error::remote(r, "list watchers"));
        }
        match decode_step_output(code::LIST_WATCHERS, data)? {
            StepOutput::Watchers(w) => Ok(w),
            _ => Ok(Vec::new()),
        }
    }

    fn notify(&self, target: &ObjectTarget, payload: &[u8], timeout_ms: u64, on_reply: NotifyReplyCallback) {
        let secs = if timeout_ms == 0 { 30 } else { timeout_ms.div_ceil(1000) as u32 };
        self.objecter.notify(target, payload, secs, on_reply);
    }

    fn notify_ack(&self, target: &ObjectTarget, notify_id: u64, cookie: u64, payload: &[u8]) -> Result<()> {
        let (r, _) = self.run_raw(target, RawOp::notify_ack(notify_id, cookie, payload), flag::READ, None)?;
        if r < 0 {
            return Err(Error::remote(r, "notify ack"));
        }
        Ok(())
    }

    fn watch_flush(&self) -> Result<()> {
        self.objecter.flush_callbacks();
        Ok(())
    }

    fn mon_command(&self, cmd: &[String], input: &[u8]) -> Result<(i32, String, Vec<u8>)> {
        self.monc.command(cmd, input, None)
    }

    fn daemon_command(&self, target: &CommandTarget, cmd: &[String], input: &[u8]) -> Result<(i32, String, Vec<u8>)> {
        use super::daemon_command::{self as dc, msg};
        let timeout = self.timeout.max(Duration::from_secs(60));
        let fsid = self.monc.fsid_bytes();
        match target {
            CommandTarget::Osd(_) | CommandTarget::Pg(..) => {
                // as upstream's Objecter: ENOENT for a pool or OSD that does not exist, ENXIO for one that is down
                let map = self.objecter.map()?;
                let osd = match *target {
                    CommandTarget::Pg(pool, seed) => {
                        if !map.pools.contains_key(&pool) {
                            return Ok((-libc::ENOENT, "pool dne".into(), Vec::new()));
                        }
                        map.placement(PgId { pool, seed })?.acting_primary
                    }
                    // upstream refuses a negative id before looking it up
                    CommandTarget::Osd(osd) if osd < 0 => return Ok((-libc::EINVAL, String::new(), Vec::new())),
                    CommandTarget::Osd(osd) => osd,
                    _ => unreachable!("matched above"),
                };
                if osd == -1 {
                    return Ok((-libc::ENXIO, "pg has no primary osd".into(), Vec::new()));
                }
                if !map.exists(osd) {
                    return Ok((-libc::ENOENT, "osd dne".into(), Vec::new()));
                }
                let Some(addr) =
                    map.osd_addrs.get(osd as usize).and_then(|a| dc::msgr2_addr(a)).filter(|_| map.is_up(osd))
                else {
                    return Ok((-libc::ENXIO, "osd down".into(), Vec::new()));
                };
                let m = dc::command_message(msg::COMMAND, fsid, cmd, input);
                dc::run(addr, EntityType::Osd, &self.objecter.session_identity(), &m, timeout)
            }
            CommandTarget::Mgr(name) => {
                let mgr = self.monc.mgrmap(timeout)?;
                let addr = dc::msgr2_addr(&mgr.active_addrs)
                    .filter(|_| mgr.available)
                    .ok_or_else(|| Error::remote(-libc::ENOTCONN, "no active manager"))?;
                let m = match name {
                    Some(n) if *n != mgr.active_name => {
                        return Err(Error::remote(-libc::ENXIO, format!("mgr.{n} is not the active manager")))
                    }
                    // a tell: MCommand with the fsid set
                    Some(_) => dc::command_message(msg::COMMAND, fsid, cmd, input),
                    None => dc::command_message(msg::MGR_COMMAND, [0; 16], cmd, input),
                };
                dc::run(addr, EntityType::Mgr, &self.objecter.session_identity(), &m, timeout)
            }
            CommandTarget::Mon(name) => {
                let monmap = self.monc.monmap();
                let Ok((mon, addrs)) = monmap.find(name) else {
                    let rank = name.parse::<i64>().is_ok_and(|r| r >= 0);
                    return Ok((-libc::ENOENT, if rank { "mon rank dne" } else { "mon dne" }.into(), Vec::new()));
                };
                let addr = dc::msgr2_addr(addrs)
                    .ok_or_else(|| Error::remote(-libc::ENOENT, format!("mon.{mon} has no msgr2 address")))?;
                let m = dc::command_message(msg::COMMAND, fsid, cmd, input);
                dc::run(addr, EntityType::Mon, &self.monc.anonymous_identity(), &m, timeout)
            }
        }
    }

    fn flush(&self) -> Result<()> {
        // the OSDs acknowledge writes once they are durable
        Ok(())
    }

    fn ping_monitor(&self, mon_id: &str) -> Result<String> {
        let addr = super::mon_ping::find_monitor(&self.monc.monmap(), mon_id)?;
        super::mon_ping::ping(addr, &self.monc.anonymous_identity(), self.ping_timeout)
    }

    fn monitor_log(&self, watch: Option<(String, ClusterLogCallback)>) -> Result<()> {
        let (delivery, sink) = match watch {
            Some((sub, callback)) => {
                let d = LogDelivery::start(callback)?;
                let sink = d.sender().map(|tx| (sub, tx));
                (Some(d), sink)
            }
            None => (None, None),
        };
        let old = std::mem::replace(&mut *self.log_delivery.lock().unwrap_or_else(|e| e.into_inner()), delivery);
        let r = self.monc.set_log_subscription(sink);
        if let Some(old) = old {
            old.stop();
        }
        r
    }

    fn service_register(&self, service: &str, daemon: &str, metadata: &[(String, String)]) -> Result<()> {
        let mut all = super::mgr_session::system_metadata();
        for (k, v) in metadata {
            all.retain(|(key, _)| key != k);
            all.push((k.clone(), v.clone()));
        }
        self.mgr.register(service, daemon, all)
    }

    fn service_update_status(&self, status: &[(String, String)]) -> Result<()> {
        self.mgr.update_status(status.to_vec());
        Ok(())
    }

    fn shutdown(&self) {
        self.mgr.shutdown();
        let delivery = self.log_delivery.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(d) = delivery {
            d.stop();
        }
        self.objecter.shutdown();
        self.monc.shutdown();
    }
}

/// The cursor that continues a listing at `handle` in `pg`.
fn position(pg: u32, handle: &HObject) -> ListCursor {
    ListCursor {
        pg,
        hash: handle.hash,
        namespace: handle.namespace.clone(),
        key: handle.key.clone(),
        name: handle.name.clone(),
        after: false,
    }
}

/// A JSON string literal.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
