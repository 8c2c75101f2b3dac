//! Images in a pool: create, list, remove, rename; feature names.

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

/// Lists the images of the pool as consecutive NUL-terminated names in
/// `names`; returns their total length (`*size` is left as it was, as
/// upstream). Errors:
/// -ERANGE (with `*size` set to the length needed) when `*size` is too small,
/// -EINVAL for NULL arguments, -EBADF.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rbd_list(io: rados_ioctx_t, names: *mut c_char, size: *mut usize) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        let size = Out::new(size, "size")?;
        // SAFETY: checked non-null; the caller's size_t.
        let room = unsafe { *size.0.as_ptr() };
        let images = crate::rbd::list(&io)?;
        let mut packed = Vec::new();
        for (name, _) in &images {
            packed.extend_from_slice(name.as_bytes());
            packed.push(0);
        }
        if room < packed.len() {
            // SAFETY: checked out-parameter.
            unsafe { size.write(packed.len()) };
            return Err(Error::Range("names buffer too small".into()));
        }
        // SAFETY: the caller's buffer of `room` >= packed.len() bytes.
        let target = unsafe { c_slice_mut(names as *mut u8, packed.len(), "names") }?;
        target.copy_from_slice(&packed);
        Ok(packed.len() as c_int)
    })
}

/// Lists the images of the pool into `images` (id and name, `malloc`'ed; free
/// them with `rbd_image_spec_list_cleanup`) and stores their count in
/// `*max_images`. Errors: -ERANGE (with the count needed) when `*max_images`
/// is too small, -EINVAL for NULL arguments, -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rbd_list2(io: rados_ioctx_t, images: *mut rbd_image_spec_t, max_images: *mut usize) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        let max = Out::new(max_images, "max_images")?;
        // SAFETY: checked non-null; the caller's size_t.
        let room = unsafe { *max.0.as_ptr() };
        let list = crate::rbd::list(&io)?;
        if room < list.len() {
            // SAFETY: checked out-parameter.
            unsafe { max.write(list.len()) };
            return Err(Error::Range("images array too small".into()));
        }
        // SAFETY: the caller's array of `room` >= list.len() entries.
        let target = unsafe { c_slice_mut(images, list.len(), "images") }?;
        let mut specs = Vec::with_capacity(list.len());
        for (name, id) in &list {
            specs.push(rbd_image_spec_t { id: malloc_cstring(id.as_bytes())?, name: malloc_cstring(name.as_bytes())? });
        }
        for (slot, spec) in target.iter_mut().zip(specs) {
            *slot = spec;
        }
        // SAFETY: checked out-parameter.
        unsafe { max.write(list.len()) };
        Ok(0)
    })
}

/// Creates an image with the order `*order` (0: `rbd_default_order`) and the
/// default features, and stores the order used in `*order`. Errors: -EINVAL
/// (NULL or empty arguments, bad striping or features), -EDOM (order outside
/// 12–25), -EEXIST, -ENOSYS (unknown features), -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rbd_create(io: rados_ioctx_t, name: *const c_char, size: u64, order: *mut c_int) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { create_with(io, name, size, None, order, 0, 0) }
}

/// `rbd_create` with the features given.
#[no_mangle]
pub unsafe extern "C" fn rbd_create2(
    io: rados_ioctx_t,
    name: *const c_char,
    size: u64,
    features: u64,
    order: *mut c_int,
) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { create_with(io, name, size, Some(features), order, 0, 0) }
}

/// `rbd_create2` with striping (0 and 0: the defaults). Errors as `rbd_create`,
/// and -EINVAL when the stripe unit is not a factor of the object size or
/// only one of the two is set.
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
    // SAFETY: forwarded C contract.
    unsafe { create_with(io, name, size, Some(features), order, stripe_unit, stripe_count) }
}

/// # Safety
/// `name` is NULL or a C string; `order` is NULL or a readable, writable int.
unsafe fn create_with(
    io: rados_ioctx_t,
    name: *const c_char,
    size: u64,
    features: Option<u64>,
    order: *mut c_int,
    stripe_unit: u64,
    stripe_count: u64,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string argument.
        let name = unsafe { c_str(name, "image name") }?;
        let order_out = Out::new(order, "order")?;
        // SAFETY: checked non-null; the caller's int.
        let asked = unsafe { *order_out.0.as_ptr() };
        let spec = crate::rbd::CreateSpec {
            features,
            order: Some(u8::try_from(asked).map_err(|_| Error::OutOfDomain("order must be in [12, 25]".into()))?),
            stripe_unit: Some(stripe_unit),
            stripe_count: Some(stripe_count),
            ..Default::default()
        };
        let used = crate::rbd::create(&io, name, size, &spec)?;
        // SAFETY: checked out-parameter.
        unsafe { order_out.write(c_int::from(used)) };
        Ok(0)
    })
}

