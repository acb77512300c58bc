//! The edges of booking a late fill of the slot's own ended exit order (decision 38;
//! `fsm/events.rs` `late_exit_bookable`, `fsm/effects.rs` `late_exit_fill`, `slot.rs`
//! `booked_exit_fills`): the ids that name the order (its venue order id as well as its client
//! order id; an exit or entry adopted under another client id is not the trade's own), what the
//! order learns from the fill, a slot that works its entry again, a fill past a partial exit's
//! size, and how many exit legs the finished-order ring can vouch for (8: a ninth leg's late fill
//! is an OVERFILL even when a snapshot's ring names every earlier leg).

use super::boundary::{resealed, restore_snapshot, take};
use super::*;
use crate::hash::id_hash;
use crate::snapshot::{read_memory, Rd};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn venue_id(s: &SlotImage) -> String {
    String::from_utf8(crate::slot::content(&s.exit_order.venue_order_id).to_vec()).expect("ids are UTF-8")
}

/// LONG 1.0 @100 (trade T1); exit T1-X1 1.0 acked as `VT1-X1`; MARK_STALE, then a RECONCILE whose
/// truth (the position, no open order) ends it CANCELLED.
fn acked_exit_ended_by_reconcile(k: &mut K) {
    open_position(k, 0, "T1", e8(1.0), 100.0);
    assert!(k.apply(exit(0, e8(1.0), T0 + 10)).ok());
    assert!(k.apply(ack("T1-X1", "x1-ack", T0 + 11)).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 12)).ok());
    assert!(k.apply(reconcile(0, held(1.0), T0 + 13)).ok());
    assert_eq!((k.stage(0), k.slot(0).exit_order.status), (Stage::PositionOpen, OrderStatus::Cancelled.raw()));
}

/// The venue's truth: a LONG of `qty` at 100, no open order.
fn held(qty: f64) -> Truth<'static> {
    Truth { side: Side::Long.raw(), qty_e8: e8(qty), price: 100.0, order: None }
}

/// A late fill event of T1-X1 carrying `venue` as its venue order id ("" for none).
fn late_x1(kind: EventKind, client: &str, venue: &str, cum: f64, event_id: &str) -> InputRecord {
    InputRecord { venue_order_id: text(venue), ..event(kind, client, event_id, e8(cum), 110.0, 0.2, T0 + 20) }
}

fn assert_overfill(o: &Outcome, k: &K, size: f64) {
    assert_eq!(o.codes(), vec![DiagCode::Overfill], "{:?}", o.messages());
    assert_eq!((k.stage(0), k.slot(0).size_e8, k.account().trade_seq), (Stage::Stale, e8(size), 0));
}

#[test]
fn a_late_fill_under_the_exits_own_venue_order_id_is_booked_and_keeps_that_id() {
    // Under both of its ids: a part fill that carries no venue id leaves the acked one in place.
    let mut k = K::new(1);
    acked_exit_ended_by_reconcile(&mut k);
    let o = k.apply(late_x1(EventKind::PartialFill, "T1-X1", "", 0.4, "x1-part"));
    assert!(o.codes().is_empty(), "{:?}", o.messages());
    assert_eq!((k.slot(0).size_e8, venue_id(&k.slot(0))), (e8(0.6), "VT1-X1".to_string()));
    let o = k.apply(late_x1(EventKind::FullFill, "T1-X1", "VT1-X1", 1.0, "x1-fill"));
    assert_eq!(o.only_transition().to, Stage::Closed.raw(), "{:?}", o.messages());
    assert_eq!(venue_id(&k.slot(0)), "VT1-X1");
    // Named by its venue order id only (routing falls back to it).
    let mut k = K::new(1);
    acked_exit_ended_by_reconcile(&mut k);
    let o = k.apply(late_x1(EventKind::FullFill, "", "VT1-X1", 1.0, "x1-by-venue"));
    assert_eq!(o.only_transition().to, Stage::Closed.raw(), "{:?}", o.messages());
    assert!(close(k.account().capital, 10_009.3), "1.0 @100 → @110, fees 0.5 + 0.2: {}", k.account().capital);
}

