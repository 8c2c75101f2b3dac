//! `ceph::BitVector<2>`: the object map's encoding — 2 bits per element, the
//! first element in a byte's top bits, and CRC32C checksums (seed 0) of the
//! header and of every 4 KiB block of data in a footer.
//!
//! ```text
//! u32 header length | ENCODE_START(1,1) u64 size | data bytes | u32 footer length |
//! [u32 header crc | u32 block count | u32 crc per block]   (footer empty: crcs disabled)
//! ```

use super::{encode_versioned, put_bytes, Decode, Decoder, Encode};
use crate::error::{Error, Result};

/// Bytes covered by one data CRC.
pub const BLOCK_SIZE: usize = 4096;
/// Elements per byte (2 bits each).
const PER_BYTE: u64 = 4;

/// A vector of 2-bit values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BitVector2 {
    data: Vec<u8>,
    size: u64,
    /// Whether encoding writes the CRC footer (object map objects: yes; method
    /// inputs and outputs: no).
    pub crc_enabled: bool,
}

/// Ceph's crc32c: the raw register, seeded, without final inversion.
pub fn crc32c(seed: u32, data: &[u8]) -> u32 {
    !crc32c::crc32c_append(!seed, data)
}

impl BitVector2 {
    /// `size` elements, all 0, CRCs enabled.
    pub fn new(size: u64) -> BitVector2 {
        let mut v = BitVector2 { data: Vec::new(), size: 0, crc_enabled: true };
        v.resize(size);
        v
    }

    pub fn len(&self) -> u64 {
        self.size
    }

    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// Grows (new elements 0) or shrinks to `size` elements.
    pub fn resize(&mut self, size: u64) {
        let bytes = size.div_ceil(PER_BYTE) as usize;
        self.data.resize(bytes, 0);
        // clear elements past the new end in the last byte, as a fresh vector has
        let tail = (size % PER_BYTE) as u32;
        if tail != 0 {
            let keep = !((1u8 << (2 * (PER_BYTE as u32 - tail))) - 1);
            if let Some(last) = self.data.last_mut() {
                *last &= keep;
            }
        }
        self.size = size;
    }

    fn index(i: u64) -> (usize, u32) {
        ((i / PER_BYTE) as usize, ((PER_BYTE - 1 - i % PER_BYTE) * 2) as u32)
    }

    /// Element `i` (0 past the end).
    pub fn get(&self, i: u64) -> u8 {
        if i >= self.size {
            return 0;
        }
        let (byte, shift) = Self::index(i);
        (self.data[byte] >> shift) & 3
    }

    /// Sets element `i` (ignored past the end).
    pub fn set(&mut self, i: u64, value: u8) {
        if i >= self.size {
            return;
        }
        let (byte, shift) = Self::index(i);
        self.data[byte] = (self.data[byte] & !(3 << shift)) | ((value & 3) << shift);
    }

    /// The packed bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    fn header(&self) -> Vec<u8> {
        let mut h = Vec::new();
        encode_versioned(&mut h, 1, 1, |o| self.size.encode(o));
        h
    }
}

impl Encode for BitVector2 {
    fn encode(&self, out: &mut Vec<u8>) {
        let header = self.header();
        put_bytes(out, &header);
        out.extend_from_slice(&self.data);
        let mut footer = Vec::new();
        if self.crc_enabled {
            crc32c(0, &header).encode(&mut footer);
            let blocks: Vec<&[u8]> = self.data.chunks(BLOCK_SIZE).collect();
            (blocks.len() as u32).encode(&mut footer);
            for b in blocks {
                crc32c(0, b).encode(&mut footer);
            }
        }
        put_bytes(out, &footer);
    }
}

impl Decode for BitVector2 {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        let header = d.bytes()?;
        let size = Decoder::new(header).versioned(1, |_, h| h.u64())?;
        let len = size.div_ceil(PER_BYTE) as usize;
        let data = d.take(len)?.to_vec();
        let footer = d.bytes()?;
        let crc_enabled = !footer.is_empty();
        if crc_enabled {
            let mut f = Decoder::new(footer);
            if f.u32()? != crc32c(0, header) {
                return Err(Error::Corrupt("object map: header CRC".into()));
            }
            let blocks = f.u32()? as usize;
            if blocks != data.len().div_ceil(BLOCK_SIZE) {
                return Err(Error::Corrupt("object map: block count".into()));
            }
            for b in data.chunks(BLOCK_SIZE) {
                if f.u32()? != crc32c(0, b) {
                    return Err(Error::Corrupt("object map: data block CRC".into()));
                }
            }
        }
        Ok(BitVector2 { data, size, crc_enabled })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_upstream() {
        // rbd_object_map of a fresh 1 GiB image (256 objects), as a Pacific OSD wrote it
        let mut want = hex("0e0000000101080000000001000000000000");
        want.extend(vec![0; 64]);
        want.extend(hex("0c0000009a96b4820100000000000000"));
        assert_eq!(BitVector2::new(256).to_bytes(), want);
        // 10 objects, objects 0, 3 and 5 existing
        let mut v = BitVector2::new(10);
        for i in [0, 3, 5] {
            v.set(i, 1);
        }
        assert_eq!(v.to_bytes(), hex("0e0000000101080000000a000000000000004110000c000000c644f43a0100000026e3e15d"));
        assert_eq!(BitVector2::from_bytes(&v.to_bytes()).unwrap(), v);
        assert_eq!(v.get(3), 1);
        assert_eq!(v.get(4), 0);
        // without CRCs (method inputs and outputs)
        v.crc_enabled = false;
        assert!(v.to_bytes().ends_with(&[0x41, 0x10, 0x00, 0, 0, 0, 0]));
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }
}
