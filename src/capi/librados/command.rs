//! Monitor, manager, OSD and PG commands; cluster log; service registration.

use super::cluster::cluster_entry;
use crate::capi::prelude::*;
use std::sync::Arc;

use crate::rados::backend::{ClusterLogCallback, ClusterLogEntry, CommandTarget};
use crate::rados::cluster::daemon_command::parse_pg;

/// Runs a monitor command (`cmd`: `cmdlen` JSON strings, joined as upstream
/// sends them) with input `inbuf`; stores the output and the status string in
/// `malloc`ed buffers (free with `rados_buffer_free`) when their pointers are
/// not NULL. Returns the monitor's return code.
/// Errors: -EINVAL for NULL commands, -ENOTCONN, -EOPNOTSUPP on the local store.
#[no_mangle]
pub unsafe extern "C" fn rados_mon_command(
    cluster: rados_t,
    cmd: *mut *const c_char,
    cmdlen: usize,
    inbuf: *const c_char,
    inbuflen: usize,
    outbuf: *mut *mut c_char,
    outbuflen: *mut usize,
    outs: *mut *mut c_char,
    outslen: *mut usize,
) -> c_int {
    entry(|| {
        let backend = cluster_entry(cluster)?.rados.backend()?;
        // SAFETY: cmd holds cmdlen C strings, inbuf inbuflen bytes (C contract).
        let (cmd, input) = unsafe { (commands(cmd, cmdlen)?, input_bytes(inbuf, inbuflen)?) };
        // like upstream, a failed command still stores its (empty) output and
        // status (callers such as the Python bindings read them unconditionally)
        let (r, status, output) =
            backend.mon_command(&cmd, input).unwrap_or_else(|e| (-e.errno().abs(), String::new(), Vec::new()));
        // SAFETY: NULL or valid out-parameters (C contract).
        unsafe { command_out(&output, &status, outbuf, outbuflen, outs, outslen) }?;
        Ok(r)
    })
}

/// The command strings of a `cmd`/`cmdlen` pair.
///
/// # Safety
/// `cmd` is NULL or holds `cmdlen` pointers, each NULL or a C string.
unsafe fn commands(cmd: *mut *const c_char, cmdlen: usize) -> Result<Vec<String>> {
    // SAFETY: per this function's contract.
    let ptrs = unsafe { c_slice(cmd as *const *const c_char, cmdlen, "cmd") }?;
    if ptrs.is_empty() {
        return Err(Error::invalid("no command"));
    }
    // SAFETY: each pointer is NULL or a C string.
    ptrs.iter().map(|&p| unsafe { c_str(p, "cmd") }.map(str::to_string)).collect()
}

/// The input buffer (NULL with length 0 is empty).
///
/// # Safety
/// `inbuf` is NULL or valid for `inbuflen` bytes.
unsafe fn input_bytes<'a>(inbuf: *const c_char, inbuflen: usize) -> Result<&'a [u8]> {
    if inbuflen == 0 {
        return Ok(&[]);
    }
    // SAFETY: per this function's contract.
    unsafe { c_slice(inbuf as *const u8, inbuflen, "inbuf") }
}

/// Stores a command's output and status for the caller.
///
/// # Safety
/// Every pointer is NULL or valid for writes.
unsafe fn command_out(
    output: &[u8],
    status: &str,
    outbuf: *mut *mut c_char,
    outbuflen: *mut usize,
    outs: *mut *mut c_char,
    outslen: *mut usize,
) -> Result<()> {
    for (bytes, buf, len) in [(output, outbuf, outbuflen), (status.as_bytes(), outs, outslen)] {
        if !buf.is_null() {
            let p = if bytes.is_empty() { std::ptr::null_mut() } else { malloc_copy(bytes, 0)? as *mut c_char };
            // SAFETY: per this function's contract.
            unsafe { *buf = p };
        }
        if !len.is_null() {
            // SAFETY: per this function's contract.
            unsafe { *len = bytes.len() };
        }
    }
    Ok(())
}

