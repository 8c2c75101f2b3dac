//! The `cluster` backend: a native client of a Ceph cluster — msgr2 frames
//! and handshake, cephx, the monitor session, OSD maps and CRUSH placement,
//! and object operations sent to OSDs.

/// Prints a diagnostic line to stderr when `CEPHRS_DEBUG` is set in the environment.
macro_rules! trace {
    ($($arg:tt)*) => {
        if $crate::rados::cluster::debug_enabled() {
            eprintln!("cephrs: {}", format_args!($($arg)*));
        }
    };
}

pub mod backend;
pub mod cephx;
pub mod cluster_log;
pub mod connection;
pub mod crush;
mod crush_ln;
pub mod crypto;
pub mod daemon_command;
pub mod finisher;
pub mod frames;
pub mod handshake;
pub mod json;
pub mod mgr_session;
pub mod mon_ping;
pub mod monclient;
pub mod objecter;
pub mod osd_wire;
pub mod osdmap;
pub mod osdmap_incremental;

/// True when `CEPHRS_DEBUG` is set (read once).
pub fn debug_enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("CEPHRS_DEBUG").is_some())
}
