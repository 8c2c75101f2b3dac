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
        let names = malloc_cstrings(list.iter().map(|s| &s.name))?;
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

/// Stores whether the image has a user snapshot named `snapname`.
/// Errors: -EINVAL for a NULL argument; -EBADF for a closed image; the
/// OSD's error reading the header.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_exists(image: rbd_image_t, snapname: *const c_char, exists: *mut bool) -> c_int {
    entry(|| {
        let image = image_handle::image(image)?;
        // SAFETY: the caller's NUL-terminated string.
        let name = unsafe { c_str(snapname, "snapshot name") }?;
        let out = Out::new(exists, "exists")?;
        let found = match image.snapshot_named(name) {
            Ok(_) => true,
            Err(e) if e.errno() == libc::ENOENT => false,
            Err(e) => return Err(e),
        };
        // SAFETY: checked out-parameter.
        unsafe { out.write(found) };
        Ok(0)
    })
}

/// Creates user snapshot `snapname` of the image (writes wait meanwhile).
/// Errors: -EINVAL for a NULL or empty name; -EEXIST when the name is taken;
/// -EDQUOT at the snapshot limit; -EROFS for a read-only image or one
/// reading a snapshot; -EBADF; the lock's and the OSDs' errors.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_create(image: rbd_image_t, snapname: *const c_char) -> c_int {
    entry(|| {
        let image = image_handle::image(image)?;
        // SAFETY: the caller's NUL-terminated string.
        let name = unsafe { c_str(snapname, "snapshot name") }?;
        image.create_snapshot(name).map(|_| 0)
    })
}

/// `rbd_snap_create` with flags: `RBD_SNAP_CREATE_SKIP_QUIESCE` or
/// `RBD_SNAP_CREATE_IGNORE_QUIESCE_ERROR` (not both: -EINVAL). This library
/// sends no quiesce notifications (nothing to skip or ignore), and the
/// progress callback is never called, so it may be NULL. Errors as
/// `rbd_snap_create`; -EINVAL for unknown flags.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_create2(
    image: rbd_image_t,
    snap_name: *const c_char,
    flags: u32,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    let _ = (cb, cbdata);
    let known = (RBD_SNAP_CREATE_SKIP_QUIESCE | RBD_SNAP_CREATE_IGNORE_QUIESCE_ERROR) as u32;
    if flags & !known != 0 || flags == known {
        return -libc::EINVAL;
    }
    // SAFETY: forwarded C contract.
    unsafe { rbd_snap_create(image, snap_name) }
}

/// Removes user snapshot `snapname`. Errors: -EINVAL for a NULL name;
/// -ENOENT without it; -EBUSY while it is protected or has clones; -EROFS;
/// -EBADF; the lock's and the OSDs' errors.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_remove(image: rbd_image_t, snapname: *const c_char) -> c_int {
    entry(|| {
        let image = image_handle::image(image)?;
        // SAFETY: the caller's NUL-terminated string.
        let name = unsafe { c_str(snapname, "snapshot name") }?;
        image.remove_snapshot(name).map(|_| 0)
    })
}

/// `rbd_snap_remove` with flags: `RBD_SNAP_REMOVE_UNPROTECT` unprotects a
/// protected snapshot first; `RBD_SNAP_REMOVE_FLATTEN` would flatten its
/// clones (this library makes none; a snapshot with clones stays -EBUSY).
/// The progress callback (for flattening) is never called, so it may be
/// NULL. Errors as `rbd_snap_remove`.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_remove2(
    image: rbd_image_t,
    snap_name: *const c_char,
    flags: u32,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    let _ = (cb, cbdata);
    entry(|| {
        let image = image_handle::image(image)?;
        // SAFETY: the caller's NUL-terminated string.
        let name = unsafe { c_str(snap_name, "snapshot name") }?;
        if flags & RBD_SNAP_REMOVE_UNPROTECT as u32 != 0 && image.is_snapshot_protected(name)? {
            image.unprotect_snapshot(name)?;
        }
        image.remove_snapshot(name).map(|_| 0)
    })
}

