//! The cluster log as the monitors send it to a `log-<level>` subscriber
//! (MLog): decoding its entries (`LogEntry`, Nautilus+ encoding) and
//! formatting them as upstream's `rados_monitor_log` callbacks see them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use crate::denc::{Decoder, EntityAddr, EntityNameT};
use crate::error::Result;
use crate::rados::backend::{ClusterLogCallback, ClusterLogEntry};

/// `MSG_LOG`.
pub const MSG_LOG: u16 = 52;

/// The subscription for a `rados_monitor_log` level, as upstream maps it.
/// Errors: None for an unknown level (EINVAL).
pub fn subscription(level: &str) -> Option<&'static str> {
    Some(match level {
        "debug" => "log-debug",
        "info" => "log-info",
        "warn" | "warning" | "sec" => "log-sec",
        "err" | "error" => "log-error",
        _ => return None,
    })
}

/// An MLog: its version (the paxos header's) and entries.
pub fn decode_message(front: &[u8]) -> Result<(u64, Vec<ClusterLogEntry>)> {
    let mut d = Decoder::new(front);
    let version = d.u64()?;
    d.take(2 + 8)?; // deprecated session mon and tid
    d.take(16)?; // fsid
    let n = d.u32()? as usize;
    let mut entries = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        entries.push(decode_entry(&mut d)?);
    }
    Ok((version, entries))
}

/// One `LogEntry` (v5: name, rank, addrs, stamp, seq, priority, message, channel).
fn decode_entry(d: &mut Decoder<'_>) -> Result<ClusterLogEntry> {
    d.versioned(5, |_, d| {
        let name_type = d.u32()?;
        let name_id = d.string()?;
        let rank = EntityNameT { kind: d.u8()?, num: d.i64()? };
        let addrs = EntityAddr::decode_vec(d)?;
        let sec = d.u32()?;
        let nsec = d.u32()?;
        let seq = d.u64()?;
        let prio = d.u16()? as i16;
        let msg = d.string()?;
        let channel = d.string()?;
        let name = format!("{}.{name_id}", entity_type_name(name_type));
        let level = priority_name(prio).to_string();
        let line = format!("{} {name} {level} {msg}", format_stamp(sec, nsec));
        Ok(ClusterLogEntry {
            line,
            channel,
            who: format!("{rank} {}", format_addrvec(&addrs)),
            name,
            sec: u64::from(sec),
            nsec: u64::from(nsec),
            seq,
            level,
            msg,
        })
    })
}

fn entity_type_name(kind: u32) -> &'static str {
    match kind {
        0x01 => "mon",
        0x02 => "mds",
        0x04 => "osd",
        0x08 => "client",
        0x10 => "mgr",
        0x20 => "auth",
        _ => "unknown",
    }
}

/// `clog_type` as upstream prints it.
fn priority_name(prio: i16) -> &'static str {
    match prio {
        0 => "[DBG]",
        1 => "[INF]",
        2 => "[SEC]",
        3 => "[WRN]",
        4 => "[ERR]",
        _ => "[???]",
    }
}

/// An `entity_addrvec_t` as upstream prints it: one address bare, several
/// in brackets.
fn format_addrvec(addrs: &[EntityAddr]) -> String {
    match addrs {
        [] => String::new(),
        [one] => one.to_string(),
        many => format!("[{}]", many.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")),
    }
}

/// A `utime_t` as upstream prints it: local time, ISO 8601 with
/// microseconds and the zone offset (`2026-11-22T10:00:00.123456+0000`);
/// times within ten years of the epoch as relative seconds.
pub fn format_stamp(sec: u32, nsec: u32) -> String {
    let usec = nsec / 1000;
    if u64::from(sec) < 60 * 60 * 24 * 365 * 10 {
        return format!("{sec}.{usec:06}");
    }
    let t = libc::time_t::from(sec);
    // SAFETY: all-zero is a valid `tm`; localtime_r fills it from a valid time_t.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the call.
    if unsafe { libc::localtime_r(&t, &mut tm) }.is_null() {
        return format!("{sec}.{usec:06}");
    }
    let mut zone = [0u8; 32];
    // SAFETY: the buffer is valid for its length, the format NUL-terminated, `tm` filled above.
    let n = unsafe { libc::strftime(zone.as_mut_ptr().cast(), zone.len(), c"%z".as_ptr(), &tm) };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{usec:06}{}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        String::from_utf8_lossy(&zone[..n])
    )
}

