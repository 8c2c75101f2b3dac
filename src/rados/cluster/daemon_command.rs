//! Commands sent to one daemon rather than to the monitor cluster: MCommand
//! to an OSD (`rados_osd_command`, `rados_pg_command`), to one monitor
//! (`rados_mon_command_target`) or to a named manager (tell), and
//! MMgrCommand to the active manager (`rados_mgr_command`); plus the monitor
//! and manager maps that say where those daemons are.
//!
//! Each command runs on a connection of its own, opened for it and closed
//! after the reply: these are administrative calls, and a connection per call
//! keeps them apart from the data path.

use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use super::connection::{ClientIdentity, Connection, Dispatcher, Message};
use super::monclient::CommandReply;
use crate::config::EntityType;
use crate::denc::{Decoder, Encode, EntityAddr};
use crate::error::{Error, Result};

pub mod msg {
    pub const COMMAND: u16 = 97;
    pub const COMMAND_REPLY: u16 = 98;
    pub const MGR_MAP: u16 = 0x704;
    pub const MGR_COMMAND: u16 = 0x709;
    pub const MGR_COMMAND_REPLY: u16 = 0x70a;
}

/// The monitors of the monitor map, in rank order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MonMap {
    pub fsid: [u8; 16],
    pub epoch: u32,
    /// (name, addresses) by rank.
    pub mons: Vec<(String, Vec<EntityAddr>)>,
}

impl MonMap {
    /// Decodes the monitor map an MMonMap carries (Nautilus+ encoding, v6+:
    /// `mon_info` by name and the rank order).
    pub fn decode_message(front: &[u8]) -> Result<MonMap> {
        let mut d = Decoder::new(front);
        MonMap::decode(d.bytes()?)
    }

    pub fn decode(buf: &[u8]) -> Result<MonMap> {
        Decoder::new(buf).versioned(u8::MAX, |v, d| {
            let fsid: [u8; 16] = d.take(16)?.try_into().expect("16 bytes");
            let epoch = d.u32()?;
            if v < 6 {
                // a pre-Nautilus map: its fsid is all we read
                return Ok(MonMap { fsid, epoch, mons: Vec::new() });
            }
            d.take(16)?; // last_changed, created
            d.versioned(u8::MAX, |_, _| Ok(()))?; // persistent features
            d.versioned(u8::MAX, |_, _| Ok(()))?; // optional features
            let n = d.count(6)?;
            let mut info = Vec::with_capacity(n);
            for _ in 0..n {
                let key = d.string()?;
                let addrs = d.versioned(u8::MAX, |_, d| {
                    let _name = d.string()?;
                    EntityAddr::decode_vec(d)
                })?;
                info.push((key, addrs));
            }
            let n = d.count(4)?;
            let mut mons = Vec::with_capacity(n);
            for _ in 0..n {
                let name = d.string()?;
                let addrs = info.iter().find(|(k, _)| *k == name).map(|(_, a)| a.clone()).unwrap_or_default();
                mons.push((name, addrs));
            }
            Ok(MonMap { fsid, epoch, mons })
        })
    }

    /// The monitor a target names: a rank when it is a number (as librados
    /// reads it), else a name. ENOENT when there is no such monitor.
    pub fn find(&self, target: &str) -> Result<&(String, Vec<EntityAddr>)> {
        let found = match target.parse::<i64>() {
            Ok(rank) if rank >= 0 => self.mons.get(rank as usize),
            _ => self.mons.iter().find(|(name, _)| name == target),
        };
        found.ok_or_else(|| Error::remote(-libc::ENOENT, format!("no monitor '{target}' in the monitor map")))
    }
}

/// The active manager, as the manager map says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MgrMap {
    pub epoch: u32,
    pub active_addrs: Vec<EntityAddr>,
    pub active_gid: u64,
    pub available: bool,
    pub active_name: String,
}

impl MgrMap {
    pub fn decode(front: &[u8]) -> Result<MgrMap> {
        Decoder::new(front).versioned(u8::MAX, |_, d| {
            Ok(MgrMap {
                epoch: d.u32()?,
                active_addrs: EntityAddr::decode_vec(d)?,
                active_gid: d.u64()?,
                available: d.u8()? != 0,
                active_name: d.string()?,
            })
        })
    }
}

/// The msgr2 address among `addrs`.
pub fn msgr2_addr(addrs: &[EntityAddr]) -> Option<EntityAddr> {
    addrs.iter().find(|a| a.kind == EntityAddr::TYPE_MSGR2 && a.addr.is_some()).copied()
}

