//! Recycled large buffers. Write payloads of a MiB or more are taken from
//! here and given back when their operation ends, so that a stream of large
//! writes reuses memory that is already mapped: glibc serves allocations
//! past its mmap threshold with a new mapping each time, and every 4 MiB
//! write then paid for 1,024 page faults and the kernel zeroing its pages.

use std::sync::Mutex;

use super::payload::Payload;

/// Smallest buffer worth keeping.
const MIN: usize = 1 << 20;
/// Most bytes kept (buffers beyond it are freed).
const MAX_KEPT: usize = 64 << 20;

static POOL: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// An empty buffer with room for `len` bytes: a kept one when there is one
/// that fits (at most twice as large), else a new one.
pub fn take(len: usize) -> Vec<u8> {
    if len >= MIN {
        let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = pool.iter().position(|b| b.capacity() >= len && b.capacity() <= len * 2) {
            return pool.swap_remove(i);
        }
    }
    Vec::with_capacity(len)
}

/// Gives a buffer back (kept when large and while the pool has room).
pub fn give(mut buf: Vec<u8>) {
    if buf.capacity() < MIN {
        return;
    }
    buf.clear();
    let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
    let kept: usize = pool.iter().map(Vec::capacity).sum();
    if kept + buf.capacity() <= MAX_KEPT {
        pool.push(buf);
    }
}

/// A copy of `data` in a buffer from the pool.
pub fn copy_of(data: &[u8]) -> Vec<u8> {
    let mut v = take(data.len());
    v.extend_from_slice(data);
    v
}

/// Writes at least this large are checksummed as they are copied.
const CHECKED_MIN: usize = 64 << 10;
/// Bytes copied, then checksummed while still in the first-level cache.
const CHECKED_PIECE: usize = 16 << 10;

/// A write payload holding a copy of `data` (from the pool when large); a
/// large one carries its crc32c, computed piece by piece as it is copied, so
/// that the caller's memory is read once and the copy is checksummed from
/// the cache instead of from memory later.
pub fn payload_of(data: &[u8]) -> Payload {
    if data.len() < CHECKED_MIN {
        return Payload::Owned(copy_of(data));
    }
    let mut bytes = take(data.len());
    let mut crc32c = u32::MAX;
    for piece in data.chunks(CHECKED_PIECE) {
        let at = bytes.len();
        bytes.extend_from_slice(piece);
        crc32c = crate::denc::bit_vector::crc32c(crc32c, &bytes[at..]);
    }
    Payload::Checked { bytes, crc32c }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_buffers_come_back() {
        let a = copy_of(&vec![7u8; 3 << 20]);
        let ptr = a.as_ptr();
        give(a);
        let b = take(3 << 20);
        assert!(b.is_empty() && b.capacity() >= 3 << 20);
        assert_eq!(b.as_ptr(), ptr, "the kept buffer is reused");
        give(b);
        assert!(take(100).capacity() < MIN, "small requests do not take large buffers");
        give(vec![0; 10]); // small buffers are not kept
    }

    #[test]
    fn large_payloads_carry_the_crc_of_their_bytes() {
        let data: Vec<u8> = (0..(1 << 20) + 12345).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let p = payload_of(&data);
        assert_eq!(&*p, &data[..]);
        assert_eq!(p.known_crc32c(), Some(crate::denc::bit_vector::crc32c(u32::MAX, &data)));
        let small = payload_of(&data[..1000]);
        assert_eq!((&*small, small.known_crc32c()), (&data[..1000], None));
    }
}
