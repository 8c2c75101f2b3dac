//! The RBD engine over the RADOS API: images in format 2 as upstream lays them
//! out — creation, opening, striping, I/O paths, the exclusive lock, the object
//! map, metadata, resizing, removal.

mod advisory_locks;
mod create;
mod diff;
mod exclusive_lock;
mod image;
mod image_options;
mod io;
pub mod layout;
mod metadata;
pub mod notify_messages;
mod object_map;
pub mod object_names;
mod pool_images;
mod resize;
mod snapshots;
pub mod trash;
mod update_features;
mod watcher;

pub use advisory_locks::{Locker, Lockers};
pub use create::{create, generate_id, CreateSpec};
pub use image::{lookup_id, lookup_name, HeaderState, Image, ImageRef};
pub use image_options::{ImageOption, ImageOptionValue, ImageOptions};
pub use io::{Done, ReadBuffer};
pub use metadata::{image_options as per_image_options, is_image_option, ConfigSource, CONF_PREFIX};
pub use pool_images::{directory_id, list, remove, rename};
