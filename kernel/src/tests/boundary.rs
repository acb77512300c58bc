//! The input boundary under hostile bytes, beyond `hostile.rs`: what the kernel accepts must
//! stay restorable (its own slot images and snapshots), a RECONCILE must not adopt truth that
//! contradicts the slot, restored images and snapshots keep times a JSON number can carry, and a
//! refusal names the input as it was (an unknown kind is not reported as another kind).

use super::*;
use crate::snapshot::{checksum, read_account, read_config, read_marks, read_memory, read_slot, read_window, Rd};

pub(super) fn take(k: &K) -> Vec<u8> {
    let size = unsafe { dita_kernel_snapshot_size(k.ptr) } as usize;
    let mut out = vec![0u8; size];
    assert_eq!(unsafe { dita_kernel_snapshot(k.ptr, out.as_mut_ptr(), size as u64) } as usize, size);
    out
}

pub(super) fn restore_snapshot(k: &mut K, bytes: &[u8]) -> Outcome {
    let status = unsafe { dita_kernel_restore_snapshot(k.ptr, bytes.as_ptr(), bytes.len() as u64) };
    k.outcome(status)
}

/// A hostile body behind a valid envelope: the header's state hash and checksum recomputed
/// after a deliberate change, so only the value checks stand between it and the kernel.
pub(super) fn resealed(mut bytes: Vec<u8>, n: u32) -> Vec<u8> {
    let r = Rd(&bytes);
    let hash = crate::fsm::hash_state(
        &read_config(&r, n).expect("a valid configuration"),
        &read_window(&r),
        &read_marks(&r),
        &read_account(&r),
        (0..n).map(|id| read_slot(&r, id)),
        (0..n).map(|id| read_memory(&r, n, id)),
    );
    bytes[40..48].copy_from_slice(&hash.to_le_bytes());
    let sum = checksum(&bytes);
    bytes[32..40].copy_from_slice(&sum.to_le_bytes());
    bytes
}

/// The kernel's snapshot installs into a fresh kernel.
pub(super) fn snapshot_restores(k: &K, why: &str) {
    let mut fresh = K::new(k.slot_count());
    let o = restore_snapshot(&mut fresh, &take(k));
    assert_eq!(o.status, STATUS_OK, "{why}: snapshot refused: {:?}", o.messages());
    assert_eq!(fresh.hash(), k.hash(), "{why}");
}

/// The kernel's snapshot and each of its slot images install into a fresh kernel.
fn restorable(k: &K, why: &str) {
    let n = k.slot_count();
    snapshot_restores(k, why);
    for id in 0..n {
        let mut fresh = K::new(n);
        let o = fresh.restore(&k.slot(id), T0 + 100);
        assert!(o.ok(), "{why}: slot {id} image refused: {:?}", o.messages());
    }
}

#[test]
fn a_kernel_that_accepted_the_largest_valid_sizes_and_prices_restores_its_own_snapshot() {
    let mut k = K::new(2);
    assert!(k.apply(seed(10_000.0, 0, T0)).ok());
    assert!(k.apply(enter(0, "H1", Side::Long, QTY_MAX_E8, T0 + 1)).ok());
    assert!(k.apply(event(EventKind::FullFill, "H1-E", "f", QTY_MAX_E8, 1.0, 1e15, T0 + 2)).ok());
    // 1e9 units marked from 1 to 1e7: an unrealized PnL near 1e16, past the input money bound.
    assert!(k.apply(mark(1e7, T0 + 3)).ok());
    assert!(k.slot(0).unrealized_pnl > MONEY_MAX);
    restorable(&k, "unrealized PnL past 1e15");
    // Closed at 1e10: the settled capital passes 1e18.
    assert!(k.apply(exit(0, QTY_MAX_E8, T0 + 4)).ok());
    assert!(k.apply(event(EventKind::FullFill, "H1-X1", "x", QTY_MAX_E8, 1e10, 1e15, T0 + 5)).ok());
    assert_eq!(k.stage(0), Stage::Closed);
    assert!(k.account().capital > 1e18);
    restorable(&k, "capital past 1e18");
}

/// A STALE slot restored with a trade id but without what a trading slot needs.
fn stale_image(leverage: u16, asset: &str) -> SlotImage {
    SlotImage {
        stage: Stage::Stale.raw(),
        stale_reason: StaleReason::Operator.raw(),
        leverage,
        asset: text(asset),
        trade_id: text("R1"),
        ..SlotImage::ZERO
    }
}

