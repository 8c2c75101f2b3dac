//! The cryptography of the Ceph wire: cephx's AES-128-CBC with Ceph's fixed
//! IV and PKCS#7 padding, msgr2 secure mode's AES-128-GCM with a counting
//! nonce, HMAC-SHA256 for the handshake signature, and random numbers.

use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use aes_gcm::aead::AeadInPlace;
use hmac::Mac;

use crate::denc::{Decode, Decoder, Encode};
use crate::error::{Error, Result};

/// Ceph's CBC initialisation vector (`CEPH_AES_IV`).
const CEPH_AES_IV: &[u8; 16] = b"cephsageyudagreg";
/// `CEPH_CRYPTO_AES`.
const CRYPTO_AES: u16 = 1;
/// `CEPH_CRYPTO_NONE`.
const CRYPTO_NONE: u16 = 0;

/// A secret key as Ceph encodes it (`CryptoKey`): type, creation time, bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct CryptoKey {
    pub kind: u16,
    pub created: (u32, u32),
    pub secret: Vec<u8>,
}

impl std::fmt::Debug for CryptoKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CryptoKey(type {}, {} bytes)", self.kind, self.secret.len())
    }
}

impl Encode for CryptoKey {
    fn encode(&self, out: &mut Vec<u8>) {
        self.kind.encode(out);
        self.created.0.encode(out);
        self.created.1.encode(out);
        (self.secret.len() as u16).encode(out);
        out.extend_from_slice(&self.secret);
    }
}

impl Decode for CryptoKey {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        let kind = d.u16()?;
        let created = (d.u32()?, d.u32()?);
        let len = d.u16()? as usize;
        let secret = d.take(len)?.to_vec();
        let key = CryptoKey { kind, created, secret };
        key.check()?;
        Ok(key)
    }
}

impl CryptoKey {
    /// A key from its base64 text, as keyrings and `key = ` hold it.
    pub fn from_base64(text: &str) -> Result<CryptoKey> {
        let bytes = base64_decode(text.trim())
            .ok_or_else(|| Error::InvalidArgument("secret key is not valid base64".into()))?;
        CryptoKey::from_bytes(&bytes)
    }

    fn check(&self) -> Result<()> {
        match self.kind {
            CRYPTO_AES if self.secret.len() == 16 => Ok(()),
            CRYPTO_AES => Err(Error::InvalidArgument(format!("AES key of {} bytes", self.secret.len()))),
            CRYPTO_NONE => Ok(()),
            other => Err(Error::InvalidArgument(format!("unknown key type {other}"))),
        }
    }

    fn cipher(&self) -> Result<aes::Aes128> {
        aes::Aes128::new_from_slice(&self.secret).map_err(|_| Error::InvalidArgument("bad AES key length".into()))
    }

    /// AES-128-CBC with Ceph's IV and PKCS#7 padding.
    pub fn encrypt(&self, plain: &[u8]) -> Result<Vec<u8>> {
        if self.kind == CRYPTO_NONE {
            return Ok(plain.to_vec());
        }
        let cipher = self.cipher()?;
        let pad = 16 - plain.len() % 16;
        let mut out = Vec::with_capacity(plain.len() + pad);
        out.extend_from_slice(plain);
        out.resize(plain.len() + pad, pad as u8);
        let mut prev = *CEPH_AES_IV;
        for block in out.chunks_exact_mut(16) {
            for (b, p) in block.iter_mut().zip(prev.iter()) {
                *b ^= p;
            }
            let ga = aes::Block::from_mut_slice(block);
            cipher.encrypt_block(ga);
            prev.copy_from_slice(block);
        }
        Ok(out)
    }

    /// The inverse of `encrypt`; EINVAL on a bad length or padding.
    pub fn decrypt(&self, sealed: &[u8]) -> Result<Vec<u8>> {
        if self.kind == CRYPTO_NONE {
            return Ok(sealed.to_vec());
        }
        if sealed.is_empty() || sealed.len() % 16 != 0 {
            return Err(Error::InvalidArgument(format!("ciphertext of {} bytes", sealed.len())));
        }
        let cipher = self.cipher()?;
        let mut out = sealed.to_vec();
        let mut prev = *CEPH_AES_IV;
        for block in out.chunks_exact_mut(16) {
            let mut this = [0u8; 16];
            this.copy_from_slice(block);
            cipher.decrypt_block(aes::Block::from_mut_slice(block));
            for (b, p) in block.iter_mut().zip(prev.iter()) {
                *b ^= p;
            }
            prev = this;
        }
        let pad = *out.last().unwrap_or(&0) as usize;
        if pad == 0 || pad > 16 || out[out.len() - pad..].iter().any(|&b| b as usize != pad) {
            return Err(Error::PermissionDenied("bad padding after decryption (wrong key?)".into()));
        }
        out.truncate(out.len() - pad);
        Ok(out)
    }
}

/// The decoded bytes of standard base64 (padding optional, whitespace ignored).
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            break;
        }
        acc = (acc << 6) | value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// HMAC-SHA256 of the concatenation of `parts`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// Fills `buf` with random bytes from the kernel.
pub fn random_bytes(buf: &mut [u8]) {
    let mut done = 0;
    while done < buf.len() {
        // SAFETY: the pointer and length describe the unfilled tail of `buf`.
        let n = unsafe { libc::getrandom(buf[done..].as_mut_ptr().cast(), buf.len() - done, 0) };
        if n > 0 {
            done += n as usize;
        }
    }
}