/// Runs a command on one daemon and stores its output and status like
/// `rados_mon_command`. A target that does not exist or is down is the
/// command's result (return code and status), as upstream reports it.
///
/// # Safety
/// The pointers follow the C contract of the `rados_*_command` functions.
#[allow(clippy::too_many_arguments)]
unsafe fn daemon_command(
    cluster: rados_t,
    target: impl FnOnce() -> Result<CommandTarget>,
    cmd: *mut *const c_char,
    cmdlen: usize,
    inbuf: *const c_char,
    inbuflen: usize,
    outbuf: *mut *mut c_char,
    outbuflen: *mut usize,
    outs: *mut *mut c_char,
    outslen: *mut usize,
) -> c_int {
    entry(|| {
        let backend = cluster_entry(cluster)?.rados.backend()?;
        // SAFETY: cmd holds cmdlen C strings, inbuf inbuflen bytes (C contract).
        let (cmd, input) = unsafe { (commands(cmd, cmdlen)?, input_bytes(inbuf, inbuflen)?) };
        let target = target()?;
        // like upstream, a failed command still stores its (empty) output and status
        let (r, status, output) = backend
            .daemon_command(&target, &cmd, input)
            .unwrap_or_else(|e| (-e.errno().abs(), String::new(), Vec::new()));
        // SAFETY: NULL or valid out-parameters (C contract).
        unsafe { command_out(&output, &status, outbuf, outbuflen, outs, outslen) }?;
        Ok(r)
    })
}

/// Runs a command on the active manager (MMgrCommand).
/// Errors: -EINVAL for NULL commands, -ENOTCONN (not connected or no
/// active manager), -ETIMEDOUT, -EOPNOTSUPP on the local store; else the
/// manager's return code.
#[no_mangle]
pub unsafe extern "C" fn rados_mgr_command(
    cluster: rados_t,
    cmd: *mut *const c_char,
    cmdlen: usize,
    inbuf: *const c_char,
    inbuflen: usize,
    outbuf: *mut *mut c_char,
    outbuflen: *mut usize,
    outs: *mut *mut c_char,
    outslen: *mut usize,
) -> c_int {
    // SAFETY: the caller's pointers are passed on under the same contract.
    unsafe {
        daemon_command(
            cluster,
            || Ok(CommandTarget::Mgr(None)),
            cmd,
            cmdlen,
            inbuf,
            inbuflen,
            outbuf,
            outbuflen,
            outs,
            outslen,
        )
    }
}

/// Runs a tell command on the manager `name` (MCommand).
/// Errors: as `rados_mgr_command`; -EINVAL for a NULL name; -ENXIO when
/// `name` is not the active manager.
#[no_mangle]
pub unsafe extern "C" fn rados_mgr_command_target(
    cluster: rados_t,
    name: *const c_char,
    cmd: *mut *const c_char,
    cmdlen: usize,
    inbuf: *const c_char,
    inbuflen: usize,
    outbuf: *mut *mut c_char,
    outbuflen: *mut usize,
    outs: *mut *mut c_char,
    outslen: *mut usize,
) -> c_int {
    // SAFETY: name is NULL or a C string (C contract).
    let target = || Ok(CommandTarget::Mgr(Some(unsafe { c_str(name, "name") }?.to_string())));
    // SAFETY: the caller's pointers are passed on under the same contract.
    unsafe { daemon_command(cluster, target, cmd, cmdlen, inbuf, inbuflen, outbuf, outbuflen, outs, outslen) }
}

/// Runs a command on one monitor, named by rank (a number) or name, on a
/// session of its own (MCommand; monitors serve their "tell" commands there).
/// Errors: -EINVAL for NULL arguments, -ENOTCONN, -EOPNOTSUPP on the local
/// store; -ENOENT (status "mon dne" / "mon rank dne") for an unknown monitor.
#[no_mangle]
pub unsafe extern "C" fn rados_mon_command_target(
    cluster: rados_t,
    name: *const c_char,
    cmd: *mut *const c_char,
    cmdlen: usize,
    inbuf: *const c_char,
    inbuflen: usize,
    outbuf: *mut *mut c_char,
    outbuflen: *mut usize,
    outs: *mut *mut c_char,
    outslen: *mut usize,
) -> c_int {
    // SAFETY: name is NULL or a C string (C contract).
    let target = || Ok(CommandTarget::Mon(unsafe { c_str(name, "name") }?.to_string()));
    // SAFETY: the caller's pointers are passed on under the same contract.
    unsafe { daemon_command(cluster, target, cmd, cmdlen, inbuf, inbuflen, outbuf, outbuflen, outs, outslen) }
}

