//! Pre-trade controls: the trading state and the risk limits, checked before an order is created.
//!
//! Job: decide whether an ENTER or EXIT may create an order, from the kernel's own state only
//! (the configuration, the slots, the last mark per asset, the times of recent orders): a pure
//! check that refuses with one diagnostic (TRADING_HALTED, REDUCE_ONLY, RISK_LIMIT naming the
//! limit, INVALID_INTENT for a second leverage on one asset and side) and changes nothing; and the
//! drawdown watch that moves ACTIVE to REDUCING by itself.
//!
//! Invariants:
//! - one leverage per asset and side: the venue keeps a single leverage per symbol and position
//!   side, so an ENTER at another leverage than a non-idle slot's on the same asset and side would
//!   re-lever that slot's position; it is refused (a slot whose leverage is unknown, 0, binds none);
//! - every limit is off at 0; a refusal names the limit, its value and the attempted amount;
//! - HALTED lets no ENTER or EXIT through, REDUCING no ENTER; CANCEL and the launcher's FLATTEN
//!   are never checked here;
//! - notional = size × the entry's price bound: a LONG's limit price; a SHORT's limit price or
//!   the asset's last mark, whichever is higher (a SELL limit below the market fills at about the
//!   mark, so a low limit price must not shrink the notional); the last mark for a MARKET order.
//!   An ENTER with no price at all is refused while a notional limit is on;
//! - gross exposure = Σ over slots of position × (mark, else entry price) + the unfilled rest of
//!   every working entry (also of a stale slot: the order is live until a RECONCILE ends it) ×
//!   its price bound, plus the new order;
//! - the order window holds the `now_ms` of the orders created in the last 60 s (bounded by
//!   `ORDERS_PER_MINUTE_MAX`, never more than the limit needs); times are the inputs' `now_ms`.
//!
//! Entry points: `Limits`, `OrderWindow`, `MarkBook`, `check_state`, `check_enter`, `check_rate`,
//! `drawdown_crossed`.

use crate::abi::*;
use crate::diagnostics::{diag, Diag, Num, Qty, Text};
use crate::hash::same_words;
use crate::slot::{is_working, stage_of};

/// The trading state and the risk limits (0 = off), part of the kernel's configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub trading_state: TradingState,
    pub max_notional_per_trade: f64,
    pub max_gross_exposure: f64,
    pub max_orders_per_minute: u32,
    pub max_leverage: u32,
    pub max_drawdown_ratio: f64,
}

impl Limits {
    pub const OFF: Limits = Limits {
        trading_state: TradingState::Active,
        max_notional_per_trade: 0.0,
        max_gross_exposure: 0.0,
        max_orders_per_minute: 0,
        max_leverage: 0,
        max_drawdown_ratio: 0.0,
    };

    pub fn valid(&self) -> bool {
        let money = |x: f64| x.is_finite() && (0.0..=MONEY_MAX).contains(&x);
        money(self.max_notional_per_trade)
            && money(self.max_gross_exposure)
            && self.max_orders_per_minute <= ORDERS_PER_MINUTE_MAX
            && self.max_leverage <= LEVERAGE_MAX as u32
            && (0.0..=1.0).contains(&self.max_drawdown_ratio)
    }
}

const WINDOW_MS: u64 = 60_000;

/// The `now_ms` of recently created orders, oldest first, in a ring of `ORDERS_PER_MINUTE_MAX`.
#[derive(Clone, Debug)]
pub struct OrderWindow {
    pub stamps: [u64; ORDERS_PER_MINUTE_MAX as usize],
    pub len: u32,
    pub head: u32,
}

impl OrderWindow {
    pub const fn new() -> Self {
        OrderWindow { stamps: [0; ORDERS_PER_MINUTE_MAX as usize], len: 0, head: 0 }
    }

    /// Orders created within 60 s of `now`: in `(now - 60 s, now]`, and also up to 60 s after it
    /// (inputs are not required to be monotonic, and a replay must answer the same). A stamp a
    /// minute or more after `now` is from before the wall clock stepped back: it does not count,
    /// or a step back of an hour would hold the window full, refusing orders, for that hour.
    pub fn recent(&self, now_ms: u64) -> u32 {
        let cap = ORDERS_PER_MINUTE_MAX as usize;
        (0..self.len as usize)
            .map(|k| self.stamps[(self.head as usize + k) % cap])
            .filter(|&s| s.saturating_add(WINDOW_MS) > now_ms && s < now_ms.saturating_add(WINDOW_MS))
            .count() as u32
    }

