//! Image snapshots.

use super::image_handle;
use crate::capi::prelude::*;

/// Not implemented yet.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_spec_cleanup(snap: *mut rbd_snap_spec_t) {
    enosys!()
}

/// Lists the image's snapshots, lowest id first, into `snaps` (id, size at
/// the snapshot, `malloc`'ed name; free with `rbd_snap_list_end`), followed by
/// an entry whose name is NULL; returns their count. `*max_snaps` is the room
/// in `snaps`, the terminating entry included.
/// Errors: -EINVAL for a NULL image, `max_snaps` or `snaps`; -EBADF for a
/// closed image; -ERANGE, with `*max_snaps` set to the count + 1, when the
/// array is too small; -ENOMEM; the OSD's error reading the header.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_list(
    image: rbd_image_t,
    snaps: *mut rbd_snap_info_t,
    max_snaps: *mut c_int,
) -> c_int {
    entry(|| {
        let image = image_handle::image(image)?;
        let max = Out::new(max_snaps, "max_snaps")?;
        // SAFETY: checked non-null; the caller's int.
        let room = unsafe { *max.0.as_ptr() };
        let list = image.snapshots()?;
        let needed = c_int::try_from(list.len() + 1).map_err(|_| Error::Range("too many snapshots".into()))?;
        if room < needed {
            // SAFETY: checked out-parameter.
            unsafe { max.write(needed) };
            return Err(Error::Range("snapshot array too small".into()));
        }
        // SAFETY: the caller's array of `room` >= needed entries.
        let target = unsafe { c_slice_mut(snaps, list.len() + 1, "snaps") }?;
        let mut names = Vec::with_capacity(list.len());
        for snap in &list {
            match malloc_cstring(snap.name.as_bytes()) {
                Ok(name) => names.push(name),
                Err(e) => {
                    for name in names {
                        // SAFETY: allocated just above, not handed out.
                        unsafe { free_c(name as *mut c_void) };
                    }
                    return Err(e);
                }
            }
        }
        for (slot, (snap, name)) in target.iter_mut().zip(list.iter().zip(names)) {
            *slot = rbd_snap_info_t { id: snap.id, size: snap.image_size, name };
        }
        target[list.len()] = rbd_snap_info_t { id: 0, size: 0, name: std::ptr::null() };
        Ok(needed - 1)
    })
}

/// Frees the names `rbd_snap_list` filled in, up to the terminating entry,
/// and clears them. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_list_end(snaps: *mut rbd_snap_info_t) {
    entry(|| {
        let mut at = snaps;
        // SAFETY: NULL or an array rbd_snap_list filled, ended by a NULL name.
        while let Some(snap) = unsafe { at.as_mut() } {
            if snap.name.is_null() {
                break;
            }
            // SAFETY: a name this library allocated; cleared after.
            unsafe { free_c(snap.name as *mut c_void) };
            snap.name = std::ptr::null();
            // SAFETY: the array goes on up to its terminating entry.
            at = unsafe { at.add(1) };
        }
        Ok(())
    })
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_exists(image: rbd_image_t, snapname: *const c_char, exists: *mut bool) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_create(image: rbd_image_t, snapname: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_create2(
    image: rbd_image_t,
    snap_name: *const c_char,
    flags: u32,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_remove(image: rbd_image_t, snapname: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_remove2(
    image: rbd_image_t,
    snap_name: *const c_char,
    flags: u32,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_remove_by_id(image: rbd_image_t, snap_id: u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_rollback(image: rbd_image_t, snapname: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_rollback_with_progress(
    image: rbd_image_t,
    snapname: *const c_char,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_rename(
    image: rbd_image_t,
    snapname: *const c_char,
    dstsnapsname: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_protect(image: rbd_image_t, snap_name: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_unprotect(image: rbd_image_t, snap_name: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_is_protected(
    image: rbd_image_t,
    snap_name: *const c_char,
    is_protected: *mut c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_limit(image: rbd_image_t, limit: *mut u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_set_limit(image: rbd_image_t, limit: u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_timestamp(image: rbd_image_t, snap_id: u64, timestamp: *mut timespec) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_set(image: rbd_image_t, snapname: *const c_char) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_set_by_id(image: rbd_image_t, snap_id: u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_name(
    image: rbd_image_t,
    snap_id: u64,
    snapname: *mut c_char,
    name_len: *mut usize,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_id(image: rbd_image_t, snapname: *const c_char, snap_id: *mut u64) -> c_int {
    enosys!()
}

/// Stores the namespace type of snapshot `snap_id` (user, group, trash, mirror).
/// Errors: -EINVAL for a NULL image or out-parameter; -EBADF for a closed
/// image; -ENOENT for an unknown snapshot; -EIO for a namespace type this
/// library does not know; the OSD's error reading the header.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_namespace_type(
    image: rbd_image_t,
    snap_id: u64,
    namespace_type: *mut rbd_snap_namespace_type_t,
) -> c_int {
    use rbd_snap_namespace_type_t::*;
    entry(|| {
        let image = image_handle::image(image)?;
        let out = Out::new(namespace_type, "namespace_type")?;
        let kind = match image.snapshot(snap_id)?.namespace_type {
            0 => RBD_SNAP_NAMESPACE_TYPE_USER,
            1 => RBD_SNAP_NAMESPACE_TYPE_GROUP,
            2 => RBD_SNAP_NAMESPACE_TYPE_TRASH,
            3 => RBD_SNAP_NAMESPACE_TYPE_MIRROR,
            other => return Err(Error::Corrupt(format!("snapshot namespace type {other}"))),
        };
        // SAFETY: checked out-parameter.
        unsafe { out.write(kind) };
        Ok(0)
    })
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_trash_namespace(
    image: rbd_image_t,
    snap_id: u64,
    original_name: *mut c_char,
    max_length: usize,
) -> c_int {
    enosys!()
}
