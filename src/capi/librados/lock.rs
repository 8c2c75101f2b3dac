//! Advisory object locks (cls `lock`).

use super::object_io::object_name;
use crate::capi::completions;
use crate::capi::prelude::*;
use crate::cls::lock::LOCK_EXCLUSIVE;
use crate::denc::{EntityNameT, UTime};
use crate::rados::LockRequest;

/// A lock duration argument: NULL (or zero) means no expiry.
///
/// # Safety
/// `t` is NULL or valid for reads.
unsafe fn duration(t: *const timeval) -> Option<UTime> {
    // SAFETY: per this function's contract.
    unsafe { t.as_ref() }.map(|t| UTime { sec: t.tv_sec as u32, nsec: (t.tv_usec as u32).saturating_mul(1000) })
}

/// Takes a lock on object `o` (created if missing).
///
/// # Safety
/// Pointers are NULL or C strings; `dur` NULL or readable.
#[allow(clippy::too_many_arguments)]
unsafe fn lock(
    io: rados_ioctx_t,
    o: *const c_char,
    shared: bool,
    name: *const c_char,
    cookie: *const c_char,
    tag: *const c_char,
    desc: *const c_char,
    dur: *const timeval,
    flags: u8,
) -> Result<c_int> {
    let io = ioctx(io)?;
    // SAFETY: forwarded contract (description and tag may be NULL: empty).
    let req = unsafe {
        LockRequest {
            name: c_str(name, "name")?,
            cookie: c_str(cookie, "cookie")?,
            tag: opt_c_str(tag, "tag")?.unwrap_or(""),
            description: opt_c_str(desc, "desc")?.unwrap_or(""),
            duration: duration(dur),
            flags,
        }
    };
    // SAFETY: forwarded contract.
    io.lock(unsafe { object_name(o) }?, shared, &req)?;
    Ok(0)
}

/// Takes exclusive lock `name` with `cookie` on object `oid`; `duration` NULL
/// never expires; `flags` `LIBRADOS_LOCK_FLAG_*`. Errors: -EINVAL, -EBUSY
/// (held by another), -EEXIST (already held by this cookie without renew).
#[no_mangle]
pub unsafe extern "C" fn rados_lock_exclusive(
    io: rados_ioctx_t,
    oid: *const c_char,
    name: *const c_char,
    cookie: *const c_char,
    desc: *const c_char,
    duration: *mut timeval,
    flags: u8,
) -> c_int {
    // SAFETY: forwarded C arguments.
    entry(|| unsafe { lock(io, oid, false, name, cookie, std::ptr::null(), desc, duration, flags) })
}

/// Takes shared lock `name` with `cookie` and `tag` (all sharers use one tag).
/// Errors: as `rados_lock_exclusive`.
#[no_mangle]
pub unsafe extern "C" fn rados_lock_shared(
    io: rados_ioctx_t,
    o: *const c_char,
    name: *const c_char,
    cookie: *const c_char,
    tag: *const c_char,
    desc: *const c_char,
    duration: *mut timeval,
    flags: u8,
) -> c_int {
    // SAFETY: forwarded C arguments.
    entry(|| unsafe { lock(io, o, true, name, cookie, tag, desc, duration, flags) })
}

/// Releases lock `name` held with `cookie`. Errors: -EINVAL, -ENOENT.
#[no_mangle]
pub unsafe extern "C" fn rados_unlock(
    io: rados_ioctx_t,
    o: *const c_char,
    name: *const c_char,
    cookie: *const c_char,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string arguments.
        unsafe { io.unlock(object_name(o)?, c_str(name, "name")?, c_str(cookie, "cookie")?) }?;
        Ok(0)
    })
}

/// Copies NUL-terminated strings back to back into `buf` (checked by the caller).
///
/// # Safety
/// `buf` is valid for the strings' total length plus one NUL each.
unsafe fn pack<'a>(buf: *mut c_char, strings: impl Iterator<Item = &'a str>) {
    let mut p = buf;
    for s in strings {
        // SAFETY: per this function's contract.
        unsafe {
            std::ptr::copy_nonoverlapping(s.as_ptr(), p as *mut u8, s.len());
            *p.add(s.len()) = 0;
            p = p.add(s.len() + 1);
        }
    }
}

