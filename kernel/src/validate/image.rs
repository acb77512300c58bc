//! Slot image validation for `dita_kernel_restore_slot`.
//!
//! Job: decide whether a caller-supplied `SlotImage` may be installed: every enum in range (or
//! 0 where the ABI allows it), numbers finite and bounded (times and version at most 2^53-1,
//! money within `STATE_MONEY_MAX`), strings in their charset and
//! NUL-padded, reserved bytes zero, absent orders all-zero, and the stage consistent with the
//! rest (the same invariants `slot::assert_slot` asserts after every change, so an installed
//! image can never trip an assertion later).
//!
//! Invariants: never panics on any byte pattern; the diagnostic is `INVALID_INTENT` with field
//! `IMAGE`, the offending number in `value`, and a message naming the image field.
//!
//! Entry points: `check_image`, `STATE_MONEY_MAX`.

use super::{check_asset, check_money, check_opaque, check_price, check_qty, check_trade_id, Check};
use crate::abi::*;
use crate::diagnostics::{diag, qty_value, Num, Qty};

/// Re-labels a field check as an image problem (field IMAGE, value kept).
fn img(r: Check) -> Check {
    r.map_err(|mut d| {
        d.field = Field::Image;
        d
    })
}

fn bad(slot: u32, what: &str, value: f64, why: &str) -> Check {
    let d = if value.is_nan() {
        diag!(InvalidIntent, slot, "image.{what} {why}")
    } else {
        diag!(InvalidIntent, slot, "image.{what} {} {why}", Num(value))
    };
    Err(d.field(Field::Image, value))
}

fn in_range(slot: u32, what: &str, raw: u8, max: u8) -> Check {
    if raw > max {
        return bad(slot, what, raw as f64, "is out of range");
    }
    Ok(())
}

/// Validates a whole slot image for installation.
pub fn check_image(m: &SlotImage, slot_count: u32) -> Check {
    if m.slot_id >= slot_count {
        return Err(diag!(
            InvalidIntent,
            SLOT_ANY,
            "image.slot_id {} is out of range 0..={}",
            m.slot_id,
            slot_count - 1
        )
        .field(Field::Image, m.slot_id as f64));
    }
    let s = m.slot_id;
    if m.version > NOW_MS_MAX {
        return bad(s, "version", m.version as f64, "exceeds 2^53-1");
    }
    if m._reserved0 != [0; 3] || m._reserved1 != [0; 8] {
        return bad(s, "_reserved", f64::NAN, "must be zero");
    }
    let Some(stage) = Stage::from_raw(m.stage) else {
        return bad(s, "stage", m.stage as f64, "is not a Stage (1..=6)");
    };
    in_range(s, "side", m.side, 2)?;
    in_range(s, "exit_reason", m.exit_reason, 4)?;
    in_range(s, "stale_reason", m.stale_reason, 5)?;
    in_range(s, "is_open", m.is_open, 1)?;
    if (stage == Stage::Stale) != (m.stale_reason != 0) {
        return bad(s, "stale_reason", m.stale_reason as f64, "must be set exactly in STALE_STATE_RECONCILING");
    }
    check_numbers(m)?;
    check_strings(m, stage)?;
    check_order(m, &m.entry_order, OrderRole::Entry)?;
    check_order(m, &m.exit_order, OrderRole::Exit)?;
    check_stage(m, stage)
}

/// The bound on money the kernel accumulates (a slot's PnL and fees, the account): one position
/// reaches 1e21 (`QTY_MAX_E8` × `PRICE_MAX`), far past the 1e15 of one input's money field, so
/// this bound leaves room for a long history of such trades and keeps every later sum finite.
pub const STATE_MONEY_MAX: f64 = 1e30;

fn check_numbers(m: &SlotImage) -> Check {
    let s = m.slot_id;
    if m.updated_at_ms > NOW_MS_MAX {
        return bad(s, "updated_at_ms", m.updated_at_ms as f64, "exceeds 2^53-1");
    }
    img(check_qty(m.size_e8, Field::Size, "image.size_e8", s, true))?;
    img(check_price(m.entry_price, Field::Price, "image.entry_price", s, m.size_e8 == 0))?;
    img(check_price(m.mark_price, Field::Price, "image.mark_price", s, true))?;
    if m.leverage > LEVERAGE_MAX {
        return bad(s, "leverage", m.leverage as f64, "exceeds 125");
    }
    let money = [
        (m.realized_pnl, "realized_pnl"),
        (m.unrealized_pnl, "unrealized_pnl"),
        (m.fees, "fees"),
        (m.realized_closed_legs, "realized_closed_legs"),
        (m.fees_closed_orders, "fees_closed_orders"),
    ];
    for (v, what) in money {
        if !(v.is_finite() && v.abs() <= STATE_MONEY_MAX) {
            return bad(s, what, v, "must be a finite number within ±1e30");
        }
    }
    Ok(())
}

fn check_strings(m: &SlotImage, stage: Stage) -> Check {
    let s = m.slot_id;
    let needs_trade = !matches!(stage, Stage::Idle | Stage::Stale);
    if needs_trade || m.asset.iter().any(|&b| b != 0) {
        img(check_asset(&m.asset, s, "image.asset"))?;
    }
    if needs_trade || m.trade_id.iter().any(|&b| b != 0) {
        img(check_trade_id(&m.trade_id, s, "image.trade_id"))?;
    }
    Ok(())
}

