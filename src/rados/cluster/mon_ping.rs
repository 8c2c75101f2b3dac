//! `rados_ping_monitor`: an MPing to one monitor on a connection of its own;
//! the monitor answers with a JSON report (its health and `mon_status`).
//! Works before `rados_connect` too, as upstream's does: then the monitors
//! are those of `mon_host`, named `noname-a`, `noname-b`… in order.

use std::time::Duration;

use super::backend::client_identity;
use super::connection::{ClientIdentity, Message};
use super::daemon_command::{msgr2_addr, request, MonMap};
use super::monclient::parse_mon_host;
use crate::config::{Config, EntityType};
use crate::denc::{Decoder, EntityAddr};
use crate::error::{Error, Result};

/// `CEPH_MSG_PING`: the request and the reply.
const MSG_PING: u16 = 2;

/// How long to wait for the answer (`mon_client_ping_timeout`).
pub fn ping_timeout(config: &Config) -> Duration {
    Duration::from_secs_f64(config.get_f64("mon_client_ping_timeout").max(0.1))
}

/// The monitor `mon_id` of `monmap` (its name, or `noname-<mon_id>` as the
/// initial monitor map names them), its msgr2 address.
/// Errors: EINVAL for an empty id, ENOENT for a monitor not in the map.
pub fn find_monitor(monmap: &MonMap, mon_id: &str) -> Result<EntityAddr> {
    if mon_id.is_empty() {
        return Err(Error::invalid("empty monitor id"));
    }
    let noname = format!("noname-{mon_id}");
    let (name, addrs) = monmap
        .mons
        .iter()
        .find(|(name, _)| *name == noname)
        .or_else(|| monmap.mons.iter().find(|(name, _)| name == mon_id))
        .ok_or_else(|| Error::remote(-libc::ENOENT, format!("no such monitor 'mon.{mon_id}'")))?;
    msgr2_addr(addrs).ok_or_else(|| Error::remote(-libc::ENOENT, format!("mon.{name} has no msgr2 address")))
}

/// The monitor map built from `mon_host` before connecting: `noname-a`…
/// Errors: ENOENT when `mon_host` names no monitor.
pub fn initial_monmap(config: &Config) -> Result<MonMap> {
    let mons = parse_mon_host(&config.get_str("mon_host"))?;
    let mons = mons
        .into_iter()
        .enumerate()
        .map(|(i, addr)| {
            let name = format!("noname-{}", char::from(b'a' + (i % 26) as u8));
            (name, vec![EntityAddr::new(EntityAddr::TYPE_MSGR2, addr, 0)])
        })
        .collect();
    Ok(MonMap { mons, ..MonMap::default() })
}

/// Pings the monitor at `addr` as `identity` (a fresh, anonymous session)
/// and returns its report.
pub fn ping(addr: EntityAddr, identity: &ClientIdentity, timeout: Duration) -> Result<String> {
    let ping = Message::new(MSG_PING, 1, 0, Vec::new());
    let reply = request(addr, EntityType::Mon, identity, &ping, MSG_PING, timeout)?;
    if reply.front.is_empty() {
        return Ok(String::new());
    }
    let mut d = Decoder::new(&reply.front);
    d.string()
}

/// `ping` before connecting: the monitor `mon_id` of `mon_host`, as the
/// configured client.
pub fn ping_unconnected(config: &Config, mon_id: &str) -> Result<String> {
    let monmap = initial_monmap(config)?;
    let addr = find_monitor(&monmap, mon_id)?;
    ping(addr, &client_identity(config)?, ping_timeout(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monitors_are_found_by_name_or_initial_name() {
        let a = EntityAddr::new(EntityAddr::TYPE_MSGR2, "127.0.0.1:3300".parse().unwrap(), 0);
        let b = EntityAddr::new(EntityAddr::TYPE_MSGR2, "127.0.0.2:3300".parse().unwrap(), 0);
        let map = MonMap { mons: vec![("noname-a".into(), vec![a]), ("x".into(), vec![b])], ..MonMap::default() };
        assert_eq!(find_monitor(&map, "a").unwrap(), a);
        assert_eq!(find_monitor(&map, "x").unwrap(), b);
        assert_eq!(find_monitor(&map, "b").unwrap_err().errno(), libc::ENOENT);
        assert_eq!(find_monitor(&map, "").unwrap_err().errno(), libc::EINVAL);
    }

    #[test]
    fn the_initial_map_names_mon_host_in_order() {
        let mut config = Config::new(crate::config::EntityName::parse("client.admin").unwrap(), "ceph");
        config.set("mon_host", "10.0.0.1,10.0.0.2:3301").unwrap();
        let map = initial_monmap(&config).unwrap();
        let names: Vec<&str> = map.mons.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["noname-a", "noname-b"]);
        assert_eq!(find_monitor(&map, "b").unwrap().addr.unwrap().to_string(), "10.0.0.2:3301");
    }
}
