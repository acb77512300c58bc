//! A late fill of the slot's own exit order after it ended (`fsm/events.rs`, `late_exit_fill`):
//! the hung-order query took an acknowledged exit as ended on the venue's "no such order" (the
//! launcher's MARK_STALE, then a RECONCILE whose truth lists no open order ends it CANCELLED), or
//! the venue rejected or cancelled it, yet it fills after all. While the slot still holds the
//! position that exit was for (POSITION_OPEN, same trade, the position what the trade's booked
//! fills leave), the fill is booked as the exit's: a partial one reduces the position, one that
//! leaves it flat closes the trade with the normal settlement (row SETTLE_ONCE), at the exit's
//! price. What the kernel cannot book safely stays an OVERFILL (slot → STALE_STATE_RECONCILING).

use super::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// LONG 1.0 @100 (entry fee 0.5); exit T1-X1 1.0 acked; the hung-order query found it absent:
/// MARK_STALE, then a RECONCILE whose truth (the position, unchanged, and no open order) ends it.
fn exit_ended_by_absent_path(k: &mut K) {
    open_position(k, 0, "T1", e8(1.0), 100.0);
    assert!(k.apply(exit(0, e8(1.0), T0 + 10)).ok());
    assert!(k.apply(ack("T1-X1", "x1-ack", T0 + 11)).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 12)).ok());
    assert!(k.apply(reconcile(0, held(1.0), T0 + 13)).ok());
    let s = k.slot(0);
    assert_eq!(
        (k.stage(0), s.size_e8, s.exit_order.status),
        (Stage::PositionOpen, e8(1.0), OrderStatus::Cancelled.raw())
    );
}

/// The venue's truth: a LONG of `qty` at 100, no open order.
fn held(qty: f64) -> Truth<'static> {
    Truth { side: Side::Long.raw(), qty_e8: e8(qty), price: 100.0, order: None }
}

fn late_x1(kind: EventKind, cum: f64, price: f64, fee: f64, event_id: &str) -> InputRecord {
    event(kind, "T1-X1", event_id, e8(cum), price, fee, T0 + 20)
}

#[test]
fn a_late_full_fill_of_an_exit_ended_by_the_absent_path_closes_the_trade_at_the_exits_price() {
    let mut k = K::new(1);
    exit_ended_by_absent_path(&mut k);
    let o = k.apply(late_x1(EventKind::FullFill, 1.0, 110.0, 0.5, "x1-fill"));
    assert!(o.ok(), "{:?}", o.messages());
    assert!(o.codes().is_empty(), "no OVERFILL: {:?}", o.messages());
    let t = o.only_transition();
    assert_eq!((t.from, t.to, t.trigger), (Stage::PositionOpen.raw(), Stage::Closed.raw(), Trigger::FullFill.raw()));
    assert_eq!(t.row, row_index(Stage::PositionOpen, Trigger::FullFill, "POSITION_ZERO"));
    let (s, a) = (k.slot(0), k.account());
    let x = s.exit_order;
    assert_eq!((s.size_e8, s.is_open), (0, 0));
    assert_eq!((x.filled_e8, x.avg_fill_price, x.status), (e8(1.0), 110.0, OrderStatus::Filled.raw()));
    // 1.0 bought @100, sold @110: +10; fees 0.5 entry + 0.5 exit, settled once.
    assert!(close(s.realized_pnl, 10.0) && close(s.fees, 1.0), "realized {} fees {}", s.realized_pnl, s.fees);
    assert!(close(a.capital, 10_009.0) && close(a.fees_paid, 1.0), "capital {}", a.capital);
    assert_eq!(a.trade_seq, 1);
}

