//! The client side of a msgr2.1 connection handshake, sans I/O: banners,
//! HELLO, authentication (the cephx exchange with a monitor, an authorizer
//! with challenge for other services, or none), the signatures over the
//! pre-auth bytes, the switch to crc or secure mode, and CLIENT_IDENT /
//! SERVER_IDENT. Feed received bytes to `receiver()`, call `advance`, send
//! what it returns; when `is_done`, `finish` gives the open session's codecs.

use std::sync::{Arc, Mutex};

use super::cephx::{name_and_global_id, Authorizer, CephxClient, AUTH_CEPHX, AUTH_MODE_MON, AUTH_NONE};
use super::crypto::{hmac_sha256, random_u64, GcmStream};
use super::frames::{tag, Frame, FrameReceiver, FrameSender};
use crate::config::{EntityName, EntityType};
use crate::denc::{put_bytes, Decode, Decoder, Encode, EntityAddr};
use crate::error::{Error, Result};

const BANNER: &[u8; 8] = b"ceph v2\n";
/// msgr2 feature bits: revision 1 of the protocol.
const MSGR2_REVISION_1: u64 = 1;
/// `ms_mode`: crc or secure.
pub const CON_MODE_CRC: u32 = 1;
pub const CON_MODE_SECURE: u32 = 2;

/// How this client authenticates.
#[derive(Clone)]
pub enum Credentials {
    None(EntityName),
    Cephx(Arc<Mutex<CephxClient>>),
}

/// What the handshake learned, handed to the session.
pub struct Established {
    pub sender: FrameSender,
    pub receiver: FrameReceiver,
    /// The peer's features, global id and session cookie.
    pub peer_features: u64,
    pub peer_global_id: u64,
    pub server_cookie: u64,
    pub client_cookie: u64,
    /// Our address as the peer saw it.
    pub addr_for_me: EntityAddr,
    /// The global id the monitor gave us (monitor sessions only).
    pub global_id: Option<u64>,
    pub lossy: bool,
    pub secure: bool,
}

#[derive(Debug, PartialEq, Eq)]
enum State {
    BannerPrefix,
    BannerPayload(usize),
    Hello,
    Auth,
    AuthSignature,
    SessionConnect,
    Done,
}

/// One connection's handshake.
pub struct Handshake {
    state: State,
    peer_type: EntityType,
    peer_addr: EntityAddr,
    credentials: Credentials,
    /// Connection modes we accept, preferred first.
    modes: Vec<u32>,
    features: u64,
    my_nonce: u32,
    global_id: u64,
    sender: FrameSender,
    receiver: FrameReceiver,
    /// Bytes we sent before authentication finished (the peer signs them).
    sent: Vec<u8>,
    authorizer: Option<Authorizer>,
    session_key: Vec<u8>,
    client_cookie: u64,
    addr_for_me: EntityAddr,
    mon_global_id: Option<u64>,
    secure: bool,
    result: Option<Established>,
}

impl Handshake {
    /// A handshake with `peer_addr` (a `peer_type` daemon); `features` are
    /// the Ceph features we support; `global_id` is ours (0 before the first
    /// monitor session).
    pub fn new(
        peer_type: EntityType,
        peer_addr: EntityAddr,
        credentials: Credentials,
        modes: Vec<u32>,
        features: u64,
        my_nonce: u32,
        global_id: u64,
    ) -> Handshake {
        let mut receiver = FrameReceiver::new();
        receiver.set_recording(true);
        Handshake {
            state: State::BannerPrefix,
            peer_type,
            peer_addr,
            credentials,
            modes,
            features,
            my_nonce,
            global_id,
            sender: FrameSender::new(),
            receiver,
            sent: Vec::new(),
            authorizer: None,
            session_key: Vec::new(),
            client_cookie: random_u64() | 1,
            addr_for_me: EntityAddr::default(),
            mon_global_id: None,
            secure: false,
            result: None,
        }
    }

