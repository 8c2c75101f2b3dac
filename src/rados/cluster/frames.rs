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
    pub head: WireBytes,
    /// Whether segments 1 to 3 go on the wire, as given, between head and tail.
    pub segments_between: bool,
    pub tail: WireBytes,
}

/// Up to this many bytes of a frame's head or tail stay inline: a message's
/// preamble, header and crc (89 bytes), a crc-mode epilogue (13).
const WIRE_INLINE: usize = 128;

/// The head or tail of a frame: inline while short, so that sending a
/// message allocates nothing for them (secure mode and long control
/// segments use the heap).
pub enum WireBytes {
    Inline { bytes: [u8; WIRE_INLINE], len: usize },
    Heap(Vec<u8>),
}

impl WireBytes {
    pub fn new() -> WireBytes {
        WireBytes::Inline { bytes: [0; WIRE_INLINE], len: 0 }
    }

    pub fn extend_from_slice(&mut self, more: &[u8]) {
        match self {
            WireBytes::Inline { bytes, len } if *len + more.len() <= WIRE_INLINE => {
                bytes[*len..*len + more.len()].copy_from_slice(more);
                *len += more.len();
            }
            WireBytes::Inline { bytes, len } => {
                let mut v = Vec::with_capacity(*len + more.len());
                v.extend_from_slice(&bytes[..*len]);
                v.extend_from_slice(more);
                *self = WireBytes::Heap(v);
            }
            WireBytes::Heap(v) => v.extend_from_slice(more),
        }
    }
}

impl Default for WireBytes {
    fn default() -> Self {
        WireBytes::new()
    }
}

impl From<Vec<u8>> for WireBytes {
    fn from(v: Vec<u8>) -> Self {
        WireBytes::Heap(v)
    }
}

impl std::ops::Deref for WireBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            WireBytes::Inline { bytes, len } => &bytes[..*len],
            WireBytes::Heap(v) => v,
        }
    }
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

/// A received frame: its tag, its control segment (kept inline while short:
/// a message's header, most control frames) and its other segments (front,
/// middle, data).
#[derive(Default)]
pub struct Frame {
    pub tag: u8,
    pub control: WireBytes,
    pub payload: [Vec<u8>; 3],
}

impl Frame {
    pub fn control(&self) -> &[u8] {
        &self.control
    }

    /// Segment `i` (0: control, 1 to 3: the payload's).
    pub fn segment(&self, i: usize) -> &[u8] {
        match i {
            0 => &self.control,
            _ => &self.payload[i - 1],
        }
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
        match &mut self.secure {
            None => {
                let mut out = WireBytes::new();
                out.extend_from_slice(&preamble);
                out.extend_from_slice(seg(0));
                out.extend_from_slice(&crc32c(u32::MAX, seg(0)).to_le_bytes());
                let mut tail = WireBytes::new();
                if count > 1 {
                    tail.extend_from_slice(&[LATE_STATUS_COMPLETE]);
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
                let mut out = Vec::with_capacity(SECURE_PREAMBLE_LEN);
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
                FrameWire { head: out.into(), segments_between: false, tail: sealed_tail.into() }
            }
        }
    }
}

/// The least room `FrameReceiver::read_from` offers a read: enough for the
/// replies of many small ops at once.
const READ_ROOM: usize = 256 << 10;

/// A data segment this large (crc mode) is received into a buffer of its
/// own, which becomes the frame's segment without a copy (a large read's
/// reply data).
const DIRECT_MIN: usize = 64 << 10;

/// A byte source that can also fill memory not initialized yet (a socket):
/// a large data segment is received straight into its own buffer.
pub trait Receive: std::io::Read {
    /// Reads at most `out.len()` bytes into `out`, initializing them; returns
    /// their count (0 at end of stream).
    fn receive_uninit(&mut self, out: &mut [std::mem::MaybeUninit<u8>]) -> std::io::Result<usize>;
}

/// Decodes the frames of one direction of a connection from the bytes fed to it.
pub struct FrameReceiver {
    secure: Option<GcmStream>,
    /// Received bytes in `buf[pos..end]`; `buf[end..]` is room to read into.
    buf: Vec<u8>,
    /// Bytes of `buf` already consumed.
    pos: usize,
    end: usize,
    /// The current frame's preamble (and, secure, its decrypted inline bytes).
    current: Option<(Preamble, Vec<u8>)>,
    /// The current frame's large data segment, received into a buffer of its
    /// own (`DIRECT_MIN`): its bytes are not copied out of `buf` afterwards.
    /// While it is not full, `buf` holds no bytes past the segments before it.
    direct: Option<Vec<u8>>,
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
        FrameReceiver {
            secure: None,
            buf: Vec::new(),
            pos: 0,
            end: 0,
            current: None,
            direct: None,
            recording: false,
            recorded: Vec::new(),
        }
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
        self.make_room(bytes.len());
        self.buf[self.end..self.end + bytes.len()].copy_from_slice(bytes);
        self.end += bytes.len();
    }

