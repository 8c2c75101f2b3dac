//! The store's threads. Objects belong to shards by hash; each shard is one
//! thread, so operations on one object run in submission order and never
//! concurrently. Asynchronous reply callbacks run on the finisher thread (a
//! callback may then call back into the library, even synchronously).

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

use super::exec::{execute, ExecEnv, MAX_OBJECT_NAME_LEN};
use super::meta::ObjectKey;
use super::store::{lock_entry, Store};
use super::watch::Watches;
use crate::denc::{EntityAddr, EntityNameT, UTime};
use crate::error::Result;
use crate::rados::backend::OpRequest;
use crate::rados::object::{SnapContext, SNAP_HEAD};
use crate::rados::op::{op_flags, OpReply};

/// Who sends an operation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Client {
    pub id: u64,
    pub addr: EntityAddr,
}

pub(crate) enum Job {
    Op {
        client: Client,
        req: OpRequest,
    },
    /// Drops a removed snapshot from one object's clones.
    Trim {
        pool: i64,
        key: ObjectKey,
        snap: u64,
        done: Sender<Result<()>>,
    },
}

type Finish = Box<dyn FnOnce() + Send>;

/// The shard threads and the finisher.
pub(crate) struct Workers {
    shards: Vec<Sender<Job>>,
    finisher: Sender<Finish>,
    threads: Vec<JoinHandle<()>>,
}

impl Workers {
    pub fn start(store: Arc<Store>, watches: Arc<Watches>) -> Workers {
        let n = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4);
        let (finisher, finish_rx) = channel::<Finish>();
        let mut threads = vec![std::thread::Builder::new()
            .name("cephrs-finisher".into())
            .spawn(move || {
                for f in finish_rx {
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
                }
            })
            .expect("spawn finisher")];
        let mut shards = Vec::new();
        for i in 0..n {
            let (tx, rx) = channel::<Job>();
            let (store, watches, finisher) = (store.clone(), watches.clone(), finisher.clone());
            threads.push(
                std::thread::Builder::new()
                    .name(format!("cephrs-shard-{i}"))
                    .spawn(move || shard_loop(&store, &watches, rx, &finisher))
                    .expect("spawn shard"),
            );
            shards.push(tx);
        }
        Workers { shards, finisher, threads }
    }

    fn shard(&self, hash: u32) -> &Sender<Job> {
        &self.shards[hash as usize % self.shards.len()]
    }

    pub fn submit(&self, client: Client, req: OpRequest) {
        let hash = crate::rados::placement::str_hash_rjenkins(req.target.placement_key());
        if let Err(failed) = self.shard(hash).send(Job::Op { client, req }) {
            // the store is shutting down
            if let Job::Op { req, .. } = failed.0 {
                let steps = req.op.steps.len();
                (req.on_reply)(OpReply::failed(libc::ESHUTDOWN, steps));
            }
        }
    }

    pub fn trim(&self, pool: i64, key: ObjectKey, snap: u64) -> Receiver<Result<()>> {
        let (done, rx) = channel();
        let _ = self.shard(key.hash).send(Job::Trim { pool, key, snap, done });
        rx
    }

    pub fn stop(&mut self) {
        self.shards.clear();
        let (dummy, _) = channel();
        self.finisher = dummy;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn shard_loop(store: &Store, watches: &Watches, jobs: Receiver<Job>, finisher: &Sender<Finish>) {
    for job in jobs {
        match job {
            Job::Op { client, req } => {
                let reply =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_op(store, watches, client, &req)))
                        .unwrap_or_else(|_| OpReply::failed(libc::EIO, req.op.steps.len()));
                let on_reply = req.on_reply;
                if req.direct {
                    on_reply(reply);
                } else {
                    let _ = finisher.send(Box::new(move || on_reply(reply)));
                }
            }
            Job::Trim { pool, key, snap, done } => {
                let r = store.trim_changes(pool, &key, snap).and_then(|changes| {
                    if changes.is_empty() {
                        Ok(())
                    } else {
                        store.commit(&changes, false, None)
                    }
                });
                let _ = done.send(r);
            }
        }
    }
}

fn run_op(store: &Store, watches: &Watches, client: Client, req: &OpRequest) -> OpReply {
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
    let outcome = execute(&env, committed.as_ref(), &req.op);
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
