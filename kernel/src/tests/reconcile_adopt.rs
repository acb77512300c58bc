//! RECONCILE adopting the venue's truth (`fsm/reconcile.rs`, invariants 1-3 and 5): an order the
//! truth names that the slot is working stays the same order (ids, leg, creation time, limit
//! price, fee baseline, a pending cancel), with its fills and status brought up to the venue's;
//! an open order the slot does not know ends the slot's working order of that role as CANCELLED
//! (its fills stay booked) and is adopted as the next MARKET order; and the truths a slot cannot
//! adopt (no side for an entry order, an exit order without a position) are refused unchanged.

use super::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// The RECONCILED message of an accepted RECONCILE.
fn reconciled(o: &Outcome) -> String {
    assert!(o.ok(), "refused: {:?}", o.messages());
    assert_eq!(o.codes(), vec![DiagCode::Reconciled], "{:?}", o.messages());
    o.messages().remove(0)
}

/// A RECONCILE refused with INVALID_INTENT on `field`, leaving every byte of state as it was.
fn refused(k: &mut K, truth: Truth, field: Field, what: &str) -> String {
    let before = k.snapshot();
    let o = k.apply(reconcile(0, truth, T0 + 50));
    assert_eq!(o.codes(), vec![DiagCode::InvalidIntent], "{what}: adopted, {:?}", o.messages());
    assert_eq!((o.diags[0].field, o.accepted[0]), (field.raw(), 0), "{what}: {:?}", o.messages());
    assert_eq!(k.snapshot(), before, "{what}: a refused RECONCILE changed the kernel");
    o.messages().remove(0)
}

/// LONG 1 at 100 (trade T1, entry fee 0.5); exit T1-X1 (a SELL, created at T0 + 10) acked as
/// `VT1-X1` and 0.4 filled at 110 (fee 0.1), its cancel requested when `cancel`; then stale.
fn stale_with_working_exit(cancel: bool) -> K {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(1.0), 100.0);
    assert!(k.apply(exit(0, e8(1.0), T0 + 10)).ok());
    assert!(k.apply(ack("T1-X1", "x-ack", T0 + 11)).ok());
    assert!(k.apply(event(EventKind::PartialFill, "T1-X1", "x-part", e8(0.4), 110.0, 0.1, T0 + 12)).ok());
    if cancel {
        assert!(k.apply(super::cancel(0, T0 + 12)).ok());
    }
    assert!(k.apply(mark_stale(0, StaleReason::Restart, T0 + 13)).ok());
    k
}

#[test]
fn reconcile_keeps_the_working_exit_order_it_names_and_brings_its_fills_to_the_venues() {
    let mut k = stale_with_working_exit(false);
    // The venue filled 0.2 more at 111 (average) while the kernel was away; it names the order by
    // its client id only, so the venue order id the slot learned from the ack must stay.
    let named = Some((OrderRole::Exit, "T1-X1", e8(1.0), e8(0.6), 110.4));
    let msg =
        reconciled(&k.apply(reconcile(0, Truth { side: 1, qty_e8: e8(0.4), price: 100.0, order: named }, T0 + 20)));
    let (s, x) = (k.slot(0), k.slot(0).exit_order);
    assert_eq!((k.stage(0), s.leg(), x.leg()), (Stage::ExitWorking, 1, 1), "the same leg, not a new order");
    assert_eq!((x.client_order_id, x.venue_order_id), (text("T1-X1"), text("VT1-X1")));
    assert_eq!((x.created_at_ms, x.last_update_ms, x.order_type), (T0 + 10, T0 + 20, OrderType::Market.raw()));
    assert_eq!((x.filled_e8, x.avg_fill_price, x.status), (e8(0.6), 110.4, OrderStatus::PartiallyFilled.raw()));
    assert!(close(x.fee, 0.1) && close(s.fees, 0.6), "the kept order keeps its fee: fees {}", s.fees);
    assert!(close(s.realized_pnl, 0.6 * 10.4), "its 0.6 filled closes LONG units: {}", s.realized_pnl);
    assert_eq!(
        msg, "reconciled to EXIT_WORKING: position 0.6 -> 0.4; exit order T1-X1 filled 0.6/1",
        "no entry price moved"
    );
    // The rest fills under the same order and closes the trade once.
    assert!(k.apply(event(EventKind::FullFill, "T1-X1", "x-full", e8(1.0), 110.0, 0.3, T0 + 21)).ok());
    assert_eq!(k.stage(0), Stage::Closed);
    assert!(close(k.account().capital, 10_000.0 + 10.0 - 0.5 - 0.3), "capital {}", k.account().capital);
}

