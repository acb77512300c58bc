//! One named test per transition-table row, plus the table's properties (no overlap, guards
//! cover every case, text export, handlers never reach a stage outside the table).

use super::*;
use crate::fsm::guards::{GuardFacts, Truth as TruthShape};
use crate::fsm::table::{lookup, Guard, TABLE};

/// Asserts that the call made exactly the transition of row `(from, input, guard)`.
fn expect_row(o: &Outcome, slot: u32, from: Stage, input: Trigger, guard: &str, to: Stage) {
    assert!(o.ok(), "refused: {:?}", o.messages());
    let t = o.only_transition();
    assert_eq!((t.slot_id, t.from, t.to, t.trigger), (slot, from.raw(), to.raw(), input.raw()));
    assert_eq!(t.row, row_index(from, input, guard));
    let r = TABLE[t.row as usize];
    assert_eq!((r.from, r.input, r.to), (from, input, to));
}

fn entry_working(k: &mut K) {
    assert!(k.apply(seed(10_000.0, 0, T0)).ok());
    assert!(k.apply(enter(0, "T1", Side::Long, e8(0.01), T0 + 1)).ok());
}

/// ENTRY_WORKING with 0.004 of 0.01 filled at 100.
fn entry_partly_filled(k: &mut K) {
    entry_working(k);
    assert!(k.apply(ack("T1-E", "a1", T0 + 2)).ok());
    assert!(k.apply(event(EventKind::PartialFill, "T1-E", "p1", e8(0.004), 100.0, 0.1, T0 + 3)).ok());
}

/// EXIT_WORKING: position 0.01 at 100, exit leg 1 of `qty` acked.
fn exit_working(k: &mut K, qty_e8: i64) {
    open_position(k, 0, "T1", e8(0.01), 100.0);
    assert!(k.apply(exit(0, qty_e8, T0 + 10)).ok());
    assert!(k.apply(ack("T1-X1", "xa1", T0 + 11)).ok());
}

fn closed(k: &mut K) {
    exit_working(k, e8(0.01));
    assert!(k.apply(event(EventKind::FullFill, "T1-X1", "xf1", e8(0.01), 110.0, 0.5, T0 + 12)).ok());
    assert_eq!(k.stage(0), Stage::Closed);
}

fn foreign(slot: u32, now_ms: u64) -> InputRecord {
    InputRecord {
        slot_id: slot,
        ..event(EventKind::PartialFill, "NOT-OURS", "foreign-1", e8(0.001), 100.0, 0.0, now_ms)
    }
}

#[test]
fn idle_enter_moves_to_entry_working() {
    let mut k = K::new(2);
    let o = k.apply(enter(1, "T1", Side::Short, e8(0.5), T0));
    expect_row(&o, 1, Stage::Idle, Trigger::Enter, "ANY", Stage::EntryWorking);
    let s = k.slot(1);
    assert_eq!(s.entry_order.status, OrderStatus::PendingSubmit.raw());
    assert_eq!(s.entry_order.side, OrderSide::Sell.raw());
    assert_eq!(&s.entry_order.client_order_id[..5], b"T1-E\0");
    assert_eq!((s.is_open, s.version, s.updated_at_ms), (1, 1, T0));
}

#[test]
fn closed_enter_moves_to_entry_working() {
    let mut k = K::new(1);
    closed(&mut k);
    let o = k.apply(enter(0, "T2", Side::Long, e8(0.01), T0 + 20));
    expect_row(&o, 0, Stage::Closed, Trigger::Enter, "ANY", Stage::EntryWorking);
    let s = k.slot(0);
    assert_eq!((s.realized_pnl, s.fees, s.leg(), s.exit_order.present), (0.0, 0.0, 0, 0));
}

#[test]
fn entry_working_ack_stays_entry_working() {
    let mut k = K::new(1);
    entry_working(&mut k);
    let o = k.apply(ack("T1-E", "a1", T0 + 2));
    expect_row(&o, 0, Stage::EntryWorking, Trigger::Ack, "ANY", Stage::EntryWorking);
    let e = k.slot(0).entry_order;
    assert_eq!(e.status, OrderStatus::Acked.raw());
    assert_eq!(&e.venue_order_id[..6], b"VT1-E\0");
}

