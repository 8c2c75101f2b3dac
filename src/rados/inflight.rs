//! Counting operations in flight, for flushes that wait for all of them.

use std::sync::Mutex;

/// Runs once the in-flight count drops to zero.
type DrainHook = Box<dyn FnOnce() + Send>;

/// Asynchronous operations not completed yet, and who waits for none.
/// (`when_drained` hooks run on the thread that finishes the last one.)
#[derive(Default)]
pub struct InFlight {
    count: Mutex<(u64, Vec<DrainHook>)>,
    drained: std::sync::Condvar,
}

impl InFlight {
    pub fn start(&self) {
        self.count.lock().unwrap_or_else(|e| e.into_inner()).0 += 1;
    }

    pub fn finish(&self) {
        let waiters = {
            let mut c = self.count.lock().unwrap_or_else(|e| e.into_inner());
            c.0 -= 1;
            if c.0 > 0 {
                return;
            }
            std::mem::take(&mut c.1)
        };
        self.drained.notify_all();
        for w in waiters {
            w();
        }
    }

    pub fn wait(&self) {
        let mut c = self.count.lock().unwrap_or_else(|e| e.into_inner());
        while c.0 > 0 {
            c = self.drained.wait(c).unwrap_or_else(|e| e.into_inner());
        }
    }

    pub fn when_drained(&self, f: Box<dyn FnOnce() + Send>) {
        let mut c = self.count.lock().unwrap_or_else(|e| e.into_inner());
        if c.0 == 0 {
            drop(c);
            f();
        } else {
            c.1.push(f);
        }
    }
}
