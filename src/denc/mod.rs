//! Ceph's binary encoding ("denc"): little-endian integers, length-prefixed
//! strings and buffers, counted containers, and versioned envelopes
//! (`ENCODE_START(v, compat)`: u8 version, u8 compat, u32 length).
//!
//! `Encode`/`Decode` are implemented for the primitives and containers; types
//! with versioned envelopes write theirs with `encode_versioned` and read them
//! with `Decoder::versioned`, which skips fields newer than it knows.

use std::collections::{BTreeMap, BTreeSet};

pub mod bit_vector;
mod types;

pub use types::{EntityAddr, EntityNameT, UTime};

use crate::error::{Error, Result};

/// Appends a value's encoding.
pub trait Encode {
    fn encode(&self, out: &mut Vec<u8>);

    /// The encoding as a new buffer.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

/// Reads a value from its encoding.
pub trait Decode: Sized {
    fn decode(d: &mut Decoder<'_>) -> Result<Self>;

    /// Decodes a whole buffer; trailing bytes are allowed (as upstream).
    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Self::decode(&mut Decoder::new(bytes))
    }
}

/// A cursor over encoded bytes.
#[derive(Clone, Debug)]
pub struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
}

fn short(what: &str) -> Error {
    Error::Corrupt(format!("buffer too short decoding {what}"))
}

impl<'a> Decoder<'a> {
    pub fn new(buf: &'a [u8]) -> Decoder<'a> {
        Decoder { buf, pos: 0 }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.remaining() < n {
            return Err(short("bytes"));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }
    pub fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    pub fn i32(&mut self) -> Result<i32> {
        Ok(i32::from_le_bytes(self.array()?))
    }
    pub fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// A u32 count of following elements, checked against the remaining bytes
    /// (each element needs at least `min_element` bytes).
    pub fn count(&mut self, min_element: usize) -> Result<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_element.max(1)) > self.remaining() && min_element > 0 {
            return Err(short("container"));
        }
        Ok(n)
    }

    /// A u32-length-prefixed byte string (string or bufferlist).
    pub fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    /// A u32-length-prefixed UTF-8 string.
    pub fn string(&mut self) -> Result<String> {
        let b = self.bytes()?;
        String::from_utf8(b.to_vec()).map_err(|_| Error::Corrupt("string is not UTF-8".into()))
    }

    /// The compat version of the envelope that starts here, not consumed.
    pub fn peek_compat(&self) -> Result<u8> {
        self.buf.get(self.pos + 1).copied().ok_or_else(|| short("envelope"))
    }

    /// Reads a versioned envelope: calls `body` with the version, on a decoder
    /// limited to the envelope; skips what `body` leaves. Fails when the
    /// envelope's compat version is newer than `max_compat`.
    pub fn versioned<T>(&mut self, max_compat: u8, body: impl FnOnce(u8, &mut Decoder<'a>) -> Result<T>) -> Result<T> {
        let version = self.u8()?;
        let compat = self.u8()?;
        let len = self.u32()? as usize;
        if compat > max_compat {
            return Err(Error::Corrupt(format!("encoding compat version {compat} is newer than {max_compat}")));
        }
        let mut inner = Decoder::new(self.take(len)?);
        body(version, &mut inner)
    }
}

/// Writes a versioned envelope around what `body` writes.
pub fn encode_versioned(out: &mut Vec<u8>, version: u8, compat: u8, body: impl FnOnce(&mut Vec<u8>)) {
    out.push(version);
    out.push(compat);
    let len_at = out.len();
    out.extend_from_slice(&[0; 4]);
    body(out);
    let len = (out.len() - len_at - 4) as u32;
    out[len_at..len_at + 4].copy_from_slice(&len.to_le_bytes());
}

/// Appends a u32-length-prefixed byte string.
pub fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

macro_rules! int_denc {
    ($($t:ty => $get:ident),*) => {$(
        impl Encode for $t {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
        impl Decode for $t {
            fn decode(d: &mut Decoder<'_>) -> Result<Self> {
                d.$get()
            }
        }
    )*};
}
int_denc!(u8 => u8, u16 => u16, u32 => u32, u64 => u64, i32 => i32, i64 => i64);

impl Encode for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self as u8);
    }
}
impl Decode for bool {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        Ok(d.u8()? != 0)
    }
}

