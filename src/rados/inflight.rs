//! Counting operations in flight, for flushes that wait for all of them.
//!
//! The count is an atomic: starting and finishing an operation (twice per
//! I/O, from the submitting thread and the completing one) takes no lock, so
//! the two threads never make each other sleep on it. The lock guards the
//! waiters and hooks, and is taken only when the count drops to zero.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// Runs once the in-flight count drops to zero.
type DrainHook = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct Drain {
    hooks: Vec<DrainHook>,
    /// Threads blocked in `wait` (a notify is a syscall even with none).
    waiters: usize,
}

/// Asynchronous operations not completed yet, and who waits for none.
/// (`when_drained` hooks run on the thread that finishes the last one.)
#[derive(Default)]
pub struct InFlight {
    count: AtomicU64,
    drain: Mutex<Drain>,
    drained: Condvar,
}

impl InFlight {
    fn lock(&self) -> MutexGuard<'_, Drain> {
        self.drain.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn start(&self) {
        self.count.fetch_add(1, Ordering::AcqRel);
    }

    pub fn finish(&self) {
        if self.count.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        // drained: a waiter checks the count under the lock, so taking it
        // here orders this wake-up after its check
        let (hooks, waiters) = {
            let mut d = self.lock();
            (std::mem::take(&mut d.hooks), d.waiters)
        };
        if waiters > 0 {
            self.drained.notify_all();
        }
        for hook in hooks {
            hook();
        }
    }

    pub fn wait(&self) {
        let mut d = self.lock();
        while self.count.load(Ordering::Acquire) > 0 {
            d.waiters += 1;
            d = self.drained.wait(d).unwrap_or_else(|e| e.into_inner());
            d.waiters -= 1;
        }
    }

    pub fn when_drained(&self, f: Box<dyn FnOnce() + Send>) {
        let mut d = self.lock();
        if self.count.load(Ordering::Acquire) == 0 {
            drop(d);
            f();
        } else {
            d.hooks.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn waiters_and_hooks_see_the_drain() {
        let inflight = Arc::new(InFlight::default());
        for _ in 0..3 {
            inflight.start();
        }
        let (tx, rx) = std::sync::mpsc::channel();
        inflight.when_drained(Box::new(move || tx.send(()).unwrap()));
        let finisher = {
            let inflight = inflight.clone();
            std::thread::spawn(move || {
                for _ in 0..3 {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    inflight.finish();
                }
            })
        };
        inflight.wait();
        assert_eq!(inflight.count.load(Ordering::Acquire), 0);
        rx.recv_timeout(std::time::Duration::from_secs(5)).expect("hook ran");
        finisher.join().unwrap();
        // nothing in flight: at once
        let (tx, rx) = std::sync::mpsc::channel();
        inflight.when_drained(Box::new(move || tx.send(()).unwrap()));
        rx.try_recv().expect("ran at once");
        inflight.wait();
    }
}
