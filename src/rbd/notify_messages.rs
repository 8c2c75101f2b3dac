//! The messages image handles exchange through the header watch
//! (`librbd/WatchNotifyTypes`, Pacific's version 7): lock hand-over, header
//! updates, and the operations a client asks the lock owner to run for it
//! (resize, snapshots) with their completion.

use crate::cls::rbd::snapshot::SnapshotNamespace;
use crate::denc::{encode_versioned, Decode, Decoder, Encode};
use crate::error::Result;

/// Who sends a lock message: the client's global id and its watch handle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
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

/// Names one asynchronous request: the requester and its number for it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AsyncRequestId {
    pub client: ClientId,
    pub request_id: u64,
}

impl Encode for AsyncRequestId {
    fn encode(&self, o: &mut Vec<u8>) {
        self.client.encode(o);
        self.request_id.encode(o);
    }
}

impl Decode for AsyncRequestId {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        Ok(AsyncRequestId { client: ClientId::decode(d)?, request_id: d.u64()? })
    }
}

/// A snapshot named in a request (`SnapPayloadBase`), with the request's id
/// (since version 7 every snapshot request is asynchronous).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SnapRef {
    pub name: String,
    pub namespace: SnapshotNamespace,
    pub request: AsyncRequestId,
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
    /// The owner finished an asynchronous request with `result`.
    AsyncComplete {
        request: AsyncRequestId,
        result: i32,
    },
    Resize {
        size: u64,
        request: AsyncRequestId,
        allow_shrink: bool,
    },
    SnapCreate {
        snap: SnapRef,
        flags: u64,
    },
    SnapRemove(SnapRef),
    SnapRename {
        snap_id: u64,
        new: SnapRef,
    },
    SnapProtect(SnapRef),
    SnapUnprotect(SnapRef),
    /// Any other operation (flatten, rename, features…): acknowledged only.
    Other(u32),
}

const ACQUIRED_LOCK: u32 = 0;
const RELEASED_LOCK: u32 = 1;
const REQUEST_LOCK: u32 = 2;
const HEADER_UPDATE: u32 = 3;
const ASYNC_COMPLETE: u32 = 5;
const RESIZE: u32 = 7;
const SNAP_CREATE: u32 = 8;
const SNAP_REMOVE: u32 = 9;
const SNAP_RENAME: u32 = 11;
const SNAP_PROTECT: u32 = 12;
const SNAP_UNPROTECT: u32 = 13;

impl SnapRef {
    fn encode(&self, o: &mut Vec<u8>) {
        self.name.encode(o);
        self.namespace.encode(o);
        self.request.encode(o);
    }

