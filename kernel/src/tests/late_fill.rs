//! Late fills for an exit leg that ended and was replaced by the next leg (`fsm/events.rs`, the
//! finished-order path): the finished-order ring keeps each order's final filled size, so a
//! cumulative fill beyond it is an OVERFILL (slot → STALE_STATE_RECONCILING), exactly as while the
//! order is still the slot's; the size travels in format-2 snapshots, and a format-1 snapshot
//! restores with the size unknown (no late-fill check, as before).

use super::*;
use crate::slot::FILLED_UNKNOWN;
use crate::snapshot::checksum;

/// LONG 1.0 @100; exit X1 1.0 fills 0.4 and is cancelled (POSITION_OPEN 0.6); the next leg X2 0.6
/// replaces it in the slot.
fn x1_replaced_by_x2(k: &mut K) {
    open_position(k, 0, "T1", e8(1.0), 100.0);
    assert!(k.apply(exit(0, e8(1.0), T0 + 10)).ok());
    assert!(k.apply(event(EventKind::PartialFill, "T1-X1", "x1a", e8(0.4), 110.0, 0.2, T0 + 11)).ok());
    assert!(k.apply(cancel(0, T0 + 12)).ok());
    assert!(k.apply(event(EventKind::CancelAck, "T1-X1", "x1c", e8(0.4), 110.0, 0.2, T0 + 13)).ok());
    assert_eq!((k.stage(0), k.slot(0).size_e8), (Stage::PositionOpen, e8(0.6)));
    assert!(k.apply(exit(0, e8(0.6), T0 + 14)).ok());
    assert_eq!(k.stage(0), Stage::ExitWorking);
}

fn late_x1_fill(cum: f64, event_id: &str) -> InputRecord {
    event(EventKind::PartialFill, "T1-X1", event_id, e8(cum), 110.0, 0.35, T0 + 20)
}

fn take(k: &K) -> Vec<u8> {
    let size = unsafe { dita_kernel_snapshot_size(k.ptr) } as usize;
    let mut out = vec![0u8; size];
    assert_eq!(unsafe { dita_kernel_snapshot(k.ptr, out.as_mut_ptr(), size as u64) } as usize, size);
    out
}

fn restore(k: &mut K, bytes: &[u8]) -> u32 {
    unsafe { dita_kernel_restore_snapshot(k.ptr, bytes.as_ptr(), bytes.len() as u64) }
}

#[test]
fn late_fill_beyond_a_replaced_exit_legs_final_size_is_an_overfill() {
    let mut k = K::new(1);
    x1_replaced_by_x2(&mut k);
    let o = k.apply(late_x1_fill(0.7, "x1b"));
    assert!(o.ok());
    assert_eq!(o.codes(), vec![DiagCode::Overfill], "{:?}", o.messages());
    assert!(o.messages()[0].contains("exceeds its final 0.4"), "{:?}", o.messages());
    assert_eq!(k.stage(0), Stage::Stale, "the venue closed 0.3 more than the slot booked");
    assert_eq!(k.slot(0).stale_reason, StaleReason::Overfill.raw());
}

#[test]
fn late_fill_within_a_replaced_exit_legs_final_size_stays_a_stale_event() {
    let mut k = K::new(1);
    x1_replaced_by_x2(&mut k);
    let before = k.slot(0);
    let o = k.apply(late_x1_fill(0.4, "x1-redelivered"));
    assert!(o.ok());
    assert_eq!(o.codes(), vec![DiagCode::StaleEvent]);
    assert_eq!((k.stage(0), k.slot(0).size_e8), (Stage::ExitWorking, before.size_e8));
}

#[test]
fn the_final_filled_size_of_a_finished_order_survives_a_snapshot() {
    let mut k = K::new(1);
    x1_replaced_by_x2(&mut k);
    let mut restored = K::new(1);
    assert_eq!(restore(&mut restored, &take(&k)), STATUS_OK);
    assert_eq!(restored.hash(), k.hash());
    assert_eq!(restored.apply(late_x1_fill(0.7, "x1b")).codes(), vec![DiagCode::Overfill]);
}

#[test]
fn the_state_hash_covers_the_final_filled_size_of_finished_orders() {
    let mut k = K::new(1);
    x1_replaced_by_x2(&mut k);
    let before = k.hash();
    let m = &mut k.kernel().memory[0];
    let at = (0..m.finished_len as usize).find(|&i| m.finished_filled[i] == e8(0.4)).expect("X1 remembered");
    m.finished_filled[at] = e8(0.5);
    assert_ne!(k.hash(), before);
}

