//! Constants, handle typedefs, enums and structs of `rbd/librbd.h`.
//!
//! Enums that C passes *by value* are received as `…Arg(c_int)` newtypes (the
//! header still names the enum type, via cbindgen renames), so that an
//! out-of-range value from C is an error, never an invalid Rust enum.

#![allow(non_upper_case_globals)]

use std::os::raw::{c_char, c_int, c_void};

use libc::time_t;

pub const LIBRBD_VER_MAJOR: c_int = 1;
pub const LIBRBD_VER_MINOR: c_int = 16;
pub const LIBRBD_VER_EXTRA: c_int = 0;

pub const LIBRBD_SUPPORTS_AIO_FLUSH: c_int = 1;
pub const LIBRBD_SUPPORTS_AIO_OPEN: c_int = 1;
pub const LIBRBD_SUPPORTS_COMPARE_AND_WRITE: c_int = 1;
pub const LIBRBD_SUPPORTS_LOCKING: c_int = 1;
pub const LIBRBD_SUPPORTS_INVALIDATE: c_int = 1;
pub const LIBRBD_SUPPORTS_IOVEC: c_int = 1;
pub const LIBRBD_SUPPORTS_WATCH: c_int = 0;
pub const LIBRBD_SUPPORTS_WRITESAME: c_int = 1;
pub const LIBRBD_SUPPORTS_WRITE_ZEROES: c_int = 1;
pub const LIBRBD_SUPPORTS_ENCRYPTION: c_int = 1;

pub const RBD_FLAG_OBJECT_MAP_INVALID: c_int = 1 << 0;
pub const RBD_FLAG_FAST_DIFF_INVALID: c_int = 1 << 1;

pub const RBD_MIRROR_IMAGE_STATUS_LOCAL_MIRROR_UUID: &str = "";

pub type rbd_image_t = *mut c_void;
pub type rbd_image_options_t = *mut c_void;
pub type rbd_pool_stats_t = *mut c_void;
pub type rbd_completion_t = *mut c_void;

/// Called when an asynchronous image operation completes.
pub type rbd_callback_t = Option<unsafe extern "C" fn(cb: rbd_completion_t, arg: *mut c_void)>;

/// Progress of a long operation; a negative return asks to stop.
pub type librbd_progress_fn_t = Option<unsafe extern "C" fn(offset: u64, total: u64, ptr: *mut c_void) -> c_int>;

/// Called when an image's header changes.
pub type rbd_update_callback_t = Option<unsafe extern "C" fn(arg: *mut c_void)>;

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rbd_snap_namespace_type_t {
    RBD_SNAP_NAMESPACE_TYPE_USER = 0,
    RBD_SNAP_NAMESPACE_TYPE_GROUP = 1,
    RBD_SNAP_NAMESPACE_TYPE_TRASH = 2,
    RBD_SNAP_NAMESPACE_TYPE_MIRROR = 3,
}

#[repr(C)]
pub struct rbd_image_spec_t {
    pub id: *mut c_char,
    pub name: *mut c_char,
}

#[repr(C)]
pub struct rbd_linked_image_spec_t {
    pub pool_id: i64,
    pub pool_name: *mut c_char,
    pub pool_namespace: *mut c_char,
    pub image_id: *mut c_char,
    pub image_name: *mut c_char,
    pub trash: bool,
}

#[repr(C)]
pub struct rbd_snap_spec_t {
    pub id: u64,
    pub namespace_type: rbd_snap_namespace_type_t,
    pub name: *mut c_char,
}

#[repr(C)]
pub struct rbd_snap_info_t {
    pub id: u64,
    pub size: u64,
    pub name: *const c_char,
}

#[repr(C)]
pub struct rbd_child_info_t {
    pub pool_name: *const c_char,
    pub image_name: *const c_char,
    pub image_id: *const c_char,
    pub trash: bool,
}

pub const RBD_MAX_IMAGE_NAME_SIZE: usize = 96;
pub const RBD_MAX_BLOCK_NAME_SIZE: usize = 24;

pub const RBD_SNAP_CREATE_SKIP_QUIESCE: c_int = 1 << 0;
pub const RBD_SNAP_CREATE_IGNORE_QUIESCE_ERROR: c_int = 1 << 1;

