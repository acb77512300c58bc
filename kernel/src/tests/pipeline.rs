//! The apply thread (`dita_pipeline_*`): the same state as `dita_kernel_apply_batch` over the
//! same records, one job at a time, faults latched as on the caller's thread, null pointers
//! answered, and a freed pipeline finishes its job first.

use super::*;

/// `script()`-like traffic long enough to cross several `BATCH_MAX` calls.
fn traffic(n: usize) -> Vec<InputRecord> {
    let mut v = vec![seed(5_000.0, 0, T0), enter(0, "P1", Side::Long, e8(0.5), T0 + 1)];
    v.push(event(EventKind::FullFill, "P1-E", "p1", e8(0.5), 100.0, 0.05, T0 + 2));
    v.push(input(InputKind::Enter, 9, T0 + 2)); // refused: slot out of range
    for i in 0..n {
        v.push(mark(100.0 + (i % 13) as f64, T0 + 3 + i as u64));
    }
    v
}

/// The sequential reference: `dita_kernel_apply_batch` looped until every record is processed.
fn sequential(inputs: &[InputRecord]) -> ((u64, Vec<u8>), u32) {
    let k = K::new(4);
    let (mut done, mut accepted) = (0, 0);
    while done < inputs.len() {
        let n = unsafe { dita_kernel_apply_batch(k.ptr, inputs[done..].as_ptr(), (inputs.len() - done) as u32) };
        assert!(n > 0, "the sequential reference makes progress");
        accepted += unsafe { (*dita_kernel_outcome(k.ptr)).accepted };
        done += n as usize;
    }
    (k.snapshot(), accepted)
}

/// A pipeline for `k`; `None` (after checking that `dita_pipeline_new` refused) on a machine with
/// one CPU available, where the contract is that no thread starts.
fn started(k: &K) -> Option<*mut Pipeline> {
    let p = unsafe { dita_pipeline_new(k.ptr) };
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(p.is_null(), cpus < 2, "a thread starts exactly when two CPUs are available");
    (!p.is_null()).then_some(p)
}

/// Submits `inputs` as one job and collects it: `[processed, accepted]`.
fn run_job(p: *mut Pipeline, inputs: &[InputRecord]) -> [u32; 2] {
    assert_eq!(unsafe { dita_pipeline_submit(p, inputs.as_ptr(), inputs.len() as u32) }, STATUS_OK);
    let mut out = [u32::MAX; 2];
    assert_eq!(unsafe { dita_pipeline_wait(p, out.as_mut_ptr()) }, STATUS_OK);
    out
}

#[test]
fn the_apply_thread_leaves_the_state_of_the_sequential_batch() {
    let inputs = traffic(5_000);
    let (expected, accepted) = sequential(&inputs);
    let k = K::new(4);
    let Some(p) = started(&k) else { return };
    // Two jobs, split off a chunk boundary, as the binding submits them.
    let [n1, a1] = run_job(p, &inputs[..1500]);
    let [n2, a2] = run_job(p, &inputs[1500..]);
    unsafe { dita_pipeline_free(p) };
    assert_eq!((n1 + n2) as usize, inputs.len());
    assert_eq!(a1 + a2, accepted);
    assert_eq!(accepted as usize, inputs.len() - 1, "only the out-of-range ENTER is refused");
    assert_eq!(k.snapshot(), expected);
}

#[test]
fn a_job_stays_in_flight_until_collected_and_a_second_one_is_refused_as_busy() {
    let inputs = traffic(2_000);
    let k = K::new(4);
    let Some(p) = started(&k) else { return };
    assert_eq!(unsafe { dita_pipeline_submit(p, inputs.as_ptr(), inputs.len() as u32) }, STATUS_OK);
    assert_eq!(unsafe { dita_pipeline_submit(p, inputs.as_ptr(), 1) }, STATUS_BUSY, "running");
    std::thread::sleep(std::time::Duration::from_millis(50)); // long done by now
    assert_eq!(unsafe { dita_pipeline_submit(p, inputs.as_ptr(), 1) }, STATUS_BUSY, "done, not collected");
    let mut out = [0u32; 2];
    assert_eq!(unsafe { dita_pipeline_wait(p, out.as_mut_ptr()) }, STATUS_OK);
    assert_eq!(out[0] as usize, inputs.len(), "the refused submits changed nothing");
    assert_eq!(unsafe { dita_pipeline_wait(p, out.as_mut_ptr()) }, STATUS_OK);
    assert_eq!(out, [0, 0], "nothing in flight after collecting");
    unsafe { dita_pipeline_free(p) };
}

#[test]
fn a_panic_on_the_apply_thread_latches_the_kernel_read_only() {
    let inputs = traffic(3_000);
    let k = K::new(4);
    let before = k.snapshot();
    assert_eq!(unsafe { dita_kernel_arm_fault_drill(k.ptr, FAULT_DRILL_TOKEN) }, STATUS_OK);
    let Some(p) = started(&k) else { return };
    assert_eq!(run_job(p, &inputs), [0, 0]);
    assert_eq!(k.outcome(STATUS_OK).codes(), vec![DiagCode::KernelFault]);
    assert_eq!(run_job(p, &inputs), [0, 0], "a faulted kernel applies nothing later");
    unsafe { dita_pipeline_free(p) };
    assert_eq!(k.outcome(STATUS_OK).header.faulted, 1);
    assert_eq!(k.snapshot(), before);
}

#[test]
fn freeing_a_pipeline_finishes_its_job_first() {
    let inputs = traffic(100_000);
    let (expected, _) = sequential(&inputs);
    let k = K::new(4);
    let Some(p) = started(&k) else { return };
    assert_eq!(unsafe { dita_pipeline_submit(p, inputs.as_ptr(), inputs.len() as u32) }, STATUS_OK);
    unsafe { dita_pipeline_free(p) };
    assert_eq!(k.snapshot(), expected);
}

#[test]
fn pipeline_calls_answer_null_pointers() {
    let k = K::new(1);
    let record = seed(1.0, 0, T0);
    let mut out = [0u32; 2];
    unsafe {
        assert!(dita_pipeline_new(core::ptr::null_mut()).is_null());
        assert_eq!(dita_pipeline_submit(core::ptr::null_mut(), &record, 1), STATUS_NULL);
        assert_eq!(dita_pipeline_wait(core::ptr::null_mut(), out.as_mut_ptr()), STATUS_NULL);
        dita_pipeline_free(core::ptr::null_mut());
        let Some(p) = started(&k) else { return };
        assert_eq!(dita_pipeline_submit(p, core::ptr::null(), 1), STATUS_NULL);
        assert_eq!(dita_pipeline_wait(p, core::ptr::null_mut()), STATUS_NULL);
        out = [7, 7];
        assert_eq!(dita_pipeline_wait(p, out.as_mut_ptr()), STATUS_OK, "waiting with no job in flight returns at once");
        assert_eq!(out, [0, 0]);
        dita_pipeline_free(p);
    }
}
