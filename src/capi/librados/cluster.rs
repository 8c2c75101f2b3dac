//! Cluster handles: create, configure, connect, shut down; cluster-wide queries.

use crate::capi::prelude::*;
use crate::config::EntityName;
use crate::rados::{ConfigContext, Rados};

/// Reports librados' version, 3.0.0. Each pointer may be NULL.
#[no_mangle]
pub unsafe extern "C" fn rados_version(major: *mut c_int, minor: *mut c_int, extra: *mut c_int) {
    entry(|| {
        for (p, v) in [(major, LIBRADOS_VER_MAJOR), (minor, LIBRADOS_VER_MINOR), (extra, LIBRADOS_VER_EXTRA)] {
            if let Some(out) = Out::optional(p) {
                // SAFETY: non-null out-parameter supplied by the caller.
                unsafe { out.write(v) };
            }
        }
        Ok(())
    })
}

/// Creates a cluster handle for `client.<id>` (`client.admin` when `id` is NULL),
/// applying `CEPH_ARGS`. Errors: -EINVAL when `cluster` is NULL or `id` is not UTF-8.
#[no_mangle]
pub unsafe extern "C" fn rados_create(cluster: *mut rados_t, id: *const c_char) -> c_int {
    entry(|| {
        let out = Out::new(cluster, "cluster")?;
        // SAFETY: C string argument.
        let id = unsafe { opt_c_str(id, "id") }?.unwrap_or("admin");
        let handle = register_cluster(ConfigContext::new(EntityName::client(id), ""), None);
        // SAFETY: checked out-parameter.
        unsafe { out.write(handle) };
        Ok(0)
    })
}

/// Creates a cluster handle for the full entity `name` (`type.id`) in cluster
/// `clustername` (NULL: decided by the configuration file). `flags` is unused, as
/// upstream. Errors: -EINVAL for NULL `pcluster`/`name` or a malformed `name`.
#[no_mangle]
pub unsafe extern "C" fn rados_create2(
    pcluster: *mut rados_t,
    clustername: *const c_char,
    name: *const c_char,
    flags: u64,
) -> c_int {
    entry(|| {
        let out = Out::new(pcluster, "pcluster")?;
        // SAFETY: C string arguments.
        let name = EntityName::parse(unsafe { c_str(name, "name") }?)?;
        // SAFETY: C string argument.
        let cluster_name = unsafe { opt_c_str(clustername, "clustername") }?.unwrap_or("");
        let handle = register_cluster(ConfigContext::new(name, cluster_name), None);
        // SAFETY: checked out-parameter.
        unsafe { out.write(handle) };
        Ok(0)
    })
}

/// Creates a cluster handle sharing the configuration `cct` of another handle
/// (`rados_cct`, `rados_ioctx_cct`). Errors: -EINVAL for NULLs, -EBADF for a stale `cct`.
#[no_mangle]
pub unsafe extern "C" fn rados_create_with_context(cluster: *mut rados_t, cct: rados_config_t) -> c_int {
    entry(|| {
        let out = Out::new(cluster, "cluster")?;
        let context = CONFIGS.get(cct)?;
        let handle = register_cluster(context, Some(cct as usize));
        // SAFETY: checked out-parameter.
        unsafe { out.write(handle) };
        Ok(0)
    })
}

/// Pings monitor `mon_id` (its name; before connecting, `a`, `b`… for the
/// monitors of `mon_host` in order) and stores its JSON report (health and
/// status) in a `malloc`ed buffer (free with `rados_buffer_free`) when the
/// pointers are not NULL. Errors: -EINVAL for a NULL or empty id, -ENOENT
/// for an unknown monitor, -ETIMEDOUT after `mon_client_ping_timeout`,
/// -EOPNOTSUPP on the local store.
#[no_mangle]
pub unsafe extern "C" fn rados_ping_monitor(
    cluster: rados_t,
    mon_id: *const c_char,
    outstr: *mut *mut c_char,
    outstrlen: *mut usize,
) -> c_int {
    entry(|| {
        let c = cluster_entry(cluster)?;
        // SAFETY: C string argument.
        let mon_id = unsafe { c_str(mon_id, "mon_id") }?;
        let report = c.rados.ping_monitor(mon_id)?;
        if !outstr.is_null() {
            let p = if report.is_empty() {
                std::ptr::null_mut()
            } else {
                malloc_copy(report.as_bytes(), 0)? as *mut c_char
            };
            // SAFETY: non-NULL out-parameter (C contract).
            unsafe { *outstr = p };
        }
        if !outstrlen.is_null() {
            // SAFETY: non-NULL out-parameter (C contract).
            unsafe { *outstrlen = report.len() };
        }
        Ok(0)
    })
}
/// Connects: to the local store when `rados_local_store` is set, otherwise to
/// the cluster of `mon_host`. Errors: -EINVAL/-EBADF for bad handles, -EISCONN
/// when connected, -ENOENT with neither configured, -EBUSY when another process
/// holds the local store, -ENOSYS for a cluster (not implemented yet).
#[no_mangle]
pub unsafe extern "C" fn rados_connect(cluster: rados_t) -> c_int {
    entry(|| {
        cluster_entry(cluster)?.rados.connect()?;
        Ok(0)
    })
}