/// The format-1 bytes of `k`'s state: memories without the final filled sizes.
fn format_1_snapshot(k: &mut K) -> Vec<u8> {
    for m in k.kernel().memory.iter_mut() {
        for f in m.finished_filled.iter_mut().take(m.finished_len as usize) {
            *f = FILLED_UNKNOWN;
        }
    }
    let v2 = take(k);
    let n = k.slot_count() as usize;
    let (mem_v1, mem_v2) = (SNAPSHOT_SLOT_BYTES - 448 - 64, SNAPSHOT_SLOT_BYTES - 448);
    let memories = SNAPSHOT_FIXED_BYTES + n * 448;
    let mut v1 = v2[..memories].to_vec();
    for id in 0..n {
        let at = memories + id * mem_v2;
        v1.extend_from_slice(&v2[at..at + mem_v1]);
    }
    v1[8..12].copy_from_slice(&1u32.to_le_bytes());
    let body = (v1.len() - 64) as u64;
    v1[24..32].copy_from_slice(&body.to_le_bytes());
    let sum = checksum(&v1);
    v1[32..40].copy_from_slice(&sum.to_le_bytes());
    v1
}

#[test]
fn a_format_1_snapshot_restores_with_unknown_final_sizes_and_its_state_hash() {
    let mut k = K::new(1);
    x1_replaced_by_x2(&mut k);
    let v1 = format_1_snapshot(&mut k);
    assert_eq!(v1.len(), SNAPSHOT_FIXED_BYTES + 2_640);
    let mut restored = K::new(1);
    assert_eq!(restore(&mut restored, &v1), STATUS_OK);
    assert_eq!(restored.hash(), u64::from_le_bytes(v1[40..48].try_into().unwrap()));
    assert_eq!(restored.snapshot(), k.snapshot());
    // Unknown final size: no late-fill check, as with the format-1 kernel.
    assert_eq!(restored.apply(late_x1_fill(0.7, "x1b")).codes(), vec![DiagCode::StaleEvent]);
    // Its snapshot is format 2 and restores to the same state.
    let again = take(&restored);
    assert_eq!(u32::from_le_bytes(again[8..12].try_into().unwrap()), SNAPSHOT_FORMAT_VERSION);
    let mut third = K::new(1);
    assert_eq!(restore(&mut third, &again), STATUS_OK);
    assert_eq!(third.hash(), restored.hash());
}

/// A snapshot the format-1 kernel (before final filled sizes) wrote of `x1_replaced_by_x2`.
const FORMAT_1_FIXTURE: &[u8] = include_bytes!("fixtures/format1_x1_replaced.snapshot");

#[test]
fn a_snapshot_written_by_the_format_1_kernel_still_restores() {
    assert_eq!(u32::from_le_bytes(FORMAT_1_FIXTURE[8..12].try_into().unwrap()), 1);
    let mut restored = K::new(1);
    assert_eq!(restore(&mut restored, FORMAT_1_FIXTURE), STATUS_OK);
    assert_eq!(restored.hash(), 4_517_231_474_176_943_406, "the format-1 kernel's state hash");
    let mut k = K::new(1);
    x1_replaced_by_x2(&mut k);
    // The same slots and account, but for equity and the account's version: that kernel derived
    // equity as capital + unrealized (before equity counted what open trades booked, so their
    // fills did not change the account); the restored account keeps what was stored.
    let (mut got, want) = (restored.snapshot().1, k.snapshot().1);
    let a = restored.account();
    assert_eq!(a.equity, a.capital + a.unrealized_pnl);
    got[56..64].copy_from_slice(&k.account().equity.to_le_bytes());
    got[72..80].copy_from_slice(&k.account().version.to_le_bytes());
    assert_eq!(got, want, "the same slots and account");
    assert_eq!(restored.apply(late_x1_fill(0.7, "x1b")).codes(), vec![DiagCode::StaleEvent]);
    // The next input that moves the account derives equity this kernel's way.
    assert!(restored.apply(mark(120.0, T0 + 30)).ok());
    assert!(k.apply(mark(120.0, T0 + 30)).ok());
    assert_eq!(restored.account().equity, k.account().equity);
}
