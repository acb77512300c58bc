//! Slot and order helpers, and the bounded per-slot memory (seen events, finished orders).
//!
//! Job: everything about one slot that is not a transition: fixed-width string fields, the
//! working order of a stage, position arithmetic (`apply_fill`, `recompute_pnl`), deterministic
//! client order ids, the seen-event ring (idempotency) and the finished-order ring (late events:
//! each order's id hashes and final filled size).
//!
//! Invariants:
//! - a slot holds at most one working order, and only in ENTRY_WORKING (entry order) or
//!   EXIT_WORKING (exit order) — or in STALE_STATE_RECONCILING, where the venue decides;
//! - `fees == fees_closed_orders + fees of orders not yet finished`;
//! - in EXIT_WORKING, `size_e8 + exit_order.filled_e8` is the position when the leg started;
//! - `realized_pnl == realized_closed_legs + PnL of the working exit leg`;
//! - the rings are bounded (32 events, 8 orders) and overwrite their oldest entry.
//!
//! Entry points: `SlotMemory`, `content`, `order`, `order_mut`, `working_role`,
//! `apply_fill`, `finish_order`, `recompute_pnl`, `client_order_id`, `booked_exit_fills`, `assert_slot`.

use crate::abi::*;
use crate::hash::{id_hash, same_words};

/// `SlotMemory::finished_filled` of an order whose final filled size is not known (restored from
/// a format-1 snapshot): late fills for it are STALE_EVENTs, as before format 2.
pub const FILLED_UNKNOWN: i64 = -1;

/// The bounded idempotency and late-event memory of one slot (not part of the slot image,
/// but part of the state hash).
#[derive(Clone)]
pub struct SlotMemory {
    pub seen_hash: [u64; SEEN_EVENTS_PER_SLOT],
    /// The low halves of `seen_hash` (derived, not hashed into the state): the duplicate check
    /// scans these 128 bytes with native 32-bit vector compares before comparing hashes.
    seen_lo: [u32; SEEN_EVENTS_PER_SLOT],
    pub seen_id: [[u8; 64]; SEEN_EVENTS_PER_SLOT],
    pub seen_len: u32,
    pub seen_cursor: u32,
    /// Client and venue order id hashes of recently finished orders (entry `k` of both arrays is
    /// one order; 0 = none). Two arrays, not pairs, so scans over one kind of id vectorize.
    pub finished_client: [u64; FINISHED_ORDERS_PER_SLOT],
    pub finished_venue: [u64; FINISHED_ORDERS_PER_SLOT],
    /// The final filled size (`filled_e8` when it ended) of finished order `k`, so a late fill
    /// beyond it is an OVERFILL even after the order left the slot; `FILLED_UNKNOWN` for an order
    /// restored from a format-1 snapshot (no late-fill check), 0 past the ring's length.
    pub finished_filled: [i64; FINISHED_ORDERS_PER_SLOT],
    pub finished_len: u32,
    pub finished_cursor: u32,
}

impl SlotMemory {
    pub const fn new() -> Self {
        SlotMemory {
            seen_hash: [0; SEEN_EVENTS_PER_SLOT],
            seen_lo: [0; SEEN_EVENTS_PER_SLOT],
            seen_id: [[0; 64]; SEEN_EVENTS_PER_SLOT],
            seen_len: 0,
            seen_cursor: 0,
            finished_client: [0; FINISHED_ORDERS_PER_SLOT],
            finished_venue: [0; FINISHED_ORDERS_PER_SLOT],
            finished_filled: [0; FINISHED_ORDERS_PER_SLOT],
            finished_len: 0,
            finished_cursor: 0,
        }
    }

    /// True when this event id (whose hash is `h = id_hash(event_id)`) was seen recently: hash
    /// first, then the full 64 bytes.
    pub fn seen(&self, event_id: &[u8; 64], h: u64) -> bool {
        debug_assert_eq!(h, id_hash(event_id), "Invariant: seen() needs the event id's hash");
        let n = self.seen_len as usize;
        assert!(n <= SEEN_EVENTS_PER_SLOT, "Invariant: seen ring length bounded");
        // One branch-free pass over the hashes' low halves (unused entries are 0; an id whose
        // low half is 0 just takes the exact path); only a match pays for comparing hashes and ids.
        let lo = h as u32;
        let any = self.seen_lo.iter().fold(false, |acc, &x| acc | (x == lo));
        any && (0..n).any(|i| self.seen_hash[i] == h && same_words(&self.seen_id[i], event_id))
    }

