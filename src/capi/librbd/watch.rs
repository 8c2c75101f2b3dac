//! Image update watches, watcher lists, quiesce callbacks.

use super::image_handle;
use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_update_watch(
    image: rbd_image_t,
    handle: *mut u64,
    watch_cb: rbd_update_callback_t,
    arg: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_update_unwatch(image: rbd_image_t, handle: u64) -> c_int {
    enosys!()
}

/// Lists the clients watching the image's header (its open read-write
/// handles, ours and other clients'): address (`malloc`'ed; free with
/// `rbd_watchers_list_cleanup`), client id, watch cookie. `*max_watchers` is
/// the room in `watchers` and becomes the count. Errors: -EINVAL for a NULL
/// argument; -ERANGE, with `*max_watchers` set to the count, when the array
/// is too small; -EBADF; -ENOMEM; the OSD's error.
#[no_mangle]
pub unsafe extern "C" fn rbd_watchers_list(
    image: rbd_image_t,
    watchers: *mut rbd_image_watcher_t,
    max_watchers: *mut usize,
) -> c_int {
    entry(|| {
        let image = image_handle::image(image)?;
        let max = Out::new(max_watchers, "max_watchers")?;
        // SAFETY: checked non-null; the caller's size_t.
        let room = unsafe { *max.0.as_ptr() };
        image.check_open()?;
        let list = image.io.list_watchers(image.header_oid.as_bytes())?;
        if list.len() > room {
            // SAFETY: checked out-parameter.
            unsafe { max.write(list.len()) };
            return Err(Error::Range("watcher array too small".into()));
        }
        // SAFETY: the caller's array of `room` >= list.len() entries.
        let target = unsafe { c_slice_mut(watchers, list.len(), "watchers") }?;
        let addrs = malloc_cstrings(list.iter().map(|w| &w.addr))?;
        for (slot, (w, addr)) in target.iter_mut().zip(list.iter().zip(addrs)) {
            *slot = rbd_image_watcher_t { addr, id: w.watcher_id, cookie: w.cookie };
        }
        // SAFETY: checked out-parameter.
        unsafe { max.write(list.len()) };
        Ok(0)
    })
}

/// Frees the addresses `rbd_watchers_list` filled into the first
/// `num_watchers` entries and clears them. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn rbd_watchers_list_cleanup(watchers: *mut rbd_image_watcher_t, num_watchers: usize) {
    entry(|| {
        if watchers.is_null() {
            return Ok(());
        }
        // SAFETY: the caller's array of `num_watchers` entries rbd_watchers_list filled.
        let list = unsafe { c_slice_mut(watchers, num_watchers, "watchers") }?;
        for w in list {
            if !w.addr.is_null() {
                // SAFETY: an address this library allocated; cleared after.
                unsafe { free_c(w.addr as *mut c_void) };
                w.addr = std::ptr::null_mut();
            }
        }
        Ok(())
    })
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_quiesce_watch(
    image: rbd_image_t,
    quiesce_cb: rbd_update_callback_t,
    unquiesce_cb: rbd_update_callback_t,
    arg: *mut c_void,
    handle: *mut u64,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_quiesce_complete(image: rbd_image_t, handle: u64, r: c_int) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_quiesce_unwatch(image: rbd_image_t, handle: u64) -> c_int {
    enosys!()
}
