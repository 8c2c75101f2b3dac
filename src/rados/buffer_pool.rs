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

/// A write payload holding a copy of `data` (from the pool when large); a
/// large one carries its crc32c, computed in the same pass over memory as the
/// copy (`checked_copy`).
pub fn payload_of(data: &[u8]) -> Payload {
    gathered_payload_of(&[data])
}

/// `payload_of` the concatenation of `pieces` (an iovec's buffers).
pub fn gathered_payload_of(pieces: &[&[u8]]) -> Payload {
    let len = pieces.iter().map(|p| p.len()).sum();
    let mut bytes = take(len);
    if len < CHECKED_MIN {
        pieces.iter().for_each(|p| bytes.extend_from_slice(p));
        return Payload::Owned(bytes);
    }
    let crc32c = pieces.iter().fold(u32::MAX, |crc, p| super::checked_copy::copy_with_crc32c(crc, p, &mut bytes));
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
        let gathered = gathered_payload_of(&[&data[..5], &data[5..70_000], &data[70_000..]]);
        assert_eq!((&*gathered, gathered.known_crc32c()), (&data[..], p.known_crc32c()));
    }
}
