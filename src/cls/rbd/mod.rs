//! cls `rbd`: the image metadata methods RBD calls on its header, id,
//! directory, object map and trash objects. Inputs and outputs are the
//! upstream encodings (`cls_rbd_client.cc`); each method here behaves as
//! Pacific's `cls_rbd.cc` on the same object state, so that the local store
//! writes what an OSD writes. The client side builds its requests with the same
//! types.

use super::{errno, Method, ObjectContext, RD, RDWR};
use crate::denc::{Decode, Encode};
use crate::error::Result;

pub mod directory;
pub mod features;
pub mod header;
pub mod metadata;
pub mod object_map;
pub mod snapshot;
pub mod trash;

pub const CLASS: &str = "rbd";

/// `CEPH_NOSNAP`: the image head.
pub const NOSNAP: u64 = u64::MAX - 1;
/// Keys read per omap listing inside methods (`RBD_MAX_KEYS_READ`).
const MAX_KEYS_READ: u64 = 64;
const SNAP_KEY_PREFIX: &str = "snapshot_";

/// Reads and decodes omap key `key`: ENOENT when missing, EIO when it does not decode.
fn read_key<T: Decode>(ctx: &mut dyn ObjectContext, key: &str) -> Result<T> {
    let bytes = ctx.omap_get(key.as_bytes())?;
    T::from_bytes(&bytes).map_err(|_| errno(libc::EIO, format!("cannot decode omap key {key}")))
}

/// `read_key` with a default for a missing key.
fn read_key_or<T: Decode>(ctx: &mut dyn ObjectContext, key: &str, default: T) -> Result<T> {
    match read_key(ctx, key) {
        Err(e) if e.errno() == libc::ENOENT => Ok(default),
        other => other,
    }
}

fn write_key<T: Encode + ?Sized>(ctx: &mut dyn ObjectContext, key: &str, value: &T) -> Result<()> {
    ctx.omap_set(&[(key.as_bytes().to_vec(), value.to_bytes())])
}

/// Removes `key`; a missing key is not an error (as upstream's `remove_key`).
fn remove_key(ctx: &mut dyn ObjectContext, key: &str) -> Result<()> {
    match ctx.omap_remove(&[key.as_bytes().to_vec()]) {
        Err(e) if e.errno() == libc::ENOENT => Ok(()),
        other => other,
    }
}

/// ENOENT unless the object exists.
fn check_exists(ctx: &mut dyn ObjectContext) -> Result<()> {
    ctx.stat().map(|_| ())
}

/// An image id: non-empty, alphanumeric.
fn is_valid_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `snapshot_<16 hex digits>`.
pub fn snap_key(snap_id: u64) -> String {
    format!("{SNAP_KEY_PREFIX}{snap_id:016x}")
}

/// ENOEXEC unless every feature of `need` is enabled (ENOEXEC too for an image
/// without features: an old-format header).
fn require_feature(ctx: &mut dyn ObjectContext, need: u64) -> Result<()> {
    match read_key::<u64>(ctx, "features") {
        Ok(f) if f & need == need => Ok(()),
        Ok(_) => Err(errno(libc::ENOEXEC, "feature not enabled")),
        Err(e) if e.errno() == libc::ENOENT => Err(errno(libc::ENOEXEC, "no features: old format")),
        Err(e) => Err(e),
    }
}

/// Encodes a method's output.
fn out<T: Encode + ?Sized>(value: &T) -> Result<Vec<u8>> {
    Ok(value.to_bytes())
}

