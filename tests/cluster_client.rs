//! The cluster client against a real cluster: set `CEPHRS_TEST_CLUSTER_CONF`
//! to a ceph.conf (tools/cluster.sh prints one). Without it these tests are
//! skipped (they print why); tools/test-all.sh always sets it.

mod common;

use std::sync::{Arc, Mutex};

use common::{ceph_cli, conf, identity, rados_client, write_stream};
use std::time::Duration;

use cephrs::config::EntityName;
use cephrs::rados::cluster::cephx::CephxClient;
use cephrs::rados::cluster::connection::ClientIdentity;
use cephrs::rados::cluster::crypto::CryptoKey;
use cephrs::rados::cluster::handshake::{Credentials, CON_MODE_CRC, CON_MODE_SECURE};
use cephrs::rados::cluster::monclient::{parse_mon_host, MonClient};

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
        if mode == CON_MODE_SECURE {
            // the session is kept alive: the monitor answers our periodic keepalive
            let opened = mc.last_keepalive_ack().unwrap();
            std::thread::sleep(Duration::from_secs(11));
            assert!(mc.last_keepalive_ack().unwrap() > opened, "no keepalive answered within 11 s");
        }
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

mod placement {
    use super::*;
    use cephrs::rados::cluster::monclient::OsdMapSink;
    use cephrs::rados::cluster::osdmap::{MapMessage, OsdMap};
    use std::sync::Condvar;

    #[derive(Default)]
    struct LatestMap {
        map: Mutex<Option<OsdMap>>,
        changed: Condvar,
    }

    impl OsdMapSink for LatestMap {
        fn osd_map(&self, front: &[u8]) {
            let msg = MapMessage::decode(front).expect("MOSDMap decodes");
            if let Some((_, full)) = msg.full.last_key_value() {
                let map = OsdMap::decode(full).expect("full OSD map decodes");
                *self.map.lock().unwrap() = Some(map);
                self.changed.notify_all();
            }
        }
    }

