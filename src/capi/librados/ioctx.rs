//! I/O contexts (`rados_ioctx_t`): pool, namespace and locator key of object operations.

use crate::capi::prelude::*;
use crate::rados::IoCtx;
use std::sync::Arc;

/// The configuration handle of a cluster handle (for `rados_create_with_context`);
/// NULL for a NULL or stale handle.
#[no_mangle]
pub unsafe extern "C" fn rados_cct(cluster: rados_t) -> rados_config_t {
    entry(|| Ok(CLUSTERS.get(cluster)?.cct as rados_config_t))
}
/// Creates an I/O context on the pool named `pool_name`.
/// Errors: -EINVAL for NULLs, -ENOTCONN when not connected, -ENOENT for no such pool.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_create(
    cluster: rados_t,
    pool_name: *const c_char,
    ioctx: *mut rados_ioctx_t,
) -> c_int {
    entry(|| {
        let c = CLUSTERS.get(cluster)?;
        // SAFETY: C string argument.
        let name = unsafe { c_str(pool_name, "pool_name") }?;
        let out = Out::new(ioctx, "ioctx")?;
        let pool = c.rados.pool_by_name(name)?;
        let io = IoCtx::new(c.rados.clone(), pool)?;
        let handle = IOCTXS.insert(Arc::new(IoCtxEntry { ioctx: io, cluster: cluster as usize }));
        // SAFETY: checked out-parameter.
        unsafe { out.write(handle) };
        Ok(0)
    })
}
/// Creates an I/O context on the pool with id `pool_id`.
/// Errors: -EINVAL for NULLs, -ENOTCONN when not connected, -ENOENT for no such pool.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_create2(cluster: rados_t, pool_id: i64, ioctx: *mut rados_ioctx_t) -> c_int {
    entry(|| {
        let c = CLUSTERS.get(cluster)?;
        let out = Out::new(ioctx, "ioctx")?;
        let pool = c.rados.pool_by_id(pool_id)?;
        let io = IoCtx::new(c.rados.clone(), pool)?;
        let handle = IOCTXS.insert(Arc::new(IoCtxEntry { ioctx: io, cluster: cluster as usize }));
        // SAFETY: checked out-parameter.
        unsafe { out.write(handle) };
        Ok(0)
    })
}
/// Releases an I/O context; NULL or stale handles are ignored.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_destroy(io: rados_ioctx_t) {
    entry(|| IOCTXS.remove(io).map(drop))
}
/// The configuration handle of an I/O context's cluster (NULL for a bad handle).
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_cct(io: rados_ioctx_t) -> rados_config_t {
    entry(|| {
        let e = IOCTXS.get(io)?;
        Ok(CLUSTERS.get(e.cluster as *const c_void)?.cct as rados_config_t)
    })
}
/// The cluster handle an I/O context was made from (NULL for a bad handle).
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_get_cluster(io: rados_ioctx_t) -> rados_t {
    entry(|| Ok(IOCTXS.get(io)?.cluster as rados_t))
}
/// The pool id of an I/O context. Errors: -EINVAL, -EBADF for bad handles.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_get_id(io: rados_ioctx_t) -> i64 {
    entry(|| Ok(ioctx(io)?.pool_id()))
}
/// Copies the pool name, NUL-terminated, into `buf` of `maxlen` bytes; returns
/// its length. Errors: -EINVAL for NULLs, -ERANGE when it does not fit.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_get_pool_name(io: rados_ioctx_t, buf: *mut c_char, maxlen: c_uint) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        copy_name(io.pool_name().as_bytes(), buf, maxlen as usize)
    })
}
/// Sets (NULL or "": clears) the locator key of later operations.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_locator_set_key(io: rados_ioctx_t, key: *const c_char) {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: NULL or a C string.
        let key = if key.is_null() { &[][..] } else { unsafe { c_bytes(key, "key") }? };
        io.set_locator_key(key);
        Ok(())
    })
}
/// Sets (NULL: the default) the namespace of later operations;
/// `LIBRADOS_ALL_NSPACES` lists every namespace.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_set_namespace(io: rados_ioctx_t, nspace: *const c_char) {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: NULL or a C string.
        let ns = if nspace.is_null() { &[][..] } else { unsafe { c_bytes(nspace, "nspace") }? };
        io.set_namespace(ns);
        Ok(())
    })
}
/// Copies the namespace, NUL-terminated, into `buf`; returns its length.
/// Errors: -EINVAL for NULLs, -ERANGE when it does not fit.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_get_namespace(io: rados_ioctx_t, buf: *mut c_char, maxlen: c_uint) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        copy_name(&io.namespace(), buf, maxlen as usize)
    })
}
/// Copies a name NUL-terminated into a caller buffer; returns its length, or
/// -ERANGE when it does not fit (as upstream's name getters).
pub(crate) fn copy_name(name: &[u8], buf: *mut c_char, maxlen: usize) -> Result<c_int> {
    if buf.is_null() {
        return Err(Error::invalid("buf is NULL"));
    }
    // SAFETY: buf has room for maxlen bytes per the caller's contract.
    if !unsafe { write_cstring(buf, maxlen, name) } {
        return Err(Error::Range(format!("name needs {} bytes", name.len() + 1)));
    }
    Ok(name.len() as c_int)
}