    /// The ms until one more order fits under `limit` (at least 1): the first time `t` after `now`
    /// at which `recent(t)` is below `limit`. A count only drops when a stamp turns a minute old, so
    /// `t` is the first such leaving at which the window, counted as `recent` counts it, is short of
    /// `limit` — stamps a minute or more ahead of `now` (from before the wall clock stepped back)
    /// enter the window as `t` nears them, so they are counted at `t`, not only those counted now.
    pub fn room_in_ms(&self, now_ms: u64, limit: u32) -> i64 {
        let cap = ORDERS_PER_MINUTE_MAX as usize;
        let mut sorted = [0u64; ORDERS_PER_MINUTE_MAX as usize];
        let n = self.len as usize;
        assert!(n <= cap, "Invariant: the order window is bounded");
        for (k, s) in sorted[..n].iter_mut().enumerate() {
            *s = self.stamps[(self.head as usize + k) % cap];
        }
        sorted[..n].sort_unstable();
        let sorted = &sorted[..n];
        let counted_at = |t: u64| {
            let from = sorted.partition_point(|&s| s.saturating_add(WINDOW_MS) <= t);
            let to = sorted.partition_point(|&s| s < t.saturating_add(WINDOW_MS));
            to.saturating_sub(from)
        };
        if counted_at(now_ms) < limit as usize {
            return 0;
        }
        for &s in sorted.iter() {
            let leaves_at = s.saturating_add(WINDOW_MS);
            if leaves_at > now_ms && counted_at(leaves_at) < limit as usize {
                return (leaves_at - now_ms) as i64;
            }
        }
        // Unreachable for limit >= 1: at the last leaving no stamp is left in the window.
        1
    }

    /// Records one order; the oldest stamp goes when the ring is full.
    pub fn record(&mut self, now_ms: u64) {
        let cap = ORDERS_PER_MINUTE_MAX;
        if self.len == cap {
            self.head = (self.head + 1) % cap;
            self.len -= 1;
        }
        self.stamps[((self.head + self.len) % cap) as usize] = now_ms;
        self.len += 1;
        assert!(self.len <= cap, "Invariant: the order window is bounded");
    }
}

/// The last mark price per asset (MARK_PRICE inputs), at most `MARKS_MAX` assets, kept in the
/// order they were last marked: entry `(next + j) % MARKS_MAX` for j = 0..len, oldest first (`next`
/// stays 0 until the book is full). A new asset beyond `MARKS_MAX` replaces the one marked longest
/// ago, so an asset marked all along keeps its price however many others come and go.
#[derive(Clone, Debug)]
pub struct MarkBook {
    pub assets: [[u8; 24]; MARKS_MAX],
    pub prices: [f64; MARKS_MAX],
    pub len: u32,
    pub next: u32,
}

impl MarkBook {
    pub const fn new() -> Self {
        MarkBook { assets: [[0; 24]; MARKS_MAX], prices: [0.0; MARKS_MAX], len: 0, next: 0 }
    }

    pub fn price(&self, asset: &[u8; 24]) -> Option<f64> {
        (0..self.len as usize).find(|&k| same_words(&self.assets[k], asset)).map(|k| self.prices[k])
    }

    /// The physical index of the j-th entry, oldest first.
    fn at(&self, j: usize) -> usize {
        (self.next as usize + j) % MARKS_MAX
    }

    pub fn set(&mut self, asset: &[u8; 24], price: f64) {
        assert!(price > 0.0 && price.is_finite(), "Invariant: mark price validated");
        let n = self.len as usize;
        if let Some(j) = (0..n).rev().find(|&j| same_words(&self.assets[self.at(j)], asset)) {
            for t in j..n - 1 {
                let (to, from) = (self.at(t), self.at(t + 1));
                self.assets[to] = self.assets[from];
                self.prices[to] = self.prices[from];
            }
            let newest = self.at(n - 1);
            self.assets[newest] = *asset;
            self.prices[newest] = price;
            return;
        }
        let k = if (self.len as usize) < MARKS_MAX {
            self.len += 1;
            self.len as usize - 1
        } else {
            let k = self.next as usize;
            self.next = (self.next + 1) % MARKS_MAX as u32;
            k
        };
        self.assets[k] = *asset;
        self.prices[k] = price;
    }
}

