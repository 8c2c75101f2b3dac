//! The OSD wire format of object operations: `ObjectOperation` steps as
//! `ceph_osd_op` records plus their input data, the MOSDOp (v8) front, the
//! MOSDOpReply decoding into per-step results, hobject_t, MOSDBackoff and
//! MWatchNotify. Pure functions, tested in memory.

use std::collections::BTreeMap;

use super::osdmap::PgId;
use crate::denc::{encode_versioned, put_bytes, Decode, Decoder, Encode, EntityAddr, EntityNameT};
use crate::error::{Error, Result};
use crate::rados::object::{CloneInfo, ObjectTarget, SnapContext, SnapSet, WatcherInfo};
use crate::rados::op::{step_flags, CmpMode, ObjectOperation, OpReply, OpStep, StepOutput, StepResult};
use crate::rados::payload::Payload;

/// Message types of the OSD protocol.
pub mod msg {
    pub const OSD_OP: u16 = 42;
    pub const OSD_OPREPLY: u16 = 43;
    pub const WATCH_NOTIFY: u16 = 44;
    pub const OSD_BACKOFF: u16 = 61;
}

/// `CEPH_OSD_OP_*` codes.
pub mod code {
    pub const READ: u16 = 0x1201;
    pub const STAT: u16 = 0x1202;
    pub const SPARSE_READ: u16 = 0x1205;
    pub const NOTIFY: u16 = 0x1206;
    pub const NOTIFY_ACK: u16 = 0x1207;
    pub const ASSERT_VER: u16 = 0x1208;
    pub const LIST_WATCHERS: u16 = 0x1209;
    pub const LIST_SNAPS: u16 = 0x120a;
    pub const OMAPGETKEYS: u16 = 0x1211;
    pub const OMAPGETVALS: u16 = 0x1212;
    pub const OMAPGETHEADER: u16 = 0x1213;
    pub const OMAPGETVALSBYKEYS: u16 = 0x1214;
    pub const OMAP_CMP: u16 = 0x1219;
    pub const CHECKSUM: u16 = 0x121f;
    pub const CMPEXT: u16 = 0x1220;
    pub const WRITE: u16 = 0x2201;
    pub const WRITEFULL: u16 = 0x2202;
    pub const TRUNCATE: u16 = 0x2203;
    pub const ZERO: u16 = 0x2204;
    pub const DELETE: u16 = 0x2205;
    pub const APPEND: u16 = 0x2206;
    pub const CREATE: u16 = 0x220d;
    pub const ROLLBACK: u16 = 0x220e;
    pub const WATCH: u16 = 0x220f;
    pub const OMAPSETVALS: u16 = 0x2215;
    pub const OMAPSETHEADER: u16 = 0x2216;
    pub const OMAPCLEAR: u16 = 0x2217;
    pub const OMAPRMKEYS: u16 = 0x2218;
    pub const SETALLOCHINT: u16 = 0x2223;
    pub const CACHE_PIN: u16 = 0x2224;
    pub const CACHE_UNPIN: u16 = 0x2225;
    pub const WRITESAME: u16 = 0x2226;
    pub const OMAPRMKEYRANGE: u16 = 0x222c;
    pub const GETXATTR: u16 = 0x1301;
    pub const GETXATTRS: u16 = 0x1302;
    pub const CMPXATTR: u16 = 0x1303;
    pub const SETXATTR: u16 = 0x2301;
    pub const RMXATTR: u16 = 0x2304;
    pub const CALL: u16 = 0x1401;
    pub const PGNLS: u16 = 0x1505;
}

/// `CEPH_OSD_FLAG_*` request flags.
pub mod flag {
    pub const ACK: u32 = 0x1;
    pub const ONDISK: u32 = 0x4;
    pub const RETRY: u32 = 0x8;
    pub const READ: u32 = 0x10;
    pub const WRITE: u32 = 0x20;
    pub const ORDERSNAP: u32 = 0x40;
    pub const BALANCE_READS: u32 = 0x100;
    pub const PGOP: u32 = 0x400;
    pub const LOCALIZE_READS: u32 = 0x2000;
    pub const RWORDERED: u32 = 0x4000;
    pub const IGNORE_CACHE: u32 = 0x8000;
    pub const SKIPRWLOCKS: u32 = 0x10000;
    pub const IGNORE_OVERLAY: u32 = 0x20000;
    pub const REDIRECTED: u32 = 0x200000;
    pub const KNOWN_REDIR: u32 = 0x400000;
    pub const FULL_TRY: u32 = 0x800000;
    pub const FULL_FORCE: u32 = 0x1000000;
    pub const IGNORE_REDIRECT: u32 = 0x2000000;
}

/// `CEPH_OSD_WATCH_OP_*`.
pub mod watch_op {
    pub const UNWATCH: u8 = 0;
    pub const WATCH: u8 = 3;
    pub const RECONNECT: u8 = 5;
    pub const PING: u8 = 7;
}

/// `sizeof(struct ceph_osd_op)`: op, flags, a 28-byte union, payload length.
pub const OSD_OP_LEN: usize = 38;

/// One encoded `ceph_osd_op` and the input data that follows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawOp {
    pub code: u16,
    pub flags: u32,
    /// The 28-byte union, as the op's code reads it.
    pub args: [u8; 28],
    pub indata: Payload,
}

impl RawOp {
    fn new(code: u16) -> RawOp {
        RawOp { code, flags: 0, args: [0; 28], indata: Payload::default() }
    }

