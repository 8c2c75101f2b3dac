//! Completions of asynchronous operations, shared by librados and librbd.
//!
//! A completion becomes complete once, with a return value (and an object
//! version for RADOS ops). Its observer (the C handle: callbacks, event
//! announcement, deferred release) then runs on the completing thread with no
//! lock held, and waiters are woken twice: at completion, and when the
//! observer is done.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard, Weak};

/// The owner of a completion, told when it completes: how the C handle runs
/// its callbacks without an allocation per operation. Held weakly: the owner
/// holds the completion.
pub trait CompletionObserver: Send + Sync {
    fn completed(&self, result: i64);
}

#[derive(Default)]
struct State {
    result: Option<(i64, u64)>,
    /// Someone has taken the right to complete (the reply, or a cancel).
    claimed: bool,
    /// The observer has run (or there was none).
    callbacks_done: bool,
    observer: Option<Weak<dyn CompletionObserver>>,
    /// Threads blocked in a wait (a notify costs a syscall even with none).
    waiters: usize,
}

/// One asynchronous operation's outcome.
#[derive(Default)]
pub struct Completion {
    state: Mutex<State>,
    changed: Condvar,
}

impl std::fmt::Debug for Completion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Completion").field("result", &self.lock().result).finish()
    }
}

impl Completion {
    /// A pending completion.
    pub fn new() -> Completion {
        Completion::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets the observer told when this completes (replacing any earlier
    /// one). Set it before the operation starts: one set after
    /// completion is not called.
    pub fn observe(&self, observer: Weak<dyn CompletionObserver>) {
        self.lock().observer = Some(observer);
    }

    /// Takes the exclusive right to complete: true for the first caller only,
    /// false once claimed or complete. Lets a reply and a cancel race safely —
    /// the loser must not touch the caller's buffers.
    pub fn claim(&self) -> bool {
        let mut state = self.lock();
        let first = !state.claimed && state.result.is_none();
        state.claimed = true;
        first
    }

    /// Completes with `result` (negative errno on failure) and object `version`.
    /// Later calls are ignored.
    pub fn complete(&self, result: i64, version: u64) {
        let (observer, waiting) = {
            let mut state = self.lock();
            if state.result.is_some() {
                return;
            }
            state.result = Some((result, version));
            (state.observer.take(), state.waiters > 0)
        };
        if waiting {
            self.changed.notify_all();
        }
        if let Some(observer) = observer.and_then(|o| o.upgrade()) {
            // a panicking callback must not take the completing thread down
            let _ = catch_unwind(AssertUnwindSafe(|| observer.completed(result)));
        }
        let waiting = {
            let mut state = self.lock();
            state.callbacks_done = true;
            state.waiters > 0
        };
        if waiting {
            self.changed.notify_all();
        }
    }

    /// Waits on the condition variable, counted as a waiter.
    fn wait_changed<'a>(&self, mut state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        state.waiters += 1;
        let mut state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        state.waiters -= 1;
        state
    }

    /// True once a result is set.
    pub fn is_complete(&self) -> bool {
        self.lock().result.is_some()
    }

    /// True once a result is set and every hook has run.
    pub fn is_complete_and_callbacks_done(&self) -> bool {
        self.lock().callbacks_done
    }

    /// Blocks until complete; returns the result.
    pub fn wait(&self) -> i64 {
        let mut state = self.lock();
        loop {
            if let Some((r, _)) = state.result {
                return r;
            }
            state = self.wait_changed(state);
        }
    }

    /// Blocks until complete and every hook has run; returns the result.
    pub fn wait_callbacks_done(&self) -> i64 {
        let mut state = self.lock();
        loop {
            if let (Some((r, _)), true) = (state.result, state.callbacks_done) {
                return r;
            }
            state = self.wait_changed(state);
        }
    }

    /// The result so far (0 while pending, as upstream).
    pub fn return_value(&self) -> i64 {
        self.lock().result.map_or(0, |(r, _)| r)
    }

    /// The object version the operation saw (0 while pending).
    pub fn version(&self) -> u64 {
        self.lock().result.map_or(0, |(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::Arc;

    /// Adds `11 * result` to its cell each time it is told.
    struct Tally(AtomicI64);

    impl CompletionObserver for Tally {
        fn completed(&self, result: i64) {
            self.0.fetch_add(result * 11, Ordering::SeqCst);
        }
    }

    #[test]
    fn the_observer_runs_once_then_waiters_wake() {
        let c = Arc::new(Completion::new());
        let tally = Arc::new(Tally(AtomicI64::new(0)));
        c.observe(Arc::downgrade(&tally) as Weak<dyn CompletionObserver>);
        assert_eq!(c.return_value(), 0);
        let waiter = {
            let (c, tally) = (c.clone(), tally.clone());
            std::thread::spawn(move || (c.wait_callbacks_done(), tally.0.load(Ordering::SeqCst)))
        };
        c.complete(-5, 7);
        c.complete(1, 1);
        assert_eq!(waiter.join().unwrap(), (-5, -55), "the waiter wakes after the observer ran");
        assert_eq!(tally.0.load(Ordering::SeqCst), -55, "told once");
        assert_eq!((c.return_value(), c.version()), (-5, 7));
        assert!(c.is_complete_and_callbacks_done());
        c.observe(Arc::downgrade(&tally) as Weak<dyn CompletionObserver>);
        c.complete(2, 2);
        assert_eq!(tally.0.load(Ordering::SeqCst), -55, "an observer set after completion is not told");
        // an observer already gone is skipped
        let gone = Completion::new();
        gone.observe(Arc::downgrade(&Arc::new(Tally(AtomicI64::new(0)))) as Weak<dyn CompletionObserver>);
        gone.complete(3, 0);
        assert!(gone.is_complete_and_callbacks_done());
    }
}
