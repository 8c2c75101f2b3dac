//! Wire types shared by several layers: `utime_t`, `entity_name_t`, `entity_addr_t`.

use super::{Decode, Decoder, Encode};
use crate::error::{Error, Result};

/// `utime_t`: seconds and nanoseconds, u32 each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UTime {
    pub sec: u32,
    pub nsec: u32,
}

impl UTime {
    /// The current time.
    pub fn now() -> UTime {
        let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        UTime { sec: d.as_secs() as u32, nsec: d.subsec_nanos() }
    }

    /// `now + seconds`.
    pub fn after(seconds: f64) -> UTime {
        let now = UTime::now();
        let total = now.sec as f64 + now.nsec as f64 / 1e9 + seconds;
        UTime { sec: total as u32, nsec: ((total.fract()) * 1e9) as u32 }
    }

    pub fn is_zero(&self) -> bool {
        self.sec == 0 && self.nsec == 0
    }
}

impl Encode for UTime {
    fn encode(&self, out: &mut Vec<u8>) {
        self.sec.encode(out);
        self.nsec.encode(out);
    }
}
impl Decode for UTime {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        Ok(UTime { sec: d.u32()?, nsec: d.u32()? })
    }
}

/// An entity's name on the wire: type and number (`entity_name_t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityNameT {
    pub kind: u8,
    pub num: i64,
}

impl EntityNameT {
    /// `client.<num>`.
    pub fn client(num: u64) -> EntityNameT {
        EntityNameT { kind: crate::config::EntityType::Client as u8, num: num as i64 }
    }

    /// Parses `type.num` (`client.4123`, `osd.0`…), as `entity_name_t::parse`.
    pub fn parse(s: &str) -> Option<EntityNameT> {
        let (kind, num) = s.split_once('.')?;
        let kind = match kind {
            "mon" => 0x01,
            "mds" => 0x02,
            "osd" => 0x04,
            "client" => 0x08,
            "mgr" => 0x10,
            _ => return None,
        };
        Some(EntityNameT { kind, num: num.parse().ok()? })
    }
}

impl Encode for EntityNameT {
    fn encode(&self, out: &mut Vec<u8>) {
        self.kind.encode(out);
        self.num.encode(out);
    }
}

impl Decode for EntityNameT {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        Ok(EntityNameT { kind: d.u8()?, num: d.i64()? })
    }
}

impl std::fmt::Display for EntityNameT {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.kind {
            0x01 => "mon",
            0x02 => "mds",
            0x04 => "osd",
            0x08 => "client",
            0x10 => "mgr",
            _ => "unknown",
        };
        write!(f, "{kind}.{}", self.num)
    }
}

/// An entity address (`entity_addr_t`): type, nonce and IP socket address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EntityAddr {
    /// 0 none, 1 legacy (msgr v1), 2 msgr v2, 3 any.
    pub kind: u32,
    pub nonce: u32,
    pub addr: Option<std::net::SocketAddr>,
}

impl EntityAddr {
    pub const TYPE_NONE: u32 = 0;
    pub const TYPE_LEGACY: u32 = 1;
    pub const TYPE_MSGR2: u32 = 2;
    pub const TYPE_ANY: u32 = 3;

    pub fn new(kind: u32, addr: std::net::SocketAddr, nonce: u32) -> EntityAddr {
        EntityAddr { kind, nonce, addr: Some(addr) }
    }
}

