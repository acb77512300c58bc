//! VENUE_EVENT: routing a normalized venue event to its slot and order, then through the table.
//!
//! Job, in order:
//! 1. Route: by `client_order_id` (else `venue_order_id`) across all slots for `SLOT_ANY`, or
//!    within the given slot. No match: a recently finished order of that slot (or any slot for
//!    `SLOT_ANY`) gives STALE_EVENT, or OVERFILL (slot → STALE) when the event's cumulative fill
//!    is above the final filled size the ring kept for it (unknown after a format-1 snapshot:
//!    STALE_EVENT); otherwise `SLOT_ANY` gives UNKNOWN_ORDER (nothing changes)
//!    and an explicit slot gives FOREIGN_ORDER (slot → STALE_STATE_RECONCILING, UNKNOWN_ORDER).
//! 2. Gate: an event id the slot already saw → DUPLICATE_EVENT (no change); a slot in
//!    STALE_STATE_RECONCILING → STALE_STATE_RECONCILE (no change).
//! 3. Finished order: a cumulative fill beyond its final filled size is a late fill. One of the
//!    slot's own ended exit order that the kernel can book (`late_exit_bookable`, decision 38: the
//!    position it was for still held, the fill within the order and the position, the position
//!    what the trade's booked fills leave) is booked as the exit's through its table row
//!    (POSITION_OPEN, or CLOSED and settled once); any other → OVERFILL, slot → STALE. Anything
//!    else → STALE_EVENT.
//! 4. Working order: cumulative beyond the order's size → OVERFILL, slot → STALE; a fill event
//!    older than the order's cumulative → STALE_EVENT; otherwise the table row for the event.
//!
//! Invariants: the event id is remembered exactly when the event was accepted (it changed the
//! slot or was classified STALE_EVENT / OVERFILL / FOREIGN_ORDER); DUPLICATE_EVENT, UNKNOWN_ORDER
//! with `SLOT_ANY` and STALE_STATE_RECONCILE change nothing at all.
//!
//! Entry points: `Kernel::venue_event`.

use super::guards::facts_for_event;
use super::Kernel;
use crate::abi::*;
use crate::diagnostics::{diag, Diag, Qty, Step, Text};
use crate::hash::id_hash;
use crate::slot::{
    booked_exit_fills, client_order_id, is_working, order, same_id, stage_of, status_of, working_role, SlotMemory,
    FILLED_UNKNOWN,
};

/// Where an event goes.
enum Route {
    Order(u32, OrderRole),
    /// A recently finished order of the slot that no longer holds it, with its final filled size.
    Finished(u32, i64),
    Foreign(u32),
    Unknown,
}

/// The order of `slot` the event names: client order id first, else venue order id.
fn match_order(slot: &SlotImage, i: &InputRecord, by_client: bool) -> Option<OrderRole> {
    [OrderRole::Entry, OrderRole::Exit].into_iter().find(|&role| {
        let o = order(slot, role);
        o.present == 1
            && if by_client {
                same_id(&i.client_order_id, &o.client_order_id)
            } else {
                same_id(&i.venue_order_id, &o.venue_order_id)
            }
    })
}

/// How a message names the event's order: its client order id, else its venue order id.
fn order_name(i: &InputRecord) -> Text<'_> {
    if i.client_order_id[0] == 0 {
        Text(&i.venue_order_id)
    } else {
        Text(&i.client_order_id)
    }
}

/// Whether event `i`'s cumulative fill of slot `s`'s ended exit order, beyond what that order
/// booked, can be booked as the exit's (decision 38): the slot still holds the position the exit
/// was for (POSITION_OPEN: nothing else works it), the order is the trade's own (`"<trade_id>-X<leg>"`,
/// beside its entry `"<trade_id>-E"`) and ended with no final word on its size (CANCELLED, REJECTED;
/// a FULL_FILL named it), the event names no other order (routing falls back to the venue order
/// id: an event under another client id, or another venue id, contradicts the order), the fill
/// stays within the order and the position, and the position is what the trade's booked fills
/// leave (entry fill less every exit leg's): a RECONCILE that adopted another position may hold
/// this fill already, and it must not close it a second time.
fn late_exit_bookable(s: &SlotImage, mem: &SlotMemory, i: &InputRecord) -> bool {
    let (entry, x) = (&s.entry_order, &s.exit_order);
    let ended_short = matches!(status_of(x), Some(OrderStatus::Cancelled | OrderStatus::Rejected));
    if stage_of(s) != Stage::PositionOpen || s.is_open != 1 || !ended_short {
        return false;
    }
    let own = same_id(&x.client_order_id, &client_order_id(&s.trade_id, OrderRole::Exit, x.leg()))
        && same_id(&entry.client_order_id, &client_order_id(&s.trade_id, OrderRole::Entry, 0));
    let named = (i.client_order_id[0] == 0 || same_id(&i.client_order_id, &x.client_order_id))
        && (i.venue_order_id[0] == 0 || x.venue_order_id[0] == 0 || same_id(&i.venue_order_id, &x.venue_order_id));
    let more_e8 = i.qty_e8 - x.filled_e8;
    let fits = more_e8 > 0 && i.qty_e8 <= x.intended_e8 && more_e8 <= s.size_e8;
    own && named && fits && booked_exit_fills(s, mem).is_some_and(|exited| entry.filled_e8 - exited == s.size_e8)
}