#[test]
fn an_exit_rejected_before_its_ack_learns_its_venue_order_id_from_the_late_fill() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(1.0), 100.0);
    assert!(k.apply(exit(0, e8(1.0), T0 + 10)).ok());
    assert!(k.apply(reject("T1-X1", "x1-rej", RejectReason::Venue, T0 + 11)).ok());
    assert_eq!((k.stage(0), venue_id(&k.slot(0))), (Stage::PositionOpen, String::new()));
    let o = k.apply(late_x1(EventKind::FullFill, "T1-X1", "VT1-X1", 1.0, "x1-fill"));
    assert_eq!(o.only_transition().to, Stage::Closed.raw(), "{:?}", o.messages());
    assert_eq!(venue_id(&k.slot(0)), "VT1-X1");
    // A copy naming only that venue id is recognised as the order's: a stale event, not unknown.
    let copy = k.apply(late_x1(EventKind::FullFill, "", "VT1-X1", 1.0, "x1-fill-copy"));
    assert_eq!(copy.codes(), vec![DiagCode::StaleEvent], "{:?}", copy.messages());
}

#[test]
fn a_late_fill_of_an_exit_adopted_under_another_client_order_id_stays_an_overfill() {
    // A RECONCILE adopted an exit placed at the venue by hand: it is not "T1-X<leg>".
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(1.0), 100.0);
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 10)).ok());
    let by_hand = Truth { order: Some((OrderRole::Exit, "HAND-1", e8(1.0), 0, 0.0)), ..held(1.0) };
    assert!(k.apply(reconcile(0, by_hand, T0 + 11)).ok());
    assert!(k.apply(event(EventKind::CancelAck, "HAND-1", "h-cancel", 0, 0.0, 0.0, T0 + 12)).ok());
    assert_eq!((k.stage(0), k.slot(0).exit_order.leg()), (Stage::PositionOpen, 1));
    let o = k.apply(late_x1(EventKind::FullFill, "HAND-1", "", 1.0, "h-fill"));
    assert_overfill(&o, &k, 1.0);
}

#[test]
fn a_late_fill_of_the_trades_exit_stays_an_overfill_when_its_entry_was_adopted_under_another_id() {
    // The position came from an entry a RECONCILE adopted as "HAND-E": the trade's booked fills
    // are not all its own orders', so its exit's late fill is not booked.
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(1.0), 100.0);
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 10)).ok());
    let by_hand = Truth { order: Some((OrderRole::Entry, "HAND-E", e8(2.0), e8(1.0), 100.0)), ..held(1.0) };
    assert!(k.apply(reconcile(0, by_hand, T0 + 11)).ok());
    assert!(k.apply(event(EventKind::CancelAck, "HAND-E", "h-cancel", e8(1.0), 100.0, 0.0, T0 + 12)).ok());
    assert!(k.apply(exit(0, e8(1.0), T0 + 13)).ok());
    assert!(k.apply(reject("T1-X1", "x1-rej", RejectReason::Venue, T0 + 14)).ok());
    assert_eq!(k.stage(0), Stage::PositionOpen);
    let o = k.apply(late_x1(EventKind::FullFill, "T1-X1", "", 1.0, "x1-fill"));
    assert_overfill(&o, &k, 1.0);
}

#[test]
fn a_late_exit_fill_while_a_reconcile_has_the_entry_working_again_stays_an_overfill() {
    // The venue lists the trade's entry as still open (part filled): ENTRY_WORKING, not
    // POSITION_OPEN, so something else works the slot and the ended exit's fill is not booked.
    let mut k = K::new(1);
    acked_exit_ended_by_reconcile(&mut k);
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 14)).ok());
    let entry_open = Truth { order: Some((OrderRole::Entry, "T1-E", e8(2.0), e8(1.0), 100.0)), ..held(1.0) };
    assert!(k.apply(reconcile(0, entry_open, T0 + 15)).ok());
    let s = k.slot(0);
    assert_eq!((k.stage(0), s.is_open, s.exit_order.status), (Stage::EntryWorking, 1, OrderStatus::Cancelled.raw()));
    let o = k.apply(late_x1(EventKind::PartialFill, "T1-X1", "", 0.4, "x1-part"));
    assert_eq!(o.status, STATUS_OK, "{:?}", o.messages());
    assert_overfill(&o, &k, 1.0);
}

#[test]
fn a_late_fill_past_a_partial_exits_size_stays_an_overfill_though_the_position_could_take_it() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(1.0), 100.0);
    assert!(k.apply(exit(0, e8(0.4), T0 + 10)).ok());
    assert!(k.apply(reject("T1-X1", "x1-rej", RejectReason::Venue, T0 + 11)).ok());
    let o = k.apply(late_x1(EventKind::PartialFill, "T1-X1", "", 0.5, "x1-over"));
    assert_eq!(o.status, STATUS_OK, "{:?}", o.messages());
    assert_overfill(&o, &k, 1.0);
}