impl EntityAddr {
    /// Parses an address as upstream's `entity_addr_t::parse` does
    /// (`[v1:|v2:|any:]ip[:port][/nonce]`, IPv6 in brackets or bare, `-`
    /// for none); the whole text must be used. Without a type prefix the
    /// address is of type `default_kind`.
    pub fn parse_text(s: &str, default_kind: u32) -> Option<EntityAddr> {
        let (kind, rest) = if let Some(r) = s.strip_prefix("v1:") {
            (EntityAddr::TYPE_LEGACY, r)
        } else if let Some(r) = s.strip_prefix("v2:") {
            (EntityAddr::TYPE_MSGR2, r)
        } else if let Some(r) = s.strip_prefix("any:") {
            (EntityAddr::TYPE_ANY, r)
        } else if s == "-" {
            return Some(EntityAddr::default());
        } else {
            (default_kind, s)
        };
        let (brackets, rest) = match rest.strip_prefix('[') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let v4_len = rest.find(|c: char| !(c == '.' || c.is_ascii_digit())).unwrap_or(rest.len());
        let v6_len = rest.find(|c: char| !(c == ':' || c.is_ascii_hexdigit())).unwrap_or(rest.len());
        let (ip, mut rest): (std::net::IpAddr, &str) = if let Ok(v4) = rest[..v4_len].parse::<std::net::Ipv4Addr>() {
            (v4.into(), &rest[v4_len..])
        } else if let Ok(v6) = rest[..v6_len].parse::<std::net::Ipv6Addr>() {
            (v6.into(), &rest[v6_len..])
        } else {
            return None;
        };
        if brackets {
            rest = rest.strip_prefix(']')?;
        }
        let mut port = 0u16;
        if let Some(r) = rest.strip_prefix(':') {
            let digits = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            port = if digits == 0 { 0 } else { r[..digits].parse().ok()? };
            rest = &r[digits..];
        }
        let mut nonce = 0u32;
        if let Some(r) = rest.strip_prefix('/') {
            let digits = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            nonce = if digits == 0 { 0 } else { r[..digits].parse::<i64>().ok()? as u32 };
            rest = &r[digits..];
        }
        if !rest.is_empty() {
            return None;
        }
        Some(EntityAddr::new(kind, std::net::SocketAddr::new(ip, port), nonce))
    }

    /// The address without its type, as upstream's `get_legacy_str`
    /// (`ip:port/nonce`): how lock lockers and blocklist commands name it.
    pub fn legacy_string(&self) -> String {
        match self.addr {
            Some(a) => format!("{a}/{}", self.nonce),
            None => format!(":/{}", self.nonce),
        }
    }
}

impl Default for EntityAddr {
    fn default() -> Self {
        EntityAddr { kind: EntityAddr::TYPE_NONE, nonce: 0, addr: None }
    }
}

impl std::fmt::Display for EntityAddr {
    /// As upstream prints it: `-`, or `[v1:|v2:]ip:port/nonce`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let prefix = match self.kind {
            EntityAddr::TYPE_NONE => return write!(f, "-"),
            EntityAddr::TYPE_LEGACY => "v1:",
            EntityAddr::TYPE_MSGR2 => "v2:",
            _ => "",
        };
        match self.addr {
            Some(a) => write!(f, "{prefix}{a}/{}", self.nonce),
            None => write!(f, "{prefix}(unrecognized address family 0)/{}", self.nonce),
        }
    }
}

const AF_INET: u16 = 2;
const AF_INET6: u16 = 10;

impl Encode for EntityAddr {
    /// The msgr2-era encoding: marker 1, then a versioned envelope with type,
    /// nonce and the sockaddr bytes (family little-endian, port big-endian).
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(1);
        super::encode_versioned(out, 1, 1, |o| {
            self.kind.encode(o);
            self.nonce.encode(o);
            let mut sa = Vec::new();
            match self.addr {
                Some(std::net::SocketAddr::V4(v4)) => {
                    sa.extend_from_slice(&AF_INET.to_le_bytes());
                    sa.extend_from_slice(&v4.port().to_be_bytes());
                    sa.extend_from_slice(&v4.ip().octets());
                    sa.extend_from_slice(&[0; 8]);
                }
                Some(std::net::SocketAddr::V6(v6)) => {
                    sa.extend_from_slice(&AF_INET6.to_le_bytes());
                    sa.extend_from_slice(&v6.port().to_be_bytes());
                    sa.extend_from_slice(&v6.flowinfo().to_be_bytes());
                    sa.extend_from_slice(&v6.ip().octets());
                    sa.extend_from_slice(&v6.scope_id().to_le_bytes());
                }
                None => {}
            }
            (sa.len() as u32).encode(o);
            o.extend_from_slice(&sa);
        });
    }
}

