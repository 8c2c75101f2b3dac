//! The C compound operations (`rados_write_op_t`, `rados_read_op_t`): the steps
//! gathered so far and, per step, where its results go in caller memory.
//!
//! As upstream, every step's `prval` receives the step's return code when the
//! reply arrives, then the step's output handler runs (it may override `prval`,
//! e.g. with -ERANGE), whether or not the operation as a whole succeeded.
//!
//! The building functions return `void` in C, so a bad argument cannot be
//! reported where it happens: it poisons the operation, and `operate` then
//! returns that error without running anything (upstream would crash).

use std::sync::{Arc, Mutex};

use crate::capi::prelude::*;
use crate::rados::op::{ObjectOperation, OpReply, OpStep, StepResult};

/// Writes one step's results into caller memory.
pub(crate) type StepSink = Arc<dyn Fn(&StepResult) + Send + Sync>;

/// Where one step's results go.
#[derive(Clone, Default)]
struct StepOutputs {
    prval: Option<CPtr<c_int>>,
    sink: Option<StepSink>,
}

/// An operation being built by C.
#[derive(Clone, Default)]
pub(crate) struct OpBuilder {
    op: ObjectOperation,
    outputs: Vec<StepOutputs>,
    /// The first building error: (errno, what).
    poisoned: Option<(i32, String)>,
}

/// The result handlers of one submitted operation.
#[derive(Clone, Default)]
pub(crate) struct Delivery {
    outputs: Vec<StepOutputs>,
}

impl OpBuilder {
    /// Adds a step whose results nobody reads.
    pub(crate) fn push(&mut self, step: OpStep) {
        self.push_with(step, std::ptr::null_mut(), None);
    }

    /// Adds a step with an optional `prval` and output handler.
    pub(crate) fn push_with(&mut self, step: OpStep, prval: *mut c_int, sink: Option<StepSink>) {
        self.op.push(step);
        let prval = (!prval.is_null()).then_some(CPtr(prval));
        self.outputs.push(StepOutputs { prval, sink });
    }

    /// Sets the flags (`LIBRADOS_OP_FLAG_*`) of the last step added.
    pub(crate) fn set_last_flags(&mut self, flags: u32) {
        self.op.set_last_flags(flags);
    }

    /// Records a building error; the first one wins.
    pub(crate) fn poison(&mut self, error: Error) {
        if self.poisoned.is_none() {
            self.poisoned = Some((error.errno(), error.to_string()));
        }
    }

    /// The operation to submit (with the whole-operation `flags`) and its
    /// result handlers; the poisoning error, if any.
    pub(crate) fn prepare(&self, flags: u32) -> Result<(ObjectOperation, Delivery)> {
        if let Some((errno, what)) = &self.poisoned {
            return Err(Error::remote(-errno, what.clone()));
        }
        let mut op = self.op.clone();
        op.flags = flags;
        Ok((op, Delivery { outputs: self.outputs.clone() }))
    }
}

impl Delivery {
    /// Hands every step's return code and output to the caller.
    ///
    /// # Safety
    /// The caller pointers registered while building are still valid (the C
    /// contract of compound operations).
    pub(crate) unsafe fn deliver(&self, reply: &OpReply) {
        for (i, outputs) in self.outputs.iter().enumerate() {
            let step = reply.steps.get(i).cloned().unwrap_or_default();
            if let Some(prval) = outputs.prval {
                // SAFETY: per this function's contract.
                unsafe { prval.set(step.rval) };
            }
            if let Some(sink) = &outputs.sink {
                sink(&step);
            }
        }
    }
}

/// A table of operations being built.
pub(crate) type OpTable = HandleTable<Mutex<OpBuilder>>;

/// Runs a building function on the operation behind `handle`; its error
/// poisons the operation. An unknown handle is ignored (nothing to poison).
pub(crate) fn build(table: &OpTable, handle: *mut c_void, body: impl FnOnce(&mut OpBuilder) -> Result<()>) {
    let _: i32 = entry(|| {
        let op = table.get(handle)?;
        let mut op = op.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(error) = body(&mut op) {
            op.poison(error);
        }
        Ok(0)
    });
}

