//! Exclusive lock management and legacy advisory image locks.

use super::image_handle::image;
use crate::capi::prelude::*;

/// Stores 1 in `*is_owner` when this handle holds the exclusive lock, else 0.
/// Errors: -EINVAL, -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rbd_is_exclusive_lock_owner(image: rbd_image_t, is_owner: *mut c_int) -> c_int {
    entry(|| {
        let out = Out::new(is_owner, "is_owner")?;
        let owner = self::image(image)?.is_exclusive_lock_owner();
        // SAFETY: checked out-parameter.
        unsafe { out.write(c_int::from(owner)) };
        Ok(0)
    })
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_lock_acquire(image: rbd_image_t, lock_mode: LockModeArg) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_lock_release(image: rbd_image_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_lock_get_owners(
    image: rbd_image_t,
    lock_mode: *mut rbd_lock_mode_t,
    lock_owners: *mut *mut c_char,
    max_lock_owners: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_lock_get_owners_cleanup(lock_owners: *mut *mut c_char, lock_owner_count: usize) {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_lock_break(
    image: rbd_image_t,
    lock_mode: LockModeArg,
    lock_owner: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_list_lockers(
    image: rbd_image_t,
    exclusive: *mut c_int,
    tag: *mut c_char,
    tag_len: *mut usize,
    clients: *mut c_char,
    clients_len: *mut usize,
    cookies: *mut c_char,
    cookies_len: *mut usize,
    addrs: *mut c_char,
    addrs_len: *mut usize,
) -> ssize_t {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_lock_exclusive(image: rbd_image_t, cookie: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_lock_shared(image: rbd_image_t, cookie: *const c_char, tag: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_unlock(image: rbd_image_t, cookie: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_break_lock(image: rbd_image_t, client: *const c_char, cookie: *const c_char) -> c_int {
    enosys!()
}
