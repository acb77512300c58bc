//! The restore paths keep what the inputs keep. No two slots hold one trade id (client order ids
//! derive from it, so the venue's fills of one slot's order would route to the other, the first in
//! slot order); a snapshot length no buffer can have is refused before a slice is made of it; a
//! RECONCILE that keeps the slot's order keeps that order's side (the venue order's side is fixed).

use super::boundary::{resealed, restore_snapshot, snapshot_restores, take};
use super::*;
use crate::snapshot::{read_slot, Rd};

/// Two slots; slot 0 works the entry of trade T1 (nothing filled yet), slot 1 is IDLE.
fn one_working_entry() -> K {
    let mut k = K::new(2);
    assert!(k.apply(seed(10_000.0, 0, T0)).ok());
    assert!(k.apply(enter(0, "T1", Side::Long, e8(1.0), T0 + 1)).ok());
    k
}

#[test]
fn a_snapshot_in_which_two_slots_hold_one_trade_id_is_refused_naming_both() {
    let k = one_working_entry();
    let good = take(&k);
    snapshot_restores(&k, "the kernel's own snapshot");
    let working = read_slot(&Rd(&good), 0);
    let idle =
        SlotImage { slot_id: 1, stage: Stage::Idle.raw(), asset: text(BTC), trade_id: text("T1"), ..SlotImage::ZERO };
    // Each image is valid on its own; only the pair is not (the kernel never writes it).
    for (what, slot1) in [("two working", SlotImage { slot_id: 1, ..working }), ("working and idle", idle)] {
        let mut bytes = good.clone();
        let at = SNAPSHOT_FIXED_BYTES + SlotImage::SIZE;
        bytes[at..at + SlotImage::SIZE].copy_from_slice(slot1.bytes());
        let mut fresh = K::new(2);
        let before = fresh.snapshot();
        let o = restore_snapshot(&mut fresh, &resealed(bytes, 2));
        assert_eq!(o.status, STATUS_REFUSED, "{what}: restored, slots 0 and 1 both hold T1");
        assert_eq!((o.diags[0].field, o.accepted[0]), (Field::Snapshot.raw(), 0), "{what}");
        let m = message(&o.diags[0]);
        assert!(m.contains("slots 0 and 1") && m.contains("T1"), "{what}: {m}");
        assert_eq!(fresh.snapshot(), before, "{what}: a refused snapshot changed the kernel");
    }
}

/// A restore refused for its trade id: INVALID_INTENT, field TRADE_ID, the holder named, no change.
fn refused_for_trade_id(k: &mut K, image: &SlotImage, holder: u32, what: &str) {
    let before = k.snapshot();
    let o = k.restore(image, T0 + 100);
    assert_eq!(o.codes(), vec![DiagCode::InvalidIntent], "{what}: slot {} restored", image.slot_id);
    assert_eq!((o.diags[0].field, o.accepted[0]), (Field::TradeId.raw(), 0), "{what}: {:?}", o.messages());
    assert!(o.messages()[0].contains(&format!("slot {holder}")), "{what}: {:?}", o.messages());
    assert_eq!(k.snapshot(), before, "{what}: a refused restore changed the kernel");
    snapshot_restores(k, what);
}

#[test]
fn restore_slot_refuses_an_image_whose_trade_id_another_slot_holds_in_any_stage() {
    // Slot 0 works T1-E; the same image offered for slot 1. Installed, the venue's fills of T1-E
    // would all route to slot 0 (the first slot holding T1-E) and slot 1 would never see them.
    let mut k = one_working_entry();
    let working = SlotImage { slot_id: 1, ..k.slot(0) };
    refused_for_trade_id(&mut k, &working, 0, "holder working");
    // The image CLOSED instead (a trade of T1 settled): refused as well.
    let closed = SlotImage {
        stage: Stage::Closed.raw(),
        is_open: 0,
        entry_order: OrderImage { status: OrderStatus::Cancelled.raw(), ..working.entry_order },
        ..working
    };
    refused_for_trade_id(&mut k, &closed, 0, "image closed, holder working");
    // The holder IDLE after its entry was rejected: it keeps T1 and the rejected T1-E (decision
    // 19), which routing still matches first, so a working T1 in slot 1 would never be filled.
    assert!(k.apply(reject("T1-E", "rej", RejectReason::Venue, T0 + 2)).ok());
    assert_eq!(k.stage(0), Stage::Idle);
    refused_for_trade_id(&mut k, &working, 0, "holder idle");
}