impl Kernel {
    /// `client` is the id hash of the event's client order id (0 when it has none).
    fn route(&self, i: &InputRecord, client: u64) -> Route {
        let explicit = (i.slot_id != SLOT_ANY).then_some(i.slot_id);
        let candidates = match explicit {
            Some(id) => id..id + 1,
            None => 0..self.config.slot_count,
        };
        // By client order id: one hash compare per order (the index), the whole id on a match.
        debug_assert_eq!(client, id_hash(&i.client_order_id), "Invariant: route gets the client id's hash");
        if client != 0 {
            for id in candidates.clone() {
                let hashes = self.index.client_hash[id as usize];
                for (role, h) in [(OrderRole::Entry, hashes[0]), (OrderRole::Exit, hashes[1])] {
                    if h == client
                        && same_id(&i.client_order_id, &order(&self.slots[id as usize], role).client_order_id)
                    {
                        return Route::Order(id, role);
                    }
                }
            }
        }
        for id in candidates.clone() {
            if let Some(role) = match_order(&self.slots[id as usize], i, false) {
                return Route::Order(id, role);
            }
        }
        for id in candidates {
            if let Some(filled) = self.memory[id as usize].finished_order(&i.client_order_id, &i.venue_order_id) {
                return Route::Finished(id, filled);
            }
        }
        explicit.map_or(Route::Unknown, Route::Foreign)
    }

    /// `event_hash` and `client_hash`: the id hashes validation computed for this event.
    pub(super) fn venue_event(&mut self, step: Step, i: &InputRecord, event_hash: u64, client_hash: u64) -> bool {
        debug_assert_eq!(event_hash, id_hash(&i.event_id), "Invariant: validation hashed this event id");
        self.event_hash = event_hash;
        let kind = EventKind::from_raw(i.event_kind).expect("Invariant: event_kind validated");
        match self.route(i, client_hash) {
            Route::Unknown => {
                let d = diag!(
                    UnknownOrder,
                    SLOT_ANY,
                    "{} for unknown order {}: no slot has it",
                    kind.name(),
                    order_name(i)
                );
                self.refuse(step, d.field(Field::ClientOrderId, f64::NAN))
            }
            Route::Foreign(id) => self.foreign_order(step, i, id, kind),
            Route::Finished(id, filled) => {
                self.gate(step, i, id, kind).unwrap_or_else(|| self.event_on_departed(step, i, id, kind, filled))
            }
            Route::Order(id, role) => {
                self.gate(step, i, id, kind).unwrap_or_else(|| self.event_on_order(step, i, id, role, kind))
            }
        }
    }

    /// Duplicate and stale-stage checks. `Some(false)` = refused here, nothing changed.
    fn gate(&mut self, step: Step, i: &InputRecord, id: u32, kind: EventKind) -> Option<bool> {
        if self.memory[id as usize].seen(&i.event_id, self.event_hash) {
            let d = diag!(
                DuplicateEvent,
                id,
                "{} event {} was already applied to slot {id}",
                kind.name(),
                Text(&i.event_id)
            );
            return Some(self.refuse(step, d.field(Field::EventId, f64::NAN)));
        }
        if stage_of(&self.slots[id as usize]) == Stage::Stale {
            let d = diag!(
                StaleStateReconcile,
                id,
                "{} for {} refused: slot {id} is STALE_STATE_RECONCILING until a RECONCILE",
                kind.name(),
                order_name(i)
            );
            return Some(self.refuse(step, d));
        }
        None
    }