    /// Sets the union from little-endian fields laid end to end.
    fn args(mut self, fields: &[&[u8]]) -> RawOp {
        let mut at = 0;
        for f in fields {
            self.args[at..at + f.len()].copy_from_slice(f);
            at += f.len();
        }
        self
    }

    /// `extent`: offset, length, truncate size 0, truncate seq 0.
    fn extent(code: u16, offset: u64, len: u64) -> RawOp {
        RawOp::new(code).args(&[&offset.to_le_bytes(), &len.to_le_bytes()])
    }

    fn with_data(mut self, data: impl Into<Payload>) -> RawOp {
        self.indata = data.into();
        self
    }

    /// `xattr`: name length, value length, comparison op and mode; data name+value.
    fn xattr(code: u16, name: &[u8], value: &[u8], cmp: (u8, u8)) -> RawOp {
        let mut data = Vec::with_capacity(name.len() + value.len());
        data.extend_from_slice(name);
        data.extend_from_slice(value);
        RawOp::new(code)
            .args(&[&(name.len() as u32).to_le_bytes(), &(value.len() as u32).to_le_bytes(), &[cmp.0, cmp.1]])
            .with_data(data)
    }

    /// A watch op (`watch`: cookie, version 0, op, generation, timeout).
    pub fn watch(cookie: u64, op: u8, gen: u32, timeout: u32) -> RawOp {
        RawOp::new(code::WATCH).args(&[
            &cookie.to_le_bytes(),
            &0u64.to_le_bytes(),
            &[op],
            &gen.to_le_bytes(),
            &timeout.to_le_bytes(),
        ])
    }

    /// A notify op: `cookie` names the notify; its payload and timeout go in the data.
    pub fn notify(cookie: u64, payload: &[u8], timeout_secs: u32) -> RawOp {
        let mut data = Vec::with_capacity(payload.len() + 12);
        1u32.encode(&mut data);
        timeout_secs.encode(&mut data);
        put_bytes(&mut data, payload);
        RawOp::new(code::NOTIFY).args(&[&cookie.to_le_bytes()]).with_data(data)
    }

    /// A notify acknowledgement with its reply payload.
    pub fn notify_ack(notify_id: u64, cookie: u64, payload: &[u8]) -> RawOp {
        let mut data = Vec::with_capacity(payload.len() + 20);
        notify_id.encode(&mut data);
        cookie.encode(&mut data);
        put_bytes(&mut data, payload);
        RawOp::new(code::NOTIFY_ACK).with_data(data)
    }

    /// A PG listing step from `cursor` for up to `max` entries.
    pub fn pgnls(max: u64, epoch: u32, cursor: &HObject) -> RawOp {
        let mut data = Vec::new();
        cursor.encode(&mut data);
        RawOp::new(code::PGNLS).args(&[&max.to_le_bytes(), &epoch.to_le_bytes()]).with_data(data)
    }

    fn encode_header(&self, out: &mut Vec<u8>) {
        self.code.encode(out);
        self.flags.encode(out);
        out.extend_from_slice(&self.args);
        (self.indata.len() as u32).encode(out);
    }
}

fn strings_set(keys: &[Vec<u8>]) -> Vec<u8> {
    let mut sorted: Vec<&Vec<u8>> = keys.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut out = Vec::new();
    (sorted.len() as u32).encode(&mut out);
    for k in sorted {
        put_bytes(&mut out, k);
    }
    out
}

/// The raw op of one step, taking the step's payload instead of copying it
/// (writes carry the caller's buffer to the wire untouched).
pub fn encode_step_owned(step: OpStep, flags: u32) -> RawOp {
    use OpStep::*;
    let mut raw = match step {
        Write { offset, data } => RawOp::extent(code::WRITE, offset, data.len() as u64).with_data(data),
        WriteFull { data } => RawOp::extent(code::WRITEFULL, 0, data.len() as u64).with_data(data),
        Append { data } => RawOp::extent(code::APPEND, 0, data.len() as u64).with_data(data),
        other => return encode_step(&other, flags),
    };
    raw.flags |= flags;
    raw
}

