//! Parsing and printing option values by kind, with upstream's rules.
//!
//! A value is stored in its printed (canonical) form, so that `rados_conf_get`
//! answers exactly what upstream answers, and typed getters re-parse it.

use super::schema::OptionKind;
use crate::error::{Error, Result};

/// Validates `raw` for `kind` and returns its canonical printed form.
pub fn canonical(kind: OptionKind, raw: &str) -> Result<String> {
    let bad = || Error::invalid(format!("'{raw}' is not a valid {kind:?} value"));
    Ok(match kind {
        OptionKind::Str => raw.to_string(),
        OptionKind::Bool => parse_bool(raw).ok_or_else(bad)?.to_string(),
        OptionKind::Int => parse_si(raw, 1000).ok_or_else(bad)?.to_string(),
        OptionKind::Uint => {
            let v = parse_si(raw, 1000).ok_or_else(bad)?;
            u64::try_from(v).map_err(|_| bad())?.to_string()
        }
        OptionKind::Float => format!("{:.6}", raw.trim().parse::<f64>().map_err(|_| bad())?),
        OptionKind::Size => {
            let v = parse_si(raw, 1024).ok_or_else(bad)?;
            u64::try_from(v).map_err(|_| bad())?.to_string()
        }
        OptionKind::Secs => parse_seconds(raw).ok_or_else(bad)?.to_string(),
        OptionKind::Uuid => parse_uuid(raw).ok_or_else(bad)?,
        OptionKind::Addr => parse_addr(raw).ok_or_else(bad)?,
        OptionKind::AddrVec => parse_addrvec(raw).ok_or_else(bad)?,
        OptionKind::Debug => parse_debug(raw)?,
    })
}

/// `true`/`false` (any case) or an integer.
pub fn parse_bool(raw: &str) -> Option<bool> {
    let s = raw.trim();
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        s.parse::<i64>().ok().map(|v| v != 0)
    }
}

/// An integer with an optional K/M/G/T/P/E suffix (powers of `base`), optionally
/// followed by `i` and/or `B` for sizes.
fn parse_si(raw: &str, base: i128) -> Option<i128> {
    let s = raw.trim();
    let digits_end = s.find(|c: char| !(c.is_ascii_digit() || c == '-' || c == '+')).unwrap_or(s.len());
    let (number, suffix) = s.split_at(digits_end);
    let number: i128 = number.parse().ok()?;
    let mut suffix = suffix;
    if base == 1024 {
        suffix = suffix.strip_suffix('B').unwrap_or(suffix);
        suffix = suffix.strip_suffix('i').unwrap_or(suffix);
    }
    let exponent = match suffix {
        "" => 0,
        "K" | "k" => 1,
        "M" => 2,
        "G" => 3,
        "T" => 4,
        "P" => 5,
        "E" => 6,
        _ => return None,
    };
    let value = number.checked_mul(base.checked_pow(exponent)?)?;
    (i64::MIN as i128..=u64::MAX as i128).contains(&value).then_some(value)
}

/// Seconds: a number with an optional unit (s, m, h, d, w), or units joined (`1h30m`).
pub fn parse_seconds(raw: &str) -> Option<u64> {
    let s = raw.trim();
    if let Ok(v) = s.parse::<u64>() {
        return Some(v);
    }
    let mut total = 0u64;
    let mut rest = s;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !c.is_ascii_digit())?;
        if end == 0 {
            return None;
        }
        let n: u64 = rest[..end].parse().ok()?;
        rest = &rest[end..];
        let unit_end = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => 86400,
            "w" | "wk" | "week" | "weeks" => 604800,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(scale)?)?;
        rest = &rest[unit_end..];
    }
    Some(total)
}

fn parse_uuid(raw: &str) -> Option<String> {
    let s = raw.trim();
    let groups: Vec<&str> = s.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    let ok = groups.len() == 5
        && groups.iter().zip(lens).all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()));
    ok.then(|| s.to_ascii_lowercase())
}