/// Removes snapshot `snap_id` (any namespace). Errors as `rbd_snap_remove`.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_remove_by_id(image: rbd_image_t, snap_id: u64) -> c_int {
    entry(|| image_handle::image(image)?.remove_snapshot_by_id(snap_id).map(|_| 0))
}

/// Rolls the image back to snapshot `snapname`. Errors: -EINVAL for a NULL
/// name; -ENOENT without it; -EROFS; -EBADF; the lock's and the OSDs' errors.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_rollback(image: rbd_image_t, snapname: *const c_char) -> c_int {
    entry(|| {
        let image = image_handle::image(image)?;
        // SAFETY: the caller's NUL-terminated string.
        let name = unsafe { c_str(snapname, "snapshot name") }?;
        image.rollback_to_snapshot(name, &mut |_, _| {}).map(|_| 0)
    })
}

/// `rbd_snap_rollback` calling `cb(objects done, object count, cbdata)` as
/// objects are rolled back. Errors as `rbd_snap_rollback`; -EINVAL for a
/// NULL callback.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_rollback_with_progress(
    image: rbd_image_t,
    snapname: *const c_char,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    entry(|| {
        let image = image_handle::image(image)?;
        // SAFETY: the caller's NUL-terminated string.
        let name = unsafe { c_str(snapname, "snapshot name") }?;
        let mut progress = super::image::progress_fn(cb, cbdata)?;
        image.rollback_to_snapshot(name, &mut progress).map(|_| 0)
    })
}

/// Renames user snapshot `snapname` to `dstsnapsname`. Errors: -EINVAL for
/// a NULL or empty name; -ENOENT without the snapshot; -EEXIST when the new
/// name is taken; -EROFS; -EBADF; the OSDs' errors.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_rename(
    image: rbd_image_t,
    snapname: *const c_char,
    dstsnapsname: *const c_char,
) -> c_int {
    entry(|| {
        let image = image_handle::image(image)?;
        // SAFETY: the caller's NUL-terminated strings.
        let (from, to) = unsafe { (c_str(snapname, "snapshot name")?, c_str(dstsnapsname, "new snapshot name")?) };
        image.rename_snapshot(from, to).map(|_| 0)
    })
}

/// Protects user snapshot `snap_name`. Errors: -EINVAL for a NULL name;
/// -ENOSYS for an image without layering (as upstream); -ENOENT; -EBUSY when
/// already protected; -EROFS; -EBADF; the OSDs' errors.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_protect(image: rbd_image_t, snap_name: *const c_char) -> c_int {
    entry(|| {
        let image = image_handle::image(image)?;
        // SAFETY: the caller's NUL-terminated string.
        let name = unsafe { c_str(snap_name, "snapshot name") }?;
        image.protect_snapshot(name).map(|_| 0)
    })
}

/// Unprotects user snapshot `snap_name`. Errors: -EINVAL for a NULL name or
/// an unprotected snapshot; -ENOSYS without layering; -ENOENT; -EBUSY while
/// clones use it; -EROFS; -EBADF; the OSDs' errors.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_unprotect(image: rbd_image_t, snap_name: *const c_char) -> c_int {
    entry(|| {
        let image = image_handle::image(image)?;
        // SAFETY: the caller's NUL-terminated string.
        let name = unsafe { c_str(snap_name, "snapshot name") }?;
        image.unprotect_snapshot(name).map(|_| 0)
    })
}

/// Stores 1 when user snapshot `snap_name` is protected, else 0. Errors:
/// -EINVAL for a NULL argument; -ENOENT; -EBADF; the OSDs' errors.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_is_protected(
    image: rbd_image_t,
    snap_name: *const c_char,
    is_protected: *mut c_int,
) -> c_int {
    entry(|| {
        let image = image_handle::image(image)?;
        // SAFETY: the caller's NUL-terminated string.
        let name = unsafe { c_str(snap_name, "snapshot name") }?;
        let out = Out::new(is_protected, "is_protected")?;
        let protected = image.is_snapshot_protected(name)?;
        // SAFETY: checked out-parameter.
        unsafe { out.write(c_int::from(protected)) };
        Ok(0)
    })
}

