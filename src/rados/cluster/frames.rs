//! msgr2.1 frames, sans I/O: a `FrameSender` turns a tag and up to four
//! segments into wire bytes, a `FrameReceiver` turns wire bytes back into
//! frames; both in crc mode (preamble crc, per-segment crc32c) or secure mode
//! (AES-128-GCM: preamble with 48 inline bytes of the control segment, then
//! the rest of the control segment, then the other segments and the epilogue).
//!
//! Layout (Ceph's `frames_v2.h`, revision 1): a 32-byte preamble — tag,
//! segment count, four (le32 length, le16 alignment), flags, reserved, le32
//! crc32c of the first 28 bytes. In crc mode the control segment is followed
//! by its crc, and when there are more segments, by them and a 13-byte
//! epilogue (late status, three crcs).

use super::crypto::{GcmStream, GCM_TAG_LEN};
use crate::denc::bit_vector::crc32c;
use crate::error::{Error, Result};

/// A frame's wire bytes in parts (see `FrameSender::encode_parts`).
pub struct FrameWire {
    pub head: Vec<u8>,
    /// Whether segments 1 to 3 go on the wire, as given, between head and tail.
    pub segments_between: bool,
    pub tail: Vec<u8>,
}

impl FrameWire {
    /// The frame's bytes in wire order: head, the segments 1 to 3 of
    /// `segments` (the ones given to `encode_parts`) when they travel as they
    /// are, tail. Empty pieces stand where nothing goes.
    pub fn pieces<'a>(&'a self, segments: &[&'a [u8]]) -> [&'a [u8]; 5] {
        let between = |i: usize| if self.segments_between { segments.get(i).copied().unwrap_or(&[]) } else { &[] };
        [&self.head, between(1), between(2), between(3), &self.tail]
    }
}

/// Frame tags.
pub mod tag {
    pub const HELLO: u8 = 1;
    pub const AUTH_REQUEST: u8 = 2;
    pub const AUTH_BAD_METHOD: u8 = 3;
    pub const AUTH_REPLY_MORE: u8 = 4;
    pub const AUTH_REQUEST_MORE: u8 = 5;
    pub const AUTH_DONE: u8 = 6;
    pub const AUTH_SIGNATURE: u8 = 7;
    pub const CLIENT_IDENT: u8 = 8;
    pub const SERVER_IDENT: u8 = 9;
    pub const IDENT_MISSING_FEATURES: u8 = 10;
    pub const SESSION_RECONNECT: u8 = 11;
    pub const SESSION_RESET: u8 = 12;
    pub const SESSION_RETRY: u8 = 13;
    pub const SESSION_RETRY_GLOBAL: u8 = 14;
    pub const SESSION_RECONNECT_OK: u8 = 15;
    pub const WAIT: u8 = 16;
    pub const MESSAGE: u8 = 17;
    pub const KEEPALIVE2: u8 = 18;
    pub const KEEPALIVE2_ACK: u8 = 19;
    pub const ACK: u8 = 20;
}

pub const PREAMBLE_LEN: usize = 32;
/// Control-segment bytes carried inside the secure preamble block.
pub const INLINE_LEN: usize = 48;
const SECURE_PREAMBLE_LEN: usize = PREAMBLE_LEN + INLINE_LEN + GCM_TAG_LEN;
const CRC_LEN: usize = 4;
const PLAIN_EPILOGUE_LEN: usize = 1 + 3 * CRC_LEN;
const SECURE_EPILOGUE_LEN: usize = 16;
const LATE_STATUS_COMPLETE: u8 = 0xe;
const LATE_STATUS_MASK: u8 = 0xf;
/// Largest segment we accept (upstream's limits are 16 MiB control, 100 MiB data).
const MAX_SEGMENT: u32 = 256 << 20;
const ALIGNMENTS: [u16; 4] = [8, 8, 8, 4096];

fn padded(len: usize) -> usize {
    len.div_ceil(16) * 16
}

fn protocol_error(what: impl Into<String>) -> Error {
    Error::Remote { errno: libc::EBADMSG, context: what.into() }
}

/// A received frame: its tag and segments (control, front, middle, data).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    pub tag: u8,
    pub segments: [Vec<u8>; 4],
}

impl Frame {
    pub fn control(&self) -> &[u8] {
        &self.segments[0]
    }
}