    fn json_field<'a>(json: &'a str, key: &str) -> &'a str {
        let at = json.find(&format!("\"{key}\":")).unwrap_or_else(|| panic!("no {key} in {json}")) + key.len() + 3;
        let rest = &json[at..];
        let end = if rest.starts_with('[') { rest.find(']').unwrap() + 1 } else { rest.find([',', '}']).unwrap() };
        rest[..end].trim_matches('"')
    }

    fn command(mc: &MonClient, json: &str) -> String {
        let (r, rs, out) = mc.command(&[json.to_string()], b"", Some(Duration::from_secs(60))).unwrap();
        assert_eq!(r, 0, "{json}: {rs}");
        String::from_utf8(out).unwrap()
    }

    /// A full map at least as new as the cluster's current epoch.
    fn fresh_map(mc: &MonClient, sink: &LatestMap) -> OsdMap {
        let epoch: u32 =
            json_field(&command(mc, r#"{"prefix": "osd dump", "format": "json"}"#), "epoch").parse().unwrap();
        mc.want_osdmap(0).unwrap();
        let mut g = sink.map.lock().unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while g.as_ref().is_none_or(|m| m.epoch < epoch) {
            assert!(std::time::Instant::now() < deadline, "no OSD map of epoch {epoch}");
            g = sink.changed.wait_timeout(g, Duration::from_secs(1)).unwrap().0;
            drop(g);
            mc.want_osdmap(0).unwrap();
            g = sink.map.lock().unwrap();
        }
        g.clone().unwrap()
    }

    #[test]
    fn ten_thousand_names_place_as_ceph_osd_map_says() {
        let Some(conf) = conf() else { return };
        let (c, id) = identity(&conf, vec![CON_MODE_CRC]);
        let mons = parse_mon_host(&c.get_str("mon_host")).unwrap();
        let mc = MonClient::connect(mons, id, Duration::from_secs(20)).unwrap();
        let sink = Arc::new(LatestMap::default());
        let weak: std::sync::Weak<dyn OsdMapSink> = Arc::downgrade(&(sink.clone() as Arc<dyn OsdMapSink>));
        mc.set_osdmap_sink(weak);

        // a second pool of 12 PGs, size 2, with pg_upmap_items on some of its PGs
        let _ = mc.command(
            &[r#"{"prefix": "osd pool create", "pool": "placement12", "pg_num": 12, "pgp_num": 12}"#.to_string()],
            b"",
            Some(Duration::from_secs(60)),
        );
        let _ = command(
            &mc,
            r#"{"prefix": "osd pool set", "pool": "placement12", "var": "size", "val": "2", "yes_i_really_mean_it": true}"#,
        );
        command(
            &mc,
            r#"{"prefix": "osd set-require-min-compat-client", "version": "luminous", "yes_i_really_mean_it": true}"#,
        );
        let map = fresh_map(&mc, &sink);
        let pool12 = map.pool_by_name("placement12").unwrap().clone();
        let osds = map.max_osd;
        let mut upmapped = 0;
        if osds >= 3 {
            // start from CRUSH's own mapping (a rerun finds the previous run's items)
            for seed in 0..4u32 {
                let pg = cephrs::rados::cluster::osdmap::PgId { pool: pool12.id, seed };
                let _ = mc.command(
                    &[format!(r#"{{"prefix": "osd rm-pg-upmap-items", "pgid": "{pg}"}}"#)],
                    b"",
                    Some(Duration::from_secs(60)),
                );
            }
            let map = fresh_map(&mc, &sink);
            for seed in 0..4u32 {
                let p = map.placement(cephrs::rados::cluster::osdmap::PgId { pool: pool12.id, seed }).unwrap();
                let from = p.up[0];
                let to = (0..osds).find(|o| !p.up.contains(o)).unwrap();
                command(
                    &mc,
                    &format!(r#"{{"prefix": "osd pg-upmap-items", "pgid": "{}", "id": [{from}, {to}]}}"#, p.pg),
                );
                upmapped += 1;
            }
        }
        let map = fresh_map(&mc, &sink);
        let items = map.pg_upmap_items.keys().filter(|pg| pg.pool == pool12.id).count();
        assert_eq!(items, upmapped, "pg_upmap_items in the decoded map");

        let rbd = map.pool_by_name("rbd").unwrap().clone();
        let mut cases = Vec::new();
        for (pool, n) in [(&rbd, 6000usize), (&pool12, 4000)] {
            for i in 0..n {
                let name = format!("obj-{i}-{}", i * 7919);
                match i % 4 {
                    0 | 1 => cases.push((pool.clone(), name, String::new(), String::new())),
                    2 => cases.push((pool.clone(), name, String::new(), format!("ns{}", i % 13))),
                    _ => cases.push((pool.clone(), name, format!("key{}", i % 97), String::new())),
                }
            }
        }
        // upmapped PGs must be among the cases: every PG of pool12 gets thousands of names
        let mc = Arc::new(mc);
        let chunks: Vec<_> = cases.chunks(cases.len() / 4 + 1).map(|c| c.to_vec()).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let mc = mc.clone();
                let map = map.clone();
                std::thread::spawn(move || {
                    let mut checked = 0;
                    for (pool, name, key, ns) in chunk {
                        // the monitor places by the locator key when there is one
                        let asked = if key.is_empty() { &name } else { &key };
                        let json = command(
                            &mc,
                            &format!(
                                r#"{{"prefix": "osd map", "pool": "{}", "object": "{asked}", "nspace": "{ns}", "format": "json"}}"#,
                                pool.name
                            ),
                        );
                        let raw = map.object_pg(&pool, name.as_bytes(), key.as_bytes(), ns.as_bytes());
                        let ours = map.placement(raw).unwrap();
                        let list = |v: &[i32]| format!("[{}]", v.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(","));
                        assert_eq!(json_field(&json, "raw_pgid"), format!("{}.{:x}", raw.pool, raw.seed), "{json}");
                        assert_eq!(json_field(&json, "pgid"), ours.pg.to_string(), "{json}");
                        assert_eq!(json_field(&json, "up"), list(&ours.up), "{json}");
                        assert_eq!(json_field(&json, "acting"), list(&ours.acting), "{json}");
                        assert_eq!(json_field(&json, "up_primary"), ours.up_primary.to_string(), "{json}");
                        assert_eq!(json_field(&json, "acting_primary"), ours.acting_primary.to_string(), "{json}");
                        checked += 1;
                    }
                    checked
                })
            })
            .collect();
        let total: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(total, 10_000);
        eprintln!("placement: 10000 names equal to `osd map` ({} OSDs, {upmapped} PGs with pg_upmap_items)", osds);
        mc.shutdown();
    }
}

#[test]
fn thirty_two_ops_to_osds_without_a_session_complete() {
    let Some(conf) = conf() else { return };
    let (rados, io) = rados_client(&conf, "crc");
    // the first ops of a fresh client: every OSD session opens under them
    let (_, failures) = write_stream(&io, "fresh32", 32, |i| i < 32);
    assert!(failures.is_empty(), "{failures:?}");
    for i in 0..32 {
        let got = io.read(format!("fresh32-{i}").as_bytes(), 0, 0).unwrap();
        assert_eq!(got, vec![(i % 251) as u8; 4096], "object {i}");
    }
    rados.shutdown();
}

#[test]
fn two_hundred_thousand_writes_in_secure_mode() {
    let Some(conf) = conf() else { return };
    let (rados, io) = rados_client(&conf, "secure");
    let count: usize = std::env::var("CEPHRS_TEST_STREAM_WRITES").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let start = std::time::Instant::now();
    let (_, failures) = write_stream(&io, "stream", 32, |i| i < count);
    let secs = start.elapsed().as_secs_f64();
    assert!(failures.is_empty(), "{} failures, first {:?}", failures.len(), &failures[..failures.len().min(5)]);
    // the last writes of each object read back
    for i in (count.saturating_sub(4096)..count).step_by(97) {
        let got = io.read(format!("stream-{}", i % 4096).as_bytes(), 0, 0).unwrap();
        assert_eq!(got, vec![(i % 251) as u8; 4096], "write {i}");
    }
    println!(
        "stream: {count} 4 KiB writes at 32 in flight, secure mode, {:.0} writes/s, no errors",
        count as f64 / secs
    );
    rados.shutdown();
}
