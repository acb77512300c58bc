//! A slot's bounded memory (`slot::SlotMemory`): the seen-event ring decides duplicates by the
//! whole event id (hashes only pre-filter, `hash.rs`), and the finished-order ring remembers every
//! order that ended, with its final filled size, so late events for it are STALE_EVENTs and late
//! fills beyond that size OVERFILLs.

use super::*;
use crate::hash::{id_hash, Fnv, FNV_OFFSET};

/// A 16-byte id whose `id_hash` equals that of `target` (content of at most 8 bytes, so one
/// word): after its first word the hash state is `s`, so a second word `s ^ FNV_OFFSET ^ target`
/// leads to the very state `target` reaches. Only ids without NUL bytes qualify.
pub(super) fn colliding_id(target: &str) -> String {
    assert!(target.len() <= 8 && !target.is_empty());
    let word = u64::from_le_bytes(text::<8>(target));
    for n in 0..1000u64 {
        let first = format!("c{n:07}");
        let mut state = Fnv::new();
        state.write(first.as_bytes());
        let second = (state.finish() ^ FNV_OFFSET ^ word).to_le_bytes();
        if second.iter().all(|&b| b != 0) {
            let mut id = first.into_bytes();
            id.extend_from_slice(&second);
            // Opaque ids are any non-NUL bytes; a String needs UTF-8, so keep only those.
            if let Ok(id) = String::from_utf8(id) {
                assert_eq!(id_hash(&text::<64>(&id)), id_hash(&text::<64>(target)), "collides with {target}");
                return id;
            }
        }
    }
    panic!("no UTF-8 id colliding with {target} among 1000 tries")
}

#[test]
fn an_event_whose_id_hashes_like_a_remembered_one_is_applied_and_each_is_a_duplicate_once_seen() {
    let mut k = K::new(1);
    assert!(k.apply(seed(10_000.0, 0, T0)).ok());
    assert!(k.apply(enter(0, "T1", Side::Long, e8(1.0), T0 + 1)).ok());
    let twin = colliding_id("ev-a");
    assert!(k.apply(ack("T1-E", "ev-a", T0 + 2)).ok());
    // A different event whose id has the same hash: not a duplicate, its fill applies.
    let fill = k.apply(event(EventKind::PartialFill, "T1-E", &twin, e8(0.4), 100.0, 0.1, T0 + 3));
    assert!(fill.ok() && fill.diags.is_empty(), "{:?}", fill.messages());
    assert_eq!(k.slot(0).size_e8, e8(0.4));
    // Both are remembered, each under its own id.
    for (id, what) in [("ev-a", "the first"), (twin.as_str(), "its twin")] {
        let again = k.apply(ack("T1-E", id, T0 + 4));
        assert_eq!(again.codes(), vec![DiagCode::DuplicateEvent], "{what}: {:?}", again.messages());
    }
}

#[test]
fn a_late_fill_beyond_a_departed_orders_final_size_of_one_unit_is_an_overfill() {
    // The smallest quantity (1e-8) is a final size like any other, not "unknown".
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", 3, 100.0);
    assert!(k.apply(exit(0, 2, T0 + 10)).ok());
    let partial = event(EventKind::PartialFill, "T1-X1", "x1-part", 1, 110.0, 0.0, T0 + 11);
    assert!(k.apply(partial).ok());
    assert!(k.apply(event(EventKind::CancelAck, "T1-X1", "x1-cancel", 1, 110.0, 0.0, T0 + 12)).ok());
    assert!(k.apply(exit(0, 2, T0 + 13)).ok(), "T1-X2 replaces T1-X1 in the slot");
    let late = k.apply(event(EventKind::PartialFill, "T1-X1", "x1-late", 2, 110.0, 0.0, T0 + 14));
    assert_eq!(late.codes(), vec![DiagCode::Overfill], "{:?}", late.messages());
    assert_eq!(k.stage(0), Stage::Stale);
}

#[test]
fn every_exit_order_that_ended_before_the_venue_named_it_is_remembered_as_finished() {
    // Cancelled before any ack, T1-X1 and T1-X2 have no venue order id: two orders all the same.
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(1.0), 100.0);
    for (leg, at) in [(1, T0 + 10), (2, T0 + 20)] {
        assert!(k.apply(exit(0, e8(0.5), at)).ok());
        let cancelled = event(EventKind::CancelAck, &format!("T1-X{leg}"), &format!("x{leg}-c"), 0, 0.0, 0.0, at + 1);
        assert!(k.apply(cancelled).ok());
    }
    assert!(k.apply(exit(0, e8(0.5), T0 + 30)).ok(), "T1-X3 replaces T1-X2 in the slot");
    for leg in [1, 2] {
        let late = event(EventKind::CancelAck, &format!("T1-X{leg}"), &format!("x{leg}-late"), 0, 0.0, 0.0, T0 + 31);
        let o = k.apply(late);
        assert_eq!(o.codes(), vec![DiagCode::StaleEvent], "T1-X{leg}: {:?}", o.messages());
    }
    assert_eq!(k.stage(0), Stage::ExitWorking);
    // An order no slot has is still unknown: no venue id is not a venue id that matches.
    let unknown = k.apply(event(EventKind::CancelAck, "T9-E", "t9", 0, 0.0, 0.0, T0 + 32));
    assert_eq!(unknown.codes(), vec![DiagCode::UnknownOrder], "{:?}", unknown.messages());
}

/// A venue event naming its order by venue order id only.
fn by_venue_id(kind: EventKind, venue_id: &str, event_id: &str, now_ms: u64) -> InputRecord {
    InputRecord { venue_order_id: text(venue_id), ..event(kind, "", event_id, 0, 0.0, 0.0, now_ms) }
}

#[test]
fn exit_orders_the_venue_names_only_by_venue_id_are_each_remembered_as_finished() {
    // Two RECONCILEs each adopt an open exit order the venue knows by venue id only; each is
    // cancelled, then a third leg replaces the second in the slot.
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(1.0), 100.0);
    for (n, venue_id) in [(0, "V-1"), (1, "V-2")] {
        let at = T0 + 10 + 10 * n;
        assert!(k.apply(mark_stale(0, StaleReason::Restart, at)).ok());
        let open = Some((OrderRole::Exit, "", e8(0.5), 0, 0.0));
        let truth = InputRecord {
            venue_order_id: text(venue_id),
            ..reconcile(0, Truth { side: Side::Long.raw(), qty_e8: e8(1.0), price: 100.0, order: open }, at + 1)
        };
        assert!(k.apply(truth).ok());
        assert!(k.apply(by_venue_id(EventKind::CancelAck, venue_id, &format!("{venue_id}-c"), at + 2)).ok());
        assert_eq!(k.stage(0), Stage::PositionOpen);
    }
    assert!(k.apply(exit(0, e8(0.5), T0 + 40)).ok(), "T1-X3 replaces V-2 in the slot");
    for venue_id in ["V-1", "V-2"] {
        let o = k.apply(by_venue_id(EventKind::CancelAck, venue_id, &format!("{venue_id}-late"), T0 + 41));
        assert_eq!(o.codes(), vec![DiagCode::StaleEvent], "{venue_id}: {:?}", o.messages());
    }
}