#[test]
fn entry_working_partial_fill_stays_entry_working() {
    let mut k = K::new(1);
    entry_working(&mut k);
    let o = k.apply(event(EventKind::PartialFill, "T1-E", "p1", e8(0.004), 100.0, 0.1, T0 + 3));
    expect_row(&o, 0, Stage::EntryWorking, Trigger::PartialFill, "ANY", Stage::EntryWorking);
    let s = k.slot(0);
    assert_eq!((s.size_e8, s.entry_price, s.fees), (e8(0.004), 100.0, 0.1));
    assert_eq!(s.entry_order.status, OrderStatus::PartiallyFilled.raw());
}

#[test]
fn entry_working_full_fill_moves_to_position_open() {
    let mut k = K::new(1);
    entry_working(&mut k);
    let o = k.apply(event(EventKind::FullFill, "T1-E", "f1", e8(0.01), 101.5, 0.2, T0 + 3));
    expect_row(&o, 0, Stage::EntryWorking, Trigger::FullFill, "ANY", Stage::PositionOpen);
    let s = k.slot(0);
    assert_eq!((s.size_e8, s.entry_price, s.fees, s.fees_closed_orders), (e8(0.01), 101.5, 0.2, 0.2));
    assert_eq!(s.entry_order.status, OrderStatus::Filled.raw());
}

#[test]
fn entry_working_reject_nothing_filled_moves_to_idle() {
    let mut k = K::new(1);
    entry_working(&mut k);
    let o = k.apply(reject("T1-E", "r1", RejectReason::Venue, T0 + 2));
    expect_row(&o, 0, Stage::EntryWorking, Trigger::Reject, "NOTHING_FILLED", Stage::Idle);
    let s = k.slot(0);
    assert_eq!((s.is_open, s.side, s.entry_order.status), (0, 0, OrderStatus::Rejected.raw()));
    assert_eq!(s.entry_order.reject_reason, RejectReason::Venue.raw());
}

#[test]
fn entry_working_reject_partly_filled_moves_to_position_open() {
    let mut k = K::new(1);
    entry_partly_filled(&mut k);
    let o = k.apply(reject("T1-E", "r1", RejectReason::Venue, T0 + 4));
    expect_row(&o, 0, Stage::EntryWorking, Trigger::Reject, "PARTLY_FILLED", Stage::PositionOpen);
    assert_eq!(k.slot(0).size_e8, e8(0.004));
}

#[test]
fn entry_working_cancel_ack_nothing_filled_moves_to_idle() {
    let mut k = K::new(1);
    entry_working(&mut k);
    assert!(k.apply(cancel(0, T0 + 2)).ok());
    let o = k.apply(event(EventKind::CancelAck, "T1-E", "c1", 0, 0.0, 0.0, T0 + 3));
    expect_row(&o, 0, Stage::EntryWorking, Trigger::CancelAck, "NOTHING_FILLED", Stage::Idle);
    assert_eq!(k.slot(0).entry_order.status, OrderStatus::Cancelled.raw());
}

#[test]
fn entry_working_cancel_ack_partly_filled_moves_to_position_open() {
    let mut k = K::new(1);
    entry_partly_filled(&mut k);
    // The ack carries a later cumulative fill (0.006): it is applied before the transition.
    let o = k.apply(event(EventKind::CancelAck, "T1-E", "c1", e8(0.006), 100.5, 0.15, T0 + 4));
    expect_row(&o, 0, Stage::EntryWorking, Trigger::CancelAck, "PARTLY_FILLED", Stage::PositionOpen);
    let s = k.slot(0);
    assert_eq!((s.size_e8, s.entry_price, s.fees), (e8(0.006), 100.5, 0.15));
}

#[test]
fn entry_working_cancel_reject_stays_entry_working() {
    let mut k = K::new(1);
    entry_working(&mut k);
    assert!(k.apply(ack("T1-E", "a1", T0 + 2)).ok());
    assert!(k.apply(cancel(0, T0 + 3)).ok());
    let o = k.apply(event(EventKind::CancelReject, "T1-E", "cr1", 0, 0.0, 0.0, T0 + 4));
    expect_row(&o, 0, Stage::EntryWorking, Trigger::CancelReject, "ANY", Stage::EntryWorking);
    assert_eq!(k.slot(0).entry_order.status, OrderStatus::Acked.raw());
}