fn encode_preamble(tag: u8, lens: &[usize; 4], count: usize) -> [u8; PREAMBLE_LEN] {
    let mut p = [0u8; PREAMBLE_LEN];
    p[0] = tag;
    p[1] = count as u8;
    for i in 0..count {
        let at = 2 + i * 6;
        p[at..at + 4].copy_from_slice(&(lens[i] as u32).to_le_bytes());
        p[at + 4..at + 6].copy_from_slice(&ALIGNMENTS[i].to_le_bytes());
    }
    let crc = crc32c(0, &p[..PREAMBLE_LEN - CRC_LEN]);
    p[PREAMBLE_LEN - CRC_LEN..].copy_from_slice(&crc.to_le_bytes());
    p
}

/// What a preamble announces.
#[derive(Clone, Copy, Debug)]
struct Preamble {
    tag: u8,
    count: usize,
    lens: [usize; 4],
}

fn decode_preamble(p: &[u8]) -> Result<Preamble> {
    let crc = u32::from_le_bytes(p[28..32].try_into().expect("4 bytes"));
    if crc32c(0, &p[..28]) != crc {
        return Err(protocol_error("msgr2 preamble crc mismatch"));
    }
    let count = p[1] as usize;
    if !(1..=4).contains(&count) {
        return Err(protocol_error(format!("msgr2 frame with {count} segments")));
    }
    let mut lens = [0usize; 4];
    for (i, len) in lens.iter_mut().enumerate().take(count) {
        let at = 2 + i * 6;
        let l = u32::from_le_bytes(p[at..at + 4].try_into().expect("4 bytes"));
        if l > MAX_SEGMENT {
            return Err(protocol_error(format!("msgr2 segment of {l} bytes")));
        }
        *len = l as usize;
    }
    Ok(Preamble { tag: p[0], count, lens })
}

/// Encodes frames for one direction of a connection.
pub struct FrameSender {
    secure: Option<GcmStream>,
}

impl Default for FrameSender {
    fn default() -> Self {
        FrameSender::new()
    }
}

impl FrameSender {
    /// A sender in crc mode (every connection starts so).
    pub fn new() -> FrameSender {
        FrameSender { secure: None }
    }

    /// Switches to secure mode with this direction's key and nonce.
    pub fn set_secure(&mut self, stream: GcmStream) {
        self.secure = Some(stream);
    }

    pub fn is_secure(&self) -> bool {
        self.secure.is_some()
    }

    /// The wire bytes of a frame, appended to `out`.
    pub fn encode(&mut self, tag: u8, segments: &[&[u8]], out: &mut Vec<u8>) {
        let wire = self.encode_parts(tag, segments);
        for piece in wire.pieces(segments) {
            out.extend_from_slice(piece);
        }
    }

    /// A frame as parts to send without copying its payload: in crc mode
    /// `head` (preamble, control segment, its crc), then the caller's other
    /// segments as they are, then `tail` (the epilogue); in secure mode `head`
    /// holds the sealed preamble and control segment, `tail` the other segments
    /// and the epilogue, sealed.
    pub fn encode_parts(&mut self, tag: u8, segments: &[&[u8]]) -> FrameWire {
        self.encode_parts_with(tag, segments, None)
    }

