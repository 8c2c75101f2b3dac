//! Pool snapshots and self-managed snapshots.

use super::object::pool_snap_id;
use super::object_io::object_name;
use crate::capi::completions;
use crate::capi::prelude::*;
use crate::rados::object::{SnapContext, SNAP_HEAD};
use crate::rados::op::{ObjectOperation, OpStep};

/// Creates pool snapshot `snapname`. Errors: -EINVAL (NULL, or the pool uses
/// self-managed snapshots), -EEXIST.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_snap_create(io: rados_ioctx_t, snapname: *const c_char) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string argument.
        let name = unsafe { c_str(snapname, "snapname") }?;
        io.backend().pool_snap_create(io.pool_id(), name)?;
        Ok(0)
    })
}

/// Removes pool snapshot `snapname`. Errors: -EINVAL, -ENOENT.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_snap_remove(io: rados_ioctx_t, snapname: *const c_char) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string argument.
        let name = unsafe { c_str(snapname, "snapname") }?;
        io.backend().pool_snap_remove(io.pool_id(), name)?;
        Ok(0)
    })
}

/// Rolls object `oid` back to a snapshot id through `io`.
///
/// # Safety
/// `oid` is NULL or a C string.
unsafe fn rollback(io: &crate::rados::IoCtx, oid: *const c_char, snap: u64) -> Result<c_int> {
    // SAFETY: forwarded contract.
    let name = unsafe { object_name(oid) }?;
    Ok(io.operate(name, ObjectOperation::single(OpStep::Rollback { snap })).result)
}

/// Rolls object `oid` back to its state in pool snapshot `snapname`.
/// Errors: -EINVAL, -ENOENT (no such snapshot), OSD errors.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_snap_rollback(
    io: rados_ioctx_t,
    oid: *const c_char,
    snapname: *const c_char,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string argument.
        let snap = pool_snap_id(&io, unsafe { c_str(snapname, "snapname") }?)?;
        // SAFETY: C string argument.
        unsafe { rollback(&io, oid, snap) }
    })
}

/// Reads through `io` go to snapshot `snap` (`LIBRADOS_SNAP_HEAD` or 0: the head).
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_snap_set_read(io: rados_ioctx_t, snap: rados_snap_t) {
    let _: c_int = entry(|| {
        ioctx(io)?.set_read_snap(if snap == 0 { SNAP_HEAD } else { snap });
        Ok(0)
    });
}

/// Allocates a self-managed snapshot id into `*snapid`. Errors: -EINVAL
/// (NULL, or the pool has pool snapshots).
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_selfmanaged_snap_create(io: rados_ioctx_t, snapid: *mut rados_snap_t) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        let out = Out::new(snapid, "snapid")?;
        let id = io.backend().selfmanaged_snap_create(io.pool_id())?;
        // SAFETY: checked out-parameter.
        unsafe { out.write(id) };
        Ok(0)
    })
}

/// As `rados_ioctx_selfmanaged_snap_create`; `*snapid` is written before the
/// completion fires with 0 or the error. Bad arguments are ignored (void).
#[no_mangle]
pub unsafe extern "C" fn rados_aio_ioctx_selfmanaged_snap_create(
    io: rados_ioctx_t,
    snapid: *mut rados_snap_t,
    completion: rados_completion_t,
) {
    let _: c_int = entry(|| {
        let io = ioctx(io)?;
        let out = CPtr(Out::new(snapid, "snapid")?.0.as_ptr());
        completions::complete_detached(&RADOS_COMPLETIONS, completion, move || {
            match io.backend().selfmanaged_snap_create(io.pool_id()) {
                Ok(id) => {
                    // SAFETY: snapid stays valid until completion (C contract).
                    unsafe { out.set(id) };
                    0
                }
                Err(e) => -(e.errno() as i64),
            }
        })?;
        Ok(0)
    });
}

/// Releases self-managed snapshot `snapid`; its clones are trimmed. Errors:
/// -EINVAL, -ENOENT.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_selfmanaged_snap_remove(io: rados_ioctx_t, snapid: rados_snap_t) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        io.backend().selfmanaged_snap_remove(io.pool_id(), snapid)?;
        Ok(0)
    })
}

