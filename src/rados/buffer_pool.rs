//! Recycled write buffers. Write payloads of a MiB or more are taken from
//! here and given back when their operation ends, so that a stream of large
//! writes reuses memory that is already mapped: glibc serves allocations
//! past its mmap threshold with a new mapping each time, and every 4 MiB
//! write then paid for 1,024 page faults and the kernel zeroing its pages.
//! Small payloads of 4 to 32 KiB are kept too, by power-of-two size: glibc
//! serves them from its general bins, and each such allocation first merged
//! its fast bins (`malloc_consolidate`, 2 % of a 4 KiB random-write job).

use std::sync::Mutex;

use super::payload::Payload;

/// Smallest buffer worth keeping.
const MIN: usize = 1 << 20;
/// Most bytes kept (buffers beyond it are freed).
const MAX_KEPT: usize = 64 << 20;

static POOL: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// Capacities of the small buffers kept, and how many of each at most.
const SMALL_SIZES: [usize; 4] = [4 << 10, 8 << 10, 16 << 10, 32 << 10];
const SMALL_KEPT: usize = 64;

/// Kept small buffers, one bin per size.
struct SmallBuffers {
    bins: [Mutex<Vec<Vec<u8>>>; 4],
}

impl SmallBuffers {
    const fn new() -> SmallBuffers {
        SmallBuffers { bins: [const { Mutex::new(Vec::new()) }; 4] }
    }

    /// The bin for buffers of `len` bytes: the smallest size that holds
    /// them, if at most twice `len`.
    fn class(len: usize) -> Option<usize> {
        SMALL_SIZES.iter().position(|&size| len <= size && size < 2 * len.max(1))
    }

    fn bin(&self, class: usize) -> std::sync::MutexGuard<'_, Vec<Vec<u8>>> {
        self.bins[class].lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A buffer with room for `len` bytes when `len` has a bin.
    fn take(&self, len: usize) -> Option<Vec<u8>> {
        let class = SmallBuffers::class(len)?;
        let kept = self.bin(class).pop();
        Some(kept.unwrap_or_else(|| Vec::with_capacity(SMALL_SIZES[class])))
    }

    /// Keeps `buf` when its capacity is a bin's size and the bin has room;
    /// gives it back otherwise.
    fn give(&self, mut buf: Vec<u8>) -> Option<Vec<u8>> {
        let Some(class) = SMALL_SIZES.iter().position(|&size| size == buf.capacity()) else { return Some(buf) };
        buf.clear();
        let mut bin = self.bin(class);
        if bin.len() < SMALL_KEPT {
            bin.push(buf);
        }
        None
    }
}

static SMALL: SmallBuffers = SmallBuffers::new();

/// An empty buffer with room for `len` bytes: a kept one when there is one
/// that fits (at most twice as large), else a new one.
pub fn take(len: usize) -> Vec<u8> {
    if let Some(buf) = SMALL.take(len) {
        return buf;
    }
    if len >= MIN {
        let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = pool.iter().position(|b| b.capacity() >= len && b.capacity() <= len * 2) {
            return pool.swap_remove(i);
        }
    }
    Vec::with_capacity(len)
}

/// Gives a buffer back (kept when of a kept size and while there is room).
pub fn give(buf: Vec<u8>) {
    let Some(mut buf) = SMALL.give(buf) else { return };
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

/// A write payload holding a copy of `pieces`, one after the other (a
/// buffer, or an iovec's), from the pool when large; with `with_crc` a large
/// one carries its crc32c, computed in the same pass over memory as the copy
/// (`checked_copy`), for a backend whose frames carry it.
pub fn payload_of(pieces: &[&[u8]], with_crc: bool) -> Payload {
    let len = pieces.iter().map(|p| p.len()).sum();
    let mut bytes = take(len);
    if len < CHECKED_MIN || !with_crc {
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
        give(vec![0; 10]); // tiny buffers are not kept
    }

    #[test]
    fn small_buffers_are_kept_by_size() {
        let pool = SmallBuffers::new();
        assert!(pool.take(1000).is_none(), "tiny requests are malloc's");
        assert!(pool.take(40 << 10).is_none());
        let a = pool.take(4096).unwrap();
        assert_eq!((a.len(), a.capacity()), (0, 4096));
        let ptr = a.as_ptr();
        assert!(pool.give(a).is_none());
        let b = pool.take(3000).unwrap();
        assert_eq!(b.as_ptr(), ptr, "the kept buffer is reused");
        assert_eq!(pool.take(5000).unwrap().capacity(), 8192);
        assert!(pool.give(Vec::with_capacity(5000)).is_some(), "odd sizes are not kept");
        for _ in 0..SMALL_KEPT + 10 {
            pool.give(Vec::with_capacity(16 << 10));
        }
        assert_eq!(pool.bin(2).len(), SMALL_KEPT);
    }

    #[test]
    fn large_payloads_carry_the_crc_of_their_bytes() {
        let data: Vec<u8> = (0..(1 << 20) + 12345).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let p = payload_of(&[&data], true);
        assert_eq!((&*payload_of(&[&data], false), payload_of(&[&data], false).known_crc32c()), (&data[..], None));
        assert_eq!(&*p, &data[..]);
        assert_eq!(p.known_crc32c(), Some(crate::denc::bit_vector::crc32c(u32::MAX, &data)));
        let small = payload_of(&[&data[..1000]], true);
        assert_eq!((&*small, small.known_crc32c()), (&data[..1000], None));
        let gathered = payload_of(&[&data[..5], &data[5..70_000], &data[70_000..]], true);
        assert_eq!((&*gathered, gathered.known_crc32c()), (&data[..], p.known_crc32c()));
    }
}