/// A field name as the control key spells it (`MAX_LEVERAGE` → `max_leverage`), without allocating.
struct Key(Field);

impl core::fmt::Display for Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for c in self.0.name().chars() {
            core::fmt::Write::write_char(f, c.to_ascii_lowercase())?;
        }
        Ok(())
    }
}

fn limit(slot: u32, field: Field, what: &str, limit: f64, attempted: f64, unit: &str) -> Diag {
    diag!(RiskLimit, slot, "{what} refused: {} {unit} exceeds {} {}", Num(attempted), Key(field), Num(limit))
        .field(field, attempted)
}

/// The trading state lets an ENTER or EXIT through (checked first: it is the operator's gate).
pub fn check_state(l: &Limits, input: Trigger, id: u32) -> Result<(), Diag> {
    match (l.trading_state, input) {
        (TradingState::Halted, Trigger::Enter) => {
            Err(diag!(TradingHalted, id, "ENTER refused: trading_state is HALTED (cancels only)"))
        }
        (TradingState::Halted, _) => {
            Err(diag!(TradingHalted, id, "EXIT refused: trading_state is HALTED (cancels only; flatten exits)"))
        }
        (TradingState::Reducing, Trigger::Enter) => {
            Err(diag!(ReduceOnly, id, "ENTER refused: trading_state is REDUCING (exits and cancels only)"))
        }
        _ => Ok(()),
    }
}

/// ENTER may create its entry order (`i` validated; `slots` the kernel's).
pub fn check_enter(
    l: &Limits,
    w: &OrderWindow,
    m: &MarkBook,
    slots: &[SlotImage],
    i: &InputRecord,
) -> Result<(), Diag> {
    let id = i.slot_id;
    if l.max_leverage > 0 && i.leverage as u32 > l.max_leverage {
        return Err(limit(id, Field::MaxLeverage, "ENTER", l.max_leverage as f64, i.leverage as f64, "leverage"));
    }
    one_leverage_per_asset_side(slots, i)?;
    check_rate(l, w, i, "ENTER")?;
    if l.max_notional_per_trade == 0.0 && l.max_gross_exposure == 0.0 {
        return Ok(());
    }
    let side = if Side::from_raw(i.side) == Some(Side::Short) { OrderSide::Sell } else { OrderSide::Buy };
    let limit_price = (i.price > 0.0).then_some(i.price);
    let Some(price) = entry_price_bound(side, limit_price, m.price(&i.asset)) else {
        let d = diag!(
            RiskLimit,
            id,
            "ENTER refused: no limit price and no mark for the asset while a notional limit is on"
        );
        return Err(d.field(Field::MaxNotionalPerTrade, f64::NAN));
    };
    let notional = i.qty_e8 as f64 / QTY_SCALE_E8 as f64 * price;
    if l.max_notional_per_trade > 0.0 && notional > l.max_notional_per_trade {
        return Err(limit(
            id,
            Field::MaxNotionalPerTrade,
            "ENTER",
            l.max_notional_per_trade,
            notional,
            "USDT notional",
        ));
    }
    let gross = exposure(slots, m) + notional;
    if l.max_gross_exposure > 0.0 && gross > l.max_gross_exposure {
        return Err(limit(id, Field::MaxGrossExposure, "ENTER", l.max_gross_exposure, gross, "USDT gross exposure"));
    }
    Ok(())
}

/// An ENTER's leverage is the one every non-idle slot on its asset and side already has.
fn one_leverage_per_asset_side(slots: &[SlotImage], i: &InputRecord) -> Result<(), Diag> {
    let conflict = slots.iter().find(|s| {
        !stage_of(s).is_idle()
            && s.side == i.side
            && same_words(&s.asset, &i.asset)
            && s.leverage != 0
            && s.leverage != i.leverage
    });
    let Some(s) = conflict else { return Ok(()) };
    let side = Side::from_raw(i.side).map_or("?", |x| x.name());
    let d = diag!(
        InvalidIntent,
        i.slot_id,
        "ENTER refused: leverage {} but slot {} holds {} {side} at {} (one per asset and side)",
        i.leverage,
        s.slot_id,
        Text(&i.asset),
        s.leverage
    );
    Err(d.field(Field::Leverage, i.leverage as f64))
}

