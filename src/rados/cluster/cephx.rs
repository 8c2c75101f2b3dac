//! The cephx client, sans I/O: the monitor authentication exchange (server
//! challenge, session key request, tickets for the services we want, the
//! connection secret), service tickets and their renewal times, and the
//! authorizers that open sessions with OSDs and managers (with the server's
//! challenge). Formats: Ceph's `src/auth/cephx/CephxProtocol.h`; the Linux
//! kernel's `net/ceph/auth_x.c` is a compact second reading.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::crypto::{random_u64, CryptoKey};
use crate::config::{EntityName, EntityType};
use crate::denc::{put_bytes, Decode, Decoder, Encode};
use crate::error::{Error, Result};

/// Auth protocol numbers (`CEPH_AUTH_*`).
pub const AUTH_NONE: u32 = 1;
pub const AUTH_CEPHX: u32 = 2;
/// `AUTH_MODE_MON`: the payload of a monitor's first auth request.
pub const AUTH_MODE_MON: u8 = 10;

const GET_AUTH_SESSION_KEY: u16 = 0x0100;
const GET_PRINCIPAL_SESSION_KEY: u16 = 0x0200;
const ENC_MAGIC: u64 = 0xff00_9cad_8826_aa55;

/// The services a librados client wants tickets for.
pub const WANT_KEYS: u32 = EntityType::Mon as u32 | EntityType::Osd as u32 | EntityType::Mgr as u32;

fn denied(what: impl Into<String>) -> Error {
    Error::PermissionDenied(what.into())
}

/// `encode_encrypt`: a u32 length, then the ciphertext of (v1, magic, plain).
pub fn encode_encrypt(key: &CryptoKey, plain: &[u8], out: &mut Vec<u8>) -> Result<()> {
    let sealed = encrypt_enc(key, plain)?;
    (sealed.len() as u32).encode(out);
    out.extend_from_slice(&sealed);
    Ok(())
}

/// The ciphertext of (v1, magic, plain), without a length.
fn encrypt_enc(key: &CryptoKey, plain: &[u8]) -> Result<Vec<u8>> {
    let mut body = Vec::with_capacity(9 + plain.len());
    body.push(1);
    ENC_MAGIC.encode(&mut body);
    body.extend_from_slice(plain);
    key.encrypt(&body)
}

/// Decrypts ciphertext made by `encrypt_enc`; checks the magic.
fn decrypt_enc(key: &CryptoKey, sealed: &[u8]) -> Result<Vec<u8>> {
    let plain = key.decrypt(sealed)?;
    if plain.len() < 9 || u64::from_le_bytes(plain[1..9].try_into().expect("8 bytes")) != ENC_MAGIC {
        return Err(denied("cephx: bad magic after decryption (wrong key?)"));
    }
    Ok(plain[9..].to_vec())
}

/// `decode_decrypt`: a u32 length and ciphertext from `d`.
fn decode_decrypt(key: &CryptoKey, d: &mut Decoder<'_>) -> Result<Vec<u8>> {
    let sealed = d.bytes()?;
    decrypt_enc(key, sealed)
}

/// A service ticket: its session key and the opaque blob the service checks.
#[derive(Clone, Debug)]
pub struct Ticket {
    pub session_key: CryptoKey,
    pub secret_id: u64,
    pub blob: Vec<u8>,
    pub expires: Instant,
    pub renew_after: Instant,
}

/// `CephXTicketBlob`: v1, secret id, blob.
fn encode_ticket_blob(secret_id: u64, blob: &[u8], out: &mut Vec<u8>) {
    out.push(1);
    secret_id.encode(out);
    put_bytes(out, blob);
}

/// A lead byte (auth mode, or struct version), the entity name and the
/// global id: the monitor's first auth payload, and auth_none's authorizer.
pub fn name_and_global_id(lead: u8, name: &EntityName, global_id: u64) -> Vec<u8> {
    let mut out = vec![lead];
    (name.kind as u32).encode(&mut out);
    name.id.encode(&mut out);
    global_id.encode(&mut out);
    out
}

