//! The bytes a write carries to an OSD: a buffer of ours, or a range of a
//! buffer that is not ours — a C caller's, lent until its request completes —
//! so that a large write goes from the caller's memory to the socket without
//! a copy (upstream librbd's zero-copy `UserBufferDeleter`).
//!
//! A lent buffer is shared by the pieces of one request (one per object) and
//! must not outlive it: the lender waits, before it completes the request,
//! until it holds the last reference (the C API's `wait_returned`).
//! Whoever holds a piece therefore lets it go before it reports the piece
//! done; a message that waits in a queue gets a copy instead.

use std::ops::Deref;
use std::sync::Arc;

/// Memory lent by its owner for a while (see the module comment).
pub trait LentBytes: Send + Sync {
    fn bytes(&self) -> &[u8];
}

/// A write's bytes.
#[derive(Clone)]
pub enum Payload {
    Owned(Vec<u8>),
    /// Bytes of ours with their crc32c (Ceph's, from seed -1), computed while
    /// they were copied in (the frame's data crc then costs nothing).
    Checked {
        bytes: Vec<u8>,
        crc32c: u32,
    },
    /// Bytes of ours shared by an op and the messages queued for it.
    Shared(Arc<Vec<u8>>),
    Lent {
        buffer: Arc<dyn LentBytes>,
        start: usize,
        len: usize,
    },
}

impl Payload {
    /// All of a lent buffer.
    pub fn lent(buffer: Arc<dyn LentBytes>) -> Payload {
        let len = buffer.bytes().len();
        Payload::Lent { buffer, start: 0, len }
    }

    /// The bytes' crc32c (Ceph's, from seed -1) when it is known already.
    pub fn known_crc32c(&self) -> Option<u32> {
        match self {
            Payload::Checked { crc32c, .. } => Some(*crc32c),
            _ => None,
        }
    }

    /// The buffer of ours that holds the bytes (none when lent, or shared
    /// with a message still queued).
    pub fn into_own_buffer(self) -> Option<Vec<u8>> {
        match self {
            Payload::Owned(v) | Payload::Checked { bytes: v, .. } => Some(v),
            Payload::Shared(v) => Arc::try_unwrap(v).ok(),
            Payload::Lent { .. } => None,
        }
    }

    /// Bytes [`start`, `start + len`): a share of a lent buffer, a copy of
    /// an owned one. Panics past the end, as slicing does.
    pub fn slice(&self, start: usize, len: usize) -> Payload {
        match self {
            Payload::Owned(v) | Payload::Checked { bytes: v, .. } => Payload::Owned(v[start..start + len].to_vec()),
            Payload::Shared(v) => Payload::Owned(v[start..start + len].to_vec()),
            Payload::Lent { buffer, start: s, len: l } => {
                assert!(start.checked_add(len).is_some_and(|end| end <= *l), "payload slice out of range");
                Payload::Lent { buffer: buffer.clone(), start: s + start, len }
            }
        }
    }

    /// The bytes as a vector of ours: moved when owned, copied when lent.
    pub fn into_vec(self) -> Vec<u8> {
        match self {
            Payload::Owned(v) | Payload::Checked { bytes: v, .. } => v,
            Payload::Shared(v) => Arc::try_unwrap(v).unwrap_or_else(|shared| shared.to_vec()),
            lent => lent.to_vec(),
        }
    }

    /// The payload of a message that may wait in a queue past its request:
    /// the same bytes, shared when they are ours (this payload becomes
    /// shared too, without a copy), copied when lent (the queue must hold
    /// nothing lent).
    pub fn for_queue(&mut self) -> Payload {
        if self.is_empty() {
            // (a read's: nothing to share, nothing to allocate)
            return Payload::default();
        }
        match std::mem::take(self) {
            Payload::Owned(v) | Payload::Checked { bytes: v, .. } => {
                let shared = Arc::new(v);
                *self = Payload::Shared(shared.clone());
                Payload::Shared(shared)
            }
            Payload::Shared(v) => {
                *self = Payload::Shared(v.clone());
                Payload::Shared(v)
            }
            lent => {
                let copy = Payload::Owned(lent.to_vec());
                *self = lent;
                copy
            }
        }
    }
}

impl Deref for Payload {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Payload::Owned(v) | Payload::Checked { bytes: v, .. } => v,
            Payload::Shared(v) => v,
            Payload::Lent { buffer, start, len } => &buffer.bytes()[*start..*start + *len],
        }
    }
}

impl Default for Payload {
    fn default() -> Self {
        Payload::Owned(Vec::new())
    }
}

impl From<Vec<u8>> for Payload {
    fn from(v: Vec<u8>) -> Self {
        Payload::Owned(v)
    }
}

impl std::fmt::Debug for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            Payload::Owned(_) => "owned",
            Payload::Checked { .. } => "checked",
            Payload::Shared(_) => "shared",
            Payload::Lent { .. } => "lent",
        };
        write!(f, "Payload({kind}, {} bytes)", self.len())
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Payload {}

impl<const N: usize> PartialEq<&[u8; N]> for Payload {
    fn eq(&self, other: &&[u8; N]) -> bool {
        **self == other[..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Bytes(Vec<u8>);

    impl LentBytes for Bytes {
        fn bytes(&self) -> &[u8] {
            &self.0
        }
    }

    #[test]
    fn lent_slices_share_owned_slices_copy() {
        let buffer: Arc<dyn LentBytes> = Arc::new(Bytes((0..100u8).collect()));
        let whole = Payload::lent(buffer.clone());
        let piece = whole.slice(10, 5).slice(1, 3);
        assert_eq!(&*piece, &[11, 12, 13]);
        assert_eq!(Arc::strong_count(&buffer), 3, "shared, not copied");
        let mut piece = piece;
        let owned = piece.for_queue();
        drop((whole, piece));
        assert_eq!(Arc::strong_count(&buffer), 1, "a copy holds nothing lent");
        assert_eq!(owned.into_vec(), vec![11, 12, 13]);
        assert_eq!(Payload::from(vec![1, 2, 3]).slice(1, 2), Payload::from(vec![2, 3]));
    }

    #[test]
    fn bytes_of_ours_are_shared_with_a_queued_message() {
        let mut op = Payload::from(vec![5u8; 4096]);
        let before = op.as_ptr();
        let queued = op.for_queue();
        assert_eq!((queued.as_ptr(), op.as_ptr()), (before, before), "shared, not copied");
        assert!(op.clone().into_own_buffer().is_none(), "not ours alone while queued");
        drop(queued);
        assert_eq!(op.into_own_buffer().map(|v| v.len()), Some(4096));
    }

    #[test]
    #[should_panic(expected = "out of range")]
    fn a_slice_past_the_end_panics() {
        let buffer: Arc<dyn LentBytes> = Arc::new(Bytes(vec![0; 4]));
        let _ = Payload::lent(buffer).slice(2, 3);
    }
}
