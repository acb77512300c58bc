//! DITAv2 execution kernel: the `extern "C"` surface of kernel/ABI.md, and nothing else.
//!
//! Job: translate raw pointers into safe calls on `fsm::Kernel`. Every export runs inside
//! `catch_unwind` (through `Kernel::guarded` or `shielded`): caller-caused input never panics
//! (it becomes a diagnostic); a panic is a kernel bug, which returns status 2, records
//! KERNEL_FAULT and latches the kernel read-only — later mutating calls return 2 and change
//! nothing, reads keep working.
//!
//! Invariants: null pointers are answered (status 1, null, 0 or nothing), never dereferenced;
//! input records are read unaligned, so any caller buffer works; returned pointers stay valid
//! until `dita_kernel_free` (records in the outcome arena until the next mutating call).
//!
//! Entry points: the `dita_*` functions below.

// A refusal is a `Diag` (~170 bytes) returned by value on purpose: boxing it would allocate,
// and the kernel does not allocate after `dita_kernel_new`.
#![allow(clippy::result_large_err)]
// Fixed-capacity buffers are built with `const fn new()`, usable in statics; `Default` adds nothing.
#![allow(clippy::new_without_default)]

pub mod abi;
pub mod account;
pub mod diagnostics;
pub mod fsm;
pub mod hash;
pub mod pipeline;
pub mod slot;
pub mod snapshot;
pub mod validate;

#[cfg(test)]
mod tests;

use core::ptr;
use std::panic::{catch_unwind, AssertUnwindSafe};

use abi::{AccountImage, DiagnosticRecord, InputRecord, OutcomeHeader, SlotImage, TransitionRecord};
use fsm::{Config, Kernel};
use pipeline::Pipeline;

pub const STATUS_OK: u32 = 0;
pub const STATUS_NULL: u32 = 1;
pub const STATUS_FAULTED: u32 = 2;
pub const STATUS_BUSY: u32 = 3;
/// `dita_kernel_restore_snapshot`: the snapshot was refused (the reason is the arena's diagnostic).
pub const STATUS_REFUSED: u32 = 3;

/// Runs a call that cannot mutate kernel state; a panic yields `fallback`.
fn shielded<R>(fallback: R, f: impl FnOnce() -> R) -> R {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// The kernel behind a handle, or `None` for null.
///
/// # Safety
/// `k` must be null or a live pointer from `dita_kernel_new`, used by one thread at a time.
unsafe fn kernel<'a>(k: *mut Kernel) -> Option<&'a mut Kernel> {
    k.as_mut()
}

#[no_mangle]
pub extern "C" fn dita_abi_describe() -> *const u8 {
    shielded(ptr::null(), || abi::describe_text().as_ptr())
}

#[no_mangle]
pub extern "C" fn dita_kernel_fsm_table() -> *const u8 {
    shielded(ptr::null(), || fsm::table::table_text().as_ptr())
}

#[no_mangle]
pub extern "C" fn dita_kernel_new(slot_count: u32, active_slot_limit: u32, hung_order_ms: u64) -> *mut Kernel {
    let config = Config::new(slot_count, active_slot_limit, hung_order_ms);
    shielded(ptr::null_mut(), || Kernel::new(config).map_or(ptr::null_mut(), Box::into_raw))
}

/// # Safety
/// `k` must be null or a pointer from `dita_kernel_new` not freed before.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_free(k: *mut Kernel) {
    if !k.is_null() {
        shielded((), || drop(Box::from_raw(k)));
    }
}

/// # Safety
/// `k` as for `dita_kernel_free`; `input` null or pointing to one readable `InputRecord`.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_apply(k: *mut Kernel, input: *const InputRecord) -> u32 {
    let Some(k) = kernel(k) else { return STATUS_NULL };
    if input.is_null() {
        return STATUS_NULL;
    }
    k.guarded(STATUS_FAULTED, |k| {
        k.apply_inputs(1, input);
        STATUS_OK
    })
}

/// One input, answered with its acceptance (the one-call-per-input hot path): 1 accepted,
/// 0 refused, 2 faulted, 3 null pointer. The outcome arena holds the outcome, as after
/// `dita_kernel_apply`.
///
/// # Safety
/// `k` as above; `input` null or pointing to one readable `InputRecord`.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_apply_one(k: *mut Kernel, input: *const InputRecord) -> u32 {
    let Some(k) = kernel(k) else { return ONE_NULL };
    if input.is_null() {
        return ONE_NULL;
    }
    k.guarded(ONE_FAULTED, |k| k.apply_single(input) as u32)
}

/// `dita_kernel_apply_one` answers besides 0 (refused) and 1 (accepted).
pub const ONE_FAULTED: u32 = 2;
pub const ONE_NULL: u32 = 3;

