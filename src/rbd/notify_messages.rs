//! The messages image handles exchange through the header watch
//! (`librbd/WatchNotifyTypes`): lock hand-over and header updates.

use crate::denc::{encode_versioned, Decode, Decoder, Encode};
use crate::error::Result;

/// Who sends a lock message: the client's global id and its watch handle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientId {
    pub gid: u64,
    pub handle: u64,
}

impl Encode for ClientId {
    fn encode(&self, o: &mut Vec<u8>) {
        self.gid.encode(o);
        self.handle.encode(o);
    }
}

impl Decode for ClientId {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        Ok(ClientId { gid: d.u64()?, handle: d.u64()? })
    }
}

/// A notification on the header object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotifyMessage {
    AcquiredLock(ClientId),
    ReleasedLock(ClientId),
    RequestLock {
        client: ClientId,
        force: bool,
    },
    HeaderUpdate,
    /// Any operation this library does not act on (resize, snapshot…): acknowledged only.
    Other(u32),
}

const ACQUIRED_LOCK: u32 = 0;
const RELEASED_LOCK: u32 = 1;
const REQUEST_LOCK: u32 = 2;
const HEADER_UPDATE: u32 = 3;

impl Encode for NotifyMessage {
    fn encode(&self, o: &mut Vec<u8>) {
        encode_versioned(o, 7, 1, |o| match self {
            NotifyMessage::AcquiredLock(c) => {
                ACQUIRED_LOCK.encode(o);
                c.encode(o);
            }
            NotifyMessage::ReleasedLock(c) => {
                RELEASED_LOCK.encode(o);
                c.encode(o);
            }
            NotifyMessage::RequestLock { client, force } => {
                REQUEST_LOCK.encode(o);
                client.encode(o);
                force.encode(o);
            }
            NotifyMessage::HeaderUpdate => HEADER_UPDATE.encode(o),
            NotifyMessage::Other(op) => op.encode(o),
        });
    }
}

impl Decode for NotifyMessage {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(7, |v, d| {
            let op = d.u32()?;
            let client = |d: &mut Decoder<'_>| if v >= 2 { ClientId::decode(d) } else { Ok(ClientId::default()) };
            Ok(match op {
                ACQUIRED_LOCK => NotifyMessage::AcquiredLock(client(d)?),
                RELEASED_LOCK => NotifyMessage::ReleasedLock(client(d)?),
                REQUEST_LOCK => {
                    let c = client(d)?;
                    let force = if v >= 5 && !d.is_empty() { d.u8()? != 0 } else { false };
                    NotifyMessage::RequestLock { client: c, force }
                }
                HEADER_UPDATE => NotifyMessage::HeaderUpdate,
                other => NotifyMessage::Other(other),
            })
        })
    }
}

/// The answer to a notification (`ResponseMessage`).
pub fn response(result: i32) -> Vec<u8> {
    let mut o = Vec::new();
    encode_versioned(&mut o, 1, 1, |o| result.encode(o));
    o
}

/// Decodes a `ResponseMessage`.
pub fn decode_response(bytes: &[u8]) -> Option<i32> {
    Decoder::new(bytes).versioned(1, |_, d| d.i32()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for m in [
            NotifyMessage::AcquiredLock(ClientId { gid: 4139, handle: 94 }),
            NotifyMessage::RequestLock { client: ClientId { gid: 1, handle: 2 }, force: true },
            NotifyMessage::HeaderUpdate,
        ] {
            assert_eq!(NotifyMessage::from_bytes(&m.to_bytes()).unwrap(), m);
        }
        assert_eq!(decode_response(&response(-16)), Some(-16));
    }
}