    /// Reads once from `source` straight into the receive buffer (no copy
    /// through a buffer of the caller's): room for at least `READ_ROOM` bytes,
    /// or for the rest of the frame under way when that is more; or, for a
    /// large data segment (crc mode), into that segment's own buffer. Returns
    /// the byte count read (0 at end of stream).
    pub fn read_from(&mut self, source: &mut impl Receive) -> std::io::Result<usize> {
        if let Some(missing) = self.direct_missing().filter(|&m| m > 0) {
            if self.buffered() >= self.direct_prefix() {
                let data = self.direct.as_mut().expect("direct data under way");
                let room = &mut data.spare_capacity_mut()[..missing];
                let n = source.receive_uninit(room)?.min(missing);
                // SAFETY: `receive_uninit` initialized the first n bytes of the spare room.
                unsafe { data.set_len(data.len() + n) };
                return Ok(n);
            }
        }
        let rest_of_frame = self.bytes_wanted().saturating_sub(self.buffered());
        self.make_room(rest_of_frame.max(READ_ROOM));
        let n = source.read(&mut self.buf[self.end..])?;
        self.end += n;
        self.absorb_direct();
        Ok(n)
    }

    /// The bytes the direct data segment under way still misses.
    fn direct_missing(&self) -> Option<usize> {
        let (preamble, _) = self.current.as_ref()?;
        Some(preamble.lens[3] - self.direct.as_ref()?.len())
    }

    /// The bytes of a direct-data frame before its data segment (control
    /// segment, its crc, front, middle).
    fn direct_prefix(&self) -> usize {
        self.current.as_ref().map_or(0, |(p, _)| p.lens[0] + CRC_LEN + p.lens[1] + p.lens[2])
    }

    /// Moves data-segment bytes that a read into `buf` brought along into the
    /// direct buffer, and closes the gap they leave.
    fn absorb_direct(&mut self) {
        let Some(missing) = self.direct_missing() else { return };
        let from = self.pos + self.direct_prefix();
        let take = missing.min(self.end.saturating_sub(from));
        if take == 0 {
            return;
        }
        self.direct.as_mut().expect("direct data under way").extend_from_slice(&self.buf[from..from + take]);
        self.buf.copy_within(from + take..self.end, from);
        self.end -= take;
    }

