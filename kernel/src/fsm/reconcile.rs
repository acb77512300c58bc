//! RECONCILE: adopting the venue's truth for a slot in STALE_STATE_RECONCILING.
//!
//! Job: check that the truth (position side/size/average price, at most one open order) can be
//! adopted by this slot, then adopt it. The stage is derived by the table from the truth's
//! shape (`guards::Truth`): open entry order → ENTRY_WORKING, open exit order → EXIT_WORKING,
//! position only → POSITION_OPEN, flat → IDLE.
//!
//! Invariants (numbered, Nautilus-style):
//! 1. The truth wins over the belief for position size, side and average entry price.
//! 2. A working order of the belief that the truth does not carry is ended as CANCELLED; its
//!    fills and fees stay in the trade's closed figures (they happened).
//! 3. An order the truth carries keeps its identity (ids, leg, fee) when it is the belief's
//!    working order of that role; otherwise it is adopted as a new order (MARKET, fee 0).
//!    When it is the belief's order of that role but already ended (e.g. a previous RECONCILE
//!    whose open-order list lagged ended it as CANCELLED) and its trade is unsettled, its booked
//!    contribution (an exit leg's PnL from `realized_closed_legs`, its fee from
//!    `fees_closed_orders`) is taken back first and it is re-opened as the same order (same leg,
//!    same fee baseline), so its fills and cumulative fee count exactly once.
//! 4. A trade is never settled by RECONCILE. A slot without an unsettled trade (`is_open == 0`)
//!    that the truth shows holding something starts fresh trade figures, so PnL already settled
//!    is never settled twice; going flat clears `is_open` without settling (capital is
//!    re-seeded from the venue balance at recovery).
//! 5. Truth that contradicts itself or the slot (entry order fills != position, exit order
//!    larger than the position, no trade id, asset or leverage to adopt under, an open order
//!    that is the slot's order of the other role, a position side other than the one the
//!    order kept under invariant 3 belongs to (its venue side is fixed; re-sided, its booked
//!    fills would be re-booked on the other side), an open order the slot knows only
//!    from its finished-order ring: its fills are booked in an earlier leg whose figures the
//!    ring does not keep, so adopting it would count them twice) is refused and changes nothing.
//! 6. After adoption the slot satisfies every invariant of `slot::assert_slot`.
//!
//! Entry points: `check`, `adopt`, `adopt_flat`, `summary`.

use core::fmt::Write;

use crate::abi::*;
use crate::diagnostics::{diag, qty_value, Diag, Msg, Num, Qty, Text};
use crate::slot::{
    self, content, finish_order, is_working, leg_pnl, order, recompute_pnl, same_id, status_of, status_without_cancel,
    SlotMemory,
};

