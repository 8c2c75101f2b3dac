//! The image trash.

use super::image::{no_progress, progress_fn};
use crate::capi::handles::ioctx;
use crate::capi::prelude::*;
use crate::cls::rbd::trash::TrashImageSpec;

fn source_of(code: u8) -> Result<rbd_trash_image_source_t> {
    use rbd_trash_image_source_t::*;
    Ok(match code {
        0 => RBD_TRASH_IMAGE_SOURCE_USER,
        1 => RBD_TRASH_IMAGE_SOURCE_MIRRORING,
        2 => RBD_TRASH_IMAGE_SOURCE_MIGRATION,
        3 => RBD_TRASH_IMAGE_SOURCE_REMOVING,
        4 => RBD_TRASH_IMAGE_SOURCE_USER_PARENT,
        other => return Err(Error::Corrupt(format!("trash source {other}"))),
    })
}

/// A filled entry (`malloc`'ed strings), or nothing allocated on error.
fn entry_of(id: &str, spec: &TrashImageSpec) -> Result<rbd_trash_image_info_t> {
    let source = source_of(spec.source)?;
    let strings = malloc_cstrings([id, spec.name.as_str()])?;
    let (id, name) = (strings[0], strings[1]);
    Ok(rbd_trash_image_info_t {
        id,
        name,
        source,
        deletion_time: spec.deletion_time.sec as time_t,
        deferment_end_time: spec.deferment_end_time.sec as time_t,
    })
}

/// Frees an entry's strings and clears them.
fn free_entry(info: &mut rbd_trash_image_info_t) {
    for p in [&mut info.id, &mut info.name] {
        if !p.is_null() {
            // SAFETY: a string this library allocated; cleared after.
            unsafe { free_c(*p as *mut c_void) };
            *p = std::ptr::null_mut();
        }
    }
}

/// Moves image `name` into the trash, to be kept at least `delay` seconds
/// (until then `rbd_trash_remove` needs `force`). Errors: -EINVAL for a NULL
/// argument; -ENOENT; -EBUSY when its lock cannot be had; the OSDs' errors.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_move(io: rados_ioctx_t, name: *const c_char, delay: u64) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string argument.
        let name = unsafe { c_str(name, "image name") }?;
        crate::rbd::trash::move_to_trash(&io, name, delay).map(|_| 0)
    })
}

/// Fills `info` with trash entry `id` (free with `rbd_trash_get_cleanup`).
/// Errors: -EINVAL for a NULL argument; -ENOENT; -ENOMEM; the OSD's error.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_get(
    io: rados_ioctx_t,
    id: *const c_char,
    info: *mut rbd_trash_image_info_t,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string argument.
        let id = unsafe { c_str(id, "image id") }?;
        let out = Out::new(info, "info")?;
        let filled = entry_of(id, &crate::rbd::trash::get(&io, id)?)?;
        // SAFETY: checked out-parameter.
        unsafe { out.write(filled) };
        Ok(0)
    })
}

/// Frees what `rbd_trash_get` filled in and clears it. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_get_cleanup(info: *mut rbd_trash_image_info_t) {
    entry(|| {
        // SAFETY: NULL or an entry rbd_trash_get filled.
        if let Some(info) = unsafe { info.as_mut() } {
            free_entry(info);
        }
        Ok(())
    })
}

/// Lists the trash (images being removed by `rbd_remove` left out) into
/// `trash_entries`, whose room is `*num_entries`; returns and stores the
/// count. Free with `rbd_trash_list_cleanup`. Errors: -EINVAL for a NULL
/// argument; -ERANGE, with `*num_entries` set to the count, when the array
/// is too small; -ENOMEM; the OSD's error.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_list(
    io: rados_ioctx_t,
    trash_entries: *mut rbd_trash_image_info_t,
    num_entries: *mut usize,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        let count = Out::new(num_entries, "num_entries")?;
        // SAFETY: checked non-null; the caller's size_t.
        let room = unsafe { *count.0.as_ptr() };
        let list = crate::rbd::trash::list(&io)?;
        if list.len() > room {
            // SAFETY: checked out-parameter.
            unsafe { count.write(list.len()) };
            return Err(Error::Range("trash entry array too small".into()));
        }
        // SAFETY: the caller's array of `room` >= list.len() entries.
        let target = unsafe { c_slice_mut(trash_entries, list.len(), "trash_entries") }?;
        let mut filled = Vec::with_capacity(list.len());
        for (id, spec) in &list {
            match entry_of(id, spec) {
                Ok(e) => filled.push(e),
                Err(e) => {
                    filled.iter_mut().for_each(free_entry);
                    return Err(e);
                }
            }
        }
        for (slot, e) in target.iter_mut().zip(filled) {
            *slot = e;
        }
        // SAFETY: checked out-parameter.
        unsafe { count.write(list.len()) };
        c_int::try_from(list.len()).map_err(|_| Error::Range("too many trash entries".into()))
    })
}