    /// Makes `buf[end..]` at least `n` bytes long: moves the unread bytes to
    /// the front when that makes the room, else grows the buffer (which is
    /// kept: a connection's reads reuse it).
    fn make_room(&mut self, n: usize) {
        if self.pos == self.end {
            self.pos = 0;
            self.end = 0;
        }
        if self.buf.len() - self.end >= n {
            return;
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.buf.len() - self.end < n {
            self.buf.resize(self.end + n, 0);
        }
    }

    /// The bytes the frame under way needs in all (its preamble's length
    /// when no frame is under way), counted from `pos`.
    fn bytes_wanted(&self) -> usize {
        match &self.current {
            Some(_) if self.direct.is_some() => self.direct_prefix() + PLAIN_EPILOGUE_LEN,
            Some((preamble, _)) => self.body_len(preamble),
            None if self.secure.is_some() => SECURE_PREAMBLE_LEN,
            None => PREAMBLE_LEN,
        }
    }

    /// Bytes fed but not consumed yet.
    pub fn buffered(&self) -> usize {
        self.end - self.pos
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

    /// The wire length of a frame after its preamble.
    fn body_len(&self, preamble: &Preamble) -> usize {
        let lens = preamble.lens;
        match self.secure {
            None => {
                let tail_lens: usize = lens[1..].iter().sum();
                lens[0] + CRC_LEN + if preamble.count > 1 { tail_lens + PLAIN_EPILOGUE_LEN } else { 0 }
            }
            Some(_) => {
                let rest = if lens[0] > INLINE_LEN { padded(lens[0] - INLINE_LEN) + GCM_TAG_LEN } else { 0 };
                let tail = if preamble.count > 1 {
                    lens[1..].iter().map(|&l| padded(l)).sum::<usize>() + SECURE_EPILOGUE_LEN + GCM_TAG_LEN
                } else {
                    0
                };
                rest + tail
            }
        }
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
            let direct =
                self.secure.is_none() && !self.recording && preamble.count == 4 && preamble.lens[3] >= DIRECT_MIN;
            self.current = Some((preamble, inline));
            if direct {
                // (a pooled buffer: a fresh one would be faulted in page by page)
                self.direct = Some(crate::rados::buffer_pool::take(preamble.lens[3]));
                self.absorb_direct();
            }
        }
        let (preamble, _) = self.current.as_ref().expect("set above");
        let preamble = *preamble;
        let lens = preamble.lens;
        if self.direct_missing().is_some_and(|m| m > 0) {
            return Ok(None);
        }
        let need = self.bytes_wanted();
        if self.buffered() < need {
            return Ok(None);
        }
        let (_, inline) = self.current.take().expect("set above");
        let direct = self.direct.take();
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
                frame.control.extend_from_slice(control);
                if preamble.count > 1 {
                    let mut at = CRC_LEN;
                    for i in 1..3 {
                        frame.payload[i - 1] = rest[at..at + lens[i]].to_vec();
                        at += lens[i];
                    }
                    frame.payload[2] = match direct {
                        Some(data) => data,
                        None => {
                            // (a read's data: a recycled buffer, given back after its copy)
                            let data = crate::rados::buffer_pool::copy_of(&rest[at..at + lens[3]]);
                            at += lens[3];
                            data
                        }
                    };
                    let epilogue = &rest[at..at + PLAIN_EPILOGUE_LEN];
                    if epilogue[0] & LATE_STATUS_MASK != LATE_STATUS_COMPLETE {
                        return Err(protocol_error("msgr2 frame aborted by its sender"));
                    }
                    for i in 1..4 {
                        let want = u32::from_le_bytes(epilogue[1 + (i - 1) * 4..1 + i * 4].try_into().expect("4"));
                        let have = if i < preamble.count { crc32c(u32::MAX, &frame.payload[i - 1]) } else { 0 };
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
                frame.control = control.into();
                if preamble.count > 1 {
                    let mut tail = body[at..].to_vec();
                    gcm.open(&mut tail)?;
                    let mut off = 0;
                    for i in 1..4 {
                        frame.payload[i - 1] = tail[off..off + lens[i]].to_vec();
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

    /// Hands out `wire` in pieces of the given sizes, in turn, as a socket would.
    struct Chunked<'a> {
        wire: &'a [u8],
        sizes: std::iter::Cycle<std::slice::Iter<'a, usize>>,
        reads: usize,
        direct_reads: usize,
    }

    impl std::io::Read for Chunked<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = (*self.sizes.next().unwrap()).min(out.len()).min(self.wire.len());
            out[..n].copy_from_slice(&self.wire[..n]);
            self.wire = &self.wire[n..];
            self.reads += 1;
            Ok(n)
        }
    }

    impl Receive for Chunked<'_> {
        fn receive_uninit(&mut self, out: &mut [std::mem::MaybeUninit<u8>]) -> std::io::Result<usize> {
            let n = (*self.sizes.next().unwrap()).min(out.len()).min(self.wire.len());
            for (o, b) in out.iter_mut().zip(&self.wire[..n]) {
                o.write(*b);
            }
            self.wire = &self.wire[n..];
            self.reads += 1;
            self.direct_reads += 1;
            Ok(n)
        }
    }

    #[test]
    fn reads_straight_into_the_receive_buffer_in_any_pieces() {
        // a frame larger than a read's least room, between small ones
        let big: Vec<u8> = (0..(READ_ROOM * 3 + 5)).map(|i| (i * 7 % 251) as u8).collect();
        let mut sent = frames();
        sent.insert(2, (tag::MESSAGE, vec![vec![9; 41], vec![1; 10], vec![], big]));
        for secure in [false, true] {
            for sizes in [&[1usize][..], &[3, 1000, 17], &[usize::MAX]] {
                let (mut s, mut r) = pair(secure);
                let mut wire = Vec::new();
                for (t, segs) in &sent {
                    let refs: Vec<&[u8]> = segs.iter().map(|v| v.as_slice()).collect();
                    s.encode(*t, &refs, &mut wire);
                }
                let mut source = Chunked { wire: &wire, sizes: sizes.iter().cycle(), reads: 0, direct_reads: 0 };
                let mut got = Vec::new();
                while got.len() < sent.len() {
                    assert!(r.read_from(&mut source).unwrap() > 0, "ran dry after {} frames", got.len());
                    while let Some(f) = r.next_frame().unwrap() {
                        got.push(f);
                    }
                }
                for (f, (t, segs)) in got.iter().zip(&sent) {
                    assert_eq!(f.tag, *t);
                    for i in 0..4 {
                        assert_eq!(f.segment(i), segs.get(i).map_or(&[][..], |v| &v[..]), "secure={secure} seg {i}");
                    }
                }
                assert_eq!(r.buffered(), 0);
                // crc mode receives the big data segment into its own buffer
                assert_eq!(source.direct_reads > 0, !secure, "secure={secure} sizes={sizes:?}");
                if sizes == [usize::MAX] {
                    // the big frame is read in one go once its preamble is known
                    assert!(source.reads <= 3, "{} reads", source.reads);
                }
                // a damaged byte of the big data segment is caught
                let at = wire.len() / 2;
                wire[at] ^= 0x40;
                let (_, mut r) = pair(secure);
                let mut source = Chunked { wire: &wire, sizes: sizes.iter().cycle(), reads: 0, direct_reads: 0 };
                let mut failed = false;
                while !failed && r.read_from(&mut source).unwrap() > 0 {
                    loop {
                        match r.next_frame() {
                            Ok(Some(_)) => continue,
                            Ok(None) => break,
                            Err(_) => {
                                failed = true;
                                break;
                            }
                        }
                    }
                }
                assert!(failed, "secure={secure} sizes={sizes:?}: damage not detected");
            }
        }
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
                    assert_eq!(f.segment(i), segs.get(i).cloned().unwrap_or_default(), "secure={secure} seg {i}");
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
        assert_eq!((&computed.head[..], &computed.tail[..]), (&given.head[..], &given.tail[..]));
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
