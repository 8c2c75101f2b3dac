//! Completions of asynchronous operations, shared by librados and librbd.
//!
//! A completion becomes complete once, with a return value (and an object
//! version for RADOS ops). Hooks registered before submission then run in
//! order on the completing thread with no lock held — the C callback is one of
//! them — and waiters are woken twice: at completion, and when the hooks are done.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard, Weak};

type Hook = Box<dyn FnOnce(i64) + Send>;

/// The owner of a completion, told first when it completes (before the
/// hooks): how the C handle runs its callbacks without allocating a hook per
/// operation. Held weakly: the owner holds the completion.
pub trait CompletionObserver: Send + Sync {
    fn completed(&self, result: i64);
}

#[derive(Default)]
struct State {
    result: Option<(i64, u64)>,
    /// Someone has taken the right to complete (the reply, or a cancel).
    claimed: bool,
    hooks_done: bool,
    hooks: Vec<Hook>,
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

    /// Runs `hook(result)` when the completion completes (at once if it already did).
    pub fn on_complete(&self, hook: impl FnOnce(i64) + Send + 'static) {
        let mut state = self.lock();
        match state.result {
            Some((r, _)) if state.hooks_done => {
                drop(state);
                hook(r);
            }
            _ => state.hooks.push(Box::new(hook)),
        }
    }

    /// Sets the observer told first when this completes (replacing any
    /// earlier one). Set it before the operation starts: one set after
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
        let hooks = {
            let mut state = self.lock();
            if state.result.is_some() {
                return;
            }
            state.result = Some((result, version));
            (std::mem::take(&mut state.hooks), state.observer.take(), state.waiters > 0)
        };
        let (hooks, observer, waiting) = hooks;
        if waiting {
            self.changed.notify_all();
        }
        if let Some(observer) = observer.and_then(|o| o.upgrade()) {
            // as a hook: a panic must not take the completing thread down
            let _ = catch_unwind(AssertUnwindSafe(|| observer.completed(result)));
        }
        let run = |hooks: Vec<Hook>| {
            for hook in hooks {
                // a panicking hook must not take the completing thread down
                let _ = catch_unwind(AssertUnwindSafe(|| hook(result)));
            }
        };
        run(hooks);
        // hooks registered while the others ran
        loop {
            let more = std::mem::take(&mut self.lock().hooks);
            if more.is_empty() {
                break;
            }
            run(more);
        }
        let waiting = {
            let mut state = self.lock();
            state.hooks_done = true;
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
        self.lock().hooks_done
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
            if let (Some((r, _)), true) = (state.result, state.hooks_done) {
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

    #[test]
    fn hooks_run_once_in_order_then_waiters_wake() {
        let c = Arc::new(Completion::new());
        let seen = Arc::new(AtomicI64::new(0));
        let s = seen.clone();
        c.on_complete(move |r| s.store(r * 10, Ordering::SeqCst));
        let s = seen.clone();
        c.on_complete(move |r| {
            s.fetch_add(r, Ordering::SeqCst);
        });
        assert_eq!(c.return_value(), 0);
        let waiter = {
            let c = c.clone();
            std::thread::spawn(move || c.wait_callbacks_done())
        };
        c.complete(-5, 7);
        c.complete(1, 1);
        assert_eq!(waiter.join().unwrap(), -5);
        assert_eq!(seen.load(Ordering::SeqCst), -55);
        assert_eq!((c.return_value(), c.version()), (-5, 7));
        assert!(c.is_complete_and_callbacks_done());
        let s = seen.clone();
        c.on_complete(move |r| s.store(r, Ordering::SeqCst));
        assert_eq!(seen.load(Ordering::SeqCst), -5, "late hook runs at once");
    }
}
