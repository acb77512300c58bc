//! Kernel snapshots (`snapshot.rs`) through the exports: a round trip keeps the state hash, the
//! bytes and every future outcome (the seen-event memory included); every corruption — a flipped
//! byte anywhere, a truncation, another version, slot count or ABI, a value out of range behind a
//! valid checksum — is refused with one diagnostic and changes nothing.

use super::*;
use crate::snapshot::checksum;

/// A kernel with every part of the state in use: limits and trading state, an order window that
/// wrapped, marks of several assets, positions, a working exit, a stale slot, a closed trade
/// (finished orders), and more venue events than the seen ring holds.
fn busy_kernel() -> K {
    let mut k = K::new(4);
    assert!(k.apply(configure_amount(ConfigKey::MaxNotionalPerTrade, 1e9, T0)).ok());
    assert!(k.apply(configure(ConfigKey::MaxLeverage, 50, T0)).ok());
    assert!(k.apply(configure_amount(ConfigKey::MaxDrawdownRatio, 0.5, T0)).ok());
    for (i, asset) in ["ETH-USDT", "SOL-USDT", BTC].iter().enumerate() {
        let m = InputRecord { price: 100.0 + i as f64, asset: text(asset), ..input(InputKind::MarkPrice, 0, T0) };
        assert!(k.apply(m).ok());
    }
    open_position(&mut k, 0, "A", e8(1.0), 100.0);
    // Trade B opens and closes: its orders go to the finished ring, capital settles.
    open_position(&mut k, 1, "B", e8(0.5), 100.0);
    assert!(k.apply(exit(1, e8(0.5), T0 + 10)).ok());
    assert!(k.apply(event(EventKind::FullFill, "B-X1", "bx", e8(0.5), 104.0, 0.1, T0 + 11)).ok());
    // Slot 0: many partial fills of one exit, past the 32-entry seen ring.
    assert!(k.apply(exit(0, e8(1.0), T0 + 12)).ok());
    for n in 1..=40 {
        let fill =
            event(EventKind::PartialFill, "A-X1", &format!("ax{n}"), n * 1_000_000, 101.0, 0.0, T0 + 12 + n as u64);
        assert!(k.apply(fill).ok());
    }
    open_position(&mut k, 2, "C", e8(2.0), 100.0);
    assert!(k.apply(mark_stale(2, StaleReason::Restart, T0 + 60)).ok());
    assert!(k.apply(mark(107.5, T0 + 61)).ok());
    // Over 1200 orders, so the order window ring wraps (ENTER and its CANCEL_ACK on slot 3).
    for n in 0..1210u64 {
        let tid = format!("W{n}");
        assert!(k.apply(enter(3, &tid, Side::Short, e8(0.1), T0 + 100_000 + n)).ok());
        let ack = event(EventKind::CancelAck, &format!("{tid}-E"), &format!("w{n}"), 0, 0.0, 0.0, T0 + 100_000 + n);
        assert!(k.apply(ack).ok());
    }
    assert!(k.apply(configure(ConfigKey::MaxOrdersPerMinute, 1200, T0 + 110_000)).ok());
    assert_eq!(k.kernel().orders.len, ORDERS_PER_MINUTE_MAX, "the order window is full and wrapped");
    assert_ne!(k.kernel().orders.head, 0);
    k
}

fn take(k: &K) -> Vec<u8> {
    let size = unsafe { dita_kernel_snapshot_size(k.ptr) } as usize;
    let mut out = vec![0u8; size];
    let written = unsafe { dita_kernel_snapshot(k.ptr, out.as_mut_ptr(), size as u64) };
    assert_eq!(written as usize, size);
    out
}

fn restore(k: &mut K, bytes: &[u8]) -> Outcome {
    let status = unsafe { dita_kernel_restore_snapshot(k.ptr, bytes.as_ptr(), bytes.len() as u64) };
    k.outcome(status)
}