#[test]
fn a_late_partial_fill_reduces_the_position_and_the_exits_cancel_ack_closes_it() {
    let mut k = K::new(1);
    exit_ended_by_absent_path(&mut k);
    let o = k.apply(late_x1(EventKind::PartialFill, 0.4, 110.0, 0.2, "x1-part"));
    assert!(o.codes().is_empty(), "{:?}", o.messages());
    let t = o.only_transition();
    assert_eq!((t.from, t.to), (Stage::PositionOpen.raw(), Stage::PositionOpen.raw()));
    assert_eq!(t.row, row_index(Stage::PositionOpen, Trigger::PartialFill, "POSITION_LEFT"));
    let s = k.slot(0);
    assert_eq!((s.size_e8, s.exit_order.filled_e8), (e8(0.6), e8(0.4)));
    assert_eq!(s.exit_order.status, OrderStatus::Cancelled.raw(), "still ended: nothing works it");
    assert!(close(s.realized_pnl, 4.0) && close(s.fees, 0.7), "realized {} fees {}", s.realized_pnl, s.fees);
    assert_eq!(k.account().trade_seq, 0);
    // The launcher cancels the order that landed; its cancel ack carries the rest of its fills.
    let o = k.apply(late_x1(EventKind::CancelAck, 1.0, 112.0, 0.5, "x1-cancel"));
    assert_eq!(o.only_transition().to, Stage::Closed.raw(), "{:?}", o.messages());
    let (s, a) = (k.slot(0), k.account());
    assert!(close(s.realized_pnl, 12.0) && close(s.fees, 1.0), "realized {} fees {}", s.realized_pnl, s.fees);
    assert!(close(a.capital, 10_011.0) && a.trade_seq == 1, "capital {}", a.capital);
}

#[test]
fn the_same_late_fill_delivered_again_is_booked_once() {
    let mut k = K::new(1);
    exit_ended_by_absent_path(&mut k);
    assert!(k.apply(late_x1(EventKind::PartialFill, 0.4, 110.0, 0.2, "x1-part")).ok());
    let before = k.hash();
    let again = k.apply(late_x1(EventKind::PartialFill, 0.4, 110.0, 0.2, "x1-part"));
    assert_eq!(again.codes(), vec![DiagCode::DuplicateEvent]);
    assert_eq!(k.hash(), before);
    let copy = k.apply(late_x1(EventKind::PartialFill, 0.4, 110.0, 0.2, "x1-part-copy"));
    assert_eq!(copy.codes(), vec![DiagCode::StaleEvent], "{:?}", copy.messages());
    assert!(copy.transitions.is_empty());
    assert_eq!(k.slot(0).size_e8, e8(0.6));
    // An older cumulative changes nothing either.
    assert_eq!(k.apply(late_x1(EventKind::PartialFill, 0.3, 110.0, 0.1, "x1-old")).codes(), vec![DiagCode::StaleEvent]);
    assert_eq!((k.slot(0).size_e8, k.account().trade_seq), (e8(0.6), 0));
}

#[test]
fn a_reconcile_after_a_booked_late_fill_sees_the_booked_position_and_a_later_fill_still_closes() {
    let mut k = K::new(1);
    exit_ended_by_absent_path(&mut k);
    assert!(k.apply(late_x1(EventKind::PartialFill, 0.4, 110.0, 0.2, "x1-part")).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 21)).ok());
    assert!(k.apply(reconcile(0, held(0.6), T0 + 22)).ok());
    let s = k.slot(0);
    assert_eq!((k.stage(0), s.size_e8), (Stage::PositionOpen, e8(0.6)));
    assert!(close(s.realized_pnl, 4.0), "the booked leg stays booked: {}", s.realized_pnl);
    let o = k.apply(late_x1(EventKind::FullFill, 1.0, 110.0, 0.5, "x1-fill"));
    assert_eq!(o.only_transition().to, Stage::Closed.raw(), "{:?}", o.messages());
    assert!(close(k.account().capital, 10_009.0), "capital {}", k.account().capital);
}

#[test]
fn a_late_fill_of_an_exit_the_venue_rejected_is_booked_too() {
    // A PENDING_SUBMIT exit the hung-order query found absent is rejected (the launcher's REJECT).
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(1.0), 100.0);
    assert!(k.apply(exit(0, e8(1.0), T0 + 10)).ok());
    assert!(k.apply(reject("T1-X1", "x1-rej", RejectReason::Venue, T0 + 11)).ok());
    assert_eq!(k.stage(0), Stage::PositionOpen);
    let o = k.apply(late_x1(EventKind::FullFill, 1.0, 90.0, 0.5, "x1-fill"));
    assert_eq!(o.only_transition().to, Stage::Closed.raw(), "{:?}", o.messages());
    let (s, a) = (k.slot(0), k.account());
    assert_eq!((s.exit_order.status, s.exit_order.reject_reason), (OrderStatus::Filled.raw(), 0));
    assert!(close(s.realized_pnl, -10.0) && close(a.capital, 9_989.0), "capital {}", a.capital);
}

