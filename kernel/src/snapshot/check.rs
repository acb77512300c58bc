//! The checks a snapshot's sections pass before anything is installed (`snapshot.rs`).
//!
//! Job: decide, from the bytes alone, that each section holds a state the kernel could have
//! reached: the configuration is valid (`Config::valid`); the order window and the mark book are
//! within their capacities, filled from the front, zero past their length, with valid times,
//! assets and prices; every slot image passes `check_image` (the restore_slot validation, as
//! strict as the assertions after every change) at its own index, with the fees and PnL
//! `recompute_pnl` derives from its figures; no two slots hold one trade id; every slot memory
//! has its rings filled from the front with valid, NUL-padded ids (and, in format 2, final
//! filled sizes in range, or unknown); the account's money is finite (`STATE_MONEY_MAX`), its
//! counters are at most 2^53-1, and its derived fields (peak, drawdown, ratio, equity, unrealized
//! PnL) are the ones the kernel derives.
//!
//! Invariants: never panics on any bytes (all reads are within the length checked before);
//! each refusal is one INVALID_INTENT diagnostic with field SNAPSHOT naming the section and value.
//!
//! Entry points: `config`, `window`, `marks`, `slot`, `trade_ids`, `memory`, `account`.

use core::mem::offset_of;

use super::{read_account, read_config, read_marks, read_window, refused, Rd, SLOTS};
use crate::abi::*;
use crate::account::equity_of;
use crate::diagnostics::{Diag, Num, Text};
use crate::fsm::risk::{MarkBook, OrderWindow};
use crate::fsm::Config;
use crate::slot::{recompute_pnl, same_id, FILLED_UNKNOWN};
use crate::validate::{check_asset, check_image, check_opaque, check_price, STATE_MONEY_MAX};

type Checked<T> = Result<T, Diag>;

pub fn config(r: &Rd, slot_count: u32) -> Checked<Config> {
    let state = r.u32(super::CONTROLS + 4);
    let Some(c) = read_config(r, slot_count) else {
        return Err(refused(
            format_args!("controls.trading_state {state} is not a TradingState (1..=3)"),
            state as f64,
        ));
    };
    if !c.valid() {
        let (a, h) = (c.active_slot_limit, c.hung_order_ms);
        return Err(refused(
            format_args!("controls out of range (active_slot_limit {a}, hung_order_ms {h}, or a limit)"),
            a as f64,
        ));
    }
    Ok(c)
}

pub fn window(r: &Rd) -> Checked<OrderWindow> {
    let w = read_window(r);
    if w.len > ORDERS_PER_MINUTE_MAX {
        return Err(refused(
            format_args!("order window length {} exceeds {ORDERS_PER_MINUTE_MAX}", w.len),
            w.len as f64,
        ));
    }
    let len = w.len as usize;
    if let Some(k) = (0..len).find(|&k| w.stamps[k] > NOW_MS_MAX) {
        return Err(refused(format_args!("order window stamp {k} is {} (> 2^53-1)", w.stamps[k]), w.stamps[k] as f64));
    }
    if let Some(k) = (len..w.stamps.len()).find(|&k| w.stamps[k] != 0) {
        return Err(refused(format_args!("order window stamp {k} past its length {len} is not zero"), k as f64));
    }
    Ok(w)
}

pub fn marks(r: &Rd) -> Checked<MarkBook> {
    let m = read_marks(r);
    let (len, next) = (m.len as usize, m.next as usize);
    if len > MARKS_MAX || next >= MARKS_MAX || (len < MARKS_MAX && next != 0) {
        return Err(refused(format_args!("mark book length {len} / cursor {next} out of range"), len as f64));
    }
    for k in 0..len {
        let what = "snapshot mark book asset";
        check_asset(&m.assets[k], SLOT_ANY, what).map_err(|d| relabel(d, k))?;
        check_price(m.prices[k], Field::Price, "snapshot mark book price", SLOT_ANY, false)
            .map_err(|d| relabel(d, k))?;
        if (0..k).any(|j| m.assets[j] == m.assets[k]) {
            return Err(refused(format_args!("mark book lists asset {k} twice"), k as f64));
        }
    }
    if (len..MARKS_MAX).any(|k| m.assets[k] != [0; 24] || m.prices[k].to_bits() != 0) {
        return Err(refused(format_args!("mark book entries past its length {len} are not zero"), len as f64));
    }
    Ok(m)
}

