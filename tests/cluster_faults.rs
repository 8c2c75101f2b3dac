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
    let reply = pool_io.operate(b"o", ObjectOperation::single(OpStep::Write { offset: 0, data: b"hello".to_vec() }));
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
    let reply = watcher_io.operate(&name, ObjectOperation::single(OpStep::Write { offset: 0, data: b"w".to_vec() }));
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
