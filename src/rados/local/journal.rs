//! The local store's metadata journal and snapshot.
//!
//! A transaction is a list of `Change`s. Changes to metadata (and the data
//! changes of the same transaction) are appended to `journal` as one record —
//! `u32 length, u32 crc32c, payload` — with one `write(2)`, before they are
//! applied: a completed transaction survives `kill -9`. At open, the snapshot
//! is loaded and the journal replayed; a torn last record is discarded. A
//! checkpoint writes a new snapshot (fsync, rename) and empties the journal.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::meta::{CloneMeta, ObjectKey, ObjectMeta, PoolMeta};
use crate::denc::{encode_versioned, Decode, Decoder, Encode, UTime};
use crate::error::{Error, Result};

/// A change to one object's metadata.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ObjectChange {
    /// The scalar fields (the record is created if missing).
    Put {
        exists: bool,
        file_id: u64,
        size: u64,
        version: u64,
        mtime: UTime,
        snap_seq: u64,
    },
    /// The record disappears (head and clones).
    Delete,
    XattrSet(Vec<u8>, Vec<u8>),
    XattrRm(Vec<u8>),
    OmapSet(Vec<(Vec<u8>, Vec<u8>)>),
    OmapRm(Vec<Vec<u8>>),
    OmapRmRange(Vec<u8>, Vec<u8>),
    OmapClear,
    OmapHeader(Vec<u8>),
    /// All xattrs, omap and header at once (rollback).
    AttrsReplace(super::meta::Attrs),
    CloneAdd(CloneMeta),
    CloneUpdate {
        id: u64,
        snaps: Vec<u64>,
        overlap: Vec<(u64, u64)>,
    },
    CloneRemove {
        id: u64,
    },
}

/// A change to a data file.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum DataOp {
    Write {
        offset: u64,
        data: Vec<u8>,
    },
    Zero {
        offset: u64,
        len: u64,
    },
    Truncate {
        size: u64,
    },
    Remove,
    /// Replaces the file by a copy of file `from` (clones, rollback). Replayed
    /// only when the target does not exist yet (see `data::copy_file`).
    CopyFrom {
        from: u64,
    },
}

/// One change of a transaction.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Change {
    Counters { next_pool_id: i64, next_file_id: u64, next_version: u64 },
    PoolPut(PoolMeta),
    PoolDelete { id: i64 },
    Object { pool: i64, key: ObjectKey, change: ObjectChange },
    Data { pool: i64, file_id: u64, op: DataOp },
}

fn bytes_vec(d: &mut Decoder<'_>) -> Result<Vec<u8>> {
    Ok(d.bytes()?.to_vec())
}

impl Encode for ObjectChange {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            ObjectChange::Put { exists, file_id, size, version, mtime, snap_seq } => {
                out.push(1);
                exists.encode(out);
                file_id.encode(out);
                size.encode(out);
                version.encode(out);
                mtime.encode(out);
                snap_seq.encode(out);
            }
            ObjectChange::Delete => out.push(2),
            ObjectChange::XattrSet(k, v) => {
                out.push(3);
                k.encode(out);
                v.encode(out);
            }
            ObjectChange::XattrRm(k) => {
                out.push(4);
                k.encode(out);
            }
            ObjectChange::OmapSet(entries) => {
                out.push(5);
                entries.encode(out);
            }
            ObjectChange::OmapRm(keys) => {
                out.push(6);
                keys.encode(out);
            }
            ObjectChange::OmapRmRange(a, b) => {
                out.push(7);
                a.encode(out);
                b.encode(out);
            }
            ObjectChange::OmapClear => out.push(8),
            ObjectChange::OmapHeader(h) => {
                out.push(9);
                h.encode(out);
            }
            ObjectChange::AttrsReplace(a) => {
                out.push(10);
                a.encode(out);
            }
            ObjectChange::CloneAdd(c) => {
                out.push(11);
                c.encode(out);
            }
            ObjectChange::CloneUpdate { id, snaps, overlap } => {
                out.push(12);
                id.encode(out);
                snaps.encode(out);
                overlap.encode(out);
            }
            ObjectChange::CloneRemove { id } => {
                out.push(13);
                id.encode(out);
            }
        }
    }
}

impl Decode for ObjectChange {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        Ok(match d.u8()? {
            1 => ObjectChange::Put {
                exists: Decode::decode(d)?,
                file_id: d.u64()?,
                size: d.u64()?,
                version: d.u64()?,
                mtime: Decode::decode(d)?,
                snap_seq: d.u64()?,
            },
            2 => ObjectChange::Delete,
            3 => ObjectChange::XattrSet(bytes_vec(d)?, bytes_vec(d)?),
            4 => ObjectChange::XattrRm(bytes_vec(d)?),
            5 => ObjectChange::OmapSet(Decode::decode(d)?),
            6 => ObjectChange::OmapRm(Decode::decode(d)?),
            7 => ObjectChange::OmapRmRange(bytes_vec(d)?, bytes_vec(d)?),
            8 => ObjectChange::OmapClear,
            9 => ObjectChange::OmapHeader(bytes_vec(d)?),
            10 => ObjectChange::AttrsReplace(Decode::decode(d)?),
            11 => ObjectChange::CloneAdd(Decode::decode(d)?),
            12 => ObjectChange::CloneUpdate { id: d.u64()?, snaps: Decode::decode(d)?, overlap: Decode::decode(d)? },
            13 => ObjectChange::CloneRemove { id: d.u64()? },
            t => return Err(Error::Corrupt(format!("journal: object change type {t}"))),
        })
    }
}

