//! The cluster client against a real cluster: set `CEPHRS_TEST_CLUSTER_CONF`
//! to a ceph.conf (tools/cluster.sh prints one). Without it these tests are
//! skipped (they print why); tools/test-all.sh always sets it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cephrs::config::{find_secret, Config, EntityName};
use cephrs::rados::cluster::cephx::CephxClient;
use cephrs::rados::cluster::connection::ClientIdentity;
use cephrs::rados::cluster::crypto::CryptoKey;
use cephrs::rados::cluster::handshake::{Credentials, CON_MODE_CRC, CON_MODE_SECURE};
use cephrs::rados::cluster::monclient::{parse_mon_host, MonClient};

fn conf() -> Option<String> {
    let c = std::env::var("CEPHRS_TEST_CLUSTER_CONF").ok();
    if c.is_none() {
        eprintln!("skipped: CEPHRS_TEST_CLUSTER_CONF is not set (no cluster to talk to)");
    }
    c
}

fn identity(conf: &str, modes: Vec<u32>) -> (Config, ClientIdentity) {
    let mut c = Config::new(EntityName::client("admin"), "ceph");
    c.read_files(Some(conf)).unwrap();
    let key = CryptoKey::from_base64(&find_secret(&c).unwrap()).unwrap();
    let cephx = Arc::new(Mutex::new(CephxClient::new(EntityName::client("admin"), key)));
    let id = ClientIdentity { credentials: Credentials::Cephx(cephx), modes, nonce: 12345, global_id: 0 };
    (c, id)
}

fn ceph_cli(conf: &str, args: &[&str]) -> String {
    let out = std::process::Command::new("ceph").arg("-c").arg(conf).args(args).output().unwrap();
    assert!(out.status.success(), "ceph {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn monitor_session_and_command_in_both_modes() {
    let Some(conf) = conf() else { return };
    let want_fsid = ceph_cli(&conf, &["fsid"]).trim().to_string();
    for mode in [CON_MODE_CRC, CON_MODE_SECURE] {
        let (c, id) = identity(&conf, vec![mode]);
        let mons = parse_mon_host(&c.get_str("mon_host")).unwrap();
        let mc = MonClient::connect(mons, id, Duration::from_secs(20)).unwrap();
        assert_eq!(mc.fsid(), want_fsid, "mode {mode}");
        assert!(mc.global_id() > 0);
        assert_eq!(mc.is_secure(), mode == CON_MODE_SECURE);
        let (r, _rs, out) = mc
            .command(&[r#"{"prefix": "fsid", "format": "json"}"#.to_string()], b"", Some(Duration::from_secs(20)))
            .unwrap();
        assert_eq!(r, 0);
        assert!(String::from_utf8_lossy(&out).contains(&want_fsid), "mode {mode}: {}", String::from_utf8_lossy(&out));
        let (r, rs, _) =
            mc.command(&[r#"{"prefix": "no such command"}"#.to_string()], b"", Some(Duration::from_secs(20))).unwrap();
        assert_eq!(r, -libc::EINVAL, "{rs}");
        mc.shutdown();
    }
}

#[test]
fn wrong_key_is_refused() {
    let Some(conf) = conf() else { return };
    let (c, _) = identity(&conf, vec![CON_MODE_CRC]);
    let key = CryptoKey::from_base64("AQAfeQJrXgGcFBAAQC2Dl9JKQTFedjiDn7Fdjg==").unwrap();
    let cephx = Arc::new(Mutex::new(CephxClient::new(EntityName::client("admin"), key)));
    let id =
        ClientIdentity { credentials: Credentials::Cephx(cephx), modes: vec![CON_MODE_CRC], nonce: 1, global_id: 0 };
    let mons = parse_mon_host(&c.get_str("mon_host")).unwrap();
    let r = MonClient::connect(mons, id, Duration::from_secs(10));
    assert!(matches!(r, Err(cephrs::error::Error::PermissionDenied(_))), "{:?}", r.err());
}