    /// More filled than the order allows (or than its final size): the slot's belief is wrong, so
    /// it goes to STALE_STATE_RECONCILING with a CRITICAL OVERFILL naming the quantities.
    fn overfill(&mut self, step: Step, i: &InputRecord, id: u32, stage: Stage, d: Diag) -> bool {
        self.go_stale(step, i, id, Trigger::Overfill, StaleReason::Overfill);
        self.note(step, d.field(Field::Size, i.qty_e8 as f64 / 1e8).stage(stage));
        true
    }

    /// An accepted event that changes no slot field: remembered, reported.
    fn accept_stale(&mut self, step: Step, i: &InputRecord, id: u32, d: Diag) -> bool {
        self.memory[id as usize].remember(&i.event_id, self.event_hash);
        self.note(step, d);
        true
    }

    /// An event for an order slot `id` does not know: the slot's belief is wrong.
    fn foreign_order(&mut self, step: Step, i: &InputRecord, id: u32, kind: EventKind) -> bool {
        if let Some(refused) = self.gate(step, i, id, kind) {
            return refused;
        }
        let d = diag!(
            UnknownOrder,
            id,
            "{} for order {} unknown to slot {id}: slot goes to STALE_STATE_RECONCILING",
            kind.name(),
            order_name(i)
        )
        .field(Field::ClientOrderId, f64::NAN)
        .stage(stage_of(&self.slots[id as usize]));
        self.go_stale(step, i, id, Trigger::ForeignOrder, StaleReason::ForeignOrder);
        self.note(step, d);
        true
    }

    /// OVERFILL and FOREIGN_ORDER: the slot goes to STALE_STATE_RECONCILING through its row.
    fn go_stale(&mut self, step: Step, i: &InputRecord, id: u32, trigger: Trigger, reason: StaleReason) {
        let facts = super::guards::facts_for_slot(&self.slots[id as usize], None);
        let mut ctx = Self::ctx(i, step, trigger);
        ctx.stale_reason = reason;
        self.fire(step, id, trigger, &facts, &ctx)
            .expect("Invariant: every non-stale stage has OVERFILL and FOREIGN_ORDER rows");
        self.memory[id as usize].remember(&i.event_id, self.event_hash);
    }

    fn event_on_order(&mut self, step: Step, i: &InputRecord, id: u32, role: OrderRole, kind: EventKind) -> bool {
        let s = &self.slots[id as usize];
        let o = order(s, role);
        let stage = stage_of(s);
        if !is_working(o) {
            let finished = *o;
            return self.event_on_finished(step, i, id, role, kind, &finished);
        }
        assert!(working_role(stage) == Some(role), "Invariant: a working order belongs to its working stage");
        if i.qty_e8 > o.intended_e8 {
            let d = diag!(
                Overfill,
                id,
                "{} of {} order {}: filled {} exceeds the order size {}",
                kind.name(),
                role.name(),
                Text(&o.client_order_id),
                Qty(i.qty_e8),
                Qty(o.intended_e8)
            );
            return self.overfill(step, i, id, stage, d);
        }
        let is_fill = matches!(kind, EventKind::PartialFill | EventKind::FullFill);
        if is_fill && i.qty_e8 < o.filled_e8 {
            let d = diag!(
                StaleEvent,
                id,
                "{} of {} cumulative {} is older than the order's filled {}",
                kind.name(),
                Text(&o.client_order_id),
                Qty(i.qty_e8),
                Qty(o.filled_e8)
            );
            return self.accept_stale(step, i, id, d.field(Field::Size, i.qty_e8 as f64 / 1e8));
        }
        let trigger = Trigger::of_event(kind);
        let facts = facts_for_event(s, role, i.qty_e8);
        let mut ctx = Self::ctx(i, step, trigger);
        ctx.role = Some(role);
        if let Err(stage) = self.fire(step, id, trigger, &facts, &ctx) {
            return self.refuse(step, self.miss(trigger, id, stage));
        }
        self.memory[id as usize].remember(&i.event_id, self.event_hash);
        self.event_diagnostic(step, i, id, role, kind, stage);
        true
    }