/// An authorizer for one session with a service: the bytes to send and what
/// is needed to answer the service's challenge and check its reply.
#[derive(Clone, Debug)]
pub struct Authorizer {
    pub bytes: Vec<u8>,
    session_key: CryptoKey,
    nonce: u64,
    /// Length of the part before the encrypted `authorize_b`.
    head_len: usize,
}

impl Authorizer {
    fn seal(&mut self, challenge: Option<u64>) -> Result<()> {
        let mut b = vec![2u8];
        self.nonce.encode(&mut b);
        b.push(challenge.is_some() as u8);
        challenge.map_or(0, |c| c.wrapping_add(1)).encode(&mut b);
        self.bytes.truncate(self.head_len);
        encode_encrypt(&self.session_key, &b, &mut self.bytes)
    }

    /// Answers the service's challenge (an AUTH_REPLY_MORE payload): the
    /// authorizer is sealed again with the challenge plus one.
    pub fn add_challenge(&mut self, payload: &[u8]) -> Result<()> {
        let plain = decrypt_enc(&self.session_key, payload)?;
        let mut d = Decoder::new(&plain);
        let _struct_v = d.u8()?;
        let challenge = d.u64()?;
        self.seal(Some(challenge))
    }

    /// Checks the service's reply (AUTH_DONE payload); returns the connection
    /// secret (empty when the service sent none) and the session key.
    pub fn verify_reply(&self, payload: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        let plain = decode_decrypt(&self.session_key, &mut Decoder::new(payload))?;
        let mut d = Decoder::new(&plain);
        let struct_v = d.u8()?;
        let nonce_plus_one = d.u64()?;
        if nonce_plus_one != self.nonce.wrapping_add(1) {
            return Err(denied("cephx: the service failed to prove it knows the ticket"));
        }
        let secret = if struct_v >= 2 { d.bytes()?.to_vec() } else { Vec::new() };
        Ok((secret, self.session_key.secret.clone()))
    }
}

/// The cephx state of one client: its secret, global id and tickets.
pub struct CephxClient {
    name: EntityName,
    secret: CryptoKey,
    pub global_id: u64,
    want: u32,
    tickets: HashMap<u32, Ticket>,
    server_challenge: u64,
}

impl CephxClient {
    pub fn new(name: EntityName, secret: CryptoKey) -> CephxClient {
        CephxClient { name, secret, global_id: 0, want: WANT_KEYS, tickets: HashMap::new(), server_challenge: 0 }
    }

    /// A client of the same entity and key with no tickets yet: for a
    /// separate, anonymous monitor session whose tickets must not replace ours.
    pub fn fresh(&self) -> CephxClient {
        CephxClient::new(self.name.clone(), self.secret.clone())
    }

    /// The first auth request payload to a monitor: mode, entity name, global id.
    pub fn mon_request(name: &EntityName, global_id: u64) -> Vec<u8> {
        name_and_global_id(AUTH_MODE_MON, name, global_id)
    }

    /// The monitor's first reply (its challenge) → the session key request.
    pub fn handle_server_challenge(&mut self, payload: &[u8]) -> Result<Vec<u8>> {
        let mut d = Decoder::new(payload);
        let _struct_v = d.u8()?;
        self.server_challenge = d.u64()?;
        self.session_key_request()
    }

    /// `CEPHX_GET_AUTH_SESSION_KEY` with the old auth ticket (secure global id
    /// reclaim) and the service keys we want.
    fn session_key_request(&self) -> Result<Vec<u8>> {
        let client_challenge = random_u64();
        let mut blob = Vec::new();
        self.server_challenge.encode(&mut blob);
        client_challenge.encode(&mut blob);
        let mut enc = Vec::new();
        encode_encrypt(&self.secret, &blob, &mut enc)?;
        let key = enc.chunks_exact(8).fold(0u64, |k, w| k ^ u64::from_le_bytes(w.try_into().expect("8 bytes")));
        let mut out = Vec::new();
        GET_AUTH_SESSION_KEY.encode(&mut out);
        out.push(3);
        client_challenge.encode(&mut out);
        key.encode(&mut out);
        match self.tickets.get(&(EntityType::Auth as u32)) {
            Some(t) => encode_ticket_blob(t.secret_id, &t.blob, &mut out),
            None => encode_ticket_blob(0, &[], &mut out),
        }
        (self.want & !(EntityType::Auth as u32)).encode(&mut out);
        Ok(out)
    }