#[test]
fn entry_working_cancel_requests_cancel() {
    let mut k = K::new(1);
    entry_working(&mut k);
    let o = k.apply(cancel(0, T0 + 2));
    expect_row(&o, 0, Stage::EntryWorking, Trigger::Cancel, "CANCEL_NOT_REQUESTED", Stage::EntryWorking);
    assert_eq!(k.slot(0).entry_order.status, OrderStatus::CancelRequested.raw());
}

#[test]
fn entry_working_second_cancel_is_a_no_op() {
    let mut k = K::new(1);
    entry_working(&mut k);
    assert!(k.apply(cancel(0, T0 + 2)).ok());
    let before = k.snapshot();
    let o = k.apply(cancel(0, T0 + 3));
    assert!(o.ok() && o.transitions.is_empty() && o.diags.is_empty());
    assert_eq!(k.snapshot(), before);
    let facts =
        GuardFacts { has_position: false, cancel_requested: true, order_filled: false, truth: TruthShape::None };
    assert_eq!(lookup(Stage::EntryWorking, Trigger::Cancel, &facts).unwrap().1.guard, Guard::CancelRequested);
}

#[test]
fn entry_working_mark_price_with_position_updates_unrealized() {
    let mut k = K::new(1);
    entry_partly_filled(&mut k);
    let o = k.apply(mark(110.0, T0 + 4));
    assert!(o.ok() && o.transitions.is_empty());
    let s = k.slot(0);
    assert_eq!((s.mark_price, s.unrealized_pnl), (110.0, 0.004 * 10.0));
    assert_eq!(k.account().unrealized_pnl, s.unrealized_pnl);
    assert_eq!(k.account().capital, 10_000.0);
}

#[test]
fn entry_working_mark_price_without_position_changes_no_slot_and_is_remembered() {
    let mut k = K::new(1);
    entry_working(&mut k);
    let before = k.snapshot();
    let o = k.apply(mark(110.0, T0 + 4));
    assert!(o.ok() && o.transitions.is_empty() && o.header.dirty_slots == [0; 4]);
    // Slots and account unchanged; the mark book (notional limits) remembers the price.
    assert_eq!(k.snapshot().1, before.1);
    let asset = k.slot(0).asset;
    assert_eq!(k.kernel().marks.price(&asset), Some(110.0));
}

#[test]
fn position_open_exit_moves_to_exit_working() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0);
    let o = k.apply(exit(0, e8(0.004), T0 + 10));
    expect_row(&o, 0, Stage::PositionOpen, Trigger::Exit, "ANY", Stage::ExitWorking);
    let s = k.slot(0);
    assert_eq!((s.leg(), s.exit_reason, s.exit_order.side), (1, ExitReason::Tp.raw(), OrderSide::Sell.raw()));
    assert_eq!(&s.exit_order.client_order_id[..6], b"T1-X1\0");
}

#[test]
fn position_open_mark_price_updates_unrealized_only() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0);
    let capital = k.account().capital;
    let o = k.apply(mark(90.0, T0 + 10));
    assert!(o.ok() && o.transitions.is_empty() && o.header.account_dirty == 1);
    assert_eq!(k.slot(0).unrealized_pnl, 0.01 * -10.0);
    let a = k.account();
    // Equity: capital, minus the entry fee the open trade paid (booked at the venue), plus unrealized.
    let fees = k.slot(0).fees;
    assert_eq!((a.capital, a.unrealized_pnl, a.equity), (capital, 0.01 * -10.0, capital - fees + 0.01 * -10.0));
    assert_eq!(row_index(Stage::PositionOpen, Trigger::MarkPrice, "ANY") as usize, 15);
}

#[test]
fn exit_working_ack_stays_exit_working() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0);
    assert!(k.apply(exit(0, e8(0.01), T0 + 10)).ok());
    let o = k.apply(ack("T1-X1", "xa1", T0 + 11));
    expect_row(&o, 0, Stage::ExitWorking, Trigger::Ack, "ANY", Stage::ExitWorking);
    assert_eq!(k.slot(0).exit_order.status, OrderStatus::Acked.raw());
}

#[test]
fn exit_working_partial_fill_stays_exit_working() {
    let mut k = K::new(1);
    exit_working(&mut k, e8(0.01));
    let o = k.apply(event(EventKind::PartialFill, "T1-X1", "xp1", e8(0.004), 110.0, 0.1, T0 + 12));
    expect_row(&o, 0, Stage::ExitWorking, Trigger::PartialFill, "ANY", Stage::ExitWorking);
    let s = k.slot(0);
    assert_eq!(s.size_e8, e8(0.006));
    assert!((s.realized_pnl - 0.004 * 10.0).abs() < 1e-12);
}