/// Shuts a cluster handle down and releases it; NULL or stale handles are ignored.
#[no_mangle]
pub unsafe extern "C" fn rados_shutdown(cluster: rados_t) {
    entry(|| {
        let entry = CLUSTERS.remove(cluster)?;
        entry.rados.shutdown();
        let cct = entry.cct;
        drop(entry);
        // The configuration handle lives while a cluster handle uses it.
        let still_used = CLUSTERS.live().iter().any(|c| c.cct == cct);
        if !still_used {
            let _ = CONFIGS.remove(cct as *const c_void);
        }
        Ok(())
    })
}

/// Reads configuration from the first existing file of the comma-separated
/// `path` list (NULL: `$CEPH_CONF`, then the default locations), then applies
/// `CEPH_ARGS`. No file found is success, as upstream.
/// Errors: -EINVAL for a syntax error, other -errno when a file cannot be read.
#[no_mangle]
pub unsafe extern "C" fn rados_conf_read_file(cluster: rados_t, path: *const c_char) -> c_int {
    entry(|| {
        let entry = cluster_entry(cluster)?;
        // SAFETY: C string argument.
        let path = unsafe { opt_c_str(path, "path") }?;
        entry.rados.context().config().read_files(path)?;
        Ok(0)
    })
}

/// Applies command-line arguments (`argv[0]` is the program name and is skipped).
/// Errors: -EINVAL for NULL arguments, a negative `argc`, an option missing its
/// value, or an invalid value.
#[no_mangle]
pub unsafe extern "C" fn rados_conf_parse_argv(cluster: rados_t, argc: c_int, argv: *mut *const c_char) -> c_int {
    entry(|| {
        let entry = cluster_entry(cluster)?;
        // SAFETY: argv holds argc C strings per the caller's contract.
        let args = unsafe { c_args(argc, argv) }?;
        let mut args: Vec<String> = args.into_iter().skip(1).map(|(_, s)| s).collect();
        entry.rados.context().config().parse_argv(&mut args)?;
        Ok(0)
    })
}

/// Applies command-line arguments and writes the ones not used to `remargv`
/// (which has room for `argc` pointers; the rest are set to NULL). Unlike
/// `rados_conf_parse_argv`, `argv[0]` is examined like the others, as upstream.
/// Errors: as `rados_conf_parse_argv`; -EINVAL for a NULL `remargv`.
#[no_mangle]
pub unsafe extern "C" fn rados_conf_parse_argv_remainder(
    cluster: rados_t,
    argc: c_int,
    argv: *mut *const c_char,
    remargv: *mut *const c_char,
) -> c_int {
    entry(|| {
        let entry = cluster_entry(cluster)?;
        // SAFETY: argv holds argc C strings per the caller's contract.
        let original = unsafe { c_args(argc, argv) }?;
        // SAFETY: remargv has room for argc pointers per the caller's contract.
        let rem = unsafe { c_slice_mut(remargv, original.len(), "remargv") }?;
        let mut args: Vec<String> = original.iter().map(|(_, s)| s.clone()).collect();
        entry.rados.context().config().parse_argv(&mut args)?;
        // The remaining arguments are a subsequence of the original: map them back to
        // the caller's own pointers.
        let mut originals = original.iter();
        let mut out = Vec::with_capacity(original.len());
        for arg in &args {
            if let Some((ptr, _)) = originals.by_ref().find(|(_, s)| s == arg) {
                out.push(*ptr);
            }
        }
        for (i, slot) in rem.iter_mut().enumerate() {
            *slot = out.get(i).copied().unwrap_or(std::ptr::null());
        }
        Ok(0)
    })
}

/// Applies `CEPH_KEYRING`, `CEPH_LIB` and the arguments in environment variable
/// `var` (NULL: `CEPH_ARGS`). Errors: -EINVAL for an invalid argument.
#[no_mangle]
pub unsafe extern "C" fn rados_conf_parse_env(cluster: rados_t, var: *const c_char) -> c_int {
    entry(|| {
        let entry = cluster_entry(cluster)?;
        // SAFETY: C string argument.
        let var = unsafe { opt_c_str(var, "var") }?;
        entry.rados.context().config().parse_env(var)?;
        Ok(0)
    })
}

