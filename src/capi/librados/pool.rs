//! Pools: create, delete, list, lookup, statistics, application metadata.

use crate::capi::prelude::*;

/// Waits for the latest cluster map (immediate for the local store).
/// Errors: -EINVAL/-EBADF for bad handles, -ENOTCONN.
#[no_mangle]
pub unsafe extern "C" fn rados_wait_for_latest_osdmap(cluster: rados_t) -> c_int {
    entry(|| {
        CLUSTERS.get(cluster)?.rados.backend()?.wait_for_latest_map()?;
        Ok(0)
    })
}
/// Writes the pool names, each NUL-terminated, into `buf` (as many as fit in
/// `len`), and returns the length the whole list needs plus one (as upstream).
/// Errors: -EINVAL for NULL `buf` with `len` > 0, -ENOTCONN.
#[no_mangle]
pub unsafe extern "C" fn rados_pool_list(cluster: rados_t, buf: *mut c_char, len: usize) -> c_int {
    entry(|| {
        let names: Vec<String> = CLUSTERS.get(cluster)?.rados.backend()?.pools()?.into_iter().map(|p| p.name).collect();
        // SAFETY: buf is NULL (with len 0) or valid for len bytes.
        unsafe { write_name_list(buf, len, names.iter().map(|n| n.as_bytes())) }
    })
}
/// Inconsistent placement groups of a pool: none on the local store. Same
/// buffer convention as `rados_pool_list`. Errors: -EINVAL, -ENOTCONN, -ENOENT.
#[no_mangle]
pub unsafe extern "C" fn rados_inconsistent_pg_list(
    cluster: rados_t,
    pool: i64,
    buf: *mut c_char,
    len: usize,
) -> c_int {
    entry(|| {
        CLUSTERS.get(cluster)?.rados.pool_by_id(pool)?;
        // SAFETY: buf is NULL (with len 0) or valid for len bytes.
        unsafe { write_name_list(buf, len, std::iter::empty()) }
    })
}
/// Pool usage statistics. Errors: -EINVAL for NULLs, -EBADF, -ENOENT.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_pool_stat(io: rados_ioctx_t, stats: *mut rados_pool_stat_t) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        let out = Out::new(stats, "stats")?;
        let s = io.backend().pool_stats(io.pool_id())?;
        let st = rados_pool_stat_t {
            num_bytes: s.num_bytes,
            num_kb: s.num_bytes.div_ceil(1024),
            num_objects: s.num_objects,
            num_object_clones: s.num_object_clones,
            num_object_copies: s.num_object_copies,
            num_rd: s.num_rd,
            num_rd_kb: s.num_rd_kb,
            num_wr: s.num_wr,
            num_wr_kb: s.num_wr_kb,
            num_user_bytes: s.num_user_bytes,
            ..rados_pool_stat_t::default()
        };
        // SAFETY: checked out-parameter.
        unsafe { out.write(st) };
        Ok(0)
    })
}
/// The id of the pool named `pool_name`. Errors: -EINVAL, -ENOTCONN, -ENOENT.
#[no_mangle]
pub unsafe extern "C" fn rados_pool_lookup(cluster: rados_t, pool_name: *const c_char) -> i64 {
    entry(|| {
        let c = CLUSTERS.get(cluster)?;
        // SAFETY: C string argument.
        let name = unsafe { c_str(pool_name, "pool_name") }?;
        Ok(c.rados.pool_by_name(name)?.id)
    })
}
/// Copies the name of pool `id`, NUL-terminated, into `buf`; returns its length.
/// Errors: -EINVAL, -ENOTCONN, -ENOENT, -ERANGE when it does not fit.
#[no_mangle]
pub unsafe extern "C" fn rados_pool_reverse_lookup(
    cluster: rados_t,
    id: i64,
    buf: *mut c_char,
    maxlen: usize,
) -> c_int {
    entry(|| {
        let name = CLUSTERS.get(cluster)?.rados.pool_by_id(id)?.name;
        super::ioctx::copy_name(name.as_bytes(), buf, maxlen)
    })
}
/// Creates a pool. Errors: -EINVAL, -ENOTCONN, -EEXIST.
#[no_mangle]
pub unsafe extern "C" fn rados_pool_create(cluster: rados_t, pool_name: *const c_char) -> c_int {
    // SAFETY: forwarded arguments.
    unsafe { create_pool(cluster, pool_name, None) }
}
/// Deprecated: as `rados_pool_create`; an `auid` other than the default is -EINVAL.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_pool_create_with_auid(cluster: rados_t, pool_name: *const c_char, auid: u64) -> c_int {
    if auid != AUTH_UID_DEFAULT {
        return -libc::EINVAL;
    }
    // SAFETY: forwarded arguments.
    unsafe { create_pool(cluster, pool_name, None) }
}
/// Creates a pool with a CRUSH rule (ignored by the local store).
/// Errors: -EINVAL, -ENOTCONN, -EEXIST.
#[no_mangle]
pub unsafe extern "C" fn rados_pool_create_with_crush_rule(
    cluster: rados_t,
    pool_name: *const c_char,
    crush_rule_num: u8,
) -> c_int {
    // SAFETY: forwarded arguments.
    unsafe { create_pool(cluster, pool_name, Some(crush_rule_num)) }
}
/// Deprecated: as `rados_pool_create_with_crush_rule`; an `auid` other than the
/// default is -EINVAL.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_pool_create_with_all(
    cluster: rados_t,
    pool_name: *const c_char,
    auid: u64,
    crush_rule_num: u8,
) -> c_int {
    if auid != AUTH_UID_DEFAULT {
        return -libc::EINVAL;
    }
    // SAFETY: forwarded arguments.
    unsafe { create_pool(cluster, pool_name, Some(crush_rule_num)) }
}
/// The base pool of a cache tier (the pool itself when it is not a tier).
/// Errors: -EINVAL, -ENOTCONN, -ENOENT.
#[no_mangle]
pub unsafe extern "C" fn rados_pool_get_base_tier(cluster: rados_t, pool: i64, base_tier: *mut i64) -> c_int {
    entry(|| {
        let c = CLUSTERS.get(cluster)?;
        let out = Out::new(base_tier, "base_tier")?;
        let p = c.rados.pool_by_id(pool)?;
        // SAFETY: checked out-parameter.
        unsafe { out.write(p.base_tier) };
        Ok(0)
    })
}
/// Deletes a pool and its objects. Errors: -EINVAL, -ENOTCONN, -ENOENT.
#[no_mangle]
pub unsafe extern "C" fn rados_pool_delete(cluster: rados_t, pool_name: *const c_char) -> c_int {
    entry(|| {
        let c = CLUSTERS.get(cluster)?;
        // SAFETY: C string argument.
        let name = unsafe { c_str(pool_name, "pool_name") }?;
        c.rados.backend()?.pool_delete(name)?;
        Ok(0)
    })
}
/// Deprecated; always -EOPNOTSUPP, as upstream.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_pool_set_auid(io: rados_ioctx_t, auid: u64) -> c_int {
    -libc::EOPNOTSUPP
}
/// Deprecated; always -EOPNOTSUPP, as upstream.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_pool_get_auid(io: rados_ioctx_t, auid: *mut u64) -> c_int {
    -libc::EOPNOTSUPP
}
/// Deprecated: 0 (replicated pools need no alignment); -errno for bad handles.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_pool_requires_alignment(io: rados_ioctx_t) -> c_int {
    entry(|| ioctx(io).map(|_| 0))
}
/// Whether writes must be aligned: never for the pools this library makes.
/// Errors: -EINVAL/-EBADF for bad handles.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_pool_requires_alignment2(io: rados_ioctx_t, req: *mut c_int) -> c_int {
    entry(|| {
        ioctx(io)?;
        let out = Out::new(req, "req")?;
        // SAFETY: checked out-parameter.
        unsafe { out.write(0) };
        Ok(0)
    })
}
/// Deprecated: the required write alignment, 0.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_pool_required_alignment(io: rados_ioctx_t) -> u64 {
    entry(|| ioctx(io).map(|_| 0))
}
/// The required write alignment: 0 (none). Errors: -EINVAL, -EBADF.
#[no_mangle]
pub unsafe extern "C" fn rados_ioctx_pool_required_alignment2(io: rados_ioctx_t, alignment: *mut u64) -> c_int {
    entry(|| {
        ioctx(io)?;
        let out = Out::new(alignment, "alignment")?;
        // SAFETY: checked out-parameter.
        unsafe { out.write(0) };
        Ok(0)
    })
}
/// Enables an application on the pool; a second application needs `force`.
/// Errors: -EINVAL, -EBADF, -EPERM without `force`.
#[no_mangle]
pub unsafe extern "C" fn rados_application_enable(io: rados_ioctx_t, app_name: *const c_char, force: c_int) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string argument.
        let app = unsafe { c_str(app_name, "app_name") }?;
        io.backend().application_enable(io.pool_id(), app, force != 0)?;
        Ok(0)
    })
}
/// The pool's applications, NUL-separated. `values_len` is the buffer size on
/// input and the needed size on output. Errors: -EINVAL, -EBADF, -ERANGE.
#[no_mangle]
pub unsafe extern "C" fn rados_application_list(
    io: rados_ioctx_t,
    values: *mut c_char,
    values_len: *mut usize,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        let apps = io.backend().application_list(io.pool_id())?;
        // SAFETY: values is valid for *values_len bytes per the caller's contract.
        unsafe { fill_packed(&[(values, values_len)], &[apps.iter().map(|a| a.as_bytes().to_vec()).collect()]) }
    })
}
/// One application metadata value, NUL-terminated. `value_len` is the buffer
/// size on input and the needed size on output.
/// Errors: -EINVAL, -EBADF, -ENOENT, -ERANGE.
#[no_mangle]
pub unsafe extern "C" fn rados_application_metadata_get(
    io: rados_ioctx_t,
    app_name: *const c_char,
    key: *const c_char,
    value: *mut c_char,
    value_len: *mut usize,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string arguments.
        let (app, key) = unsafe { (c_str(app_name, "app_name")?, c_str(key, "key")?) };
        let v = io.backend().application_metadata_get(io.pool_id(), app, key)?;
        // SAFETY: value is valid for *value_len bytes per the caller's contract.
        unsafe { fill_packed(&[(value, value_len)], &[vec![v.into_bytes()]]) }
    })
}
/// Sets application metadata. Errors: -EINVAL, -EBADF, -ENOENT (application not enabled).
#[no_mangle]
pub unsafe extern "C" fn rados_application_metadata_set(
    io: rados_ioctx_t,
    app_name: *const c_char,
    key: *const c_char,
    value: *const c_char,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string arguments.
        let (app, key, value) = unsafe { (c_str(app_name, "app_name")?, c_str(key, "key")?, c_str(value, "value")?) };
        io.backend().application_metadata_set(io.pool_id(), app, key, value)?;
        Ok(0)
    })
}
/// Removes application metadata. Errors: -EINVAL, -EBADF, -ENOENT.
#[no_mangle]
pub unsafe extern "C" fn rados_application_metadata_remove(
    io: rados_ioctx_t,
    app_name: *const c_char,
    key: *const c_char,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string arguments.
        let (app, key) = unsafe { (c_str(app_name, "app_name")?, c_str(key, "key")?) };
        io.backend().application_metadata_remove(io.pool_id(), app, key)?;
        Ok(0)
    })
}
/// An application's metadata: keys and values, each NUL-separated, in key order.
/// The lengths are buffer sizes on input and needed sizes on output.
/// Errors: -EINVAL, -EBADF, -ENOENT, -ERANGE.
#[no_mangle]
pub unsafe extern "C" fn rados_application_metadata_list(
    io: rados_ioctx_t,
    app_name: *const c_char,
    keys: *mut c_char,
    key_len: *mut usize,
    values: *mut c_char,
    vals_len: *mut usize,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string argument.
        let app = unsafe { c_str(app_name, "app_name") }?;
        let kv = io.backend().application_metadata_list(io.pool_id(), app)?;
        let ks = kv.iter().map(|(k, _)| k.as_bytes().to_vec()).collect();
        let vs = kv.iter().map(|(_, v)| v.as_bytes().to_vec()).collect();
        // SAFETY: each buffer is valid for its length per the caller's contract.
        unsafe { fill_packed(&[(keys, key_len), (values, vals_len)], &[ks, vs]) }
    })
}

