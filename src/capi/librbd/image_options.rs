//! Image options (`rbd_image_options_t`) for create, clone, copy and migration.

use crate::capi::prelude::*;
use crate::rbd::{ImageOption, ImageOptionValue, ImageOptions};
use std::sync::Mutex;

/// Creates an empty option set; nothing happens when `opts` is NULL.
#[no_mangle]
pub unsafe extern "C" fn rbd_image_options_create(opts: *mut rbd_image_options_t) {
    entry(|| {
        let out = Out::new(opts, "opts")?;
        let handle = IMAGE_OPTIONS.insert(std::sync::Arc::new(Mutex::new(ImageOptions::default())));
        // SAFETY: checked out-parameter.
        unsafe { out.write(handle) };
        Ok(())
    })
}

/// Destroys an option set; NULL or stale handles are ignored.
#[no_mangle]
pub unsafe extern "C" fn rbd_image_options_destroy(opts: rbd_image_options_t) {
    entry(|| IMAGE_OPTIONS.remove(opts).map(drop))
}

/// Sets a string option. Errors: -EINVAL for NULLs, an unknown option or an
/// integer option, -EBADF for a stale handle.
#[no_mangle]
pub unsafe extern "C" fn rbd_image_options_set_string(
    opts: rbd_image_options_t,
    optname: c_int,
    optval: *const c_char,
) -> c_int {
    entry(|| {
        let options = IMAGE_OPTIONS.get(opts)?;
        let option = ImageOption::from_number(optname)?;
        // SAFETY: C string argument.
        let value = unsafe { c_str(optval, "optval") }?;
        lock(&options).set(option, ImageOptionValue::Str(value.to_string()))?;
        Ok(0)
    })
}

/// Sets an integer option. Errors: -EINVAL for an unknown option or a string
/// option, -EBADF for a stale handle.
#[no_mangle]
pub unsafe extern "C" fn rbd_image_options_set_uint64(opts: rbd_image_options_t, optname: c_int, optval: u64) -> c_int {
    entry(|| {
        let options = IMAGE_OPTIONS.get(opts)?;
        let option = ImageOption::from_number(optname)?;
        lock(&options).set(option, ImageOptionValue::U64(optval))?;
        Ok(0)
    })
}

/// Copies a string option, NUL-terminated, into `optval` of `maxlen` bytes.
/// Errors: -EINVAL for NULLs, an unknown or integer option, -ENOENT when unset,
/// -E2BIG when `maxlen` is too small (nothing written).
#[no_mangle]
pub unsafe extern "C" fn rbd_image_options_get_string(
    opts: rbd_image_options_t,
    optname: c_int,
    optval: *mut c_char,
    maxlen: usize,
) -> c_int {
    entry(|| {
        let options = IMAGE_OPTIONS.get(opts)?;
        let option = ImageOption::from_number(optname)?;
        if optval.is_null() {
            return Err(Error::invalid("optval is NULL"));
        }
        let value = lock(&options).get_str(option)?.to_string();
        // SAFETY: optval has room for maxlen bytes per the caller's contract.
        if !unsafe { write_cstring(optval, maxlen, value.as_bytes()) } {
            return Err(Error::remote(libc::E2BIG, "option value does not fit"));
        }
        Ok(0)
    })
}

/// Reads an integer option. Errors: -EINVAL for NULLs, an unknown or string
/// option, -ENOENT when unset.
#[no_mangle]
pub unsafe extern "C" fn rbd_image_options_get_uint64(
    opts: rbd_image_options_t,
    optname: c_int,
    optval: *mut u64,
) -> c_int {
    entry(|| {
        let options = IMAGE_OPTIONS.get(opts)?;
        let option = ImageOption::from_number(optname)?;
        let out = Out::new(optval, "optval")?;
        let value = lock(&options).get_u64(option)?;
        // SAFETY: checked out-parameter.
        unsafe { out.write(value) };
        Ok(0)
    })
}

/// Whether an option is set. Errors: -EINVAL for NULLs or an unknown option.
#[no_mangle]
pub unsafe extern "C" fn rbd_image_options_is_set(
    opts: rbd_image_options_t,
    optname: c_int,
    is_set: *mut bool,
) -> c_int {
    entry(|| {
        let options = IMAGE_OPTIONS.get(opts)?;
        let option = ImageOption::from_number(optname)?;
        let out = Out::new(is_set, "is_set")?;
        let set = lock(&options).is_set(option);
        // SAFETY: checked out-parameter.
        unsafe { out.write(set) };
        Ok(0)
    })
}

/// Unsets an option. Errors: -EINVAL for an unknown option, -ENOENT when unset.
#[no_mangle]
pub unsafe extern "C" fn rbd_image_options_unset(opts: rbd_image_options_t, optname: c_int) -> c_int {
    entry(|| {
        let options = IMAGE_OPTIONS.get(opts)?;
        let option = ImageOption::from_number(optname)?;
        lock(&options).unset(option)?;
        Ok(0)
    })
}

/// Unsets every option; NULL or stale handles are ignored.
#[no_mangle]
pub unsafe extern "C" fn rbd_image_options_clear(opts: rbd_image_options_t) {
    entry(|| {
        let options = IMAGE_OPTIONS.get(opts)?;
        lock(&options).clear();
        Ok(())
    })
}

/// 1 when no option is set, else 0. Errors: -EINVAL, -EBADF for bad handles.
#[no_mangle]
pub unsafe extern "C" fn rbd_image_options_is_empty(opts: rbd_image_options_t) -> c_int {
    entry(|| {
        let options = IMAGE_OPTIONS.get(opts)?;
        let empty = lock(&options).is_empty();
        Ok(empty as c_int)
    })
}

fn lock(options: &Mutex<ImageOptions>) -> std::sync::MutexGuard<'_, ImageOptions> {
    options.lock().unwrap_or_else(|e| e.into_inner())
}
