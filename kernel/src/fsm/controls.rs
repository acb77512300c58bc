//! The launcher's SYSTEM inputs that move money or configuration, and the drawdown watch.
//!
//! Job:
//! - SEED_CAPITAL: capital from the venue wallet balance plus what open trades already booked
//!   (`account::unsettled`), so each trade settles once;
//! - CONFIGURE: one configuration key (active slots, hung-order time, trading state, risk limits);
//! - FLATTEN: the operator's emergency exit, per slot, allowed in every trading state: a working
//!   entry or exit is cancelled (the next FLATTEN exits what is left), a position is exited whole
//!   at market with reason MANUAL, an idle slot is already flat; a stale slot waits for its
//!   RECONCILE;
//! - the drawdown watch: when capital moved or CONFIGURE set `max_drawdown_ratio`, and the
//!   drawdown ratio is at or past that limit while ACTIVE, the trading state becomes REDUCING,
//!   with one CRITICAL DRAWDOWN_LIMIT;
//! - what the state hash covers of the controls (limits, order window, marks).
//!
//! Invariants: CONFIGURE keeps `Config::valid`; FLATTEN never creates an entry; the drawdown watch
//! changes only the trading state, once per crossing (REDUCING is not ACTIVE).
//!
//! Entry points: `Kernel::seed_capital`, `configure`, `flatten`, `watch_drawdown`, and `hash_controls`.

use super::guards::facts_for_slot;
use super::risk::{self, Limits, MarkBook, OrderWindow};
use super::Kernel;
use crate::abi::*;
use crate::account;
use crate::diagnostics::{diag, Num, Step};
use crate::hash::Fnv;
use crate::slot::{stage_of, working_role};

impl Kernel {
    pub(super) fn seed_capital(&mut self, step: Step, i: &InputRecord) -> bool {
        let a = *self.account;
        if a.seeded == 1 && i.value != 1 {
            let d = diag!(
                InvalidIntent,
                SLOT_ANY,
                "capital already seeded ({}); send value=1 for a recovery re-seed",
                Num(a.capital)
            );
            return self.refuse(step, d.field(Field::Value, i.value as f64));
        }
        let unsettled = account::unsettled(&self.slots);
        account::seed(&mut self.account, (i.amount + unsettled).max(0.0));
        self.account_touched = true;
        let (capital, peak, add) = (Num(self.account.capital), Num(self.account.peak_capital), Num(unsettled));
        let d = if a.seeded == 1 {
            diag!(CapitalSeeded, SLOT_ANY, "capital re-seeded for recovery: {capital} (open trades {add}, peak {peak})")
        } else {
            diag!(CapitalSeeded, SLOT_ANY, "capital seeded: {capital} (open trades {add})")
        };
        self.note(step, d.field(Field::Amount, i.amount));
        true
    }

    pub(super) fn configure(&mut self, step: Step, i: &InputRecord) -> bool {
        let c = &mut self.config;
        let l = &mut c.limits;
        let key = ConfigKey::from_raw(i.config_key).expect("Invariant: config_key validated");
        match key {
            ConfigKey::ActiveSlotLimit => c.active_slot_limit = i.value as u32,
            ConfigKey::HungOrderMs => c.hung_order_ms = i.value,
            ConfigKey::TradingState => {
                l.trading_state = TradingState::from_raw(i.value as u8).expect("Invariant: trading state validated")
            }
            ConfigKey::MaxNotionalPerTrade => l.max_notional_per_trade = i.amount,
            ConfigKey::MaxGrossExposure => l.max_gross_exposure = i.amount,
            ConfigKey::MaxOrdersPerMinute => l.max_orders_per_minute = i.value as u32,
            ConfigKey::MaxLeverage => l.max_leverage = i.value as u32,
            ConfigKey::MaxDrawdownRatio => l.max_drawdown_ratio = i.amount,
        }
        assert!(self.config.valid(), "Invariant: CONFIGURE keeps the configuration valid");
        if key == ConfigKey::MaxDrawdownRatio {
            // A new limit applies at once: a drawdown already at or past it is a crossing now.
            self.watch_drawdown(step);
        }
        true
    }

    /// FLATTEN of one slot: the row for its stage decides (kernel/src/fsm/table.rs).
    pub(super) fn flatten(&mut self, step: Step, i: &InputRecord) -> bool {
        let id = i.slot_id;
        let s = &self.slots[id as usize];
        let stage = stage_of(s);
        if stage == Stage::PositionOpen && s.leg() == EXIT_LEGS_MAX {
            let d = diag!(InvalidIntent, id, "FLATTEN refused: the trade already has {} exit legs", s.leg());
            return self.refuse(step, d.stage(stage));
        }
        // The exit a FLATTEN creates: the whole position, at market, reason MANUAL.
        let mut exit = *i;
        exit.qty_e8 = s.size_e8;
        exit.price = 0.0;
        exit.order_type = OrderType::Market.raw();
        exit.exit_reason = ExitReason::Manual.raw();
        let facts = facts_for_slot(s, working_role(stage));
        let ctx = Self::ctx(&exit, step, Trigger::Flatten);
        match self.fire(step, id, Trigger::Flatten, &facts, &ctx) {
            Ok(()) => {
                if stage == Stage::PositionOpen {
                    self.orders.record(step.now_ms);
                    self.warn_legs(step, id);
                }
                true
            }
            Err(stage) => self.refuse(step, self.miss(Trigger::Flatten, id, stage)),
        }
    }

    /// After capital moved or `max_drawdown_ratio` was set: a drawdown at or past the limit while
    /// ACTIVE → REDUCING.
    pub(super) fn watch_drawdown(&mut self, step: Step) {
        if let Some(d) = risk::drawdown_crossed(&self.config.limits, &self.account) {
            self.config.limits.trading_state = TradingState::Reducing;
            self.note(step, d);
        }
    }
}

/// The controls' part of the state hash: every limit, the order window and the mark book
/// (they decide future refusals, so two kernels that differ in them are not the same state).
pub(super) fn hash_controls(h: &mut Fnv, l: &Limits, w: &OrderWindow, m: &MarkBook) {
    h.write_u32(l.trading_state.raw() as u32);
    h.write_u64(l.max_notional_per_trade.to_bits());
    h.write_u64(l.max_gross_exposure.to_bits());
    h.write_u32(l.max_orders_per_minute);
    h.write_u32(l.max_leverage);
    h.write_u64(l.max_drawdown_ratio.to_bits());
    h.write_u32(w.len);
    for k in 0..w.len {
        h.write_u64(w.stamps[((w.head + k) % ORDERS_PER_MINUTE_MAX) as usize]);
    }
    h.write_u32(m.len);
    h.write_u32(m.next);
    for k in 0..m.len as usize {
        h.write(&m.assets[k]);
        h.write_u64(m.prices[k].to_bits());
    }
}