/// Sets an option. Errors: -EINVAL for NULLs, an empty name or an invalid value,
/// -ENOENT for an unknown option, -ERANGE for an out-of-range debug level.
#[no_mangle]
pub unsafe extern "C" fn rados_conf_set(cluster: rados_t, option: *const c_char, value: *const c_char) -> c_int {
    entry(|| {
        let entry = cluster_entry(cluster)?;
        // SAFETY: C string arguments.
        let (option, value) = unsafe { (c_str(option, "option")?, c_str(value, "value")?) };
        entry.rados.context().config().set(option, value)?;
        Ok(0)
    })
}

/// Copies an option's value, NUL-terminated, into `buf` of `len` bytes.
/// Errors: -EINVAL for NULLs or an empty name, -ENOENT for an unknown option,
/// -ENAMETOOLONG when `len` is too small (nothing is written).
#[no_mangle]
pub unsafe extern "C" fn rados_conf_get(
    cluster: rados_t,
    option: *const c_char,
    buf: *mut c_char,
    len: usize,
) -> c_int {
    entry(|| {
        let entry = cluster_entry(cluster)?;
        // SAFETY: C string argument.
        let option = unsafe { c_str(option, "option") }?;
        if buf.is_null() {
            return Err(Error::invalid("buf is NULL"));
        }
        let value = entry.rados.context().config().get(option)?;
        // SAFETY: buf has room for len bytes per the caller's contract.
        if !unsafe { write_cstring(buf, len, value.as_bytes()) } {
            return Err(Error::NameTooLong(format!("value of {option} needs {} bytes", value.len() + 1)));
        }
        Ok(0)
    })
}
/// Cluster-wide usage. Errors: -EINVAL for NULLs, -ENOTCONN when not connected.
#[no_mangle]
pub unsafe extern "C" fn rados_cluster_stat(cluster: rados_t, result: *mut rados_cluster_stat_t) -> c_int {
    entry(|| {
        let c = cluster_entry(cluster)?;
        let out = Out::new(result, "result")?;
        let s = c.rados.backend()?.cluster_stats()?;
        // SAFETY: checked out-parameter.
        unsafe {
            out.write(rados_cluster_stat_t {
                kb: s.kb,
                kb_used: s.kb_used,
                kb_avail: s.kb_avail,
                num_objects: s.num_objects,
            })
        };
        Ok(0)
    })
}
/// Copies the cluster's fsid (NUL-terminated) into `buf`; returns its length.
/// Errors: -EINVAL for NULLs, -ENOTCONN, -ERANGE when it does not fit.
#[no_mangle]
pub unsafe extern "C" fn rados_cluster_fsid(cluster: rados_t, buf: *mut c_char, len: usize) -> c_int {
    entry(|| {
        let fsid = cluster_entry(cluster)?.rados.backend()?.fsid();
        super::ioctx::copy_name(fsid.as_bytes(), buf, len)
    })
}
/// This client's global id (0 when not connected or for a bad handle).
#[no_mangle]
pub unsafe extern "C" fn rados_get_instance_id(cluster: rados_t) -> u64 {
    entry(|| Ok(cluster_entry(cluster)?.rados.backend()?.instance_id()))
}
/// The cluster's required OSD release. Errors: -EINVAL for NULLs, -ENOTCONN.
#[no_mangle]
pub unsafe extern "C" fn rados_get_min_compatible_osd(cluster: rados_t, require_osd_release: *mut i8) -> c_int {
    entry(|| {
        let c = cluster_entry(cluster)?;
        let out = Out::new(require_osd_release, "require_osd_release")?;
        let (osd, _, _) = c.rados.backend()?.compat_releases();
        // SAFETY: checked out-parameter.
        unsafe { out.write(osd) };
        Ok(0)
    })
}
/// The oldest client release the cluster's features allow, and the one it
/// requires. Errors: -EINVAL for NULLs, -ENOTCONN.
#[no_mangle]
pub unsafe extern "C" fn rados_get_min_compatible_client(
    cluster: rados_t,
    min_compat_client: *mut i8,
    require_min_compat_client: *mut i8,
) -> c_int {
    entry(|| {
        let c = cluster_entry(cluster)?;
        let min = Out::new(min_compat_client, "min_compat_client")?;
        let required = Out::new(require_min_compat_client, "require_min_compat_client")?;
        let (_, m, r) = c.rados.backend()?.compat_releases();
        // SAFETY: checked out-parameters.
        unsafe {
            min.write(m);
            required.write(r);
        }
        Ok(0)
    })
}
/// The object version seen by the I/O context's last operation (0 for a bad handle).
#[no_mangle]
pub unsafe extern "C" fn rados_get_last_version(io: rados_ioctx_t) -> u64 {
    entry(|| Ok(ioctx(io)?.last_version()))
}