/// Lists the holders of lock `name`: `*exclusive`, the tag, and the holders'
/// client names, cookies and addresses, each list packed as NUL-terminated
/// strings. The `*_len` arguments give the buffer sizes and receive the sizes
/// needed. Returns the number of holders. Errors: -EINVAL, -ENOENT (no
/// object), -ERANGE when a buffer is too small (sizes are still written).
#[no_mangle]
pub unsafe extern "C" fn rados_list_lockers(
    io: rados_ioctx_t,
    o: *const c_char,
    name: *const c_char,
    exclusive: *mut c_int,
    tag: *mut c_char,
    tag_len: *mut usize,
    clients: *mut c_char,
    clients_len: *mut usize,
    cookies: *mut c_char,
    cookies_len: *mut usize,
    addrs: *mut c_char,
    addrs_len: *mut usize,
) -> ssize_t {
    entry(|| {
        let io = ioctx(io)?;
        let exclusive = Out::new(exclusive, "exclusive")?;
        let lens = [Out::new(tag_len, "tag_len")?, Out::new(clients_len, "clients_len")?];
        let lens2 = [Out::new(cookies_len, "cookies_len")?, Out::new(addrs_len, "addrs_len")?];
        // SAFETY: C string arguments.
        let info = unsafe { io.lock_info(object_name(o)?, c_str(name, "name")?) }?;
        let lockers: Vec<(String, String, String)> = info
            .lockers
            .iter()
            .map(|(id, li)| (id.locker.to_string(), id.cookie.clone(), li.addr.to_string()))
            .collect();
        let total = |f: fn(&(String, String, String)) -> &String| lockers.iter().map(|l| f(l).len() + 1).sum::<usize>();
        let needed = [info.tag.len() + 1, total(|l| &l.0), total(|l| &l.1), total(|l| &l.2)];
        // SAFETY: the length arguments are checked non-NULL and readable.
        let have = unsafe { [*lens[0].0.as_ptr(), *lens[1].0.as_ptr(), *lens2[0].0.as_ptr(), *lens2[1].0.as_ptr()] };
        let too_short = needed.iter().zip(have.iter()).any(|(n, h)| n > h);
        // SAFETY: checked out-parameters.
        unsafe {
            let [t, c] = lens;
            let [k, a] = lens2;
            t.write(needed[0]);
            c.write(needed[1]);
            k.write(needed[2]);
            a.write(needed[3]);
        }
        if too_short {
            return Err(Error::Range("lockers do not fit".into()));
        }
        for (p, n) in [(tag, needed[0]), (clients, needed[1]), (cookies, needed[2]), (addrs, needed[3])] {
            if p.is_null() && n > 0 {
                return Err(Error::invalid("NULL buffer"));
            }
        }
        // SAFETY: each buffer holds at least the needed bytes (checked above).
        unsafe {
            pack(tag, std::iter::once(info.tag.as_str()));
            pack(clients, lockers.iter().map(|l| l.0.as_str()));
            pack(cookies, lockers.iter().map(|l| l.1.as_str()));
            pack(addrs, lockers.iter().map(|l| l.2.as_str()));
            exclusive.write(c_int::from(info.lock_type == LOCK_EXCLUSIVE));
        }
        Ok(lockers.len() as ssize_t)
    })
}

/// Breaks the lock `name` held by `client` (`client.<id>`) with `cookie`.
/// Errors: -EINVAL (NULL or an unparsable client), -ENOENT (no such holder).
#[no_mangle]
pub unsafe extern "C" fn rados_break_lock(
    io: rados_ioctx_t,
    o: *const c_char,
    name: *const c_char,
    client: *const c_char,
    cookie: *const c_char,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string argument.
        let client = unsafe { c_str(client, "client") }?;
        let locker = EntityNameT::parse(client).ok_or_else(|| Error::invalid(format!("client {client:?}")))?;
        // SAFETY: C string arguments.
        unsafe { io.break_lock(object_name(o)?, c_str(name, "name")?, locker, c_str(cookie, "cookie")?) }?;
        Ok(0)
    })
}

/// As `rados_unlock`, completing `completion`.
#[no_mangle]
pub unsafe extern "C" fn rados_aio_unlock(
    io: rados_ioctx_t,
    o: *const c_char,
    name: *const c_char,
    cookie: *const c_char,
    completion: rados_completion_t,
) -> c_int {
    entry(|| {
        let io = ioctx(io)?;
        // SAFETY: C string arguments.
        let (object, name, cookie) = unsafe {
            (object_name(o)?.to_vec(), c_str(name, "name")?.to_string(), c_str(cookie, "cookie")?.to_string())
        };
        completions::complete_detached(&RADOS_COMPLETIONS, completion, move || {
            io.unlock(&object, &name, &cookie).map_or_else(|e| -(e.errno() as i64), |_| 0)
        })?;
        Ok(0)
    })
}
