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

/// Takes the exclusive lock and keeps it: peers asking for it are refused
/// (their writes fail with -EROFS) until `rbd_lock_release`. Errors:
/// -EOPNOTSUPP for the shared mode (as upstream); -EINVAL without the
/// exclusive-lock feature or for an unknown mode; -EROFS; -EBADF; the lock's.
#[no_mangle]
pub unsafe extern "C" fn rbd_lock_acquire(image: rbd_image_t, lock_mode: LockModeArg) -> c_int {
    entry(|| {
        let image = self::image(image)?;
        match lock_mode.0 {
            0 => image.lock_acquire().map(|_| 0),
            1 => Err(Error::NotSupported("shared managed locks".into())),
            _ => Err(Error::invalid("unknown lock mode")),
        }
    })
}

/// Releases the lock `rbd_lock_acquire` (or a write) took; afterwards this
/// handle's writes fail with -EROFS, as upstream's. Errors: -EINVAL when the
/// lock is not held; -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rbd_lock_release(image: rbd_image_t) -> c_int {
    entry(|| self::image(image)?.lock_release().map(|_| 0))
}

/// Lists the exclusive lock's owners (their addresses, `malloc`'ed; free
/// with `rbd_lock_get_owners_cleanup`) into `lock_owners`, whose room is
/// `*max_lock_owners`; stores the mode (exclusive) and the count. The array
/// is cleared first, as upstream clears it (the Python binding frees its
/// entries even after an error). Errors: -EINVAL for a NULL argument or an
/// image without the exclusive-lock feature; -ENOENT when nobody holds the
/// lock; -ERANGE, with the count stored, when the array is too small;
/// -EBADF; -ENOMEM.
#[no_mangle]
pub unsafe extern "C" fn rbd_lock_get_owners(
    image: rbd_image_t,
    lock_mode: *mut rbd_lock_mode_t,
    lock_owners: *mut *mut c_char,
    max_lock_owners: *mut usize,
) -> c_int {
    entry(|| {
        let image = self::image(image)?;
        let mode = Out::new(lock_mode, "lock_mode")?;
        let max = Out::new(max_lock_owners, "max_lock_owners")?;
        // SAFETY: checked non-null; the caller's size_t.
        let room = unsafe { *max.0.as_ptr() };
        // SAFETY: the caller's array of `room` pointers.
        unsafe { c_slice_mut(lock_owners, room, "lock_owners") }?.fill(std::ptr::null_mut());
        let owners = image.lock_owners()?;
        if owners.is_empty() {
            return Err(Error::not_found("nobody holds the exclusive lock"));
        }
        if owners.len() > room {
            // SAFETY: checked out-parameter.
            unsafe { max.write(owners.len()) };
            return Err(Error::Range("owner array too small".into()));
        }
        // SAFETY: the caller's array of `room` >= owners.len() pointers.
        let target = unsafe { c_slice_mut(lock_owners, owners.len(), "lock_owners") }?;
        let made = malloc_cstrings(&owners)?;
        for (slot, p) in target.iter_mut().zip(made) {
            *slot = p;
        }
        // SAFETY: checked out-parameters.
        unsafe {
            mode.write(rbd_lock_mode_t::RBD_LOCK_MODE_EXCLUSIVE);
            max.write(owners.len());
        }
        Ok(0)
    })
}

/// Frees the first `lock_owner_count` strings `rbd_lock_get_owners` filled
/// and clears them. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn rbd_lock_get_owners_cleanup(lock_owners: *mut *mut c_char, lock_owner_count: usize) {
    entry(|| {
        if lock_owners.is_null() {
            return Ok(());
        }
        // SAFETY: the caller's array of `lock_owner_count` strings rbd_lock_get_owners filled.
        let list = unsafe { c_slice_mut(lock_owners, lock_owner_count, "lock_owners") }?;
        for p in list {
            if !p.is_null() {
                // SAFETY: a string this library allocated; cleared after.
                unsafe { free_c(*p as *mut c_void) };
                *p = std::ptr::null_mut();
            }
        }
        Ok(())
    })
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

/// Copies `src` and its NUL at `*at` of `buf`, moving `*at` past them.
///
/// # Safety
/// `buf` is valid for `*at + src.len() + 1` bytes.
unsafe fn put_string(buf: *mut c_char, at: &mut usize, src: &str) {
    // SAFETY: the caller sized the buffer for every string and its NUL.
    unsafe {
        std::ptr::copy_nonoverlapping(src.as_ptr(), buf.add(*at).cast::<u8>(), src.len());
        *buf.add(*at + src.len()) = 0;
    }
    *at += src.len() + 1;
}

