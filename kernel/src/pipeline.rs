//! The apply thread: applies one caller batch of InputRecords on a second thread while the
//! caller encodes the next one, so encoding and applying overlap on two cores.
//!
//! Job: own one thread per pipeline that, per submitted job, runs the same loop of guarded
//! `apply_inputs` calls as `dita_kernel_apply_batch` until the job is applied (or the kernel
//! faults), then reports `[processed, accepted]`. One job in flight at a time: the caller
//! hands it over with `submit` and takes it back with `wait`; a finished job stays in flight
//! until `wait` collects it, so no result is ever overwritten.
//!
//! Invariants: the kernel is still applied by one thread at a time, inputs in submission order —
//! outcomes and state hash are exactly those of `dita_kernel_apply_batch` over the same records
//! (tests/property/kernel_pipeline.test.ts). Between `submit` and `wait` the caller touches
//! neither the kernel nor the submitted records (the binding enforces it). No clock: a waiting
//! side spins a bounded number of rounds, then yields the CPU a bounded number of times (so a
//! thread sharing its CPU can finish), then sleeps on a condition variable. With fewer than two
//! CPUs available (affinity, cgroup quota) no thread is started: the two sides could not overlap,
//! and waiting on one CPU only adds hand-offs.
//!
//! Entry points: `Pipeline::start`, `submit`, `wait`, `Drop` (waits, stops, joins).

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use crate::abi::InputRecord;
use crate::fsm::Kernel;

const IDLE: u32 = 0;
const SUBMITTED: u32 = 1;
const STOP: u32 = 2;
const DONE: u32 = 3;
/// Spin rounds (`spin_loop` hints) before yielding: tens of microseconds, about one batch.
const SPIN_ROUNDS: u32 = 4000;
/// `yield_now` rounds before sleeping on the condition variable.
const YIELD_ROUNDS: u32 = 100;

#[derive(Clone, Copy)]
struct Job {
    inputs: *const InputRecord,
    n: u32,
    processed: u32,
    accepted: u32,
}

struct Shared {
    kernel: *mut Kernel,
    state: AtomicU32,
    /// Written by the side that owns the job: the caller before SUBMITTED, the thread before DONE.
    job: UnsafeCell<Job>,
    sleepers: AtomicU32,
    lock: Mutex<()>,
    wake: Condvar,
}

// SAFETY: `kernel` and `job` are used by one side at a time, handed over through `state`
// (SeqCst store after the write, SeqCst load before the read).
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

impl Shared {
    fn publish(&self, state: u32) {
        self.state.store(state, SeqCst);
        if self.sleepers.load(SeqCst) > 0 {
            let _held = self.lock.lock().unwrap_or_else(|e| e.into_inner());
            self.wake.notify_all();
        }
    }

    /// Waits until `done(state)`; returns that state.
    fn await_state(&self, done: impl Fn(u32) -> bool) -> u32 {
        for round in 0..SPIN_ROUNDS + YIELD_ROUNDS {
            let s = self.state.load(SeqCst);
            if done(s) {
                return s;
            }
            if round < SPIN_ROUNDS {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
        let mut held = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        self.sleepers.fetch_add(1, SeqCst);
        let mut s = self.state.load(SeqCst);
        while !done(s) {
            held = self.wake.wait(held).unwrap_or_else(|e| e.into_inner());
            s = self.state.load(SeqCst);
        }
        self.sleepers.fetch_sub(1, SeqCst);
        s
    }
}

pub struct Pipeline {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Pipeline {
    /// Starts the apply thread for `kernel`; `None` when fewer than two CPUs are available or
    /// the thread cannot be spawned.
    ///
    /// # Safety
    /// `kernel` is live until this pipeline is dropped, and while a job is in flight nothing
    /// else uses it.
    pub unsafe fn start(kernel: *mut Kernel) -> Option<Pipeline> {
        if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
            return None;
        }
        let shared = Arc::new(Shared {
            kernel,
            state: AtomicU32::new(IDLE),
            job: UnsafeCell::new(Job { inputs: core::ptr::null(), n: 0, processed: 0, accepted: 0 }),
            sleepers: AtomicU32::new(0),
            lock: Mutex::new(()),
            wake: Condvar::new(),
        });
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new().name("dita-apply".into()).spawn(move || run(&worker)).ok()?;
        Some(Pipeline { shared, thread: Some(thread) })
    }

    /// Hands `n` records at `inputs` to the apply thread. False (nothing submitted) while a
    /// job is in flight (submitted and not yet collected by `wait`).
    ///
    /// # Safety
    /// `inputs` points to `n` readable records that stay untouched until `wait` returns.
    pub unsafe fn submit(&self, inputs: *const InputRecord, n: u32) -> bool {
        if self.shared.state.load(SeqCst) != IDLE {
            return false;
        }
        *self.shared.job.get() = Job { inputs, n, processed: 0, accepted: 0 };
        self.shared.publish(SUBMITTED);
        true
    }

    /// Waits for the job in flight and returns its `[processed, accepted]` (`[0, 0]` when
    /// none is). `processed < n` means the kernel faulted (it is latched read-only).
    pub fn wait(&self) -> [u32; 2] {
        if self.shared.await_state(|s| s == DONE || s == IDLE) == IDLE {
            return [0, 0];
        }
        // SAFETY: DONE: the thread has handed the job back.
        let job = unsafe { *self.shared.job.get() };
        self.shared.state.store(IDLE, SeqCst); // only `submit` waits for IDLE, on this thread
        [job.processed, job.accepted]
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        self.wait();
        self.shared.publish(STOP);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(shared: &Shared) {
    loop {
        if shared.await_state(|s| s == SUBMITTED || s == STOP) == STOP {
            return;
        }
        // SAFETY: SUBMITTED: the caller has handed over the job, the records and the kernel.
        let job = unsafe { &mut *shared.job.get() };
        let kernel = unsafe { &mut *shared.kernel };
        while job.processed < job.n {
            let at = unsafe { job.inputs.add(job.processed as usize) };
            let n = (job.n - job.processed) as usize;
            let processed = kernel.guarded(0, |k| unsafe { k.apply_inputs(n, at) });
            if processed == 0 {
                break; // faulted: latched read-only, nothing more applies
            }
            job.processed += processed;
            job.accepted += kernel.arena.header.accepted;
        }
        shared.publish(DONE);
    }
}