#[test]
fn exit_working_full_fill_with_position_left_moves_to_position_open() {
    let mut k = K::new(1);
    exit_working(&mut k, e8(0.004));
    let o = k.apply(event(EventKind::FullFill, "T1-X1", "xf1", e8(0.004), 110.0, 0.1, T0 + 12));
    expect_row(&o, 0, Stage::ExitWorking, Trigger::FullFill, "POSITION_LEFT", Stage::PositionOpen);
    let s = k.slot(0);
    assert_eq!((s.size_e8, s.is_open), (e8(0.006), 1));
    assert_eq!(s.realized_closed_legs, s.realized_pnl);
}

#[test]
fn exit_working_full_fill_with_position_zero_moves_to_closed() {
    let mut k = K::new(1);
    exit_working(&mut k, e8(0.01));
    let o = k.apply(event(EventKind::FullFill, "T1-X1", "xf1", e8(0.01), 110.0, 0.5, T0 + 12));
    expect_row(&o, 0, Stage::ExitWorking, Trigger::FullFill, "POSITION_ZERO", Stage::Closed);
    assert_eq!((k.slot(0).is_open, k.account().trade_seq), (0, 1));
}

#[test]
fn exit_working_cancel_ack_with_position_left_moves_to_position_open() {
    let mut k = K::new(1);
    exit_working(&mut k, e8(0.01));
    let o = k.apply(event(EventKind::CancelAck, "T1-X1", "xc1", e8(0.003), 105.0, 0.0, T0 + 12));
    expect_row(&o, 0, Stage::ExitWorking, Trigger::CancelAck, "POSITION_LEFT", Stage::PositionOpen);
    assert_eq!(k.slot(0).size_e8, e8(0.007));
}

#[test]
fn exit_working_cancel_ack_with_position_zero_moves_to_closed() {
    let mut k = K::new(1);
    exit_working(&mut k, e8(0.01));
    let o = k.apply(event(EventKind::CancelAck, "T1-X1", "xc1", e8(0.01), 105.0, 0.0, T0 + 12));
    expect_row(&o, 0, Stage::ExitWorking, Trigger::CancelAck, "POSITION_ZERO", Stage::Closed);
    assert_eq!(k.account().trade_seq, 1);
}

#[test]
fn exit_working_cancel_reject_stays_exit_working() {
    let mut k = K::new(1);
    exit_working(&mut k, e8(0.01));
    assert!(k.apply(cancel(0, T0 + 12)).ok());
    let o = k.apply(event(EventKind::CancelReject, "T1-X1", "xcr1", 0, 0.0, 0.0, T0 + 13));
    expect_row(&o, 0, Stage::ExitWorking, Trigger::CancelReject, "ANY", Stage::ExitWorking);
    assert_eq!(k.slot(0).exit_order.status, OrderStatus::Acked.raw());
}

#[test]
fn exit_working_reject_with_position_left_moves_to_position_open() {
    let mut k = K::new(1);
    exit_working(&mut k, e8(0.01));
    let o = k.apply(reject("T1-X1", "xr1", RejectReason::Venue, T0 + 12));
    expect_row(&o, 0, Stage::ExitWorking, Trigger::Reject, "POSITION_LEFT", Stage::PositionOpen);
    assert_eq!(k.slot(0).size_e8, e8(0.01));
}

#[test]
fn exit_working_reject_with_position_zero_moves_to_closed() {
    let mut k = K::new(1);
    exit_working(&mut k, e8(0.01));
    assert!(k.apply(event(EventKind::PartialFill, "T1-X1", "xp1", e8(0.01), 110.0, 0.5, T0 + 12)).ok());
    let o = k.apply(reject("T1-X1", "xr1", RejectReason::Venue, T0 + 13));
    expect_row(&o, 0, Stage::ExitWorking, Trigger::Reject, "POSITION_ZERO", Stage::Closed);
    assert_eq!(k.account().trade_seq, 1);
}

#[test]
fn exit_working_cancel_requests_cancel() {
    let mut k = K::new(1);
    exit_working(&mut k, e8(0.01));
    let o = k.apply(cancel(0, T0 + 12));
    expect_row(&o, 0, Stage::ExitWorking, Trigger::Cancel, "CANCEL_NOT_REQUESTED", Stage::ExitWorking);
    assert_eq!(k.slot(0).exit_order.status, OrderStatus::CancelRequested.raw());
}

