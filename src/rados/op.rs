//! Compound object operations: the steps of one RADOS op, their flags and their
//! per-step results. The steps mirror the OSD's op codes, so that the local
//! store can execute them and the cluster client can encode them one to one.

use std::collections::BTreeMap;

use super::object::{SnapSet, WatcherInfo};

/// Per-step flags (`LIBRADOS_OP_FLAG_*`).
pub mod step_flags {
    pub const EXCL: u32 = 0x1;
    pub const FAILOK: u32 = 0x2;
}

/// Whole-operation flags (`LIBRADOS_OPERATION_*`).
pub mod op_flags {
    pub const BALANCE_READS: u32 = 1;
    pub const LOCALIZE_READS: u32 = 2;
    pub const ORDER_READS_WRITES: u32 = 4;
    pub const IGNORE_CACHE: u32 = 8;
    pub const SKIPRWLOCKS: u32 = 16;
    pub const IGNORE_OVERLAY: u32 = 32;
    pub const FULL_TRY: u32 = 64;
    pub const FULL_FORCE: u32 = 128;
    pub const IGNORE_REDIRECT: u32 = 256;
    pub const ORDERSNAP: u32 = 512;
    pub const RETURNVEC: u32 = 1024;
}

/// xattr and omap comparison operators (`LIBRADOS_CMPXATTR_OP_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq = 1,
    Ne = 2,
    Gt = 3,
    Gte = 4,
    Lt = 5,
    Lte = 6,
}

impl CmpOp {
    pub fn from_raw(v: i32) -> Option<CmpOp> {
        Some(match v {
            1 => CmpOp::Eq,
            2 => CmpOp::Ne,
            3 => CmpOp::Gt,
            4 => CmpOp::Gte,
            5 => CmpOp::Lt,
            6 => CmpOp::Lte,
            _ => return None,
        })
    }

    /// `stored <op> given`, as the OSD compares.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CmpOp::Eq => ordering == Equal,
            CmpOp::Ne => ordering != Equal,
            CmpOp::Gt => ordering == Greater,
            CmpOp::Gte => ordering != Less,
            CmpOp::Lt => ordering == Less,
            CmpOp::Lte => ordering != Greater,
        }
    }
}

/// How an xattr comparison reads the values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpMode {
    /// Byte strings.
    String,
    /// Decimal unsigned integers.
    U64,
}

/// Checksum algorithms (`rados_checksum_type_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChecksumType {
    XxHash32 = 0,
    XxHash64 = 1,
    Crc32c = 2,
}