#[test]
fn reconcile_refuses_to_adopt_a_position_into_a_slot_without_leverage_or_asset() {
    for (image, field) in [(stale_image(0, BTC), Field::Leverage), (stale_image(5, ""), Field::Asset)] {
        let mut k = K::new(1);
        assert!(k.restore(&image, T0).ok());
        let before = k.snapshot();
        let truth = Truth { side: Side::Long.raw(), qty_e8: e8(1.0), price: 100.0, order: None };
        let o = k.apply(reconcile(0, truth, T0 + 1));
        // Adopted, the slot would be POSITION_OPEN without leverage or asset: an image that
        // restore_slot and the kernel's own snapshot refuse.
        assert_eq!(o.codes(), vec![DiagCode::InvalidIntent], "{field:?}: {:?}", o.messages());
        assert_eq!((o.diags[0].field, o.accepted[0]), (field.raw(), 0), "{:?}", o.messages());
        assert_eq!(k.snapshot(), before, "{field:?}: a refused RECONCILE changed the slot");
        restorable(&k, "stale slot kept");
    }
}

#[test]
fn reconcile_refuses_an_open_order_that_is_the_slots_order_of_the_other_role() {
    // Stale while the entry T1-E works; the truth calls T1-E an open EXIT order.
    let mut k = K::new(1);
    assert!(k.apply(enter(0, "T1", Side::Long, e8(1.0), T0)).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Restart, T0 + 1)).ok());
    let before = k.snapshot();
    let as_exit = Truth {
        side: Side::Long.raw(),
        qty_e8: e8(1.0),
        price: 100.0,
        order: Some((OrderRole::Exit, "T1-E", e8(1.0), 0, 0.0)),
    };
    // Adopted, the slot would hold T1-E twice (a cancelled entry and a working exit), and every
    // later event for T1-E would route to the cancelled entry (an OVERFILL), never to the exit.
    let o = k.apply(reconcile(0, as_exit, T0 + 2));
    assert_eq!(o.codes(), vec![DiagCode::InvalidIntent], "{:?}", o.messages());
    assert_eq!(o.diags[0].field, Field::ClientOrderId.raw(), "{:?}", o.messages());
    assert_eq!(k.snapshot(), before);

    // Stale while the exit T2-X1 works; the truth calls T2-X1 an open ENTRY order.
    let mut k = K::new(1);
    open_position(&mut k, 0, "T2", e8(1.0), 100.0);
    assert!(k.apply(exit(0, e8(1.0), T0 + 10)).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Restart, T0 + 11)).ok());
    let before = k.snapshot();
    let as_entry = Truth {
        side: Side::Long.raw(),
        qty_e8: e8(1.0),
        price: 100.0,
        order: Some((OrderRole::Entry, "T2-X1", e8(2.0), e8(1.0), 100.0)),
    };
    let o = k.apply(reconcile(0, as_entry, T0 + 12));
    assert_eq!(o.codes(), vec![DiagCode::InvalidIntent], "{:?}", o.messages());
    assert_eq!(o.diags[0].field, Field::ClientOrderId.raw(), "{:?}", o.messages());
    assert_eq!(k.snapshot(), before);
}