#[test]
fn exit_working_second_cancel_is_a_no_op() {
    let mut k = K::new(1);
    exit_working(&mut k, e8(0.01));
    assert!(k.apply(cancel(0, T0 + 12)).ok());
    let before = k.snapshot();
    let o = k.apply(cancel(0, T0 + 13));
    assert!(o.ok() && o.transitions.is_empty() && o.diags.is_empty());
    assert_eq!(k.snapshot(), before);
}

#[test]
fn exit_working_mark_price_with_position_updates_unrealized() {
    let mut k = K::new(1);
    exit_working(&mut k, e8(0.004));
    let o = k.apply(mark(120.0, T0 + 12));
    assert!(o.ok() && o.transitions.is_empty());
    assert_eq!(k.slot(0).unrealized_pnl, 0.01 * 20.0);
}

#[test]
fn exit_working_mark_price_without_position_changes_nothing() {
    let mut k = K::new(1);
    exit_working(&mut k, e8(0.01));
    assert!(k.apply(event(EventKind::PartialFill, "T1-X1", "xp1", e8(0.01), 110.0, 0.0, T0 + 12)).ok());
    let before = k.snapshot();
    assert!(k.apply(mark(120.0, T0 + 13)).ok());
    assert_eq!(k.snapshot().1, before.1);
}

#[test]
fn entry_working_mark_stale_moves_to_stale() {
    let mut k = K::new(1);
    entry_working(&mut k);
    let o = k.apply(mark_stale(0, StaleReason::Restart, T0 + 2));
    expect_row(&o, 0, Stage::EntryWorking, Trigger::MarkStale, "ANY", Stage::Stale);
    assert_eq!(k.slot(0).stale_reason, StaleReason::Restart.raw());
}

#[test]
fn position_open_mark_stale_moves_to_stale() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0);
    let o = k.apply(mark_stale(0, StaleReason::Divergence, T0 + 10));
    expect_row(&o, 0, Stage::PositionOpen, Trigger::MarkStale, "ANY", Stage::Stale);
    assert_eq!(k.slot(0).stale_reason, StaleReason::Divergence.raw());
}

#[test]
fn exit_working_mark_stale_moves_to_stale() {
    let mut k = K::new(1);
    exit_working(&mut k, e8(0.01));
    let o = k.apply(mark_stale(0, StaleReason::Operator, T0 + 12));
    expect_row(&o, 0, Stage::ExitWorking, Trigger::MarkStale, "ANY", Stage::Stale);
}

#[test]
fn entry_working_overfill_moves_to_stale() {
    let mut k = K::new(1);
    entry_working(&mut k);
    let o = k.apply(event(EventKind::PartialFill, "T1-E", "p1", e8(0.011), 100.0, 0.0, T0 + 2));
    expect_row(&o, 0, Stage::EntryWorking, Trigger::Overfill, "ANY", Stage::Stale);
    assert_eq!(k.slot(0).stale_reason, StaleReason::Overfill.raw());
    assert_eq!(k.slot(0).size_e8, 0, "an overfill is not applied; RECONCILE brings the truth");
}

#[test]
fn exit_working_overfill_moves_to_stale() {
    let mut k = K::new(1);
    exit_working(&mut k, e8(0.004));
    let o = k.apply(event(EventKind::FullFill, "T1-X1", "xf1", e8(0.005), 110.0, 0.0, T0 + 12));
    expect_row(&o, 0, Stage::ExitWorking, Trigger::Overfill, "ANY", Stage::Stale);
}

#[test]
fn position_open_overfill_moves_to_stale() {
    let mut k = K::new(1);
    entry_partly_filled(&mut k);
    assert!(k.apply(event(EventKind::CancelAck, "T1-E", "c1", e8(0.004), 100.0, 0.1, T0 + 4)).ok());
    // A fill beyond what the cancel ack said was final: the venue holds more than we believe.
    let o = k.apply(event(EventKind::PartialFill, "T1-E", "late", e8(0.006), 100.0, 0.1, T0 + 5));
    expect_row(&o, 0, Stage::PositionOpen, Trigger::Overfill, "ANY", Stage::Stale);
}