impl Encode for DataOp {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            DataOp::Write { offset, data } => {
                out.push(1);
                offset.encode(out);
                data.encode(out);
            }
            DataOp::Zero { offset, len } => {
                out.push(2);
                offset.encode(out);
                len.encode(out);
            }
            DataOp::Truncate { size } => {
                out.push(3);
                size.encode(out);
            }
            DataOp::Remove => out.push(4),
            DataOp::CopyFrom { from } => {
                out.push(5);
                from.encode(out);
            }
        }
    }
}

impl Decode for DataOp {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        Ok(match d.u8()? {
            1 => DataOp::Write { offset: d.u64()?, data: bytes_vec(d)? },
            2 => DataOp::Zero { offset: d.u64()?, len: d.u64()? },
            3 => DataOp::Truncate { size: d.u64()? },
            4 => DataOp::Remove,
            5 => DataOp::CopyFrom { from: d.u64()? },
            t => return Err(Error::Corrupt(format!("journal: data op type {t}"))),
        })
    }
}

impl Encode for Change {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Change::Counters { next_pool_id, next_file_id, next_version } => {
                out.push(1);
                next_pool_id.encode(out);
                next_file_id.encode(out);
                next_version.encode(out);
            }
            Change::PoolPut(p) => {
                out.push(2);
                p.encode(out);
            }
            Change::PoolDelete { id } => {
                out.push(3);
                id.encode(out);
            }
            Change::Object { pool, key, change } => {
                out.push(4);
                pool.encode(out);
                key.encode(out);
                change.encode(out);
            }
            Change::Data { pool, file_id, op } => {
                out.push(5);
                pool.encode(out);
                file_id.encode(out);
                op.encode(out);
            }
        }
    }
}

impl Decode for Change {
    fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        Ok(match d.u8()? {
            1 => Change::Counters { next_pool_id: d.i64()?, next_file_id: d.u64()?, next_version: d.u64()? },
            2 => Change::PoolPut(Decode::decode(d)?),
            3 => Change::PoolDelete { id: d.i64()? },
            4 => Change::Object { pool: d.i64()?, key: Decode::decode(d)?, change: Decode::decode(d)? },
            5 => Change::Data { pool: d.i64()?, file_id: d.u64()?, op: Decode::decode(d)? },
            t => return Err(Error::Corrupt(format!("journal: change type {t}"))),
        })
    }
}

/// The whole metadata state, as the snapshot file stores it.
#[derive(Debug, Default)]
pub(crate) struct SnapshotImage {
    pub next_pool_id: i64,
    pub next_file_id: u64,
    pub next_version: u64,
    pub pools: Vec<(PoolMeta, Vec<(ObjectKey, ObjectMeta)>)>,
}

const SNAPSHOT_MAGIC: &[u8; 8] = b"CEPHRSS1";

impl SnapshotImage {
    fn encode(&self) -> Vec<u8> {
        let mut out = SNAPSHOT_MAGIC.to_vec();
        encode_versioned(&mut out, 1, 1, |o| {
            self.next_pool_id.encode(o);
            self.next_file_id.encode(o);
            self.next_version.encode(o);
            (self.pools.len() as u32).encode(o);
            for (pool, objects) in &self.pools {
                pool.encode(o);
                (objects.len() as u64).encode(o);
                for (k, m) in objects {
                    k.encode(o);
                    m.encode(o);
                }
            }
        });
        let crc = crc32c::crc32c(&out);
        crc.encode(&mut out);
        out
    }

    fn decode(bytes: &[u8]) -> Result<SnapshotImage> {
        if bytes.len() < 12 || &bytes[..8] != SNAPSHOT_MAGIC {
            return Err(Error::Corrupt("snapshot: bad magic".into()));
        }
        let (body, crc) = bytes.split_at(bytes.len() - 4);
        if crc32c::crc32c(body) != u32::from_le_bytes(crc.try_into().expect("4 bytes")) {
            return Err(Error::Corrupt("snapshot: checksum mismatch".into()));
        }
        Decoder::new(&body[8..]).versioned(1, |_, d| {
            let mut image = SnapshotImage {
                next_pool_id: d.i64()?,
                next_file_id: d.u64()?,
                next_version: d.u64()?,
                pools: Vec::new(),
            };
            let pools = d.u32()?;
            for _ in 0..pools {
                let pool = PoolMeta::decode(d)?;
                let n = d.u64()?;
                let mut objects = Vec::with_capacity(n.min(1 << 20) as usize);
                for _ in 0..n {
                    objects.push((ObjectKey::decode(d)?, ObjectMeta::decode(d)?));
                }
                image.pools.push((pool, objects));
            }
            Ok(image)
        })
    }
}