/// The raw op of one step.
pub fn encode_step(step: &OpStep, flags: u32) -> RawOp {
    use OpStep::*;
    let mut raw = match step {
        Read { offset, len } => RawOp::extent(code::READ, *offset, *len),
        SparseRead { offset, len } => RawOp::extent(code::SPARSE_READ, *offset, *len),
        Stat | AssertExists => RawOp::new(code::STAT),
        GetXattr { name } => RawOp::xattr(code::GETXATTR, name, &[], (0, 0)),
        GetXattrs => RawOp::new(code::GETXATTRS),
        CmpXattr { name, op, mode, value } => match mode {
            CmpMode::String => RawOp::xattr(code::CMPXATTR, name, value, (*op as u8, 1)),
            CmpMode::U64 => {
                let v: u64 = std::str::from_utf8(value).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(0);
                RawOp::xattr(code::CMPXATTR, name, &v.to_le_bytes(), (*op as u8, 2))
            }
        },
        OmapGetKeys { start_after, max } => {
            let mut d = Vec::new();
            put_bytes(&mut d, start_after);
            max.encode(&mut d);
            RawOp::new(code::OMAPGETKEYS).with_data(d)
        }
        OmapGetVals { start_after, prefix, max } => {
            let mut d = Vec::new();
            put_bytes(&mut d, start_after);
            max.encode(&mut d);
            put_bytes(&mut d, prefix);
            RawOp::new(code::OMAPGETVALS).with_data(d)
        }
        OmapGetValsByKeys { keys } => RawOp::new(code::OMAPGETVALSBYKEYS).with_data(strings_set(keys)),
        OmapGetHeader => RawOp::new(code::OMAPGETHEADER),
        OmapCmp { assertions } => {
            let map: BTreeMap<&[u8], (&[u8], i32)> =
                assertions.iter().map(|(k, op, v)| (k.as_slice(), (v.as_slice(), *op as i32))).collect();
            let mut d = Vec::new();
            (map.len() as u32).encode(&mut d);
            for (k, (v, op)) in map {
                put_bytes(&mut d, k);
                put_bytes(&mut d, v);
                op.encode(&mut d);
            }
            RawOp::new(code::OMAP_CMP).with_data(d)
        }
        CmpExt { offset, data } => RawOp::extent(code::CMPEXT, *offset, data.len() as u64).with_data(data.clone()),
        Checksum { kind, init, offset, len, chunk_size } => RawOp::new(code::CHECKSUM)
            .args(&[&offset.to_le_bytes(), &len.to_le_bytes(), &(*chunk_size as u32).to_le_bytes(), &[*kind as u8]])
            .with_data(init.clone()),
        ListSnaps => RawOp::new(code::LIST_SNAPS),
        ListWatchers => RawOp::new(code::LIST_WATCHERS),
        AssertVersion { version } => RawOp::new(code::ASSERT_VER).args(&[&0u64.to_le_bytes(), &version.to_le_bytes()]),
        Exec { class, method, input } => {
            let mut d = Vec::with_capacity(class.len() + method.len() + input.len());
            d.extend_from_slice(class.as_bytes());
            d.extend_from_slice(method.as_bytes());
            d.extend_from_slice(input);
            RawOp::new(code::CALL)
                .args(&[&[class.len() as u8, method.len() as u8, 0], &(input.len() as u32).to_le_bytes()])
                .with_data(d)
        }
        // one definition of the payload-carrying writes: the owned encoder's
        Write { .. } | WriteFull { .. } | Append { .. } => return encode_step_owned(step.clone(), flags),
        Create { exclusive } => {
            let mut r = RawOp::new(code::CREATE);
            if *exclusive {
                r.flags |= step_flags::EXCL;
            }
            r
        }
        WriteSame { offset, len, data } => RawOp::new(code::WRITESAME)
            .args(&[&offset.to_le_bytes(), &len.to_le_bytes(), &(data.len() as u64).to_le_bytes()])
            .with_data(data.clone()),
        Zero { offset, len } => RawOp::extent(code::ZERO, *offset, *len),
        Truncate { size } => RawOp::extent(code::TRUNCATE, *size, 0),
        Remove => RawOp::new(code::DELETE),
        SetXattr { name, value } => RawOp::xattr(code::SETXATTR, name, value, (0, 0)),
        RmXattr { name } => RawOp::xattr(code::RMXATTR, name, &[], (0, 0)),
        OmapSetVals { entries } => {
            let map: BTreeMap<&[u8], &[u8]> = entries.iter().map(|(k, v)| (k.as_slice(), v.as_slice())).collect();
            let mut d = Vec::new();
            (map.len() as u32).encode(&mut d);
            for (k, v) in map {
                put_bytes(&mut d, k);
                put_bytes(&mut d, v);
            }
            RawOp::new(code::OMAPSETVALS).with_data(d)
        }
        OmapRmKeys { keys } => RawOp::new(code::OMAPRMKEYS).with_data(strings_set(keys)),
        OmapRmRange { start, end } => {
            let mut d = Vec::new();
            put_bytes(&mut d, start);
            put_bytes(&mut d, end);
            RawOp::new(code::OMAPRMKEYRANGE).with_data(d)
        }
        OmapClear => RawOp::new(code::OMAPCLEAR),
        OmapSetHeader { data } => RawOp::new(code::OMAPSETHEADER).with_data(data.clone()),
        SetAllocHint { object_size, write_size, flags } => RawOp::new(code::SETALLOCHINT).args(&[
            &object_size.to_le_bytes(),
            &write_size.to_le_bytes(),
            &flags.to_le_bytes(),
        ]),
        Rollback { snap } => RawOp::new(code::ROLLBACK).args(&[&snap.to_le_bytes()]),
        CachePin { pin } => RawOp::new(if *pin { code::CACHE_PIN } else { code::CACHE_UNPIN }),
    };
    raw.flags |= flags;
    raw
}

/// The request flags of an operation (`CEPH_OSD_FLAG_*`) from its steps and
/// its `LIBRADOS_OPERATION_*` flags.
pub fn request_flags(op: &ObjectOperation) -> u32 {
    use crate::rados::op::op_flags as o;
    let mut f = if op.has_writes() { flag::WRITE | flag::ONDISK } else { flag::READ };
    for (lib, osd) in [
        (o::BALANCE_READS, flag::BALANCE_READS),
        (o::LOCALIZE_READS, flag::LOCALIZE_READS),
        (o::ORDER_READS_WRITES, flag::RWORDERED),
        (o::IGNORE_CACHE, flag::IGNORE_CACHE),
        (o::SKIPRWLOCKS, flag::SKIPRWLOCKS),
        (o::IGNORE_OVERLAY, flag::IGNORE_OVERLAY),
        (o::FULL_TRY, flag::FULL_TRY),
        (o::FULL_FORCE, flag::FULL_FORCE),
        (o::IGNORE_REDIRECT, flag::IGNORE_REDIRECT),
        (o::ORDERSNAP, flag::ORDERSNAP),
    ] {
        if op.flags & lib != 0 {
            f |= osd;
        }
    }
    f
}