/// # Safety
/// `k` as above; `inputs` null or pointing to `n` readable consecutive `InputRecord`s.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_apply_batch(k: *mut Kernel, inputs: *const InputRecord, n: u32) -> u32 {
    let Some(k) = kernel(k) else { return 0 };
    if inputs.is_null() {
        return 0;
    }
    k.guarded(0, |k| k.apply_inputs(n as usize, inputs))
}

/// # Safety
/// `k` as above; `image` null or pointing to one readable `SlotImage`.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_restore_slot(k: *mut Kernel, image: *const SlotImage, now_ms: u64) -> u32 {
    let Some(k) = kernel(k) else { return STATUS_NULL };
    if image.is_null() {
        return STATUS_NULL;
    }
    k.guarded(STATUS_FAULTED, |k| {
        k.restore_slot(&ptr::read_unaligned(image), now_ms);
        STATUS_OK
    })
}

/// # Safety
/// `k` null or a live kernel handle.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_outcome(k: *mut Kernel) -> *const OutcomeHeader {
    kernel(k).map_or(ptr::null(), |k| &*k.arena.header as *const OutcomeHeader)
}

/// # Safety
/// `k` null or a live kernel handle.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_accepted(k: *mut Kernel) -> *const u8 {
    kernel(k).map_or(ptr::null(), |k| k.arena.accepted.as_ptr())
}

/// # Safety
/// `k` null or a live kernel handle.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_transitions(k: *mut Kernel) -> *const TransitionRecord {
    kernel(k).map_or(ptr::null(), |k| k.arena.transitions.as_ptr())
}

/// # Safety
/// `k` null or a live kernel handle.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_diagnostics(k: *mut Kernel) -> *const DiagnosticRecord {
    kernel(k).map_or(ptr::null(), |k| k.arena.diagnostics.as_ptr())
}

/// # Safety
/// `k` null or a live kernel handle.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_slots(k: *mut Kernel) -> *const SlotImage {
    kernel(k).map_or(ptr::null(), |k| k.slots.as_ptr())
}

/// # Safety
/// `k` null or a live kernel handle.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_account(k: *mut Kernel) -> *const AccountImage {
    kernel(k).map_or(ptr::null(), |k| &*k.account as *const AccountImage)
}

/// # Safety
/// `k` null or a live kernel handle.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_slot_count(k: *mut Kernel) -> u32 {
    kernel(k).map_or(0, |k| k.config.slot_count)
}

/// # Safety
/// `k` null or a live kernel handle.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_state_hash(k: *mut Kernel) -> u64 {
    match kernel(k) {
        Some(k) => shielded(0, || k.state_hash()),
        None => 0,
    }
}

/// Writes `[slot_count, active_slot_limit, hung_order_ms]`.
///
/// How many u64 `dita_kernel_config` writes.
pub const CONFIG_WORDS: usize = 9;

/// The configuration as `CONFIG_WORDS` u64: slot_count, active_slot_limit, hung_order_ms,
/// trading_state, max_notional_per_trade (f64 bits), max_gross_exposure (f64 bits),
/// max_orders_per_minute, max_leverage, max_drawdown_ratio (f64 bits).
///
/// # Safety
/// `k` null or a live kernel handle; `out` null or pointing to `CONFIG_WORDS` writable u64.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_config(k: *mut Kernel, out: *mut u64) {
    let Some(k) = kernel(k) else { return };
    if out.is_null() {
        return;
    }
    let c = k.config;
    let l = c.limits;
    let words: [u64; CONFIG_WORDS] = [
        c.slot_count as u64,
        c.active_slot_limit as u64,
        c.hung_order_ms,
        l.trading_state.raw() as u64,
        l.max_notional_per_trade.to_bits(),
        l.max_gross_exposure.to_bits(),
        l.max_orders_per_minute as u64,
        l.max_leverage as u64,
        l.max_drawdown_ratio.to_bits(),
    ];
    for (i, v) in words.into_iter().enumerate() {
        ptr::write_unaligned(out.add(i), v);
    }
}

/// Bytes of `k`'s snapshot (0 for null): `SNAPSHOT_FIXED_BYTES + slot_count × SNAPSHOT_SLOT_BYTES`.
///
/// # Safety
/// `k` null or a live kernel handle.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_snapshot_size(k: *mut Kernel) -> u64 {
    kernel(k).map_or(0, |k| k.snapshot_size() as u64)
}

/// Writes `k`'s snapshot (kernel/src/snapshot.rs) into `out`; returns the bytes written, or 0
/// when `k` or `out` is null, `cap` is below `dita_kernel_snapshot_size`, or the kernel is
/// faulted (a half-applied input is no state to keep). Changes nothing.
///
/// # Safety
/// `k` as above; `out` null or `cap` writable bytes not aliased by kernel memory.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_snapshot(k: *mut Kernel, out: *mut u8, cap: u64) -> u64 {
    let Some(k) = kernel(k) else { return 0 };
    let size = k.snapshot_size();
    if out.is_null() || cap < size as u64 || k.faulted {
        return 0;
    }
    let out = core::slice::from_raw_parts_mut(out, size);
    shielded(0, || k.write_snapshot(out) as u64)
}