/// `struct rados_pool_stat_t` as librados laid it out before 14.2.0 (12 counters).
#[repr(C)]
pub(crate) struct LegacyPoolStat {
    pub num_bytes: u64,
    pub num_kb: u64,
    pub num_objects: u64,
    pub num_object_clones: u64,
    pub num_object_copies: u64,
    pub num_objects_missing_on_primary: u64,
    pub num_objects_unfound: u64,
    pub num_objects_degraded: u64,
    pub num_rd: u64,
    pub num_rd_kb: u64,
    pub num_wr: u64,
    pub num_wr_kb: u64,
}

/// `rados_ioctx_pool_stat@` (hidden base version, link/legacy_aliases.S): the
/// pre-14.2.0 struct layout, without the user-bytes and compression fields.
/// Errors: as `rados_ioctx_pool_stat`.
#[no_mangle]
pub(crate) unsafe extern "C" fn cephrs_legacy_rados_ioctx_pool_stat(
    io: rados_ioctx_t,
    stats: *mut LegacyPoolStat,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        let out = Out::new(stats, "stats")?;
        let s = io.backend().pool_stats(io.pool_id())?;
        let st = LegacyPoolStat {
            num_bytes: s.num_bytes,
            num_kb: s.num_bytes.div_ceil(1024),
            num_objects: s.num_objects,
            num_object_clones: s.num_object_clones,
            num_object_copies: s.num_object_copies,
            num_objects_missing_on_primary: 0,
            num_objects_unfound: 0,
            num_objects_degraded: 0,
            num_rd: s.num_rd,
            num_rd_kb: s.num_rd_kb,
            num_wr: s.num_wr,
            num_wr_kb: s.num_wr_kb,
        };
        // SAFETY: checked out-parameter.
        unsafe { out.write(st) };
        Ok(0)
    })
}