/// A `pg_t` (version 1, pool, seed, preferred -1).
pub fn encode_pg(pg: PgId, out: &mut Vec<u8>) {
    out.push(1);
    pg.pool.encode(out);
    pg.seed.encode(out);
    (-1i32).encode(out);
}

/// An `spg_t` of a replicated pool (no shard).
pub fn encode_spg(pg: PgId, out: &mut Vec<u8>) {
    encode_versioned(out, 1, 1, |o| {
        encode_pg(pg, o);
        o.push(0xff);
    });
}

fn decode_pg(d: &mut Decoder<'_>) -> Result<PgId> {
    d.u8()?;
    let pool = d.i64()?;
    let seed = d.u32()?;
    d.i32()?;
    Ok(PgId { pool, seed })
}

fn decode_spg(d: &mut Decoder<'_>) -> Result<(PgId, i8)> {
    d.versioned(1, |_, d| Ok((decode_pg(d)?, d.u8()? as i8)))
}

/// An `hobject_t`: the position of an object in a PG's sort order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HObject {
    pub key: Vec<u8>,
    pub name: Vec<u8>,
    pub snap: u64,
    pub hash: u32,
    pub max: bool,
    pub namespace: Vec<u8>,
    pub pool: i64,
}

impl Encode for HObject {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_versioned(out, 4, 3, |o| {
            put_bytes(o, &self.key);
            put_bytes(o, &self.name);
            self.snap.encode(o);
            self.hash.encode(o);
            self.max.encode(o);
            put_bytes(o, &self.namespace);
            self.pool.encode(o);
        });
    }
}

impl Decode for HObject {
    fn decode(d: &mut Decoder<'_>) -> Result<HObject> {
        d.versioned(4, |_, d| {
            Ok(HObject {
                key: d.bytes()?.to_vec(),
                name: d.bytes()?.to_vec(),
                snap: d.u64()?,
                hash: d.u32()?,
                max: d.u8()? != 0,
                namespace: d.bytes()?.to_vec(),
                pool: d.i64()?,
            })
        })
    }
}

/// What one MOSDOp carries besides its ops.
pub struct OpHeader<'a> {
    /// The PG the op goes to (pool, pg) and the object's full hash.
    pub pg: PgId,
    pub hash: u32,
    pub epoch: u32,
    pub flags: u32,
    pub mtime: (i64, u32),
    pub target: &'a ObjectTarget,
    /// Snapshot to read; `SNAP_HEAD` for writes.
    pub snap: u64,
    pub snapc: &'a SnapContext,
    pub attempt: u32,
    pub features: u64,
}

/// Raw ops ready to send: their `ceph_osd_op` records and their input data
/// concatenated (the message's data segment), encoded once per operation.
#[derive(Clone, Debug, Default)]
pub struct EncodedOps {
    pub count: u16,
    pub headers: Vec<u8>,
    pub data: Payload,
}

impl EncodedOps {
    /// Each op's code (to read its output), from its encoded record.
    pub fn codes(&self) -> impl Iterator<Item = u16> + Clone + '_ {
        self.headers.chunks_exact(OSD_OP_LEN).map(|h| u16::from_le_bytes([h[0], h[1]]))
    }

    pub fn new(ops: impl IntoIterator<Item = RawOp>) -> EncodedOps {
        let ops = ops.into_iter();
        let n = ops.size_hint().0;
        let mut e = EncodedOps { count: 0, headers: Vec::with_capacity(n * OSD_OP_LEN), data: Payload::default() };
        // the only payload becomes the data segment as it is; several are joined
        let mut carrying = 0;
        let mut joined = Vec::new();
        for mut op in ops {
            op.encode_header(&mut e.headers);
            if !op.indata.is_empty() {
                carrying += 1;
                match carrying {
                    1 => e.data = std::mem::take(&mut op.indata),
                    // a second payload: the first one joins it
                    2 => joined.extend_from_slice(&std::mem::take(&mut e.data)),
                    _ => {}
                }
                if carrying > 1 {
                    joined.extend_from_slice(&op.indata);
                }
            }
            e.count += 1;
        }
        if carrying > 1 {
            e.data = joined.into();
        }
        e
    }
}

/// The MOSDOp v8 front (the data segment is `ops.data`).
pub fn encode_osd_op(h: &OpHeader<'_>, ops: &EncodedOps) -> Vec<u8> {
    let t = &h.target;
    // sized up front (one allocation): fixed fields, names, op headers, snaps
    let names = t.name.len() + t.locator.key.len() + t.locator.namespace.len();
    let mut f = Vec::with_capacity(192 + names + ops.headers.len() + 8 * h.snapc.snaps.len());
    encode_spg(h.pg, &mut f);
    h.hash.encode(&mut f);
    h.epoch.encode(&mut f);
    h.flags.encode(&mut f);
    // reqid (v2): name, tid, inc all zero — the OSD takes them from the message
    encode_versioned(&mut f, 2, 2, |o| o.extend_from_slice(&[0; 9 + 8 + 4]));
    // blkin trace info: none
    f.extend_from_slice(&[0; 24]);
    0u32.encode(&mut f); // client_inc
    (h.mtime.0 as u32).encode(&mut f);
    h.mtime.1.encode(&mut f);
    encode_versioned(&mut f, 6, 3, |o| {
        h.target.locator.pool.encode(o);
        (-1i32).encode(o);
        put_bytes(o, &h.target.locator.key);
        put_bytes(o, &h.target.locator.namespace);
        (-1i64).encode(o);
    });
    put_bytes(&mut f, &h.target.name);
    ops.count.encode(&mut f);
    f.extend_from_slice(&ops.headers);
    h.snap.encode(&mut f);
    h.snapc.seq.encode(&mut f);
    h.snapc.snaps.encode(&mut f);
    h.attempt.encode(&mut f);
    h.features.encode(&mut f);
    f
}