    pub fn remember(&mut self, event_id: &[u8; 64], h: u64) {
        let at = self.seen_cursor as usize;
        assert!(at < SEEN_EVENTS_PER_SLOT, "Invariant: seen cursor in range");
        debug_assert_eq!(h, id_hash(event_id), "Invariant: remember() needs the event id's hash");
        self.seen_hash[at] = h;
        self.seen_lo[at] = h as u32;
        self.seen_id[at] = *event_id;
        self.seen_cursor = ((at + 1) % SEEN_EVENTS_PER_SLOT) as u32;
        self.seen_len = (self.seen_len + 1).min(SEEN_EVENTS_PER_SLOT as u32);
    }

    /// Remembers a finished order and its final filled size, so late events for it are recognised
    /// as stale (or, beyond that size, as an overfill). An order already remembered (it ended
    /// again after a RECONCILE re-opened it) gets its new final size — found by its client id
    /// when it has one, since that RECONCILE may have taught it the venue id it ended without.
    pub fn remember_finished(&mut self, order: &OrderImage) {
        let (c, v) = (id_hash(&order.client_order_id), id_hash(&order.venue_order_id));
        if (c, v) == (0, 0) {
            return;
        }
        let n = self.finished_len as usize;
        let same = |k: usize| if c != 0 { self.finished_client[k] == c } else { self.finished_venue[k] == v };
        if let Some(k) = (0..n).find(|&k| same(k)) {
            self.finished_venue[k] = v;
            self.finished_filled[k] = order.filled_e8;
            return;
        }
        let at = self.finished_cursor as usize;
        assert!(at < FINISHED_ORDERS_PER_SLOT, "Invariant: finished cursor in range");
        self.finished_client[at] = c;
        self.finished_venue[at] = v;
        self.finished_filled[at] = order.filled_e8;
        self.finished_cursor = ((at + 1) % FINISHED_ORDERS_PER_SLOT) as u32;
        self.finished_len = (self.finished_len + 1).min(FINISHED_ORDERS_PER_SLOT as u32);
    }

    /// True when an order with this client id (or, failing that, venue id) finished recently.
    pub fn finished_recently(&self, client_order_id: &[u8], venue_order_id: &[u8]) -> bool {
        self.finished_order(client_order_id, venue_order_id).is_some()
    }

    /// The final filled size of the recently finished order with this client id (else venue id):
    /// `Some(FILLED_UNKNOWN)` when it was restored without one, `None` when no such order.
    pub fn finished_order(&self, client_order_id: &[u8], venue_order_id: &[u8]) -> Option<i64> {
        let (c, v) = (id_hash(client_order_id), id_hash(venue_order_id));
        let n = self.finished_len as usize;
        let by_client = (0..n).find(|&i| c != 0 && self.finished_client[i] == c);
        let k = by_client.or_else(|| (0..n).find(|&i| v != 0 && self.finished_venue[i] == v))?;
        Some(self.finished_filled[k])
    }

    /// True when `"<trade_id>-E"` is a recently finished client order id of this slot.
    pub fn finished_client_hash(&self, hash: u64) -> bool {
        // Branch-free over the whole array (unused entries are 0, and `hash` is not).
        hash != 0 && self.finished_client.iter().fold(false, |acc, &c| acc | (c == hash))
    }
}

/// The content of a fixed-width string field: the bytes before the first NUL.
pub fn content(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    &field[..end]
}

/// Two id fields match when both are non-empty and have the same content.
pub fn same_id(a: &[u8], b: &[u8]) -> bool {
    // Every id the kernel compares is cleanly NUL-padded (validated on input, copied or built
    // whole, checked in restored images), so equal content means equal fixed-width fields:
    // one word-wise compare instead of two NUL scans per comparison.
    debug_assert!(content(a).len() == a.len() || a[content(a).len()..].iter().all(|&x| x == 0));
    debug_assert!(content(b).len() == b.len() || b[content(b).len()..].iter().all(|&x| x == 0));
    a[0] != 0 && same_words(a, b)
}

