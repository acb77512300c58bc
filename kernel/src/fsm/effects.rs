//! Effects: the mutation each table row makes to one slot.
//!
//! Job: given a row's `Effect`, the slot, its bounded memory and the input, change the slot's
//! fields (orders, position, PnL, fees, reasons). The FSM then sets the stage from the row's
//! `to`, bumps the version and records the transition; a settlement is returned, not applied,
//! so the account is written in one place (`account.rs`).
//!
//! Invariants:
//! - no effect writes `stage`, `version` or `updated_at_ms` (asserted by `run`);
//! - venue events apply the order's *cumulative* fill only when it is not older than what the
//!   order has (`slot::apply_fill`), so any delivery order converges;
//! - `SettleOnce` clears `is_open` in the same step that returns the settlement, so a trade
//!   settles exactly once;
//! - a late exit fill (`LateExitFill`, and `SettleOnce` from POSITION_OPEN) books only what the
//!   ended exit order filled beyond what it had booked: its cumulative figures replace the order's,
//!   the position shrinks by the difference, and the closed figures change by the difference.
//!
//! Entry points: `run`, `Ctx`, `Settlement`.

use super::reconcile;
use super::table::Effect;
use crate::abi::*;
use crate::slot::{
    self, apply_fill, client_order_id, finish_order, leg_pnl, order, order_mut, recompute_pnl, SlotMemory,
};

/// What an effect needs besides the slot.
pub struct Ctx<'a> {
    pub input: &'a InputRecord,
    pub now_ms: u64,
    pub trigger: Trigger,
    /// The order a venue event is about.
    pub role: Option<OrderRole>,
    /// The reason recorded by `MarkStale`.
    pub stale_reason: StaleReason,
}

/// A closed trade's money, to be settled into the account by the caller.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settlement {
    pub realized_pnl: f64,
    pub fees: f64,
}

/// Runs one effect. Returns the settlement when the trade closed.
pub fn run(effect: Effect, slot: &mut SlotImage, mem: &mut SlotMemory, ctx: &Ctx) -> Option<Settlement> {
    let (stage, version) = (slot.stage, slot.version);
    let mut settlement = None;
    match effect {
        Effect::Ignore => {}
        Effect::OpenEntry => open_entry(slot, ctx),
        Effect::OpenExitLeg => open_exit_leg(slot, ctx),
        Effect::RequestCancel => request_cancel(slot),
        Effect::Mark => mark(slot, ctx),
        Effect::RecordAck => record_ack(slot, ctx),
        Effect::ApplyFill => fill(slot, ctx),
        Effect::FillEntry | Effect::CloseLeg => finish(slot, mem, ctx),
        Effect::ClearEntry => clear_entry(slot, mem, ctx),
        Effect::KeepPartial => finish(slot, mem, ctx),
        Effect::NoteCancelReject => note_cancel_reject(slot, ctx),
        Effect::LateExitFill => late_exit_fill(slot, mem, ctx),
        Effect::SettleOnce => settlement = Some(settle_once(slot, mem, ctx)),
        Effect::MarkStale => slot.stale_reason = ctx.stale_reason.raw(),
        Effect::AdoptTruth => reconcile::adopt(slot, mem, ctx.input, ctx.now_ms),
        Effect::AdoptFlat => reconcile::adopt_flat(slot, mem),
    }
    assert!(slot.stage == stage && slot.version == version, "Invariant: effects never assign stage or version");
    settlement
}

fn new_order(
    role: OrderRole,
    side: OrderSide,
    leg: u16,
    i: &InputRecord,
    trade_id: &[u8; 32],
    now_ms: u64,
) -> OrderImage {
    let order_type = OrderType::from_raw(i.order_type).expect("Invariant: order_type validated");
    let mut order = OrderImage {
        present: 1,
        side: side.raw(),
        status: OrderStatus::PendingSubmit.raw(),
        order_type: order_type.raw(),
        role: role.raw(),
        intended_e8: i.qty_e8,
        limit_price: if order_type == OrderType::Limit { i.price } else { 0.0 },
        last_update_ms: now_ms,
        created_at_ms: now_ms,
        client_order_id: client_order_id(trade_id, role, leg),
        ..OrderImage::ZERO
    };
    order.set_leg(leg);
    order
}