pub const RBD_SNAP_REMOVE_UNPROTECT: c_int = 1 << 0;
pub const RBD_SNAP_REMOVE_FLATTEN: c_int = 1 << 1;
pub const RBD_SNAP_REMOVE_FORCE: c_int = RBD_SNAP_REMOVE_UNPROTECT | RBD_SNAP_REMOVE_FLATTEN;

// Event notification kinds of `rbd_set_image_notification` (anonymous enum).
pub const EVENT_TYPE_PIPE: c_int = 1;
pub const EVENT_TYPE_EVENTFD: c_int = 2;

/// Legacy image information (`rbd_stat`).
#[repr(C)]
pub struct rbd_image_info_t {
    pub size: u64,
    pub obj_size: u64,
    pub num_objs: u64,
    pub order: c_int,
    pub block_name_prefix: [c_char; RBD_MAX_BLOCK_NAME_SIZE],
    pub parent_pool: i64,
    pub parent_name: [c_char; RBD_MAX_IMAGE_NAME_SIZE],
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rbd_mirror_mode_t {
    RBD_MIRROR_MODE_DISABLED,
    RBD_MIRROR_MODE_IMAGE,
    RBD_MIRROR_MODE_POOL,
}

/// A `rbd_mirror_mode_t` as C passes it.
#[repr(transparent)]
#[derive(Clone, Copy, Debug)]
pub struct MirrorModeArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rbd_mirror_peer_direction_t {
    RBD_MIRROR_PEER_DIRECTION_RX = 0,
    RBD_MIRROR_PEER_DIRECTION_TX = 1,
    RBD_MIRROR_PEER_DIRECTION_RX_TX = 2,
}

/// A `rbd_mirror_peer_direction_t` as C passes it.
#[repr(transparent)]
#[derive(Clone, Copy, Debug)]
pub struct MirrorPeerDirectionArg(pub c_int);

#[repr(C)]
#[deprecated]
pub struct rbd_mirror_peer_t {
    pub uuid: *mut c_char,
    pub cluster_name: *mut c_char,
    pub client_name: *mut c_char,
}

#[repr(C)]
pub struct rbd_mirror_peer_site_t {
    pub uuid: *mut c_char,
    pub direction: rbd_mirror_peer_direction_t,
    pub site_name: *mut c_char,
    pub mirror_uuid: *mut c_char,
    pub client_name: *mut c_char,
    pub last_seen: time_t,
}

pub const RBD_MIRROR_PEER_ATTRIBUTE_NAME_MON_HOST: &str = "mon_host";
pub const RBD_MIRROR_PEER_ATTRIBUTE_NAME_KEY: &str = "key";

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rbd_mirror_image_mode_t {
    RBD_MIRROR_IMAGE_MODE_JOURNAL = 0,
    RBD_MIRROR_IMAGE_MODE_SNAPSHOT = 1,
}

/// A `rbd_mirror_image_mode_t` as C passes it.
#[repr(transparent)]
#[derive(Clone, Copy, Debug)]
pub struct MirrorImageModeArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rbd_mirror_image_state_t {
    RBD_MIRROR_IMAGE_DISABLING = 0,
    RBD_MIRROR_IMAGE_ENABLED = 1,
    RBD_MIRROR_IMAGE_DISABLED = 2,
}

#[repr(C)]
pub struct rbd_mirror_image_info_t {
    pub global_id: *mut c_char,
    pub state: rbd_mirror_image_state_t,
    pub primary: bool,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rbd_mirror_image_status_state_t {
    MIRROR_IMAGE_STATUS_STATE_UNKNOWN = 0,
    MIRROR_IMAGE_STATUS_STATE_ERROR = 1,
    MIRROR_IMAGE_STATUS_STATE_SYNCING = 2,
    MIRROR_IMAGE_STATUS_STATE_STARTING_REPLAY = 3,
    MIRROR_IMAGE_STATUS_STATE_REPLAYING = 4,
    MIRROR_IMAGE_STATUS_STATE_STOPPING_REPLAY = 5,
    MIRROR_IMAGE_STATUS_STATE_STOPPED = 6,
}

#[repr(C)]
#[deprecated]
pub struct rbd_mirror_image_status_t {
    pub name: *mut c_char,
    pub info: rbd_mirror_image_info_t,
    pub state: rbd_mirror_image_status_state_t,
    pub description: *mut c_char,
    pub last_update: time_t,
    pub up: bool,
}

#[repr(C)]
pub struct rbd_mirror_image_site_status_t {
    pub mirror_uuid: *mut c_char,
    pub state: rbd_mirror_image_status_state_t,
    pub description: *mut c_char,
    pub last_update: time_t,
    pub up: bool,
}

#[repr(C)]
pub struct rbd_mirror_image_global_status_t {
    pub name: *mut c_char,
    pub info: rbd_mirror_image_info_t,
    pub site_statuses_count: u32,
    pub site_statuses: *mut rbd_mirror_image_site_status_t,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rbd_group_image_state_t {
    RBD_GROUP_IMAGE_STATE_ATTACHED,
    RBD_GROUP_IMAGE_STATE_INCOMPLETE,
}

#[repr(C)]
pub struct rbd_group_image_info_t {
    pub name: *mut c_char,
    pub pool: i64,
    pub state: rbd_group_image_state_t,
}

#[repr(C)]
pub struct rbd_group_info_t {
    pub name: *mut c_char,
    pub pool: i64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rbd_group_snap_state_t {
    RBD_GROUP_SNAP_STATE_INCOMPLETE,
    RBD_GROUP_SNAP_STATE_COMPLETE,
}

#[repr(C)]
pub struct rbd_group_snap_info_t {
    pub name: *mut c_char,
    pub state: rbd_group_snap_state_t,
}

#[repr(C)]
pub struct rbd_snap_group_namespace_t {
    pub group_pool: i64,
    pub group_name: *mut c_char,
    pub group_snap_name: *mut c_char,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rbd_snap_mirror_state_t {
    RBD_SNAP_MIRROR_STATE_PRIMARY,
    RBD_SNAP_MIRROR_STATE_PRIMARY_DEMOTED,
    RBD_SNAP_MIRROR_STATE_NON_PRIMARY,
    RBD_SNAP_MIRROR_STATE_NON_PRIMARY_DEMOTED,
}

#[repr(C)]
pub struct rbd_snap_mirror_namespace_t {
    pub state: rbd_snap_mirror_state_t,
    pub mirror_peer_uuids_count: usize,
    pub mirror_peer_uuids: *mut c_char,
    pub complete: bool,
    pub primary_mirror_uuid: *mut c_char,
    pub primary_snap_id: u64,
    pub last_copied_object_number: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rbd_lock_mode_t {
    RBD_LOCK_MODE_EXCLUSIVE = 0,
    RBD_LOCK_MODE_SHARED = 1,
}

/// A `rbd_lock_mode_t` as C passes it.
#[repr(transparent)]
#[derive(Clone, Copy, Debug)]
pub struct LockModeArg(pub c_int);

// Image option names of `rbd_image_options_*` (anonymous enum).
pub const RBD_IMAGE_OPTION_FORMAT: c_int = 0;
pub const RBD_IMAGE_OPTION_FEATURES: c_int = 1;
pub const RBD_IMAGE_OPTION_ORDER: c_int = 2;
pub const RBD_IMAGE_OPTION_STRIPE_UNIT: c_int = 3;
pub const RBD_IMAGE_OPTION_STRIPE_COUNT: c_int = 4;
pub const RBD_IMAGE_OPTION_JOURNAL_ORDER: c_int = 5;
pub const RBD_IMAGE_OPTION_JOURNAL_SPLAY_WIDTH: c_int = 6;
pub const RBD_IMAGE_OPTION_JOURNAL_POOL: c_int = 7;
pub const RBD_IMAGE_OPTION_FEATURES_SET: c_int = 8;
pub const RBD_IMAGE_OPTION_FEATURES_CLEAR: c_int = 9;
pub const RBD_IMAGE_OPTION_DATA_POOL: c_int = 10;
pub const RBD_IMAGE_OPTION_FLATTEN: c_int = 11;
pub const RBD_IMAGE_OPTION_CLONE_FORMAT: c_int = 12;
pub const RBD_IMAGE_OPTION_MIRROR_IMAGE_MODE: c_int = 13;

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rbd_trash_image_source_t {
    RBD_TRASH_IMAGE_SOURCE_USER = 0,
    RBD_TRASH_IMAGE_SOURCE_MIRRORING = 1,
    RBD_TRASH_IMAGE_SOURCE_MIGRATION = 2,
    RBD_TRASH_IMAGE_SOURCE_REMOVING = 3,
    RBD_TRASH_IMAGE_SOURCE_USER_PARENT = 4,
}

#[repr(C)]
pub struct rbd_trash_image_info_t {
    pub id: *mut c_char,
    pub name: *mut c_char,
    pub source: rbd_trash_image_source_t,
    pub deletion_time: time_t,
    pub deferment_end_time: time_t,
}

#[repr(C)]
pub struct rbd_image_watcher_t {
    pub addr: *mut c_char,
    pub id: i64,
    pub cookie: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rbd_image_migration_state_t {
    RBD_IMAGE_MIGRATION_STATE_UNKNOWN = -1,
    RBD_IMAGE_MIGRATION_STATE_ERROR = 0,
    RBD_IMAGE_MIGRATION_STATE_PREPARING = 1,
    RBD_IMAGE_MIGRATION_STATE_PREPARED = 2,
    RBD_IMAGE_MIGRATION_STATE_EXECUTING = 3,
    RBD_IMAGE_MIGRATION_STATE_EXECUTED = 4,
    RBD_IMAGE_MIGRATION_STATE_ABORTING = 5,
}

#[repr(C)]
pub struct rbd_image_migration_status_t {
    pub source_pool_id: i64,
    pub source_pool_namespace: *mut c_char,
    pub source_image_name: *mut c_char,
    pub source_image_id: *mut c_char,
    pub dest_pool_id: i64,
    pub dest_pool_namespace: *mut c_char,
    pub dest_image_name: *mut c_char,
    pub dest_image_id: *mut c_char,
    pub state: rbd_image_migration_state_t,
    pub state_description: *mut c_char,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rbd_config_source_t {
    RBD_CONFIG_SOURCE_CONFIG = 0,
    RBD_CONFIG_SOURCE_POOL = 1,
    RBD_CONFIG_SOURCE_IMAGE = 2,
}

#[repr(C)]
pub struct rbd_config_option_t {
    pub name: *mut c_char,
    pub value: *mut c_char,
    pub source: rbd_config_source_t,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rbd_pool_stat_option_t {
    RBD_POOL_STAT_OPTION_IMAGES,
    RBD_POOL_STAT_OPTION_IMAGE_PROVISIONED_BYTES,
    RBD_POOL_STAT_OPTION_IMAGE_MAX_PROVISIONED_BYTES,
    RBD_POOL_STAT_OPTION_IMAGE_SNAPSHOTS,
    RBD_POOL_STAT_OPTION_TRASH_IMAGES,
    RBD_POOL_STAT_OPTION_TRASH_PROVISIONED_BYTES,
    RBD_POOL_STAT_OPTION_TRASH_MAX_PROVISIONED_BYTES,
    RBD_POOL_STAT_OPTION_TRASH_SNAPSHOTS,
}

// Flags of `rbd_write_zeroes` (anonymous enum).
pub const RBD_WRITE_ZEROES_FLAG_THICK_PROVISION: c_int = 1 << 0;

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rbd_encryption_format_t {
    RBD_ENCRYPTION_FORMAT_LUKS1 = 0,
    RBD_ENCRYPTION_FORMAT_LUKS2 = 1,
}

/// A `rbd_encryption_format_t` as C passes it.
#[repr(transparent)]
#[derive(Clone, Copy, Debug)]
pub struct EncryptionFormatArg(pub c_int);

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum rbd_encryption_algorithm_t {
    RBD_ENCRYPTION_ALGORITHM_AES128 = 0,
    RBD_ENCRYPTION_ALGORITHM_AES256 = 1,
}

/// Pointer to one of the `rbd_encryption_*_format_options_t` structs (caller memory).
pub type rbd_encryption_options_t = *mut c_void;

#[repr(C)]
pub struct rbd_encryption_luks1_format_options_t {
    pub alg: rbd_encryption_algorithm_t,
    pub passphrase: *const c_char,
    pub passphrase_size: usize,
}

#[repr(C)]
pub struct rbd_encryption_luks2_format_options_t {
    pub alg: rbd_encryption_algorithm_t,
    pub passphrase: *const c_char,
    pub passphrase_size: usize,
}
