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

/// A completion to run.
pub type Job = Box<dyn FnOnce() + Send>;

struct Queue {
    jobs: VecDeque<Job>,
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
        let mut q = self.shared.lock();
        q.jobs.push_back(job);
        let wake = q.sleeping;
        q.sleeping = false;
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
        for job in batch.drain(..) {
            job();
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