/// Runs one `rados_monitor_log` callback on a thread of its own, in the
/// order the monitors sent the entries; no callback runs after `stop`
/// returns (unless `stop` is called from the callback itself).
pub struct LogDelivery {
    tx: Option<mpsc::Sender<Vec<ClusterLogEntry>>>,
    stopped: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl LogDelivery {
    /// Starts delivering to `callback`; entries go in through `sender()`.
    pub fn start(callback: ClusterLogCallback) -> Result<LogDelivery> {
        let (tx, rx) = mpsc::channel::<Vec<ClusterLogEntry>>();
        let stopped = Arc::new(AtomicBool::new(false));
        let flag = stopped.clone();
        let thread = std::thread::Builder::new().name("cephrs-clog".into()).spawn(move || {
            for batch in rx {
                for entry in &batch {
                    if flag.load(Ordering::Acquire) {
                        return;
                    }
                    callback(entry);
                }
            }
        })?;
        Ok(LogDelivery { tx: Some(tx), stopped, thread: Some(thread) })
    }

    pub fn sender(&self) -> Option<mpsc::Sender<Vec<ClusterLogEntry>>> {
        self.tx.clone()
    }

    /// Stops delivering; waits for a callback under way (unless it is ours).
    pub fn stop(mut self) {
        self.stopped.store(true, Ordering::Release);
        self.tx = None;
        if let Some(t) = self.thread.take() {
            if t.thread().id() != std::thread::current().id() {
                let _ = t.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::denc::Encode;

    fn entry_bytes(msg: &str) -> Vec<u8> {
        let mut body = Vec::new();
        1u32.encode(&mut body); // mon
        "a".encode(&mut body);
        body.push(1);
        0i64.encode(&mut body);
        body.push(2);
        1u32.encode(&mut body);
        EntityAddr::new(EntityAddr::TYPE_MSGR2, "127.0.0.1:3300".parse().unwrap(), 0).encode(&mut body);
        1_000_000_000u32.encode(&mut body);
        5_000u32.encode(&mut body);
        7u64.encode(&mut body);
        1u16.encode(&mut body);
        msg.encode(&mut body);
        "cluster".encode(&mut body);
        let mut out = vec![5, 5];
        (body.len() as u32).encode(&mut out);
        out.extend_from_slice(&body);
        out
    }

    #[test]
    fn an_mlog_decodes_to_callback_arguments() {
        let mut front = Vec::new();
        42u64.encode(&mut front);
        front.extend_from_slice(&[0; 10 + 16]);
        1u32.encode(&mut front);
        front.extend_from_slice(&entry_bytes("hello"));
        let (version, entries) = decode_message(&front).unwrap();
        assert_eq!(version, 42);
        let e = &entries[0];
        assert_eq!((e.name.as_str(), e.level.as_str(), e.msg.as_str()), ("mon.a", "[INF]", "hello"));
        assert_eq!(e.who, "mon.0 v2:127.0.0.1:3300/0");
        assert_eq!((e.sec, e.nsec, e.seq, e.channel.as_str()), (1_000_000_000, 5_000, 7, "cluster"));
        assert!(e.line.starts_with("2001-09-"), "{}", e.line);
        assert!(e.line.ends_with(" mon.a [INF] hello"), "{}", e.line);
        assert!(e.line.contains(".000005"), "{}", e.line);
    }

    #[test]
    fn levels_map_to_subscriptions_as_upstream() {
        assert_eq!(subscription("info"), Some("log-info"));
        assert_eq!(subscription("warning"), Some("log-sec"));
        assert_eq!(subscription("err"), Some("log-error"));
        assert_eq!(subscription("verbose"), None);
        assert_eq!(format_stamp(12, 3000), "12.000003");
    }
}