/// `CEPH_AUTH_UID_DEFAULT`.
const AUTH_UID_DEFAULT: u64 = u64::MAX;

unsafe fn create_pool(cluster: rados_t, pool_name: *const c_char, rule: Option<u8>) -> c_int {
    entry(|| {
        let c = CLUSTERS.get(cluster)?;
        // SAFETY: C string argument.
        let name = unsafe { c_str(pool_name, "pool_name") }?;
        c.rados.backend()?.pool_create(name, rule)?;
        Ok(0)
    })
}

/// `rados_pool_list`'s convention: writes whole names while they fit (the rest
/// of the buffer zeroed) and returns the size the full list needs plus one.
///
/// # Safety
/// `buf` is NULL with `len` 0, or valid for `len` bytes.
unsafe fn write_name_list<'a>(buf: *mut c_char, len: usize, names: impl Iterator<Item = &'a [u8]>) -> Result<c_int> {
    if len > 0 && buf.is_null() {
        return Err(Error::invalid("buf is NULL"));
    }
    // SAFETY: per this function's contract.
    let out = unsafe { c_slice_mut(buf as *mut u8, len, "buf") }?;
    out.fill(0);
    let (mut at, mut needed, mut fits) = (0usize, 0usize, true);
    for name in names {
        let n = name.len() + 1;
        if fits && at + n <= len {
            out[at..at + name.len()].copy_from_slice(name);
            at += n;
        } else {
            fits = false;
        }
        needed += n;
    }
    Ok((needed + 1) as c_int)
}

