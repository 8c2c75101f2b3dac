//! I/O contexts: a pool, a namespace, a locator key and snapshot settings
//! through which object operations go. The same asynchronous submission serves
//! synchronous calls (which wait for the reply) and asynchronous ones.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::backend::{Backend, OpRequest, PoolInfo};
use super::inflight::InFlight;
use super::object::{ObjectLocator, ObjectTarget, SnapContext, SNAP_HEAD};
use super::op::{ObjectOperation, OpReply, OpStep, StepOutput};
use super::Rados;
use crate::error::{Error, Result};

#[derive(Clone, Debug, Default)]
struct Settings {
    namespace: Vec<u8>,
    locator_key: Vec<u8>,
    read_snap: u64,
    snapc: SnapContext,
}

/// An I/O context.
pub struct IoCtx {
    rados: Arc<Rados>,
    backend: Arc<dyn Backend>,
    pool: PoolInfo,
    settings: Mutex<Settings>,
    last_version: AtomicU64,
    full_try: AtomicBool,
    inflight: InFlight,
}

impl std::fmt::Debug for IoCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IoCtx").field("pool", &self.pool.name).finish_non_exhaustive()
    }
}

/// Turns a failed reply into an error carrying the OSD's code.
pub fn check(reply: &OpReply) -> Result<()> {
    if reply.result < 0 {
        Err(Error::remote(reply.result, "operation failed"))
    } else {
        Ok(())
    }
}

impl IoCtx {
    /// An I/O context on `pool` of a connected cluster handle.
    pub fn new(rados: Arc<Rados>, pool: PoolInfo) -> Result<Arc<IoCtx>> {
        let backend = rados.backend()?;
        Ok(Arc::new(IoCtx {
            rados,
            backend,
            pool,
            settings: Mutex::new(Settings { read_snap: SNAP_HEAD, ..Settings::default() }),
            last_version: AtomicU64::new(0),
            full_try: AtomicBool::new(false),
            inflight: InFlight::default(),
        }))
    }

    /// A copy with the same pool and settings (`rados_ioctx_create` of a clone).
    pub fn duplicate(&self) -> Arc<IoCtx> {
        Arc::new(IoCtx {
            rados: self.rados.clone(),
            backend: self.backend.clone(),
            pool: self.pool.clone(),
            settings: Mutex::new(self.settings().clone()),
            last_version: AtomicU64::new(0),
            full_try: AtomicBool::new(self.full_try.load(Ordering::Relaxed)),
            inflight: InFlight::default(),
        })
    }

    fn settings(&self) -> MutexGuard<'_, Settings> {
        self.settings.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn rados(&self) -> &Arc<Rados> {
        &self.rados
    }

    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    pub fn pool_id(&self) -> i64 {
        self.pool.id
    }

    /// The pool's number of placement groups (listing positions).
    pub fn pg_num(&self) -> u32 {
        self.pool.pg_num
    }

    pub fn pool_name(&self) -> &str {
        &self.pool.name
    }

    pub fn namespace(&self) -> Vec<u8> {
        self.settings().namespace.clone()
    }

    pub fn set_namespace(&self, namespace: &[u8]) {
        self.settings().namespace = namespace.to_vec();
    }

    pub fn set_locator_key(&self, key: &[u8]) {
        self.settings().locator_key = key.to_vec();
    }

    pub fn read_snap(&self) -> u64 {
        self.settings().read_snap
    }

    /// Reads go to snapshot `snap` (`SNAP_HEAD`: the head).
    pub fn set_read_snap(&self, snap: u64) {
        self.settings().read_snap = snap;
    }

    pub fn write_snapc(&self) -> SnapContext {
        self.settings().snapc.clone()
    }

    /// Writes preserve these self-managed snapshots. EINVAL for an invalid context.
    pub fn set_write_snapc(&self, snapc: SnapContext) -> Result<()> {
        if !snapc.is_valid() {
            return Err(Error::invalid("snap context: seq below newest snap or snaps not descending"));
        }
        self.settings().snapc = snapc;
        Ok(())
    }

    pub fn last_version(&self) -> u64 {
        self.last_version.load(Ordering::Relaxed)
    }

    pub fn set_full_try(&self, on: bool) {
        self.full_try.store(on, Ordering::Relaxed);
    }

    /// Where an object of this context lives.
    pub fn locator(&self) -> ObjectLocator {
        let s = self.settings();
        ObjectLocator { pool: self.pool.id, namespace: s.namespace.clone(), key: s.locator_key.clone() }
    }

    pub fn target(&self, name: &[u8]) -> ObjectTarget {
        ObjectTarget { locator: self.locator(), name: name.to_vec() }
    }