#[test]
fn reconcile_keeps_an_unacked_limit_entry_with_nothing_filled_as_the_same_order_now_acked() {
    let mut k = K::new(1);
    let limit =
        InputRecord { order_type: OrderType::Limit.raw(), price: 99.0, ..enter(0, "T1", Side::Long, e8(1.0), T0) };
    assert!(k.apply(limit).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Restart, T0 + 1)).ok());
    // The venue holds the order with nothing filled: no position, so no side either.
    let open = Some((OrderRole::Entry, "T1-E", e8(1.0), 0, 0.0));
    let truth = InputRecord {
        venue_order_id: text("V-E1"),
        ..reconcile(0, Truth { side: 0, qty_e8: 0, price: 0.0, order: open }, T0 + 2)
    };
    reconciled(&k.apply(truth));
    let (s, e) = (k.slot(0), k.slot(0).entry_order);
    assert_eq!((k.stage(0), s.side, s.size_e8), (Stage::EntryWorking, Side::Long.raw(), 0), "the slot's side stays");
    assert_eq!((e.order_type, e.limit_price, e.created_at_ms), (OrderType::Limit.raw(), 99.0, T0), "the same order");
    assert_eq!((e.client_order_id, e.venue_order_id), (text("T1-E"), text("V-E1")), "the venue id is learned");
    assert_eq!(e.status, OrderStatus::Acked.raw(), "the venue holds it: ACKED, not PENDING_SUBMIT or filled");
}

#[test]
fn reconcile_keeps_a_pending_cancel_on_the_order_it_keeps() {
    let mut k = stale_with_working_exit(true);
    let named = Some((OrderRole::Exit, "T1-X1", e8(1.0), e8(0.4), 110.0));
    reconciled(&k.apply(reconcile(0, Truth { side: 1, qty_e8: e8(0.6), price: 100.0, order: named }, T0 + 20)));
    assert_eq!(k.slot(0).exit_order.status, OrderStatus::CancelRequested.raw(), "the cancel is still pending");
    // Its CANCEL_ACK then ends the leg with the position left open.
    let ack = event(EventKind::CancelAck, "T1-X1", "x-cancelled", e8(0.4), 110.0, 0.1, T0 + 21);
    assert!(k.apply(ack).ok());
    assert_eq!((k.stage(0), k.slot(0).size_e8), (Stage::PositionOpen, e8(0.6)));
}

#[test]
fn an_open_exit_order_the_slot_does_not_know_ends_its_working_exit_and_is_adopted_as_the_next_leg() {
    let mut k = stale_with_working_exit(false);
    // The venue shows another exit order (the belief was saved before it was placed), 0.2 of 0.6
    // filled at 112, and no T1-X1: that one was cancelled with its 0.4 at 110 filled.
    let other = Some((OrderRole::Exit, "T1-X2", e8(0.6), e8(0.2), 112.0));
    let truth = InputRecord {
        venue_order_id: text("V77"),
        ..reconcile(0, Truth { side: 1, qty_e8: e8(0.6), price: 100.0, order: other }, T0 + 20)
    };
    reconciled(&k.apply(truth));
    let (s, x) = (k.slot(0), k.slot(0).exit_order);
    assert_eq!((k.stage(0), s.leg(), x.leg()), (Stage::ExitWorking, 2, 2), "a new order is the next leg");
    assert_eq!((x.client_order_id, x.venue_order_id), (text("T1-X2"), text("V77")), "the venue's ids");
    assert_eq!((x.order_type, x.created_at_ms, x.fee), (OrderType::Market.raw(), T0 + 20, 0.0), "created now");
    assert_eq!((x.side, x.status), (OrderSide::Sell.raw(), OrderStatus::PartiallyFilled.raw()));
    // T1-X1's fills and fee stay booked (invariant 2): 0.4 × 10 closed, plus 0.2 × 12 working.
    assert!(close(s.realized_closed_legs, 4.0) && close(s.realized_pnl, 6.4), "realized {}", s.realized_pnl);
    assert!(close(s.fees_closed_orders, 0.6) && close(s.fees, 0.6), "fees {}", s.fees);
    let late = event(EventKind::PartialFill, "T1-X1", "x-late", e8(0.4), 110.0, 0.1, T0 + 21);
    assert_eq!(k.apply(late).codes(), vec![DiagCode::StaleEvent], "T1-X1 ended as a finished order");
    super::boundary::snapshot_restores(&k, "an adopted order is a valid order");
}

