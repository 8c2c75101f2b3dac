//! Structs of `rados/rados_types.h` (tag-style: `struct obj_watch_t`).
//!
//! `struct rados_pool_stat_t` and `struct rados_cluster_stat_t` are defined
//! here too (upstream defines them in librados.h, which includes this header):
//! cbindgen writes one struct style per header, and these two are tag-style.

use std::os::raw::c_char;

/// The "all namespaces" value of `rados_ioctx_set_namespace`.
pub const LIBRADOS_ALL_NSPACES: &str = "\x01";

/// One watcher of an object (`rados_list_watchers`).
#[repr(C)]
pub struct obj_watch_t {
    pub addr: [c_char; 256],
    pub watcher_id: i64,
    pub cookie: u64,
    pub timeout_seconds: u32,
}

/// A notify acknowledgement (`rados_decode_notify_response`).
#[repr(C)]
pub struct notify_ack_t {
    pub notifier_id: u64,
    pub cookie: u64,
    pub payload: *mut c_char,
    pub payload_len: u64,
}

/// A watcher that did not acknowledge a notify in time.
#[repr(C)]
pub struct notify_timeout_t {
    pub notifier_id: u64,
    pub cookie: u64,
}

/// Pool usage statistics (`rados_ioctx_pool_stat`).
#[repr(C)]
#[derive(Default)]
pub struct rados_pool_stat_t {
    pub num_bytes: u64,
    pub num_kb: u64,
    pub num_objects: u64,
    pub num_object_clones: u64,
    pub num_object_copies: u64,
    pub num_objects_missing_on_primary: u64,
    pub num_objects_unfound: u64,
    pub num_objects_degraded: u64,
    pub num_rd: u64,
    pub num_rd_kb: u64,
    pub num_wr: u64,
    pub num_wr_kb: u64,
    pub num_user_bytes: u64,
    pub compressed_bytes_orig: u64,
    pub compressed_bytes: u64,
    pub compressed_bytes_alloc: u64,
}

/// Cluster usage statistics (`rados_cluster_stat`).
#[repr(C)]
#[derive(Default)]
pub struct rados_cluster_stat_t {
    pub kb: u64,
    pub kb_used: u64,
    pub kb_avail: u64,
    pub num_objects: u64,
}
