//! A write's copy and the crc32c of its bytes in one pass over memory.
//!
//! A large write is copied from the caller's buffer (upstream's default, see
//! `rbd_disable_zero_copy_writes`) and its msgr2 frame carries the crc32c of
//! the data. Both are bound by memory bandwidth, not by the CPU: copying and
//! then checksumming reads the bytes twice. Here each 8-byte word is loaded
//! once, fed to the CPU's crc32 instruction and stored. The instruction takes
//! three cycles per word but can start one per cycle, so a block is cut into
//! three lanes checksummed side by side, and the lanes' crcs are joined with
//! precomputed "shift by a lane of zeros" tables (a crc is linear: the crc of
//! `A‖B` from seed `s` is `shift(crc(s, A), |B|) ^ crc(0, B)`).
//!
//! The crc is Ceph's `ceph_crc32c(seed, data)`: the reflected Castagnoli
//! register, no inversion (`denc::bit_vector::crc32c`).

use crate::denc::bit_vector::crc32c;

/// Bytes of one lane; a block is three lanes.
const LANE: usize = 4096;
const BLOCK: usize = 3 * LANE;

/// Appends `src` to `dst` and returns `ceph_crc32c(seed, src)`.
pub fn copy_with_crc32c(seed: u32, src: &[u8], dst: &mut Vec<u8>) -> u32 {
    dst.reserve(src.len());
    let mut crc = seed;
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if src.len() >= BLOCK && std::arch::is_x86_feature_detected!("sse4.2") {
        let blocks = src.len() / BLOCK;
        let spare = dst.spare_capacity_mut();
        // SAFETY: the CPU has SSE4.2 (checked above); `src` holds `blocks`
        // whole blocks and `spare`, reserved above, room for as many bytes.
        crc = unsafe { x86::copy_blocks(crc, src.as_ptr(), spare.as_mut_ptr().cast(), blocks, shifts()) };
        done = blocks * BLOCK;
        // SAFETY: the first `done` spare bytes were written by copy_blocks.
        unsafe { dst.set_len(dst.len() + done) };
    }
    let at = dst.len();
    dst.extend_from_slice(&src[done..]);
    crc32c(crc, &dst[at..])
}

/// Tables that multiply a crc by x^(8n) — the crc after n more zero bytes —
/// for n one and two lanes.
struct Shifts {
    one_lane: [[u32; 256]; 4],
    two_lanes: [[u32; 256]; 4],
}

impl Shifts {
    fn apply(table: &[[u32; 256]; 4], crc: u32) -> u32 {
        let b = crc.to_le_bytes();
        table[0][b[0] as usize] ^ table[1][b[1] as usize] ^ table[2][b[2] as usize] ^ table[3][b[3] as usize]
    }

    /// Joins the crcs of a block's lanes: lane 0 from the running crc, lanes
    /// 1 and 2 from zero.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    fn join(&self, lane0: u32, lane1: u32, lane2: u32) -> u32 {
        Shifts::apply(&self.two_lanes, lane0) ^ Shifts::apply(&self.one_lane, lane1) ^ lane2
    }
}

/// The shift of `zeros` zero bytes as byte-indexed tables (the map is
/// linear, so each table entry is the xor of the images of its bits).
fn shift_table(zeros: usize) -> [[u32; 256]; 4] {
    let pad = vec![0u8; zeros];
    let images: Vec<u32> = (0..32).map(|bit| crc32c(1u32 << bit, &pad)).collect();
    let mut table = [[0u32; 256]; 4];
    for (byte, rows) in table.iter_mut().enumerate() {
        for (value, entry) in rows.iter_mut().enumerate() {
            *entry = (0..8).filter(|i| value & (1 << i) != 0).fold(0, |acc, i| acc ^ images[byte * 8 + i]);
        }
    }
    table
}

fn shifts() -> &'static Shifts {
    static SHIFTS: std::sync::OnceLock<Shifts> = std::sync::OnceLock::new();
    SHIFTS.get_or_init(|| Shifts { one_lane: shift_table(LANE), two_lanes: shift_table(2 * LANE) })
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{Shifts, BLOCK, LANE};
    use std::arch::x86_64::_mm_crc32_u64;

    /// Copies `blocks` blocks from `src` to `dst`, returning the crc of
    /// their bytes from `crc`.
    ///
    /// # Safety
    /// The CPU has SSE4.2; `src` is valid for reads and `dst` for writes of
    /// `blocks * BLOCK` bytes, and they do not overlap.
    #[target_feature(enable = "sse4.2")]
    pub(super) unsafe fn copy_blocks(
        mut crc: u32,
        src: *const u8,
        dst: *mut u8,
        blocks: usize,
        shifts: &Shifts,
    ) -> u32 {
        for block in 0..blocks {
            // SAFETY (whole body): every offset below stays inside block
            // `block` of the ranges the caller vouches for.
            unsafe {
                let s = src.add(block * BLOCK);
                let d = dst.add(block * BLOCK);
                let (mut a, mut b, mut c) = (u64::from(crc), 0u64, 0u64);
                let mut i = 0;
                while i < LANE {
                    let x = s.add(i).cast::<u64>().read_unaligned();
                    let y = s.add(LANE + i).cast::<u64>().read_unaligned();
                    let z = s.add(2 * LANE + i).cast::<u64>().read_unaligned();
                    a = _mm_crc32_u64(a, x);
                    b = _mm_crc32_u64(b, y);
                    c = _mm_crc32_u64(c, z);
                    d.add(i).cast::<u64>().write_unaligned(x);
                    d.add(LANE + i).cast::<u64>().write_unaligned(y);
                    d.add(2 * LANE + i).cast::<u64>().write_unaligned(z);
                    i += 8;
                }
                crc = shifts.join(a as u32, b as u32, c as u32);
            }
        }
        crc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(len: usize) -> Vec<u8> {
        (0..len as u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8).collect()
    }

    #[test]
    fn equals_a_copy_and_the_plain_crc() {
        let src = data(5 * BLOCK + 1010);
        for len in [0, 1, 7, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK + 8, 5 * BLOCK + 999] {
            for (start, seed) in [(0, u32::MAX), (3, 0), (1, 0x1234_5678)] {
                let piece = &src[start..start + len];
                let mut dst = vec![9u8; 5];
                let crc = copy_with_crc32c(seed, piece, &mut dst);
                assert_eq!(&dst[..5], &[9; 5], "len {len} start {start}");
                assert_eq!(&dst[5..], piece, "len {len} start {start}");
                assert_eq!(crc, crc32c(seed, piece), "len {len} start {start} seed {seed:#x}");
            }
        }
    }

    #[test]
    fn shift_tables_add_zero_bytes() {
        for crc in [0u32, 1, 0xdead_beef, u32::MAX] {
            assert_eq!(Shifts::apply(&shifts().one_lane, crc), crc32c(crc, &[0; LANE]));
            assert_eq!(Shifts::apply(&shifts().two_lanes, crc), crc32c(crc, &[0; 2 * LANE]));
        }
    }
}
