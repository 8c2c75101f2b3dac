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
pub const RW_INCOMPATIBLE: u64 =
    INCOMPATIBLE | EXCLUSIVE_LOCK | OBJECT_MAP | FAST_DIFF | DEEP_FLATTEN | JOURNALING | OPERATIONS | MIGRATING | NON_PRIMARY;
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
pub const IMPLICIT_ENABLE: u64 = STRIPINGV2 | DATA_POOL | FAST_DIFF | OPERATIONS | MIGRATING | NON_PRIMARY | DIRTY_CACHE;
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
/// (`rbd_default_features`); None for an unknown name.
pub fn parse_names_or_number(text: &str) -> Option<u64> {
    let text = text.trim();
    if let Ok(n) = text.parse::<u64>() {
        return Some(n);
    }
    let mut out = 0;
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        out |= NAMES.iter().find(|(_, n)| *n == name)?.0;
    }
    Some(out)
}