#[test]
fn a_late_fill_of_a_short_exit_books_the_shorts_pnl() {
    let mut k = K::new(1);
    assert!(k.apply(seed(10_000.0, 0, T0)).ok());
    assert!(k.apply(enter(0, "S1", Side::Short, e8(2.0), T0 + 1)).ok());
    assert!(k.apply(event(EventKind::FullFill, "S1-E", "s1-e", e8(2.0), 100.0, 0.0, T0 + 2)).ok());
    assert!(k.apply(exit(0, e8(2.0), T0 + 3)).ok());
    assert!(k.apply(ack("S1-X1", "s1-ack", T0 + 4)).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 5)).ok());
    let short = Truth { side: Side::Short.raw(), qty_e8: e8(2.0), price: 100.0, order: None };
    assert!(k.apply(reconcile(0, short, T0 + 6)).ok());
    let o = k.apply(event(EventKind::FullFill, "S1-X1", "s1-fill", e8(2.0), 95.0, 0.0, T0 + 7));
    assert_eq!(o.only_transition().to, Stage::Closed.raw(), "{:?}", o.messages());
    assert!(close(k.account().capital, 10_010.0), "sold @100, bought back @95: +10");
}

#[test]
fn a_late_fill_of_the_last_leg_of_a_multi_leg_exit_counts_every_legs_fills() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(1.0), 100.0);
    assert!(k.apply(exit(0, e8(0.4), T0 + 10)).ok());
    assert!(k.apply(event(EventKind::FullFill, "T1-X1", "x1-fill", e8(0.4), 110.0, 0.0, T0 + 11)).ok());
    assert!(k.apply(exit(0, e8(0.6), T0 + 12)).ok());
    assert!(k.apply(ack("T1-X2", "x2-ack", T0 + 13)).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 14)).ok());
    assert!(k.apply(reconcile(0, held(0.6), T0 + 15)).ok());
    let o = k.apply(event(EventKind::FullFill, "T1-X2", "x2-fill", e8(0.6), 120.0, 0.0, T0 + 16));
    assert_eq!(o.only_transition().to, Stage::Closed.raw(), "{:?}", o.messages());
    // 0.4 × 10 + 0.6 × 20, less the entry fee 0.5.
    assert!(close(k.slot(0).realized_pnl, 16.0) && close(k.account().capital, 10_015.5));
}

#[test]
fn a_late_fill_the_venues_truth_already_shows_stays_an_overfill() {
    // The RECONCILE read the venue after the exit filled 0.4 there (its event not yet in): the truth
    // is 0.6. That fill's event must not take the position down a second time.
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(1.0), 100.0);
    assert!(k.apply(exit(0, e8(1.0), T0 + 10)).ok());
    assert!(k.apply(ack("T1-X1", "x1-ack", T0 + 11)).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 12)).ok());
    assert!(k.apply(reconcile(0, held(0.6), T0 + 13)).ok());
    let o = k.apply(late_x1(EventKind::PartialFill, 0.4, 110.0, 0.2, "x1-part"));
    assert_eq!(o.codes(), vec![DiagCode::Overfill], "{:?}", o.messages());
    assert_eq!((k.stage(0), k.slot(0).size_e8), (Stage::Stale, e8(0.6)));
}

#[test]
fn a_late_fill_beyond_the_exit_orders_size_stays_an_overfill() {
    let mut k = K::new(1);
    exit_ended_by_absent_path(&mut k);
    let o = k.apply(late_x1(EventKind::PartialFill, 1.2, 110.0, 0.2, "x1-over"));
    assert_eq!(o.codes(), vec![DiagCode::Overfill], "{:?}", o.messages());
    assert_eq!((k.stage(0), k.slot(0).size_e8), (Stage::Stale, e8(1.0)));
}

#[test]
fn a_late_fill_of_an_exit_the_next_leg_replaced_stays_an_overfill() {
    let mut k = K::new(1);
    exit_ended_by_absent_path(&mut k);
    assert!(k.apply(exit(0, e8(1.0), T0 + 14)).ok(), "T1-X2 replaces T1-X1 in the slot");
    let o = k.apply(late_x1(EventKind::FullFill, 1.0, 110.0, 0.5, "x1-fill"));
    assert_eq!(o.codes(), vec![DiagCode::Overfill], "{:?}", o.messages());
    assert_eq!((k.stage(0), k.account().trade_seq), (Stage::Stale, 0));
}

