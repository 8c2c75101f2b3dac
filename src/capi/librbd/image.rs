//! Images in a pool: create, list, remove, rename; image getters.

use crate::capi::prelude::*;

/// Reports librbd's version, 1.16.0. Each pointer may be NULL.
#[no_mangle]
pub unsafe extern "C" fn rbd_version(major: *mut c_int, minor: *mut c_int, extra: *mut c_int) {
    entry(|| {
        for (p, v) in [(major, LIBRBD_VER_MAJOR), (minor, LIBRBD_VER_MINOR), (extra, LIBRBD_VER_EXTRA)] {
            if let Some(out) = Out::optional(p) {
                // SAFETY: non-null out-parameter supplied by the caller.
                unsafe { out.write(v) };
            }
        }
        Ok(())
    })
}

/// Not implemented yet: returns -ENOSYS.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_list(io: rados_ioctx_t, names: *mut c_char, size: *mut usize) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_list2(io: rados_ioctx_t, images: *mut rbd_image_spec_t, max_images: *mut usize) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_create(io: rados_ioctx_t, name: *const c_char, size: u64, order: *mut c_int) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_create2(
    io: rados_ioctx_t,
    name: *const c_char,
    size: u64,
    features: u64,
    order: *mut c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_create3(
    io: rados_ioctx_t,
    name: *const c_char,
    size: u64,
    features: u64,
    order: *mut c_int,
    stripe_unit: u64,
    stripe_count: u64,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_create4(
    io: rados_ioctx_t,
    name: *const c_char,
    size: u64,
    opts: rbd_image_options_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_remove(io: rados_ioctx_t, name: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_remove_with_progress(
    io: rados_ioctx_t,
    name: *const c_char,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_rename(
    src_io_ctx: rados_ioctx_t,
    srcname: *const c_char,
    destname: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_features_to_string(features: u64, str_features: *mut c_char, size: *mut usize) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_features_from_string(str_features: *const c_char, features: *mut u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_stat(image: rbd_image_t, info: *mut rbd_image_info_t, infosize: usize) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_old_format(image: rbd_image_t, old: *mut u8) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_size(image: rbd_image_t, size: *mut u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_features(image: rbd_image_t, features: *mut u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_op_features(image: rbd_image_t, op_features: *mut u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_stripe_unit(image: rbd_image_t, stripe_unit: *mut u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_stripe_count(image: rbd_image_t, stripe_count: *mut u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_create_timestamp(image: rbd_image_t, timestamp: *mut timespec) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_access_timestamp(image: rbd_image_t, timestamp: *mut timespec) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_modify_timestamp(image: rbd_image_t, timestamp: *mut timespec) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_overlap(image: rbd_image_t, overlap: *mut u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_name(image: rbd_image_t, name: *mut c_char, name_len: *mut usize) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_id(image: rbd_image_t, id: *mut c_char, id_len: usize) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_data_pool_id(image: rbd_image_t) -> i64 {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_flags(image: rbd_image_t, flags: *mut u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_get_block_name_prefix(
    image: rbd_image_t,
    prefix: *mut c_char,
    prefix_len: usize,
) -> c_int {
    enosys!()
}