/// Runs a command on OSD `osdid` (MCommand).
/// Errors: -EINVAL for NULL commands or a negative id, -ENOTCONN,
/// -EOPNOTSUPP on the local store; -ENOENT ("osd dne") and -ENXIO ("osd down") as upstream; else the
/// OSD's return code.
#[no_mangle]
pub unsafe extern "C" fn rados_osd_command(
    cluster: rados_t,
    osdid: c_int,
    cmd: *mut *const c_char,
    cmdlen: usize,
    inbuf: *const c_char,
    inbuflen: usize,
    outbuf: *mut *mut c_char,
    outbuflen: *mut usize,
    outs: *mut *mut c_char,
    outslen: *mut usize,
) -> c_int {
    // SAFETY: the caller's pointers are passed on under the same contract.
    unsafe {
        daemon_command(
            cluster,
            || Ok(CommandTarget::Osd(osdid)),
            cmd,
            cmdlen,
            inbuf,
            inbuflen,
            outbuf,
            outbuflen,
            outs,
            outslen,
        )
    }
}

/// Runs a command on the acting primary of PG `pgstr` ("POOL.SEED", seed in hex).
/// Errors: -EINVAL for NULL arguments or a PG id that does not parse,
/// -ENOTCONN, -EOPNOTSUPP on the local store; -ENOENT ("pool dne"); else
/// the OSD's return code.
#[no_mangle]
pub unsafe extern "C" fn rados_pg_command(
    cluster: rados_t,
    pgstr: *const c_char,
    cmd: *mut *const c_char,
    cmdlen: usize,
    inbuf: *const c_char,
    inbuflen: usize,
    outbuf: *mut *mut c_char,
    outbuflen: *mut usize,
    outs: *mut *mut c_char,
    outslen: *mut usize,
) -> c_int {
    let target = || {
        // SAFETY: pgstr is NULL or a C string (C contract).
        let text = unsafe { c_str(pgstr, "pgstr") }?;
        let (pool, seed) = parse_pg(text).ok_or_else(|| Error::invalid(format!("'{text}' is not a PG id")))?;
        Ok(CommandTarget::Pg(pool, seed))
    };
    // SAFETY: the caller's pointers are passed on under the same contract.
    unsafe { daemon_command(cluster, target, cmd, cmdlen, inbuf, inbuflen, outbuf, outbuflen, outs, outslen) }
}

/// A C string for a callback argument (an interior NUL ends it early, as C reads it).
fn callback_text(s: &str) -> std::ffi::CString {
    let bytes = s.as_bytes();
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    std::ffi::CString::new(&bytes[..end]).unwrap_or_default()
}

/// Hands cluster log entries to a `rados_monitor_log` (or `…2`) callback.
fn log_callback(cb: rados_log_callback_t, cb2: rados_log_callback2_t, arg: usize) -> ClusterLogCallback {
    Arc::new(move |e: &ClusterLogEntry| {
        let [line, channel, who, name, level, msg] =
            [&e.line, &e.channel, &e.who, &e.name, &e.level, &e.msg].map(|s| callback_text(s));
        let arg = arg as *mut c_void;
        if let Some(cb) = cb {
            // SAFETY: C registered this callback and argument; the strings live for the call.
            unsafe { cb(arg, line.as_ptr(), who.as_ptr(), e.sec, e.nsec, e.seq, level.as_ptr(), msg.as_ptr()) };
        }
        if let Some(cb) = cb2 {
            // SAFETY: as above.
            unsafe {
                cb(
                    arg,
                    line.as_ptr(),
                    channel.as_ptr(),
                    who.as_ptr(),
                    name.as_ptr(),
                    e.sec,
                    e.nsec,
                    e.seq,
                    level.as_ptr(),
                    msg.as_ptr(),
                )
            };
        }
    })
}

/// Shared body of `rados_monitor_log` and `rados_monitor_log2`.
///
/// # Safety
/// `level` is NULL or a C string.
unsafe fn monitor_log(
    cluster: rados_t,
    level: *const c_char,
    cb: rados_log_callback_t,
    cb2: rados_log_callback2_t,
    arg: *mut c_void,
) -> Result<c_int> {
    let c = cluster_entry(cluster)?;
    // SAFETY: C string argument.
    let level = unsafe { opt_c_str(level, "level") }?.unwrap_or("");
    let callback = (cb.is_some() || cb2.is_some()).then(|| log_callback(cb, cb2, arg as usize));
    if callback.is_some() && level.is_empty() {
        return Err(Error::invalid("level is NULL"));
    }
    c.rados.monitor_log(level, callback)?;
    Ok(0)
}