impl Encode for str {
    fn encode(&self, out: &mut Vec<u8>) {
        put_bytes(out, self.as_bytes());
    }
}
impl Encode for String {
    fn encode(&self, out: &mut Vec<u8>) {
        put_bytes(out, self.as_bytes());
    }
}
impl Decode for String {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.string()
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode(&self, out: &mut Vec<u8>) {
        (**self).encode(out)
    }
}

/// A `Vec<u8>` encodes as a bufferlist (u32 length + bytes), which is also what
/// a counted vector of bytes is.
impl<T: Encode> Encode for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.as_slice().encode(out)
    }
}
impl<T: Encode> Encode for [T] {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.len() as u32).to_le_bytes());
        for x in self {
            x.encode(out);
        }
    }
}
impl<T: Decode> Decode for Vec<T> {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        let n = d.count(1)?;
        (0..n).map(|_| T::decode(d)).collect()
    }
}

impl<K: Encode, V: Encode> Encode for BTreeMap<K, V> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.len() as u32).to_le_bytes());
        for (k, v) in self {
            k.encode(out);
            v.encode(out);
        }
    }
}
impl<K: Decode + Ord, V: Decode> Decode for BTreeMap<K, V> {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        let n = d.count(1)?;
        (0..n).map(|_| Ok((K::decode(d)?, V::decode(d)?))).collect()
    }
}

impl<T: Encode> Encode for BTreeSet<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.len() as u32).to_le_bytes());
        for x in self {
            x.encode(out);
        }
    }
}
impl<T: Decode + Ord> Decode for BTreeSet<T> {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        let n = d.count(1)?;
        (0..n).map(|_| T::decode(d)).collect()
    }
}

impl<A: Encode, B: Encode> Encode for (A, B) {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
        self.1.encode(out);
    }
}
impl<A: Decode, B: Decode> Decode for (A, B) {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        Ok((A::decode(d)?, B::decode(d)?))
    }
}

/// `std::optional` / `boost::optional`: a presence byte, then the value.
impl<T: Encode> Encode for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Some(v) => {
                out.push(1);
                v.encode(out);
            }
            None => out.push(0),
        }
    }
}
impl<T: Decode> Decode for Option<T> {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        Ok(if d.u8()? != 0 { Some(T::decode(d)?) } else { None })
    }
}

/// A struct encoded as its fields in order, without an envelope (the inputs
/// and outputs of most object class methods). Generates the struct and its
/// `Encode`/`Decode`.
#[macro_export]
macro_rules! plain_struct {
    ($(#[$m:meta])* $vis:vis struct $name:ident { $($(#[$fm:meta])* $fvis:vis $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, PartialEq)]
        $vis struct $name { $($(#[$fm])* $fvis $field: $ty),* }
        impl $crate::denc::Encode for $name {
            #[allow(unused_variables)]
            fn encode(&self, out: &mut Vec<u8>) {
                $($crate::denc::Encode::encode(&self.$field, out);)*
            }
        }
        impl $crate::denc::Decode for $name {
            #[allow(unused_variables)]
            fn decode(d: &mut $crate::denc::Decoder<'_>) -> $crate::error::Result<Self> {
                Ok($name { $($field: $crate::denc::Decode::decode(d)?),* })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_envelopes() {
        let mut m = BTreeMap::new();
        m.insert("a".to_string(), vec![1u8, 2]);
        let bytes = m.to_bytes();
        assert_eq!(bytes, [1, 0, 0, 0, 1, 0, 0, 0, b'a', 2, 0, 0, 0, 1, 2]);
        assert_eq!(BTreeMap::<String, Vec<u8>>::from_bytes(&bytes).unwrap(), m);
        let mut out = Vec::new();
        encode_versioned(&mut out, 2, 1, |o| {
            7u32.encode(o);
            9u64.encode(o);
        });
        assert_eq!(&out[..6], &[2, 1, 12, 0, 0, 0]);
        // an older reader takes the first field and skips the rest
        let mut d = Decoder::new(&out);
        let (v, x) = d.versioned(1, |v, d| Ok((v, d.u32()?))).unwrap();
        assert_eq!((v, x), (2, 7));
        assert!(d.is_empty());
        assert!(Decoder::new(&out).versioned(0, |_, d| d.u32()).is_err(), "compat too new");
        assert!(Vec::<u64>::from_bytes(&[200, 0, 0, 0]).is_err(), "count past the end");
        assert!(String::from_bytes(&[5, 0, 0, 0, b'a']).is_err());
    }
}