impl Decode for EntityAddr {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        let marker = d.u8()?;
        if marker == 0 {
            // legacy encoding: 3 more bytes of the u32 0, nonce, 128-byte sockaddr_storage
            d.take(3)?;
            let nonce = d.u32()?;
            let ss = d.take(128)?;
            let addr = sockaddr_from_bytes(ss, true)?;
            return Ok(EntityAddr { kind: EntityAddr::TYPE_LEGACY, nonce, addr });
        }
        if marker != 1 {
            return Err(Error::Corrupt(format!("entity_addr_t marker {marker}")));
        }
        d.versioned(1, |_, d| {
            let kind = d.u32()?;
            let nonce = d.u32()?;
            let len = d.u32()? as usize;
            let sa = d.take(len)?;
            Ok(EntityAddr { kind, nonce, addr: sockaddr_from_bytes(sa, false)? })
        })
    }
}

impl EntityAddr {
    /// An `entity_addrvec_t`: marker 2 and a counted list, or (older
    /// encoders) a single `entity_addr_t`.
    pub fn decode_vec(d: &mut Decoder<'_>) -> Result<Vec<EntityAddr>> {
        if d.clone().u8()? == 2 {
            d.u8()?;
            let n = d.count(1)?;
            (0..n).map(|_| EntityAddr::decode(d)).collect()
        } else {
            Ok(vec![EntityAddr::decode(d)?])
        }
    }
}

/// A sockaddr as Ceph encodes it; the legacy form has a big-endian family.
fn sockaddr_from_bytes(sa: &[u8], legacy: bool) -> Result<Option<std::net::SocketAddr>> {
    if sa.len() < 2 {
        return Ok(None);
    }
    let family = if legacy { u16::from_be_bytes([sa[0], sa[1]]) } else { u16::from_le_bytes([sa[0], sa[1]]) };
    let bad = || Error::Corrupt("short sockaddr".into());
    match family {
        AF_INET => {
            let b = sa.get(2..8).ok_or_else(bad)?;
            let port = u16::from_be_bytes([b[0], b[1]]);
            let ip = std::net::Ipv4Addr::new(b[2], b[3], b[4], b[5]);
            Ok(Some(std::net::SocketAddr::from((ip, port))))
        }
        AF_INET6 => {
            let b = sa.get(2..28).ok_or_else(bad)?;
            let port = u16::from_be_bytes([b[0], b[1]]);
            let mut octets = [0u8; 16];
            octets.copy_from_slice(&b[6..22]);
            Ok(Some(std::net::SocketAddr::from((std::net::Ipv6Addr::from(octets), port))))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_parse_as_upstream_parses_them() {
        let a = EntityAddr::parse_text("127.0.0.1:0/3894721", EntityAddr::TYPE_LEGACY).unwrap();
        assert_eq!((a.kind, a.nonce, a.addr.unwrap().to_string()), (1, 3894721, "127.0.0.1:0".into()));
        let b = EntityAddr::parse_text("v2:[::1]:3300/7", EntityAddr::TYPE_LEGACY).unwrap();
        assert_eq!((b.kind, b.nonce, b.addr.unwrap().to_string()), (2, 7, "[::1]:3300".into()));
        assert_eq!(EntityAddr::parse_text("10.1.2.3", 3).unwrap().to_string(), "10.1.2.3:0/0");
        assert_eq!(EntityAddr::parse_text("-", 1), Some(EntityAddr::default()));
        // the legacy string (lockers, blocklist commands) drops the type and parses back
        assert_eq!(a.legacy_string(), "127.0.0.1:0/3894721");
        assert_eq!(b.legacy_string(), "[::1]:3300/7");
        assert_eq!(EntityAddr::parse_text(&b.legacy_string(), 2), Some(b));
        for bad in ["", "foo", "1.2.3.4:99999", "1.2.3.4 x", "[::1", "1.2.3.4/5x"] {
            assert_eq!(EntityAddr::parse_text(bad, 1), None, "{bad}");
        }
    }

    use super::*;

    #[test]
    fn entity_addr_round_trip_and_display() {
        let a = EntityAddr::new(EntityAddr::TYPE_LEGACY, "127.0.0.1:6789".parse().unwrap(), 42);
        let bytes = a.to_bytes();
        assert_eq!(bytes[0], 1);
        assert_eq!(EntityAddr::from_bytes(&bytes).unwrap(), a);
        assert_eq!(a.to_string(), "v1:127.0.0.1:6789/42");
        let any = EntityAddr { kind: EntityAddr::TYPE_ANY, ..a };
        assert_eq!(any.to_string(), "127.0.0.1:6789/42");
        assert_eq!(EntityAddr::default().to_string(), "-");
    }
}