    /// `SnapPayloadBase` of message version `v`; a version-5 snapshot
    /// creation has its namespace after the name (`create`).
    fn decode(v: u8, d: &mut Decoder<'_>, create: bool) -> Result<SnapRef> {
        let name = d.string()?;
        let namespace =
            if v >= 6 || (v == 5 && create) { SnapshotNamespace::decode(d)? } else { SnapshotNamespace::user() };
        let request = if v >= 7 { AsyncRequestId::decode(d)? } else { AsyncRequestId::default() };
        Ok(SnapRef { name, namespace, request })
    }
}

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
            NotifyMessage::AsyncComplete { request, result } => {
                ASYNC_COMPLETE.encode(o);
                request.encode(o);
                result.encode(o);
            }
            NotifyMessage::Resize { size, request, allow_shrink } => {
                RESIZE.encode(o);
                size.encode(o);
                request.encode(o);
                allow_shrink.encode(o);
            }
            NotifyMessage::SnapCreate { snap, flags } => {
                SNAP_CREATE.encode(o);
                snap.encode(o);
                flags.encode(o);
            }
            NotifyMessage::SnapRemove(snap) => {
                SNAP_REMOVE.encode(o);
                snap.encode(o);
            }
            NotifyMessage::SnapRename { snap_id, new } => {
                SNAP_RENAME.encode(o);
                snap_id.encode(o);
                new.encode(o);
            }
            NotifyMessage::SnapProtect(snap) => {
                SNAP_PROTECT.encode(o);
                snap.encode(o);
            }
            NotifyMessage::SnapUnprotect(snap) => {
                SNAP_UNPROTECT.encode(o);
                snap.encode(o);
            }
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
                ASYNC_COMPLETE => {
                    NotifyMessage::AsyncComplete { request: AsyncRequestId::decode(d)?, result: d.i32()? }
                }
                RESIZE => {
                    let size = d.u64()?;
                    let request = AsyncRequestId::decode(d)?;
                    let allow_shrink = if v >= 4 { d.u8()? != 0 } else { true };
                    NotifyMessage::Resize { size, request, allow_shrink }
                }
                SNAP_CREATE => {
                    let snap = SnapRef::decode(v, d, true)?;
                    let flags = if v >= 7 { d.u64()? } else { 0 };
                    NotifyMessage::SnapCreate { snap, flags }
                }
                SNAP_REMOVE => NotifyMessage::SnapRemove(SnapRef::decode(v, d, false)?),
                SNAP_RENAME => {
                    let snap_id = d.u64()?;
                    NotifyMessage::SnapRename { snap_id, new: SnapRef::decode(v, d, false)? }
                }
                SNAP_PROTECT => NotifyMessage::SnapProtect(SnapRef::decode(v, d, false)?),
                SNAP_UNPROTECT => NotifyMessage::SnapUnprotect(SnapRef::decode(v, d, false)?),
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

    fn snap(name: &str) -> SnapRef {
        let request = AsyncRequestId { client: ClientId { gid: 1, handle: 2 }, request_id: 3 };
        SnapRef { name: name.into(), namespace: SnapshotNamespace::user(), request }
    }

    #[test]
    fn snap_create_reads_as_upstream_writes_it() {
        // NotifyMessage v7: op 8, name "ab", user namespace, request
        // (gid 5, handle 6, id 7), flags 0
        let mut body = Vec::new();
        8u32.encode(&mut body);
        "ab".to_string().encode(&mut body);
        body.extend_from_slice(&[1, 1, 4, 0, 0, 0, 0, 0, 0, 0]);
        for n in [5u64, 6, 7, 0] {
            n.encode(&mut body);
        }
        let mut bytes = vec![7, 1];
        bytes.extend_from_slice(&(body.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&body);
        let m = NotifyMessage::from_bytes(&bytes).unwrap();
        let request = AsyncRequestId { client: ClientId { gid: 5, handle: 6 }, request_id: 7 };
        assert_eq!(
            m,
            NotifyMessage::SnapCreate {
                snap: SnapRef { name: "ab".into(), namespace: SnapshotNamespace::user(), request },
                flags: 0,
            }
        );
        assert_eq!(m.to_bytes(), bytes);
    }

    #[test]
    fn round_trip() {
        for m in [
            NotifyMessage::AcquiredLock(ClientId { gid: 4139, handle: 94 }),
            NotifyMessage::RequestLock { client: ClientId { gid: 1, handle: 2 }, force: true },
            NotifyMessage::HeaderUpdate,
            NotifyMessage::AsyncComplete {
                request: AsyncRequestId { client: ClientId { gid: 1, handle: 2 }, request_id: 3 },
                result: -2,
            },
            NotifyMessage::Resize { size: 1 << 30, request: AsyncRequestId::default(), allow_shrink: false },
            NotifyMessage::SnapCreate {
                snap: SnapRef {
                    name: "s".into(),
                    namespace: SnapshotNamespace::user(),
                    request: AsyncRequestId { client: ClientId { gid: 7, handle: 8 }, request_id: 9 },
                },
                flags: 1,
            },
            NotifyMessage::SnapRemove(snap("s")),
            NotifyMessage::SnapRename { snap_id: 4, new: snap("t") },
            NotifyMessage::SnapProtect(snap("s")),
            NotifyMessage::SnapUnprotect(snap("s")),
        ] {
            assert_eq!(NotifyMessage::from_bytes(&m.to_bytes()).unwrap(), m);
        }
        assert_eq!(decode_response(&response(-16)), Some(-16));
    }
}