/// A decoded MOSDOpReply.
#[derive(Debug, Default)]
pub struct OpReplyMsg {
    pub pg: PgId,
    pub flags: u64,
    pub result: i32,
    pub epoch: u32,
    pub retry_attempt: i32,
    pub rvals: Vec<i32>,
    /// Each op's output data.
    pub outdata: Vec<Vec<u8>>,
    pub user_version: u64,
    /// Redirected to another pool (`Some(pool)`), with the locator key if any.
    pub redirect: Option<(i64, Vec<u8>)>,
}

/// Decodes an MOSDOpReply (header version `version`) with its data segment,
/// which it splits into the ops' outputs (the first op's without a copy).
pub fn decode_osd_op_reply(version: u16, front: &[u8], mut data: Vec<u8>) -> Result<OpReplyMsg> {
    let mut d = Decoder::new(front);
    d.bytes()?; // oid
    let pg = decode_pg(&mut d)?;
    let flags = d.u64()?;
    let result = d.i32()?;
    d.take(12)?; // bad replay version
    let epoch = d.u32()?;
    let n = d.count(OSD_OP_LEN)?;
    // each op's output length, read in place from its ceph_osd_op record
    let op_records = d.take(n * OSD_OP_LEN)?;
    let lens = op_records
        .chunks_exact(OSD_OP_LEN)
        .map(|raw| u32::from_le_bytes(raw[34..38].try_into().expect("4 bytes")) as usize);
    let retry_attempt = d.i32()?;
    let rvals = (0..n).map(|_| d.i32()).collect::<Result<Vec<i32>>>()?;
    let mut user_version = 0;
    if version >= 5 {
        d.take(12)?;
        user_version = d.u64()?;
    }
    let mut redirect = None;
    if version >= 7 && d.u8()? != 0 {
        redirect = d.versioned(1, |_, d| {
            let (pool, key) = d.versioned(6, |_, d| {
                let pool = d.i64()?;
                d.i32()?;
                Ok((pool, d.bytes()?.to_vec()))
            })?;
            Ok(Some((pool, key)))
        })?;
    }
    let total: usize = lens.clone().sum();
    if total != data.len() {
        return Err(Error::Corrupt(format!("osd reply: {} data bytes for ops of {total}", data.len())));
    }
    let mut outdata = Vec::with_capacity(n);
    let mut end = data.len();
    for l in lens.skip(1).rev() {
        end -= l;
        outdata.push(data.split_off(end));
    }
    if n > 0 {
        outdata.push(data);
    }
    outdata.reverse();
    Ok(OpReplyMsg { pg, flags, result, epoch, retry_attempt, rvals, outdata, user_version, redirect })
}

fn string_map(d: &mut Decoder<'_>) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let n = d.count(8)?;
    (0..n).map(|_| Ok((d.bytes()?.to_vec(), d.bytes()?.to_vec()))).collect()
}

/// A step's output as the local store reports it, from the OSD's output
/// data for an op of `code` (data outputs are handed over, not copied).
pub fn decode_step_output(code: u16, out: Vec<u8>) -> Result<StepOutput> {
    if matches!(code, code::READ | code::GETXATTR | code::OMAPGETHEADER | code::CALL | code::CHECKSUM) {
        return Ok(StepOutput::Data(out));
    }
    let mut d = Decoder::new(&out);
    Ok(match code {
        code::STAT if out.is_empty() => StepOutput::None,
        code::SPARSE_READ => {
            let n = d.count(16)?;
            let extents = (0..n).map(|_| Ok((d.u64()?, d.u64()?))).collect::<Result<Vec<_>>>()?;
            let data = if d.is_empty() { Vec::new() } else { d.bytes()?.to_vec() };
            StepOutput::Extents { extents, data }
        }
        code::STAT => {
            let size = d.u64()?;
            let sec = d.u32()?;
            let nsec = d.u32()?;
            StepOutput::Stat { size, mtime: (i64::from(sec), nsec) }
        }
        code::GETXATTRS => StepOutput::Xattrs(string_map(&mut d)?.into_iter().collect()),
        code::OMAPGETKEYS => {
            let n = d.count(4)?;
            let keys = (0..n).map(|_| Ok(d.bytes()?.to_vec())).collect::<Result<Vec<_>>>()?;
            let more = !d.is_empty() && d.u8()? != 0;
            StepOutput::Keys { keys, more }
        }
        code::OMAPGETVALS => {
            let vals = string_map(&mut d)?;
            let more = !d.is_empty() && d.u8()? != 0;
            StepOutput::Vals { vals, more }
        }
        code::OMAPGETVALSBYKEYS => StepOutput::Vals { vals: string_map(&mut d)?, more: false },
        code::LIST_SNAPS => StepOutput::Snaps(decode_snap_list(&mut d)?),
        code::LIST_WATCHERS => StepOutput::Watchers(decode_watchers(&mut d)?),
        _ => StepOutput::None,
    })
}