#[test]
fn closed_overfill_moves_to_stale() {
    let mut k = K::new(1);
    closed(&mut k);
    let o = k.apply(event(EventKind::PartialFill, "T1-X1", "late", e8(0.012), 110.0, 0.0, T0 + 20));
    expect_row(&o, 0, Stage::Closed, Trigger::Overfill, "ANY", Stage::Stale);
    assert_eq!(k.account().trade_seq, 1);
}

#[test]
fn idle_overfill_moves_to_stale() {
    let mut k = K::new(1);
    entry_working(&mut k);
    assert!(k.apply(event(EventKind::CancelAck, "T1-E", "c1", 0, 0.0, 0.0, T0 + 2)).ok());
    let o = k.apply(event(EventKind::PartialFill, "T1-E", "late", e8(0.002), 100.0, 0.0, T0 + 3));
    expect_row(&o, 0, Stage::Idle, Trigger::Overfill, "ANY", Stage::Stale);
}

#[test]
fn idle_foreign_order_moves_to_stale() {
    let mut k = K::new(2);
    let o = k.apply(foreign(1, T0));
    expect_row(&o, 1, Stage::Idle, Trigger::ForeignOrder, "ANY", Stage::Stale);
    assert_eq!(k.slot(1).stale_reason, StaleReason::ForeignOrder.raw());
}

#[test]
fn entry_working_foreign_order_moves_to_stale() {
    let mut k = K::new(1);
    entry_working(&mut k);
    let o = k.apply(foreign(0, T0 + 2));
    expect_row(&o, 0, Stage::EntryWorking, Trigger::ForeignOrder, "ANY", Stage::Stale);
}

#[test]
fn position_open_foreign_order_moves_to_stale() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0);
    let o = k.apply(foreign(0, T0 + 10));
    expect_row(&o, 0, Stage::PositionOpen, Trigger::ForeignOrder, "ANY", Stage::Stale);
}

#[test]
fn exit_working_foreign_order_moves_to_stale() {
    let mut k = K::new(1);
    exit_working(&mut k, e8(0.01));
    let o = k.apply(foreign(0, T0 + 12));
    expect_row(&o, 0, Stage::ExitWorking, Trigger::ForeignOrder, "ANY", Stage::Stale);
}

#[test]
fn closed_foreign_order_moves_to_stale() {
    let mut k = K::new(1);
    closed(&mut k);
    let o = k.apply(foreign(0, T0 + 20));
    expect_row(&o, 0, Stage::Closed, Trigger::ForeignOrder, "ANY", Stage::Stale);
}

fn stale_position(k: &mut K) {
    open_position(k, 0, "T1", e8(0.01), 100.0);
    assert!(k.apply(mark_stale(0, StaleReason::Restart, T0 + 10)).ok());
}

#[test]
fn stale_reconcile_with_open_entry_order_moves_to_entry_working() {
    let mut k = K::new(1);
    entry_working(&mut k);
    assert!(k.apply(mark_stale(0, StaleReason::Restart, T0 + 2)).ok());
    let truth = Truth {
        side: 1,
        qty_e8: e8(0.004),
        price: 100.0,
        order: Some((OrderRole::Entry, "T1-E", e8(0.01), e8(0.004), 100.0)),
    };
    let o = k.apply(reconcile(0, truth, T0 + 3));
    expect_row(&o, 0, Stage::Stale, Trigger::Reconcile, "TRUTH_ENTRY_ORDER", Stage::EntryWorking);
    let s = k.slot(0);
    assert_eq!((s.size_e8, s.entry_order.filled_e8, s.stale_reason), (e8(0.004), e8(0.004), 0));
    assert_eq!(o.codes(), vec![DiagCode::Reconciled]);
}

#[test]
fn stale_reconcile_with_open_exit_order_moves_to_exit_working() {
    let mut k = K::new(1);
    stale_position(&mut k);
    let truth = Truth {
        side: 1,
        qty_e8: e8(0.006),
        price: 100.0,
        order: Some((OrderRole::Exit, "T1-X1", e8(0.01), e8(0.004), 110.0)),
    };
    let o = k.apply(reconcile(0, truth, T0 + 11));
    expect_row(&o, 0, Stage::Stale, Trigger::Reconcile, "TRUTH_EXIT_ORDER", Stage::ExitWorking);
    let s = k.slot(0);
    assert_eq!((s.size_e8, s.leg(), s.exit_order.filled_e8), (e8(0.006), 1, e8(0.004)));
    assert!((s.realized_pnl - 0.004 * 10.0).abs() < 1e-12);
}

