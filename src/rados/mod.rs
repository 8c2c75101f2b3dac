//! The RADOS API in Rust: cluster handles, I/O contexts, object operations,
//! completions and watch/notify, over a `Backend` (the embedded local store or
//! a Ceph cluster).

mod cluster;
mod completion;

pub use cluster::{ConfigContext, Rados};
pub use completion::Completion;