#[test]
fn a_late_fill_of_an_exit_that_ended_filled_stays_an_overfill() {
    // A FULL_FILL below the order's size named its final size: more is the venue contradicting it.
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(1.0), 100.0);
    assert!(k.apply(exit(0, e8(1.0), T0 + 10)).ok());
    assert!(k.apply(event(EventKind::FullFill, "T1-X1", "x1-fill", e8(0.4), 110.0, 0.2, T0 + 11)).ok());
    assert_eq!(k.stage(0), Stage::PositionOpen);
    let o = k.apply(late_x1(EventKind::PartialFill, 0.7, 110.0, 0.3, "x1-more"));
    assert_eq!(o.codes(), vec![DiagCode::Overfill], "{:?}", o.messages());
    assert_eq!(k.stage(0), Stage::Stale);
}

#[test]
fn a_late_fill_after_the_trade_closed_or_the_slot_went_stale_is_not_booked() {
    let mut k = K::new(1);
    exit_ended_by_absent_path(&mut k);
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 14)).ok());
    let before = k.hash();
    let o = k.apply(late_x1(EventKind::FullFill, 1.0, 110.0, 0.5, "x1-fill"));
    assert_eq!(o.codes(), vec![DiagCode::StaleStateReconcile], "{:?}", o.messages());
    assert_eq!(k.hash(), before, "a stale slot waits for the venue's truth");
    // Reconciled flat (the venue's position is gone): the trade is over, a late fill is an OVERFILL.
    assert!(k.apply(reconcile(0, Truth { side: 0, qty_e8: 0, price: 0.0, order: None }, T0 + 15)).ok());
    let o = k.apply(late_x1(EventKind::FullFill, 1.0, 110.0, 0.5, "x1-fill-2"));
    assert_eq!(o.codes(), vec![DiagCode::Overfill], "{:?}", o.messages());
    assert_eq!(k.account().trade_seq, 0);
}

#[test]
fn a_booked_late_fill_survives_a_snapshot_and_a_replay_gives_the_same_state() {
    let mut k = K::new(1);
    exit_ended_by_absent_path(&mut k);
    assert!(k.apply(late_x1(EventKind::PartialFill, 0.4, 110.0, 0.2, "x1-part")).ok());
    let size = unsafe { dita_kernel_snapshot_size(k.ptr) } as usize;
    let mut bytes = vec![0u8; size];
    assert_eq!(unsafe { dita_kernel_snapshot(k.ptr, bytes.as_mut_ptr(), size as u64) } as usize, size);
    let mut restored = K::new(1);
    assert_eq!(unsafe { dita_kernel_restore_snapshot(restored.ptr, bytes.as_ptr(), size as u64) }, STATUS_OK);
    for kernel in [&mut k, &mut restored] {
        assert_eq!(
            kernel.apply(late_x1(EventKind::PartialFill, 0.4, 110.0, 0.2, "x1-copy")).codes(),
            vec![DiagCode::StaleEvent]
        );
        assert_eq!(
            kernel.apply(late_x1(EventKind::FullFill, 1.0, 110.0, 0.5, "x1-fill")).only_transition().to,
            Stage::Closed.raw()
        );
    }
    assert_eq!(restored.snapshot(), k.snapshot());
}

#[test]
fn a_late_fill_that_names_another_order_stays_an_overfill() {
    // Routed to T1-X1 by its venue order id, but under another client order id: a contradiction.
    let mut k = K::new(1);
    exit_ended_by_absent_path(&mut k);
    let other = InputRecord { venue_order_id: text("VT1-X1"), ..late_x1(EventKind::FullFill, 1.0, 110.0, 0.5, "x1-a") };
    let other = InputRecord { client_order_id: text("T0-X1"), ..other };
    assert_eq!(k.apply(other).codes(), vec![DiagCode::Overfill]);
    // Under its client order id, but with another venue order id than the one it was acknowledged with.
    let mut k = K::new(1);
    exit_ended_by_absent_path(&mut k);
    let moved =
        InputRecord { venue_order_id: text("V-OTHER"), ..late_x1(EventKind::FullFill, 1.0, 110.0, 0.5, "x1-b") };
    assert_eq!(k.apply(moved).codes(), vec![DiagCode::Overfill]);
    assert_eq!(k.account().trade_seq, 0);
}