/// ENTER: a fresh trade on this slot with a PENDING_SUBMIT entry order `"<trade_id>-E"`.
fn open_entry(slot: &mut SlotImage, ctx: &Ctx) {
    let i = ctx.input;
    let side = Side::from_raw(i.side).expect("Invariant: side validated");
    let order_side = if side == Side::Long { OrderSide::Buy } else { OrderSide::Sell };
    *slot = SlotImage {
        slot_id: slot.slot_id,
        stage: slot.stage,
        version: slot.version,
        updated_at_ms: slot.updated_at_ms,
        side: side.raw(),
        leverage: i.leverage,
        is_open: 1,
        asset: i.asset,
        trade_id: i.trade_id,
        entry_order: new_order(OrderRole::Entry, order_side, 0, i, &i.trade_id, ctx.now_ms),
        ..SlotImage::ZERO
    };
    assert!(slot.size_e8 == 0 && slot.fees == 0.0, "Invariant: a new trade starts flat and fee-free");
}

/// EXIT: exit leg `leg + 1`, a reduce-only order on the opposite side `"<trade_id>-X<leg>"`.
fn open_exit_leg(slot: &mut SlotImage, ctx: &Ctx) {
    let i = ctx.input;
    assert!(i.qty_e8 <= slot.size_e8, "Invariant: exit size checked against the position");
    assert!(slot.leg() < EXIT_LEGS_MAX, "Invariant: exit leg limit checked");
    let side = Side::from_raw(slot.side).expect("Invariant: an open position has a side");
    let order_side = if side == Side::Long { OrderSide::Sell } else { OrderSide::Buy };
    slot.set_leg(slot.leg() + 1);
    slot.exit_order = new_order(OrderRole::Exit, order_side, slot.leg(), i, &slot.trade_id, ctx.now_ms);
    slot.exit_reason = i.exit_reason;
    recompute_pnl(slot);
}

fn working_order(slot: &mut SlotImage) -> &mut OrderImage {
    let stage = slot::stage_of(slot);
    let role = slot::working_role(stage).expect("Invariant: CANCEL rows exist only in working stages");
    order_mut(slot, role)
}

fn request_cancel(slot: &mut SlotImage) {
    let o = working_order(slot);
    assert!(slot::is_working(o), "Invariant: only a working order can be cancelled");
    o.status = OrderStatus::CancelRequested.raw();
}

/// MARK_PRICE: unrealized PnL from the new mark; capital is untouched.
fn mark(slot: &mut SlotImage, ctx: &Ctx) {
    assert!(ctx.input.price > 0.0, "Invariant: mark price validated");
    slot.mark_price = ctx.input.price;
    slot::recompute_unrealized(slot);
}

/// Every applied venue event: remember the venue order id, refresh `last_update_ms`, clear
/// `hung`, and apply the cumulative fill.
fn touch(slot: &mut SlotImage, ctx: &Ctx) -> OrderRole {
    let role = ctx.role.expect("Invariant: venue event effects know their order");
    let i = ctx.input;
    let o = order_mut(slot, role);
    if o.venue_order_id[0] == 0 && i.venue_order_id[0] != 0 {
        o.venue_order_id = i.venue_order_id;
    }
    o.last_update_ms = ctx.now_ms;
    o.hung = 0;
    apply_fill(slot, role, i.qty_e8, i.price, i.fee);
    role
}

fn fill_status(o: &mut OrderImage) {
    if o.status != OrderStatus::CancelRequested.raw() && o.filled_e8 > 0 {
        o.status = OrderStatus::PartiallyFilled.raw();
    }
}

fn record_ack(slot: &mut SlotImage, ctx: &Ctx) {
    let role = touch(slot, ctx);
    let o = order_mut(slot, role);
    if o.status == OrderStatus::PendingSubmit.raw() {
        o.status = OrderStatus::Acked.raw();
    }
    fill_status(o);
}

fn fill(slot: &mut SlotImage, ctx: &Ctx) {
    let role = touch(slot, ctx);
    fill_status(order_mut(slot, role));
}

/// The terminal status an event gives the order it ends.
fn terminal_status(trigger: Trigger) -> OrderStatus {
    match trigger {
        Trigger::FullFill => OrderStatus::Filled,
        Trigger::CancelAck => OrderStatus::Cancelled,
        Trigger::Reject => OrderStatus::Rejected,
        _ => panic!("Invariant: only FULL_FILL, CANCEL_ACK and REJECT end an order"),
    }
}