/// A field check's refusal, re-labelled as a snapshot problem (its message kept after the prefix).
fn relabel(d: Diag, at: usize) -> Diag {
    refused(format_args!("{}", d.msg.as_str()), at as f64)
}

pub fn slot(image: &SlotImage, id: u32, slot_count: u32) -> Checked<()> {
    if image.slot_id != id {
        return Err(refused(format_args!("slot image {id} names slot_id {}", image.slot_id), image.slot_id as f64));
    }
    check_image(image, slot_count).map_err(|d| relabel(d, id as usize))?;
    // Fees, realized and unrealized PnL are what `recompute_pnl` derives from the slot's own
    // figures (as restore_slot makes them), bit for bit: the kernel keeps them so after every change.
    let mut derived = *image;
    recompute_pnl(&mut derived);
    let money = |s: &SlotImage| [s.fees.to_bits(), s.realized_pnl.to_bits(), s.unrealized_pnl.to_bits()];
    if money(&derived) != money(image) {
        return Err(refused(
            format_args!("slot {id}'s fees, realized or unrealized PnL are not derived from its figures"),
            id as f64,
        ));
    }
    Ok(())
}

/// No two slots hold one non-empty trade id (in any stage): client order ids derive from it, so
/// the venue's fills of one slot's orders would route to the other. ENTER and `restore_slot`
/// refuse a trade id another slot holds, so a snapshot the kernel wrote never has such a pair.
/// Reads the ids in place (no copy of the images, no allocation).
pub fn trade_ids(r: &Rd, slot_count: u32) -> Checked<()> {
    let at = |id: u32| SLOTS + id as usize * SlotImage::SIZE + offset_of!(SlotImage, trade_id);
    for b in 1..slot_count {
        let tid = r.bytes::<32>(at(b));
        if let Some(a) = (0..b).find(|&a| same_id(&r.bytes::<32>(at(a)), &tid)) {
            return Err(refused(format_args!("slots {a} and {b} both hold trade_id {}", Text(&tid)), b as f64));
        }
    }
    Ok(())
}

/// Slot `id`'s memory at byte `at`: both rings filled from the front, ids valid, zero past length.
pub fn memory(r: &Rd, slot_count: u32, id: u32, at: usize) -> Checked<()> {
    assert!(id < slot_count, "Invariant: memory of an existing slot");
    let seen = at + 64 * SEEN_EVENTS_PER_SLOT;
    let (len, cursor) = (r.u32(seen) as usize, r.u32(seen + 4) as usize);
    if !ring_ok(len, cursor, SEEN_EVENTS_PER_SLOT) {
        return Err(refused(
            format_args!("slot {id} seen-event ring length {len} / cursor {cursor} out of range"),
            len as f64,
        ));
    }
    for k in 0..SEEN_EVENTS_PER_SLOT {
        let event_id = r.bytes::<64>(at + 64 * k);
        if k < len {
            check_opaque(&event_id, Field::EventId, "snapshot seen event id", id, true).map_err(|d| relabel(d, k))?;
        } else if event_id != [0; 64] {
            return Err(refused(
                format_args!("slot {id} seen event {k} past the ring's length {len} is not zero"),
                k as f64,
            ));
        }
    }
    let fin = seen + 8;
    let n = FINISHED_ORDERS_PER_SLOT;
    let (len, cursor) = (r.u32(fin + 16 * n) as usize, r.u32(fin + 16 * n + 4) as usize);
    if !ring_ok(len, cursor, n) {
        return Err(refused(
            format_args!("slot {id} finished-order ring length {len} / cursor {cursor} out of range"),
            len as f64,
        ));
    }
    for k in 0..n {
        let (c, v) = (r.u64(fin + 8 * k), r.u64(fin + 8 * n + 8 * k));
        if (k < len) == ((c, v) == (0, 0)) {
            return Err(refused(
                format_args!("slot {id} finished order {k} does not match the ring's length {len}"),
                k as f64,
            ));
        }
    }
    if super::format_of(r) == SNAPSHOT_FORMAT_VERSION {
        finished_filled(r, id, fin + 16 * n + 8, len)?;
    }
    Ok(())
}