    /// The monitor's final reply (AUTH_DONE): tickets, connection secret.
    /// Returns (session key, connection secret) for the monitor session.
    pub fn handle_done(&mut self, global_id: u64, payload: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        self.global_id = global_id;
        let mut d = Decoder::new(payload);
        let op = d.u16()?;
        let result = d.i32()?;
        if result != 0 {
            return Err(Error::remote(result, "cephx authentication"));
        }
        if op != GET_AUTH_SESSION_KEY {
            return Err(Error::Corrupt(format!("cephx reply op {op:#x}")));
        }
        let secret = self.secret.clone();
        self.read_tickets(&secret, &mut d)?;
        let auth = self.ticket(EntityType::Auth)?.session_key.clone();
        let mut con_secret = Vec::new();
        let blob = d.bytes()?;
        if !blob.is_empty() {
            let plain = decode_decrypt(&auth, &mut Decoder::new(blob))?;
            con_secret = Decoder::new(&plain).bytes()?.to_vec();
        }
        let services = d.bytes()?;
        if !services.is_empty() {
            self.read_tickets(&auth, &mut Decoder::new(services))?;
        }
        Ok((auth.secret.clone(), con_secret))
    }

    /// A ticket reply: v1, count, then per ticket its service, the session key
    /// sealed with `key`, and the blob (sealed with the previous session key or not).
    fn read_tickets(&mut self, key: &CryptoKey, d: &mut Decoder<'_>) -> Result<()> {
        let struct_v = d.u8()?;
        if struct_v != 1 {
            return Err(Error::Corrupt(format!("cephx ticket reply v{struct_v}")));
        }
        let count = d.u32()?;
        for _ in 0..count {
            let service = d.u32()?;
            let _v = d.u8()?;
            let plain = decode_decrypt(key, d)?;
            let mut p = Decoder::new(&plain);
            let _v = p.u8()?;
            let session_key = CryptoKey::decode(&mut p)?;
            let validity = Duration::new(u64::from(p.u32()?), p.u32()?);
            let encrypted = d.u8()? != 0;
            let blob_bytes = if encrypted {
                let old = self
                    .tickets
                    .get(&service)
                    .ok_or_else(|| Error::Corrupt("cephx: sealed ticket without a previous one".into()))?;
                let plain = decode_decrypt(&old.session_key, d)?;
                Decoder::new(&plain).bytes()?.to_vec()
            } else {
                d.bytes()?.to_vec()
            };
            let mut b = Decoder::new(&blob_bytes);
            let _v = b.u8()?;
            let secret_id = b.u64()?;
            let blob = b.bytes()?.to_vec();
            let now = Instant::now();
            self.tickets.insert(
                service,
                Ticket {
                    session_key,
                    secret_id,
                    blob,
                    expires: now + validity,
                    renew_after: now + validity - validity / 4,
                },
            );
        }
        Ok(())
    }

    pub fn ticket(&self, service: EntityType) -> Result<&Ticket> {
        self.tickets.get(&(service as u32)).ok_or_else(|| denied(format!("no cephx ticket for {}", service.as_str())))
    }

    /// An authorizer for a session with `service` (`CephXAuthorizer`).
    pub fn authorizer(&self, service: EntityType) -> Result<Authorizer> {
        let ticket = self.ticket(service)?;
        let mut bytes = vec![1u8];
        self.global_id.encode(&mut bytes);
        (service as u32).encode(&mut bytes);
        encode_ticket_blob(ticket.secret_id, &ticket.blob, &mut bytes);
        let head_len = bytes.len();
        let mut a = Authorizer { bytes, session_key: ticket.session_key.clone(), nonce: random_u64(), head_len };
        a.seal(None)?;
        Ok(a)
    }

