//! Venue events on working orders (`fsm/events.rs`, `fsm/effects.rs`): routing compares whole
//! client order ids (an id hash only pre-filters), a fill whose cumulative equals what the order
//! already has still completes it (an older one changes nothing), an order keeps the venue order
//! id it was first given and returns to its own status when a cancel is refused, and a trade
//! closed below its entry leaves unrealized PnL at exactly +0.

use super::slot_memory::colliding_id;
use super::*;

#[test]
fn an_event_whose_client_order_id_only_hashes_like_a_working_order_is_routed_nowhere() {
    let mut k = K::new(1);
    assert!(k.apply(seed(10_000.0, 0, T0)).ok());
    assert!(k.apply(enter(0, "T1", Side::Long, e8(1.0), T0 + 1)).ok());
    let before = k.snapshot();
    let twin = colliding_id("T1-E");
    let o = k.apply(event(EventKind::FullFill, &twin, "f1", e8(1.0), 100.0, 0.5, T0 + 2));
    assert_eq!(o.codes(), vec![DiagCode::UnknownOrder], "{:?}", o.messages());
    assert_eq!(k.snapshot(), before, "T1-E was not filled by another order's event");
}

#[test]
fn a_full_fill_whose_cumulative_equals_the_fills_already_applied_completes_the_order() {
    let mut k = K::new(1);
    assert!(k.apply(seed(10_000.0, 0, T0)).ok());
    assert!(k.apply(enter(0, "T1", Side::Long, e8(1.0), T0 + 1)).ok());
    assert!(k.apply(event(EventKind::PartialFill, "T1-E", "p1", e8(1.0), 100.0, 0.5, T0 + 2)).ok());
    assert_eq!(k.stage(0), Stage::EntryWorking, "a partial fill event never ends the order");
    // The venue's final report: the same cumulative, its final average price and fee.
    let o = k.apply(event(EventKind::FullFill, "T1-E", "f1", e8(1.0), 100.2, 0.6, T0 + 3));
    assert!(o.ok() && o.diags.is_empty(), "{:?}", o.messages());
    let s = k.slot(0);
    assert_eq!((k.stage(0), s.entry_order.status), (Stage::PositionOpen, OrderStatus::Filled.raw()));
    assert_eq!((s.entry_price, s.entry_order.fee, s.fees), (100.2, 0.6, 0.6), "the final figures count");
}

#[test]
fn a_cancel_ack_carrying_an_older_cumulative_keeps_the_fills_the_order_has() {
    let mut k = K::new(1);
    assert!(k.apply(seed(10_000.0, 0, T0)).ok());
    assert!(k.apply(enter(0, "T1", Side::Long, e8(1.0), T0 + 1)).ok());
    assert!(k.apply(event(EventKind::PartialFill, "T1-E", "p1", e8(0.4), 100.0, 0.2, T0 + 2)).ok());
    // The ack was sent before the venue reported the later fills: 0.2 is older than 0.4.
    assert!(k.apply(event(EventKind::CancelAck, "T1-E", "c1", e8(0.2), 100.0, 0.1, T0 + 3)).ok());
    let s = k.slot(0);
    assert_eq!((k.stage(0), s.size_e8, s.entry_order.filled_e8), (Stage::PositionOpen, e8(0.4), e8(0.4)));
    assert_eq!(s.fees, 0.2, "the fee of the 0.4 filled");
}

#[test]
fn an_order_keeps_the_venue_order_id_of_its_first_ack() {
    let mut k = K::new(1);
    assert!(k.apply(seed(10_000.0, 0, T0)).ok());
    assert!(k.apply(enter(0, "T1", Side::Long, e8(1.0), T0 + 1)).ok());
    assert!(k.apply(ack("T1-E", "a1", T0 + 2)).ok());
    let other = InputRecord {
        venue_order_id: text("V-OTHER"),
        ..event(EventKind::PartialFill, "T1-E", "p1", e8(0.5), 100.0, 0.1, T0 + 3)
    };
    assert!(k.apply(other).ok());
    assert_eq!(k.slot(0).entry_order.venue_order_id, text("VT1-E"));
}

#[test]
fn a_trade_closed_at_a_loss_below_its_mark_leaves_unrealized_pnl_at_positive_zero() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(1.0), 100.0);
    assert!(k.apply(mark(90.0, T0 + 10)).ok());
    assert_eq!(k.slot(0).unrealized_pnl, -10.0);
    assert!(k.apply(exit(0, e8(1.0), T0 + 11)).ok());
    assert!(k.apply(event(EventKind::FullFill, "T1-X1", "x1", e8(1.0), 90.0, 0.5, T0 + 12)).ok());
    assert_eq!(k.stage(0), Stage::Closed);
    // Bit for bit: a -0 would print as "-0" and change the image bytes and the state hash.
    assert_eq!((k.slot(0).unrealized_pnl.to_bits(), k.account().unrealized_pnl.to_bits()), (0, 0));
}

#[test]
fn a_refused_cancel_returns_a_partly_filled_order_to_partially_filled() {
    let mut k = K::new(1);
    assert!(k.apply(seed(10_000.0, 0, T0)).ok());
    assert!(k.apply(enter(0, "T1", Side::Long, e8(1.0), T0 + 1)).ok());
    assert!(k.apply(ack("T1-E", "a1", T0 + 2)).ok());
    assert!(k.apply(event(EventKind::PartialFill, "T1-E", "p1", e8(0.4), 100.0, 0.2, T0 + 3)).ok());
    assert!(k.apply(cancel(0, T0 + 4)).ok());
    let refused = event(EventKind::CancelReject, "T1-E", "cr", e8(0.4), 100.0, 0.2, T0 + 5);
    assert_eq!(k.apply(refused).codes(), vec![DiagCode::CancelRejected]);
    assert_eq!(k.slot(0).entry_order.status, OrderStatus::PartiallyFilled.raw(), "not ACKED: it has fills");
}
