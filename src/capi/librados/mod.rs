//! `rados/librados.h`: every `rados_*` function of librados 3.0.0, by family.

pub mod types;

mod aio;
mod cluster;
mod command;
mod completion;
mod ioctx;
mod iterators;
mod listing;
mod lock;
mod object;
mod object_io;
mod op_builder;
mod pool;
mod read_op;
mod snapshot;
mod tmap;
mod watch;
mod write_op;
mod xattr;