fn check_order(m: &SlotImage, o: &OrderImage, role: OrderRole) -> Check {
    let s = m.slot_id;
    let name = if role == OrderRole::Entry { "entry_order" } else { "exit_order" };
    match o.present {
        0 if o.bytes().iter().all(|&b| b == 0) => return Ok(()),
        0 => return bad(s, name, f64::NAN, "is absent (present 0) but not all zero"),
        1 => {}
        p => return bad(s, name, p as f64, "present must be 0 or 1"),
    }
    if OrderSide::from_raw(o.side).is_none() || OrderStatus::from_raw(o.status).is_none() || o.role != role.raw() {
        return bad(s, name, o.status as f64, "has an invalid side, status or role");
    }
    let Some(order_type) = OrderType::from_raw(o.order_type) else {
        return bad(s, name, o.order_type as f64, "has an invalid order_type");
    };
    let leg_ok = match role {
        OrderRole::Entry => o.leg() == 0,
        OrderRole::Exit => o.leg() >= 1 && o.leg() == m.leg(),
    };
    if !leg_ok || o.hung > 1 || o.reject_reason > 2 || o._reserved != [0; 7] {
        return bad(s, name, o.leg() as f64, "has an invalid leg, hung, reject_reason or reserved bytes");
    }
    if let Some(t) = [o.last_update_ms, o.created_at_ms].into_iter().find(|&t| t > NOW_MS_MAX) {
        return bad(s, name, t as f64, "time exceeds 2^53-1");
    }
    img(check_qty(o.intended_e8, Field::Size, "image order intended_e8", s, false))?;
    img(check_qty(o.filled_e8, Field::Size, "image order filled_e8", s, true))?;
    if o.filled_e8 > o.intended_e8 {
        return Err(diag!(
            InvalidIntent,
            s,
            "image.{name} filled {} exceeds intended {}",
            Qty(o.filled_e8),
            Qty(o.intended_e8)
        )
        .field(Field::Image, qty_value(o.filled_e8)));
    }
    img(check_price(o.avg_fill_price, Field::Price, "image order avg_fill_price", s, o.filled_e8 == 0))?;
    img(check_price(o.limit_price, Field::Price, "image order limit_price", s, order_type == OrderType::Market))?;
    if order_type == OrderType::Market && o.limit_price != 0.0 {
        return bad(s, name, o.limit_price, "is MARKET but has a limit price");
    }
    img(check_money(o.fee, Field::Image, "image order fee", s))?;
    img(check_opaque(&o.client_order_id, Field::Image, "image order client_order_id", s, false).map(|_| ()))?;
    img(check_opaque(&o.venue_order_id, Field::Image, "image order venue_order_id", s, false).map(|_| ()))?;
    if o.client_order_id[0] == 0 && o.venue_order_id[0] == 0 {
        return bad(s, name, f64::NAN, "has neither a client_order_id nor a venue_order_id");
    }
    Ok(())
}

fn working(o: &OrderImage) -> bool {
    o.present == 1 && OrderStatus::from_raw(o.status).is_some_and(|st| !st.is_terminal())
}

/// The stage agrees with position, side, leverage, `is_open` and working orders.
fn check_stage(m: &SlotImage, stage: Stage) -> Check {
    let s = m.slot_id;
    let trading = matches!(stage, Stage::EntryWorking | Stage::PositionOpen | Stage::ExitWorking);
    if trading && (m.side == 0 || m.leverage == 0 || m.is_open != 1) {
        return bad(s, "stage", m.stage as f64, "is a trading stage but side, leverage or is_open is unset");
    }
    if stage.is_idle() && (m.size_e8 != 0 || m.is_open != 0) {
        return bad(s, "size_e8", qty_value(m.size_e8), "must be 0 with is_open 0 in IDLE and CLOSED");
    }
    if stage == Stage::Closed && m.side == 0 {
        return bad(s, "side", 0.0, "must name the closed trade's side");
    }
    let (entry, exit) = (working(&m.entry_order), working(&m.exit_order));
    let ok = match stage {
        Stage::EntryWorking => entry && !exit && m.size_e8 == m.entry_order.filled_e8,
        Stage::ExitWorking => exit && !entry && m.exit_order.intended_e8 <= m.size_e8 + m.exit_order.filled_e8,
        Stage::PositionOpen => !entry && !exit && m.size_e8 > 0,
        Stage::Idle | Stage::Closed => !entry && !exit,
        Stage::Stale => true,
    };
    if !ok {
        let why = match stage {
            Stage::EntryWorking => "ENTRY_WORKING needs one working entry order whose fills equal the position",
            Stage::ExitWorking => "EXIT_WORKING needs one working exit order within the position",
            Stage::PositionOpen => "POSITION_OPEN needs size_e8 > 0 and no working order",
            _ => "has a working order in an idle stage",
        };
        return Err(diag!(InvalidIntent, s, "image.stage {}: {why} (size {})", stage.name(), Qty(m.size_e8))
            .field(Field::Image, m.stage as f64));
    }
    Ok(())
}