/// LONG 1.0 @100 (trade T1, entry fee 0.5), then exit legs 1..=`n` of 0.1 each, filled at 100 + leg.
fn filled_legs(k: &mut K, n: u16) {
    open_position(k, 0, "T1", e8(1.0), 100.0);
    for leg in 1..=n {
        let now = T0 + 10 * leg as u64;
        assert!(k.apply(exit(0, e8(0.1), now)).ok());
        let cid = format!("T1-X{leg}");
        let fill = event(EventKind::FullFill, &cid, &format!("x{leg}-fill"), e8(0.1), 100.0 + leg as f64, 0.0, now + 1);
        assert!(k.apply(fill).ok(), "leg {leg}");
    }
}

/// The next leg (`n + 1`) takes the rest, is acked, taken as absent and ended by a RECONCILE.
fn last_leg_ended_by_reconcile(k: &mut K, n: u16) -> String {
    let (leg, rest) = (n + 1, 1.0 - 0.1 * n as f64);
    let cid = format!("T1-X{leg}");
    assert!(k.apply(exit(0, e8(rest), T0 + 500)).ok());
    assert!(k.apply(ack(&cid, "last-ack", T0 + 501)).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 502)).ok());
    assert!(k.apply(reconcile(0, held(rest), T0 + 503)).ok());
    assert_eq!((k.stage(0), k.slot(0).exit_order.leg()), (Stage::PositionOpen, leg));
    cid
}

#[test]
fn a_late_fill_of_the_eighth_exit_leg_is_booked_from_the_seven_legs_the_ring_still_holds() {
    // The finished-order ring holds 8 orders: legs 1..=7 and the ended 8th (the entry left it).
    let mut k = K::new(1);
    filled_legs(&mut k, 7);
    let cid = last_leg_ended_by_reconcile(&mut k, 7);
    let o = k.apply(event(EventKind::FullFill, &cid, "x8-fill", e8(0.3), 110.0, 0.0, T0 + 600));
    assert_eq!(o.only_transition().to, Stage::Closed.raw(), "{:?}", o.messages());
    // 0.1 × (1 + … + 7) + 0.3 × 10 realized; capital less the entry fee 0.5.
    let (s, a) = (k.slot(0), k.account());
    assert!(close(s.realized_pnl, 5.8) && close(a.capital, 10_005.3), "realized {}", s.realized_pnl);
    assert_eq!(a.trade_seq, 1);
}

#[test]
fn a_ninth_exit_legs_late_fill_stays_an_overfill_even_when_a_snapshots_ring_names_every_earlier_leg() {
    // Through inputs, leg 1 has left the ring by the time the 9th leg ended; a snapshot whose ring
    // names legs 1..=8 (no kernel writes one) restores, yet the kernel vouches for 8 legs at most.
    let mut k = K::new(1);
    filled_legs(&mut k, 8);
    let cid = last_leg_ended_by_reconcile(&mut k, 8);
    let late = event(EventKind::FullFill, &cid, "x9-fill", e8(0.2), 110.0, 0.0, T0 + 600);
    let mut bytes = take(&k);
    assert_overfill(&k.apply(late), &k, 0.2);
    let memory = read_memory(&Rd(&bytes), 1, 0);
    let [x1, x9] = [1, 9].map(|leg| id_hash(&crate::slot::client_order_id(&text("T1"), OrderRole::Exit, leg)));
    assert!(!memory.finished_client.contains(&x1), "leg 1 left the ring");
    let at = memory.finished_client.iter().position(|&c| c == x9).expect("the 9th leg is in the ring");
    let ring = bytes.windows(8).position(|w| w == x9.to_le_bytes()).expect("the ring is in the snapshot") - 8 * at;
    let n = FINISHED_ORDERS_PER_SLOT;
    bytes[ring + 8 * at..][..8].copy_from_slice(&x1.to_le_bytes());
    bytes[ring + 8 * n + 8 * at..][..8].copy_from_slice(&0u64.to_le_bytes());
    bytes[ring + 16 * n + 8 + 8 * at..][..8].copy_from_slice(&e8(0.1).to_le_bytes());
    let mut forged = K::new(1);
    let o = restore_snapshot(&mut forged, &resealed(bytes, 1));
    assert_eq!(o.status, STATUS_OK, "{:?}", o.messages());
    assert!((1..=8).all(|leg| forged.kernel().memory[0]
        .finished_order(&crate::slot::client_order_id(&text("T1"), OrderRole::Exit, leg), &[0; 32])
        == Some(e8(0.1))));
    assert_overfill(&forged.apply(late), &forged, 0.2);
}