    /// Our banner: the first bytes to send.
    pub fn start(&mut self) -> Vec<u8> {
        let mut out = BANNER.to_vec();
        16u16.encode(&mut out);
        MSGR2_REVISION_1.encode(&mut out);
        MSGR2_REVISION_1.encode(&mut out);
        self.sent.extend_from_slice(&out);
        out
    }

    pub fn receiver(&mut self) -> &mut FrameReceiver {
        &mut self.receiver
    }

    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The open session (after `is_done`).
    pub fn finish(mut self) -> Result<Established> {
        self.result.take().ok_or_else(|| Error::Corrupt("handshake not finished".into()))
    }

    /// Consumes what was received; returns bytes to send. Errors end the
    /// connection: EACCES/EPERM for authentication, EBADMSG for protocol faults.
    pub fn advance(&mut self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        loop {
            match self.state {
                State::BannerPrefix => {
                    let Some(prefix) = self.receiver.take_raw(10) else { break };
                    if &prefix[..8] != BANNER {
                        return Err(protocol("peer does not speak msgr2 (bad banner)"));
                    }
                    let len = u16::from_le_bytes([prefix[8], prefix[9]]) as usize;
                    self.state = State::BannerPayload(len);
                }
                State::BannerPayload(len) => {
                    let Some(payload) = self.receiver.take_raw(len) else { break };
                    let mut d = Decoder::new(&payload);
                    let supported = d.u64()?;
                    let required = d.u64()?;
                    if required & !MSGR2_REVISION_1 != 0 || supported & MSGR2_REVISION_1 == 0 {
                        return Err(protocol(format!("peer's msgr2 features {supported:#x}/{required:#x}")));
                    }
                    let mut hello = vec![EntityType::Client as u8];
                    self.peer_addr.encode(&mut hello);
                    self.send(tag::HELLO, &hello, &mut out, true);
                    self.state = State::Hello;
                }
                _ => {
                    let Some(frame) = self.receiver.next_frame()? else { break };
                    self.handle(frame, &mut out)?;
                    if self.state == State::Done {
                        break;
                    }
                }
            }
        }
        Ok(out)
    }

    fn send(&mut self, t: u8, control: &[u8], out: &mut Vec<u8>, signed: bool) {
        let start = out.len();
        self.sender.encode(t, &[control], out);
        if signed {
            self.sent.extend_from_slice(&out[start..]);
        }
    }

    fn auth_request(&mut self) -> Result<Vec<u8>> {
        let mut req = Vec::new();
        match &self.credentials {
            Credentials::None(name) => {
                AUTH_NONE.encode(&mut req);
                self.modes.encode(&mut req);
                // auth_none: the monitor gets the mon request, others an authorizer (v1) of the same shape
                let lead = if self.peer_type == EntityType::Mon { AUTH_MODE_MON } else { 1 };
                put_bytes(&mut req, &name_and_global_id(lead, name, self.global_id));
            }
            Credentials::Cephx(cephx) => {
                AUTH_CEPHX.encode(&mut req);
                self.modes.encode(&mut req);
                if self.peer_type == EntityType::Mon {
                    let c = cephx.lock().unwrap_or_else(|e| e.into_inner());
                    put_bytes(&mut req, &CephxClient::mon_request(c.name(), self.global_id));
                } else {
                    let a = cephx.lock().unwrap_or_else(|e| e.into_inner()).authorizer(self.peer_type)?;
                    put_bytes(&mut req, &a.bytes);
                    self.authorizer = Some(a);
                }
            }
        }
        Ok(req)
    }

