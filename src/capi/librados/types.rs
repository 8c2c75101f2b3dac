//! Constants, handle typedefs, structs and callback types of `rados/librados.h`.
//!
//! `rados_t` is defined in the header's raw prelude (inside upstream's
//! `VOIDPTR_RADOS_T` guard); the Rust alias here is what the functions use.

#![allow(non_upper_case_globals)]

use std::os::raw::{c_char, c_int, c_void};

pub const LIBRADOS_VER_MAJOR: c_int = 3;
pub const LIBRADOS_VER_MINOR: c_int = 0;
pub const LIBRADOS_VER_EXTRA: c_int = 0;

pub const LIBRADOS_SUPPORTS_WATCH: c_int = 1;
pub const LIBRADOS_SUPPORTS_SERVICES: c_int = 1;
pub const LIBRADOS_SUPPORTS_GETADDRS: c_int = 1;
pub const LIBRADOS_SUPPORTS_APP_METADATA: c_int = 1;

pub const LIBRADOS_LOCK_FLAG_RENEW: u32 = 1u32 << 0;
pub const LIBRADOS_LOCK_FLAG_MAY_RENEW: u32 = LIBRADOS_LOCK_FLAG_RENEW;
pub const LIBRADOS_LOCK_FLAG_MUST_RENEW: u32 = 1u32 << 1;

pub const LIBRADOS_CREATE_EXCLUSIVE: c_int = 1;
pub const LIBRADOS_CREATE_IDEMPOTENT: c_int = 0;

// Per-step operation flags (upstream: an anonymous enum).
pub const LIBRADOS_OP_FLAG_EXCL: c_int = 0x1;
pub const LIBRADOS_OP_FLAG_FAILOK: c_int = 0x2;
pub const LIBRADOS_OP_FLAG_FADVISE_RANDOM: c_int = 0x4;
pub const LIBRADOS_OP_FLAG_FADVISE_SEQUENTIAL: c_int = 0x8;
pub const LIBRADOS_OP_FLAG_FADVISE_WILLNEED: c_int = 0x10;
pub const LIBRADOS_OP_FLAG_FADVISE_DONTNEED: c_int = 0x20;
pub const LIBRADOS_OP_FLAG_FADVISE_NOCACHE: c_int = 0x40;
pub const LIBRADOS_OP_FLAG_FADVISE_FUA: c_int = 0x80;

// xattr comparison operators (anonymous enum).
pub const LIBRADOS_CMPXATTR_OP_EQ: c_int = 1;
pub const LIBRADOS_CMPXATTR_OP_NE: c_int = 2;
pub const LIBRADOS_CMPXATTR_OP_GT: c_int = 3;
pub const LIBRADOS_CMPXATTR_OP_GTE: c_int = 4;
pub const LIBRADOS_CMPXATTR_OP_LT: c_int = 5;
pub const LIBRADOS_CMPXATTR_OP_LTE: c_int = 6;

// Whole-operation flags (anonymous enum).
pub const LIBRADOS_OPERATION_NOFLAG: c_int = 0;
pub const LIBRADOS_OPERATION_BALANCE_READS: c_int = 1;
pub const LIBRADOS_OPERATION_LOCALIZE_READS: c_int = 2;
pub const LIBRADOS_OPERATION_ORDER_READS_WRITES: c_int = 4;
pub const LIBRADOS_OPERATION_IGNORE_CACHE: c_int = 8;
pub const LIBRADOS_OPERATION_SKIPRWLOCKS: c_int = 16;
pub const LIBRADOS_OPERATION_IGNORE_OVERLAY: c_int = 32;
pub const LIBRADOS_OPERATION_FULL_TRY: c_int = 64;
pub const LIBRADOS_OPERATION_FULL_FORCE: c_int = 128;
pub const LIBRADOS_OPERATION_IGNORE_REDIRECT: c_int = 256;
pub const LIBRADOS_OPERATION_ORDERSNAP: c_int = 512;
pub const LIBRADOS_OPERATION_RETURNVEC: c_int = 1024;