/// Every method this library serves for class `rbd`.
pub static METHODS: &[Method] = &[
    // header
    Method { class: CLASS, name: "create", flags: RDWR, run: header::create },
    Method { class: CLASS, name: "get_features", flags: RD, run: header::get_features },
    Method { class: CLASS, name: "set_features", flags: RDWR, run: header::set_features },
    Method { class: CLASS, name: "get_size", flags: RD, run: header::get_size },
    Method { class: CLASS, name: "set_size", flags: RDWR, run: header::set_size },
    Method { class: CLASS, name: "get_object_prefix", flags: RD, run: header::get_object_prefix },
    Method { class: CLASS, name: "get_data_pool", flags: RD, run: header::get_data_pool },
    Method { class: CLASS, name: "get_flags", flags: RD, run: header::get_flags },
    Method { class: CLASS, name: "set_flags", flags: RDWR, run: header::set_flags },
    Method { class: CLASS, name: "op_features_get", flags: RD, run: header::op_features_get },
    Method { class: CLASS, name: "op_features_set", flags: RDWR, run: header::op_features_set },
    Method { class: CLASS, name: "get_stripe_unit_count", flags: RD, run: header::get_stripe_unit_count },
    Method { class: CLASS, name: "set_stripe_unit_count", flags: RDWR, run: header::set_stripe_unit_count },
    Method { class: CLASS, name: "get_create_timestamp", flags: RD, run: header::get_create_timestamp },
    Method { class: CLASS, name: "get_access_timestamp", flags: RD, run: header::get_access_timestamp },
    Method { class: CLASS, name: "get_modify_timestamp", flags: RD, run: header::get_modify_timestamp },
    Method { class: CLASS, name: "set_access_timestamp", flags: RDWR, run: header::set_access_timestamp },
    Method { class: CLASS, name: "set_modify_timestamp", flags: RDWR, run: header::set_modify_timestamp },
    Method { class: CLASS, name: "get_snapcontext", flags: RD, run: header::get_snapcontext },
    Method { class: CLASS, name: "parent_get", flags: RD, run: header::parent_get },
    Method { class: CLASS, name: "parent_overlap_get", flags: RD, run: header::parent_overlap_get },
    Method { class: CLASS, name: "snapshot_get_limit", flags: RD, run: header::snapshot_get_limit },
    // snapshots
    Method { class: CLASS, name: "snapshot_add", flags: RDWR, run: snapshot::snapshot_add },
    Method { class: CLASS, name: "snapshot_get", flags: RD, run: snapshot::snapshot_get },
    Method { class: CLASS, name: "snapshot_remove", flags: RDWR, run: snapshot::snapshot_remove },
    Method { class: CLASS, name: "snapshot_rename", flags: RDWR, run: snapshot::snapshot_rename },
    Method { class: CLASS, name: "get_protection_status", flags: RD, run: snapshot::get_protection_status },
    Method { class: CLASS, name: "set_protection_status", flags: RDWR, run: snapshot::set_protection_status },
    Method { class: CLASS, name: "snapshot_set_limit", flags: RDWR, run: snapshot::snapshot_set_limit },
    Method { class: CLASS, name: "get_all_features", flags: RD, run: header::get_all_features },
    // metadata
    Method { class: CLASS, name: "metadata_list", flags: RD, run: metadata::metadata_list },
    Method { class: CLASS, name: "metadata_set", flags: RDWR, run: metadata::metadata_set },
    Method { class: CLASS, name: "metadata_remove", flags: RDWR, run: metadata::metadata_remove },
    Method { class: CLASS, name: "metadata_get", flags: RD, run: metadata::metadata_get },
    // rbd_id.<name> and rbd_directory
    Method { class: CLASS, name: "get_id", flags: RD, run: directory::get_id },
    Method { class: CLASS, name: "set_id", flags: RDWR, run: directory::set_id },
    Method { class: CLASS, name: "dir_get_id", flags: RD, run: directory::dir_get_id },
    Method { class: CLASS, name: "dir_get_name", flags: RD, run: directory::dir_get_name },
    Method { class: CLASS, name: "dir_list", flags: RD, run: directory::dir_list },
    Method { class: CLASS, name: "dir_add_image", flags: RDWR, run: directory::dir_add_image },
    Method { class: CLASS, name: "dir_remove_image", flags: RDWR, run: directory::dir_remove_image },
    Method { class: CLASS, name: "dir_rename_image", flags: RDWR, run: directory::dir_rename_image },
    // rbd_object_map.<id>
    Method { class: CLASS, name: "object_map_load", flags: RD, run: object_map::object_map_load },
    Method { class: CLASS, name: "object_map_save", flags: RDWR, run: object_map::object_map_save },
    Method { class: CLASS, name: "object_map_resize", flags: RDWR, run: object_map::object_map_resize },
    Method { class: CLASS, name: "object_map_update", flags: RDWR, run: object_map::object_map_update },
    Method { class: CLASS, name: "object_map_snap_add", flags: RDWR, run: object_map::object_map_snap_add },
    Method { class: CLASS, name: "object_map_snap_remove", flags: RDWR, run: object_map::object_map_snap_remove },
    // rbd_trash
    Method { class: CLASS, name: "trash_add", flags: RDWR, run: trash::trash_add },
    Method { class: CLASS, name: "trash_remove", flags: RDWR, run: trash::trash_remove },
    Method { class: CLASS, name: "trash_get", flags: RD, run: trash::trash_get },
    Method { class: CLASS, name: "trash_list", flags: RD, run: trash::trash_list },
    Method { class: CLASS, name: "trash_state_set", flags: RDWR, run: trash::trash_state_set },
];