/// An MCommand (`fsid` set: a tell command) or MMgrCommand: the command
/// strings in the front, the input as data.
pub fn command_message(kind: u16, fsid: [u8; 16], cmd: &[String], input: &[u8]) -> Message {
    let mut front = Vec::with_capacity(16 + cmd.iter().map(|c| c.len() + 4).sum::<usize>() + 4);
    front.extend_from_slice(&fsid);
    cmd.to_vec().encode(&mut front);
    let mut m = Message::new(kind, 1, 0, front);
    m.tid = 1;
    m.data = input.to_vec().into();
    m
}

/// Waits for the reply (same tid) on a command's own connection.
struct ReplyWaiter {
    reply_kind: u16,
    tid: u64,
    tx: Mutex<Option<mpsc::Sender<Result<Message>>>>,
}

impl ReplyWaiter {
    fn finish(&self, r: Result<Message>) {
        if let Some(tx) = self.tx.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = tx.send(r);
        }
    }
}

impl Dispatcher for ReplyWaiter {
    fn message(&self, _conn: &Arc<Connection>, msg: Message) {
        if msg.kind == self.reply_kind && msg.tid == self.tid {
            self.finish(Ok(msg));
        }
    }

    fn fault(&self, _conn: &Arc<Connection>, err: &Error) {
        self.finish(Err(Error::remote(
            -libc::ECONNRESET,
            format!("the daemon closed the command's connection: {err}"),
        )));
    }
}

/// Opens a connection to the daemon at `addr`, sends `msg` and returns the
/// reply's (return code, status, output); within `timeout`.
pub fn run(
    addr: EntityAddr,
    peer_type: EntityType,
    identity: &ClientIdentity,
    msg: &Message,
    timeout: Duration,
) -> Result<CommandReply> {
    let reply_kind = if msg.kind == msg::MGR_COMMAND { msg::MGR_COMMAND_REPLY } else { msg::COMMAND_REPLY };
    let reply = request(addr, peer_type, identity, msg, reply_kind, timeout)?;
    let mut d = Decoder::new(&reply.front);
    let r = d.i32()?;
    let rs = d.string()?;
    Ok((r, rs, reply.data.into_vec()))
}

/// Opens a connection to the daemon at `addr`, sends `msg` and returns the
/// first message of `reply_kind` with the same tid; within `timeout`. The
/// connection presents a nonce of its own.
pub fn request(
    addr: EntityAddr,
    peer_type: EntityType,
    identity: &ClientIdentity,
    msg: &Message,
    reply_kind: u16,
    timeout: Duration,
) -> Result<Message> {
    let (tx, rx) = mpsc::channel();
    let waiter = Arc::new(ReplyWaiter { reply_kind, tid: msg.tid, tx: Mutex::new(Some(tx)) });
    // a nonce of its own: a daemon takes a second connection from the same
    // address and nonce for a reconnect and drops the first (our OSD or
    // manager session), as upstream's separate messengers avoid too
    let mut identity = identity.clone();
    identity.nonce = super::crypto::random_u64() as u32;
    let conn = Connection::open_addr(addr, peer_type, &identity, timeout.min(Duration::from_secs(10)), waiter)?;
    let reply = conn.send(msg).and_then(|()| {
        rx.recv_timeout(timeout).map_err(|_| Error::TimedOut(format!("request to {} {}", peer_type.as_str(), addr)))?
    });
    conn.close();
    reply
}

/// A PG id as librados parses it (`pg_t::parse`, sscanf "%llu.%x": what
/// follows the hex seed is ignored).
pub fn parse_pg(text: &str) -> Option<(i64, u32)> {
    let text = text.trim_start();
    let (pool, rest) = text.split_once('.')?;
    let pool: u64 = pool.parse().ok()?;
    let hex: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
    let seed = u32::from_str_radix(&hex, 16).ok()?;
    Some((pool as i64, seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pg_ids_parse_as_librados_does() {
        assert_eq!(parse_pg("1.0"), Some((1, 0)));
        assert_eq!(parse_pg("3.1f"), Some((3, 0x1f)));
        assert_eq!(parse_pg("3.1fs0"), Some((3, 0x1f)));
        assert_eq!(parse_pg("x.1"), None);
        assert_eq!(parse_pg("1"), None);
        assert_eq!(parse_pg("1."), None);
    }

    #[test]
    fn monitors_are_found_by_rank_or_name() {
        let a = EntityAddr::new(EntityAddr::TYPE_MSGR2, "127.0.0.1:3300".parse().unwrap(), 0);
        let map = MonMap { mons: vec![("a".into(), vec![a]), ("b".into(), Vec::new())], ..MonMap::default() };
        assert_eq!(map.find("0").unwrap().0, "a");
        assert_eq!(map.find("b").unwrap().0, "b");
        assert!(map.find("2").is_err());
        assert!(map.find("c").is_err());
        assert_eq!(msgr2_addr(&map.mons[0].1), Some(a));
    }
}