/// `obj_list_snap_response_t`.
fn decode_snap_list(d: &mut Decoder<'_>) -> Result<SnapSet> {
    d.versioned(2, |v, d| {
        let n = d.count(8)?;
        let mut clones = Vec::with_capacity(n);
        for _ in 0..n {
            clones.push(d.versioned(1, |_, d| {
                let cloneid = d.u64()?;
                let snaps = Vec::<u64>::decode(d)?;
                let overlap = Vec::<(u64, u64)>::decode(d)?;
                let size = d.u64()?;
                Ok(CloneInfo { cloneid, snaps, overlap, size })
            })?);
        }
        let seq = if v >= 2 { d.u64()? } else { 0 };
        Ok(SnapSet { seq, clones })
    })
}

/// `obj_list_watch_response_t`.
fn decode_watchers(d: &mut Decoder<'_>) -> Result<Vec<WatcherInfo>> {
    d.versioned(1, |_, d| {
        let n = d.count(8)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(d.versioned(2, |v, d| {
                let name = EntityNameT::decode(d)?;
                let cookie = d.u64()?;
                let timeout_seconds = d.u32()?;
                let addr = if v >= 2 { EntityAddr::decode(d)?.to_string() } else { String::new() };
                Ok(WatcherInfo { addr, watcher_id: name.num, cookie, timeout_seconds })
            })?);
        }
        Ok(out)
    })
}

/// A listed object: namespace, name, locator key.
pub type ListedObject = (Vec<u8>, Vec<u8>, Vec<u8>);

/// One PG listing reply: the position to continue from and the objects
/// (namespace, name, locator key).
pub fn decode_pgnls(out: &[u8]) -> Result<(HObject, Vec<ListedObject>)> {
    let mut d = Decoder::new(out);
    d.versioned(1, |_, d| {
        let handle = HObject::decode(d)?;
        let n = d.count(12)?;
        let entries = (0..n)
            .map(|_| Ok((d.bytes()?.to_vec(), d.bytes()?.to_vec(), d.bytes()?.to_vec())))
            .collect::<Result<Vec<_>>>()?;
        Ok((handle, entries))
    })
}

/// `CEPH_OSD_BACKOFF_OP_*`.
pub mod backoff_op {
    pub const BLOCK: u8 = 1;
    pub const ACK_BLOCK: u8 = 2;
    pub const UNBLOCK: u8 = 3;
}

/// An MOSDBackoff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub pg: PgId,
    pub shard: i8,
    pub epoch: u32,
    pub op: u8,
    pub id: u64,
    pub begin: HObject,
    pub end: HObject,
}

impl Backoff {
    pub fn decode(front: &[u8]) -> Result<Backoff> {
        let mut d = Decoder::new(front);
        let (pg, shard) = decode_spg(&mut d)?;
        Ok(Backoff {
            pg,
            shard,
            epoch: d.u32()?,
            op: d.u8()?,
            id: d.u64()?,
            begin: HObject::decode(&mut d)?,
            end: HObject::decode(&mut d)?,
        })
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut f = Vec::new();
        encode_versioned(&mut f, 1, 1, |o| {
            encode_pg(self.pg, o);
            o.push(self.shard as u8);
        });
        self.epoch.encode(&mut f);
        self.op.encode(&mut f);
        self.id.encode(&mut f);
        self.begin.encode(&mut f);
        self.end.encode(&mut f);
        f
    }
}

/// `CEPH_WATCH_EVENT_*`.
pub mod watch_event {
    pub const NOTIFY: u8 = 1;
    pub const NOTIFY_COMPLETE: u8 = 2;
    pub const DISCONNECT: u8 = 3;
}

/// An MWatchNotify.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WatchNotify {
    pub cookie: u64,
    pub notify_id: u64,
    pub opcode: u8,
    pub payload: Vec<u8>,
    pub return_code: i32,
    pub notifier_gid: u64,
}

impl WatchNotify {
    pub fn decode(version: u16, front: &[u8]) -> Result<WatchNotify> {
        let mut d = Decoder::new(front);
        let proto = d.u8()?;
        let opcode = d.u8()?;
        let cookie = d.u64()?;
        d.u64()?; // version
        let notify_id = d.u64()?;
        let payload = if proto >= 1 { d.bytes()?.to_vec() } else { Vec::new() };
        let return_code = if version >= 2 { d.i32()? } else { 0 };
        let notifier_gid = if version >= 3 { d.u64()? } else { 0 };
        Ok(WatchNotify { cookie, notify_id, opcode, payload, return_code, notifier_gid })
    }
}

/// The ops' codes, kept to read their outputs: inline for up to four ops
/// (no allocation per op).
pub enum OpCodes {
    Few([u16; 4], usize),
    Many(Vec<u16>),
}

impl OpCodes {
    pub fn of(codes: impl Iterator<Item = u16> + Clone) -> OpCodes {
        let n = codes.clone().count();
        if n > 4 {
            return OpCodes::Many(codes.collect());
        }
        let mut few = [0u16; 4];
        for (slot, c) in few.iter_mut().zip(codes) {
            *slot = c;
        }
        OpCodes::Few(few, n)
    }

    pub fn as_slice(&self) -> &[u16] {
        match self {
            OpCodes::Few(few, n) => &few[..*n],
            OpCodes::Many(v) => v,
        }
    }
}

