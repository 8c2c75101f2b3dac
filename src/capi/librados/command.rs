//! Monitor, manager, OSD and PG commands; cluster log; service registration.

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
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
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
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
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
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
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
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
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
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
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
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
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_monitor_log(
    cluster: rados_t,
    level: *const c_char,
    cb: rados_log_callback_t,
    arg: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_monitor_log2(
    cluster: rados_t,
    level: *const c_char,
    cb: rados_log_callback2_t,
    arg: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_service_register(
    cluster: rados_t,
    service: *const c_char,
    daemon: *const c_char,
    metadata_dict: *const c_char,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rados_service_update_status(cluster: rados_t, status_dict: *const c_char) -> c_int {
    enosys!()
}