/// The convention of `rados_application_*`: each list of strings goes into its
/// buffer NUL-separated; every `*len` becomes the size needed; -ERANGE (nothing
/// written) when any buffer is too small.
///
/// # Safety
/// Each buffer is valid for the size its length pointer gives.
unsafe fn fill_packed(bufs: &[(*mut c_char, *mut usize)], lists: &[Vec<Vec<u8>>]) -> Result<c_int> {
    let mut needed = Vec::new();
    let mut too_small = false;
    for ((buf, len), list) in bufs.iter().zip(lists) {
        let len = Out::new(*len, "length")?;
        // SAFETY: checked non-null length pointer.
        let have = unsafe { *len.0.as_ptr() };
        let need: usize = list.iter().map(|s| s.len() + 1).sum();
        if have < need || buf.is_null() && need > 0 {
            too_small = true;
        }
        needed.push((len, need, have));
    }
    if too_small {
        for (len, need, _) in needed {
            // SAFETY: checked out-parameter.
            unsafe { len.write(need) };
        }
        return Err(Error::Range("buffer too small".into()));
    }
    for (((buf, _), list), (len, need, have)) in bufs.iter().zip(lists).zip(needed) {
        // SAFETY: the buffer holds `have` >= `need` bytes per the caller's contract.
        let out = unsafe { c_slice_mut(*buf as *mut u8, have, "buffer") }?;
        let mut at = 0;
        for s in list {
            out[at..at + s.len()].copy_from_slice(s);
            out[at + s.len()] = 0;
            at += s.len() + 1;
        }
        if at < have {
            out[at] = 0; // the list's terminating empty string, when there is room
        }
        // SAFETY: checked out-parameter.
        unsafe { len.write(need) };
    }
    Ok(0)
}