    fn request(&self, name: Vec<u8>, op: ObjectOperation, mtime: Option<(i64, u32)>) -> OpRequest {
        let s = self.settings();
        let target = ObjectTarget {
            locator: ObjectLocator { pool: self.pool.id, namespace: s.namespace.clone(), key: s.locator_key.clone() },
            name,
        };
        OpRequest {
            target,
            op,
            read_snap: s.read_snap,
            snapc: s.snapc.clone(),
            mtime,
            on_reply: Box::new(|_| {}),
            direct: false,
        }
    }

    /// Runs an operation and waits for its reply.
    pub fn operate(&self, name: &[u8], op: ObjectOperation) -> OpReply {
        self.operate_at(name, op, None)
    }

    /// As `operate`, with an explicit modification time for writes.
    pub fn operate_at(&self, name: &[u8], op: ObjectOperation, mtime: Option<(i64, u32)>) -> OpReply {
        let mut req = self.request(name.to_vec(), op, mtime);
        let slot = Arc::new((Mutex::new(None::<OpReply>), std::sync::Condvar::new()));
        let s2 = slot.clone();
        req.on_reply = Box::new(move |reply| {
            *s2.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(reply);
            s2.1.notify_one();
        });
        req.direct = true;
        self.backend.submit(req);
        let mut guard = slot.0.lock().unwrap_or_else(|e| e.into_inner());
        let reply = loop {
            if let Some(r) = guard.take() {
                break r;
            }
            guard = slot.1.wait(guard).unwrap_or_else(|e| e.into_inner());
        };
        self.last_version.store(reply.version, Ordering::Relaxed);
        reply
    }

    /// Submits an operation; `on_reply` runs on a library thread.
    pub fn aio_operate(
        self: &Arc<Self>,
        name: &[u8],
        op: ObjectOperation,
        mtime: Option<(i64, u32)>,
        on_reply: impl FnOnce(OpReply) + Send + 'static,
    ) {
        self.aio_operate_named(name.to_vec(), op, mtime, on_reply)
    }

    /// `aio_operate` on an object name the caller gives away (no copy of it).
    pub fn aio_operate_named(
        self: &Arc<Self>,
        name: Vec<u8>,
        op: ObjectOperation,
        mtime: Option<(i64, u32)>,
        on_reply: impl FnOnce(OpReply) + Send + 'static,
    ) {
        let mut req = self.request(name, op, mtime);
        let me = self.clone();
        self.inflight.start();
        req.on_reply = Box::new(move |reply| {
            me.last_version.store(reply.version, Ordering::Relaxed);
            on_reply(reply);
            me.inflight.finish();
        });
        self.backend.submit(req);
    }

    /// Waits until every asynchronous operation submitted so far has completed,
    /// then makes the writes durable.
    pub fn aio_flush(&self) -> Result<()> {
        self.inflight.wait();
        self.backend.flush()
    }

    /// As `aio_flush`, calling `done` with the result instead of waiting.
    pub fn aio_flush_async(self: &Arc<Self>, done: impl FnOnce(Result<()>) + Send + 'static) {
        let backend = self.backend.clone();
        self.inflight.when_drained(Box::new(move || done(backend.flush())));
    }

    // ---- one-step conveniences --------------------------------------------------

    /// Runs a one-step operation; returns its result or the operation's error.
    pub fn run_step(&self, name: &[u8], step: OpStep) -> Result<(i32, StepOutput)> {
        let reply = self.operate(name, ObjectOperation::single(step));
        check(&reply)?;
        let s = reply.steps.into_iter().next().unwrap_or_default();
        Ok((s.rval, s.out))
    }

    pub fn read(&self, name: &[u8], offset: u64, len: u64) -> Result<Vec<u8>> {
        match self.run_step(name, OpStep::Read { offset, len })?.1 {
            StepOutput::Data(d) => Ok(d),
            _ => Ok(Vec::new()),
        }
    }

    pub fn stat(&self, name: &[u8]) -> Result<(u64, (i64, u32))> {
        match self.run_step(name, OpStep::Stat)?.1 {
            StepOutput::Stat { size, mtime } => Ok((size, mtime)),
            _ => Err(Error::Corrupt("stat reply without stat".into())),
        }
    }

    pub fn exec(&self, name: &[u8], class: &str, method: &str, input: Vec<u8>) -> Result<Vec<u8>> {
        let step = OpStep::Exec { class: class.into(), method: method.into(), input };
        match self.run_step(name, step)?.1 {
            StepOutput::Data(d) => Ok(d),
            _ => Ok(Vec::new()),
        }
    }
}
