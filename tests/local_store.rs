//! The RADOS engine on the local store: operations, snapshots, reopening.

use std::sync::Arc;

use cephrs::config::EntityName;
use cephrs::rados::object::SnapContext;
use cephrs::rados::op::{ObjectOperation, OpStep, StepOutput};
use cephrs::rados::{ConfigContext, IoCtx, Rados};

fn connect(dir: &std::path::Path) -> Arc<Rados> {
    let ctx = ConfigContext::new(EntityName::client("admin"), "ceph");
    ctx.config().set("rados_local_store", dir.to_str().unwrap()).unwrap();
    let r = Rados::new(ctx);
    r.connect().unwrap();
    r
}

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("cephrs-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn objects_omap_snapshots_and_reopen() {
    let dir = tmpdir("engine");
    {
        let r = connect(&dir);
        r.backend().unwrap().pool_create("p", None).unwrap();
        let io = IoCtx::new(r.clone(), r.pool_by_name("p").unwrap()).unwrap();
        let mut op = ObjectOperation::new();
        op.push(OpStep::Write { offset: 10, data: b"hello".to_vec().into() });
        op.push(OpStep::SetXattr { name: b"x".to_vec(), value: b"1".to_vec() });
        op.push(OpStep::OmapSetVals { entries: vec![(b"k".to_vec(), b"v".to_vec())] });
        assert_eq!(io.operate(b"obj", op).result, 0);
        assert_eq!(io.read(b"obj", 0, 0).unwrap(), b"\0\0\0\0\0\0\0\0\0\0hello");
        assert_eq!(io.stat(b"obj").unwrap().0, 15);
        assert_eq!(io.read(b"missing", 0, 10).unwrap_err().errno(), libc::ENOENT);
        // a self-managed snapshot, then an overwrite: the snapshot keeps the old data
        let snap = r.backend().unwrap().selfmanaged_snap_create(io.pool_id()).unwrap();
        io.set_write_snapc(SnapContext { seq: snap, snaps: vec![snap] }).unwrap();
        assert_eq!(io.operate(b"obj", ObjectOperation::single(OpStep::WriteFull { data: b"new".to_vec() })).result, 0);
        io.set_read_snap(snap);
        assert_eq!(io.read(b"obj", 0, 0).unwrap(), b"\0\0\0\0\0\0\0\0\0\0hello");
        io.set_read_snap(cephrs::rados::object::SNAP_HEAD);
        assert_eq!(io.read(b"obj", 0, 0).unwrap(), b"new");
        // plain data writes after the journal checkpointed: the direct path
        for i in 0..100u64 {
            let op = ObjectOperation::single(OpStep::Write { offset: i * 10, data: vec![i as u8; 10].into() });
            assert_eq!(io.operate(b"data", op).result, 0);
        }
        r.shutdown();
    }
    // reopen: everything is still there
    let r = connect(&dir);
    let io = IoCtx::new(r.clone(), r.pool_by_name("p").unwrap()).unwrap();
    assert_eq!(io.read(b"obj", 0, 0).unwrap(), b"new");
    let reply = io
        .operate(b"obj", ObjectOperation::single(OpStep::OmapGetVals { start_after: vec![], prefix: vec![], max: 10 }));
    assert_eq!(reply.steps[0].out, StepOutput::Vals { vals: vec![(b"k".to_vec(), b"v".to_vec())], more: false });
    let data = io.read(b"data", 0, 0).unwrap();
    assert_eq!(data.len(), 1000);
    assert!(data.chunks(10).enumerate().all(|(i, c)| c.iter().all(|&b| b == i as u8)));
    r.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Clones and overlaps as a Pacific OSD reports them (`rados listsnaps` on a
/// real cluster after the same operations):
/// ```text
/// o: 2 [2] 8192 [0~4096,5120~3072] / 3 [3] 8192 [0~6000] / 4 [4] 6000 [100~5900] / head 6000
/// p: 5 [5] 100 [] (no head)
/// ```
#[test]
fn list_snaps_clones_and_overlaps() {
    let dir = tmpdir("listsnaps");
    let r = connect(&dir);
    let backend = r.backend().unwrap();
    backend.pool_create("p", None).unwrap();
    let io = IoCtx::new(r.clone(), r.pool_by_name("p").unwrap()).unwrap();
    let run = |name: &[u8], step: OpStep| assert_eq!(io.operate(name, ObjectOperation::single(step)).result, 0);
    run(b"o", OpStep::WriteFull { data: vec![b'a'; 8192] });
    let mut snaps = Vec::new();
    let mut snap = || {
        let s = backend.selfmanaged_snap_create(io.pool_id()).unwrap();
        snaps.insert(0, s);
        io.set_write_snapc(SnapContext { seq: s, snaps: snaps.clone() }).unwrap();
        s
    };
    assert_eq!(snap(), 2, "a pool's first self-managed snapshot id");
    run(b"o", OpStep::Write { offset: 4096, data: vec![b'b'; 1024].into() });
    snap();
    run(b"o", OpStep::Truncate { size: 6000 });
    snap();
    run(b"o", OpStep::Write { offset: 0, data: vec![b'c'; 100].into() });
    run(b"p", OpStep::WriteFull { data: vec![b'x'; 100] });
    snap();
    run(b"p", OpStep::Remove);
    io.set_read_snap(cephrs::rados::object::SNAP_DIR);
    let list = |name: &[u8]| match io.operate(name, ObjectOperation::single(OpStep::ListSnaps)).steps[0].out.clone() {
        StepOutput::Snaps(s) => {
            s.clones.iter().map(|c| (c.cloneid, c.snaps.clone(), c.size, c.overlap.clone())).collect::<Vec<_>>()
        }
        other => panic!("{other:?}"),
    };
    const HEAD: u64 = cephrs::rados::object::SNAP_HEAD;
    assert_eq!(
        list(b"o"),
        vec![
            (2, vec![2], 8192, vec![(0, 4096), (5120, 3072)]),
            (3, vec![3], 8192, vec![(0, 6000)]),
            (4, vec![4], 6000, vec![(100, 5900)]),
            (HEAD, vec![], 6000, vec![]),
        ]
    );
    assert_eq!(list(b"p"), vec![(5, vec![5], 100, vec![])]);
    r.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The last handle on a store may be dropped by a reply callback, on the
/// store's own finisher thread: the store then shuts down from that thread
/// without joining it (joining itself would fail and panic), and a new
/// connect meanwhile waits for that close rather than failing with EBUSY.
#[test]
fn last_handle_dropped_in_a_reply_callback() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static PANICKED: AtomicBool = AtomicBool::new(false);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name().is_some_and(|n| n.starts_with("cephrs-")) {
            PANICKED.store(true, Ordering::SeqCst);
        }
        previous(info);
    }));
    let dir = tmpdir("last-drop");
    let r = connect(&dir);
    r.backend().unwrap().pool_create("p", None).unwrap();
    let io = Arc::new(IoCtx::new(r.clone(), r.pool_by_name("p").unwrap()).unwrap());
    let (dropped_tx, dropped_rx) = std::sync::mpsc::channel::<()>();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<i32>();
    let (r2, io2) = (r.clone(), io.clone());
    io.aio_operate(
        b"o",
        ObjectOperation::single(OpStep::Write { offset: 0, data: vec![1; 8].into() }),
        None,
        move |reply| {
            // wait until the test has let go of its handles: these are the last
            dropped_rx.recv().unwrap();
            let _ = done_tx.send(reply.result);
            drop((io2, r2));
        },
    );
    drop((io, r));
    dropped_tx.send(()).unwrap();
    assert_eq!(done_rx.recv().unwrap(), 0);
    // at once: a connect waits for this process's closing of the store
    // (still under way on the finisher thread) instead of failing with EBUSY
    let r = connect(&dir);
    let io = IoCtx::new(r.clone(), r.pool_by_name("p").unwrap()).unwrap();
    assert_eq!(io.read(b"o", 0, 0).unwrap(), vec![1; 8]);
    r.shutdown();
    assert!(!PANICKED.load(Ordering::SeqCst), "a library thread panicked");
    std::fs::remove_dir_all(&dir).unwrap();
}