/// `"<trade_id>-E"` for the entry order, `"<trade_id>-X<leg>"` for exit leg `leg`.
pub fn client_order_id(trade_id: &[u8; 32], role: OrderRole, leg: u16) -> [u8; 40] {
    let tid = content(trade_id);
    let mut out = [0u8; 40];
    out[..tid.len()].copy_from_slice(tid);
    let mut n = tid.len();
    let mut push = |b: u8| {
        out[n] = b;
        n += 1;
    };
    push(b'-');
    match role {
        OrderRole::Entry => push(b'E'),
        OrderRole::Exit => {
            push(b'X');
            let mut unit = 10_000;
            while unit > 1 && leg < unit {
                unit /= 10;
            }
            while unit > 0 {
                push(b'0' + (leg / unit % 10) as u8);
                unit /= 10;
            }
        }
    }
    assert!(n <= 39, "Invariant: client order id fits 40 bytes");
    out
}

pub fn stage_of(slot: &SlotImage) -> Stage {
    Stage::from_raw(slot.stage).expect("Invariant: slot stage is a valid Stage")
}

pub fn side_of(slot: &SlotImage) -> Option<Side> {
    Side::from_raw(slot.side)
}

pub fn status_of(order: &OrderImage) -> Option<OrderStatus> {
    if order.present == 0 {
        return None;
    }
    Some(OrderStatus::from_raw(order.status).expect("Invariant: present order has a valid status"))
}

/// True when the order exists and has not finished.
pub fn is_working(order: &OrderImage) -> bool {
    status_of(order).is_some_and(|s| !s.is_terminal())
}

pub fn order(slot: &SlotImage, role: OrderRole) -> &OrderImage {
    match role {
        OrderRole::Entry => &slot.entry_order,
        OrderRole::Exit => &slot.exit_order,
    }
}

pub fn order_mut(slot: &mut SlotImage, role: OrderRole) -> &mut OrderImage {
    match role {
        OrderRole::Entry => &mut slot.entry_order,
        OrderRole::Exit => &mut slot.exit_order,
    }
}

/// The role of the order a working stage is waiting on.
pub fn working_role(stage: Stage) -> Option<OrderRole> {
    match stage {
        Stage::EntryWorking => Some(OrderRole::Entry),
        Stage::ExitWorking => Some(OrderRole::Exit),
        _ => None,
    }
}

/// Base units of a quantity in 1e-8 units.
pub fn units(qty_e8: i64) -> f64 {
    qty_e8 as f64 / QTY_SCALE_E8 as f64
}

fn dir(slot: &SlotImage) -> f64 {
    side_of(slot).map_or(0.0, Side::dir)
}

/// PnL of closing `qty_e8` at `price` against the slot's average entry price.
pub fn leg_pnl(slot: &SlotImage, qty_e8: i64, price: f64) -> f64 {
    if qty_e8 == 0 {
        return 0.0;
    }
    units(qty_e8) * (price - slot.entry_price) * dir(slot)
}

/// Recomputes the derived money fields: fees, realized (closed legs + working exit leg) and
/// unrealized PnL (from the last mark; 0 without a mark or a position).
pub fn recompute_pnl(slot: &mut SlotImage) {
    let (entry, exit) = (&slot.entry_order, &slot.exit_order);
    let (entry_working, exit_working) = (is_working(entry), is_working(exit));
    let mut fees = slot.fees_closed_orders;
    // Same order of additions as always (entry, then exit), so the float sum is unchanged.
    if entry_working {
        fees += entry.fee;
    }
    if exit_working {
        fees += exit.fee;
    }
    let working_leg = if exit_working { leg_pnl(slot, exit.filled_e8, exit.avg_fill_price) } else { 0.0 };
    slot.fees = fees;
    slot.realized_pnl = slot.realized_closed_legs + working_leg;
    recompute_unrealized(slot);
    assert!(slot.fees.is_finite() && slot.realized_pnl.is_finite(), "Invariant: money stays finite");
}

/// The part of `recompute_pnl` a new mark price moves: unrealized PnL of the open position.
/// (Fees and realized PnL do not depend on the mark, so a mark recomputes only this.)
pub fn recompute_unrealized(slot: &mut SlotImage) {
    slot.unrealized_pnl = if slot.size_e8 > 0 && slot.mark_price > 0.0 {
        units(slot.size_e8) * (slot.mark_price - slot.entry_price) * dir(slot)
    } else {
        0.0
    };
}

