//! Image update watches, watcher lists, quiesce callbacks.

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

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_watchers_list(
    image: rbd_image_t,
    watchers: *mut rbd_image_watcher_t,
    max_watchers: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_watchers_list_cleanup(watchers: *mut rbd_image_watcher_t, num_watchers: usize) {
    enosys!()
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
