//! Reading an image's snapshots: the ids of the header's snapshot context,
//! described by cls rbd `snapshot_get`. (Creating, removing and reading from
//! snapshots are not provided yet.)

use super::image::{rbd_step, step_data, Image};
use crate::cls::rbd::snapshot::SnapshotInfo;
use crate::denc::{Decode, Encode};
use crate::error::{Error, Result};
use crate::rados::check;
use crate::rados::op::ObjectOperation;

impl Image {
    /// The image's snapshots, lowest id first (upstream lists its `snap_info`
    /// map in that order), in every namespace. One compound read of the header.
    /// Errors: EBADF once closed; the OSD's error for the header read.
    pub fn snapshots(&self) -> Result<Vec<SnapshotInfo>> {
        self.check_open()?;
        let mut ids = self.header().snapc.snaps.clone();
        ids.sort_unstable();
        self.read_snapshots(&ids)
    }

    /// Snapshot `id`. Errors: ENOENT when the image has no such snapshot;
    /// EBADF once closed; the OSD's error for the header read.
    pub fn snapshot(&self, id: u64) -> Result<SnapshotInfo> {
        self.check_open()?;
        if !self.header().snapc.snaps.contains(&id) {
            return Err(Error::NotFound(format!("snapshot {id}")));
        }
        Ok(self.read_snapshots(&[id])?.remove(0))
    }

    fn read_snapshots(&self, ids: &[u64]) -> Result<Vec<SnapshotInfo>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut op = ObjectOperation::new();
        for id in ids {
            op.push(rbd_step("snapshot_get", id.to_bytes()));
        }
        let reply = self.io.operate(self.header_oid.as_bytes(), op);
        check(&reply)?;
        reply
            .steps
            .iter()
            .map(|s| {
                SnapshotInfo::from_bytes(step_data(&s.out)).map_err(|_| Error::Corrupt("snapshot_get reply".into()))
            })
            .collect()
    }
}
