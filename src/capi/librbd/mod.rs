//! `rbd/librbd.h`: every `rbd_*` function of librbd 1.16.0, by family.

pub mod types;

mod clone;
mod completion;
mod encryption;
mod group;
mod image;
pub(crate) mod image_handle;
mod image_info;
mod image_ops;
mod image_options;
mod io;
mod lock;
mod metadata;
mod migration;
mod mirror;
mod open;
mod pool;
mod snapshot;
mod specs;
mod trash;
mod watch;