/// Replaces `k`'s whole state with a snapshot after checking all of it: 0 restored (every slot and
/// the account dirty in the outcome), 1 null pointer, 2 faulted, 3 refused (one INVALID_INTENT
/// diagnostic with field SNAPSHOT says why; nothing changed). A `len` past `isize::MAX` is refused
/// (3) before any slice is made of it.
///
/// # Safety
/// `k` as above; `buf` null or `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_restore_snapshot(k: *mut Kernel, buf: *const u8, len: u64) -> u32 {
    let Some(k) = kernel(k) else { return STATUS_NULL };
    if buf.is_null() {
        return STATUS_NULL;
    }
    // A slice may not span more than isize::MAX bytes: such a length is refused before one is made.
    let Some(n) = usize::try_from(len).ok().filter(|&n| isize::try_from(n).is_ok()) else {
        return k.guarded(STATUS_FAULTED, |k| {
            k.refuse_snapshot_length(len);
            STATUS_REFUSED
        });
    };
    let bytes = core::slice::from_raw_parts(buf, n);
    k.guarded(STATUS_FAULTED, |k| if k.restore_snapshot_recorded(bytes) { STATUS_OK } else { STATUS_REFUSED })
}

/// The token `dita_kernel_arm_fault_drill` requires, so no stray call can arm a drill.
pub const FAULT_DRILL_TOKEN: u64 = 0xD17A_FA17_D711_0001;

/// Fault drill: arms a panic inside the next `apply`/`apply_batch`, so operators and tests can
/// prove on the shipped library what a kernel bug does (status 2, KERNEL_FAULT, latched
/// read-only, reads still served). Returns 0 when armed, 1 for a null handle or a wrong token.
///
/// # Safety
/// `k` as above.
#[no_mangle]
pub unsafe extern "C" fn dita_kernel_arm_fault_drill(k: *mut Kernel, token: u64) -> u32 {
    let Some(k) = kernel(k) else { return STATUS_NULL };
    if token != FAULT_DRILL_TOKEN {
        return STATUS_NULL;
    }
    k.panic_next = true;
    STATUS_OK
}

/// Starts an apply thread for `k` (kernel/src/pipeline.rs); null when `k` is null or the
/// thread cannot be spawned.
///
/// # Safety
/// `k` as above, live until `dita_pipeline_free`; while a job is in flight the caller makes no
/// other call on `k`.
#[no_mangle]
pub unsafe extern "C" fn dita_pipeline_new(k: *mut Kernel) -> *mut Pipeline {
    if k.is_null() {
        return ptr::null_mut();
    }
    shielded(ptr::null_mut(), || Pipeline::start(k).map_or(ptr::null_mut(), |p| Box::into_raw(Box::new(p))))
}

/// Hands `n` records to the apply thread: 0 submitted, 1 null pointer, 3 a job is in flight
/// (submitted and not yet collected by `dita_pipeline_wait`).
///
/// # Safety
/// `p` null or from `dita_pipeline_new`; `inputs` null or `n` readable records, untouched
/// until `dita_pipeline_wait` returns.
#[no_mangle]
pub unsafe extern "C" fn dita_pipeline_submit(p: *mut Pipeline, inputs: *const InputRecord, n: u32) -> u32 {
    let Some(p) = p.as_ref() else { return STATUS_NULL };
    if inputs.is_null() {
        return STATUS_NULL;
    }
    if p.submit(inputs, n) {
        STATUS_OK
    } else {
        STATUS_BUSY
    }
}

/// Waits for the job in flight and writes `[processed, accepted]` to `out` (`[0, 0]` when no job
/// is in flight; `processed` short of the submitted count: the kernel faulted). 0 ok, 1 null
/// pointer. A submitted job stays in flight until this collects it.
///
/// # Safety
/// `p` as above; `out` null or two writable u32.
#[no_mangle]
pub unsafe extern "C" fn dita_pipeline_wait(p: *mut Pipeline, out: *mut u32) -> u32 {
    let Some(p) = p.as_ref() else { return STATUS_NULL };
    if out.is_null() {
        return STATUS_NULL;
    }
    let [processed, accepted] = shielded([0, 0], || p.wait());
    out.write_unaligned(processed);
    out.add(1).write_unaligned(accepted);
    STATUS_OK
}

/// Waits for the job in flight, stops and joins the apply thread. Null-safe.
///
/// # Safety
/// `p` null or from `dita_pipeline_new`, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn dita_pipeline_free(p: *mut Pipeline) {
    if !p.is_null() {
        shielded((), || drop(Box::from_raw(p)));
    }
}