/// Stores the image's snapshot limit (`UINT64_MAX`: none). Errors: -EINVAL
/// for a NULL argument; -EBADF; the OSD's error.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_limit(image: rbd_image_t, limit: *mut u64) -> c_int {
    entry(|| {
        let image = image_handle::image(image)?;
        let out = Out::new(limit, "limit")?;
        let value = image.snapshot_limit()?;
        // SAFETY: checked out-parameter.
        unsafe { out.write(value) };
        Ok(0)
    })
}

/// Sets the snapshot limit (`UINT64_MAX` removes it). Errors: -ERANGE below
/// the number of snapshots; -EROFS; -EBADF; the OSD's error.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_set_limit(image: rbd_image_t, limit: u64) -> c_int {
    entry(|| image_handle::image(image)?.set_snapshot_limit(limit).map(|_| 0))
}

/// Stores when snapshot `snap_id` was made. Errors: -EINVAL for a NULL
/// argument; -ENOENT without it; -EBADF; the OSD's error.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_timestamp(image: rbd_image_t, snap_id: u64, timestamp: *mut timespec) -> c_int {
    entry(|| {
        let image = image_handle::image(image)?;
        let out = Out::new(timestamp, "timestamp")?;
        let t = image.snapshot(snap_id)?.timestamp;
        // SAFETY: checked out-parameter.
        unsafe { out.write(timespec { tv_sec: t.sec as time_t, tv_nsec: t.nsec as _ }) };
        Ok(0)
    })
}

/// Reads user snapshot `snapname` from now on (NULL: the head again);
/// setting a snapshot releases the exclusive lock, and writes fail with
/// -EROFS until the head is set again. Errors: -ENOENT; -EBADF; the OSD's.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_set(image: rbd_image_t, snapname: *const c_char) -> c_int {
    entry(|| {
        let image = image_handle::image(image)?;
        // SAFETY: NULL or the caller's NUL-terminated string.
        let name = unsafe { opt_c_str(snapname, "snapshot name") }?;
        image.set_snapshot(name).map(|_| 0)
    })
}

/// `rbd_snap_set` by id, of any namespace (`CEPH_NOSNAP`: the head).
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_set_by_id(image: rbd_image_t, snap_id: u64) -> c_int {
    entry(|| {
        let image = image_handle::image(image)?;
        let id = (snap_id != crate::cls::rbd::NOSNAP).then_some(snap_id);
        image.set_snapshot_id(id).map(|_| 0)
    })
}

/// Copies snapshot `snap_id`'s name and its NUL into `snapname`, whose size
/// is `*name_len`; `*name_len` becomes the size needed. Errors: -EINVAL for
/// a NULL argument; -ENOENT without the snapshot; -ERANGE when the buffer is
/// too small (`*name_len` set); -EBADF; the OSD's error.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_name(
    image: rbd_image_t,
    snap_id: u64,
    snapname: *mut c_char,
    name_len: *mut usize,
) -> c_int {
    entry(|| {
        let image = image_handle::image(image)?;
        let len_out = Out::new(name_len, "name_len")?;
        let name = image.snapshot(snap_id)?.name;
        // SAFETY: the caller's buffer of *name_len bytes.
        unsafe { write_sized_cstring(snapname, len_out, name.as_bytes()) }
    })
}

/// Stores the id of user snapshot `snapname`. Errors: -EINVAL for a NULL
/// argument; -ENOENT without it; -EBADF; the OSD's error.
#[no_mangle]
pub unsafe extern "C" fn rbd_snap_get_id(image: rbd_image_t, snapname: *const c_char, snap_id: *mut u64) -> c_int {
    entry(|| {
        let image = image_handle::image(image)?;
        // SAFETY: the caller's NUL-terminated string.
        let name = unsafe { c_str(snapname, "snapshot name") }?;
        let out = Out::new(snap_id, "snap_id")?;
        let id = image.snapshot_named(name)?.id;
        // SAFETY: checked out-parameter.
        unsafe { out.write(id) };
        Ok(0)
    })
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