/// Everything a caller can observe of the state: hash, account, slots, and a snapshot of it.
fn observed(k: &K) -> (u64, Vec<u8>, Vec<u8>) {
    let (hash, bytes) = k.snapshot();
    (hash, bytes, take(k))
}

fn refused(k: &mut K, bytes: &[u8], why: &str) {
    let before = observed(k);
    let o = restore(k, bytes);
    assert_eq!(o.status, STATUS_REFUSED, "expected a refusal ({why})");
    assert_eq!(o.codes(), vec![DiagCode::InvalidIntent], "{why}");
    assert_eq!(o.diags[0].field, Field::Snapshot.raw(), "{why}: {:?}", o.messages());
    let msg = &o.messages()[0];
    assert!(msg.starts_with("snapshot refused: ") && msg.contains(why), "{why}: got {msg}");
    assert_eq!(observed(k), before, "a refused snapshot changed the kernel ({why})");
}

/// Recomputes the checksum after a deliberate change, so the change meets the value checks.
fn sealed(mut bytes: Vec<u8>) -> Vec<u8> {
    let sum = checksum(&bytes);
    bytes[32..40].copy_from_slice(&sum.to_le_bytes());
    bytes
}

#[test]
fn snapshot_restored_into_a_fresh_kernel_has_the_same_state_hash_and_bytes() {
    let k = busy_kernel();
    let bytes = take(&k);
    assert_eq!(bytes.len(), SNAPSHOT_FIXED_BYTES + 4 * SNAPSHOT_SLOT_BYTES);
    let mut fresh = K::new(4);
    let o = restore(&mut fresh, &bytes);
    assert_eq!((o.status, o.header.accepted, o.diags.len(), o.transitions.len()), (STATUS_OK, 1, 0, 0));
    assert_eq!(o.header.dirty_slots[0], 0b1111, "every slot is published again");
    assert_eq!(o.header.account_dirty, 1);
    assert_eq!(fresh.hash(), k.hash());
    assert_eq!(observed(&fresh), observed(&k), "slots, account and a second snapshot are the same bytes");
    assert_eq!(fresh.kernel().config, k.ptr_config());
}

#[test]
fn a_restored_kernel_answers_every_later_input_as_the_original_does() {
    let mut a = busy_kernel();
    let mut b = K::new(4);
    assert_eq!(restore(&mut b, &take(&a)).status, STATUS_OK);
    let later = [
        event(EventKind::PartialFill, "A-X1", "ax40", e8(0.4), 101.0, 0.0, T0 + 200_000), // in the seen ring
        event(EventKind::PartialFill, "A-X1", "ax3", e8(0.03), 101.0, 0.0, T0 + 200_001), // aged out: cumulative
        event(EventKind::FullFill, "B-X1", "bx-late", e8(0.5), 104.0, 0.1, T0 + 200_002), // finished order
        enter(3, "B", Side::Long, e8(0.1), T0 + 200_003), // trade id in the finished ring
        enter(3, "Z", Side::Long, e8(0.1), T0 + 200_004), // order window decides
        mark(90.0, T0 + 200_005),
        reconcile(2, Truth { side: Side::Long.raw(), qty_e8: e8(2.0), price: 100.0, order: None }, T0 + 200_006),
        event(EventKind::FullFill, "A-X1", "ax41", e8(1.0), 102.0, 0.2, T0 + 200_007),
    ];
    for input in later {
        let (x, y) = (a.apply(input), b.apply(input));
        assert_eq!((x.status, &x.accepted, x.codes()), (y.status, &y.accepted, y.codes()));
        assert_eq!(x.messages(), y.messages());
        assert_eq!(a.hash(), b.hash());
    }
    let dup = b.apply(event(EventKind::PartialFill, "A-X1", "ax40", e8(0.4), 101.0, 0.0, T0 + 300_000));
    assert_eq!(dup.codes(), vec![DiagCode::DuplicateEvent]);
}

