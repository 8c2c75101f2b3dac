//! RBD feature bits, flags and object map states (`include/rbd/features.h`,
//! `include/rbd_types.h`, `include/rbd/object_map_types.h`).

pub const LAYERING: u64 = 1 << 0;
pub const STRIPINGV2: u64 = 1 << 1;
pub const EXCLUSIVE_LOCK: u64 = 1 << 2;
pub const OBJECT_MAP: u64 = 1 << 3;
pub const FAST_DIFF: u64 = 1 << 4;
pub const DEEP_FLATTEN: u64 = 1 << 5;
pub const JOURNALING: u64 = 1 << 6;
pub const DATA_POOL: u64 = 1 << 7;
pub const OPERATIONS: u64 = 1 << 8;
pub const MIGRATING: u64 = 1 << 9;
pub const NON_PRIMARY: u64 = 1 << 10;
pub const DIRTY_CACHE: u64 = 1 << 11;

pub const DEFAULT: u64 = LAYERING | EXCLUSIVE_LOCK | OBJECT_MAP | FAST_DIFF | DEEP_FLATTEN;
pub const INCOMPATIBLE: u64 = LAYERING | STRIPINGV2 | DATA_POOL | DIRTY_CACHE;
pub const RW_INCOMPATIBLE: u64 = INCOMPATIBLE
    | EXCLUSIVE_LOCK
    | OBJECT_MAP
    | FAST_DIFF
    | DEEP_FLATTEN
    | JOURNALING
    | OPERATIONS
    | MIGRATING
    | NON_PRIMARY;
pub const ALL: u64 = LAYERING
    | STRIPINGV2
    | EXCLUSIVE_LOCK
    | OBJECT_MAP
    | FAST_DIFF
    | DEEP_FLATTEN
    | JOURNALING
    | DATA_POOL
    | OPERATIONS
    | MIGRATING
    | NON_PRIMARY
    | DIRTY_CACHE;
pub const MUTABLE: u64 = EXCLUSIVE_LOCK | OBJECT_MAP | FAST_DIFF | JOURNALING | NON_PRIMARY | DIRTY_CACHE;
pub const MUTABLE_INTERNAL: u64 = NON_PRIMARY | DIRTY_CACHE;
pub const DISABLE_ONLY: u64 = DEEP_FLATTEN;
pub const SINGLE_CLIENT: u64 = EXCLUSIVE_LOCK | OBJECT_MAP | FAST_DIFF | JOURNALING | DIRTY_CACHE;
pub const IMPLICIT_ENABLE: u64 =
    STRIPINGV2 | DATA_POOL | FAST_DIFF | OPERATIONS | MIGRATING | NON_PRIMARY | DIRTY_CACHE;
pub const INTERNAL: u64 = OPERATIONS | MIGRATING;

/// Operation features (`op_features`).
pub mod op {
    pub const CLONE_PARENT: u64 = 1 << 0;
    pub const CLONE_CHILD: u64 = 1 << 1;
    pub const GROUP: u64 = 1 << 2;
    pub const SNAP_TRASH: u64 = 1 << 3;
    pub const ALL: u64 = CLONE_PARENT | CLONE_CHILD | GROUP | SNAP_TRASH;
}

/// Image flags (`flags` key).
pub mod flags {
    pub const OBJECT_MAP_INVALID: u64 = 1 << 0;
    pub const FAST_DIFF_INVALID: u64 = 1 << 1;
}

/// Object map states.
pub mod object_state {
    pub const NONEXISTENT: u8 = 0;
    pub const EXISTS: u8 = 1;
    pub const PENDING: u8 = 2;
    pub const EXISTS_CLEAN: u8 = 3;
}

/// Feature names, as `rbd info` and the Python bindings print them.
pub const NAMES: [(u64, &str); 12] = [
    (LAYERING, "layering"),
    (STRIPINGV2, "striping"),
    (EXCLUSIVE_LOCK, "exclusive-lock"),
    (OBJECT_MAP, "object-map"),
    (FAST_DIFF, "fast-diff"),
    (DEEP_FLATTEN, "deep-flatten"),
    (JOURNALING, "journaling"),
    (DATA_POOL, "data-pool"),
    (OPERATIONS, "operations"),
    (MIGRATING, "migrating"),
    (NON_PRIMARY, "non-primary"),
    (DIRTY_CACHE, "dirty-cache"),
];

/// A feature set written as a number or as comma-separated names
/// (`rbd_default_features`); None when something is not understood.
pub fn parse_names_or_number(text: &str) -> Option<u64> {
    match from_string(text) {
        (features, true) => Some(features),
        _ => None,
    }
}

/// Upstream's `rbd_features_from_string`: the empty string is the default
/// set; a number (optionally signed, wrapping as `boost::lexical_cast`) keeps
/// its known, settable bits; otherwise comma-separated names, trimmed, each
/// added (not or-ed) to the result. Returns the features and whether nothing
/// was dropped or unknown.
pub fn from_string(text: &str) -> (u64, bool) {
    let text = text.trim();
    if text.is_empty() {
        return (DEFAULT, true);
    }
    if let Some(number) = parse_lexical_u64(text) {
        let known = number & ALL;
        let settable = known & !(INTERNAL | MUTABLE_INTERNAL);
        return (settable, settable == number);
    }
    let (mut features, mut ok) = (0u64, true);
    for name in text.split(',').map(str::trim) {
        match NAMES.iter().find(|(_, n)| *n == name) {
            Some((bit, _)) => features = features.wrapping_add(*bit),
            None => ok = false,
        }
    }
    (features, ok)
}

/// `boost::lexical_cast<uint64_t>`: optional sign, then decimal digits only;
/// a minus sign wraps.
fn parse_lexical_u64(text: &str) -> Option<u64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = digits.parse::<u64>().ok()?;
    Some(if negative { value.wrapping_neg() } else { value })
}

/// Upstream's `rbd_features_to_string`: the names of the set bits in name
/// order, comma-separated; None when a bit has no name.
pub fn to_string(features: u64) -> Option<String> {
    if features & !ALL != 0 {
        return None;
    }
    let mut names: Vec<&str> = NAMES.iter().filter(|(bit, _)| features & bit != 0).map(|(_, n)| *n).collect();
    names.sort_unstable();
    Some(names.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_strings_as_upstream() {
        // values observed from Pacific's librbd
        assert_eq!(from_string(""), (61, true));
        assert_eq!(from_string(" layering"), (1, true));
        assert_eq!(from_string("layering, exclusive-lock"), (5, true));
        assert_eq!(from_string("layering,layering"), (2, true));
        assert_eq!(from_string("layering,bogus"), (1, false));
        assert_eq!(from_string("layering,,striping"), (3, false));
        assert_eq!(from_string("0x3d"), (0, false));
        assert_eq!(from_string("4096"), (0, false));
        assert_eq!(from_string("4095"), (255, false));
        assert_eq!(from_string("-1"), (255, false));
        assert_eq!(from_string("+5"), (5, true));
        assert_eq!(from_string("05"), (5, true));
        assert_eq!(from_string("256"), (0, false));
        assert_eq!(to_string(61).unwrap(), "deep-flatten,exclusive-lock,fast-diff,layering,object-map");
        assert_eq!(to_string(0).unwrap(), "");
        assert_eq!(to_string(4096), None);
    }
}