/// The journal file and the snapshot next to it.
pub(crate) struct Journal {
    dir: PathBuf,
    file: File,
    len: u64,
}

impl Journal {
    const FILE: &'static str = "journal";
    const SNAPSHOT: &'static str = "snapshot";

    /// Opens the journal in `dir`: returns it, the snapshot (if any) and the
    /// transactions recorded after it, in order.
    pub fn open(dir: &Path) -> Result<(Journal, Option<SnapshotImage>, Vec<Vec<Change>>)> {
        let snapshot = match std::fs::read(dir.join(Self::SNAPSHOT)) {
            Ok(bytes) => Some(SnapshotImage::decode(&bytes)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        let mut file = OpenOptions::new().read(true).append(true).create(true).open(dir.join(Self::FILE))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let mut records = Vec::new();
        let mut pos = 0usize;
        while bytes.len() - pos >= 8 {
            let len = u32::from_le_bytes(bytes[pos..pos + 4].try_into().expect("4")) as usize;
            let crc = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().expect("4"));
            let Some(payload) = bytes.get(pos + 8..pos + 8 + len) else { break };
            if crc32c::crc32c(payload) != crc {
                break;
            }
            records.push(Vec::<Change>::from_bytes(payload)?);
            pos += 8 + len;
        }
        if pos < bytes.len() {
            // a torn record: never acknowledged; drop it so later appends follow valid data
            file.set_len(pos as u64)?;
        }
        Ok((Journal { dir: dir.to_path_buf(), file, len: pos as u64 }, snapshot, records))
    }

    /// Appends one transaction with a single write.
    pub fn append(&mut self, changes: &[Change]) -> Result<()> {
        let mut record = vec![0u8; 8];
        changes.encode(&mut record);
        let len = (record.len() - 8) as u32;
        let crc = crc32c::crc32c(&record[8..]);
        record[0..4].copy_from_slice(&len.to_le_bytes());
        record[4..8].copy_from_slice(&crc.to_le_bytes());
        self.file.write_all(&record)?;
        self.len += record.len() as u64;
        Ok(())
    }

    /// Bytes in the journal since the last checkpoint.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Writes `image` as the new snapshot (durably) and empties the journal.
    pub fn checkpoint(&mut self, image: &SnapshotImage) -> Result<()> {
        let tmp = self.dir.join("snapshot.tmp");
        let mut f = File::create(&tmp)?;
        f.write_all(&image.encode())?;
        f.sync_all()?;
        std::fs::rename(&tmp, self.dir.join(Self::SNAPSHOT))?;
        File::open(&self.dir)?.sync_all()?;
        self.file.set_len(0)?;
        self.file.sync_all()?;
        self.len = 0;
        Ok(())
    }

    /// Makes the journal durable.
    pub fn sync(&self) -> Result<()> {
        self.file.sync_data()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_replay_and_torn_tail_is_dropped() {
        let dir = std::env::temp_dir().join(format!("cephrs-journal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = ObjectKey::new(b"ns", b"", b"obj", 8);
        let t1 = vec![
            Change::Counters { next_pool_id: 2, next_file_id: 9, next_version: 100 },
            Change::Object {
                pool: 1,
                key: key.clone(),
                change: ObjectChange::OmapSet(vec![(b"k".to_vec(), b"v".to_vec())]),
            },
            Change::Data { pool: 1, file_id: 7, op: DataOp::Write { offset: 3, data: b"abc".to_vec() } },
        ];
        let t2 = vec![Change::Object { pool: 1, key, change: ObjectChange::Delete }];
        {
            let (mut j, snap, recs) = Journal::open(&dir).unwrap();
            assert!(snap.is_none() && recs.is_empty());
            j.append(&t1).unwrap();
            j.append(&t2).unwrap();
        }
        // tear the last record
        let path = dir.join("journal");
        let len = std::fs::metadata(&path).unwrap().len();
        OpenOptions::new().write(true).open(&path).unwrap().set_len(len - 3).unwrap();
        let (mut j, _, recs) = Journal::open(&dir).unwrap();
        assert_eq!(recs, vec![t1.clone()]);
        j.append(&t2).unwrap();
        let image = SnapshotImage { next_pool_id: 5, next_file_id: 6, next_version: 7, pools: vec![] };
        j.checkpoint(&image).unwrap();
        let (_, snap, recs) = Journal::open(&dir).unwrap();
        assert!(recs.is_empty());
        assert_eq!(snap.unwrap().next_version, 7);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