/// One step of an operation.
#[derive(Clone, Debug)]
pub enum OpStep {
    // ---- reads
    /// `len` 0 reads to the end of the object.
    Read {
        offset: u64,
        len: u64,
    },
    /// Like `Read`, returning allocated extents and their data.
    SparseRead {
        offset: u64,
        len: u64,
    },
    Stat,
    GetXattr {
        name: Vec<u8>,
    },
    GetXattrs,
    CmpXattr {
        name: Vec<u8>,
        op: CmpOp,
        mode: CmpMode,
        value: Vec<u8>,
    },
    OmapGetKeys {
        start_after: Vec<u8>,
        max: u64,
    },
    OmapGetVals {
        start_after: Vec<u8>,
        prefix: Vec<u8>,
        max: u64,
    },
    OmapGetValsByKeys {
        keys: Vec<Vec<u8>>,
    },
    OmapGetHeader,
    OmapCmp {
        assertions: Vec<(Vec<u8>, CmpOp, Vec<u8>)>,
    },
    CmpExt {
        offset: u64,
        data: Vec<u8>,
    },
    Checksum {
        kind: ChecksumType,
        init: Vec<u8>,
        offset: u64,
        len: u64,
        chunk_size: u64,
    },
    ListSnaps,
    ListWatchers,
    AssertExists,
    AssertVersion {
        version: u64,
    },
    /// An object class method (read or write, as the class declares it).
    Exec {
        class: String,
        method: String,
        input: Vec<u8>,
    },
    // ---- writes
    Create {
        exclusive: bool,
    },
    Write {
        offset: u64,
        data: crate::rados::payload::Payload,
    },
    WriteFull {
        data: Vec<u8>,
    },
    WriteSame {
        offset: u64,
        len: u64,
        data: Vec<u8>,
    },
    Append {
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
    SetXattr {
        name: Vec<u8>,
        value: Vec<u8>,
    },
    RmXattr {
        name: Vec<u8>,
    },
    OmapSetVals {
        entries: Vec<(Vec<u8>, Vec<u8>)>,
    },
    OmapRmKeys {
        keys: Vec<Vec<u8>>,
    },
    OmapRmRange {
        start: Vec<u8>,
        end: Vec<u8>,
    },
    OmapClear,
    OmapSetHeader {
        data: Vec<u8>,
    },
    SetAllocHint {
        object_size: u64,
        write_size: u64,
        flags: u32,
    },
    /// Rolls the head back to the object as it was at `snap`.
    Rollback {
        snap: u64,
    },
    /// Pins (or unpins) an object in a cache tier (EINVAL elsewhere).
    CachePin {
        pin: bool,
    },
}

impl OpStep {
    /// True for steps that modify the object (an `Exec` is decided by its method).
    pub fn is_write(&self) -> bool {
        use OpStep::*;
        matches!(
            self,
            Create { .. }
                | Write { .. }
                | WriteFull { .. }
                | WriteSame { .. }
                | Append { .. }
                | Zero { .. }
                | Truncate { .. }
                | Remove
                | SetXattr { .. }
                | RmXattr { .. }
                | OmapSetVals { .. }
                | OmapRmKeys { .. }
                | OmapRmRange { .. }
                | OmapClear
                | OmapSetHeader { .. }
                | SetAllocHint { .. }
                | Rollback { .. }
                | CachePin { .. }
        )
    }
}

/// A step and its flags.
#[derive(Clone, Debug)]
pub struct Step {
    pub op: OpStep,
    pub flags: u32,
}

/// A compound operation on one object.
#[derive(Clone, Debug, Default)]
pub struct ObjectOperation {
    pub steps: Vec<Step>,
    /// `op_flags::*`.
    pub flags: u32,
}

impl ObjectOperation {
    pub fn new() -> ObjectOperation {
        ObjectOperation::default()
    }

    /// An operation of one step.
    pub fn single(op: OpStep) -> ObjectOperation {
        let mut o = ObjectOperation::new();
        o.push(op);
        o
    }

    pub fn push(&mut self, op: OpStep) -> &mut Self {
        self.steps.push(Step { op, flags: 0 });
        self
    }

    /// Sets the flags of the last step.
    pub fn set_last_flags(&mut self, flags: u32) {
        if let Some(step) = self.steps.last_mut() {
            step.flags = flags;
        }
    }

    pub fn has_writes(&self) -> bool {
        self.steps.iter().any(|s| s.op.is_write())
    }
}

/// What one step produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum StepOutput {
    #[default]
    None,
    /// Read data, xattr values, omap header, class method output, checksums.
    Data(Vec<u8>),
    /// Sparse read: extents (offset, length) and their data, concatenated.
    Extents {
        extents: Vec<(u64, u64)>,
        data: Vec<u8>,
    },
    Stat {
        size: u64,
        mtime: (i64, u32),
    },
    Xattrs(BTreeMap<Vec<u8>, Vec<u8>>),
    Keys {
        keys: Vec<Vec<u8>>,
        more: bool,
    },
    Vals {
        vals: Vec<(Vec<u8>, Vec<u8>)>,
        more: bool,
    },
    Snaps(SnapSet),
    Watchers(Vec<WatcherInfo>),
    /// cmpext mismatch: offset of the first differing byte.
    MismatchAt(u64),
}

/// One step's return code and output.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepResult {
    pub rval: i32,
    pub out: StepOutput,
}

/// The reply to a whole operation.
#[derive(Clone, Debug, Default)]
pub struct OpReply {
    /// 0, or the negative errno that failed the operation.
    pub result: i32,
    /// The object's version after (writes) or at (reads) the operation.
    pub version: u64,
    /// One result per step; steps after a failing one are left default.
    pub steps: Vec<StepResult>,
}

impl OpReply {
    /// A reply that failed before any step ran.
    pub fn failed(errno: i32, steps: usize) -> OpReply {
        OpReply { result: -errno.abs(), version: 0, steps: vec![StepResult::default(); steps] }
    }
}