/// Frees the first `num_entries` entries `rbd_trash_list` filled and clears
/// them. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_list_cleanup(trash_entries: *mut rbd_trash_image_info_t, num_entries: usize) {
    entry(|| {
        if trash_entries.is_null() {
            return Ok(());
        }
        // SAFETY: the caller's array of `num_entries` entries rbd_trash_list filled.
        let list = unsafe { c_slice_mut(trash_entries, num_entries, "trash_entries") }?;
        list.iter_mut().for_each(free_entry);
        Ok(())
    })
}

/// Removes for good every image moved to the trash by a user whose
/// deferment ended by `expire_ts` (0: now), with a negative `threshold`.
/// Purging by pool usage (`threshold` 0 to 1) is not provided: -EOPNOTSUPP;
/// above 1: -EINVAL. Errors: the first removal's (-EBUSY, -ENOTEMPTY…).
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_purge(io: rados_ioctx_t, expire_ts: time_t, threshold: f32) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { rbd_trash_purge_with_progress(io, expire_ts, threshold, Some(no_progress), std::ptr::null_mut()) }
}

/// `rbd_trash_purge` calling `cb(images done, image count, cbdata)`.
/// Errors as `rbd_trash_purge`; -EINVAL for a NULL callback.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_purge_with_progress(
    io: rados_ioctx_t,
    expire_ts: time_t,
    threshold: f32,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        let mut progress = progress_fn(cb, cbdata)?;
        if threshold > 1.0 {
            return Err(Error::invalid("threshold out of range"));
        }
        if threshold >= 0.0 {
            return Err(Error::NotSupported("trash purge by pool usage is not provided".into()));
        }
        crate::rbd::trash::purge(&io, expire_ts, &mut progress).map(|_| 0)
    })
}

/// Removes trashed image `id` for good; before its deferment time only with
/// `force`. Errors: -EINVAL for a NULL argument; -ENOENT; -EPERM (deferred,
/// not forced); -EBUSY (open elsewhere, or being moved or restored);
/// -ENOTEMPTY (it has snapshots); the OSDs' errors.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_remove(io: rados_ioctx_t, id: *const c_char, force: bool) -> c_int {
    // SAFETY: forwarded C contract.
    unsafe { rbd_trash_remove_with_progress(io, id, force, Some(no_progress), std::ptr::null_mut()) }
}

/// `rbd_trash_remove` calling `cb(objects done, object count, cbdata)` as
/// its data objects go. Errors as `rbd_trash_remove`; -EINVAL for a NULL
/// callback.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_remove_with_progress(
    io: rados_ioctx_t,
    id: *const c_char,
    force: bool,
    cb: librbd_progress_fn_t,
    cbdata: *mut c_void,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string argument.
        let id = unsafe { c_str(id, "image id") }?;
        let mut progress = progress_fn(cb, cbdata)?;
        crate::rbd::trash::remove(&io, id, force, &mut progress).map(|_| 0)
    })
}

/// Restores trashed image `id` under `name` (empty: its old name). Errors:
/// -EINVAL for a NULL argument or a source that restores itself
/// (migration); -ENOENT; -EEXIST (the name is taken); -EBUSY (being moved or
/// removed); the OSDs' errors.
#[no_mangle]
pub unsafe extern "C" fn rbd_trash_restore(io: rados_ioctx_t, id: *const c_char, name: *const c_char) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string arguments.
        let (id, name) = unsafe { (c_str(id, "image id")?, c_str(name, "image name")?) };
        crate::rbd::trash::restore(&io, id, name).map(|_| 0)
    })
}
