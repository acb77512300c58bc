//! PGO training driver (run by `npm run pgo`, see `kernel/pgo/README.md`): applies a file of
//! InputRecords through the exported C entry points the binding uses — one call per input
//! (`dita_kernel_apply_one`), batches (`dita_kernel_apply_batch`) and the apply thread
//! (`dita_pipeline_*`) — so an instrumented build records how often each path runs. It exits
//! normally, which is when the instrumented build writes its profile.
//!
//! usage: pgo_train RECORDS SLOTS ACTIVE_SLOT_LIMIT HUNG_ORDER_MS
//! Prints one line: inputs, accepted per entry point, and the state hash (equal for all three).

use dita_kernel::abi::InputRecord;
use dita_kernel::*;

const CHUNK: usize = 1024;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, path, slots, limit, hung_ms] = args.as_slice() else {
        eprintln!("usage: pgo_train RECORDS SLOTS ACTIVE_SLOT_LIMIT HUNG_ORDER_MS");
        std::process::exit(2);
    };
    let config = [("SLOTS", slots), ("ACTIVE_SLOT_LIMIT", limit), ("HUNG_ORDER_MS", hung_ms)]
        .map(|(name, v)| v.parse::<u32>().unwrap_or_else(|_| fail(&format!("{name} must be a number, got {v:?}"))));
    let bytes = std::fs::read(path).unwrap_or_else(|e| fail(&format!("cannot read {path}: {e}")));
    let size = std::mem::size_of::<InputRecord>();
    if bytes.len() % size != 0 {
        fail(&format!("{path} holds {} bytes, not whole {size}-byte InputRecords", bytes.len()));
    }
    // Records are read in place by the kernel: copy them into aligned storage first.
    let n = bytes.len() / size;
    let mut records = vec![InputRecord::ZERO; n];
    // SAFETY: `records` owns n * size writable bytes; InputRecord is plain old data.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), records.as_mut_ptr().cast::<u8>(), bytes.len()) };

    let (one, one_hash) =
        run(config, |k| records.iter().map(|r| (unsafe { dita_kernel_apply_one(k, r) } == 1) as u64).sum());
    let (batch, batch_hash) = run(config, |k| {
        let accepted = unsafe { dita_kernel_accepted(k) };
        let mut total = 0u64;
        let mut done = 0;
        while done < n {
            let m =
                unsafe { dita_kernel_apply_batch(k, records[done..].as_ptr(), (n - done).min(CHUNK) as u32) } as usize;
            total += (0..m).map(|i| unsafe { *accepted.add(i) } as u64).sum::<u64>();
            done += m;
        }
        total
    });
    let (piped, piped_hash) = run(config, |k| {
        let p = unsafe { dita_pipeline_new(k) };
        if p.is_null() {
            fail("the apply thread did not start (one CPU?)");
        }
        let mut total = 0u64;
        let mut done = 0;
        while done < n {
            let mut out = [0u32; 2]; // [processed, accepted]
            unsafe {
                let m = (n - done).min(CHUNK) as u32;
                if dita_pipeline_submit(p, records[done..].as_ptr(), m) != 0
                    || dita_pipeline_wait(p, out.as_mut_ptr()) != 0
                {
                    fail("the apply thread refused a chunk");
                }
            }
            if out[0] == 0 {
                fail("the apply thread made no progress (kernel fault?)");
            }
            total += out[1] as u64;
            done += out[0] as usize;
        }
        unsafe { dita_pipeline_free(p) };
        total
    });
    if one_hash != batch_hash || one_hash != piped_hash {
        fail(&format!("entry points disagree on the state hash: {one_hash:016x} {batch_hash:016x} {piped_hash:016x}"));
    }
    println!("inputs {n} accepted one={one} batch={batch} pipeline={piped} hash {one_hash:016x}");
}

/// A fresh kernel configured as `[slots, active_slot_limit, hung_order_ms]`, `apply` run on it;
/// returns its result and the state hash.
fn run([slots, limit, hung_ms]: [u32; 3], apply: impl FnOnce(*mut fsm::Kernel) -> u64) -> (u64, u64) {
    let k = dita_kernel_new(slots, limit, hung_ms as u64);
    if k.is_null() {
        fail(&format!("the kernel refused its configuration: {slots} slots, limit {limit}, hung_order_ms {hung_ms}"));
    }
    let accepted = apply(k);
    let hash = unsafe { dita_kernel_state_hash(k) };
    unsafe { dita_kernel_free(k) };
    (accepted, hash)
}

fn fail(message: &str) -> ! {
    eprintln!("pgo_train: {message}");
    std::process::exit(1);
}
