//! The RBD engine over the RADOS API: images, striping, I/O paths, snapshots,
//! clones, object map, locks…

mod image_options;

pub use image_options::{ImageOption, ImageOptionValue, ImageOptions};