    /// The earliest time a ticket should be renewed.
    pub fn renew_after(&self) -> Option<Instant> {
        self.tickets.values().map(|t| t.renew_after).min()
    }

    /// True when the auth ticket itself is due for renewal (a new
    /// authentication renews it).
    pub fn auth_due(&self, now: Instant) -> bool {
        self.tickets.get(&(EntityType::Auth as u32)).is_some_and(|t| now >= t.renew_after)
    }

    /// The service tickets due for renewal, as a want mask.
    pub fn due(&self, now: Instant) -> u32 {
        let mut need = 0;
        for service in [EntityType::Mon, EntityType::Osd, EntityType::Mgr] {
            let s = service as u32;
            if self.want & s != 0 && self.tickets.get(&s).is_none_or(|t| now >= t.renew_after) {
                need |= s;
            }
        }
        need
    }

    /// `CEPHX_GET_PRINCIPAL_SESSION_KEY` for the services in `need`, proven
    /// with an authorizer on the auth ticket (sent in an MAuth message).
    pub fn principal_request(&self, need: u32) -> Result<Vec<u8>> {
        let a = self.authorizer(EntityType::Auth)?;
        let mut out = Vec::new();
        GET_PRINCIPAL_SESSION_KEY.encode(&mut out);
        out.extend_from_slice(&a.bytes);
        out.push(1);
        need.encode(&mut out);
        Ok(out)
    }

    /// The reply to `principal_request`: new service tickets.
    pub fn handle_principal_reply(&mut self, payload: &[u8]) -> Result<()> {
        let mut d = Decoder::new(payload);
        let op = d.u16()?;
        let result = d.i32()?;
        if result != 0 {
            return Err(Error::remote(result, "cephx service ticket renewal"));
        }
        if op != GET_PRINCIPAL_SESSION_KEY {
            return Err(Error::Corrupt(format!("cephx reply op {op:#x}")));
        }
        let auth = self.ticket(EntityType::Auth)?.session_key.clone();
        self.read_tickets(&auth, &mut d)
    }

