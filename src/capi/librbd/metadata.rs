//! Image metadata and per-image/per-pool configuration overrides.

use super::image_handle::image;
use crate::capi::prelude::*;
use crate::rbd::ConfigSource;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_config_pool_list(
    io_ctx: rados_ioctx_t,
    options: *mut rbd_config_option_t,
    max_options: *mut c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_config_pool_list_cleanup(options: *mut rbd_config_option_t, max_options: c_int) {
    enosys!()
}

/// The value of metadata `key` with its NUL into `value`. Errors: -ENOENT,
/// -ERANGE (with `*val_len` set to the size needed; untouched on success, as
/// upstream), -EINVAL, -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rbd_metadata_get(
    image: rbd_image_t,
    key: *const c_char,
    value: *mut c_char,
    val_len: *mut usize,
) -> c_int {
    entry(|| {
        let image = self::image(image)?;
        // SAFETY: C string argument.
        let key = unsafe { c_str(key, "key") }?;
        let len = Out::new(val_len, "val_len")?;
        let data = image.metadata_get(key)?;
        // SAFETY: checked non-null; the caller's size_t.
        let room = unsafe { *len.0.as_ptr() };
        if room < data.len() + 1 {
            // SAFETY: checked out-parameter.
            unsafe { len.write(data.len() + 1) };
            return Err(Error::Range("value buffer too small".into()));
        }
        // SAFETY: the caller's buffer of `room` bytes.
        if !unsafe { write_cstring(value, room, &data) } {
            return Err(Error::invalid("value is NULL"));
        }
        Ok(0)
    })
}

/// Sets metadata `key` to `value`; a `conf_<option>` key must name a
/// per-image option and carry a value it takes. Errors: -EINVAL, -EROFS, -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rbd_metadata_set(image: rbd_image_t, key: *const c_char, value: *const c_char) -> c_int {
    entry(|| {
        let image = self::image(image)?;
        // SAFETY: C string arguments.
        let (key, value) = unsafe { (c_str(key, "key")?, c_str(value, "value")?) };
        image.metadata_set(key, value).map(|_| 0)
    })
}

/// Removes metadata `key`. Errors: -ENOENT, -EROFS, -EINVAL, -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rbd_metadata_remove(image: rbd_image_t, key: *const c_char) -> c_int {
    entry(|| {
        let image = self::image(image)?;
        // SAFETY: C string argument.
        let key = unsafe { c_str(key, "key") }?;
        image.metadata_remove(key).map(|_| 0)
    })
}

/// Up to `max` (0: all) metadata entries after `start`, as consecutive
/// NUL-terminated keys in `keys` and values in `values`; the sizes used (or
/// needed) are stored in `*key_len` and `*vals_len` either way. Errors:
/// -ERANGE when either buffer is too small, -EINVAL, -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rbd_metadata_list(
    image: rbd_image_t,
    start: *const c_char,
    max: u64,
    keys: *mut c_char,
    key_len: *mut usize,
    values: *mut c_char,
    vals_len: *mut usize,
) -> c_int {
    entry(|| {
        let image = self::image(image)?;
        // SAFETY: C string argument ("" lists from the first key).
        let start = unsafe { c_str(start, "start") }?;
        let (key_out, val_out) = (Out::new(key_len, "key_len")?, Out::new(vals_len, "vals_len")?);
        // SAFETY: checked non-null; the caller's size_ts.
        let (key_room, val_room) = unsafe { (*key_out.0.as_ptr(), *val_out.0.as_ptr()) };
        let (mut packed_keys, mut packed_values) = (Vec::new(), Vec::new());
        for (k, v) in image.metadata_list(start, max)? {
            packed_keys.extend_from_slice(k.as_bytes());
            packed_keys.push(0);
            packed_values.extend_from_slice(&v);
            packed_values.push(0);
        }
        let fits = key_room >= packed_keys.len() && val_room >= packed_values.len();
        // SAFETY: checked out-parameters.
        unsafe {
            key_out.write(packed_keys.len());
            val_out.write(packed_values.len());
        }
        if !fits {
            return Err(Error::Range("metadata buffers too small".into()));
        }
        // SAFETY: the caller's buffers hold at least the packed lengths.
        unsafe {
            c_slice_mut(keys as *mut u8, packed_keys.len(), "keys")?.copy_from_slice(&packed_keys);
            c_slice_mut(values as *mut u8, packed_values.len(), "values")?.copy_from_slice(&packed_values);
        }
        Ok(0)
    })
}

/// Every per-image option with its effective value and source, into
/// `options` (strings `malloc`'ed: free with `rbd_config_image_list_cleanup`);
/// the count goes to `*max_options`. Errors: -ERANGE (with the count needed)
/// when `*max_options` is too small, -EINVAL, -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rbd_config_image_list(
    image: rbd_image_t,
    options: *mut rbd_config_option_t,
    max_options: *mut c_int,
) -> c_int {
    entry(|| {
        let image = self::image(image)?;
        let max = Out::new(max_options, "max_options")?;
        // SAFETY: checked non-null; the caller's int.
        let room = unsafe { *max.0.as_ptr() };
        let list = image.config_list();
        if (room.max(0) as usize) < list.len() {
            // SAFETY: checked out-parameter.
            unsafe { max.write(list.len() as c_int) };
            return Err(Error::Range("options array too small".into()));
        }
        // SAFETY: the caller's array of `room` >= list.len() entries.
        let target = unsafe { c_slice_mut(options, list.len(), "options") }?;
        let mut filled = Vec::with_capacity(list.len());
        for (name, value, source) in list {
            filled.push(rbd_config_option_t {
                name: malloc_cstring(name.as_bytes())?,
                value: malloc_cstring(value.as_bytes())?,
                source: match source {
                    ConfigSource::Config => rbd_config_source_t::RBD_CONFIG_SOURCE_CONFIG,
                    ConfigSource::Pool => rbd_config_source_t::RBD_CONFIG_SOURCE_POOL,
                    ConfigSource::Image => rbd_config_source_t::RBD_CONFIG_SOURCE_IMAGE,
                },
            });
        }
        let count = filled.len();
        for (slot, option) in target.iter_mut().zip(filled) {
            *slot = option;
        }
        // SAFETY: checked out-parameter.
        unsafe { max.write(count as c_int) };
        Ok(0)
    })
}

/// Frees the strings of `max_options` options filled by `rbd_config_image_list`.
#[no_mangle]
pub unsafe extern "C" fn rbd_config_image_list_cleanup(options: *mut rbd_config_option_t, max_options: c_int) {
    // SAFETY: forwarded C contract.
    unsafe { config_list_cleanup(options, max_options) }
}

/// # Safety
/// `options` is NULL or an array of `max_options` options this library filled.
unsafe fn config_list_cleanup(options: *mut rbd_config_option_t, max_options: c_int) {
    entry(|| {
        // SAFETY: per this function's contract.
        for option in unsafe { c_slice_mut(options, max_options.max(0) as usize, "options") }? {
            // SAFETY: strings allocated by this library.
            unsafe {
                free_c(option.name as *mut c_void);
                free_c(option.value as *mut c_void);
            }
            option.name = std::ptr::null_mut();
            option.value = std::ptr::null_mut();
        }
        Ok(())
    })
}