    fn handle(&mut self, frame: Frame, out: &mut Vec<u8>) -> Result<()> {
        let mut d = Decoder::new(frame.control());
        match (&self.state, frame.tag) {
            (State::Hello, tag::HELLO) => {
                let peer_type = d.u8()?;
                if peer_type != self.peer_type as u8 {
                    return Err(protocol(format!("peer is entity type {peer_type}, not {:?}", self.peer_type)));
                }
                self.addr_for_me = EntityAddr::decode(&mut d)?;
                let req = self.auth_request()?;
                self.send(tag::AUTH_REQUEST, &req, out, true);
                self.state = State::Auth;
            }
            (State::Auth, tag::AUTH_REPLY_MORE) => {
                let payload = d.bytes()?;
                let more = match (&self.credentials, &mut self.authorizer) {
                    (_, Some(a)) => {
                        a.add_challenge(payload)?;
                        a.bytes.clone()
                    }
                    (Credentials::Cephx(cephx), None) => {
                        cephx.lock().unwrap_or_else(|e| e.into_inner()).handle_server_challenge(payload)?
                    }
                    (Credentials::None(_), None) => return Err(protocol("auth_none: unexpected AUTH_REPLY_MORE")),
                };
                let mut req = Vec::new();
                put_bytes(&mut req, &more);
                self.send(tag::AUTH_REQUEST_MORE, &req, out, true);
            }
            (State::Auth, tag::AUTH_BAD_METHOD) => {
                let method = d.u32()?;
                let result = d.i32()?;
                let allowed_methods = Vec::<u32>::decode(&mut d)?;
                let allowed_modes = Vec::<u32>::decode(&mut d)?;
                return Err(Error::PermissionDenied(format!(
                    "{:?} refused auth method {method} ({result}); it allows methods {allowed_methods:?}, modes {allowed_modes:?} (we offer modes {:?})",
                    self.peer_type, self.modes
                )));
            }
            (State::Auth, tag::AUTH_DONE) => {
                let global_id = d.u64()?;
                let mode = d.u32()?;
                let payload = d.bytes()?;
                let (session_key, con_secret) = match (&self.credentials, &self.authorizer) {
                    (_, Some(a)) => a.verify_reply(payload).map(|(secret, key)| (key, secret))?,
                    (Credentials::Cephx(cephx), None) => {
                        let r = cephx.lock().unwrap_or_else(|e| e.into_inner()).handle_done(global_id, payload)?;
                        self.mon_global_id = Some(global_id);
                        r
                    }
                    (Credentials::None(_), None) => {
                        self.mon_global_id = (self.peer_type == EntityType::Mon).then_some(global_id);
                        (Vec::new(), Vec::new())
                    }
                };
                if !self.modes.contains(&mode) {
                    return Err(protocol(format!("peer chose connection mode {mode}, we offered {:?}", self.modes)));
                }
                self.receiver.set_recording(false);
                let received = self.receiver.take_recorded();
                if mode == CON_MODE_SECURE {
                    if con_secret.len() < 16 + 24 {
                        return Err(protocol("secure mode without a connection secret"));
                    }
                    self.receiver.set_secure(GcmStream::new(&con_secret[..16], &con_secret[16..28])?);
                    self.sender.set_secure(GcmStream::new(&con_secret[..16], &con_secret[28..40])?);
                    self.secure = true;
                }
                let signature =
                    if session_key.is_empty() { [0u8; 32] } else { hmac_sha256(&session_key, &[&received]) };
                self.session_key = session_key;
                self.send(tag::AUTH_SIGNATURE, &signature, out, false);
                self.state = State::AuthSignature;
            }
            (State::AuthSignature, tag::AUTH_SIGNATURE) => {
                let theirs = d.take(32)?;
                let want =
                    if self.session_key.is_empty() { [0u8; 32] } else { hmac_sha256(&self.session_key, &[&self.sent]) };
                if theirs != want {
                    return Err(protocol("bad auth signature from the peer"));
                }
                let mut ident = vec![2u8];
                1u32.encode(&mut ident);
                let me = EntityAddr {
                    kind: EntityAddr::TYPE_ANY,
                    nonce: self.my_nonce,
                    addr: self.addr_for_me.addr.map(|mut a| {
                        a.set_port(0);
                        a
                    }),
                };
                me.encode(&mut ident);
                self.peer_addr.encode(&mut ident);
                self.mon_global_id.unwrap_or(self.global_id).encode(&mut ident);
                1u64.encode(&mut ident); // global_seq
                self.features.encode(&mut ident);
                0u64.encode(&mut ident); // required features
                0u64.encode(&mut ident); // flags
                self.client_cookie.encode(&mut ident);
                self.send(tag::CLIENT_IDENT, &ident, out, false);
                self.state = State::SessionConnect;
            }
            (State::SessionConnect, tag::SERVER_IDENT) => {
                let _addrs = EntityAddr::decode_vec(&mut d)?;
                let peer_global_id = d.u64()?;
                let _global_seq = d.u64()?;
                let peer_features = d.u64()?;
                let _required = d.u64()?;
                let flags = d.u64()?;
                let server_cookie = d.u64()?;
                self.state = State::Done;
                self.result = Some(Established {
                    sender: std::mem::take(&mut self.sender),
                    receiver: std::mem::take(&mut self.receiver),
                    peer_features,
                    peer_global_id,
                    server_cookie,
                    client_cookie: self.client_cookie,
                    addr_for_me: self.addr_for_me,
                    global_id: self.mon_global_id,
                    lossy: flags & 1 != 0,
                    secure: self.secure,
                });
            }
            (State::SessionConnect, tag::IDENT_MISSING_FEATURES) => {
                let missing = d.u64()?;
                return Err(Error::NotSupported(format!("peer requires features we lack: {missing:#x}")));
            }
            (_, tag::WAIT) => return Err(Error::Busy("peer asked us to wait (connection race)".into())),
            (state, t) => return Err(protocol(format!("unexpected frame {t} in handshake state {state:?}"))),
        }
        Ok(())
    }
}

