//! The RADOS API in Rust: cluster handles, I/O contexts, object operations,
//! completions and watch/notify, over a `Backend` (the embedded local store or
//! a Ceph cluster).

pub mod backend;
pub mod buffer_pool;
pub mod checked_copy;
pub mod cluster;
mod completion;
mod handle;
pub mod inflight;
mod ioctx;
pub mod local;
mod lock_client;
pub mod object;
pub mod op;
pub mod payload;
pub mod placement;
mod watch_client;

pub use completion::{Completion, CompletionObserver};
pub use handle::{ConfigContext, Rados};
pub use ioctx::{check, IoCtx};
pub use lock_client::LockRequest;
