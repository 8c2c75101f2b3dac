//! Opening and closing images, sync and async.
//!
//! Errors of every open function: -EINVAL for NULL arguments, -EBADF for a bad
//! I/O context, -ENOENT when the image (or the snapshot) does not exist,
//! -ENOSYS when it has features this library does not know, or when a
//! snapshot is named (opening at a snapshot is not implemented yet).

use std::sync::Arc;

use super::image_handle::ImageEntry;
use crate::capi::completions;
use crate::capi::prelude::*;
use crate::rbd::{Image, ImageRef};

/// How the image is named.
#[derive(Clone, Copy)]
enum By {
    Name,
    Id,
}

/// Opens the image and registers its handle.
fn open_image(
    io: &Arc<crate::rados::IoCtx>,
    by: By,
    what: &str,
    snap: Option<&str>,
    read_only: bool,
) -> Result<rbd_image_t> {
    let reference = match by {
        By::Name => ImageRef::Name(what),
        By::Id => ImageRef::Id(what),
    };
    let image = Image::open(io, reference, read_only)?;
    if snap.is_some() {
        if let Err(e) = image.set_snapshot(snap) {
            let _ = image.close();
            return Err(e);
        }
    }
    Ok(IMAGES.insert(Arc::new(ImageEntry::new(image))))
}

/// The synchronous open functions.
///
/// # Safety
/// `name` and `snap_name` are NULL or C strings; `image` is NULL or writable.
unsafe fn open_sync(
    io: rados_ioctx_t,
    by: By,
    name: *const c_char,
    image: *mut rbd_image_t,
    snap_name: *const c_char,
    read_only: bool,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string arguments per this function's contract.
        let (what, snap) = unsafe { (c_str(name, "image name")?, opt_c_str(snap_name, "snapshot name")?) };
        let out = Out::new(image, "image")?;
        let handle = open_image(&io, by, what, snap, read_only)?;
        // SAFETY: checked out-parameter.
        unsafe { out.write(handle) };
        Ok(0)
    })
}

/// The asynchronous open functions: the open runs on a library thread, writes
/// `*image` (NULL on failure) and then completes `c` with 0 or -errno.
///
/// # Safety
/// As `open_sync`; `image` stays valid until `c` completes.
unsafe fn open_async(
    io: rados_ioctx_t,
    by: By,
    name: *const c_char,
    image: *mut rbd_image_t,
    snap_name: *const c_char,
    read_only: bool,
    c: rbd_completion_t,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string arguments per this function's contract.
        let (what, snap) = unsafe { (c_str(name, "image name")?, opt_c_str(snap_name, "snapshot name")?) };
        let (what, snap) = (what.to_string(), snap.map(str::to_string));
        Out::new(image, "image")?;
        let out = CPtr(image);
        completions::complete_detached(&RBD_COMPLETIONS, c, move || {
            let opened = open_image(&io, by, &what, snap.as_deref(), read_only);
            let (handle, value) = match opened {
                Ok(h) => (h, 0),
                Err(e) => (std::ptr::null_mut(), -i64::from(e.errno())),
            };
            // SAFETY: the caller keeps `image` valid until the completion fires.
            unsafe { out.set(handle) };
            value
        })?;
        Ok(0)
    })
}

/// Opens image `name` for reading and writing (at snapshot `snap_name`, read-only,
/// when not NULL) and stores its handle in `*image`. Errors: see the module.
#[no_mangle]
pub unsafe extern "C" fn rbd_open(
    io: rados_ioctx_t,
    name: *const c_char,
    image: *mut rbd_image_t,
    snap_name: *const c_char,
) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { open_sync(io, By::Name, name, image, snap_name, false) }
}

/// Opens the image of id `id`, as `rbd_open`.
#[no_mangle]
pub unsafe extern "C" fn rbd_open_by_id(
    io: rados_ioctx_t,
    id: *const c_char,
    image: *mut rbd_image_t,
    snap_name: *const c_char,
) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { open_sync(io, By::Id, id, image, snap_name, false) }
}

/// `rbd_open` on a library thread, completing `c`. Errors (returned at once):
/// NULL arguments, bad handles, a completion already used.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_open(
    io: rados_ioctx_t,
    name: *const c_char,
    image: *mut rbd_image_t,
    snap_name: *const c_char,
    c: rbd_completion_t,
) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { open_async(io, By::Name, name, image, snap_name, false, c) }
}

/// `rbd_open_by_id` on a library thread, completing `c`; errors as `rbd_aio_open`.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_open_by_id(
    io: rados_ioctx_t,
    id: *const c_char,
    image: *mut rbd_image_t,
    snap_name: *const c_char,
    c: rbd_completion_t,
) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { open_async(io, By::Id, id, image, snap_name, false, c) }
}

/// Opens image `name` read-only: no watch, no lock; writes fail with -EROFS.
#[no_mangle]
pub unsafe extern "C" fn rbd_open_read_only(
    io: rados_ioctx_t,
    name: *const c_char,
    image: *mut rbd_image_t,
    snap_name: *const c_char,
) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { open_sync(io, By::Name, name, image, snap_name, true) }
}

/// Opens the image of id `id` read-only.
#[no_mangle]
pub unsafe extern "C" fn rbd_open_by_id_read_only(
    io: rados_ioctx_t,
    id: *const c_char,
    image: *mut rbd_image_t,
    snap_name: *const c_char,
) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { open_sync(io, By::Id, id, image, snap_name, true) }
}

/// `rbd_open_read_only` on a library thread, completing `c`.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_open_read_only(
    io: rados_ioctx_t,
    name: *const c_char,
    image: *mut rbd_image_t,
    snap_name: *const c_char,
    c: rbd_completion_t,
) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { open_async(io, By::Name, name, image, snap_name, true, c) }
}

/// `rbd_open_by_id_read_only` on a library thread, completing `c`.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_open_by_id_read_only(
    io: rados_ioctx_t,
    id: *const c_char,
    image: *mut rbd_image_t,
    snap_name: *const c_char,
    c: rbd_completion_t,
) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { open_async(io, By::Id, id, image, snap_name, true, c) }
}

/// Closes an image: waits for its in-flight requests, releases the exclusive
/// lock, ends the header watch; the handle is dead afterwards. Errors: -EINVAL
/// for NULL, -EBADF for a closed handle, or the lock release's error.
#[no_mangle]
pub unsafe extern "C" fn rbd_close(image: rbd_image_t) -> c_int {
    entry(|| {
        let entry = IMAGES.remove(image)?;
        entry.image.close().map(|_| 0)
    })
}

/// `rbd_close` on a library thread, completing `c` with its result; the
/// handle is dead at once. Errors (returned at once): bad handles, a
/// completion already used.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_close(image: rbd_image_t, c: rbd_completion_t) -> c_int {
    entry(|| {
        let completion = RBD_COMPLETIONS.get(c)?;
        if completion.completion.is_complete() {
            return Err(Error::invalid("completion already used"));
        }
        let entry = IMAGES.remove(image)?;
        completions::complete_detached(&RBD_COMPLETIONS, c, move || {
            let image = entry.image.clone();
            drop(entry);
            match image.close() {
                Ok(()) => 0,
                Err(e) => -i64::from(e.errno()),
            }
        })?;
        Ok(0)
    })
}