#[test]
fn restored_images_and_snapshots_refuse_times_a_json_number_cannot_carry() {
    let mut k = K::new(1);
    assert!(k.apply(enter(0, "T1", Side::Long, e8(1.0), T0)).ok());
    let s = k.slot(0);
    let late = NOW_MS_MAX + 1;
    let images = [
        SlotImage { entry_order: OrderImage { last_update_ms: late, ..s.entry_order }, ..s },
        SlotImage { entry_order: OrderImage { created_at_ms: u64::MAX, ..s.entry_order }, ..s },
        SlotImage { updated_at_ms: late, ..s },
    ];
    for image in images {
        let before = k.snapshot();
        let o = k.restore(&image, T0 + 1);
        assert_eq!(o.codes(), vec![DiagCode::InvalidIntent], "{:?}", o.messages());
        assert_eq!((o.diags[0].field, o.accepted[0]), (Field::Image.raw(), 0));
        assert_eq!(k.snapshot(), before);
    }
    // The same in a snapshot whose checksum and state hash match its hostile body: an order
    // whose last update is u64::MAX would never be reported hung.
    let good = take(&k);
    let entry_last_update = SNAPSHOT_FIXED_BYTES + 80 + 48;
    let slot_updated_at = SNAPSHOT_FIXED_BYTES + 16;
    for at in [entry_last_update, slot_updated_at] {
        let mut bytes = good.clone();
        bytes[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        let bytes = resealed(bytes, 1);
        let mut fresh = K::new(1);
        let o = restore_snapshot(&mut fresh, &bytes);
        assert_eq!(o.status, STATUS_REFUSED, "offset {at}: a time past 2^53-1 was restored");
        assert_eq!(o.diags[0].field, Field::Snapshot.raw());
    }
}

#[test]
fn restore_slot_refuses_an_image_whose_installed_version_would_pass_2_53() {
    let mut k = K::new(1);
    assert!(k.apply(enter(0, "T1", Side::Long, e8(1.0), T0)).ok());
    let before = k.snapshot();
    // Installed as version + 1 = 2^53: past what a JSON number carries, and past what the
    // kernel's own snapshot check accepts, so the kernel could no longer restore its snapshot.
    let o = k.restore(&SlotImage { version: NOW_MS_MAX, ..k.slot(0) }, T0 + 1);
    assert_eq!(o.codes(), vec![DiagCode::InvalidIntent], "installed version {}", k.slot(0).version);
    assert_eq!((o.diags[0].field, o.accepted[0]), (Field::Image.raw(), 0));
    assert_eq!(k.snapshot(), before);
    assert!(k.restore(&SlotImage { version: NOW_MS_MAX - 1, ..k.slot(0) }, T0 + 1).ok());
    assert_eq!(k.slot(0).version, NOW_MS_MAX);
    snapshot_restores(&k, "version 2^53-1");
}

#[test]
fn a_snapshot_whose_account_counters_are_past_2_53_is_refused() {
    let mut k = K::new(1);
    assert!(k.apply(seed(1_000.0, 0, T0)).ok());
    let good = take(&k);
    // AccountImage at 112: trade_seq at +64, version at +72. At u64::MAX the next account change
    // overflows (a fault in a checked build, a version that jumps back to 0 otherwise).
    for at in [112 + 64, 112 + 72] {
        let mut bytes = good.clone();
        bytes[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        let mut fresh = K::new(1);
        let o = restore_snapshot(&mut fresh, &resealed(bytes, 1));
        assert_eq!(o.status, STATUS_REFUSED, "offset {at}: an account counter past 2^53-1 was restored");
        assert_eq!(o.diags[0].field, Field::Snapshot.raw());
    }
}

#[test]
fn a_snapshot_whose_slot_money_is_not_derived_from_its_figures_is_refused() {
    let mut k = K::new(1);
    assert!(k.apply(seed(1_000.0, 0, T0)).ok());
    let mut bytes = take(&k);
    // An IDLE slot claiming an unrealized PnL of 5 with no position, and an account that sums it:
    // every section agrees with the others, so only the slot's own derivation can tell.
    let put = |b: &mut Vec<u8>, at: usize, v: f64| b[at..at + 8].copy_from_slice(&v.to_le_bytes());
    put(&mut bytes, SNAPSHOT_FIXED_BYTES + 56, 5.0);
    put(&mut bytes, 112 + 48, 5.0);
    put(&mut bytes, 112 + 56, 1_005.0);
    let mut fresh = K::new(1);
    let o = restore_snapshot(&mut fresh, &resealed(bytes, 1));
    assert_eq!(o.status, STATUS_REFUSED, "equity {} restored from a slot with no position", fresh.account().equity);
    assert_eq!(o.diags[0].field, Field::Snapshot.raw());
}

#[test]
fn an_unknown_input_kind_is_reported_as_unknown_not_as_another_kind() {
    let mut k = K::new(1);
    // 0x0101 is not ENTER (1), whatever its low byte says.
    for kind in [0x0101u16, 0x0B0B, 12, 0xFFFF] {
        let o = k.apply(InputRecord { kind, ..enter(0, "T1", Side::Long, e8(1.0), T0) });
        assert_eq!(o.codes(), vec![DiagCode::InvalidIntent]);
        assert_eq!(o.diags[0].input_kind, 0, "kind {kind:#x} reported as input kind {}", o.diags[0].input_kind);
        assert_eq!(o.diags[0].field, Field::Kind.raw());
    }
    // A known kind keeps its number on its diagnostics.
    let o = k.apply(flatten(0, T0));
    assert!(o.ok());
    let o = k.apply(InputRecord { leverage: 0, ..enter(0, "T1", Side::Long, e8(1.0), T0) });
    assert_eq!(o.diags[0].input_kind, InputKind::Enter.raw() as u8);
}

#[test]
fn reserved_input_bytes_are_ignored_and_never_reach_the_state() {
    let script = |reserved: bool| {
        let mut k = K::new(2);
        let dirty = |mut i: InputRecord| {
            if reserved {
                i._reserved0 = 0xFFFF;
                i._reserved1 = [0xFF; 6];
                i._reserved2 = [0xFF; 8];
                i.client_intent_id = u64::MAX;
            }
            i
        };
        let inputs = [
            seed(1_000.0, 0, T0),
            enter(0, "T1", Side::Long, e8(1.0), T0 + 1),
            ack("T1-E", "a", T0 + 2),
            event(EventKind::FullFill, "T1-E", "f", e8(1.0), 100.0, 0.1, T0 + 3),
            mark(101.0, T0 + 4),
            flatten(0, T0 + 5),
            tick(T0 + 100_000),
        ];
        let records: Vec<_> = inputs
            .iter()
            .map(|&i| {
                let o = k.apply(dirty(i));
                let transitions: Vec<Vec<u8>> = o.transitions.iter().map(|t| t.bytes().to_vec()).collect();
                (o.codes(), o.messages(), o.accepted, transitions)
            })
            .collect();
        (records, k.snapshot(), take(&k))
    };
    assert_eq!(script(true), script(false));
}
