//! Where operations run. Objects belong to shards by hash; each shard has a
//! thread that runs its queued operations in submission order, and a lock
//! under which any of its operations runs, so operations on one object never
//! run concurrently. An operation whose shard has nothing queued runs at once
//! on the caller's thread (no hand-off) when it is synchronous or small;
//! otherwise it queues behind the others. Asynchronous reply callbacks run on
//! the finisher thread (a callback may then call back into the library, even
//! synchronously); a synchronous caller's hand-over runs where the op ran.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::exec::{execute, ExecEnv, MAX_OBJECT_NAME_LEN};
use super::meta::ObjectKey;
use super::store::{lock_entry, Store};
use super::watch::Watches;
use crate::denc::{EntityAddr, EntityNameT, UTime};
use crate::error::Result;
use crate::rados::backend::{OpRequest, ReplyCallback};
use crate::rados::object::{SnapContext, SNAP_HEAD};
use crate::rados::op::{op_flags, ObjectOperation, OpReply, OpStep};

/// Who sends an operation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Client {
    pub id: u64,
    pub addr: EntityAddr,
}

/// An asynchronous operation's reply, on its way to the finisher.
type Finish = (ReplyCallback, OpReply);

struct Job {
    client: Client,
    req: OpRequest,
}

/// One shard's state: its count of queued operations and its lock.
struct Shard {
    queued: AtomicUsize,
    running: Mutex<()>,
}

/// What the shard threads share.
struct Shared {
    store: Arc<Store>,
    watches: Arc<Watches>,
    shards: Vec<Shard>,
    /// Asynchronous operations submitted whose reply has not been delivered.
    in_flight: Arc<AtomicUsize>,
}

impl Shared {
    /// Runs `req` under its shard's lock (its write data is taken over).
    fn run(&self, shard: &Shard, client: Client, req: &mut OpRequest) -> OpReply {
        let steps = req.op.steps.len();
        let _running = shard.running.lock().unwrap_or_else(|e| e.into_inner());
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_op(&self.store, &self.watches, client, req)))
            .unwrap_or_else(|_| OpReply::failed(libc::EIO, steps))
    }
}

/// The shards, their queues and threads, and the finisher.
pub(crate) struct Workers {
    shared: Arc<Shared>,
    queues: Vec<Sender<Job>>,
    finisher: Option<Sender<Finish>>,
    threads: Vec<JoinHandle<()>>,
}

