//! The option schema: every option's name, type and default.
//!
//! Pacific's client options come from `schema_table.rs` (generated from upstream's
//! own answers, see tools/gen_option_schema.py); options that only this library
//! has are listed in `EXTRA_OPTIONS`.

use super::schema_table::PACIFIC_OPTIONS;

/// How an option's value is parsed, validated and printed (as upstream does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// Any string.
    Str,
    /// `true`/`false` or an integer (non-zero is true); printed `true`/`false`.
    Bool,
    /// Signed integer, SI suffixes (K = 1000).
    Int,
    /// Unsigned integer, SI suffixes.
    Uint,
    /// Floating point, printed with six decimals.
    Float,
    /// Byte size, IEC suffixes (K = 1024).
    Size,
    /// Duration in seconds (`10`, `10s`, `5m`, `1h`, `1d`); printed in seconds.
    Secs,
    /// A UUID.
    Uuid,
    /// One entity address, printed `v2:ip:port/nonce`.
    Addr,
    /// An address vector `[v2:…,v1:…]`.
    AddrVec,
    /// A `debug_*` level `N` or `N/M` (0–99); printed `N/M`.
    Debug,
}

/// One option.
#[derive(Clone, Copy, Debug)]
pub struct OptionSpec {
    pub name: &'static str,
    pub kind: OptionKind,
    /// Default as upstream prints it, metavariables (`$cluster`…) unexpanded.
    pub default: &'static str,
}

impl OptionSpec {
    pub(super) const fn new(name: &'static str, kind: OptionKind, default: &'static str) -> OptionSpec {
        OptionSpec { name, kind, default }
    }
}

/// Options of this library that upstream does not have.
pub static EXTRA_OPTIONS: [OptionSpec; 3] = [
    // Directory of the embedded local store; when set, rados_connect uses it
    // instead of a cluster.
    OptionSpec::new("rados_local_store", OptionKind::Str, ""),
    // Local store: flush file data at every write completion (power-loss safety
    // for each write instead of at rados_aio_flush / rbd_flush).
    OptionSpec::new("rados_local_store_sync_writes", OptionKind::Bool, "false"),
    // Local store: after delivering a reply, the callback thread polls for the
    // next one this many microseconds before sleeping (0: sleeps at once).
    OptionSpec::new("rados_local_store_poll_us", OptionKind::Uint, "100"),
];

/// The option named `name` (already normalized), if it exists.
pub fn find(name: &str) -> Option<&'static OptionSpec> {
    PACIFIC_OPTIONS
        .binary_search_by(|o| o.name.cmp(name))
        .ok()
        .map(|i| &PACIFIC_OPTIONS[i])
        .or_else(|| EXTRA_OPTIONS.iter().find(|o| o.name == name))
}

/// Every option, Pacific's then ours.
pub fn all() -> impl Iterator<Item = &'static OptionSpec> {
    PACIFIC_OPTIONS.iter().chain(EXTRA_OPTIONS.iter())
}

/// Upstream's key normal form: no leading or trailing whitespace, inner
/// whitespace runs become one underscore (dashes stay dashes, as upstream).
pub fn normalize_key(key: &str) -> String {
    key.split_whitespace().collect::<Vec<_>>().join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_found() {
        assert!(PACIFIC_OPTIONS.windows(2).all(|w| w[0].name < w[1].name));
        assert_eq!(find("rbd_cache").unwrap().kind, OptionKind::Bool);
        assert_eq!(find("rados_local_store").unwrap().default, "");
        assert!(find("rbd-cache").is_none());
        assert!(find("no_such_option").is_none());
        assert_eq!(normalize_key("  rbd   cache "), "rbd_cache");
    }
}