    pub fn name(&self) -> &EntityName {
        &self.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> CryptoKey {
        CryptoKey { kind: 1, created: (0, 0), secret: vec![b; 16] }
    }

    /// Builds what a monitor answers to a session key request.
    fn mon_reply(client_secret: &CryptoKey, auth_session: &CryptoKey, osd_session: &CryptoKey) -> Vec<u8> {
        fn ticket(out: &mut Vec<u8>, service: u32, seal: &CryptoKey, session: &CryptoKey, secret_id: u64) {
            service.encode(out);
            out.push(1);
            let mut plain = vec![1u8];
            session.encode(&mut plain);
            3600u32.encode(&mut plain);
            0u32.encode(&mut plain);
            encode_encrypt(seal, &plain, out).unwrap();
            out.push(0);
            let mut blob = vec![1u8];
            secret_id.encode(&mut blob);
            (b"opaque".len() as u32).encode(&mut blob);
            blob.extend_from_slice(b"opaque");
            (blob.len() as u32).encode(out);
            out.extend_from_slice(&blob);
        }
        let mut out = Vec::new();
        GET_AUTH_SESSION_KEY.encode(&mut out);
        0i32.encode(&mut out);
        out.push(1);
        1u32.encode(&mut out);
        ticket(&mut out, EntityType::Auth as u32, client_secret, auth_session, 7);
        let mut secret_plain = Vec::new();
        (40u32).encode(&mut secret_plain);
        secret_plain.extend_from_slice(&[0xab; 40]);
        let mut sealed = Vec::new();
        encode_encrypt(auth_session, &secret_plain, &mut sealed).unwrap();
        (sealed.len() as u32).encode(&mut out);
        out.extend_from_slice(&sealed);
        let mut services = vec![1u8];
        1u32.encode(&mut services);
        ticket(&mut services, EntityType::Osd as u32, auth_session, osd_session, 9);
        (services.len() as u32).encode(&mut out);
        out.extend_from_slice(&services);
        out
    }

    #[test]
    fn session_key_request_layout() {
        let mut c = CephxClient::new(EntityName::client("admin"), key(1));
        let mut challenge = vec![1u8];
        0x1122_3344_5566_7788u64.encode(&mut challenge);
        let req = c.handle_server_challenge(&challenge).unwrap();
        let mut d = Decoder::new(&req);
        assert_eq!(d.u16().unwrap(), GET_AUTH_SESSION_KEY);
        assert_eq!(d.u8().unwrap(), 3);
        let client_challenge = d.u64().unwrap();
        let k = d.u64().unwrap();
        // the proof: xor of the sealed (server, client) challenges
        let mut blob = Vec::new();
        0x1122_3344_5566_7788u64.encode(&mut blob);
        client_challenge.encode(&mut blob);
        let mut enc = Vec::new();
        encode_encrypt(&key(1), &blob, &mut enc).unwrap();
        let want = enc.chunks_exact(8).fold(0u64, |a, w| a ^ u64::from_le_bytes(w.try_into().unwrap()));
        assert_eq!(k, want);
        assert_eq!(d.take(13).unwrap(), &[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(d.u32().unwrap(), WANT_KEYS);
        assert!(d.is_empty());
        assert_eq!(CephxClient::mon_request(&EntityName::client("admin"), 0)[..5], [10, 8, 0, 0, 0]);
    }

    #[test]
    fn done_reply_gives_tickets_secret_and_authorizers() {
        let mut c = CephxClient::new(EntityName::client("admin"), key(1));
        let reply = mon_reply(&key(1), &key(2), &key(3));
        let (session, con_secret) = c.handle_done(4242, &reply).unwrap();
        assert_eq!(session, vec![2; 16]);
        assert_eq!(con_secret, vec![0xab; 40]);
        assert_eq!(c.ticket(EntityType::Osd).unwrap().secret_id, 9);
        assert_eq!(c.due(Instant::now()), (EntityType::Mon as u32) | (EntityType::Mgr as u32));

        // an OSD: challenge, then reply with nonce + 1 and a connection secret
        let mut a = c.authorizer(EntityType::Osd).unwrap();
        let mut d = Decoder::new(&a.bytes);
        assert_eq!(d.u8().unwrap(), 1);
        assert_eq!(d.u64().unwrap(), 4242);
        assert_eq!(d.u32().unwrap(), EntityType::Osd as u32);
        let mut ch = vec![1u8];
        99u64.encode(&mut ch);
        a.add_challenge(&encrypt_enc(&key(3), &ch).unwrap()).unwrap();
        let sealed_b = &a.bytes[a.head_len..];
        let b = decode_decrypt(&key(3), &mut Decoder::new(sealed_b)).unwrap();
        assert_eq!(b[9], 1);
        assert_eq!(u64::from_le_bytes(b[10..18].try_into().unwrap()), 100);
        let mut r = vec![2u8];
        a.nonce.wrapping_add(1).encode(&mut r);
        4u32.encode(&mut r);
        r.extend_from_slice(b"abcd");
        let mut reply = Vec::new();
        encode_encrypt(&key(3), &r, &mut reply).unwrap();
        assert_eq!(a.verify_reply(&reply).unwrap().0, b"abcd");
        let mut wrong = vec![2u8];
        a.nonce.encode(&mut wrong);
        let mut reply = Vec::new();
        encode_encrypt(&key(3), &wrong, &mut reply).unwrap();
        assert!(a.verify_reply(&reply).is_err());
    }

    #[test]
    fn wrong_secret_is_refused() {
        let mut c = CephxClient::new(EntityName::client("admin"), key(5));
        let reply = mon_reply(&key(1), &key(2), &key(3));
        assert!(matches!(c.handle_done(1, &reply), Err(Error::PermissionDenied(_))));
    }
}