#[test]
fn restoring_a_kernels_images_in_slot_order_into_a_fresh_kernel_is_never_refused_for_trade_ids() {
    // What recovery does with a consistent state region: every slot's image, in slot order.
    let mut k = K::new(3);
    open_position(&mut k, 0, "T1", e8(1.0), 100.0);
    assert!(k.apply(exit(0, e8(1.0), T0 + 10)).ok());
    assert!(k.apply(event(EventKind::FullFill, "T1-X1", "x1", e8(1.0), 110.0, 0.1, T0 + 11)).ok());
    assert_eq!(k.stage(0), Stage::Closed);
    open_position(&mut k, 1, "T2", e8(1.0), 100.0);
    assert!(k.apply(enter(2, "T3", Side::Short, e8(2.0), T0 + 20)).ok());
    let mut fresh = K::new(3);
    for id in 0..3 {
        let o = fresh.restore(&k.slot(id), T0 + 100);
        assert!(o.ok(), "slot {id}: {:?}", o.messages());
    }
    // A slot's own image over itself keeps its trade id: not a second holder.
    let o = fresh.restore(&fresh.slot(1), T0 + 101);
    assert!(o.ok(), "{:?}", o.messages());
    snapshot_restores(&fresh, "restored in slot order");
}

#[test]
fn a_snapshot_length_past_isize_max_is_refused_before_any_slice_is_made() {
    let mut k = one_working_entry();
    let bytes = take(&k);
    let before = k.snapshot();
    // The pointer is valid for the snapshot's bytes; the length claims more than any buffer has.
    for len in [isize::MAX as u64 + 1, u64::MAX] {
        let status = unsafe { dita_kernel_restore_snapshot(k.ptr, bytes.as_ptr(), len) };
        let o = k.outcome(status);
        assert_eq!(o.status, STATUS_REFUSED, "length {len}");
        assert_eq!((o.diags[0].field, o.accepted[0]), (Field::Snapshot.raw(), 0), "length {len}");
        assert!(o.messages()[0].contains("past isize::MAX"), "length {len}: {:?}", o.messages());
        assert_eq!(k.snapshot(), before, "length {len}");
    }
    assert_eq!(restore_snapshot(&mut k, &bytes).status, STATUS_OK);
}

/// Slot 0 LONG 1 at 100 (trade T1), its exit T1-X1 (a SELL) 0.4 filled at 110, then stale.
fn stale_with_a_partly_filled_exit() -> K {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(1.0), 100.0);
    assert!(k.apply(exit(0, e8(1.0), T0 + 10)).ok());
    assert!(k.apply(ack("T1-X1", "x-ack", T0 + 11)).ok());
    assert!(k.apply(event(EventKind::PartialFill, "T1-X1", "x-part", e8(0.4), 110.0, 0.1, T0 + 12)).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Restart, T0 + 13)).ok());
    k
}

#[test]
fn reconcile_refuses_a_position_side_its_kept_order_cannot_have_so_booked_fills_keep_their_pnl() {
    let mut k = stale_with_a_partly_filled_exit();
    assert_eq!(k.slot(0).realized_pnl, 0.4 * 10.0, "the SELL's 0.4 at 110 closed LONG units bought at 100");
    let before = k.snapshot();
    // The truth keeps T1-X1 open (its identity, fills and fee are kept) but calls the position
    // SHORT. Adopted, the order became a BUY and its fills already booked were re-booked as
    // closing a SHORT: realized 4 → -4 with no fill, and the leg's close settles -10, not +10.
    let exit_open = Some((OrderRole::Exit, "T1-X1", e8(1.0), e8(0.4), 110.0));
    let short = Truth { side: Side::Short.raw(), qty_e8: e8(0.6), price: 100.0, order: exit_open };
    let o = k.apply(reconcile(0, short, T0 + 14));
    let realized = k.slot(0).realized_pnl;
    assert_eq!(o.codes(), vec![DiagCode::InvalidIntent], "adopted: realized_pnl {realized}, {:?}", o.messages());
    assert_eq!((o.diags[0].field, o.accepted[0]), (Field::Side.raw(), 0), "{:?}", o.messages());
    assert_eq!(k.snapshot(), before, "a refused RECONCILE changed the slot");
    // The same truth on the order's side is adopted and keeps the leg's PnL.
    let long = Truth { side: Side::Long.raw(), qty_e8: e8(0.6), price: 100.0, order: exit_open };
    assert!(k.apply(reconcile(0, long, T0 + 15)).ok());
    assert_eq!((k.stage(0), k.slot(0).realized_pnl), (Stage::ExitWorking, 4.0));

    // An entry order kept the same way: T2-E is a BUY, so its fills are a LONG position.
    let mut k = K::new(1);
    assert!(k.apply(enter(0, "T2", Side::Long, e8(1.0), T0)).ok());
    assert!(k.apply(event(EventKind::PartialFill, "T2-E", "e-part", e8(0.4), 100.0, 0.0, T0 + 1)).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Restart, T0 + 2)).ok());
    let before = k.snapshot();
    let entry_open = Some((OrderRole::Entry, "T2-E", e8(1.0), e8(0.4), 100.0));
    let short = Truth { side: Side::Short.raw(), qty_e8: e8(0.4), price: 100.0, order: entry_open };
    let o = k.apply(reconcile(0, short, T0 + 3));
    assert_eq!(o.codes(), vec![DiagCode::InvalidIntent], "adopted as side {}", k.slot(0).side);
    assert_eq!(o.diags[0].field, Field::Side.raw());
    assert_eq!(k.snapshot(), before);
}