/// Refuses truth that cannot be adopted (invariant 5). Run before any change.
pub fn check(slot: &SlotImage, mem: &SlotMemory, i: &InputRecord, slot_id: u32) -> Result<(), Diag> {
    let role = OrderRole::from_raw(i.order_role);
    if let Some(role) = role {
        let id = if i.client_order_id[0] != 0 { Text(&i.client_order_id) } else { Text(&i.venue_order_id) };
        if !names_order(order(slot, role), i) && mem.finished_recently(&i.client_order_id, &i.venue_order_id) {
            return Err(diag!(
                InvalidIntent,
                slot_id,
                "open {} order {id} finished in an earlier leg: its fills are already booked",
                role.name()
            )
            .field(Field::ClientOrderId, f64::NAN));
        }
        let other = if role == OrderRole::Entry { OrderRole::Exit } else { OrderRole::Entry };
        if names_order(order(slot, other), i) {
            return Err(diag!(
                InvalidIntent,
                slot_id,
                "open {} order {id} is slot {slot_id}'s {} order",
                role.name(),
                other.name()
            )
            .field(Field::ClientOrderId, f64::NAN));
        }
        // A kept order (invariant 3: working, or ended and re-opened) keeps its side at the
        // venue, and that side fixes the position its fills make: re-sided, its fills already
        // booked would be re-booked on the other side (an exit leg's PnL changing sign).
        let own = order(slot, role);
        let kept = names_order(own, i) && (is_working(own) || slot.is_open == 1);
        let kept_side = OrderSide::from_raw(own.side).filter(|_| kept);
        if let (Some(has), Some(venue)) = (kept_side, Side::from_raw(i.side)) {
            if order_side(role, venue) != has {
                return Err(diag!(
                    InvalidIntent,
                    slot_id,
                    "open {} order {id} is a {}, not the {} of a {} position",
                    role.name(),
                    has.name(),
                    order_side(role, venue).name(),
                    venue.name()
                )
                .field(Field::Side, i.side as f64));
            }
        }
    }
    if i.qty_e8 > 0 || role.is_some() {
        // What a trading stage's image needs besides the truth (`validate/image.rs`).
        let missing = if content(&slot.trade_id).is_empty() {
            Some(("trade id", Field::TradeId))
        } else if content(&slot.asset).is_empty() {
            Some(("asset", Field::Asset))
        } else if slot.leverage == 0 {
            Some(("leverage", Field::Leverage))
        } else {
            None
        };
        if let Some((what, field)) = missing {
            return Err(diag!(
                InvalidIntent,
                slot_id,
                "slot {slot_id} has no {what} to adopt the venue position under; restore its image first"
            )
            .field(field, f64::NAN));
        }
    }
    match role {
        Some(OrderRole::Entry) if i.order_filled_e8 != i.qty_e8 => Err(diag!(
            InvalidIntent,
            slot_id,
            "venue position {} differs from the open entry order's filled {}",
            Qty(i.qty_e8),
            Qty(i.order_filled_e8)
        )
        .field(Field::Size, qty_value(i.qty_e8))),
        Some(OrderRole::Entry) if i.side == 0 && slot.side == 0 => Err(diag!(
            InvalidIntent,
            slot_id,
            "open entry order needs a side: venue side is 0 and slot {slot_id} has none"
        )
        .field(Field::Side, 0.0)),
        Some(OrderRole::Exit) if i.qty_e8 == 0 => {
            Err(diag!(InvalidIntent, slot_id, "open exit order but the venue position is flat").field(Field::Size, 0.0))
        }
        Some(OrderRole::Exit) if i.order_qty_e8 > i.qty_e8 + i.order_filled_e8 => Err(diag!(
            InvalidIntent,
            slot_id,
            "open exit order size {} exceeds the position {} plus its fills {}",
            Qty(i.order_qty_e8),
            Qty(i.qty_e8),
            Qty(i.order_filled_e8)
        )
        .field(Field::Size, qty_value(i.order_qty_e8))),
        _ => Ok(()),
    }
}

/// The side an order of `role` takes for a `side` position: a LONG's entry BUYs, its exit SELLs.
fn order_side(role: OrderRole, side: Side) -> OrderSide {
    match (role, side) {
        (OrderRole::Entry, Side::Long) | (OrderRole::Exit, Side::Short) => OrderSide::Buy,
        _ => OrderSide::Sell,
    }
}

/// True when the truth's open order has this order's client id (else venue id).
fn names_order(o: &OrderImage, i: &InputRecord) -> bool {
    o.present == 1 && (same_id(&i.client_order_id, &o.client_order_id) || same_id(&i.venue_order_id, &o.venue_order_id))
}

/// True when the truth's open order is this (working) order of the belief.
fn is_truth_order(o: &OrderImage, i: &InputRecord) -> bool {
    is_working(o) && names_order(o, i)
}

/// Invariant 3, ended order: when the truth's open order is the slot's ended order of that role
/// and the trade is unsettled, takes its booked PnL and fee back out of the closed figures (at
/// the entry price before this truth's, i.e. the one it was booked at unless an earlier RECONCILE
/// moved it) and makes it working again, so `adopt_order` keeps it.
fn reopen_ended_order(slot: &mut SlotImage, i: &InputRecord) {
    let Some(role) = OrderRole::from_raw(i.order_role) else { return };
    let o = *order(slot, role);
    let ended = status_of(&o).is_some_and(OrderStatus::is_terminal);
    if slot.is_open == 0 || !ended || !names_order(&o, i) {
        return;
    }
    if role == OrderRole::Exit {
        slot.realized_closed_legs -= leg_pnl(slot, o.filled_e8, o.avg_fill_price);
    }
    slot.fees_closed_orders -= o.fee;
    slot::order_mut(slot, role).status = status_without_cancel(&o).raw();
    recompute_pnl(slot);
}

/// Ends the belief's working orders that the truth does not carry (invariant 2).
fn end_unknown_orders(slot: &mut SlotImage, mem: &mut SlotMemory, i: &InputRecord) {
    let truth_role = OrderRole::from_raw(i.order_role);
    for role in [OrderRole::Entry, OrderRole::Exit] {
        let o = *order(slot, role);
        if is_working(&o) && !(truth_role == Some(role) && is_truth_order(&o, i)) {
            finish_order(slot, mem, role, OrderStatus::Cancelled);
        }
    }
}