// Allocation hints (anonymous enum).
pub const LIBRADOS_ALLOC_HINT_FLAG_SEQUENTIAL_WRITE: c_int = 1;
pub const LIBRADOS_ALLOC_HINT_FLAG_RANDOM_WRITE: c_int = 2;
pub const LIBRADOS_ALLOC_HINT_FLAG_SEQUENTIAL_READ: c_int = 4;
pub const LIBRADOS_ALLOC_HINT_FLAG_RANDOM_READ: c_int = 8;
pub const LIBRADOS_ALLOC_HINT_FLAG_APPEND_ONLY: c_int = 16;
pub const LIBRADOS_ALLOC_HINT_FLAG_IMMUTABLE: c_int = 32;
pub const LIBRADOS_ALLOC_HINT_FLAG_SHORTLIVED: c_int = 64;
pub const LIBRADOS_ALLOC_HINT_FLAG_LONGLIVED: c_int = 128;
pub const LIBRADOS_ALLOC_HINT_FLAG_COMPRESSIBLE: c_int = 256;
pub const LIBRADOS_ALLOC_HINT_FLAG_INCOMPRESSIBLE: c_int = 512;

/// Checksum algorithms of `rados_checksum` and the checksum op steps.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rados_checksum_type_t {
    LIBRADOS_CHECKSUM_TYPE_XXHASH32 = 0,
    LIBRADOS_CHECKSUM_TYPE_XXHASH64 = 1,
    LIBRADOS_CHECKSUM_TYPE_CRC32C = 2,
}

/// A `rados_checksum_type_t` as C passes it (any int); validated before use.
#[repr(transparent)]
#[derive(Clone, Copy, Debug)]
pub struct ChecksumTypeArg(pub c_int);

pub const LIBRADOS_SNAP_HEAD: u64 = u64::MAX - 1;
pub const LIBRADOS_SNAP_DIR: u64 = u64::MAX;

pub type rados_t = *mut c_void;
pub type rados_config_t = *mut c_void;
pub type rados_ioctx_t = *mut c_void;
pub type rados_list_ctx_t = *mut c_void;
pub type rados_object_list_cursor = *mut c_void;
pub type rados_snap_t = u64;
pub type rados_xattrs_iter_t = *mut c_void;
pub type rados_omap_iter_t = *mut c_void;
pub type rados_write_op_t = *mut c_void;
pub type rados_read_op_t = *mut c_void;
pub type rados_completion_t = *mut c_void;

/// One listed object (`rados_object_list`); strings are not NUL-terminated.
#[repr(C)]
pub struct rados_object_list_item {
    pub oid_length: usize,
    pub oid: *mut c_char,
    pub nspace_length: usize,
    pub nspace: *mut c_char,
    pub locator_length: usize,
    pub locator: *mut c_char,
}

/// Called when an asynchronous operation completes.
pub type rados_callback_t = Option<unsafe extern "C" fn(cb: rados_completion_t, arg: *mut c_void)>;

/// Legacy watch callback.
pub type rados_watchcb_t = Option<unsafe extern "C" fn(opcode: u8, ver: u64, arg: *mut c_void)>;

/// Watch callback: one notify delivered to a watcher.
pub type rados_watchcb2_t = Option<
    unsafe extern "C" fn(
        arg: *mut c_void,
        notify_id: u64,
        handle: u64,
        notifier_id: u64,
        data: *mut c_void,
        data_len: usize,
    ),
>;

/// Watch error callback: the watch identified by `cookie` failed with `err`.
pub type rados_watcherrcb_t = Option<unsafe extern "C" fn(pre: *mut c_void, cookie: u64, err: c_int)>;

/// Cluster log callback.
pub type rados_log_callback_t = Option<
    unsafe extern "C" fn(
        arg: *mut c_void,
        line: *const c_char,
        who: *const c_char,
        sec: u64,
        nsec: u64,
        seq: u64,
        level: *const c_char,
        msg: *const c_char,
    ),
>;

/// Cluster log callback with channel and name.
pub type rados_log_callback2_t = Option<
    unsafe extern "C" fn(
        arg: *mut c_void,
        line: *const c_char,
        channel: *const c_char,
        who: *const c_char,
        name: *const c_char,
        sec: u64,
        nsec: u64,
        seq: u64,
        level: *const c_char,
        msg: *const c_char,
    ),
>;