#[test]
fn every_flipped_byte_of_a_snapshot_is_refused_and_changes_nothing() {
    let bytes = take(&busy_kernel());
    let mut k = K::new(4);
    let before = observed(&k);
    for at in 0..bytes.len() {
        let mut bad = bytes.clone();
        bad[at] ^= 0x20;
        let status = unsafe { dita_kernel_restore_snapshot(k.ptr, bad.as_ptr(), bad.len() as u64) };
        assert_eq!(status, STATUS_REFUSED, "flip at byte {at} was accepted");
    }
    assert_eq!(observed(&k), before);
    refused(&mut k, &{ bytes.clone().tap(|b| b[5000] ^= 1) }, "checksum");
}

#[test]
fn truncated_padded_and_empty_snapshots_are_refused() {
    let bytes = take(&busy_kernel());
    let mut k = K::new(4);
    refused(&mut k, &[], "0 bytes, shorter than its 64-byte header");
    refused(&mut k, &bytes[..63], "63 bytes, shorter than its 64-byte header");
    refused(&mut k, &bytes[..64], "truncated or padded");
    refused(&mut k, &bytes[..bytes.len() - 1], "truncated or padded");
    let mut padded = bytes.clone();
    padded.push(0);
    refused(&mut k, &padded, "truncated or padded");
}

#[test]
fn another_magic_format_version_abi_or_slot_count_is_refused_by_name() {
    let bytes = take(&busy_kernel());
    let mut k = K::new(4);
    let with = |at: usize, v: &[u8]| sealed(bytes.clone().tap(|b| b[at..at + v.len()].copy_from_slice(v)));
    refused(&mut k, &with(0, b"NOTASNAP"), "bad magic");
    refused(&mut k, &with(8, &3u32.to_le_bytes()), "format version 3, this kernel reads 1 and 2");
    refused(&mut k, &with(8, &1u32.to_le_bytes()), "truncated or padded"); // format 1 is shorter
    refused(&mut k, &with(12, &2u32.to_le_bytes()), "ABI 2.5, this kernel is 1.5");
    refused(&mut k, &with(16, &6u32.to_le_bytes()), "ABI 1.6, this kernel is 1.5");
    refused(&mut k, &with(48, &[1]), "reserved header bytes");
    let mut five = K::new(5);
    refused(&mut five, &bytes, "4 slots, this kernel has 5");
    let older = with(16, &3u32.to_le_bytes()); // an older minor of the same major is read
    assert_eq!(restore(&mut k, &older).status, STATUS_OK);
}