    /// Events for a finished order the slot no longer holds (a later order of its role replaced
    /// it): like `event_on_finished`, against the final filled size the finished ring kept.
    fn event_on_departed(&mut self, step: Step, i: &InputRecord, id: u32, kind: EventKind, filled: i64) -> bool {
        let stage = stage_of(&self.slots[id as usize]);
        if filled != FILLED_UNKNOWN && i.qty_e8 > filled {
            let d = diag!(
                Overfill,
                id,
                "{} of recently finished order {}: filled {} exceeds its final {}",
                kind.name(),
                order_name(i),
                Qty(i.qty_e8),
                Qty(filled)
            );
            return self.overfill(step, i, id, stage, d);
        }
        let d = diag!(StaleEvent, id, "{} for recently finished order {} ignored", kind.name(), order_name(i));
        self.accept_stale(step, i, id, d)
    }

    /// Events for an order that already ended (FILLED, CANCELLED, REJECTED).
    fn event_on_finished(
        &mut self,
        step: Step,
        i: &InputRecord,
        id: u32,
        role: OrderRole,
        kind: EventKind,
        o: &OrderImage,
    ) -> bool {
        let stage = stage_of(&self.slots[id as usize]);
        let status = OrderStatus::from_raw(o.status).map_or("?", OrderStatus::name);
        if i.qty_e8 > o.filled_e8 {
            let bookable =
                role == OrderRole::Exit && late_exit_bookable(&self.slots[id as usize], &self.memory[id as usize], i);
            if bookable && self.book_late_exit_fill(step, i, id, kind) {
                return true;
            }
            let d = diag!(
                Overfill,
                id,
                "{} of finished {} order {} ({status}): filled {} exceeds its final {}",
                kind.name(),
                role.name(),
                Text(&o.client_order_id),
                Qty(i.qty_e8),
                Qty(o.filled_e8)
            );
            return self.overfill(step, i, id, stage, d);
        }
        let d = diag!(
            StaleEvent,
            id,
            "{} for finished {} order {} ({status}) ignored",
            kind.name(),
            role.name(),
            Text(&o.client_order_id)
        );
        self.accept_stale(step, i, id, d.stage(stage))
    }

    /// Books a late fill of slot `id`'s ended exit order (`late_exit_bookable` held) through its
    /// table row: POSITION_OPEN with the position left, else CLOSED and settled once. False, nothing
    /// changed, for an event kind with no such row (an ACK, CANCEL_REJECT or REJECT carrying a
    /// fill): it stays an OVERFILL.
    fn book_late_exit_fill(&mut self, step: Step, i: &InputRecord, id: u32, kind: EventKind) -> bool {
        let trigger = Trigger::of_event(kind);
        let facts = facts_for_event(&self.slots[id as usize], OrderRole::Exit, i.qty_e8);
        let mut ctx = Self::ctx(i, step, trigger);
        ctx.role = Some(OrderRole::Exit);
        if self.fire(step, id, trigger, &facts, &ctx).is_err() {
            return false;
        }
        self.memory[id as usize].remember(&i.event_id, self.event_hash);
        true
    }

    /// The diagnostics that accompany an applied REJECT or CANCEL_REJECT.
    fn event_diagnostic(
        &mut self,
        step: Step,
        i: &InputRecord,
        id: u32,
        role: OrderRole,
        kind: EventKind,
        stage: Stage,
    ) {
        if !matches!(kind, EventKind::Reject | EventKind::CancelReject) {
            return;
        }
        let name = order_name(i);
        let d = match (kind, RejectReason::from_raw(i.reject_reason)) {
            (EventKind::Reject, Some(RejectReason::RateLimited)) => {
                let mut d = if i.retry_after_ms >= 0 {
                    diag!(
                        RateLimited,
                        id,
                        "{} order {name} rejected: rate limited, retry after {} ms",
                        role.name(),
                        i.retry_after_ms
                    )
                } else {
                    diag!(
                        RateLimited,
                        id,
                        "{} order {name} rejected: rate limited, retry in a few minutes",
                        role.name()
                    )
                };
                d.retryable = true;
                d.retry_after_ms = i.retry_after_ms;
                d.field(Field::RetryAfter, i.retry_after_ms as f64)
            }
            (EventKind::Reject, _) => diag!(VenueRejected, id, "{} order {name} rejected by the venue", role.name())
                .field(Field::RejectReason, i.reject_reason as f64),
            (EventKind::CancelReject, _) => {
                diag!(CancelRejected, id, "cancel of {} order {name} rejected; the order may still fill", role.name())
            }
            _ => return,
        };
        self.note(step, d.stage(stage));
    }
}