/// Format 2: each remembered order's final filled size is `0..=QTY_MAX_E8` or `FILLED_UNKNOWN`
/// (kept from a format-1 snapshot); zero past the ring's length.
fn finished_filled(r: &Rd, id: u32, at: usize, len: usize) -> Checked<()> {
    for k in 0..FINISHED_ORDERS_PER_SLOT {
        let filled = r.u64(at + 8 * k) as i64;
        let ok = if k < len { filled == FILLED_UNKNOWN || (0..=QTY_MAX_E8).contains(&filled) } else { filled == 0 };
        if !ok {
            return Err(refused(
                format_args!("slot {id} finished order {k} final filled {filled} out of range"),
                filled as f64,
            ));
        }
    }
    Ok(())
}

/// A ring of `cap` entries is filled from the front: its cursor equals its length until it is full.
fn ring_ok(len: usize, cursor: usize, cap: usize) -> bool {
    len <= cap && cursor < cap && (len == cap || cursor == len)
}

/// The account, given the slots' unrealized PnL in slot order and what open trades booked
/// (`account::unsettled`). Equity may be either derivation: this kernel's (`equity_of`) or the
/// older `capital + unrealized` a snapshot written before it holds; the restored account keeps the
/// stored value (so the state hash is the snapshot's) and the next input's refresh re-derives it.
pub fn account(r: &Rd, unrealized: impl Iterator<Item = f64>, unsettled: f64) -> Checked<AccountImage> {
    let a = read_account(r);
    let money = [
        (a.capital, "capital"),
        (a.peak_capital, "peak_capital"),
        (a.drawdown, "drawdown"),
        (a.drawdown_ratio, "drawdown_ratio"),
        (a.fees_paid, "fees_paid"),
        (a.realized_pnl_total, "realized_pnl_total"),
        (a.unrealized_pnl, "unrealized_pnl"),
        (a.equity, "equity"),
    ];
    // Account money grows past the per-input bound with the trades it settles (`STATE_MONEY_MAX`).
    if let Some((v, what)) = money.iter().find(|(v, _)| !(v.is_finite() && v.abs() <= STATE_MONEY_MAX)) {
        return Err(refused(format_args!("account.{what} {} is not finite within ±1e30", Num(*v)), *v));
    }
    // Counted up by one per change, like a slot's version: within what a JSON number carries.
    if a.version > NOW_MS_MAX || a.trade_seq > NOW_MS_MAX {
        return Err(refused(
            format_args!("account.version {} or trade_seq {} exceeds 2^53-1", a.version, a.trade_seq),
            a.version.max(a.trade_seq) as f64,
        ));
    }
    if a.seeded > 1 || a._reserved != [0; 15] {
        return Err(refused(
            format_args!("account.seeded {} or its reserved bytes out of range", a.seeded),
            a.seeded as f64,
        ));
    }
    // The same expressions, in the same order, as account.rs derives them.
    let sum: f64 = unrealized.sum();
    let ratio = if a.peak_capital > 0.0 { a.drawdown / a.peak_capital } else { 0.0 };
    let derived = a.peak_capital >= a.capital
        && a.drawdown.to_bits() == (a.peak_capital - a.capital).to_bits()
        && a.drawdown_ratio.to_bits() == ratio.to_bits()
        && (a.equity.to_bits() == equity_of(a.capital, unsettled, a.unrealized_pnl).to_bits()
            || a.equity.to_bits() == (a.capital + a.unrealized_pnl).to_bits())
        && a.unrealized_pnl.to_bits() == sum.to_bits();
    if !derived {
        return Err(refused(
            format_args!("account's derived fields (peak, drawdown, equity, unrealized) are inconsistent"),
            a.equity,
        ));
    }
    Ok(a)
}