/// Adopts a truth with a position and/or an open order.
pub fn adopt(slot: &mut SlotImage, mem: &mut SlotMemory, i: &InputRecord, now_ms: u64) {
    end_unknown_orders(slot, mem, i);
    reopen_ended_order(slot, i);
    if slot.is_open == 0 {
        // Invariant 4: no unsettled trade here; whatever the slot showed was settled or void.
        slot.realized_pnl = 0.0;
        slot.realized_closed_legs = 0.0;
        slot.fees = 0.0;
        slot.fees_closed_orders = 0.0;
        slot.is_open = 1;
    }
    if i.side != 0 {
        slot.side = i.side;
    }
    slot.size_e8 = i.qty_e8;
    if i.qty_e8 > 0 {
        slot.entry_price = i.price;
    }
    slot.stale_reason = 0;
    if let Some(role) = OrderRole::from_raw(i.order_role) {
        adopt_order(slot, role, i, now_ms);
    }
    recompute_pnl(slot);
    assert!(slot.side != 0, "Invariant: an adopted trade has a side");
    assert!(slot.is_open == 1, "Invariant: an adopted trade is open");
}

/// Installs the truth's open order under `role` (invariant 3).
fn adopt_order(slot: &mut SlotImage, role: OrderRole, i: &InputRecord, now_ms: u64) {
    let side = Side::from_raw(slot.side).expect("Invariant: side known before adopting an order");
    let current = *order(slot, role);
    let known = is_truth_order(&current, i);
    let mut o = if known {
        current
    } else {
        OrderImage { order_type: OrderType::Market.raw(), created_at_ms: now_ms, ..OrderImage::ZERO }
    };
    if !known && role == OrderRole::Exit {
        slot.set_leg(slot.leg().saturating_add(1));
    }
    o.present = 1;
    o.role = role.raw();
    o.side = order_side(role, side).raw();
    o.set_leg(if role == OrderRole::Exit { slot.leg() } else { 0 });
    o.intended_e8 = i.order_qty_e8;
    o.filled_e8 = i.order_filled_e8;
    o.avg_fill_price = i.last_price;
    o.last_update_ms = now_ms;
    o.hung = 0;
    if i.client_order_id[0] != 0 {
        o.client_order_id = i.client_order_id;
    }
    if i.venue_order_id[0] != 0 {
        o.venue_order_id = i.venue_order_id;
    }
    if o.status != OrderStatus::CancelRequested.raw() || !known {
        o.status = if o.filled_e8 > 0 { OrderStatus::PartiallyFilled.raw() } else { OrderStatus::Acked.raw() };
    }
    *slot::order_mut(slot, role) = o;
}

/// Adopts a flat truth with no open order: no position, no trade, nothing settled.
pub fn adopt_flat(slot: &mut SlotImage, mem: &mut SlotMemory) {
    for role in [OrderRole::Entry, OrderRole::Exit] {
        if is_working(order(slot, role)) {
            finish_order(slot, mem, role, OrderStatus::Cancelled);
        }
    }
    slot.size_e8 = 0;
    slot.side = 0;
    slot.is_open = 0;
    slot.stale_reason = 0;
    recompute_pnl(slot);
    assert!(slot.unrealized_pnl == 0.0, "Invariant: a flat slot has no unrealized PnL");
}

/// The RECONCILED message: what the truth changed.
pub fn summary(before: &SlotImage, after: &SlotImage) -> Msg {
    let mut m = Msg::new();
    let to = slot::stage_of(after).name();
    let _ = write!(m, "reconciled to {to}: position {} -> {}", Qty(before.size_e8), Qty(after.size_e8));
    if before.side != after.side {
        let name = |s: u8| Side::from_raw(s).map_or("none", Side::name);
        let _ = write!(m, ", side {} -> {}", name(before.side), name(after.side));
    }
    if after.size_e8 > 0 && before.entry_price.to_bits() != after.entry_price.to_bits() {
        let _ = write!(m, ", entry {}", Num(after.entry_price));
    }
    for (role, o) in [("entry", &after.entry_order), ("exit", &after.exit_order)] {
        if is_working(o) {
            let _ = write!(
                m,
                "; {role} order {} filled {}/{}",
                Text(&o.client_order_id),
                Qty(o.filled_e8),
                Qty(o.intended_e8)
            );
        }
    }
    m
}
