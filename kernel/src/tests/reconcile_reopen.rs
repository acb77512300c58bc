//! RECONCILE naming an order the slot already ended (invariant 3 of `fsm/reconcile.rs`): the
//! order is re-opened as the same order (same leg, same fee baseline) after its booked fills and
//! fee are taken back out of the closed figures, so nothing counts twice; an order known only
//! from the finished-order ring cannot be taken back and is refused.

use super::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// LONG 1.0 @100 (fee 0.5); exit X1 1.0 partly filled 0.4 @110 (fee 0.2); a reconcile whose open
/// orders lag ends X1 as CANCELLED (closed legs 4); then stale again.
fn x1_ended_by_lagging_reconcile(k: &mut K) {
    open_position(k, 0, "T1", e8(1.0), 100.0);
    assert!(k.apply(exit(0, e8(1.0), T0 + 10)).ok());
    assert!(k.apply(event(EventKind::PartialFill, "T1-X1", "x1a", e8(0.4), 110.0, 0.2, T0 + 11)).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 12)).ok());
    let flat_orders = Truth { side: Side::Long.raw(), qty_e8: e8(0.6), price: 100.0, order: None };
    assert!(k.apply(reconcile(0, flat_orders, T0 + 13)).ok());
    assert_eq!(k.slot(0).exit_order.status, OrderStatus::Cancelled.raw());
    assert!(close(k.slot(0).realized_closed_legs, 4.0));
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 14)).ok());
}

fn x1_open_truth() -> Truth<'static> {
    Truth {
        side: Side::Long.raw(),
        qty_e8: e8(0.6),
        price: 100.0,
        order: Some((OrderRole::Exit, "T1-X1", e8(1.0), e8(0.4), 110.0)),
    }
}

#[test]
fn reconcile_reopening_an_ended_exit_order_counts_its_fills_and_fee_once() {
    let mut k = K::new(1);
    x1_ended_by_lagging_reconcile(&mut k);
    assert!(k.apply(reconcile(0, x1_open_truth(), T0 + 15)).ok());
    let s = k.slot(0);
    assert_eq!((k.stage(0), s.leg(), s.exit_order.leg()), (Stage::ExitWorking, 1, 1), "same order, same leg");
    assert!(close(s.realized_closed_legs, 0.0) && close(s.realized_pnl, 4.0), "realized {}", s.realized_pnl);
    assert!(close(s.fees, 0.7) && close(s.exit_order.fee, 0.2), "fees {}", s.fees);
    // X1 completes: cumulative 1.0 @ 110, cumulative fee 0.5.
    assert!(k.apply(event(EventKind::FullFill, "T1-X1", "x1f", e8(1.0), 110.0, 0.5, T0 + 16)).ok());
    let (s, a) = (k.slot(0), k.account());
    assert_eq!(k.stage(0), Stage::Closed);
    // 1.0 bought @100, sold @110: +10; fees 0.5 entry + 0.5 exit.
    assert!(close(s.realized_pnl, 10.0) && close(s.fees, 1.0), "realized {} fees {}", s.realized_pnl, s.fees);
    assert!(close(a.capital, 10_009.0) && close(a.fees_paid, 1.0), "capital {}", a.capital);
}

#[test]
fn reconcile_reopening_an_ended_exit_order_settles_the_wallet_once_after_reseeds() {
    let mut k = K::new(1);
    let wallet = 10_000.0 - 0.5 - 0.2 + 4.0; // what the venue booked once X1 filled 0.4
    x1_ended_by_lagging_reconcile(&mut k);
    assert!(k.apply(seed(wallet, 1, T0 + 14)).ok());
    assert!(k.apply(reconcile(0, x1_open_truth(), T0 + 15)).ok());
    assert!(k.apply(seed(wallet, 1, T0 + 15)).ok());
    assert!(k.apply(event(EventKind::FullFill, "T1-X1", "x1f", e8(1.0), 110.0, 0.5, T0 + 16)).ok());
    assert!(close(k.account().capital, 10_009.0), "capital {}", k.account().capital);
}

/// T1-E filled 0.4 of 1.0, then a RECONCILE that lists no open order ended it (the venue's list lagged);
/// the slot is stale again, for a RECONCILE that re-opens it.
fn entry_ended_by_a_lagging_reconcile(k: &mut K) {
    assert!(k.apply(seed(10_000.0, 0, T0)).ok());
    assert!(k.apply(enter(0, "T1", Side::Long, e8(1.0), T0 + 1)).ok());
    assert!(k.apply(event(EventKind::PartialFill, "T1-E", "e1", e8(0.4), 100.0, 0.2, T0 + 2)).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 3)).ok());
    let no_order = Truth { side: Side::Long.raw(), qty_e8: e8(0.4), price: 100.0, order: None };
    assert!(k.apply(reconcile(0, no_order, T0 + 4)).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 5)).ok());
}

#[test]
fn reconcile_reopening_an_ended_entry_order_counts_its_fee_once() {
    let mut k = K::new(1);
    entry_ended_by_a_lagging_reconcile(&mut k);
    let entry_open = Truth {
        side: Side::Long.raw(),
        qty_e8: e8(0.4),
        price: 100.0,
        order: Some((OrderRole::Entry, "T1-E", e8(1.0), e8(0.4), 100.0)),
    };
    assert!(k.apply(reconcile(0, entry_open, T0 + 6)).ok());
    assert_eq!(k.stage(0), Stage::EntryWorking);
    assert!(close(k.slot(0).fees, 0.2), "fees {}", k.slot(0).fees);
    assert!(k.apply(event(EventKind::FullFill, "T1-E", "e2", e8(1.0), 100.0, 0.5, T0 + 7)).ok());
    assert!(close(k.slot(0).fees, 0.5), "fees {}", k.slot(0).fees);
}

