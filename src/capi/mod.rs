//! The C ABI of librados 3.0.0 and librbd 1.16.0 (Ceph Pacific 16.2).
//!
//! This is the only place with `extern "C"` functions and raw pointers. Each
//! sub-tree is the Rust definition of one public header, from which build.rs
//! generates it with cbindgen:
//!
//! | module        | header                        |
//! |---------------|-------------------------------|
//! | `features`    | `include/rbd/features.h`      |
//! | `rados_types` | `include/rados/rados_types.h` |
//! | `librados`    | `include/rados/librados.h`    |
//! | `librbd`      | `include/rbd/librbd.h`        |
//!
//! Every exported function checks its arguments, calls the engine (`crate::rados`,
//! `crate::rbd`) and runs inside `guard::entry`, which maps `Error` to `-errno`
//! and stops panics at the boundary.

#![allow(non_camel_case_types)]
#![allow(deprecated)]
#![allow(unused_variables)]
#![allow(clippy::missing_safety_doc)]

pub mod features;
pub mod librados;
pub mod librbd;
pub mod rados_types;

pub(crate) mod args;
pub(crate) mod completions;
pub(crate) mod guard;
pub(crate) mod handles;

/// What every exported-function file imports.
pub(crate) mod prelude {
    pub(crate) use super::args::*;
    pub(crate) use super::guard::{enosys, entry};
    pub(crate) use super::handles::*;
    pub(crate) use super::librados::types::*;
    pub(crate) use super::librbd::types::*;
    pub(crate) use super::rados_types::*;
    pub(crate) use crate::error::{Error, Result};
    pub(crate) use libc::{iovec, ssize_t, time_t, timespec, timeval};
    pub(crate) use std::os::raw::{c_char, c_int, c_uchar, c_uint, c_void};
}