/// Ends the event's order (FILLED, CANCELLED or REJECTED) after applying its fill.
fn finish(slot: &mut SlotImage, mem: &mut SlotMemory, ctx: &Ctx) {
    let role = touch(slot, ctx);
    let status = terminal_status(ctx.trigger);
    if status == OrderStatus::Rejected {
        order_mut(slot, role).reject_reason = ctx.input.reject_reason;
    }
    finish_order(slot, mem, role, status);
}

/// An entry that ended with nothing filled: the slot returns to IDLE without a trade.
fn clear_entry(slot: &mut SlotImage, mem: &mut SlotMemory, ctx: &Ctx) {
    finish(slot, mem, ctx);
    assert!(slot.size_e8 == 0, "Invariant: CLEAR_ENTRY only when nothing filled");
    slot.is_open = 0;
    slot.side = 0;
    recompute_pnl(slot);
}

fn note_cancel_reject(slot: &mut SlotImage, ctx: &Ctx) {
    let role = touch(slot, ctx);
    let o = order_mut(slot, role);
    if o.status == OrderStatus::CancelRequested.raw() {
        o.status = slot::status_without_cancel(o).raw();
    }
}

/// A fill of the slot's exit order after it ended (`fsm/events.rs` checked that it may be booked:
/// same trade, within the order's size and the position, the position what the trade's booked
/// fills leave). The order takes the event's cumulative fill, average price and fee; the position
/// shrinks by what it filled beyond its booked fill, whose PnL (at the entry price) and fee go into
/// the closed figures, and the finished-order ring keeps its new final size. A FULL_FILL or
/// CANCEL_ACK is its end at the venue (FILLED, CANCELLED); a PARTIAL_FILL keeps the status it ended
/// with (nothing works it: the launcher cancels it at the venue).
fn late_exit_fill(slot: &mut SlotImage, mem: &mut SlotMemory, ctx: &Ctx) {
    let i = ctx.input;
    let o = *order(slot, OrderRole::Exit);
    assert!(ctx.role == Some(OrderRole::Exit) && !slot::is_working(&o), "Invariant: a late fill of the ended exit");
    let more_e8 = i.qty_e8 - o.filled_e8;
    assert!(more_e8 > 0 && i.qty_e8 <= o.intended_e8, "Invariant: a late exit fill is within its order");
    assert!(more_e8 <= slot.size_e8, "Invariant: a late exit fill never closes more than the position");
    slot.realized_closed_legs += leg_pnl(slot, i.qty_e8, i.price) - leg_pnl(slot, o.filled_e8, o.avg_fill_price);
    slot.fees_closed_orders += i.fee - o.fee;
    slot.size_e8 -= more_e8;
    let x = order_mut(slot, OrderRole::Exit);
    if x.venue_order_id[0] == 0 && i.venue_order_id[0] != 0 {
        x.venue_order_id = i.venue_order_id;
    }
    x.filled_e8 = i.qty_e8;
    x.avg_fill_price = i.price;
    x.fee = i.fee;
    x.last_update_ms = ctx.now_ms;
    if matches!(ctx.trigger, Trigger::FullFill | Trigger::CancelAck) {
        x.status = terminal_status(ctx.trigger).raw();
        x.reject_reason = 0;
    }
    mem.remember_finished(x);
    recompute_pnl(slot);
}

/// The trade's last fill left the position at zero: the working exit leg ends (EXIT_WORKING), or
/// the ended exit order's late fill is booked (POSITION_OPEN); the trade closes and settles once.
fn settle_once(slot: &mut SlotImage, mem: &mut SlotMemory, ctx: &Ctx) -> Settlement {
    match slot::stage_of(slot) {
        Stage::ExitWorking => finish(slot, mem, ctx),
        Stage::PositionOpen => late_exit_fill(slot, mem, ctx),
        _ => panic!("Invariant: SETTLE_ONCE rows start in EXIT_WORKING or POSITION_OPEN"),
    }
    assert!(slot.size_e8 == 0, "Invariant: SETTLE_ONCE only with the position at zero");
    assert!(slot.is_open == 1, "Invariant: a trade settles exactly once");
    assert!(!slot::is_working(order(slot, OrderRole::Exit)), "Invariant: settled trade has no working order");
    slot.is_open = 0;
    recompute_pnl(slot);
    Settlement { realized_pnl: slot.realized_pnl, fees: slot.fees }
}
