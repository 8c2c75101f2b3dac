//! One TCP connection to a Ceph daemon: runs the msgr2 handshake, then sends
//! messages (under a mutex, from the caller's thread) and receives them on a
//! reader thread that hands each to the connection's `Dispatcher`. Client
//! sessions are lossy: a fault closes the connection, the dispatcher is told,
//! and the layer above (monitor client, objecter) reconnects and resends.

use std::io::{IoSlice, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::frames::{tag, FrameSender};
use super::handshake::{Credentials, Established, Handshake};
use crate::config::EntityType;
use crate::denc::{Decoder, EntityAddr};
use crate::error::{Error, Result};

/// The Ceph features this client speaks (Pacific's, as its clients announce).
pub const CLIENT_FEATURES: u64 = 0x3f01_cfbd_fffd_ffff;
/// `ceph_msg_header2` size.
const HEADER2_LEN: usize = 41;

/// A message: type, versions, transaction id and its three payload parts.
#[derive(Clone, Debug, Default)]
pub struct Message {
    pub kind: u16,
    pub version: u16,
    pub compat_version: u16,
    pub priority: u16,
    pub tid: u64,
    pub seq: u64,
    pub front: Vec<u8>,
    pub middle: Vec<u8>,
    pub data: crate::rados::payload::Payload,
}

impl Message {
    pub fn new(kind: u16, version: u16, compat_version: u16, front: Vec<u8>) -> Message {
        Message { kind, version, compat_version, priority: 127, front, ..Message::default() }
    }
}

/// Receives what a connection delivers; runs on the connection's reader thread.
pub trait Dispatcher: Send + Sync {
    fn message(&self, conn: &Arc<Connection>, msg: Message);
    /// The messages of one read from the socket have all been handed over
    /// (called on the reader thread after them, also before a fault).
    fn read_done(&self) {}
    /// The connection failed or was closed by the peer; it is dead.
    fn fault(&self, conn: &Arc<Connection>, err: &Error);
}

struct Writer {
    stream: TcpStream,
    sender: FrameSender,
    out_seq: u64,
}

/// An open connection.
pub struct Connection {
    pub peer_type: EntityType,
    pub peer: SocketAddr,
    pub peer_features: u64,
    pub secure: bool,
    /// Our address as the peer saw it.
    pub addr_for_me: EntityAddr,
    /// The global id a monitor assigned (monitor connections).
    pub global_id: Option<u64>,
    writer: Mutex<Writer>,
    /// Messages queued to go out before any other (`enqueue`, `flush`).
    outbox: Mutex<std::collections::VecDeque<Message>>,
    in_seq: AtomicU64,
    closed: AtomicBool,
    last_keepalive_ack: Mutex<Instant>,
}

/// What a connection needs to know about the client opening it.
#[derive(Clone)]
pub struct ClientIdentity {
    pub credentials: Credentials,
    pub modes: Vec<u32>,
    pub nonce: u32,
    pub global_id: u64,
}

/// Writes every byte of `parts` (std's `write_all_vectored` is not stable yet).
fn write_all_vectored(stream: &mut TcpStream, mut parts: &mut [IoSlice<'_>]) -> std::io::Result<()> {
    IoSlice::advance_slices(&mut parts, 0);
    while !parts.is_empty() {
        match stream.write_vectored(parts) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut parts, n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn io(context: &str) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |e| Error::Remote { errno: e.raw_os_error().unwrap_or(libc::EIO), context: format!("{context}: {e}") }
}

impl Connection {
    /// Connects and runs the handshake (within `timeout`), then starts the reader.
    pub fn open(
        peer: SocketAddr,
        peer_type: EntityType,
        me: &ClientIdentity,
        timeout: Duration,
        dispatcher: Arc<dyn Dispatcher>,
    ) -> Result<Arc<Connection>> {
        Connection::open_addr(EntityAddr::new(EntityAddr::TYPE_MSGR2, peer, 0), peer_type, me, timeout, dispatcher)
    }

    /// `open` to a peer known by its full address (daemons check the nonce).
    pub fn open_addr(
        peer_addr: EntityAddr,
        peer_type: EntityType,
        me: &ClientIdentity,
        timeout: Duration,
        dispatcher: Arc<dyn Dispatcher>,
    ) -> Result<Arc<Connection>> {
        let peer = peer_addr.addr.ok_or_else(|| Error::InvalidArgument(format!("no IP address in {peer_addr}")))?;
        let deadline = Instant::now() + timeout;
        let mut stream = TcpStream::connect_timeout(&peer, timeout).map_err(io("connect"))?;
        stream.set_nodelay(true).map_err(io("nodelay"))?;
        let mut hs = Handshake::new(
            peer_type,
            peer_addr,
            me.credentials.clone(),
            me.modes.clone(),
            CLIENT_FEATURES,
            me.nonce,
            me.global_id,
        );
        stream.write_all(&hs.start()).map_err(io("send banner"))?;
        let mut buf = vec![0u8; 16 << 10];
        while !hs.is_done() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::TimedOut(format!("handshake with {peer}")));
            }
            stream.set_read_timeout(Some(left)).map_err(io("timeout"))?;
            let n = stream.read(&mut buf).map_err(io("handshake read"))?;
            if n == 0 {
                return Err(Error::Remote { errno: libc::ECONNRESET, context: format!("{peer} closed the handshake") });
            }
            hs.receiver().feed(&buf[..n]);
            let out = hs.advance()?;
            if !out.is_empty() {
                stream.write_all(&out).map_err(io("handshake write"))?;
            }
        }
        stream.set_read_timeout(None).map_err(io("timeout"))?;
        let Established { sender, receiver, peer_features, addr_for_me, global_id, secure, .. } = hs.finish()?;
        let conn = Arc::new(Connection {
            peer_type,
            peer,
            peer_features,
            secure,
            addr_for_me,
            global_id,
            writer: Mutex::new(Writer { stream: stream.try_clone().map_err(io("clone"))?, sender, out_seq: 0 }),
            outbox: Mutex::new(std::collections::VecDeque::new()),
            in_seq: AtomicU64::new(0),
            closed: AtomicBool::new(false),
            last_keepalive_ack: Mutex::new(Instant::now()),
        });
        let reader_conn = conn.clone();
        std::thread::Builder::new()
            .name(format!("cephrs-{}", peer_type.as_str()))
            .spawn(move || reader_conn.read_loop(stream, receiver, dispatcher))
            .map_err(io("spawn reader"))?;
        Ok(conn)
    }

    fn writer(&self) -> MutexGuard<'_, Writer> {
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Sends a message (after the queued ones); ENOTCONN once the connection
    /// is closed.
    pub fn send(&self, msg: &Message) -> Result<()> {
        self.check_open()?;
        let mut w = self.writer();
        let r = self.drain(&mut w).and_then(|()| self.write_message(&mut w, msg));
        drop(w);
        if r.is_err() {
            self.close();
        }
        r
    }

    /// Queues a message to go out at the next `flush` (or before the next
    /// `send`), in queue order: a caller can queue under its own lock, which
    /// orders messages, and write them after releasing it.
    pub fn enqueue(&self, msg: Message) {
        self.outbox.lock().unwrap_or_else(|e| e.into_inner()).push_back(msg);
    }

    /// Writes the queued messages; ENOTCONN once the connection is closed.
    pub fn flush(&self) -> Result<()> {
        if self.outbox.lock().unwrap_or_else(|e| e.into_inner()).is_empty() {
            return Ok(());
        }
        self.check_open()?;
        let mut w = self.writer();
        let r = self.drain(&mut w);
        drop(w);
        if r.is_err() {
            self.close();
        }
        r
    }

    fn check_open(&self) -> Result<()> {
        if self.is_closed() {
            return Err(Error::Remote {
                errno: libc::ENOTCONN,
                context: format!("connection to {} closed", self.peer),
            });
        }
        Ok(())
    }

    /// Writes the queued messages, in order (the writer lock held).
    fn drain(&self, w: &mut Writer) -> Result<()> {
        loop {
            let next = self.outbox.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
            match next {
                Some(m) => self.write_message(w, &m)?,
                None => return Ok(()),
            }
        }
    }

    fn write_message(&self, w: &mut Writer, msg: &Message) -> Result<()> {
        w.out_seq += 1;
        // ceph_msg_header2; data_pre_padding_len, data_off, flags and reserved stay 0
        let mut header = [0u8; HEADER2_LEN];
        header[0..8].copy_from_slice(&w.out_seq.to_le_bytes());
        header[8..16].copy_from_slice(&msg.tid.to_le_bytes());
        header[16..18].copy_from_slice(&msg.kind.to_le_bytes());
        header[18..20].copy_from_slice(&msg.priority.to_le_bytes());
        header[20..22].copy_from_slice(&msg.version.to_le_bytes());
        header[28..36].copy_from_slice(&self.in_seq.load(Ordering::Acquire).to_le_bytes());
        header[37..39].copy_from_slice(&msg.compat_version.to_le_bytes());
        let segments: [&[u8]; 4] = [&header, &msg.front, &msg.middle, &msg.data];
        let wire = w.sender.encode_parts_with(tag::MESSAGE, &segments, msg.data.known_crc32c());
        let mut parts = wire.pieces(&segments).map(IoSlice::new);
        write_all_vectored(&mut w.stream, &mut parts).map_err(io("send"))
    }

    /// Sends a keepalive (the peer answers with KEEPALIVE2_ACK).
    pub fn keepalive(&self) -> Result<()> {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let mut stamp = Vec::with_capacity(8);
        stamp.extend_from_slice(&(now.as_secs() as u32).to_le_bytes());
        stamp.extend_from_slice(&now.subsec_nanos().to_le_bytes());
        self.send_control(tag::KEEPALIVE2, &stamp)
    }

    /// When the peer last answered a keepalive.
    pub fn last_keepalive_ack(&self) -> Instant {
        *self.last_keepalive_ack.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn send_control(&self, t: u8, body: &[u8]) -> Result<()> {
        if self.is_closed() {
            return Err(Error::Remote { errno: libc::ENOTCONN, context: "connection closed".into() });
        }
        let mut w = self.writer();
        let mut wire = Vec::new();
        w.sender.encode(t, &[body], &mut wire);
        w.stream.write_all(&wire).map_err(io("send"))
    }

    /// Closes the connection; the reader stops and reports a fault once.
    pub fn close(&self) {
        if !self.closed.swap(true, Ordering::AcqRel) {
            let _ = self.writer().stream.shutdown(std::net::Shutdown::Both);
        }
    }

    fn read_loop(
        self: Arc<Connection>,
        mut stream: TcpStream,
        mut receiver: super::frames::FrameReceiver,
        dispatcher: Arc<dyn Dispatcher>,
    ) {
        let err = loop {
            match receiver.read_from(&mut stream) {
                Ok(0) => break Error::Remote { errno: libc::ECONNRESET, context: format!("{} closed", self.peer) },
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => break io("receive")(e),
            }
            let mut failed = None;
            loop {
                match receiver.next_frame() {
                    Ok(Some(frame)) => {
                        if let Err(e) = self.handle_frame(frame, &dispatcher) {
                            failed = Some(e);
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            dispatcher.read_done();
            if let Some(e) = failed {
                break e;
            }
            if self.is_closed() {
                break Error::Remote { errno: libc::ENOTCONN, context: "closed".into() };
            }
        };
        self.close();
        dispatcher.fault(&self, &err);
    }

    fn handle_frame(
        self: &Arc<Connection>,
        frame: super::frames::Frame,
        dispatcher: &Arc<dyn Dispatcher>,
    ) -> Result<()> {
        match frame.tag {
            tag::MESSAGE => {
                let super::frames::Frame { control: header, payload: [front, middle, data], .. } = frame;
                if header.len() < HEADER2_LEN {
                    return Err(Error::Corrupt("short message header".into()));
                }
                let mut d = Decoder::new(&header);
                let seq = d.u64()?;
                let tid = d.u64()?;
                let kind = d.u16()?;
                let priority = d.u16()?;
                let version = d.u16()?;
                let _pad = d.u32()?;
                let _data_off = d.u16()?;
                let _ack = d.u64()?;
                let _flags = d.u8()?;
                let compat_version = d.u16()?;
                let last = self.in_seq.load(Ordering::Acquire);
                if seq <= last {
                    return Ok(()); // an old message, already seen
                }
                self.in_seq.store(seq, Ordering::Release);
                let msg =
                    Message { kind, version, compat_version, priority, tid, seq, front, middle, data: data.into() };
                dispatcher.message(self, msg);
            }
            tag::KEEPALIVE2 => self.send_control(tag::KEEPALIVE2_ACK, frame.control())?,
            tag::KEEPALIVE2_ACK => *self.last_keepalive_ack.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now(),
            tag::ACK => {}
            other => return Err(Error::Corrupt(format!("unexpected frame {other} on an open session"))),
        }
        Ok(())
    }
}

impl super::frames::Receive for TcpStream {
    fn receive_uninit(&mut self, out: &mut [std::mem::MaybeUninit<u8>]) -> std::io::Result<usize> {
        use std::os::fd::AsRawFd;
        // SAFETY: the kernel writes at most out.len() bytes into `out`, which
        // is valid for writes of that many; the count it returns is what it wrote.
        let n = unsafe { libc::recv(self.as_raw_fd(), out.as_mut_ptr().cast(), out.len(), 0) };
        if n < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(n as usize)
    }
}