/// Applies a cumulative fill (the venue's truth) to the order of `role` when it is not older
/// than what the order already has: `filled_e8`, `avg_fill_price`, `fee`, and the position.
pub fn apply_fill(slot: &mut SlotImage, role: OrderRole, qty_e8: i64, price: f64, fee: f64) {
    let before = order(slot, role).filled_e8;
    if qty_e8 < before || qty_e8 == 0 {
        return;
    }
    assert!(qty_e8 <= order(slot, role).intended_e8, "Invariant: overfills are caught before filling");
    let o = order_mut(slot, role);
    o.filled_e8 = qty_e8;
    o.avg_fill_price = price;
    o.fee = fee;
    match role {
        OrderRole::Entry => {
            slot.size_e8 = qty_e8;
            slot.entry_price = price;
        }
        OrderRole::Exit => {
            let leg_start = slot.size_e8 + before;
            assert!(qty_e8 <= leg_start, "Invariant: an exit never closes more than the position");
            slot.size_e8 = leg_start - qty_e8;
        }
    }
    recompute_pnl(slot);
}

/// Ends the order of `role` with a terminal status: its fee moves into `fees_closed_orders`,
/// an exit leg's PnL into `realized_closed_legs`, and its ids into the finished ring.
pub fn finish_order(slot: &mut SlotImage, mem: &mut SlotMemory, role: OrderRole, status: OrderStatus) {
    assert!(status.is_terminal(), "Invariant: finish_order needs a terminal status");
    assert!(is_working(order(slot, role)), "Invariant: only a working order finishes");
    let o = order(slot, role);
    mem.remember_finished(o);
    let (filled, avg, fee) = (o.filled_e8, o.avg_fill_price, o.fee);
    if role == OrderRole::Exit {
        slot.realized_closed_legs += leg_pnl(slot, filled, avg);
    }
    slot.fees_closed_orders += fee;
    let o = order_mut(slot, role);
    o.status = status.raw();
    o.hung = 0;
    recompute_pnl(slot);
}

/// The status a working order returns to when a cancel request is refused.
pub fn status_without_cancel(o: &OrderImage) -> OrderStatus {
    if o.filled_e8 > 0 {
        OrderStatus::PartiallyFilled
    } else if !content(&o.venue_order_id).is_empty() {
        OrderStatus::Acked
    } else {
        OrderStatus::PendingSubmit
    }
}

/// What the current trade's exit legs filled as the kernel booked them: the slot's exit order (leg
/// n) and, found in the finished-order ring by their client order ids `"<trade_id>-X<k>"`, legs
/// 1..n-1. `None` when there is no exit order or one of those legs is not there (it left the ring,
/// or a RECONCILE adopted it under another id) or its final size is unknown (format-1 snapshot).
pub fn booked_exit_fills(slot: &SlotImage, mem: &SlotMemory) -> Option<i64> {
    let last = slot.exit_order.leg();
    // Legs 1..n-1 and the entry must all still be in the ring (bounds the loop too).
    if slot.exit_order.present == 0 || last as usize > FINISHED_ORDERS_PER_SLOT {
        return None;
    }
    let mut exited_e8 = slot.exit_order.filled_e8;
    for leg in 1..last {
        let cid = client_order_id(&slot.trade_id, OrderRole::Exit, leg);
        let filled_e8 = mem.finished_order(&cid, &[0; 32])?;
        if filled_e8 == FILLED_UNKNOWN {
            return None;
        }
        exited_e8 += filled_e8;
    }
    assert!(exited_e8 >= 0, "Invariant: booked fills are never negative");
    Some(exited_e8)
}

/// Checks the slot invariants after every change (a failure is a kernel bug).
pub fn assert_slot(slot: &SlotImage, slot_id: u32) {
    assert!(slot.slot_id == slot_id, "Invariant: slot image carries its own index");
    let stage = stage_of(slot);
    assert!((0..=QTY_MAX_E8).contains(&slot.size_e8), "Invariant: position size within 0..=QTY_MAX_E8");
    // Each order's status is decoded once (this runs after every slot change).
    let (entry, exit) = (is_working(&slot.entry_order), is_working(&slot.exit_order));
    match stage {
        Stage::EntryWorking => {
            assert!(entry, "Invariant: ENTRY_WORKING has a working entry order");
            assert!(slot.size_e8 == slot.entry_order.filled_e8, "Invariant: entry position equals entry fills");
        }
        Stage::ExitWorking => assert!(exit, "Invariant: EXIT_WORKING has a working exit order"),
        Stage::PositionOpen => assert!(slot.size_e8 > 0, "Invariant: POSITION_OPEN holds a position"),
        Stage::Idle | Stage::Closed => assert!(slot.size_e8 == 0, "Invariant: an idle slot holds no position"),
        Stage::Stale => {}
    }
    if stage != Stage::Stale {
        let working = entry as u8 + exit as u8;
        assert!(working == working_role(stage).is_some() as u8, "Invariant: one working order per working stage");
    }
}