    /// `encode_parts` with the data segment's crc32c (seed -1) when the
    /// caller knows it already (crc mode uses it instead of computing it).
    pub fn encode_parts_with(&mut self, tag: u8, segments: &[&[u8]], data_crc: Option<u32>) -> FrameWire {
        let mut lens = [0usize; 4];
        for (i, s) in segments.iter().enumerate().take(4) {
            lens[i] = s.len();
        }
        let count = (1..=4).rev().find(|&n| lens[n - 1] != 0).unwrap_or(1);
        let preamble = encode_preamble(tag, &lens, count);
        let seg = |i: usize| -> &[u8] { segments.get(i).copied().unwrap_or(&[]) };
        let mut out = Vec::with_capacity(PREAMBLE_LEN + lens[0] + CRC_LEN);
        match &mut self.secure {
            None => {
                out.extend_from_slice(&preamble);
                out.extend_from_slice(seg(0));
                out.extend_from_slice(&crc32c(u32::MAX, seg(0)).to_le_bytes());
                let mut tail = Vec::with_capacity(if count > 1 { PLAIN_EPILOGUE_LEN } else { 0 });
                if count > 1 {
                    tail.push(LATE_STATUS_COMPLETE);
                    for i in 1..4 {
                        let crc = match (i < count, data_crc) {
                            (false, _) => 0,
                            (true, Some(known)) if i == 3 => known,
                            (true, _) => crc32c(u32::MAX, seg(i)),
                        };
                        tail.extend_from_slice(&crc.to_le_bytes());
                    }
                }
                FrameWire { head: out, segments_between: count > 1, tail }
            }
            Some(gcm) => {
                let control = seg(0);
                let inline = control.len().min(INLINE_LEN);
                let mut head = Vec::with_capacity(SECURE_PREAMBLE_LEN);
                head.extend_from_slice(&preamble);
                head.extend_from_slice(&control[..inline]);
                head.resize(PREAMBLE_LEN + INLINE_LEN, 0);
                gcm.seal(&mut head);
                out.extend_from_slice(&head);
                if control.len() > INLINE_LEN {
                    let rest = &control[INLINE_LEN..];
                    let mut block = Vec::with_capacity(padded(rest.len()) + GCM_TAG_LEN);
                    block.extend_from_slice(rest);
                    block.resize(padded(rest.len()), 0);
                    gcm.seal(&mut block);
                    out.extend_from_slice(&block);
                }
                let mut sealed_tail = Vec::new();
                if count > 1 {
                    let total: usize = (1..4).map(|i| padded(seg(i).len())).sum();
                    let mut tail = Vec::with_capacity(total + SECURE_EPILOGUE_LEN + GCM_TAG_LEN);
                    for i in 1..4 {
                        tail.extend_from_slice(seg(i));
                        tail.resize(padded(tail.len()), 0);
                    }
                    tail.push(LATE_STATUS_COMPLETE);
                    tail.resize(tail.len() + SECURE_EPILOGUE_LEN - 1, 0);
                    gcm.seal(&mut tail);
                    sealed_tail = tail;
                }
                FrameWire { head: out, segments_between: false, tail: sealed_tail }
            }
        }
    }
}

/// Decodes the frames of one direction of a connection from the bytes fed to it.
pub struct FrameReceiver {
    secure: Option<GcmStream>,
    buf: Vec<u8>,
    /// Bytes of `buf` already consumed.
    pos: usize,
    /// The current frame's preamble (and, secure, its decrypted inline bytes).
    current: Option<(Preamble, Vec<u8>)>,
    /// Raw bytes of decoded frames, kept while `recording` (for the handshake signature).
    recording: bool,
    recorded: Vec<u8>,
}

impl Default for FrameReceiver {
    fn default() -> Self {
        FrameReceiver::new()
    }
}

impl FrameReceiver {
    pub fn new() -> FrameReceiver {
        FrameReceiver { secure: None, buf: Vec::new(), pos: 0, current: None, recording: false, recorded: Vec::new() }
    }

    pub fn set_secure(&mut self, stream: GcmStream) {
        self.secure = Some(stream);
    }

    /// Starts or stops keeping the raw bytes of decoded frames.
    pub fn set_recording(&mut self, on: bool) {
        self.recording = on;
    }