/// The order-rate limit for a strategy's ENTER or EXIT; a refusal is retryable, with the ms until
/// the window has room (`retry_after_ms`).
pub fn check_rate(l: &Limits, w: &OrderWindow, i: &InputRecord, what: &str) -> Result<(), Diag> {
    if l.max_orders_per_minute == 0 {
        return Ok(());
    }
    let orders = w.recent(i.now_ms) + 1;
    if orders > l.max_orders_per_minute {
        let d = diag!(
            RiskLimit,
            i.slot_id,
            "{what} refused: {orders} orders in 60 s exceeds max_orders_per_minute {} (size {})",
            l.max_orders_per_minute,
            Qty(i.qty_e8)
        );
        // Retryable: the window makes room by itself, and the hint says when.
        let mut d = d.field(Field::MaxOrdersPerMinute, orders as f64);
        d.retryable = true;
        d.retry_after_ms = w.room_in_ms(i.now_ms, l.max_orders_per_minute);
        return Err(d);
    }
    Ok(())
}

/// The highest price an entry can fill at, as far as the kernel knows: a BUY limit fills at its
/// limit or lower (the limit bounds it), a SELL limit at its limit *or higher* (a limit below the
/// market fills at about the mark), a MARKET order at about the mark. `None`: no price known.
fn entry_price_bound(side: OrderSide, limit: Option<f64>, mark: Option<f64>) -> Option<f64> {
    match (side, limit, mark) {
        (OrderSide::Sell, Some(limit), Some(mark)) => Some(limit.max(mark)),
        (_, Some(limit), _) => Some(limit),
        (_, None, mark) => mark,
    }
}

/// Σ position × (mark, else entry price) + unfilled working entries × (their price bound).
fn exposure(slots: &[SlotImage], m: &MarkBook) -> f64 {
    let mut total = 0.0;
    for s in slots {
        if stage_of(s).is_idle() {
            continue;
        }
        let held = s.size_e8 as f64 / QTY_SCALE_E8 as f64;
        total += held * if s.mark_price > 0.0 { s.mark_price } else { s.entry_price };
        // A working entry counts in every stage that can hold one: in STALE_STATE_RECONCILING
        // it is still live at the venue (and may fill) until the RECONCILE says otherwise.
        let o = &s.entry_order;
        if is_working(o) {
            let rest = (o.intended_e8 - o.filled_e8).max(0) as f64 / QTY_SCALE_E8 as f64;
            // An unreadable side counts as a SELL: its bound (the higher of limit and mark) is the larger.
            let side = OrderSide::from_raw(o.side).unwrap_or(OrderSide::Sell);
            let limit = (o.limit_price > 0.0).then_some(o.limit_price);
            let mark = m.price(&s.asset).or((s.mark_price > 0.0).then_some(s.mark_price));
            total += rest * entry_price_bound(side, limit, mark).unwrap_or(0.0);
        }
    }
    assert!(total.is_finite(), "Invariant: exposure stays finite");
    total
}

/// The DRAWDOWN_LIMIT diagnostic when the account's drawdown ratio just reached the limit while
/// trading was ACTIVE (the caller then moves to REDUCING), else None.
pub fn drawdown_crossed(l: &Limits, a: &AccountImage) -> Option<Diag> {
    if l.max_drawdown_ratio == 0.0 || l.trading_state != TradingState::Active || a.drawdown_ratio < l.max_drawdown_ratio
    {
        return None;
    }
    let d = diag!(
        DrawdownLimit,
        SLOT_ANY,
        "drawdown {} of peak {} reached max_drawdown_ratio {}: trading_state ACTIVE -> REDUCING",
        Num(a.drawdown_ratio),
        Num(a.peak_capital),
        Num(l.max_drawdown_ratio)
    );
    Some(d.field(Field::MaxDrawdownRatio, a.drawdown_ratio))
}