impl Workers {
    pub fn start(store: Arc<Store>, watches: Arc<Watches>, poll: Duration) -> Workers {
        let n = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4);
        let (finisher, finish_rx) = channel::<Finish>();
        let in_flight = Arc::new(AtomicUsize::new(0));
        let finisher_in_flight = in_flight.clone();
        let mut threads = vec![std::thread::Builder::new()
            .name("cephrs-finisher".into())
            .spawn(move || finisher_loop(finish_rx, poll, finisher_in_flight))
            .expect("spawn finisher")];
        let (mut receivers, mut queues, mut shards) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..n {
            let (queue, rx) = channel::<Job>();
            shards.push(Shard { queued: AtomicUsize::new(0), running: Mutex::new(()) });
            queues.push(queue);
            receivers.push(rx);
        }
        let shared = Arc::new(Shared { store, watches, shards, in_flight });
        for (i, rx) in receivers.into_iter().enumerate() {
            let (shared, finisher) = (shared.clone(), finisher.clone());
            threads.push(
                std::thread::Builder::new()
                    .name(format!("cephrs-shard-{i}"))
                    .spawn(move || shard_loop(&shared, i, rx, &finisher))
                    .expect("spawn shard"),
            );
        }
        Workers { shared, queues, finisher: Some(finisher), threads }
    }

    fn shard_index(&self, hash: u32) -> usize {
        hash as usize % self.shared.shards.len()
    }

    pub fn submit(&self, client: Client, mut req: OpRequest) {
        let Some(finisher) = &self.finisher else {
            let steps = req.op.steps.len();
            return (req.on_reply)(OpReply::failed(libc::ESHUTDOWN, steps));
        };
        let index = self.shard_index(crate::rados::placement::str_hash_rjenkins(req.target.placement_key()));
        let shard = &self.shared.shards[index];
        if req.direct {
            if shard.queued.load(Ordering::Acquire) == 0 {
                let reply = self.shared.run(shard, client, &mut req);
                return (req.on_reply)(reply);
            }
        } else {
            let alone = self.shared.in_flight.fetch_add(1, Ordering::AcqRel) == 0;
            if alone && shard.queued.load(Ordering::Acquire) == 0 && bytes_moved(&req.op) <= INLINE_MAX_BYTES {
                // nothing else in flight: cheaper to run here than to hand over
                let reply = self.shared.run(shard, client, &mut req);
                return hand_over(finisher, &self.shared.in_flight, req.on_reply, reply);
            }
        }
        shard.queued.fetch_add(1, Ordering::AcqRel);
        if let Err(failed) = self.queues[index].send(Job { client, req }) {
            shard.queued.fetch_sub(1, Ordering::AcqRel);
            let req = failed.0.req;
            if !req.direct {
                self.shared.in_flight.fetch_sub(1, Ordering::AcqRel);
            }
            let steps = req.op.steps.len();
            (req.on_reply)(OpReply::failed(libc::ESHUTDOWN, steps));
        }
    }

    /// Drops a removed snapshot from one object's clones.
    pub fn trim(&self, pool: i64, key: ObjectKey, snap: u64) -> Result<()> {
        let shard = &self.shared.shards[self.shard_index(key.hash)];
        let _running = shard.running.lock().unwrap_or_else(|e| e.into_inner());
        let store = &self.shared.store;
        let changes = store.trim_changes(pool, &key, snap)?;
        if changes.is_empty() {
            return Ok(());
        }
        store.commit(&changes, false, None)
    }

    pub fn stop(&mut self) {
        // the threads end when their queues close
        self.finisher = None;
        self.queues.clear();
        let me = std::thread::current().id();
        for t in self.threads.drain(..) {
            // the last handle may be dropped by a reply callback on one of
            // these threads: that one ends by itself once it returns
            if t.thread().id() != me {
                let _ = t.join();
            }
        }
    }
}

/// Gives an asynchronous operation's reply to the finisher; when it is gone
/// (shutting down), delivers it here.
fn hand_over(finisher: &Sender<Finish>, in_flight: &AtomicUsize, on_reply: ReplyCallback, reply: OpReply) {
    if let Err(failed) = finisher.send((on_reply, reply)) {
        let (on_reply, reply) = failed.0;
        in_flight.fetch_sub(1, Ordering::AcqRel);
        on_reply(reply);
    }
}

/// An asynchronous operation that moves at most this much data runs on the
/// submitter's thread when nothing else is in flight (one request at a time:
/// a hand-over to a shard thread costs more than a small write into the page
/// cache); with several in flight, the shard threads run them in parallel.
const INLINE_MAX_BYTES: u64 = 64 * 1024;

/// The data an operation reads or writes, roughly; a read to the end of the
/// object (length 0) and a rollback count as large.
fn bytes_moved(op: &ObjectOperation) -> u64 {
    op.steps
        .iter()
        .map(|step| match &step.op {
            OpStep::Read { len: 0, .. } | OpStep::SparseRead { len: 0, .. } | OpStep::Rollback { .. } => u64::MAX,
            OpStep::Read { len, .. } | OpStep::SparseRead { len, .. } | OpStep::WriteSame { len, .. } => *len,
            OpStep::Checksum { len, .. } => *len,
            OpStep::Write { data, .. } => data.len() as u64,
            OpStep::WriteFull { data } | OpStep::Append { data } => data.len() as u64,
            OpStep::CmpExt { data, .. } => data.len() as u64,
            _ => 0,
        })
        .fold(0u64, u64::saturating_add)
}