/// As `rados_ioctx_selfmanaged_snap_remove`, completing `completion`.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_ioctx_selfmanaged_snap_remove(
    io: rados_ioctx_t,
    snapid: rados_snap_t,
    completion: rados_completion_t,
) {
    let _: c_int = entry(|| {
        let io = ioctx(io)?;
        completions::complete_detached(&RADOS_COMPLETIONS, completion, move || {
            io.backend().selfmanaged_snap_remove(io.pool_id(), snapid).map_or_else(|e| -(e.errno() as i64), |_| 0)
        })?;
        Ok(0)
    });
}

/// Rolls object `oid` back to self-managed snapshot `snapid` (writing under
/// the context's snap context). Errors: -EINVAL, OSD errors.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_selfmanaged_snap_rollback(
    io: rados_ioctx_t,
    oid: *const c_char,
    snapid: rados_snap_t,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string argument.
        unsafe { rollback(&io, oid, snapid) }
    })
}

/// Sets the snap context of writes: sequence `seq` and `num_snaps` existing
/// snapshot ids, newest first. Errors: -EINVAL for a negative count, NULL,
/// ids not descending or above `seq`.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_selfmanaged_snap_set_write_ctx(
    io: rados_ioctx_t,
    seq: rados_snap_t,
    snaps: *mut rados_snap_t,
    num_snaps: c_int,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        let n = usize::try_from(num_snaps).map_err(|_| Error::invalid("negative snapshot count"))?;
        // SAFETY: snaps holds num_snaps ids (C contract).
        let snaps = unsafe { c_slice(snaps as *const u64, n, "snaps") }?.to_vec();
        io.set_write_snapc(SnapContext { seq, snaps })?;
        Ok(0)
    })
}

/// Writes up to `maxlen` pool snapshot ids into `snaps`; returns the count.
/// Errors: -ERANGE when there are more than `maxlen`, -EINVAL.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_snap_list(io: rados_ioctx_t, snaps: *mut rados_snap_t, maxlen: c_int) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        let ids: Vec<u64> = io.backend().pool_snaps(io.pool_id())?.into_iter().map(|s| s.id).collect();
        if snaps.is_null() && maxlen > 0 {
            return Err(Error::invalid("snaps is NULL"));
        }
        if ids.len() > maxlen.max(0) as usize {
            return Err(Error::Range(format!("{} snapshots", ids.len())));
        }
        // SAFETY: snaps is valid for maxlen >= ids.len() ids (C contract).
        let out = unsafe { c_slice_mut(snaps, ids.len(), "snaps") }?;
        out.copy_from_slice(&ids);
        Ok(ids.len() as c_int)
    })
}

/// The id of pool snapshot `name`. Errors: -EINVAL, -ENOENT.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_snap_lookup(
    io: rados_ioctx_t,
    name: *const c_char,
    id: *mut rados_snap_t,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        let out = Out::new(id, "id")?;
        // SAFETY: C string argument.
        let snap = pool_snap_id(&io, unsafe { c_str(name, "name") }?)?;
        // SAFETY: checked out-parameter.
        unsafe { out.write(snap) };
        Ok(0)
    })
}

/// The name of pool snapshot `id`, NUL-terminated in `name` of `maxlen`
/// bytes. Errors: -ENOENT, -ERANGE when it does not fit, -EINVAL.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_snap_get_name(
    io: rados_ioctx_t,
    id: rados_snap_t,
    name: *mut c_char,
    maxlen: c_int,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        let snap = io
            .backend()
            .pool_snaps(io.pool_id())?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| Error::not_found(format!("pool snapshot {id}")))?;
        let maxlen = maxlen.max(0) as usize;
        if snap.name.len() >= maxlen {
            return Err(Error::Range("snapshot name".into()));
        }
        // SAFETY: name is valid for maxlen bytes (C contract).
        let out = unsafe { c_slice_mut(name as *mut u8, maxlen, "name") }?;
        // as strncpy: the name, then NULs to the end of the buffer
        out.fill(0);
        out[..snap.name.len()].copy_from_slice(snap.name.as_bytes());
        Ok(0)
    })
}

/// The creation time (seconds) of pool snapshot `id`. Errors: -ENOENT, -EINVAL.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_snap_get_stamp(io: rados_ioctx_t, id: rados_snap_t, t: *mut time_t) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        let out = Out::new(t, "t")?;
        let snap = io
            .backend()
            .pool_snaps(io.pool_id())?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| Error::not_found(format!("pool snapshot {id}")))?;
        // SAFETY: checked out-parameter.
        unsafe { out.write(snap.stamp.0 as time_t) };
        Ok(0)
    })
}