/// An op's outcome as the RADOS API reports it: each op's return code and
/// output, read by its code.
pub fn to_reply(codes: &[u16], r: std::result::Result<OpReplyMsg, i32>) -> OpReply {
    let mut reply = match r {
        Ok(reply) => reply,
        Err(errno) => return OpReply::failed(errno, codes.len()),
    };
    let mut steps = Vec::with_capacity(codes.len());
    let mut outdata = std::mem::take(&mut reply.outdata).into_iter();
    for (i, c) in codes.iter().enumerate() {
        let rval = reply.rvals.get(i).copied().unwrap_or(0);
        let out = match outdata.next() {
            Some(data) if rval >= 0 && !data.is_empty() => match decode_step_output(*c, data) {
                Ok(o) => o,
                Err(_) if reply.result < 0 => StepOutput::None,
                Err(_) => return OpReply::failed(libc::EIO, codes.len()),
            },
            _ => StepOutput::None,
        };
        steps.push(StepResult { rval, out });
    }
    OpReply { result: reply.result, version: reply.user_version, steps }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rados::object::ObjectLocator;
    use crate::rados::op::{ChecksumType, CmpOp};

    fn target() -> ObjectTarget {
        ObjectTarget {
            locator: ObjectLocator { pool: 3, namespace: b"ns".to_vec(), key: Vec::new() },
            name: b"obj".to_vec(),
        }
    }

    #[test]
    fn raw_op_layout() {
        let r = encode_step(&OpStep::Write { offset: 4096, data: vec![7; 10].into() }, 0);
        let mut h = Vec::new();
        r.encode_header(&mut h);
        assert_eq!(h.len(), OSD_OP_LEN);
        assert_eq!(&h[0..2], &code::WRITE.to_le_bytes());
        assert_eq!(&h[6..14], &4096u64.to_le_bytes());
        assert_eq!(&h[14..22], &10u64.to_le_bytes());
        assert_eq!(&h[34..38], &10u32.to_le_bytes());
        let c = encode_step(
            &OpStep::Exec { class: "rbd".into(), method: "get_size".into(), input: vec![1, 2] },
            step_flags::FAILOK,
        );
        assert_eq!(&c.args[..7], &[3, 8, 0, 2, 0, 0, 0]);
        assert_eq!(c.indata, b"rbdget_size\x01\x02");
        assert_eq!(c.flags, step_flags::FAILOK);
        let x = encode_step(
            &OpStep::Checksum { kind: ChecksumType::Crc32c, init: vec![0; 4], offset: 1, len: 8, chunk_size: 4 },
            0,
        );
        assert_eq!(x.args[20], 2);
        assert_eq!(&x.args[16..20], &4u32.to_le_bytes());
        let cmp = encode_step(
            &OpStep::CmpXattr { name: b"a".to_vec(), op: CmpOp::Gt, mode: CmpMode::String, value: b"bc".to_vec() },
            0,
        );
        assert_eq!(&cmp.args[..10], &[1, 0, 0, 0, 2, 0, 0, 0, 3, 1]);
        assert_eq!(cmp.indata, b"abc");
    }

    #[test]
    fn osd_op_front_fields() {
        let t = target();
        let snapc = SnapContext { seq: 9, snaps: vec![9, 4] };
        let h = OpHeader {
            pg: PgId { pool: 3, seed: 5 },
            hash: 0xdead_beef,
            epoch: 42,
            flags: flag::WRITE | flag::ONDISK,
            mtime: (1_700_000_000, 5),
            target: &t,
            snap: crate::rados::object::SNAP_HEAD,
            snapc: &snapc,
            attempt: 2,
            features: 0x1234,
        };
        let ops = EncodedOps::new(vec![encode_step(&OpStep::WriteFull { data: b"hello".to_vec() }, 0)]);
        let f = encode_osd_op(&h, &ops);
        assert_eq!(ops.data, b"hello");
        assert_eq!(ops.codes().collect::<Vec<_>>(), vec![code::WRITEFULL]);
        let mut d = Decoder::new(&f);
        assert_eq!(decode_spg(&mut d).unwrap(), (PgId { pool: 3, seed: 5 }, -1));
        assert_eq!(d.u32().unwrap(), 0xdead_beef);
        assert_eq!(d.u32().unwrap(), 42);
        assert_eq!(d.u32().unwrap(), flag::WRITE | flag::ONDISK);
        d.versioned(2, |_, d| d.take(21).map(|_| ())).unwrap();
        d.take(24 + 4).unwrap();
        assert_eq!(d.u32().unwrap(), 1_700_000_000);
        assert_eq!(d.u32().unwrap(), 5);
        let (pool, key, ns) = d
            .versioned(6, |_, d| {
                let pool = d.i64()?;
                d.i32()?;
                let key = d.bytes()?.to_vec();
                let ns = d.bytes()?.to_vec();
                assert_eq!(d.i64()?, -1);
                Ok((pool, key, ns))
            })
            .unwrap();
        assert_eq!((pool, key, ns), (3, vec![], b"ns".to_vec()));
        assert_eq!(d.bytes().unwrap(), b"obj");
        assert_eq!(d.u16().unwrap(), 1);
        d.take(OSD_OP_LEN).unwrap();
        assert_eq!(d.u64().unwrap(), crate::rados::object::SNAP_HEAD);
        assert_eq!(d.u64().unwrap(), 9);
        assert_eq!(Vec::<u64>::decode(&mut d).unwrap(), vec![9, 4]);
        assert_eq!(d.u32().unwrap(), 2);
        assert_eq!(d.u64().unwrap(), 0x1234);
        assert!(d.is_empty());
    }

    /// Builds a reply as an OSD does (MOSDOpReply v8).
    fn reply_front(result: i32, lens: &[u32], rvals: &[i32], redirect: Option<i64>) -> Vec<u8> {
        let mut f = Vec::new();
        put_bytes(&mut f, b"obj");
        encode_pg(PgId { pool: 3, seed: 5 }, &mut f);
        5u64.encode(&mut f);
        result.encode(&mut f);
        f.extend_from_slice(&[0; 12]);
        77u32.encode(&mut f);
        (lens.len() as u32).encode(&mut f);
        for l in lens {
            f.extend_from_slice(&[0; 34]);
            l.encode(&mut f);
        }
        1i32.encode(&mut f);
        for r in rvals {
            r.encode(&mut f);
        }
        f.extend_from_slice(&[0; 12]);
        99u64.encode(&mut f);
        match redirect {
            None => 0u8.encode(&mut f),
            Some(pool) => {
                1u8.encode(&mut f);
                encode_versioned(&mut f, 1, 1, |o| {
                    encode_versioned(o, 6, 3, |o| {
                        pool.encode(o);
                        (-1i32).encode(o);
                        put_bytes(o, b"");
                        put_bytes(o, b"");
                        (-1i64).encode(o);
                    });
                    put_bytes(o, b"");
                    put_bytes(o, b"");
                });
            }
        }
        f
    }

    #[test]
    fn op_reply_decodes_per_op_data() {
        let f = reply_front(0, &[3, 0, 2], &[0, -2, 5], None);
        let r = decode_osd_op_reply(8, &f, b"abcde".to_vec()).unwrap();
        assert_eq!(r.outdata, vec![b"abc".to_vec(), vec![], b"de".to_vec()]);
        assert_eq!(r.rvals, vec![0, -2, 5]);
        assert_eq!((r.epoch, r.retry_attempt, r.user_version, r.flags), (77, 1, 99, 5));
        assert!(r.redirect.is_none());
        // data lengths that do not add up are refused
        assert!(decode_osd_op_reply(8, &f, b"abcd".to_vec()).is_err());
        let f = reply_front(0, &[], &[], Some(11));
        assert_eq!(decode_osd_op_reply(8, &f, Vec::new()).unwrap().redirect, Some((11, vec![])));
        // truncated replies are refused, at every length
        let f = reply_front(0, &[3], &[0], None);
        for cut in 0..f.len() - 1 {
            assert!(decode_osd_op_reply(8, &f[..cut], b"abc".to_vec()).is_err(), "cut {cut}");
        }
    }

    #[test]
    fn step_outputs() {
        let mut s = Vec::new();
        4096u64.encode(&mut s);
        1_600_000_000u32.encode(&mut s);
        7u32.encode(&mut s);
        assert_eq!(
            decode_step_output(code::STAT, s).unwrap(),
            StepOutput::Stat { size: 4096, mtime: (1_600_000_000, 7) }
        );
        let mut k = Vec::new();
        2u32.encode(&mut k);
        put_bytes(&mut k, b"a");
        put_bytes(&mut k, b"b");
        1u8.encode(&mut k);
        assert_eq!(
            decode_step_output(code::OMAPGETKEYS, k).unwrap(),
            StepOutput::Keys { keys: vec![b"a".to_vec(), b"b".to_vec()], more: true }
        );
        let mut sp = Vec::new();
        1u32.encode(&mut sp);
        8u64.encode(&mut sp);
        2u64.encode(&mut sp);
        put_bytes(&mut sp, b"xy");
        assert_eq!(
            decode_step_output(code::SPARSE_READ, sp).unwrap(),
            StepOutput::Extents { extents: vec![(8, 2)], data: b"xy".to_vec() }
        );
    }

    #[test]
    fn hobject_and_backoff_round_trip() {
        let h = HObject {
            key: vec![],
            name: b"o".to_vec(),
            snap: 2,
            hash: 0x1234,
            max: false,
            namespace: b"n".to_vec(),
            pool: 4,
        };
        let mut b = Vec::new();
        h.encode(&mut b);
        assert_eq!(HObject::decode(&mut Decoder::new(&b)).unwrap(), h);
        let bo = Backoff {
            pg: PgId { pool: 4, seed: 1 },
            shard: -1,
            epoch: 30,
            op: backoff_op::BLOCK,
            id: 6,
            begin: h.clone(),
            end: HObject { max: true, ..h },
        };
        assert_eq!(Backoff::decode(&bo.encode()).unwrap(), bo);
    }

    #[test]
    fn several_payloads_join_into_one_data_segment_in_op_order() {
        let steps = [
            OpStep::Write { offset: 0, data: b"ab".to_vec().into() },
            OpStep::Stat,
            OpStep::Write { offset: 9, data: b"cde".to_vec().into() },
            OpStep::Append { data: b"f".to_vec() },
        ];
        let ops = EncodedOps::new(steps.iter().map(|s| encode_step(s, 0)));
        assert_eq!(ops.count, 4);
        assert_eq!(&*ops.data, b"abcdef");
        assert_eq!(ops.codes().collect::<Vec<_>>(), [code::WRITE, code::STAT, code::WRITE, code::APPEND]);
    }

    #[test]
    fn op_codes_keep_every_code_in_order_inline_or_not() {
        for n in [0usize, 1, 4, 5, 9] {
            let codes: Vec<u16> = (0..n as u16).map(|i| 0x1200 + i * 3).collect();
            let kept = OpCodes::of(codes.iter().copied());
            assert_eq!(kept.as_slice(), &codes[..], "{n} codes");
            assert_eq!(matches!(kept, OpCodes::Few(..)), n <= 4);
        }
    }
}