#[test]
fn values_out_of_range_behind_a_valid_checksum_are_refused() {
    let bytes = take(&busy_kernel());
    let mut k = K::new(4);
    let with = |at: usize, v: &[u8]| sealed(bytes.clone().tap(|b| b[at..at + v.len()].copy_from_slice(v)));
    refused(&mut k, &with(64 + 4, &9u32.to_le_bytes()), "trading_state 9 is not a TradingState");
    refused(&mut k, &with(64, &0u32.to_le_bytes()), "controls out of range");
    refused(&mut k, &with(112, &f64::NAN.to_le_bytes()), "account.capital");
    refused(&mut k, &with(112 + 16, &1.0f64.to_le_bytes()), "derived fields");
    refused(&mut k, &with(208, &1201u32.to_le_bytes()), "order window length 1201");
    refused(&mut k, &with(208, &1199u32.to_le_bytes()), "stamp 1199 past its length 1199 is not zero");
    refused(&mut k, &with(9816, &65u32.to_le_bytes()), "mark book length 65");
    let slot0 = SNAPSHOT_FIXED_BYTES;
    refused(&mut k, &with(slot0 + 4, &[7]), "stage");
    refused(&mut k, &with(slot0, &1u32.to_le_bytes()), "slot image 0 names slot_id 1");
    let mem0 = SNAPSHOT_FIXED_BYTES + 4 * 448;
    refused(&mut k, &with(mem0 + 64 * 32, &33u32.to_le_bytes()), "seen-event ring length 33");
    refused(&mut k, &with(mem0 + 64 * 32 + 8 + 128, &9u32.to_le_bytes()), "finished-order ring length 9");
    let filled0 = mem0 + 64 * 32 + 8 + 128 + 8; // slot 0 remembers its entry order
    refused(&mut k, &with(filled0, &(-2i64).to_le_bytes()), "finished order 0 final filled -2 out of range");
    refused(&mut k, &with(filled0 + 8 * 7, &1i64.to_le_bytes()), "finished order 7 final filled 1 out of range");
    let mem1 = mem0 + SNAPSHOT_SLOT_BYTES - 448; // slot 1 saw 3 events (trade B): its ring is not full
    assert_eq!(&bytes[mem1 + 64 * 32..mem1 + 64 * 32 + 8], &[3, 0, 0, 0, 3, 0, 0, 0]);
    refused(&mut k, &with(mem1 + 64 * 32 + 4, &5u32.to_le_bytes()), "seen-event ring length 3 / cursor 5");
    refused(&mut k, &with(mem1 + 64 * 3, b"late"), "seen event 3 past the ring's length 3 is not zero");
    refused(&mut k, &with(mem1 + 64 * 2 + 60, b"\0\0\0x"), "after its NUL padding");
    refused(&mut k, &with(40, &1u64.to_le_bytes()), "state hash");
}

#[test]
fn snapshot_and_restore_answer_null_short_buffers_and_a_faulted_kernel() {
    let k = busy_kernel();
    let size = unsafe { dita_kernel_snapshot_size(k.ptr) };
    let mut out = vec![0u8; size as usize];
    unsafe {
        assert_eq!(dita_kernel_snapshot_size(core::ptr::null_mut()), 0);
        assert_eq!(dita_kernel_snapshot(k.ptr, core::ptr::null_mut(), size), 0);
        assert_eq!(dita_kernel_snapshot(k.ptr, out.as_mut_ptr(), size - 1), 0);
        assert_eq!(dita_kernel_restore_snapshot(core::ptr::null_mut(), out.as_ptr(), size), STATUS_NULL);
        assert_eq!(dita_kernel_restore_snapshot(k.ptr, core::ptr::null(), size), STATUS_NULL);
    }
    let bytes = take(&k);
    let mut faulted = K::new(4);
    unsafe { assert_eq!(dita_kernel_arm_fault_drill(faulted.ptr, FAULT_DRILL_TOKEN), 0) };
    assert_eq!(faulted.apply(tick(T0)).status, STATUS_FAULTED);
    assert_eq!(restore(&mut faulted, &bytes).status, STATUS_FAULTED);
    assert_eq!(
        unsafe { dita_kernel_snapshot(faulted.ptr, out.as_mut_ptr(), size) },
        0,
        "no snapshot of a faulted kernel"
    );
}

#[test]
fn snapshot_and_restore_allocate_nothing() {
    let k = busy_kernel();
    let bytes = take(&k);
    let mut out = vec![0u8; bytes.len()];
    let mut fresh = K::new(4);
    let before = alloc_count();
    unsafe {
        assert_eq!(dita_kernel_snapshot(k.ptr, out.as_mut_ptr(), out.len() as u64) as usize, out.len());
        assert_eq!(dita_kernel_restore_snapshot(fresh.ptr, bytes.as_ptr(), bytes.len() as u64), STATUS_OK);
    }
    assert_eq!(alloc_count(), before);
    let _ = fresh.kernel();
}

/// `value.tap(f)`: `f` applied to a mutable value, the value returned (test brevity only).
trait Tap: Sized {
    fn tap(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}
impl<T> Tap for T {}

impl K {
    fn ptr_config(&self) -> crate::fsm::Config {
        unsafe { (*self.ptr).config }
    }
}
