//! The finisher: one thread that runs the cluster client's completions
//! (reply callbacks, C callbacks through them) in the order they were queued,
//! so that none runs on a connection's reader thread or under a lock.
//!
//! A queue under a mutex with a condition variable; the thread takes every
//! queued job at once and runs them with the lock released, and a producer
//! wakes it only when it sleeps (no futex call while it is busy). Dropping the
//! `Finisher` lets the thread run what is queued and end.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::objecter::OpDone;
use super::osd_wire::OpReplyMsg;

/// A completion to run.
pub type Job = Box<dyn FnOnce() + Send>;

/// What the queue holds: a job, or an op's reply with its callback (which
/// then needs no closure, and no allocation, of its own).
pub enum Work {
    Job(Job),
    Reply(OpDone, std::result::Result<OpReplyMsg, i32>),
}

impl Work {
    fn run(self) {
        match self {
            Work::Job(job) => job(),
            Work::Reply(done, result) => done.call(result),
        }
    }
}

struct Queue {
    jobs: VecDeque<Work>,
    /// The thread waits on the condition variable.
    sleeping: bool,
    /// The owner is gone: run what is queued, then end.
    stopping: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The finisher thread's handle.
pub struct Finisher {
    shared: Arc<Shared>,
}

impl Finisher {
    /// Starts the thread (named `name`).
    pub fn start(name: &str) -> std::io::Result<Finisher> {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue { jobs: VecDeque::new(), sleeping: false, stopping: false }),
            wake: Condvar::new(),
        });
        let thread_shared = shared.clone();
        std::thread::Builder::new().name(name.into()).spawn(move || run(&thread_shared))?;
        Ok(Finisher { shared })
    }

    /// Queues `job` to run after every job queued before it.
    pub fn queue(&self, job: Job) {
        self.queue_work(Work::Job(job));
    }

    /// `queue` for any work.
    pub fn queue_work(&self, work: Work) {
        self.add(|jobs| jobs.push_back(work));
    }

    /// Queues all of `jobs` (emptied, its room kept for the next batch) with
    /// one lock and at most one wake-up.
    pub fn queue_all(&self, jobs: &mut Vec<Work>) {
        if !jobs.is_empty() {
            self.add(|queued| queued.extend(jobs.drain(..)));
        }
    }

    /// Adds jobs under the lock; wakes the thread if it sleeps.
    fn add(&self, put: impl FnOnce(&mut VecDeque<Work>)) {
        let mut q = self.shared.lock();
        put(&mut q.jobs);
        let wake = std::mem::replace(&mut q.sleeping, false);
        drop(q);
        if wake {
            self.shared.wake.notify_one();
        }
    }
}

impl Drop for Finisher {
    fn drop(&mut self) {
        self.shared.lock().stopping = true;
        self.shared.wake.notify_one();
    }
}

fn run(shared: &Shared) {
    let mut batch = VecDeque::new();
    let mut q = shared.lock();
    loop {
        if q.jobs.is_empty() {
            if q.stopping {
                return;
            }
            q.sleeping = true;
            q = shared.wake.wait_while(q, |q| q.sleeping && !q.stopping).unwrap_or_else(|e| e.into_inner());
            q.sleeping = false;
            continue;
        }
        std::mem::swap(&mut batch, &mut q.jobs);
        drop(q);
        for work in batch.drain(..) {
            work.run();
        }
        q = shared.lock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn jobs_run_in_queue_order_on_the_finisher_thread() {
        let f = Finisher::start("test-finisher").unwrap();
        let (tx, rx) = mpsc::channel();
        for i in 0..1000 {
            let tx = tx.clone();
            f.queue(Box::new(move || tx.send((i, std::thread::current().name().map(String::from))).unwrap()));
            if i % 7 == 0 {
                std::thread::sleep(Duration::from_micros(50));
            }
        }
        for i in 0..1000 {
            let (n, name) = rx.recv_timeout(Duration::from_secs(5)).unwrap();
            assert_eq!(n, i);
            assert_eq!(name.as_deref(), Some("test-finisher"));
        }
    }

    #[test]
    fn a_batch_runs_in_order_after_what_was_queued_before() {
        let f = Finisher::start("test-finisher").unwrap();
        let (tx, rx) = mpsc::channel();
        let first = tx.clone();
        f.queue(Box::new(move || first.send(0).unwrap()));
        let mut batch: Vec<Work> = (1..=3)
            .map(|i| {
                let tx = tx.clone();
                if i == 2 {
                    // a reply, handed to its callback
                    let reply = OpReplyMsg { result: i, ..OpReplyMsg::default() };
                    let done = OpDone::Raw(Box::new(move |r| tx.send(r.map_or(-1, |m| m.result)).unwrap()));
                    return Work::Reply(done, Ok(reply));
                }
                Work::Job(Box::new(move || tx.send(i).unwrap()))
            })
            .collect();
        f.queue_all(&mut batch);
        assert!(batch.is_empty() && batch.capacity() >= 3, "emptied, room kept");
        let got: Vec<i32> = (0..4).map(|_| rx.recv_timeout(Duration::from_secs(5)).unwrap()).collect();
        assert_eq!(got, [0, 1, 2, 3]);
    }

    #[test]
    fn a_job_may_queue_another() {
        let f = Arc::new(Finisher::start("test-finisher").unwrap());
        let (tx, rx) = mpsc::channel();
        let f2 = f.clone();
        f.queue(Box::new(move || f2.queue(Box::new(move || tx.send(7).unwrap()))));
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), 7);
    }

    #[test]
    fn dropping_runs_what_is_queued_then_ends() {
        let (tx, rx) = mpsc::channel();
        let f = Finisher::start("test-finisher").unwrap();
        f.queue(Box::new(|| std::thread::sleep(Duration::from_millis(50))));
        f.queue(Box::new(move || tx.send(1).unwrap()));
        drop(f);
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), 1);
        // the thread ended: its sender (in the job) is gone
        assert!(rx.recv_timeout(Duration::from_secs(5)).is_err());
    }
}