fn protocol(what: impl Into<String>) -> Error {
    Error::Remote { errno: libc::EBADMSG, context: what.into() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rados::cluster::crypto::CryptoKey;

    /// A scripted server for `auth_none` in crc mode.
    #[test]
    fn auth_none_handshake_in_memory() {
        let peer: std::net::SocketAddr = "127.0.0.1:3300".parse().unwrap();
        let peer_addr = EntityAddr::new(EntityAddr::TYPE_MSGR2, peer, 0);
        let mut hs = Handshake::new(
            EntityType::Mon,
            peer_addr,
            Credentials::None(EntityName::client("admin")),
            vec![CON_MODE_CRC],
            0x3f,
            77,
            0,
        );
        let banner = hs.start();
        assert_eq!(&banner[..8], BANNER);
        let mut server_tx = FrameSender::new();
        let mut server_rx = FrameReceiver::new();
        // server banner
        let mut wire = banner.clone();
        wire[18..26].copy_from_slice(&0u64.to_le_bytes());
        hs.receiver().feed(&wire);
        let out = hs.advance().unwrap();
        server_rx.feed(&out);
        let hello = server_rx.next_frame().unwrap().unwrap();
        assert_eq!(hello.tag, tag::HELLO);
        assert_eq!(hello.control()[0], EntityType::Client as u8);
        // server hello: it is a monitor; we are 127.0.0.1:40000
        let mut w = Vec::new();
        let mut body = vec![EntityType::Mon as u8];
        EntityAddr::new(EntityAddr::TYPE_MSGR2, "127.0.0.1:40000".parse().unwrap(), 0).encode(&mut body);
        server_tx.encode(tag::HELLO, &[&body], &mut w);
        hs.receiver().feed(&w);
        let out = hs.advance().unwrap();
        server_rx.feed(&out);
        let req = server_rx.next_frame().unwrap().unwrap();
        assert_eq!(req.tag, tag::AUTH_REQUEST);
        let mut d = Decoder::new(req.control());
        assert_eq!(d.u32().unwrap(), AUTH_NONE);
        // auth done, global id 4100, crc mode, then the zero signature
        let mut body = Vec::new();
        4100u64.encode(&mut body);
        CON_MODE_CRC.encode(&mut body);
        0u32.encode(&mut body);
        let mut w = Vec::new();
        server_tx.encode(tag::AUTH_DONE, &[&body], &mut w);
        server_tx.encode(tag::AUTH_SIGNATURE, &[&[0u8; 32]], &mut w);
        hs.receiver().feed(&w);
        let out = hs.advance().unwrap();
        server_rx.feed(&out);
        assert_eq!(server_rx.next_frame().unwrap().unwrap().tag, tag::AUTH_SIGNATURE);
        let ident = server_rx.next_frame().unwrap().unwrap();
        assert_eq!(ident.tag, tag::CLIENT_IDENT);
        let mut d = Decoder::new(ident.control());
        let mine = EntityAddr::decode_vec(&mut d).unwrap();
        assert_eq!(mine[0].nonce, 77);
        assert_eq!(mine[0].addr.unwrap().to_string(), "127.0.0.1:0");
        let _peer = EntityAddr::decode(&mut d).unwrap();
        assert_eq!(d.u64().unwrap(), 4100);
        // server ident
        let mut body = vec![2u8];
        1u32.encode(&mut body);
        peer_addr.encode(&mut body);
        for v in [1u64, 5, 0x3f, 0, 1, 0] {
            v.encode(&mut body);
        }
        let mut w = Vec::new();
        server_tx.encode(tag::SERVER_IDENT, &[&body], &mut w);
        hs.receiver().feed(&w);
        hs.advance().unwrap();
        assert!(hs.is_done());
        let est = hs.finish().unwrap();
        assert_eq!(est.global_id, Some(4100));
        assert!(est.lossy);
        assert!(!est.secure);
    }

    /// The peer's signature over what we sent is checked: a wrong one ends the handshake.
    #[test]
    fn a_wrong_peer_signature_is_refused() {
        let peer = EntityAddr::new(EntityAddr::TYPE_MSGR2, "127.0.0.1:3300".parse().unwrap(), 0);
        let mut hs = Handshake::new(
            EntityType::Mon,
            peer,
            Credentials::None(EntityName::client("admin")),
            vec![CON_MODE_CRC],
            0,
            1,
            0,
        );
        let banner = hs.start();
        hs.receiver().feed(&banner);
        hs.advance().unwrap();
        let mut tx = FrameSender::new();
        let mut w = Vec::new();
        let mut body = vec![EntityType::Mon as u8];
        peer.encode(&mut body);
        tx.encode(tag::HELLO, &[&body], &mut w);
        let mut done = Vec::new();
        7u64.encode(&mut done);
        CON_MODE_CRC.encode(&mut done);
        0u32.encode(&mut done);
        tx.encode(tag::AUTH_DONE, &[&done], &mut w);
        tx.encode(tag::AUTH_SIGNATURE, &[&[1u8; 32]], &mut w);
        hs.receiver().feed(&w);
        assert!(matches!(hs.advance(), Err(Error::Remote { errno: libc::EBADMSG, .. })));
    }

    #[test]
    fn bad_banner_and_bad_method_are_errors() {
        let peer = EntityAddr::new(EntityAddr::TYPE_MSGR2, "127.0.0.1:3300".parse().unwrap(), 0);
        let key = CryptoKey { kind: 1, created: (0, 0), secret: vec![1; 16] };
        let cephx = Arc::new(Mutex::new(CephxClient::new(EntityName::client("admin"), key)));
        let mut hs =
            Handshake::new(EntityType::Mon, peer, Credentials::Cephx(cephx.clone()), vec![CON_MODE_SECURE], 0, 1, 0);
        hs.start();
        hs.receiver().feed(b"ceph v027\n");
        assert!(hs.advance().is_err());

        let mut hs = Handshake::new(EntityType::Mon, peer, Credentials::Cephx(cephx), vec![CON_MODE_SECURE], 0, 1, 0);
        let banner = hs.start();
        hs.receiver().feed(&banner);
        hs.advance().unwrap();
        let mut tx = FrameSender::new();
        let mut w = Vec::new();
        let mut body = vec![EntityType::Mon as u8];
        peer.encode(&mut body);
        tx.encode(tag::HELLO, &[&body], &mut w);
        let mut bad = Vec::new();
        AUTH_CEPHX.encode(&mut bad);
        (-95i32).encode(&mut bad);
        vec![2u32].encode(&mut bad);
        vec![1u32].encode(&mut bad);
        tx.encode(tag::AUTH_BAD_METHOD, &[&bad], &mut w);
        hs.receiver().feed(&w);
        assert!(matches!(hs.advance(), Err(Error::PermissionDenied(_))));
    }
}
