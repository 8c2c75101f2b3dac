//! Image I/O, sync and async, and image event notification.

use crate::capi::prelude::*;

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_set_image_notification(image: rbd_image_t, fd: c_int, r#type: c_int) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_read(image: rbd_image_t, ofs: u64, len: usize, buf: *mut c_char) -> ssize_t {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_read2(
    image: rbd_image_t,
    ofs: u64,
    len: usize,
    buf: *mut c_char,
    op_flags: c_int,
) -> ssize_t {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_read_iterate(
    image: rbd_image_t,
    ofs: u64,
    len: usize,
    cb: Option<unsafe extern "C" fn(u64, usize, *const c_char, *mut c_void) -> c_int>,
    arg: *mut c_void,
) -> i64 {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_read_iterate2(
    image: rbd_image_t,
    ofs: u64,
    len: u64,
    cb: Option<unsafe extern "C" fn(u64, usize, *const c_char, *mut c_void) -> c_int>,
    arg: *mut c_void,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_write(image: rbd_image_t, ofs: u64, len: usize, buf: *const c_char) -> ssize_t {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_write2(
    image: rbd_image_t,
    ofs: u64,
    len: usize,
    buf: *const c_char,
    op_flags: c_int,
) -> ssize_t {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_discard(image: rbd_image_t, ofs: u64, len: u64) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_writesame(
    image: rbd_image_t,
    ofs: u64,
    len: usize,
    buf: *const c_char,
    data_len: usize,
    op_flags: c_int,
) -> ssize_t {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_write_zeroes(
    image: rbd_image_t,
    ofs: u64,
    len: usize,
    zero_flags: c_int,
    op_flags: c_int,
) -> ssize_t {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_compare_and_write(
    image: rbd_image_t,
    ofs: u64,
    len: usize,
    cmp_buf: *const c_char,
    buf: *const c_char,
    mismatch_off: *mut u64,
    op_flags: c_int,
) -> ssize_t {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_write(
    image: rbd_image_t,
    off: u64,
    len: usize,
    buf: *const c_char,
    c: rbd_completion_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_write2(
    image: rbd_image_t,
    off: u64,
    len: usize,
    buf: *const c_char,
    c: rbd_completion_t,
    op_flags: c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_writev(
    image: rbd_image_t,
    iov: *const iovec,
    iovcnt: c_int,
    off: u64,
    c: rbd_completion_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_read(
    image: rbd_image_t,
    off: u64,
    len: usize,
    buf: *mut c_char,
    c: rbd_completion_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_read2(
    image: rbd_image_t,
    off: u64,
    len: usize,
    buf: *mut c_char,
    c: rbd_completion_t,
    op_flags: c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_readv(
    image: rbd_image_t,
    iov: *const iovec,
    iovcnt: c_int,
    off: u64,
    c: rbd_completion_t,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_discard(image: rbd_image_t, off: u64, len: u64, c: rbd_completion_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_writesame(
    image: rbd_image_t,
    off: u64,
    len: usize,
    buf: *const c_char,
    data_len: usize,
    c: rbd_completion_t,
    op_flags: c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_write_zeroes(
    image: rbd_image_t,
    off: u64,
    len: usize,
    c: rbd_completion_t,
    zero_flags: c_int,
    op_flags: c_int,
) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_compare_and_write(
    image: rbd_image_t,
    off: u64,
    len: usize,
    cmp_buf: *const c_char,
    buf: *const c_char,
    c: rbd_completion_t,
    mismatch_off: *mut u64,
    op_flags: c_int,
) -> ssize_t {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_flush(image: rbd_image_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_aio_flush(image: rbd_image_t, c: rbd_completion_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_invalidate_cache(image: rbd_image_t) -> c_int {
    enosys!()
}

/// Not implemented yet: returns -ENOSYS.
#[no_mangle]
pub unsafe extern "C" fn rbd_poll_io_events(image: rbd_image_t, comps: *mut rbd_completion_t, numcomp: c_int) -> c_int {
    enosys!()
}