/// Runs the operation behind `handle` on object `name` and waits. Returns the
/// operation's result.
pub(crate) fn operate_sync(
    table: &OpTable,
    handle: *mut c_void,
    io: rados_ioctx_t,
    name: &[u8],
    flags: u32,
    mtime: Option<(i64, u32)>,
) -> Result<c_int> {
    let io = ioctx(io)?;
    let (op, delivery) = table.get(handle)?.lock().unwrap_or_else(|e| e.into_inner()).prepare(flags)?;
    let reply = io.operate_at(name, op, mtime);
    // SAFETY: synchronous call: the caller's pointers are valid throughout.
    unsafe { delivery.deliver(&reply) };
    Ok(reply.result)
}

/// As `operate_sync`, completing `completion` instead of waiting.
pub(crate) fn operate_async(
    table: &OpTable,
    handle: *mut c_void,
    io: rados_ioctx_t,
    completion: rados_completion_t,
    name: &[u8],
    flags: u32,
    mtime: Option<(i64, u32)>,
) -> Result<c_int> {
    let io = ioctx(io)?;
    let (op, delivery) = table.get(handle)?.lock().unwrap_or_else(|e| e.into_inner()).prepare(flags)?;
    super::object_io::submit(&io, completion, name, op, mtime, move |reply| {
        // SAFETY: the aio contract keeps the caller's pointers valid until completion.
        unsafe { delivery.deliver(reply) };
        reply.result as i64
    })?;
    Ok(0)
}

/// The `LIBRADOS_OPERATION_*` flags this library understands; others are ignored.
pub(crate) fn operation_flags(flags: c_int) -> u32 {
    (flags as u32) & 0x7ff
}

/// A comparison operator argument (`LIBRADOS_CMPXATTR_OP_*`).
pub(crate) fn cmp_op(raw: u8) -> Result<crate::rados::op::CmpOp> {
    crate::rados::op::CmpOp::from_raw(i32::from(raw))
        .ok_or_else(|| Error::invalid(format!("comparison operator {raw}")))
}

/// Write operations being built (`rados_write_op_t`).
pub(crate) static WRITE_OPS: OpTable = HandleTable::new(5);
/// Read operations being built (`rados_read_op_t`).
pub(crate) static READ_OPS: OpTable = HandleTable::new(6);

/// A new, empty operation in `table`.
pub(crate) fn create(table: &OpTable) -> *mut c_void {
    table.insert(Arc::new(Mutex::new(OpBuilder::default())))
}

/// A modification time argument (`time_t *`, NULL: now).
///
/// # Safety
/// `t` is NULL or valid for reads.
pub(crate) unsafe fn mtime_of_time_t(t: *const time_t) -> Option<(i64, u32)> {
    // SAFETY: per this function's contract.
    unsafe { t.as_ref() }.map(|t| (*t, 0))
}

/// A modification time argument (`struct timespec *`, NULL: now).
///
/// # Safety
/// `t` is NULL or valid for reads.
pub(crate) unsafe fn mtime_of_timespec(t: *const timespec) -> Option<(i64, u32)> {
    // SAFETY: per this function's contract.
    unsafe { t.as_ref() }.map(|t| (t.tv_sec, t.tv_nsec as u32))
}

/// Copies a step's data into a caller buffer as upstream's `C_bl_to_buf`:
/// too long sets `*prval` to -ERANGE and `*bytes_read` to 0.
pub(crate) fn to_buffer_sink(buf: *mut c_char, len: usize, bytes_read: *mut usize, prval: *mut c_int) -> StepSink {
    let (buf, bytes_read, prval) = (CPtr(buf), CPtr(bytes_read), CPtr(prval));
    Arc::new(move |step: &StepResult| {
        let data = step_data(step);
        // SAFETY: the caller keeps these pointers valid until the reply (C contract).
        unsafe {
            if data.len() > len {
                prval.set(-libc::ERANGE);
                bytes_read.set(0);
                return;
            }
            bytes_read.set(data.len());
            if !buf.ptr().is_null() && !data.is_empty() {
                std::ptr::copy_nonoverlapping(data.as_ptr(), buf.ptr() as *mut u8, data.len());
            }
        }
    })
}

/// The data a step returned (empty when it returned none).
pub(crate) fn step_data(step: &StepResult) -> &[u8] {
    match &step.out {
        crate::rados::op::StepOutput::Data(d) => d,
        _ => &[],
    }
}
