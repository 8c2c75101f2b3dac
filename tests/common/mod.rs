//! Helpers shared by the live-cluster tests (`CEPHRS_TEST_CLUSTER_CONF`).
#![allow(dead_code)]

use std::time::Duration;

use cephrs::config::EntityName;

/// The cluster's ceph.conf, or None (the test is skipped and says why).
pub fn conf() -> Option<String> {
    let c = std::env::var("CEPHRS_TEST_CLUSTER_CONF").ok();
    if c.is_none() {
        eprintln!("skipped: CEPHRS_TEST_CLUSTER_CONF is not set (no cluster to talk to)");
    }
    c
}

/// The client.admin identity of the cluster's conf, offering `modes`.
pub fn identity(
    conf: &str,
    modes: Vec<u32>,
) -> (cephrs::config::Config, cephrs::rados::cluster::connection::ClientIdentity) {
    use cephrs::config::{find_secret, Config};
    use cephrs::rados::cluster::{
        cephx::CephxClient, connection::ClientIdentity, crypto::CryptoKey, handshake::Credentials,
    };
    let mut c = Config::new(EntityName::client("admin"), "ceph");
    c.read_files(Some(conf)).unwrap();
    let key = CryptoKey::from_base64(&find_secret(&c).unwrap()).unwrap();
    let cephx = std::sync::Arc::new(std::sync::Mutex::new(CephxClient::new(EntityName::client("admin"), key)));
    let id = ClientIdentity { credentials: Credentials::Cephx(cephx), modes, nonce: 12345, global_id: 0 };
    (c, id)
}

pub fn ceph_cli(conf: &str, args: &[&str]) -> String {
    let out = std::process::Command::new("ceph").arg("-c").arg(conf).args(args).output().unwrap();
    assert!(out.status.success(), "ceph {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A client of the cluster through the RADOS API, in `mode` (crc or secure).
pub fn rados_client(
    conf: &str,
    mode: &str,
) -> (std::sync::Arc<cephrs::rados::Rados>, std::sync::Arc<cephrs::rados::IoCtx>) {
    use cephrs::rados::{ConfigContext, IoCtx, Rados};
    let ctx = ConfigContext::new(EntityName::client("admin"), "ceph");
    {
        let mut c = ctx.config();
        c.read_files(Some(conf)).unwrap();
        c.set("ms_client_mode", mode).unwrap();
        c.set("ms_mon_client_mode", mode).unwrap();
    }
    let rados = Rados::new(ctx);
    rados.connect().unwrap();
    let pool = rados.pool_by_name("rbd").unwrap();
    let io = IoCtx::new(rados.clone(), pool).unwrap();
    (rados, io)
}

/// Writes 4 KiB to objects `{prefix}-{i % 4096}` (every byte `i % 251`) with
/// `depth` in flight while `keep_going(i)`; returns how many were issued and the
/// failures.
pub fn write_stream(
    io: &std::sync::Arc<cephrs::rados::IoCtx>,
    prefix: &str,
    depth: usize,
    keep_going: impl Fn(usize) -> bool,
) -> (usize, Vec<String>) {
    use cephrs::rados::op::{ObjectOperation, OpStep};
    let (tx, rx) = std::sync::mpsc::channel();
    let mut failures = Vec::new();
    let mut in_flight = 0;
    let mut i = 0;
    while keep_going(i) {
        if in_flight == depth {
            let (name, r): (String, i32) =
                rx.recv_timeout(Duration::from_secs(60)).expect("a write did not complete within 60 s");
            if r != 0 {
                failures.push(format!("{name}: {r}"));
            }
            in_flight -= 1;
        }
        let name = format!("{prefix}-{}", i % 4096);
        let data = vec![(i % 251) as u8; 4096];
        let tx = tx.clone();
        let key = name.clone().into_bytes();
        io.aio_operate(
            &key,
            ObjectOperation::single(OpStep::Write { offset: 0, data: data.into() }),
            None,
            move |reply| {
                let _ = tx.send((name, reply.result));
            },
        );
        in_flight += 1;
        i += 1;
    }
    for _ in 0..in_flight {
        let (name, r) = rx.recv_timeout(Duration::from_secs(60)).expect("a write did not complete within 60 s");
        if r != 0 {
            failures.push(format!("{name}: {r}"));
        }
    }
    (i, failures)
}
