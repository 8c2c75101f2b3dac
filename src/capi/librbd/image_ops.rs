//! Whole-image operations: resize, features, copy, sparsify, diff.

use super::image::{no_progress, progress_fn};
use super::image_handle::image;
use crate::capi::prelude::*;

/// Resizes the image; shrinking deletes or truncates the data objects past
/// the new end. Errors: -EROFS, -EINVAL, -EBADF, or the storage's error.
#[no_mangle]
pub unsafe extern "C" fn rbd_resize(image: rbd_image_t, size: u64) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { rbd_resize2(image, size, true, Some(no_progress), std::ptr::null_mut()) }
}

/// `rbd_resize` calling `cb(objects done, total, cbdata)` while trimming;
/// with `allow_shrink` false, shrinking fails with -EINVAL.
#[no_mangle]
pub unsafe extern "C" fn rbd_resize2(
    image: rbd_image_t,
    size: u64,
    allow_shrink: bool,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    entry(|| {
        let image = self::image(image)?;
        let mut progress = progress_fn(cb, cbdata)?;
        image.resize(size, allow_shrink, &mut progress).map(|_| 0)
    })
}

/// `rbd_resize2` allowing shrinking.
#[no_mangle]
pub unsafe extern "C" fn rbd_resize_with_progress(
    image: rbd_image_t,
    size: u64,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { rbd_resize2(image, size, true, cb, cbdata) }
}

/// Enables (`enabled` non-zero) or disables features: exclusive-lock,
/// object-map and fast-diff (coupled, as upstream), deep-flatten (disable
/// only). Errors: -EINVAL (already in that state, not mutable, a dependency
/// in the way), -EOPNOTSUPP (journaling: not implemented), -EROFS, -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rbd_update_features(image: rbd_image_t, features: u64, enabled: u8) -> c_int {
    entry(|| self::image(image)?.update_features(features, enabled != 0).map(|_| 0))
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_rebuild_object_map(
    image: rbd_image_t,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_copy(image: rbd_image_t, dest_io_ctx: rados_ioctx_t, destname: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_copy2(src: rbd_image_t, dest: rbd_image_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_copy3(
    src: rbd_image_t,
    dest_io_ctx: rados_ioctx_t,
    destname: *const c_char,
    dest_opts: rbd_image_options_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_copy4(
    src: rbd_image_t,
    dest_io_ctx: rados_ioctx_t,
    destname: *const c_char,
    dest_opts: rbd_image_options_t,
    sparse_size: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_copy_with_progress(
    image: rbd_image_t,
    dest_p: rados_ioctx_t,
    destname: *const c_char,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_copy_with_progress2(
    src: rbd_image_t,
    dest: rbd_image_t,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_copy_with_progress3(
    image: rbd_image_t,
    dest_p: rados_ioctx_t,
    destname: *const c_char,
    dest_opts: rbd_image_options_t,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_copy_with_progress4(
    image: rbd_image_t,
    dest_p: rados_ioctx_t,
    destname: *const c_char,
    dest_opts: rbd_image_options_t,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
    sparse_size: usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_deep_copy(
    src: rbd_image_t,
    dest_io_ctx: rados_ioctx_t,
    destname: *const c_char,
    dest_opts: rbd_image_options_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_deep_copy_with_progress(
    image: rbd_image_t,
    dest_io_ctx: rados_ioctx_t,
    destname: *const c_char,
    dest_opts: rbd_image_options_t,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_sparsify(image: rbd_image_t, sparse_size: usize) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_sparsify_with_progress(
    image: rbd_image_t,
    sparse_size: usize,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// `rbd_diff_iterate2` with the parent included and extents as precise as
/// the clone lists give.
#[no_mangle]
pub unsafe extern "C" fn rbd_diff_iterate(
    image: rbd_image_t,
    fromsnapname: *const c_char,
    ofs: u64,
    len: u64,
    cb: Option<unsafe extern "C" fn(u64, usize, c_int, *mut c_void) -> c_int>,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { rbd_diff_iterate2(image, fromsnapname, ofs, len, 1, 0, cb, arg) }
}

/// Calls `cb(offset, length, exists, arg)` for each extent of [`ofs`,
/// `ofs + len`) that changed since snapshot `fromsnapname` (NULL: since
/// the image was made), up to the image's head or the snapshot it reads, in
/// offset order; `exists` is 0 where data was removed. `whole_object` allows
/// whole-object extents (from the object maps with fast-diff).
/// `include_parent` has nothing to add: this library makes no clones.
/// Errors: -EINVAL for a NULL callback, an offset past the end, or a start
/// newer than the end; -ENOENT without the snapshot; -EBADF; the OSDs'
/// errors; a negative value `cb` returns stops the walk and is returned.
#[no_mangle]
pub unsafe extern "C" fn rbd_diff_iterate2(
    image: rbd_image_t,
    fromsnapname: *const c_char,
    ofs: u64,
    len: u64,
    include_parent: u8,
    whole_object: u8,
    cb: Option<unsafe extern "C" fn(u64, usize, c_int, *mut c_void) -> c_int>,
    arg: *mut c_void,
) -> c_int {
    let _ = include_parent;
    entry(|| {
        let image = self::image(image)?;
        // SAFETY: NULL or the caller's NUL-terminated string.
        let from = unsafe { opt_c_str(fromsnapname, "snapshot name") }?;
        let cb = cb.ok_or_else(|| Error::invalid("callback is NULL"))?;
        let data = CPtr(arg);
        let mut report = |off: u64, len: u64, exists: bool| -> Result<()> {
            // SAFETY: the caller's callback and its argument, valid for the call.
            let r = unsafe { cb(off, len as usize, c_int::from(exists), data.ptr()) };
            if r < 0 {
                return Err(Error::remote(r, "diff callback"));
            }
            Ok(())
        };
        image.diff_iterate(from, ofs, len, whole_object != 0, &mut report).map(|_| 0)
    })
}