/// `ip:port`, `v1:ip:port`, `v2:ip:port`, with an optional `/nonce`; `-` is the empty address.
fn parse_addr(raw: &str) -> Option<String> {
    let s = raw.trim();
    if s == "-" {
        return Some("-".into());
    }
    let (kind, rest) = if let Some(r) = s.strip_prefix("v2:") {
        ("v2", r)
    } else if let Some(r) = s.strip_prefix("v1:") {
        ("v1", r)
    } else if let Some(r) = s.strip_prefix("any:") {
        ("any", r)
    } else {
        ("v2", s)
    };
    let (hostport, nonce) = match rest.split_once('/') {
        Some((hp, n)) => (hp, n.parse::<u32>().ok()?),
        None => (rest, 0),
    };
    let (ip, port) = match hostport.rsplit_once(':') {
        Some((ip, port)) if !ip.is_empty() => (ip, port.parse::<u16>().ok()?),
        _ => (hostport, 0),
    };
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    let ip: std::net::IpAddr = ip.parse().ok()?;
    let ip = match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => format!("[{v6}]"),
    };
    Some(format!("{kind}:{ip}:{port}/{nonce}"))
}

fn parse_addrvec(raw: &str) -> Option<String> {
    let s = raw.trim();
    let inner = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')).unwrap_or(s);
    let addrs: Option<Vec<String>> = inner.split(',').map(parse_addr).collect();
    Some(format!("[{}]", addrs?.join(",")))
}

/// `N` or `N/M` with 0 ≤ N, M ≤ 99; `N` means `N/N`.
fn parse_debug(raw: &str) -> Result<String> {
    let s = raw.trim();
    let leading_int = |t: &str| -> Option<i64> {
        let t = t.trim_start();
        let end = t
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && (c == '-' || c == '+'))))
            .map(|(i, _)| i)
            .unwrap_or(t.len());
        t[..end].parse().ok()
    };
    let n = leading_int(s).ok_or_else(|| Error::invalid("value must take the form N or N/M"))?;
    let after_n = s.trim_start().trim_start_matches(['-', '+']).trim_start_matches(|c: char| c.is_ascii_digit());
    let m = after_n.strip_prefix('/').and_then(leading_int);
    let in_range = |v: i64| (0..=99).contains(&v);
    if !in_range(n) || !m.is_none_or(in_range) {
        return Err(Error::Range("debug level must be in range [0, 99]".into()));
    }
    Ok(format!("{}/{}", n, m.unwrap_or(n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use OptionKind::*;

    #[test]
    fn canonical_forms_match_upstream() {
        // each pair observed on upstream librados 16.2.15
        assert_eq!(canonical(Bool, "5").unwrap(), "true");
        assert_eq!(canonical(Bool, "-1").unwrap(), "true");
        assert!(canonical(Bool, "maybe").is_err());
        assert_eq!(canonical(Uint, "1K").unwrap(), "1000");
        assert!(canonical(Uint, "-1").is_err());
        assert_eq!(canonical(Int, "-1").unwrap(), "-1");
        assert_eq!(canonical(Size, "1K").unwrap(), "1024");
        assert_eq!(canonical(Float, "1.5").unwrap(), "1.500000");
        assert_eq!(canonical(Float, "5").unwrap(), "5.000000");
        assert_eq!(canonical(Secs, "10s").unwrap(), "10");
        assert_eq!(canonical(Secs, "1h").unwrap(), "3600");
        assert_eq!(canonical(Addr, "1.2.3.4:5").unwrap(), "v2:1.2.3.4:5/0");
        assert_eq!(canonical(Debug, "5").unwrap(), "5/5");
        assert_eq!(canonical(Debug, "1.5").unwrap(), "1/1");
        assert_eq!(canonical(Debug, "10s").unwrap(), "10/10");
        assert!(matches!(canonical(Debug, "100"), Err(Error::Range(_))));
        assert!(canonical(Uuid, "x").is_err());
    }
}