/// Creates an image as the options say (unset ones take the configuration's
/// defaults); the order used is stored back into `opts`. Errors as
/// `rbd_create3`, and -ENOENT for a missing data pool.
#[no_mangle]
pub unsafe extern "C" fn rbd_create4(
    io: rados_ioctx_t,
    name: *const c_char,
    size: u64,
    opts: rbd_image_options_t,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string argument.
        let name = unsafe { c_str(name, "image name") }?;
        let options = IMAGE_OPTIONS.get(opts)?;
        let spec = crate::rbd::CreateSpec::from_options(&options.lock().unwrap_or_else(|e| e.into_inner()))?;
        let used = crate::rbd::create(&io, name, size, &spec)?;
        let mut options = options.lock().unwrap_or_else(|e| e.into_inner());
        options.set(crate::rbd::ImageOption::Order, crate::rbd::ImageOptionValue::U64(u64::from(used)))?;
        Ok(0)
    })
}

/// Removes image `name` and its data. Errors: -ENOENT, -EBUSY (another client
/// has it open), -ENOTEMPTY (it has snapshots), -EINVAL, -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rbd_remove(io: rados_ioctx_t, name: *const c_char) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { rbd_remove_with_progress(io, name, Some(no_progress), std::ptr::null_mut()) }
}

/// `rbd_remove`, calling `cb(objects done, objects total, cbdata)` as data
/// objects are deleted (a NULL `cb` is -EINVAL).
#[no_mangle]
pub unsafe extern "C" fn rbd_remove_with_progress(
    io: rados_ioctx_t,
    name: *const c_char,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string argument.
        let name = unsafe { c_str(name, "image name") }?;
        let mut progress = progress_fn(cb, cbdata)?;
        crate::rbd::remove(&io, name, &mut progress).map(|_| 0)
    })
}

/// The progress callback of the functions that take none.
pub(crate) extern "C" fn no_progress(_done: u64, _total: u64, _cbdata: *mut c_void) -> c_int {
    0
}

/// A C progress callback as the engine's progress function. A NULL callback is
/// -EINVAL (upstream would call it); `cbdata` is opaque and may be NULL.
pub(crate) fn progress_fn(cb: librbd_progress_fn_t, cbdata: *mut c_void) -> Result<impl FnMut(u64, u64)> {
    let cb = cb.ok_or_else(|| Error::invalid("progress callback is NULL"))?;
    let data = CPtr(cbdata);
    Ok(move |done, total| {
        // SAFETY: the caller's callback and its argument, valid for the call.
        let _ = unsafe { cb(done, total, data.ptr()) };
    })
}

/// Renames image `srcname` to `destname` in the pool. Errors: -ENOENT,
/// -EEXIST (the new name is taken, or equal), -EINVAL, -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rbd_rename(
    src_io_ctx: rados_ioctx_t,
    srcname: *const c_char,
    destname: *const c_char,
) -> c_int {
    entry(|| {
        let io = ioctx(src_io_ctx)?;
        // SAFETY: C string arguments.
        let (src, dest) = unsafe { (c_str(srcname, "srcname")?, c_str(destname, "destname")?) };
        crate::rbd::rename(&io, src, dest).map(|_| 0)
    })
}

/// Writes the names of `features` (comma-separated, in name order) into
/// `str_features` and its size with the NUL into `*size`. Errors: -EINVAL
/// for unknown bits or NULL `size`, -ERANGE (with the size needed).
#[no_mangle]
pub unsafe extern "C" fn rbd_features_to_string(features: u64, str_features: *mut c_char, size: *mut usize) -> c_int {
    entry(|| {
        let size = Out::new(size, "size")?;
        let text = crate::cls::rbd::features::to_string(features).ok_or(Error::invalid("unknown feature bits"))?;
        // SAFETY: checked non-null; the caller's size_t.
        let room = unsafe { *size.0.as_ptr() };
        if room <= text.len() {
            // SAFETY: checked out-parameter.
            unsafe { size.write(text.len() + 1) };
            return Err(Error::Range("buffer too small".into()));
        }
        // SAFETY: the caller's buffer of `room` > text.len() bytes.
        if !unsafe { write_cstring(str_features, room, text.as_bytes()) } {
            return Err(Error::invalid("str_features is NULL"));
        }
        // SAFETY: checked out-parameter.
        unsafe { size.write(text.len() + 1) };
        Ok(0)
    })
}

/// Parses feature names (comma-separated) or a number, as upstream; the empty
/// string is the default set. Errors: -EINVAL for unknown names or bits (the
/// result is then not stored: upstream stores what it understood).
#[no_mangle]
pub unsafe extern "C" fn rbd_features_from_string(str_features: *const c_char, features: *mut u64) -> c_int {
    entry(|| {
        // SAFETY: C string argument.
        let text = unsafe { c_str(str_features, "str_features") }?;
        let out = Out::new(features, "features")?;
        match crate::cls::rbd::features::from_string(text) {
            (value, true) => {
                // SAFETY: checked out-parameter.
                unsafe { out.write(value) };
                Ok(0)
            }
            _ => Err(Error::invalid("unknown features")),
        }
    })
}