/// Runs reply callbacks in order. When a callback leaves at most one request
/// in flight, it polls for the next reply for up to `poll` before sleeping: waking a
/// sleeping thread costs tens of microseconds, more than a 4 KiB write, and a
/// client with one request at a time (queue depth 1) would otherwise pay it on
/// every request. With more in flight it sleeps at once: the threads
/// running them need the cores.
fn finisher_loop(jobs: Receiver<Finish>, poll: Duration, in_flight: Arc<AtomicUsize>) {
    loop {
        let mut next = jobs.try_recv();
        if next.is_err() && !poll.is_zero() && in_flight.load(Ordering::Acquire) <= 1 {
            let until = Instant::now() + poll;
            while next.is_err() && in_flight.load(Ordering::Acquire) <= 1 && Instant::now() < until {
                std::hint::spin_loop();
                next = jobs.try_recv();
            }
        }
        let (on_reply, reply) = match next {
            Ok(job) => job,
            Err(_) => match jobs.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
        };
        in_flight.fetch_sub(1, Ordering::AcqRel);
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| on_reply(reply)));
    }
}

fn shard_loop(shared: &Shared, index: usize, jobs: Receiver<Job>, finisher: &Sender<Finish>) {
    let shard = &shared.shards[index];
    for Job { client, mut req } in jobs {
        let reply = shared.run(shard, client, &mut req);
        shard.queued.fetch_sub(1, Ordering::AcqRel);
        if req.direct {
            (req.on_reply)(reply);
        } else {
            hand_over(finisher, &shared.in_flight, req.on_reply, reply);
        }
    }
}

fn run_op(store: &Store, watches: &Watches, client: Client, req: &mut OpRequest) -> OpReply {
    let steps = req.op.steps.len();
    let target = &req.target;
    if target.name.is_empty() {
        return OpReply::failed(libc::EINVAL, steps);
    }
    if target.name.len() > MAX_OBJECT_NAME_LEN {
        return OpReply::failed(libc::ENAMETOOLONG, steps);
    }
    let Ok(pool) = store.pool(target.locator.pool) else { return OpReply::failed(libc::ENOENT, steps) };
    let (pool_meta, entry, key) = {
        let p = pool.read().unwrap_or_else(|e| e.into_inner());
        let key = ObjectKey::new(&target.locator.namespace, &target.locator.key, &target.name, p.meta.pg_num);
        (p.meta.clone(), p.objects.get(&key).cloned(), key)
    };
    let committed = entry.as_ref().map(|e| lock_entry(e).meta.clone());
    // in pool-snapshot mode the pool's snap context applies, not the client's
    let pool_snapc;
    let snapc = if !pool_meta.selfmanaged && pool_meta.snap_seq > 0 {
        pool_snapc = SnapContext { seq: pool_meta.snap_seq, snaps: pool_meta.snaps.keys().rev().copied().collect() };
        &pool_snapc
    } else {
        &req.snapc
    };
    // as the OSD, a zero time from the client means "now"
    let mtime = match req.mtime {
        Some((s, n)) if (s, n) != (0, 0) => UTime { sec: s as u32, nsec: n },
        _ => UTime::now(),
    };
    let watch_target =
        (pool_meta.id, target.locator.namespace.clone(), target.locator.key.clone(), target.name.clone());
    let watchers = || watches.watchers(&watch_target);
    let new_file_id = || store.new_file_id();
    let new_version = || store.new_version();
    let origin = (EntityNameT::client(client.id), client.addr);
    let env = ExecEnv {
        files: &store.files,
        pool: &pool_meta,
        key: &key,
        read_snap: if req.read_snap == 0 { SNAP_HEAD } else { req.read_snap },
        snapc,
        ordersnap: req.op.flags & op_flags::ORDERSNAP != 0,
        mtime,
        origin,
        watchers: &watchers,
        new_file_id: &new_file_id,
        new_version: &new_version,
    };
    let outcome = execute(&env, committed.as_ref(), &mut req.op);
    if outcome.wrote {
        if let Err(e) = store.commit(&outcome.changes, outcome.data_only, entry.as_ref()) {
            return OpReply::failed(e.errno(), steps);
        }
        if outcome.removed_head {
            watches.disconnect(&watch_target, -libc::ENOTCONN);
        }
    }
    pool.read().unwrap_or_else(|e| e.into_inner()).count(outcome.bytes_read, outcome.bytes_written, outcome.wrote);
    outcome.reply
}