/// Delivers the cluster log at `level` ("debug", "info", "warn"/"warning",
/// "err"/"error", "sec") to `cb(arg, line, who, sec, nsec, seq, level, msg)`
/// on a library thread with no lock held; a NULL `cb` stops it (no callback
/// runs after that returns, unless it is called from the callback).
/// Errors: -EINVAL for a NULL or unknown level, -ENOTCONN, -EOPNOTSUPP on
/// the local store.
#[no_mangle]
pub unsafe extern "C" fn rados_monitor_log(
    cluster: rados_t,
    level: *const c_char,
    cb: rados_log_callback_t,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: C string argument.
    entry(|| unsafe { monitor_log(cluster, level, cb, None, arg) })
}

/// `rados_monitor_log` with a callback that also gets the channel and the
/// logging entity's name. Errors: as `rados_monitor_log`.
#[no_mangle]
pub unsafe extern "C" fn rados_monitor_log2(
    cluster: rados_t,
    level: *const c_char,
    cb: rados_log_callback2_t,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: C string argument.
    entry(|| unsafe { monitor_log(cluster, level, None, cb, arg) })
}

/// The pairs of a `key\0value\0…\0` dictionary (as upstream's `dict_to_map`:
/// a later key replaces an earlier one).
///
/// # Safety
/// `dict` is NULL or a sequence of C strings ended by an empty one.
unsafe fn dict_pairs(dict: *const c_char, what: &str) -> Result<Vec<(String, String)>> {
    if dict.is_null() {
        return Err(Error::invalid(format!("{what} is NULL")));
    }
    let mut out: Vec<(String, String)> = Vec::new();
    let mut p = dict;
    loop {
        // SAFETY: per this function's contract, p points at a C string.
        let key = unsafe { std::ffi::CStr::from_ptr(p) };
        if key.is_empty() {
            return Ok(out);
        }
        // SAFETY: the value follows the key's NUL.
        let value_ptr = unsafe { p.add(key.to_bytes().len() + 1) };
        // SAFETY: per this function's contract.
        let value = unsafe { std::ffi::CStr::from_ptr(value_ptr) };
        // SAFETY: the next key follows the value's NUL.
        p = unsafe { value_ptr.add(value.to_bytes().len() + 1) };
        let key = key.to_string_lossy().into_owned();
        out.retain(|(k, _)| *k != key);
        out.push((key, value.to_string_lossy().into_owned()));
    }
}

/// Registers this client with the manager as daemon `daemon` of service
/// `service` (shown by `ceph service dump`), with `metadata_dict`
/// (`key\0value\0…\0`) added to the host's metadata; allowed before
/// connecting (sent at connect). Errors: -EINVAL for NULLs, empty names or
/// a Ceph daemon type as service, -EEXIST when registered already,
/// -EOPNOTSUPP on the local store.
#[no_mangle]
pub unsafe extern "C" fn rados_service_register(
    cluster: rados_t,
    service: *const c_char,
    daemon: *const c_char,
    metadata_dict: *const c_char,
) -> c_int {
    entry(|| {
        let c = cluster_entry(cluster)?;
        // SAFETY: C string and dictionary arguments.
        let (service, daemon, metadata) = unsafe {
            (c_str(service, "service")?, c_str(daemon, "daemon")?, dict_pairs(metadata_dict, "metadata_dict")?)
        };
        c.rados.service_register(service, daemon, metadata)?;
        Ok(0)
    })
}

/// Sets the status (`key\0value\0…\0`) this client reports as a service
/// daemon (`ceph service status`). Errors: -EINVAL for NULLs, -ENOTCONN,
/// -EOPNOTSUPP on the local store.
#[no_mangle]
pub unsafe extern "C" fn rados_service_update_status(cluster: rados_t, status_dict: *const c_char) -> c_int {
    entry(|| {
        let c = cluster_entry(cluster)?;
        // SAFETY: C dictionary argument.
        let status = unsafe { dict_pairs(status_dict, "status_dict") }?;
        c.rados.service_update_status(status)?;
        Ok(0)
    })
}
