//! What an open image says about itself: `rbd_stat` and the getters.
//!
//! Every function here fails with -EINVAL for a NULL image or out-parameter
//! and -EBADF for a closed image; values come from the header as of the
//! last refresh (refreshed first when a peer announced a change).

use super::image_handle::image;
use crate::capi::prelude::*;
use crate::denc::UTime;

/// Writes `value` through a checked out-parameter.
fn put<T>(out: *mut T, value: impl FnOnce() -> Result<T>) -> c_int {
    entry(|| {
        let out = Out::new(out, "out-parameter")?;
        let value = value()?;
        // SAFETY: checked out-parameter.
        unsafe { out.write(value) };
        Ok(0)
    })
}

/// Fills `info`: size, object size, object count, order, block name prefix;
/// the deprecated parent fields are -1 and "". `infosize` is not checked, as
/// upstream.
#[no_mangle]
pub unsafe extern "C" fn rbd_stat(image: rbd_image_t, info: *mut rbd_image_info_t, infosize: usize) -> c_int {
    let _ = infosize;
    put(info, || {
        let image = self::image(image)?;
        let header = image.header();
        let layout = header.layout();
        let mut block_name_prefix = [0 as c_char; RBD_MAX_BLOCK_NAME_SIZE];
        for (slot, b) in
            block_name_prefix.iter_mut().zip(header.object_prefix.bytes().take(RBD_MAX_BLOCK_NAME_SIZE - 1))
        {
            *slot = b as c_char;
        }
        Ok(rbd_image_info_t {
            size: header.size,
            obj_size: 1u64 << header.order,
            num_objs: layout.num_objects(header.size),
            order: c_int::from(header.order),
            block_name_prefix,
            parent_pool: -1,
            parent_name: [0; RBD_MAX_IMAGE_NAME_SIZE],
        })
    })
}

/// Images are always format 2 here: stores 0.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_old_format(image: rbd_image_t, old: *mut u8) -> c_int {
    put(old, || self::image(image).map(|_| 0))
}

/// The image size in bytes.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_size(image: rbd_image_t, size: *mut u64) -> c_int {
    put(size, || Ok(self::image(image)?.header().size))
}

/// The image's feature bits.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_features(image: rbd_image_t, features: *mut u64) -> c_int {
    put(features, || Ok(self::image(image)?.header().features))
}

/// The image's operation feature bits.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_op_features(image: rbd_image_t, op_features: *mut u64) -> c_int {
    put(op_features, || Ok(self::image(image)?.header().op_features))
}

/// The stripe unit (the object size without striping).
#[no_mangle]
pub unsafe extern "C" fn rbd_get_stripe_unit(image: rbd_image_t, stripe_unit: *mut u64) -> c_int {
    put(stripe_unit, || Ok(self::image(image)?.header().layout().stripe_unit))
}

/// The stripe count (1 without striping).
#[no_mangle]
pub unsafe extern "C" fn rbd_get_stripe_count(image: rbd_image_t, stripe_count: *mut u64) -> c_int {
    put(stripe_count, || Ok(self::image(image)?.header().layout().stripe_count))
}

fn to_timespec(t: UTime) -> timespec {
    timespec { tv_sec: t.sec as time_t, tv_nsec: t.nsec as _ }
}

/// When the image was created.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_create_timestamp(image: rbd_image_t, timestamp: *mut timespec) -> c_int {
    put(timestamp, || Ok(to_timespec(self::image(image)?.header().create_timestamp)))
}

/// When the image was last opened for writing (updated at most every
/// `rbd_atime_update_interval` seconds).
#[no_mangle]
pub unsafe extern "C" fn rbd_get_access_timestamp(image: rbd_image_t, timestamp: *mut timespec) -> c_int {
    put(timestamp, || Ok(to_timespec(self::image(image)?.header().access_timestamp)))
}

/// When the image was last written (updated at most every
/// `rbd_mtime_update_interval` seconds).
#[no_mangle]
pub unsafe extern "C" fn rbd_get_modify_timestamp(image: rbd_image_t, timestamp: *mut timespec) -> c_int {
    put(timestamp, || Ok(to_timespec(self::image(image)?.header().modify_timestamp)))
}

/// The overlap with the parent image: 0, as images opened here have no parent.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_overlap(image: rbd_image_t, overlap: *mut u64) -> c_int {
    put(overlap, || self::image(image).map(|_| 0))
}

/// The image's name (as opened) with its NUL into `name`, its size into
/// `*name_len`. Errors: -ERANGE (with the size needed) when `*name_len` is too small.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_name(image: rbd_image_t, name: *mut c_char, name_len: *mut usize) -> c_int {
    entry(|| {
        let image = self::image(image)?;
        let len_out = Out::new(name_len, "name_len")?;
        // SAFETY: the caller's buffer of *name_len bytes.
        unsafe { write_sized_cstring(name, len_out, image.name().as_bytes()) }
    })
}

/// Copies a string into a caller buffer of `len` bytes with its NUL. Errors:
/// -ERANGE when it does not fit, -EINVAL for a NULL buffer.
///
/// # Safety
/// `buf` is NULL or valid for `len` bytes.
unsafe fn copy_string(buf: *mut c_char, len: usize, text: &str) -> Result<c_int> {
    if text.len() >= len {
        return Err(Error::Range("buffer too small".into()));
    }
    // SAFETY: per this function's contract.
    if !unsafe { write_cstring(buf, len, text.as_bytes()) } {
        return Err(Error::invalid("buffer is NULL"));
    }
    Ok(0)
}

/// The image's id with its NUL into `id` (`id_len` bytes). Errors: -ERANGE.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_id(image: rbd_image_t, id: *mut c_char, id_len: usize) -> c_int {
    // SAFETY: the caller's buffer of id_len bytes.
    entry(|| unsafe { copy_string(id, id_len, &self::image(image)?.id) })
}

/// The pool id of the image's data objects (its own pool without a data
/// pool); -EINVAL or -EBADF for a bad handle.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_data_pool_id(image: rbd_image_t) -> i64 {
    entry(|| Ok(self::image(image)?.data_io.pool_id()))
}

/// The image's flags (object map / fast diff invalid).
#[no_mangle]
pub unsafe extern "C" fn rbd_get_flags(image: rbd_image_t, flags: *mut u64) -> c_int {
    put(flags, || Ok(self::image(image)?.header().flags))
}

/// The data objects' name prefix (`rbd_data.<id>`) with its NUL into
/// `prefix` (`prefix_len` bytes). Errors: -ERANGE.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_block_name_prefix(
    image: rbd_image_t,
    prefix: *mut c_char,
    prefix_len: usize,
) -> c_int {
    // SAFETY: the caller's buffer of prefix_len bytes.
    entry(|| unsafe { copy_string(prefix, prefix_len, &self::image(image)?.header().object_prefix) })
}
