//! Snapshot records as cls rbd's `snapshot_get` answers them
//! (`cls::rbd::SnapshotInfo`). The client reads them from an OSD; the local
//! store serves no snapshot methods yet, as this library cannot create image
//! snapshots yet (a local image never has any).

use crate::denc::{encode_versioned, Decode, Decoder, Encode, UTime};
use crate::error::Result;

/// `cls::rbd::SnapshotNamespaceType`: user snapshots are the ones `rbd snap create` makes.
pub const NAMESPACE_USER: u32 = 0;

/// One snapshot of an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotInfo {
    pub id: u64,
    /// The namespace's type and the rest of its encoding, kept as read.
    pub namespace_type: u32,
    pub namespace_data: Vec<u8>,
    pub name: String,
    pub image_size: u64,
    pub timestamp: UTime,
    pub child_count: u32,
}

impl Encode for SnapshotInfo {
    fn encode(&self, o: &mut Vec<u8>) {
        encode_versioned(o, 1, 1, |o| {
            self.id.encode(o);
            encode_versioned(o, 1, 1, |o| {
                self.namespace_type.encode(o);
                o.extend_from_slice(&self.namespace_data);
            });
            self.name.encode(o);
            self.image_size.encode(o);
            self.timestamp.encode(o);
            self.child_count.encode(o);
        });
    }
}

impl Decode for SnapshotInfo {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        d.versioned(1, |_, d| {
            let id = d.u64()?;
            let (namespace_type, namespace_data) = d.versioned(1, |_, d| {
                let kind = d.u32()?;
                Ok((kind, d.take(d.remaining())?.to_vec()))
            })?;
            Ok(SnapshotInfo {
                id,
                namespace_type,
                namespace_data,
                name: d.string()?,
                image_size: d.u64()?,
                timestamp: UTime::decode(d)?,
                child_count: d.u32()?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_info_reads_an_osd_reply_and_writes_it_back() {
        // snapshot_get for user snapshot "s1" (id 4, 64 MiB), as an OSD answers
        let mut reply = vec![1, 1, 44, 0, 0, 0];
        reply.extend_from_slice(&4u64.to_le_bytes());
        reply.extend_from_slice(&[1, 1, 4, 0, 0, 0, 0, 0, 0, 0]);
        reply.extend_from_slice(&[2, 0, 0, 0, b's', b'1']);
        reply.extend_from_slice(&(64u64 << 20).to_le_bytes());
        reply.extend_from_slice(&[0x10, 0, 0, 0, 0x20, 0, 0, 0]);
        reply.extend_from_slice(&0u32.to_le_bytes());
        let info = SnapshotInfo::from_bytes(&reply).unwrap();
        assert_eq!(info.id, 4);
        assert_eq!(info.namespace_type, NAMESPACE_USER);
        assert_eq!(info.name, "s1");
        assert_eq!(info.image_size, 64 << 20);
        assert_eq!(info.timestamp, UTime { sec: 0x10, nsec: 0x20 });
        assert_eq!(info.to_bytes(), reply);
        for cut in 0..reply.len() {
            assert!(SnapshotInfo::from_bytes(&reply[..cut]).is_err(), "truncated at {cut}");
        }
    }
}