#[test]
fn stale_reconcile_with_position_only_moves_to_position_open() {
    let mut k = K::new(1);
    stale_position(&mut k);
    let o = k.apply(reconcile(0, Truth { side: 1, qty_e8: e8(0.02), price: 99.0, order: None }, T0 + 11));
    expect_row(&o, 0, Stage::Stale, Trigger::Reconcile, "TRUTH_POSITION", Stage::PositionOpen);
    let s = k.slot(0);
    assert_eq!((s.size_e8, s.entry_price), (e8(0.02), 99.0));
}

#[test]
fn stale_reconcile_flat_moves_to_idle_without_settling() {
    let mut k = K::new(1);
    stale_position(&mut k);
    let capital = k.account().capital;
    let o = k.apply(reconcile(0, Truth { side: 0, qty_e8: 0, price: 0.0, order: None }, T0 + 11));
    expect_row(&o, 0, Stage::Stale, Trigger::Reconcile, "TRUTH_FLAT", Stage::Idle);
    assert_eq!((k.slot(0).is_open, k.account().capital, k.account().trade_seq), (0, capital, 0));
}

/// POSITION_OPEN at 0.01 whose exit leg T1-X1 of `qty_e8` the venue rejected: it may still fill late
/// (decision 38: booked as the exit's).
fn exit_ended(k: &mut K, qty_e8: i64) {
    open_position(k, 0, "T1", e8(0.01), 100.0);
    assert!(k.apply(exit(0, qty_e8, T0 + 10)).ok());
    assert!(k.apply(reject("T1-X1", "xr1", RejectReason::Venue, T0 + 11)).ok());
    assert_eq!(k.stage(0), Stage::PositionOpen);
}

fn late_exit(kind: EventKind, cum: f64) -> InputRecord {
    event(kind, "T1-X1", "late", e8(cum), 110.0, 0.0, T0 + 12)
}

#[test]
fn position_open_late_exit_partial_fill_with_position_left_stays_position_open() {
    let mut k = K::new(1);
    exit_ended(&mut k, e8(0.01));
    let o = k.apply(late_exit(EventKind::PartialFill, 0.004));
    expect_row(&o, 0, Stage::PositionOpen, Trigger::PartialFill, "POSITION_LEFT", Stage::PositionOpen);
    assert_eq!((k.slot(0).size_e8, k.slot(0).exit_order.filled_e8), (e8(0.006), e8(0.004)));
}

#[test]
fn position_open_late_exit_partial_fill_with_position_zero_moves_to_closed() {
    let mut k = K::new(1);
    exit_ended(&mut k, e8(0.01));
    let o = k.apply(late_exit(EventKind::PartialFill, 0.01));
    expect_row(&o, 0, Stage::PositionOpen, Trigger::PartialFill, "POSITION_ZERO", Stage::Closed);
    assert_eq!((k.slot(0).is_open, k.account().trade_seq), (0, 1));
}

#[test]
fn position_open_late_exit_full_fill_with_position_left_stays_position_open() {
    let mut k = K::new(1);
    exit_ended(&mut k, e8(0.004));
    let o = k.apply(late_exit(EventKind::FullFill, 0.004));
    expect_row(&o, 0, Stage::PositionOpen, Trigger::FullFill, "POSITION_LEFT", Stage::PositionOpen);
    assert_eq!((k.slot(0).size_e8, k.slot(0).exit_order.status), (e8(0.006), OrderStatus::Filled.raw()));
}

#[test]
fn position_open_late_exit_full_fill_with_position_zero_moves_to_closed() {
    let mut k = K::new(1);
    exit_ended(&mut k, e8(0.01));
    let o = k.apply(late_exit(EventKind::FullFill, 0.01));
    expect_row(&o, 0, Stage::PositionOpen, Trigger::FullFill, "POSITION_ZERO", Stage::Closed);
    assert!((k.slot(0).realized_pnl - 0.1).abs() < 1e-12 && k.account().trade_seq == 1);
}

