//! Faults on the live cluster: daemons restarted under a client. Each test
//! restarts a daemon with `tools/cluster.sh restart`, so run these one at a
//! time (`--test-threads=1`; tools/test-all.sh does) and not beside other
//! tests of the same cluster. Skipped without `CEPHRS_TEST_CLUSTER_CONF`.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cephrs::rados::backend::WatchHandler;
use cephrs::rados::op::{ObjectOperation, OpStep};
use cephrs::rados::IoCtx;
use common::{ceph_cli, conf, rados_client, write_stream};

/// Runs `tools/cluster.sh ARGS… DIR` on the cluster whose conf is `conf`.
fn cluster_script(conf: &str, args: &[&str]) {
    let dir = std::path::Path::new(conf).parent().unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/cluster.sh");
    let out = std::process::Command::new("sh").arg(script).args(args).arg(dir).output().unwrap();
    assert!(out.status.success(), "cluster.sh {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Restarts daemon `who` (mon.a, osd.N).
fn restart(conf: &str, who: &str) {
    cluster_script(conf, &["restart", who]);
}

/// Waits until the cluster has recovered from the last fault (every PG
/// active+clean), so that the next fault does not hit a PG still recovering.
fn wait_clean(conf: &str) {
    cluster_script(conf, &["wait-clean"]);
}

/// The acting primary of object `name` in pool rbd, as `ceph osd map` says.
fn primary_of(conf: &str, name: &str) -> String {
    let json = ceph_cli(conf, &["osd", "map", "rbd", name, "-f", "json"]);
    let at = json.find("\"acting_primary\":").expect("acting_primary") + "\"acting_primary\":".len();
    let n: String = json[at..].chars().take_while(|c| c.is_ascii_digit()).collect();
    format!("osd.{n}")
}

#[test]
fn osd_restarted_during_writes_loses_none() {
    let Some(conf) = conf() else { return };
    let (rados, io) = rados_client(&conf, "crc");
    let stop = Arc::new(AtomicBool::new(false));
    let issued = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (io, stop, issued) = (io.clone(), stop.clone(), issued.clone());
        std::thread::spawn(move || {
            write_stream(&io, "osd-restart", 32, |i| {
                issued.store(i, Ordering::Relaxed);
                !stop.load(Ordering::Relaxed)
            })
        })
    };
    std::thread::sleep(Duration::from_secs(2));
    let before = issued.load(Ordering::Relaxed);
    let victim = primary_of(&conf, "osd-restart-0");
    restart(&conf, &victim);
    let during = issued.load(Ordering::Relaxed);
    std::thread::sleep(Duration::from_secs(3));
    stop.store(true, Ordering::Relaxed);
    let (count, failures) = writer.join().unwrap();
    assert!(failures.is_empty(), "{} failures, first {:?}", failures.len(), &failures[..failures.len().min(5)]);
    assert!(before > 0 && during > before && count > during, "writes went on: {before} {during} {count}");
    // every object's last acknowledged write reads back
    for object in 0..count.min(4096) {
        let last = object + (count - 1 - object) / 4096 * 4096;
        let got = io.read(format!("osd-restart-{object}").as_bytes(), 0, 0).unwrap();
        assert_eq!(got, vec![(last % 251) as u8; 4096], "object {object}, last write {last}");
    }
    println!("faults: {count} writes with {victim} restarted in the middle, all acknowledged data read back");
    wait_clean(&conf);
    rados.shutdown();
}

#[test]
fn monitor_restart_is_survived() {
    let Some(conf) = conf() else { return };
    let fsid = ceph_cli(&conf, &["fsid"]).trim().to_string();
    let (rados, io) = rados_client(&conf, "secure");
    let backend = rados.backend().unwrap();
    let fsid_cmd = [r#"{"prefix": "fsid", "format": "json"}"#.to_string()];
    assert_eq!(backend.mon_command(&fsid_cmd, b"").unwrap().0, 0);
    // OSD ops go on while the monitor is away
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (io, stop) = (io.clone(), stop.clone());
        std::thread::spawn(move || write_stream(&io, "mon-restart", 8, |_| !stop.load(Ordering::Relaxed)))
    };
    restart(&conf, "mon.a");
    // the session comes back (re-authenticated with a reclaimed global id)
    let (r, rs, out) = backend.mon_command(&fsid_cmd, b"").unwrap();
    assert_eq!(r, 0, "{rs}");
    assert!(String::from_utf8_lossy(&out).contains(&fsid));
    // pool ops work and the new map reaches us through the subscription
    let pool = "after-mon-restart";
    let id = backend.pool_create(pool, None).unwrap();
    let info = rados.pool_by_name(pool).unwrap();
    assert_eq!(info.id, id);
    let pool_io = IoCtx::new(rados.clone(), info).unwrap();
    let reply =
        pool_io.operate(b"o", ObjectOperation::single(OpStep::Write { offset: 0, data: b"hello".to_vec().into() }));
    assert_eq!(reply.result, 0);
    assert_eq!(pool_io.read(b"o", 0, 0).unwrap(), b"hello");
    backend.pool_delete(pool).unwrap();
    stop.store(true, Ordering::Relaxed);
    let (count, failures) = writer.join().unwrap();
    assert!(failures.is_empty(), "{failures:?}");
    println!("faults: monitor restarted; session, commands, pool ops and {count} writes went on");
    rados.shutdown();
}

/// Records notifies (acknowledging each) and watch errors.
struct Recorder {
    io: Arc<IoCtx>,
    name: Vec<u8>,
    notifies: Mutex<Sender<Vec<u8>>>,
    errors: Mutex<Vec<i32>>,
}

impl WatchHandler for Recorder {
    fn notify(&self, notify_id: u64, cookie: u64, _notifier: u64, payload: &[u8]) {
        self.io.notify_ack(&self.name, notify_id, cookie, b"ack").unwrap();
        let _ = self.notifies.lock().unwrap().send(payload.to_vec());
    }
    fn error(&self, _cookie: u64, err: i32) {
        self.errors.lock().unwrap().push(err);
    }
}

#[test]
fn watch_survives_its_connection_being_reset() {
    let Some(conf) = conf() else { return };
    wait_clean(&conf);
    let name = b"watched-through-faults".to_vec();
    let (watcher_rados, watcher_io) = rados_client(&conf, "crc");
    let (notifier_rados, notifier_io) = rados_client(&conf, "crc");
    let reply =
        watcher_io.operate(&name, ObjectOperation::single(OpStep::Write { offset: 0, data: b"w".to_vec().into() }));
    assert_eq!(reply.result, 0);
    let (tx, notifies) = channel();
    let recorder = Arc::new(Recorder {
        io: watcher_io.clone(),
        name: name.clone(),
        notifies: Mutex::new(tx),
        errors: Mutex::new(Vec::new()),
    });
    let cookie = watcher_io.watch(&name, 30, recorder.clone()).unwrap();
    let notify = |payload: &[u8]| {
        let (r, _) = notifier_io.notify_wait(&name, payload, 10_000);
        assert_eq!(r, 0, "notify {:?}", String::from_utf8_lossy(payload));
        assert_eq!(notifies.recv_timeout(Duration::from_secs(10)).unwrap(), payload);
    };
    notify(b"before");
    // the OSD holding the watch goes away and comes back: the watch's
    // connection is reset and the object moves to another primary and back
    let primary = primary_of(&conf, "watched-through-faults");
    restart(&conf, &primary);
    // the watch is confirmed again by the OSDs after the restart (registered
    // anew, or pinged) within 30 s
    let restarted = std::time::Instant::now();
    let mut confirmed = None;
    while restarted.elapsed() < Duration::from_secs(30) {
        if let Ok(ms) = watcher_io.watch_check(cookie) {
            if u128::from(ms) < restarted.elapsed().as_millis() {
                confirmed = Some(restarted.elapsed());
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let confirmed = confirmed.unwrap_or_else(|| panic!("watch not confirmed: {:?}", watcher_io.watch_check(cookie)));
    notify(b"after restart");
    notify(b"once more");
    assert_eq!(*recorder.errors.lock().unwrap(), Vec::<i32>::new(), "watch errors");
    let watchers = notifier_io.list_watchers(&name).unwrap();
    assert_eq!(watchers.len(), 1, "{watchers:?}");
    watcher_io.unwatch(cookie).unwrap();
    println!(
        "faults: a watch on {primary} survived its restart (confirmed again {:.1} s after); notifies before and after reached the callback",
        confirmed.as_secs_f64()
    );
    watcher_rados.shutdown();
    notifier_rados.shutdown();
    wait_clean(&conf);
}

/// Runs `ceph` commands when dropped (their failures ignored): puts back
/// what a test changed in the cluster, even when it panics.
struct CephOnDrop(String, Vec<Vec<String>>);

impl Drop for CephOnDrop {
    fn drop(&mut self) {
        for args in &self.1 {
            let _ = std::process::Command::new("ceph").arg("-c").arg(&self.0).args(args).output();
        }
    }
}

/// The client follows the cluster through incremental maps: a pool created,
/// resized, snapshotted and deleted, pg_upmap_items and pg_temp set, primary
/// affinity, reweight, a CRUSH weight change, an OSD marked out and in, and
/// one marked down that comes back up. After each change, the map the client
/// built equals the full map of the same epoch as the monitor hands it out
/// (`osd getmap`), and no full map was decoded after the first.
#[test]
fn osd_maps_are_followed_incrementally() {
    use cephrs::rados::cluster::handshake::CON_MODE_CRC;
    use cephrs::rados::cluster::monclient::{parse_mon_host, MonClient};
    use cephrs::rados::cluster::objecter::Objecter;
    use cephrs::rados::cluster::osdmap::{OsdMap, PgId};

    let Some(conf) = conf() else { return };
    wait_clean(&conf);
    let (c, id) = common::identity(&conf, vec![CON_MODE_CRC]);
    let mons = parse_mon_host(&c.get_str("mon_host")).unwrap();
    let monc = MonClient::connect(mons, id, Duration::from_secs(20)).unwrap();
    let objecter = Objecter::start(monc.clone(), vec![CON_MODE_CRC], None, Duration::from_secs(20)).unwrap();
    let command = |json: &str| -> Vec<u8> {
        let (r, rs, out) = monc.command(&[json.to_string()], b"", Some(Duration::from_secs(60))).unwrap();
        assert_eq!(r, 0, "{json}: {rs}");
        out
    };
    let mut checked = Vec::new();
    let mut check = |what: &str| -> OsdMap {
        let dump = String::from_utf8(command(r#"{"prefix": "osd dump", "format": "json"}"#)).unwrap();
        let at = dump.find("\"epoch\":").unwrap() + "\"epoch\":".len();
        let epoch: u32 = dump[at..].chars().take_while(|c| c.is_ascii_digit()).collect::<String>().parse().unwrap();
        let ours = objecter.wait_for_map(epoch - 1, Duration::from_secs(30)).unwrap();
        let full = command(&format!(r#"{{"prefix": "osd getmap", "epoch": {}}}"#, ours.epoch));
        let theirs = OsdMap::decode(&full).unwrap();
        let (a, b) = (format!("{ours:#?}"), format!("{theirs:#?}"));
        if a != b {
            // the first differing line, with the lines before it for context
            let (a, b): (Vec<_>, Vec<_>) = (a.lines().collect(), b.lines().collect());
            let at = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
            let from = at.saturating_sub(6);
            panic!(
                "after {what}: our map of epoch {} differs from the monitor's at line {at}:\nours:\n{}\nmonitor's:\n{}",
                ours.epoch,
                a[from..(at + 1).min(a.len())].join("\n"),
                b[from..(at + 1).min(b.len())].join("\n")
            );
        }
        checked.push(format!("{what}@{}", ours.epoch));
        (*ours).clone()
    };
    // what the test changes is put back even when it fails half-way
    let tree = String::from_utf8(command(r#"{"prefix": "osd tree", "format": "json"}"#)).unwrap();
    let at = tree.find(r#""name":"osd.2""#).unwrap();
    let at = at + tree[at..].find(r#""crush_weight":"#).unwrap() + r#""crush_weight":"#.len();
    let original: f64 =
        tree[at..].chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect::<String>().parse().unwrap();
    let _restore = CephOnDrop(
        conf.clone(),
        vec![
            vec!["osd".into(), "reweight".into(), "2".into(), "1.0".into()],
            vec!["osd".into(), "primary-affinity".into(), "osd.1".into(), "1.0".into()],
            vec!["osd".into(), "in".into(), "2".into()],
            vec!["osd".into(), "crush".into(), "reweight".into(), "osd.2".into(), format!("{original:?}")],
        ],
    );
    let (full_at_start, incremental_at_start) = objecter.map_counts();
    assert!(full_at_start >= 1);

    command(r#"{"prefix": "osd set-require-min-compat-client", "version": "luminous", "yes_i_really_mean_it": true}"#);
    let _ = monc.command(
        &[r#"{"prefix": "osd pool rm", "pool": "incmaps", "pool2": "incmaps", "yes_i_really_really_mean_it": true}"#
            .to_string()],
        b"",
        Some(Duration::from_secs(60)),
    );
    command(r#"{"prefix": "osd pool create", "pool": "incmaps", "pg_num": 8, "pgp_num": 8}"#);
    let map = check("pool create");
    let pool = map.pool_by_name("incmaps").expect("the new pool is in our map").id;
    command(
        r#"{"prefix": "osd pool set", "pool": "incmaps", "var": "size", "val": "2", "yes_i_really_mean_it": true}"#,
    );
    check("pool size");
    command(r#"{"prefix": "osd pool mksnap", "pool": "incmaps", "snap": "s1"}"#);
    let map = check("pool snapshot");
    assert_eq!(map.pools[&pool].snaps.len(), 1);
    let p = map.placement(PgId { pool, seed: 0 }).unwrap();
    let to = (0..map.max_osd).find(|o| !p.up.contains(o)).unwrap();
    command(&format!(r#"{{"prefix": "osd pg-upmap-items", "pgid": "{}", "id": [{}, {to}]}}"#, p.pg, p.up[0]));
    let map = check("pg-upmap-items");
    assert!(map.pg_upmap_items.contains_key(&p.pg));
    command(&format!(r#"{{"prefix": "osd rm-pg-upmap-items", "pgid": "{}"}}"#, p.pg));
    check("rm-pg-upmap-items");
    let q = map.placement(PgId { pool, seed: 1 }).unwrap();
    command(&format!(r#"{{"prefix": "osd pg-temp", "pgid": "{}", "id": [{}, {}]}}"#, q.pg, q.up[1], q.up[0]));
    check("pg-temp");
    command(r#"{"prefix": "osd primary-affinity", "id": 1, "weight": 0.5}"#);
    let map = check("primary-affinity");
    assert_eq!(map.primary_affinity.get(1), Some(&0x8000));
    command(r#"{"prefix": "osd primary-affinity", "id": 1, "weight": 1.0}"#);
    check("primary-affinity back");
    command(r#"{"prefix": "osd reweight", "id": 2, "weight": 0.8}"#);
    check("reweight");
    command(r#"{"prefix": "osd reweight", "id": 2, "weight": 1.0}"#);
    check("reweight back");
    let crush_weight =
        |w: f64| command(&format!(r#"{{"prefix": "osd crush reweight", "name": "osd.2", "weight": {w:?}}}"#));
    crush_weight(original / 2.0);
    check("crush reweight");
    crush_weight(original);
    check("crush reweight back");
    command(r#"{"prefix": "osd out", "ids": ["2"]}"#);
    check("out");
    command(r#"{"prefix": "osd in", "ids": ["2"]}"#);
    check("in");
    command(r#"{"prefix": "osd down", "ids": ["1"]}"#);
    check("down");
    // the OSD protests and boots again: wait until our map has it up
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let m = objecter.map().unwrap();
        if m.osd_state.get(1).is_some_and(|s| s & 2 != 0) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "osd.1 not up again in our map within 60 s");
        objecter.wait_for_map(m.epoch, Duration::from_secs(5)).ok();
    }
    check("up again");
    command(r#"{"prefix": "osd pool rm", "pool": "incmaps", "pool2": "incmaps", "yes_i_really_really_mean_it": true}"#);
    let map = check("pool rm");
    assert!(map.pool_by_name("incmaps").is_none());

    let (full, incremental) = objecter.map_counts();
    assert_eq!(full, full_at_start, "full maps decoded after the first (checked: {checked:?})");
    assert!(incremental - incremental_at_start >= checked.len() as u64, "too few incrementals: {checked:?}");
    eprintln!(
        "faults: {} incremental maps applied, each checked state equal to the monitor's full map: {}",
        incremental - incremental_at_start,
        checked.join(" ")
    );
    objecter.shutdown();
    monc.shutdown();
    wait_clean(&conf);
}

/// cephx tickets are renewed before they expire. The monitor is told to
/// issue service tickets valid for 40 s and auth tickets for 60 s; 75 s
/// later, the monitor client holds renewed tickets (it kept its global id),
/// and a RADOS client that opened no OSD session before then writes to every
/// OSD through new sessions, whose authorizers need unexpired OSD tickets.
#[test]
fn cephx_tickets_are_renewed_before_they_expire() {
    use cephrs::config::EntityType;
    use cephrs::rados::cluster::handshake::CON_MODE_SECURE;
    use cephrs::rados::cluster::monclient::{parse_mon_host, MonClient};

    let Some(conf) = conf() else { return };
    let _restore = CephOnDrop(
        conf.clone(),
        vec![
            vec!["config".into(), "rm".into(), "mon".into(), "auth_service_ticket_ttl".into()],
            vec!["config".into(), "rm".into(), "mon".into(), "auth_mon_ticket_ttl".into()],
        ],
    );
    ceph_cli(&conf, &["config", "set", "mon", "auth_service_ticket_ttl", "40"]);
    ceph_cli(&conf, &["config", "set", "mon", "auth_mon_ticket_ttl", "60"]);
    let (c, id) = common::identity(&conf, vec![CON_MODE_SECURE]);
    let monc =
        MonClient::connect(parse_mon_host(&c.get_str("mon_host")).unwrap(), id, Duration::from_secs(20)).unwrap();
    let started = std::time::Instant::now();
    let global_id = monc.global_id();
    let first = |s| monc.ticket_expires(s).unwrap();
    let (osd_expiry, auth_expiry) = (first(EntityType::Osd), first(EntityType::Auth));
    assert!(osd_expiry < started + Duration::from_secs(45), "the monitor did not shorten the OSD ticket");
    let (_rados, io) = rados_client(&conf, "secure");

    // service tickets are renewed in their last quarter (after 30 s) through MAuth
    std::thread::sleep(Duration::from_secs(38).saturating_sub(started.elapsed()));
    assert!(monc.ticket_expires(EntityType::Osd).unwrap() > osd_expiry, "no OSD ticket renewal after 38 s");
    assert_eq!(monc.ticket_expires(EntityType::Auth).unwrap(), auth_expiry, "the auth ticket is renewed early");
    // the auth ticket after 45 s, by a new authentication
    std::thread::sleep(Duration::from_secs(75).saturating_sub(started.elapsed()));
    let now = std::time::Instant::now();
    for service in [EntityType::Mon, EntityType::Osd, EntityType::Mgr, EntityType::Auth] {
        let expires = monc.ticket_expires(service).unwrap();
        assert!(expires > now, "{service:?} ticket expired {:?} ago", now - expires);
    }
    assert!(monc.ticket_expires(EntityType::Osd).unwrap() > osd_expiry);
    assert!(monc.ticket_expires(EntityType::Auth).unwrap() > auth_expiry);
    assert_eq!(monc.global_id(), global_id, "the new authentication reclaims the global id");
    let (r, rs, _) = monc.command(&[r#"{"prefix": "fsid"}"#.to_string()], b"", Some(Duration::from_secs(20))).unwrap();
    assert_eq!(r, 0, "{rs}");
    monc.shutdown();

    // 96 objects land on every OSD as primary: each needs a new session now
    let (issued, failures) = write_stream(&io, "ticket-renewal", 32, |i| i < 96);
    assert!(failures.is_empty(), "writes after the first tickets expired: {failures:?}");
    eprintln!("faults: cephx tickets renewed (service ttl 40 s, auth ttl 60 s); {issued} writes through new OSD sessions 75 s later");
}

/// This process's CPU time so far (all threads).
fn process_cpu() -> Duration {
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut u);
        u
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

#[test]
fn a_refusing_monitor_is_not_hammered() {
    use cephrs::config::{EntityName, EntityType};
    use cephrs::rados::cluster::cephx::CephxClient;
    use cephrs::rados::cluster::connection::ClientIdentity;
    use cephrs::rados::cluster::crypto::CryptoKey;
    use cephrs::rados::cluster::handshake::{Credentials, CON_MODE_CRC};
    use cephrs::rados::cluster::monclient::{parse_mon_host, MonClient};

    let Some(conf) = conf() else { return };
    // a user of our own, removed once its session is open: after the monitor
    // restarts, every hunt is refused at once (as when a cluster is recreated
    // under the same address with other keys)
    let user = "client.cephrs-hunt";
    let _ = ceph_cli(&conf, &["auth", "del", user]).len();
    let key = ceph_cli(&conf, &["auth", "get-or-create-key", user, "mon", "allow r"]).trim().to_string();
    let (c, _) = common::identity(&conf, vec![CON_MODE_CRC]);
    let name = EntityName::client("cephrs-hunt");
    let cephx = Arc::new(Mutex::new(CephxClient::new(name, CryptoKey::from_base64(&key).unwrap())));
    let id =
        ClientIdentity { credentials: Credentials::Cephx(cephx), modes: vec![CON_MODE_CRC], nonce: 777, global_id: 0 };
    let monc =
        MonClient::connect(parse_mon_host(&c.get_str("mon_host")).unwrap(), id, Duration::from_secs(20)).unwrap();
    assert!(monc.ticket_expires(EntityType::Mon).is_some());
    ceph_cli(&conf, &["auth", "del", user]);
    restart(&conf, "mon.a");
    // hunting goes on in the background, refused each time
    std::thread::sleep(Duration::from_secs(2));
    let (cpu_before, started) = (process_cpu(), std::time::Instant::now());
    std::thread::sleep(Duration::from_secs(8));
    let used = process_cpu() - cpu_before;
    let share = used.as_secs_f64() / started.elapsed().as_secs_f64();
    monc.shutdown();
    assert!(share < 0.05, "hunting used {:.0} % of a CPU for 8 s against a monitor that refuses it", share * 100.0);
    println!(
        "faults: a client refused by its monitor after a restart hunts with pauses ({:.1} % of a CPU)",
        share * 100.0
    );
}