/// Lists the image's user locks: `*exclusive`, the tag, and per holder its
/// client (`client.<id>`), cookie and address, each list a run of
/// NUL-terminated strings in its buffer; returns the holder count. The
/// managed exclusive lock is not listed (as upstream). All four `*_len` are
/// set to the sizes needed. Errors: -EINVAL for a NULL argument; -ERANGE
/// when a buffer is too small (the sizes and `*exclusive` still stored, as
/// upstream); -EBADF; the OSD's error.
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
    entry(|| {
        let image = self::image(image)?;
        let exclusive = Out::new(exclusive, "exclusive")?;
        let lens = [
            Out::new(tag_len, "tag_len")?,
            Out::new(clients_len, "clients_len")?,
            Out::new(cookies_len, "cookies_len")?,
            Out::new(addrs_len, "addrs_len")?,
        ];
        let list = image.list_lockers()?;
        let sum = |f: &dyn Fn(&crate::rbd::Locker) -> usize| list.lockers.iter().map(|l| f(l) + 1).sum::<usize>();
        let needed =
            [list.tag.len() + 1, sum(&|l| l.client.len()), sum(&|l| l.cookie.len()), sum(&|l| l.address.len())];
        // SAFETY: checked non-null; the caller's size_t values.
        let rooms: Vec<usize> = lens.iter().map(|o| unsafe { *o.0.as_ptr() }).collect();
        let short = needed.iter().zip(&rooms).any(|(n, r)| n > r);
        // SAFETY: checked out-parameters.
        unsafe {
            exclusive.write(c_int::from(list.exclusive));
            for (out, n) in lens.into_iter().zip(needed) {
                out.write(n);
            }
        }
        if short {
            return Err(Error::Range("locker buffers too small".into()));
        }
        for (buf, what) in [(tag, "tag"), (clients, "clients"), (cookies, "cookies"), (addrs, "addrs")] {
            if buf.is_null() {
                return Err(Error::invalid(format!("{what} is NULL")));
            }
        }
        let mut at = 0;
        // SAFETY: each buffer holds at least the size computed above.
        unsafe { put_string(tag, &mut at, &list.tag) };
        let (mut c, mut k, mut a) = (0, 0, 0);
        for l in &list.lockers {
            // SAFETY: as above.
            unsafe {
                put_string(clients, &mut c, &l.client);
                put_string(cookies, &mut k, &l.cookie);
                put_string(addrs, &mut a, &l.address);
            }
        }
        Ok(list.lockers.len() as ssize_t)
    })
}

/// Takes an exclusive user lock with `cookie`. Errors: -EINVAL for a NULL
/// cookie; -EEXIST (held by this client with that cookie); -EBUSY (held
/// otherwise); -EROFS; -EBADF; the OSD's error.
#[no_mangle]
pub unsafe extern "C" fn rbd_lock_exclusive(image: rbd_image_t, cookie: *const c_char) -> c_int {
    entry(|| {
        let image = self::image(image)?;
        // SAFETY: C string argument.
        let cookie = unsafe { c_str(cookie, "cookie") }?;
        image.lock_user(false, cookie, "").map(|_| 0)
    })
}

/// Takes a shared user lock with `cookie` and `tag` (holders share a tag).
/// Errors as `rbd_lock_exclusive`; -EBUSY for another tag.
#[no_mangle]
pub unsafe extern "C" fn rbd_lock_shared(image: rbd_image_t, cookie: *const c_char, tag: *const c_char) -> c_int {
    entry(|| {
        let image = self::image(image)?;
        // SAFETY: C string arguments.
        let (cookie, tag) = unsafe { (c_str(cookie, "cookie")?, c_str(tag, "tag")?) };
        image.lock_user(true, cookie, tag).map(|_| 0)
    })
}

/// Drops this client's user lock `cookie`. Errors: -EINVAL for a NULL
/// cookie; -ENOENT; -EBADF; the OSD's error.
#[no_mangle]
pub unsafe extern "C" fn rbd_unlock(image: rbd_image_t, cookie: *const c_char) -> c_int {
    entry(|| {
        let image = self::image(image)?;
        // SAFETY: C string argument.
        let cookie = unsafe { c_str(cookie, "cookie") }?;
        image.unlock_user(cookie).map(|_| 0)
    })
}

/// Breaks `client`'s (`client.<id>`) user lock `cookie`, blocklisting that
/// client first when `rbd_blocklist_on_break_lock` is set. Errors: -EINVAL
/// for a NULL argument or a bad client name; -ENOENT; -EBADF; the OSD's.
#[no_mangle]
pub unsafe extern "C" fn rbd_break_lock(image: rbd_image_t, client: *const c_char, cookie: *const c_char) -> c_int {
    entry(|| {
        let image = self::image(image)?;
        // SAFETY: C string arguments.
        let (client, cookie) = unsafe { (c_str(client, "client")?, c_str(cookie, "cookie")?) };
        image.break_user_lock(client, cookie).map(|_| 0)
    })
}