/// A random u64.
pub fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    random_bytes(&mut b);
    u64::from_le_bytes(b)
}

/// Length of the GCM authentication tag.
pub const GCM_TAG_LEN: usize = 16;

/// One direction of a secure-mode connection: AES-128-GCM with a 12-byte
/// nonce whose last 8 bytes count the messages (`ceph_gcm_nonce`).
pub struct GcmStream {
    cipher: aes_gcm::Aes128Gcm,
    nonce: [u8; 12],
}

impl GcmStream {
    pub fn new(key: &[u8], nonce: &[u8]) -> Result<GcmStream> {
        let cipher =
            aes_gcm::Aes128Gcm::new_from_slice(key).map_err(|_| Error::InvalidArgument("bad GCM key length".into()))?;
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| Error::InvalidArgument("bad GCM nonce length".into()))?;
        Ok(GcmStream { cipher, nonce })
    }

    fn advance(&mut self) {
        let counter = u64::from_le_bytes(self.nonce[4..12].try_into().expect("8 bytes"));
        self.nonce[4..12].copy_from_slice(&counter.wrapping_add(1).to_le_bytes());
    }

    /// Encrypts `buf` in place and appends the tag.
    pub fn seal(&mut self, buf: &mut Vec<u8>) {
        let nonce = aes_gcm::Nonce::from_slice(&self.nonce);
        let tag = self.cipher.encrypt_in_place_detached(nonce, b"", buf).expect("GCM encrypts any length we send");
        buf.extend_from_slice(&tag);
        self.advance();
    }

    /// Checks and strips the tag at the end of `buf` and decrypts the rest in
    /// place; EBADMSG when the tag does not match.
    pub fn open(&mut self, buf: &mut Vec<u8>) -> Result<()> {
        if buf.len() < GCM_TAG_LEN {
            return Err(Error::Remote { errno: libc::EBADMSG, context: "secure frame shorter than its tag".into() });
        }
        let tag_at = buf.len() - GCM_TAG_LEN;
        let tag = aes_gcm::Tag::clone_from_slice(&buf[tag_at..]);
        buf.truncate(tag_at);
        let nonce = aes_gcm::Nonce::from_slice(&self.nonce);
        self.cipher
            .decrypt_in_place_detached(nonce, b"", buf, &tag)
            .map_err(|_| Error::Remote { errno: libc::EBADMSG, context: "secure frame: bad auth tag".into() })?;
        self.advance();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbc_round_trip_and_padding() {
        let key = CryptoKey { kind: CRYPTO_AES, created: (0, 0), secret: (0u8..16).collect() };
        for len in [0usize, 1, 15, 16, 17, 100] {
            let plain: Vec<u8> = (0..len as u8).collect();
            let sealed = key.encrypt(&plain).unwrap();
            assert_eq!(sealed.len(), (len / 16 + 1) * 16);
            assert_eq!(key.decrypt(&sealed).unwrap(), plain);
        }
        let other = CryptoKey { secret: vec![9; 16], ..key.clone() };
        let sealed = key.encrypt(b"cephx").unwrap();
        assert!(other.decrypt(&sealed).map(|p| p != b"cephx").unwrap_or(true));
    }

    #[test]
    fn aes_cbc_known_answer() {
        // AES-128 FIPS-197 vector: CBC of one block with a zero-xor IV equals ECB;
        // here the IV is Ceph's, so xor it in first.
        let key = CryptoKey { kind: CRYPTO_AES, created: (0, 0), secret: hex("000102030405060708090a0b0c0d0e0f") };
        let mut block = hex("00112233445566778899aabbccddeeff");
        for (b, iv) in block.iter_mut().zip(CEPH_AES_IV) {
            *b ^= iv;
        }
        let sealed = key.encrypt(&block).unwrap();
        assert_eq!(&sealed[..16], &hex("69c4e0d86a7b0430d8cdb78070b4c55a")[..]);
    }

    #[test]
    fn keyring_secret_decodes() {
        // the format `ceph-authtool --gen-key` writes: type 1, created, 16 bytes
        let key = CryptoKey::from_base64("AQAfeQJrXgGcFBAAQC2Dl9JKQTFedjiDn7Fdjg==").unwrap();
        assert_eq!(key.kind, CRYPTO_AES);
        assert_eq!(key.secret.len(), 16);
        assert_eq!(CryptoKey::from_bytes(&key.to_bytes()).unwrap(), key);
        assert!(CryptoKey::from_base64("not base64!").is_err());
    }

    #[test]
    fn gcm_streams_pair_up_and_count() {
        let key = [7u8; 16];
        let nonce = [1u8; 12];
        let mut tx = GcmStream::new(&key, &nonce).unwrap();
        let mut rx = GcmStream::new(&key, &nonce).unwrap();
        for msg in [&b"first"[..], b"second frame"] {
            let mut buf = msg.to_vec();
            tx.seal(&mut buf);
            assert_eq!(buf.len(), msg.len() + GCM_TAG_LEN);
            rx.open(&mut buf).unwrap();
            assert_eq!(buf, msg);
        }
        let mut buf = b"tampered".to_vec();
        tx.seal(&mut buf);
        buf[0] ^= 1;
        assert!(rx.open(&mut buf).is_err());
    }

    #[test]
    fn hmac_known_answer() {
        // RFC 4231 test case 2
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(mac.to_vec(), hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }
}
