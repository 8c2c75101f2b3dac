//! The crate's one error type and its exhaustive errno mapping.
//!
//! Every layer returns `Result<T>`; only `capi` turns an `Error` into `-errno`.
//! Codes that come back from an OSD, a monitor or an object class are carried
//! unchanged in `Error::Remote`.

use std::fmt;

/// Result with the crate's error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, by cause.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An argument is malformed or out of its domain.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A named thing (pool, object, image, option, snapshot…) does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A thing that must not exist yet already does.
    #[error("already exists: {0}")]
    AlreadyExists(String),
    /// A value does not fit the space the caller gave; ERANGE.
    #[error("result does not fit: {0}")]
    Range(String),
    /// A name is too long for the caller's buffer or for the format; ENAMETOOLONG.
    #[error("name too long: {0}")]
    NameTooLong(String),
    /// A size or offset past what the format allows; EFBIG.
    #[error("too large: {0}")]
    TooLarge(String),
    /// Not implemented by this library (yet).
    #[error("not implemented: {0}")]
    NotImplemented(&'static str),
    /// Deliberately unsupported, as upstream answers (EOPNOTSUPP).
    #[error("operation not supported: {0}")]
    NotSupported(String),
    /// A handle that was never issued, or was already closed or released.
    #[error("stale or closed handle")]
    BadHandle,
    /// The resource is in use (a lock, a second process on a local store…).
    #[error("busy: {0}")]
    Busy(String),
    /// The operation needs a connected cluster handle.
    #[error("not connected")]
    NotConnected,
    /// The operation needs a handle that is not connected yet.
    #[error("already connected")]
    AlreadyConnected,
    /// Permission or authentication refused.
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// The operation is not allowed now (a trashed image before its deferment time).
    #[error("operation not permitted: {0}")]
    NotPermitted(String),
    /// A comparison step failed (cmpext, cmpxattr, omap_cmp, assert_version).
    #[error("comparison failed")]
    Canceled,
    /// The operation did not finish in time.
    #[error("timed out: {0}")]
    TimedOut(String),
    /// A read-only handle or snapshot was asked to write.
    #[error("read-only: {0}")]
    ReadOnly(String),
    /// A parameter outside its range (an image order); EDOM.
    #[error("out of range: {0}")]
    OutOfDomain(String),
    /// A thing still has dependents (an image with snapshots); ENOTEMPTY.
    #[error("not empty: {0}")]
    NotEmpty(String),
    /// Compare-and-write found different data at this image offset; EILSEQ.
    #[error("data mismatch at offset {0}")]
    Mismatch(u64),
    /// Bytes that do not decode as the expected encoding.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// An error code returned by a remote peer (OSD, monitor, object class), unchanged.
    /// The value is a positive errno.
    #[error("{context}: {}", Errno(*.errno))]
    Remote { errno: i32, context: String },
    /// A local system call failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A panic was caught at the C boundary.
    #[error("internal error (panic)")]
    Panic,
}

impl Error {
    /// The positive errno C callers see (negated by `capi`).
    pub fn errno(&self) -> i32 {
        match self {
            Error::InvalidArgument(_) => libc::EINVAL,
            Error::NotFound(_) => libc::ENOENT,
            Error::AlreadyExists(_) => libc::EEXIST,
            Error::Range(_) => libc::ERANGE,
            Error::NameTooLong(_) => libc::ENAMETOOLONG,
            Error::TooLarge(_) => libc::EFBIG,
            Error::NotImplemented(_) => libc::ENOSYS,
            Error::NotSupported(_) => libc::EOPNOTSUPP,
            Error::BadHandle => libc::EBADF,
            Error::Busy(_) => libc::EBUSY,
            Error::NotConnected => libc::ENOTCONN,
            Error::AlreadyConnected => libc::EISCONN,
            Error::PermissionDenied(_) => libc::EACCES,
            Error::NotPermitted(_) => libc::EPERM,
            Error::Canceled => libc::ECANCELED,
            Error::TimedOut(_) => libc::ETIMEDOUT,
            Error::ReadOnly(_) => libc::EROFS,
            Error::OutOfDomain(_) => libc::EDOM,
            Error::NotEmpty(_) => libc::ENOTEMPTY,
            Error::Mismatch(_) => libc::EILSEQ,
            Error::Corrupt(_) => libc::EIO,
            Error::Remote { errno, .. } => *errno,
            Error::Io(e) => e.raw_os_error().unwrap_or(libc::EIO),
            Error::Panic => libc::EIO,
        }
    }

    /// An error from a remote return code (`r < 0`), kept exactly.
    pub fn remote(r: i32, context: impl Into<String>) -> Error {
        Error::Remote { errno: r.saturating_abs(), context: context.into() }
    }

    /// Shorthand for `Error::InvalidArgument`.
    pub fn invalid(what: impl Into<String>) -> Error {
        Error::InvalidArgument(what.into())
    }

    /// Shorthand for `Error::NotFound`.
    pub fn not_found(what: impl Into<String>) -> Error {
        Error::NotFound(what.into())
    }
}

/// Displays an errno as its symbolic name where known.
struct Errno(i32);

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = std::io::Error::from_raw_os_error(self.0);
        write!(f, "errno {} ({})", self.0, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_mapping_is_positive_and_specific() {
        assert_eq!(Error::invalid("x").errno(), libc::EINVAL);
        assert_eq!(Error::NotImplemented("f").errno(), libc::ENOSYS);
        assert_eq!(Error::remote(-libc::ENOTEMPTY, "osd").errno(), libc::ENOTEMPTY);
        assert_eq!(Error::remote(libc::EEXIST, "osd").errno(), libc::EEXIST);
        let io = std::io::Error::from_raw_os_error(libc::ENOSPC);
        assert_eq!(Error::from(io).errno(), libc::ENOSPC);
    }
}