    /// The raw bytes kept so far (taken).
    pub fn take_recorded(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.recorded)
    }

    /// Adds received bytes.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        } else if self.pos > (1 << 20) {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes fed but not consumed yet.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Takes `n` raw (non-frame) bytes, as the banner; None until fed.
    pub fn take_raw(&mut self, n: usize) -> Option<Vec<u8>> {
        if self.buffered() < n {
            return None;
        }
        let out = self.buf[self.pos..self.pos + n].to_vec();
        self.consume(n);
        Some(out)
    }

    fn consume(&mut self, n: usize) {
        if self.recording {
            self.recorded.extend_from_slice(&self.buf[self.pos..self.pos + n]);
        }
        self.pos += n;
    }

    /// The next whole frame, or None until more bytes are fed; errors are fatal
    /// to the connection (EBADMSG for integrity failures).
    pub fn next_frame(&mut self) -> Result<Option<Frame>> {
        if self.current.is_none() {
            let head_len = if self.secure.is_some() { SECURE_PREAMBLE_LEN } else { PREAMBLE_LEN };
            if self.buffered() < head_len {
                return Ok(None);
            }
            let head = &self.buf[self.pos..self.pos + head_len];
            let (preamble, inline) = match &mut self.secure {
                Some(gcm) => {
                    let mut head = head.to_vec();
                    gcm.open(&mut head)?;
                    (decode_preamble(&head[..PREAMBLE_LEN])?, head.split_off(PREAMBLE_LEN))
                }
                // (crc mode: read in place)
                None => (decode_preamble(head)?, Vec::new()),
            };
            self.consume(head_len);
            self.current = Some((preamble, inline));
        }
        let (preamble, _) = self.current.as_ref().expect("set above");
        let preamble = *preamble;
        let lens = preamble.lens;
        let tail_lens: usize = lens[1..].iter().sum();
        let need = match self.secure {
            None => lens[0] + CRC_LEN + if preamble.count > 1 { tail_lens + PLAIN_EPILOGUE_LEN } else { 0 },
            Some(_) => {
                let rest = if lens[0] > INLINE_LEN { padded(lens[0] - INLINE_LEN) + GCM_TAG_LEN } else { 0 };
                let tail = if preamble.count > 1 {
                    lens[1..].iter().map(|&l| padded(l)).sum::<usize>() + SECURE_EPILOGUE_LEN + GCM_TAG_LEN
                } else {
                    0
                };
                rest + tail
            }
        };
        if self.buffered() < need {
            return Ok(None);
        }
        let (_, inline) = self.current.take().expect("set above");
        // segments are copied once, straight out of the receive buffer
        let body = &self.buf[self.pos..self.pos + need];
        let mut frame = Frame { tag: preamble.tag, ..Frame::default() };
        match &mut self.secure {
            None => {
                let (control, rest) = body.split_at(lens[0]);
                let crc = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes"));
                if crc32c(u32::MAX, control) != crc {
                    return Err(protocol_error("msgr2 control segment crc mismatch"));
                }
                frame.segments[0] = control.to_vec();
                if preamble.count > 1 {
                    let mut at = CRC_LEN;
                    for i in 1..4 {
                        frame.segments[i] = rest[at..at + lens[i]].to_vec();
                        at += lens[i];
                    }
                    let epilogue = &rest[at..at + PLAIN_EPILOGUE_LEN];
                    if epilogue[0] & LATE_STATUS_MASK != LATE_STATUS_COMPLETE {
                        return Err(protocol_error("msgr2 frame aborted by its sender"));
                    }
                    for i in 1..4 {
                        let want = u32::from_le_bytes(epilogue[1 + (i - 1) * 4..1 + i * 4].try_into().expect("4"));
                        let have = if i < preamble.count { crc32c(u32::MAX, &frame.segments[i]) } else { 0 };
                        if want != have {
                            return Err(protocol_error(format!("msgr2 segment {i} crc mismatch")));
                        }
                    }
                }
            }
            Some(gcm) => {
                let mut control = inline;
                let mut at = 0;
                if lens[0] > INLINE_LEN {
                    let n = padded(lens[0] - INLINE_LEN) + GCM_TAG_LEN;
                    let mut block = body[..n].to_vec();
                    gcm.open(&mut block)?;
                    control.truncate(INLINE_LEN);
                    control.extend_from_slice(&block);
                    at = n;
                }
                control.truncate(lens[0]);
                frame.segments[0] = control;
                if preamble.count > 1 {
                    let mut tail = body[at..].to_vec();
                    gcm.open(&mut tail)?;
                    let mut off = 0;
                    for i in 1..4 {
                        frame.segments[i] = tail[off..off + lens[i]].to_vec();
                        off += padded(lens[i]);
                    }
                    if tail[off] & LATE_STATUS_MASK != LATE_STATUS_COMPLETE {
                        return Err(protocol_error("msgr2 frame aborted by its sender"));
                    }
                }
            }
        }
        self.consume(need);
        Ok(Some(frame))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(secure: bool) -> (FrameSender, FrameReceiver) {
        let mut s = FrameSender::new();
        let mut r = FrameReceiver::new();
        if secure {
            s.set_secure(GcmStream::new(&[3; 16], &[5; 12]).unwrap());
            r.set_secure(GcmStream::new(&[3; 16], &[5; 12]).unwrap());
        }
        (s, r)
    }

    fn frames() -> Vec<(u8, Vec<Vec<u8>>)> {
        vec![
            (tag::HELLO, vec![vec![1, 2, 3]]),
            (tag::ACK, vec![vec![0; 8]]),
            (tag::AUTH_REQUEST, vec![(0..=255u8).cycle().take(300).collect()]),
            (tag::MESSAGE, vec![vec![9; 41], vec![1; 17], vec![], vec![7; 5000]]),
            (tag::MESSAGE, vec![vec![9; 41], vec![], vec![], vec![7; 4096]]),
            (tag::MESSAGE, vec![vec![9; 41], vec![2; 100]]),
            (tag::MESSAGE, vec![vec![4; 48], vec![2; 16]]),
        ]
    }

    #[test]
    fn round_trip_both_modes_byte_by_byte() {
        for secure in [false, true] {
            let (mut s, mut r) = pair(secure);
            let mut wire = Vec::new();
            for (t, segs) in frames() {
                let refs: Vec<&[u8]> = segs.iter().map(|v| v.as_slice()).collect();
                s.encode(t, &refs, &mut wire);
            }
            let mut got = Vec::new();
            for b in &wire {
                r.feed(std::slice::from_ref(b));
                while let Some(f) = r.next_frame().unwrap() {
                    got.push(f);
                }
            }
            let want = frames();
            assert_eq!(got.len(), want.len(), "secure={secure}");
            for (f, (t, segs)) in got.iter().zip(want) {
                assert_eq!(f.tag, t);
                for i in 0..4 {
                    assert_eq!(f.segments[i], segs.get(i).cloned().unwrap_or_default(), "secure={secure} seg {i}");
                }
            }
            assert_eq!(r.buffered(), 0);
        }
    }

    #[test]
    fn a_known_data_crc_is_used_as_given() {
        let segs: [&[u8]; 4] = [&[9; 41], &[1; 10], &[], &[7; 5000]];
        let crc = crc32c(u32::MAX, segs[3]);
        let computed = FrameSender::new().encode_parts(tag::MESSAGE, &segs);
        let given = FrameSender::new().encode_parts_with(tag::MESSAGE, &segs, Some(crc));
        assert_eq!((&computed.head, &computed.tail), (&given.head, &given.tail));
        // the given value is what goes out (a wrong one is the peer's to reject)
        let wrong = FrameSender::new().encode_parts_with(tag::MESSAGE, &segs, Some(crc ^ 1));
        assert_eq!(wrong.tail[9..13], (crc ^ 1).to_le_bytes());
        let mut r = FrameReceiver::new();
        for piece in wrong.pieces(&segs) {
            r.feed(piece);
        }
        assert!(r.next_frame().is_err());
    }

    #[test]
    fn crc_mode_layout_matches_the_spec() {
        let (mut s, _) = pair(false);
        let mut wire = Vec::new();
        s.encode(tag::ACK, &[&7u64.to_le_bytes()], &mut wire);
        assert_eq!(wire.len(), 32 + 8 + 4);
        assert_eq!(&wire[..8], &[tag::ACK, 1, 8, 0, 0, 0, 8, 0]);
        let mut two = Vec::new();
        s.encode(tag::MESSAGE, &[&[1; 41], &[], &[], &[2; 3]], &mut two);
        assert_eq!(two.len(), 32 + 41 + 4 + 3 + 13);
        assert_eq!(two[1], 4);
        // used empty segments carry crc -1, and the epilogue says complete
        let epilogue = &two[two.len() - 13..];
        assert_eq!(epilogue[0], LATE_STATUS_COMPLETE);
        assert_eq!(&epilogue[1..5], &u32::MAX.to_le_bytes());
    }

    #[test]
    fn secure_mode_sizes() {
        let (mut s, _) = pair(true);
        let mut small = Vec::new();
        s.encode(tag::ACK, &[&[0; 8]], &mut small);
        assert_eq!(small.len(), 96);
        let mut big = Vec::new();
        s.encode(tag::HELLO, &[&[0; 49]], &mut big);
        assert_eq!(big.len(), 96 + 16 + 16);
        let mut msg = Vec::new();
        s.encode(tag::MESSAGE, &[&[0; 41], &[0; 1]], &mut msg);
        assert_eq!(msg.len(), 96 + 16 + 16 + 16);
    }

    #[test]
    fn corruption_is_detected() {
        for secure in [false, true] {
            let (mut s, _) = pair(secure);
            let mut wire = Vec::new();
            s.encode(tag::MESSAGE, &[&[1; 41], &[2; 64]], &mut wire);
            for at in [0usize, 40, wire.len() - 2] {
                let mut bad = wire.clone();
                bad[at] ^= 0x10;
                let (_, mut r) = pair(secure);
                r.feed(&bad);
                assert!(r.next_frame().is_err(), "secure={secure} flipped byte {at}");
            }
        }
    }

    #[test]
    fn recording_keeps_raw_bytes() {
        let (mut s, mut r) = pair(false);
        let mut wire = b"banner".to_vec();
        s.encode(tag::HELLO, &[&[1, 2]], &mut wire);
        r.set_recording(true);
        r.feed(&wire);
        assert_eq!(r.take_raw(6).unwrap(), b"banner");
        assert!(r.next_frame().unwrap().is_some());
        assert_eq!(r.take_recorded(), wire);
    }
}