/// Blocklists the client at `client_address` (`ip:port/nonce`, as
/// `rados_getaddrs` prints it) for `expire_seconds` (0: the monitors'
/// default, an hour), and waits for the OSD map that carries it.
/// Errors: -EINVAL for NULLs or an address upstream would not parse,
/// -ENOTCONN, -EOPNOTSUPP on the local store, the monitor's error.
#[no_mangle]
pub unsafe extern "C" fn rados_blocklist_add(
    cluster: rados_t,
    client_address: *mut c_char,
    expire_seconds: u32,
) -> c_int {
    entry(|| {
        let c = cluster_entry(cluster)?;
        // SAFETY: C string argument.
        let address = unsafe { c_str(client_address, "client_address") }?;
        c.rados.blocklist_add(address, expire_seconds)?;
        Ok(0)
    })
}

/// The deprecated name of `rados_blocklist_add`; same behaviour and errors.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_blacklist_add(
    cluster: rados_t,
    client_address: *mut c_char,
    expire_seconds: u32,
) -> c_int {
    // SAFETY: same contract as rados_blocklist_add.
    unsafe { rados_blocklist_add(cluster, client_address, expire_seconds) }
}

/// This client's address, as a string to free with `rados_buffer_free`.
/// Errors: -EINVAL for NULLs, -ENOTCONN.
#[no_mangle]
pub unsafe extern "C" fn rados_getaddrs(cluster: rados_t, addrs: *mut *mut c_char) -> c_int {
    entry(|| {
        let c = cluster_entry(cluster)?;
        let out = Out::new(addrs, "addrs")?;
        let addr = c.rados.backend()?.client_addr();
        let p = malloc_cstring(addr.as_bytes())?;
        // SAFETY: checked out-parameter.
        unsafe { out.write(p) };
        Ok(0)
    })
}
/// Lets writes proceed when the cluster is full (as far as the backend allows).
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_set_osdmap_full_try(io: rados_ioctx_t) {
    entry(|| {
        ioctx(io)?.set_full_try(true);
        Ok(())
    })
}
/// Undoes `rados_set_osdmap_full_try`.
#[deprecated]
#[no_mangle]
pub unsafe extern "C" fn rados_unset_osdmap_full_try(io: rados_ioctx_t) {
    entry(|| {
        ioctx(io)?.set_full_try(false);
        Ok(())
    })
}
/// Undoes `rados_set_pool_full_try`.
#[no_mangle]
pub unsafe extern "C" fn rados_unset_pool_full_try(io: rados_ioctx_t) {
    entry(|| {
        ioctx(io)?.set_full_try(false);
        Ok(())
    })
}

/// Frees a buffer this library returned (`rados_mon_command` output, …); NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn rados_buffer_free(buf: *mut c_char) {
    entry(|| {
        // SAFETY: buf is NULL or was malloc'ed by this library for the caller.
        unsafe { free_c(buf as *mut c_void) };
        Ok(())
    })
}
/// Registers a cluster handle on `context`; `cct` is the context's existing
/// `rados_config_t`, or None to register the context too.
fn register_cluster(context: std::sync::Arc<ConfigContext>, cct: Option<usize>) -> rados_t {
    let cct = cct.unwrap_or_else(|| CONFIGS.insert(context.clone()) as usize);
    CLUSTERS.insert(std::sync::Arc::new(ClusterEntry { rados: Rados::new(context), cct }))
}

/// The cluster handle behind a `rados_t`.
pub(super) fn cluster_entry(cluster: rados_t) -> Result<std::sync::Arc<ClusterEntry>> {
    CLUSTERS.get(cluster)
}

/// `argc` C strings from `argv`, with their pointers.
///
/// # Safety
/// `argv` holds `argc` valid C strings (or is NULL with `argc` 0).
unsafe fn c_args(argc: c_int, argv: *mut *const c_char) -> Result<Vec<(*const c_char, String)>> {
    let argc = usize::try_from(argc).map_err(|_| Error::invalid("argc is negative"))?;
    // SAFETY: per this function's contract.
    let ptrs = unsafe { c_slice(argv as *const *const c_char, argc, "argv") }?;
    ptrs.iter()
        .map(|&p| {
            // SAFETY: each element is a C string per this function's contract.
            let s = unsafe { c_str(p, "argv element") }?;
            Ok((p, s.to_string()))
        })
        .collect()
}
