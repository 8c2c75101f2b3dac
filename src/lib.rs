//! cephrs: Ceph Pacific's `librados.so.2` and `librbd.so.1`, in Rust.
//!
//! Layers, top to bottom (arrows point down only):
//! - `capi`   — the C ABI: argument checks, handles, errno mapping;
//! - `rbd`    — the RBD engine (images, I/O paths, snapshots…) over the RADOS API;
//! - `rados`  — the RADOS API over a `Backend` (embedded local store, or a cluster);
//! - `cls`    — typed requests and replies of the object classes RBD uses;
//! - `denc`   — Ceph's binary encoding; `config` — options, ceph.conf, keyrings.
//!
//! See docs/DESIGN.md.

pub mod capi;
pub mod cls;
pub mod config;
pub mod denc;
pub mod error;
pub mod rados;
pub mod rbd;

pub use error::{Error, Result};