#[test]
fn position_open_late_exit_cancel_ack_with_position_left_stays_position_open() {
    let mut k = K::new(1);
    exit_ended(&mut k, e8(0.01));
    let o = k.apply(late_exit(EventKind::CancelAck, 0.004));
    expect_row(&o, 0, Stage::PositionOpen, Trigger::CancelAck, "POSITION_LEFT", Stage::PositionOpen);
    assert_eq!((k.slot(0).size_e8, k.slot(0).exit_order.status), (e8(0.006), OrderStatus::Cancelled.raw()));
}

#[test]
fn position_open_late_exit_cancel_ack_with_position_zero_moves_to_closed() {
    let mut k = K::new(1);
    exit_ended(&mut k, e8(0.01));
    let o = k.apply(late_exit(EventKind::CancelAck, 0.01));
    expect_row(&o, 0, Stage::PositionOpen, Trigger::CancelAck, "POSITION_ZERO", Stage::Closed);
    assert_eq!(k.account().trade_seq, 1);
}

/// Every combination of guard facts, for the coverage and overlap checks.
fn all_facts() -> Vec<GuardFacts> {
    let mut all = Vec::new();
    for has_position in [false, true] {
        for cancel_requested in [false, true] {
            for order_filled in [false, true] {
                for truth in TruthShape::ALL {
                    all.push(GuardFacts { has_position, cancel_requested, order_filled, truth });
                }
            }
        }
    }
    all
}

#[test]
fn table_rows_never_overlap_and_guards_cover_every_case() {
    let facts = all_facts();
    assert_eq!(facts.len(), 2 * 2 * 2 * 5);
    for r in TABLE {
        for f in &facts {
            // RECONCILE guards read the truth's shape; every other input comes without one.
            if (r.input == Trigger::Reconcile) != (f.truth != TruthShape::None) {
                continue;
            }
            let matching = TABLE.iter().filter(|x| x.from == r.from && x.input == r.input && x.guard.holds(f)).count();
            assert_eq!(matching, 1, "({:?}, {:?}) with {f:?} matches {matching} rows", r.from, r.input);
        }
    }
}

#[test]
fn precomputed_decisions_equal_evaluating_the_guards_for_every_facts_value() {
    let stages =
        [Stage::Idle, Stage::EntryWorking, Stage::PositionOpen, Stage::ExitWorking, Stage::Closed, Stage::Stale];
    for f in all_facts() {
        assert_eq!(GuardFacts::from_key(f.key()), Some(f), "key round trip of {f:?}");
        for stage in stages {
            for t in 1..=17u8 {
                let Some(input) = Trigger::from_raw(t) else { continue };
                let scan = TABLE.iter().position(|r| r.from == stage && r.input == input && r.guard.holds(&f));
                assert_eq!(
                    lookup(stage, input, &f).map(|(i, _)| i as usize),
                    scan,
                    "({stage:?}, {input:?}) with {f:?}"
                );
            }
        }
    }
}

#[test]
fn table_has_one_row_per_spec_row_and_names_in_spec_spelling() {
    assert_eq!(TABLE.len(), 59); // 46 rows of the spec and kernel/README, 7 FLATTEN rows, 6 late exit fill rows
    let text = std::str::from_utf8(crate::fsm::table::table_text()).unwrap().trim_end_matches('\0');
    assert_eq!(text.lines().count(), TABLE.len());
    assert!(text.contains("ENTRY_WORKING FULL_FILL ANY POSITION_OPEN FILL_ENTRY\n"));
    assert!(text.contains("EXIT_WORKING FULL_FILL POSITION_ZERO CLOSED SETTLE_ONCE\n"));
    assert!(text.contains("STALE_STATE_RECONCILING RECONCILE TRUTH_FLAT IDLE ADOPT_FLAT\n"));
    assert!(text.contains("POSITION_OPEN FULL_FILL POSITION_LEFT POSITION_OPEN LATE_EXIT_FILL\n"));
    assert!(text.contains("POSITION_OPEN FULL_FILL POSITION_ZERO CLOSED SETTLE_ONCE\n"));
    for line in text.lines() {
        assert_eq!(line.split(' ').count(), 5, "{line}");
    }
}

#[test]
fn no_row_leaves_stale_except_reconcile_and_no_row_enters_closed_except_settlement() {
    for r in TABLE {
        if r.from == Stage::Stale {
            assert_eq!(r.input, Trigger::Reconcile);
        }
        if r.to == Stage::Closed && r.from != Stage::Closed {
            assert_eq!(r.effect, crate::fsm::table::Effect::SettleOnce);
        }
    }
}