#[test]
fn an_open_exit_order_the_slot_does_not_know_may_hold_the_position_on_the_other_side() {
    let mut k = stale_with_working_exit(false);
    // The truth wins (invariant 1): T1-X1 (a SELL) is not kept, so it fixes no side.
    let other = Some((OrderRole::Exit, "T1-X2", e8(0.5), 0, 0.0));
    let msg =
        reconciled(&k.apply(reconcile(0, Truth { side: 2, qty_e8: e8(0.5), price: 105.0, order: other }, T0 + 20)));
    let (s, x) = (k.slot(0), k.slot(0).exit_order);
    assert_eq!((s.side, x.side, x.status), (Side::Short.raw(), OrderSide::Buy.raw(), OrderStatus::Acked.raw()));
    assert_eq!(
        msg,
        "reconciled to EXIT_WORKING: position 0.6 -> 0.5, side LONG -> SHORT, entry 105; exit order T1-X2 filled 0/0.5"
    );
    assert!(close(s.realized_closed_legs, 4.0), "T1-X1's leg was booked LONG: {}", s.realized_closed_legs);
}

#[test]
fn a_slot_restored_stale_and_empty_reconciles_flat_to_idle() {
    let mut k = K::new(1);
    let empty = SlotImage { stage: Stage::Stale.raw(), stale_reason: StaleReason::Restart.raw(), ..SlotImage::ZERO };
    assert!(k.restore(&empty, T0).ok());
    let msg = reconciled(&k.apply(reconcile(0, Truth { side: 0, qty_e8: 0, price: 0.0, order: None }, T0 + 1)));
    assert_eq!((k.stage(0), k.slot(0).is_open), (Stage::Idle, 0), "nothing to adopt needs no trade id");
    assert_eq!(msg, "reconciled to IDLE: position 0 -> 0");
}

/// A slot restored STALE with a trade, asset and leverage but no side (its entry never filled).
fn stale_without_side() -> K {
    let mut k = K::new(1);
    let image = SlotImage {
        stage: Stage::Stale.raw(),
        stale_reason: StaleReason::Restart.raw(),
        leverage: 5,
        asset: text(BTC),
        trade_id: text("R1"),
        ..SlotImage::ZERO
    };
    assert!(k.restore(&image, T0).ok());
    k
}

#[test]
fn a_slot_without_a_side_takes_the_venue_side_for_an_open_entry_order_and_refuses_one_without() {
    let mut k = stale_without_side();
    let unfilled = Truth { side: 0, qty_e8: 0, price: 0.0, order: Some((OrderRole::Entry, "R1-E", e8(1.0), 0, 0.0)) };
    let msg = refused(&mut k, unfilled, Field::Side, "no side anywhere");
    assert!(msg.contains("needs a side"), "{msg}");
    assert!(!k.kernel().faulted, "refused, not a kernel fault");
    let filled = Some((OrderRole::Entry, "R1-E", e8(1.0), e8(0.3), 50.0));
    reconciled(&k.apply(reconcile(0, Truth { side: 2, qty_e8: e8(0.3), price: 50.0, order: filled }, T0 + 51)));
    let (s, e) = (k.slot(0), k.slot(0).entry_order);
    assert_eq!((k.stage(0), s.side, s.size_e8), (Stage::EntryWorking, Side::Short.raw(), e8(0.3)));
    assert_eq!(
        (e.side, e.leg(), e.created_at_ms, e.status),
        (OrderSide::Sell.raw(), 0, T0 + 51, OrderStatus::PartiallyFilled.raw())
    );
}

#[test]
fn an_open_exit_order_against_a_flat_venue_position_is_refused() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0);
    assert!(k.apply(mark_stale(0, StaleReason::Restart, T0 + 10)).ok());
    // Even one whose fills add up to its size: an exit order closes a position, and there is none.
    let done = Some((OrderRole::Exit, "T1-X1", e8(0.01), e8(0.01), 110.0));
    let msg =
        refused(&mut k, Truth { side: 1, qty_e8: 0, price: 0.0, order: done }, Field::Size, "exit order, no position");
    assert!(msg.contains("position is flat"), "{msg}");
}