#[test]
fn reconcile_refuses_an_open_order_known_only_as_an_earlier_finished_leg() {
    let mut k = K::new(1);
    x1_ended_by_lagging_reconcile(&mut k);
    let o = k.apply(reconcile(0, Truth { order: None, ..x1_open_truth() }, T0 + 15));
    assert!(o.ok());
    // The next leg X2 replaces X1 in the slot; X1 is only in the finished-order ring now.
    assert!(k.apply(exit(0, e8(0.6), T0 + 16)).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 17)).ok());
    let before = k.hash();
    let o = k.apply(reconcile(0, x1_open_truth(), T0 + 18));
    assert!(!o.ok() && o.codes() == vec![DiagCode::InvalidIntent], "{:?}", o.messages());
    assert_eq!(k.hash(), before, "a refused truth changes nothing");
    assert_eq!(k.stage(0), Stage::Stale);
}

#[test]
fn reconcile_refuses_re_opening_an_ended_exit_order_under_a_position_on_the_other_side() {
    let mut k = K::new(1);
    x1_ended_by_lagging_reconcile(&mut k);
    let before = k.hash();
    // Re-opened, T1-X1 (a SELL) would be kept with its 0.4 booked as closing LONG units; a SHORT
    // position would make it a BUY and re-book those fills with the other sign.
    let o = k.apply(reconcile(0, Truth { side: Side::Short.raw(), ..x1_open_truth() }, T0 + 15));
    assert_eq!(o.codes(), vec![DiagCode::InvalidIntent], "{:?}", o.messages());
    assert_eq!(o.diags[0].field, Field::Side.raw());
    assert_eq!(o.messages()[0], "open EXIT order T1-X1 is a SELL, not the BUY of a SHORT position");
    assert_eq!(k.hash(), before, "a refused truth changes nothing");
}

#[test]
fn an_exit_order_re_opened_and_ended_again_is_remembered_with_its_new_final_size() {
    let mut k = K::new(1);
    x1_ended_by_lagging_reconcile(&mut k);
    assert!(k.apply(reconcile(0, x1_open_truth(), T0 + 15)).ok());
    assert!(k.apply(event(EventKind::FullFill, "T1-X1", "x1f", e8(1.0), 110.0, 0.5, T0 + 16)).ok());
    assert!(k.apply(enter(0, "T2", Side::Long, e8(1.0), T0 + 17)).ok(), "T2 replaces T1's orders in the slot");
    // T1-X1 ended first with 0.4 filled, then with 1.0: a late fill of 0.8 is within its final size.
    let late = k.apply(event(EventKind::PartialFill, "T1-X1", "x1-late", e8(0.8), 110.0, 0.5, T0 + 18));
    assert_eq!(late.codes(), vec![DiagCode::StaleEvent], "{:?}", late.messages());
    assert_eq!(k.stage(0), Stage::EntryWorking);
}

#[test]
fn an_entry_order_re_opened_under_the_venue_id_it_lacked_is_remembered_once_with_its_final_size() {
    // T1-E ended unacked (no venue id) by a lagging RECONCILE, re-opened by one that names it with
    // its venue id, then filled: one order, remembered once, with its final 1.0.
    let mut k = K::new(2);
    entry_ended_by_a_lagging_reconcile(&mut k);
    let entry_open = Some((OrderRole::Entry, "T1-E", e8(1.0), e8(0.4), 100.0));
    let named = InputRecord {
        venue_order_id: text("V-T1-E"),
        ..reconcile(0, Truth { side: Side::Long.raw(), qty_e8: e8(0.4), price: 100.0, order: entry_open }, T0 + 6)
    };
    assert!(k.apply(named).ok());
    assert!(k.apply(event(EventKind::FullFill, "T1-E", "e2", e8(1.0), 100.0, 0.5, T0 + 7)).ok());
    assert!(k.apply(exit(0, e8(1.0), T0 + 8)).ok());
    assert!(k.apply(event(EventKind::FullFill, "T1-X1", "x1", e8(1.0), 101.0, 0.5, T0 + 9)).ok());
    assert!(k.apply(enter(0, "T2", Side::Long, e8(1.0), T0 + 10)).ok(), "T2 replaces T1's orders in the slot");
    // T1 stays in use while T1-E is remembered, on any slot.
    let reuse = k.apply(enter(1, "T1", Side::Long, e8(1.0), T0 + 11));
    assert_eq!(reuse.codes(), vec![DiagCode::InvalidIntent], "{:?}", reuse.messages());
    // A late copy of a fill within T1-E's final 1.0 is stale, not an overfill.
    let late = k.apply(event(EventKind::PartialFill, "T1-E", "e-late", e8(0.8), 100.0, 0.3, T0 + 12));
    assert_eq!(late.codes(), vec![DiagCode::StaleEvent], "{:?}", late.messages());
    assert_eq!(k.stage(0), Stage::EntryWorking);
}
