//! The kernel: applies inputs to slots through the transition table.
//!
//! Job: own all execution state (slots, their bounded memory, the account, the configuration,
//! the outcome arena) and apply one input at a time: validate it, look up the table row for the
//! slot's stage, run the row's effect, set the stage from the row, and record the transition and
//! diagnostics. Venue events (`fsm/events.rs`) and reconciliation (`fsm/reconcile.rs`) have
//! their own files; restoring a slot image lives in `fsm/restore.rs`.
//!
//! Invariants:
//! - a refused input changes nothing (not even `version`): every check runs before the first
//!   write, and the table is consulted before the effect runs;
//! - the stage is written only by `fire` (from the row's `to`) and by `restore_slot`;
//! - every slot change bumps `version` once, sets `updated_at_ms`, marks the slot dirty and is
//!   followed by `slot::assert_slot`;
//! - nothing allocates after `Kernel::new`; every loop is bounded by the slot count or the batch.
//!
//! Entry points: `Kernel::new`, `Kernel::apply_inputs`, `Kernel::restore_slot` (restore.rs),
//! `Kernel::state_hash`, `Kernel::guarded` (the panic latch used by every export).

mod controls;
mod effects;
mod events;
pub mod guards;
mod index;
mod reconcile;
mod restore;
pub mod risk;
pub mod table;

use core::borrow::Borrow;
use core::panic::AssertUnwindSafe;

use std::ptr;

use crate::abi::*;
use crate::account;
use crate::diagnostics::{diag, Arena, Diag, Qty, Step, Text};
use crate::hash::{id_hash, same_words, Fnv};
use crate::slot::{self, client_order_id, stage_of, working_role, SlotMemory};
use crate::validate::{validate_input, AssetMemo};
use effects::Ctx;
use guards::{facts_for_slot, facts_for_truth, GuardFacts};
use index::SlotIndex;
use risk::{Limits, MarkBook, OrderWindow};

use table::Effect;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Config {
    pub slot_count: u32,
    pub active_slot_limit: u32,
    pub hung_order_ms: u64,
    /// The trading state and the risk limits (`fsm/risk.rs`), set by CONFIGURE.
    pub limits: Limits,
}

impl Config {
    pub fn new(slot_count: u32, active_slot_limit: u32, hung_order_ms: u64) -> Config {
        Config { slot_count, active_slot_limit, hung_order_ms, limits: Limits::OFF }
    }

    pub fn valid(&self) -> bool {
        (1..=SLOT_COUNT_MAX).contains(&self.slot_count)
            && (1..=self.slot_count).contains(&self.active_slot_limit)
            && (1..=HUNG_ORDER_MS_MAX).contains(&self.hung_order_ms)
            && self.limits.valid()
    }
}

pub struct Kernel {
    pub config: Config,
    pub slots: Box<[SlotImage]>,
    pub memory: Box<[SlotMemory]>,
    pub account: Box<AccountImage>,
    /// Derived from `slots` (see `fsm/index.rs`); rebuilt for a slot by `changed`.
    pub(crate) index: SlotIndex,
    pub arena: Arena,
    pub faulted: bool,
    /// Set by settlement and seeding during the current input.
    account_touched: bool,
    /// Set when a row changed what the account derives from the slots during the current input:
    /// a slot's unrealized PnL, or an open trade's realized PnL, fees or open flag (equity).
    unrealized_moved: bool,
    /// Validation's cache of the last valid asset (never changes a result).
    assets: AssetMemo,
    /// Times of the orders created in the last minute (`max_orders_per_minute`).
    pub orders: Box<OrderWindow>,
    /// The last mark per asset (notional limits).
    pub marks: Box<MarkBook>,
    /// `id_hash` of the current venue event's id, computed once per event.
    pub(crate) event_hash: u64,
    /// Fault drill: the next input panics inside the export, proving the fault latch on the
    /// shipped library (armed only through `dita_kernel_arm_fault_drill` with its token).
    pub panic_next: bool,
}

impl Kernel {
    /// A kernel with `slot_count` idle slots; `None` on a bad configuration.
    pub fn new(config: Config) -> Option<Box<Kernel>> {
        if !config.valid() {
            return None;
        }
        let n = config.slot_count as usize;
        let slots: Box<[SlotImage]> =
            (0..n).map(|i| SlotImage { slot_id: i as u32, stage: Stage::Idle.raw(), ..SlotImage::ZERO }).collect();
        let index = SlotIndex::new(&slots);
        let k = Box::new(Kernel {
            config,
            slots,
            memory: vec![SlotMemory::new(); n].into_boxed_slice(),
            account: Box::new(AccountImage::ZERO),
            index,
            arena: Arena::new(),
            faulted: false,
            account_touched: false,
            unrealized_moved: false,
            assets: AssetMemo::new(),
            orders: Box::new(OrderWindow::new()),
            marks: Box::new(MarkBook::new()),
            event_hash: 0,
            panic_next: false,
        });
        assert!(k.slots.len() == n && k.memory.len() == n, "Invariant: one memory per slot");
        Some(k)
    }

    /// Runs `f` inside `catch_unwind`. A faulted kernel refuses (status 2) and stays read-only;
    /// a panic latches the fault, records KERNEL_FAULT, and returns `on_fault`.
    pub fn guarded<R>(&mut self, on_fault: R, f: impl FnOnce(&mut Kernel) -> R) -> R {
        if self.faulted {
            self.arena.begin(true);
            return on_fault;
        }
        match std::panic::catch_unwind(AssertUnwindSafe(|| f(self))) {
            Ok(r) => r,
            Err(payload) => {
                let what = payload
                    .downcast_ref::<&str>()
                    .copied()
                    .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                    .unwrap_or("unknown panic");
                self.faulted = true;
                self.arena.header.faulted = 1;
                if (self.arena.header.diagnostics as usize) < DIAGNOSTICS_CAPACITY {
                    let step = Step { index: self.arena.header.inputs, kind: 0, now_ms: 0 };
                    let d = diag!(KernelFault, SLOT_ANY, "kernel fault, latched read-only: {what}");
                    self.arena.push_diag(step, d);
                }
                on_fault
            }
        }
    }

    /// Applies up to `BATCH_MAX` inputs (`get(i)` reads input `i`), fewer when the outcome arena
    /// could overflow on the next one. Returns how many were processed.
    ///
    /// # Safety
    /// `inputs` points to `n` readable consecutive `InputRecord`s, not aliased by kernel memory.
    /// Aligned records are read in place (the binding's buffers are aligned); an unaligned
    /// caller's records are copied one at a time.
    pub unsafe fn apply_inputs(&mut self, n: usize, inputs: *const InputRecord) -> u32 {
        assert!(!inputs.is_null(), "Invariant: apply_inputs needs a non-null pointer");
        let aligned = inputs.is_aligned();
        self.arena.begin(false);
        let mut done = 0;
        while done < n.min(BATCH_MAX) && self.arena.has_room(self.config.slot_count) {
            self.apply_at(done as u32, inputs.add(done), aligned);
            done += 1;
        }
        assert!(done >= 1 || n == 0, "Invariant: a batch makes progress");
        done as u32
    }

    /// Applies one input (the one-call-per-input path, without the batch loop); returns whether
    /// it was accepted. The outcome arena holds its outcome as after `apply_inputs(1, input)`.
    ///
    /// # Safety
    /// `input` points to one readable `InputRecord`, not aliased by kernel memory.
    pub unsafe fn apply_single(&mut self, input: *const InputRecord) -> bool {
        assert!(!input.is_null(), "Invariant: apply_single needs a non-null pointer");
        self.arena.begin(false);
        self.apply_at(0, input, input.is_aligned())
    }

    /// Applies the record at `at` as input `index` of this call and finishes it in the arena.
    /// An aligned record is read in place, an unaligned one copied first. Inlined into both
    /// callers: as a call it cost the batch loop ~1.4 ns per input.
    #[inline(always)]
    unsafe fn apply_at(&mut self, index: u32, at: *const InputRecord, aligned: bool) -> bool {
        let copy: InputRecord;
        let input: &InputRecord = if aligned {
            &*at
        } else {
            copy = ptr::read_unaligned(at);
            &copy
        };
        // A kind that is no InputKind is reported as 0 (unknown), not as the kind its low byte names.
        let kind = InputKind::from_raw(input.kind).map_or(0, |k| k.raw() as u8);
        let step = Step { index, kind, now_ms: input.now_ms };
        let accepted = self.apply_one(step, input);
        self.arena.finish_input(step, accepted);
        debug_assert!(self.index.matches(&self.slots), "Invariant: the slot index is derived from the slots");
        accepted
    }

    fn apply_one(&mut self, step: Step, input: &InputRecord) -> bool {
        if std::mem::take(&mut self.panic_next) {
            panic!("Invariant: fault drill armed through dita_kernel_arm_fault_drill");
        }
        let valid = match validate_input(input, self.config.slot_count, &mut self.assets) {
            Ok(valid) => valid,
            Err(d) => return self.refuse(step, d),
        };
        self.account_touched = false;
        self.unrealized_moved = false;
        let accepted = match valid.kind {
            InputKind::Enter => self.enter(step, input),
            InputKind::Exit => self.exit(step, input),
            InputKind::Cancel => self.intent(step, input, Trigger::Cancel),
            InputKind::MarkStale => self.intent(step, input, Trigger::MarkStale),
            InputKind::MarkPrice => self.mark_price(step, input),
            InputKind::Tick => self.tick(step),
            InputKind::Reconcile => self.reconcile(step, input),
            InputKind::VenueEvent => self.venue_event(step, input, valid.event_hash, valid.client_hash),
            InputKind::SeedCapital => self.seed_capital(step, input),
            InputKind::Configure => self.configure(step, input),
            InputKind::Flatten => self.flatten(step, input),
        };
        // The account's unrealized PnL is a sum over slots: it moves only with a slot's.
        let capital_moved = self.account_touched;
        if self.unrealized_moved || self.account_touched {
            self.refresh_account();
        }
        if capital_moved {
            self.watch_drawdown(step);
        }
        accepted
    }

    /// Recomputes the account's unrealized PnL and counts one account change if anything moved.
    fn refresh_account(&mut self) {
        let moved = account::refresh(&mut self.account, &self.slots, self.account_touched);
        if moved || self.account_touched {
            account::bump(&mut self.account);
            self.arena.mark_account_dirty();
        }
        self.account_touched = false;
    }

    /// Records a refusal: one diagnostic, nothing changed. Always returns `false` (not accepted).
    fn refuse(&mut self, step: Step, mut d: Diag) -> bool {
        if d.stage == 0 && d.slot_id < self.config.slot_count {
            d.stage = self.slots[d.slot_id as usize].stage;
        }
        self.arena.push_diag(step, d);
        false
    }

    /// Records a diagnostic that accompanies an accepted input.
    fn note(&mut self, step: Step, d: Diag) {
        let _ = self.refuse(step, d);
    }

    /// Applies the row for `(stage, input, facts)` to slot `id`: effect, stage from the row,
    /// version, dirty bit, settlement, transition record. `Err` = no row (nothing changed).
    fn fire(&mut self, step: Step, id: u32, input: Trigger, facts: &GuardFacts, ctx: &Ctx) -> Result<(), Stage> {
        let i = id as usize;
        let from = stage_of(&self.slots[i]);
        let Some((row_index, row)) = table::lookup(from, input, facts) else { return Err(from) };
        if row.effect == Effect::Ignore {
            return Ok(());
        }
        let before = account_inputs(&self.slots[i]);
        let settlement = effects::run(row.effect, &mut self.slots[i], &mut self.memory[i], ctx);
        let s = &mut self.slots[i];
        self.unrealized_moved |= account_inputs(s) != before;
        s.stage = row.to.raw();
        s.version += 1;
        s.updated_at_ms = step.now_ms;
        let version = s.version;
        slot::assert_slot(s, id);
        match row.effect {
            Effect::Mark => {
                // A mark moves prices only: stage, asset and orders (all the index knows) stay.
                assert!(row.to == from, "Invariant: mark rows keep the stage");
                self.arena.mark_slot_dirty(id);
            }
            // These create or replace the slot's orders (new client order ids).
            Effect::OpenEntry | Effect::OpenExitLeg | Effect::AdoptTruth | Effect::AdoptFlat => self.changed(id),
            // Everything else keeps the orders' ids and may move the stage.
            _ => {
                self.arena.mark_slot_dirty(id);
                self.index.update_stage(id, &self.slots[id as usize]);
            }
        }
        if let Some(x) = settlement {
            account::settle(&mut self.account, x.realized_pnl, x.fees);
            self.account_touched = true;
        }
        if input != Trigger::MarkPrice {
            let (to, trigger) = (row.to.raw(), input.raw());
            let record = TransitionRecord {
                input_index: step.index,
                slot_id: id,
                version,
                now_ms: step.now_ms,
                from: from.raw(),
                to,
                trigger,
                row: row_index,
                _reserved: 0,
            };
            self.arena.push_transition(record);
        }
        Ok(())
    }

    /// Records that slot `id` changed: dirty bit, and its index entry re-derived.
    pub(crate) fn changed(&mut self, id: u32) {
        self.arena.mark_slot_dirty(id);
        self.index.update(id, &self.slots[id as usize]);
    }

    fn ctx<'a>(input: &'a InputRecord, step: Step, trigger: Trigger) -> Ctx<'a> {
        Ctx { input, now_ms: step.now_ms, trigger, role: None, stale_reason: StaleReason::Operator }
    }

    /// The refusal for an input the table has no row for, with the most specific code.
    fn miss(&self, input: Trigger, id: u32, stage: Stage) -> Diag {
        let (what, name) = (input.name(), stage.name());
        let d = match (input, stage) {
            (Trigger::Enter, _) => diag!(SlotBusy, id, "ENTER refused: slot {id} is {name}"),
            (Trigger::Cancel, Stage::PositionOpen) => {
                diag!(NoActiveExitOrder, id, "CANCEL refused: slot {id} is POSITION_OPEN with no working exit order")
            }
            (_, Stage::Stale) => {
                diag!(StaleStateReconcile, id, "{what} refused: slot {id} is STALE_STATE_RECONCILING until a RECONCILE")
            }
            _ => diag!(InvalidTransition, id, "{what} refused: no transition from {name} on {what} (slot {id})"),
        };
        d.stage(stage)
    }

    fn enter(&mut self, step: Step, i: &InputRecord) -> bool {
        let id = i.slot_id;
        if let Err(d) = risk::check_state(&self.config.limits, Trigger::Enter, id) {
            return self.refuse(step, d);
        }
        let stage = stage_of(&self.slots[id as usize]);
        let facts = facts_for_slot(&self.slots[id as usize], None);
        if table::lookup(stage, Trigger::Enter, &facts).is_none() {
            return self.refuse(step, self.miss(Trigger::Enter, id, stage));
        }
        let active = self.slots.iter().filter(|s| !stage_of(s).is_idle()).count() as u32;
        let limit = self.config.active_slot_limit;
        if active >= limit {
            let d = diag!(SlotLimitReached, id, "ENTER refused: {active} slots active, active_slot_limit is {limit}");
            return self.refuse(step, d.field(Field::SlotId, id as f64));
        }
        if let Some(d) = self.trade_id_in_use(i) {
            return self.refuse(step, d);
        }
        if let Err(d) = risk::check_enter(&self.config.limits, &self.orders, &self.marks, &self.slots, i) {
            return self.refuse(step, d);
        }
        let ctx = Self::ctx(i, step, Trigger::Enter);
        self.fire(step, id, Trigger::Enter, &facts, &ctx).expect("Invariant: ENTER row found above");
        self.orders.record(step.now_ms);
        true
    }

    /// A trade id may not be any slot's current or last trade id, nor a recently finished
    /// trade's (its client order ids would collide at the venue and in routing).
    fn trade_id_in_use(&self, i: &InputRecord) -> Option<Diag> {
        let entry_hash = id_hash(&client_order_id(&i.trade_id, OrderRole::Entry, 0));
        let tid = Text(&i.trade_id);
        for (n, (s, m)) in self.slots.iter().zip(self.memory.iter()).enumerate() {
            if same_words(&s.trade_id, &i.trade_id) || m.finished_client_hash(entry_hash) {
                let d = diag!(InvalidIntent, i.slot_id, "trade_id {tid} is already used by slot {n}");
                return Some(d.field(Field::TradeId, f64::NAN));
            }
        }
        None
    }

    fn exit(&mut self, step: Step, i: &InputRecord) -> bool {
        let id = i.slot_id;
        if let Err(d) = risk::check_state(&self.config.limits, Trigger::Exit, id) {
            return self.refuse(step, d);
        }
        let s = &self.slots[id as usize];
        let (stage, size, leg) = (stage_of(s), s.size_e8, s.leg());
        let facts = facts_for_slot(s, None);
        if table::lookup(stage, Trigger::Exit, &facts).is_none() {
            return self.refuse(step, self.miss(Trigger::Exit, id, stage));
        }
        if i.qty_e8 > size {
            let d = diag!(InvalidIntent, id, "exit size {} exceeds position {}", Qty(i.qty_e8), Qty(size));
            return self.refuse(step, d.field(Field::Size, i.qty_e8 as f64 / 1e8));
        }
        if leg == EXIT_LEGS_MAX {
            let d = diag!(InvalidIntent, id, "EXIT refused: the trade already has {} exit legs", leg);
            return self.refuse(step, d.field(Field::Size, i.qty_e8 as f64 / 1e8));
        }
        // A stop loss or a manual close cuts risk: it counts in the order window but is never
        // refused by it (the rate guards against runaway orders; exits are bounded by the legs).
        let protective = matches!(ExitReason::from_raw(i.exit_reason), Some(ExitReason::Sl | ExitReason::Manual));
        if !protective {
            if let Err(d) = risk::check_rate(&self.config.limits, &self.orders, i, "EXIT") {
                return self.refuse(step, d);
            }
        }
        let ctx = Self::ctx(i, step, Trigger::Exit);
        self.fire(step, id, Trigger::Exit, &facts, &ctx).expect("Invariant: EXIT row found above");
        self.orders.record(step.now_ms);
        self.warn_legs(step, id);
        true
    }

    /// After an exit leg opened: EXIT_LEGS_LOW from EXIT_LEGS_WARN_FROM on, at every fifth leg and
    /// each of the last ten, so a strategy or an operator hears it before EXIT and FLATTEN refuse.
    pub(super) fn warn_legs(&mut self, step: Step, id: u32) {
        let leg = self.slots[id as usize].leg();
        if leg < EXIT_LEGS_WARN_FROM || (!leg.is_multiple_of(5) && leg < EXIT_LEGS_MAX - 10) {
            return;
        }
        let left = EXIT_LEGS_MAX - leg;
        let d = diag!(ExitLegsLow, id, "exit leg {leg} of {EXIT_LEGS_MAX}: {left} left, then EXIT and FLATTEN are refused; close the position whole");
        self.note(step, d.field(Field::None, left as f64));
    }

    /// CANCEL and MARK_STALE: the row decides, a miss is refused.
    fn intent(&mut self, step: Step, i: &InputRecord, trigger: Trigger) -> bool {
        let id = i.slot_id;
        let s = &self.slots[id as usize];
        let facts = facts_for_slot(s, working_role(stage_of(s)));
        let mut ctx = Self::ctx(i, step, trigger);
        if trigger == Trigger::MarkStale {
            ctx.stale_reason = StaleReason::from_raw(i.stale_reason).expect("Invariant: stale_reason validated");
        }
        match self.fire(step, id, trigger, &facts, &ctx) {
            Ok(()) => true,
            Err(stage) => self.refuse(step, self.miss(trigger, id, stage)),
        }
    }

    /// MARK_PRICE: every slot of that asset whose stage has a mark row (the index's markable
    /// slots, in slot order).
    fn mark_price(&mut self, step: Step, i: &InputRecord) -> bool {
        self.marks.set(&i.asset, i.price);
        let ctx = Self::ctx(i, step, Trigger::MarkPrice);
        for id in self.index.markable() {
            let s = &self.slots[id as usize];
            if !same_words(&s.asset, &i.asset) {
                continue;
            }
            let facts = facts_for_slot(s, None);
            self.fire(step, id, Trigger::MarkPrice, &facts, &ctx).expect("Invariant: mark rows cover every fact");
        }
        true
    }

    /// TICK: reports each working order without a venue update for `hung_order_ms`, once. An
    /// order last updated more than `hung_order_ms` after `now` (the wall clock stepped back since)
    /// is reported too: its age cannot be measured, and waiting for the clock to catch up would
    /// leave a lost placement unqueried for as long as the step.
    fn tick(&mut self, step: Step) -> bool {
        let hung_ms = self.config.hung_order_ms;
        for id in 0..self.config.slot_count {
            let s = &mut self.slots[id as usize];
            let stage = stage_of(s);
            let Some(role) = working_role(stage) else { continue };
            let o = slot::order_mut(s, role);
            let stepped_back = o.last_update_ms > step.now_ms.saturating_add(hung_ms);
            if o.hung == 1 || (o.last_update_ms.saturating_add(hung_ms) > step.now_ms && !stepped_back) {
                continue;
            }
            assert!(slot::is_working(o), "Invariant: a working stage has a working order");
            o.hung = 1;
            let (role, cid) = (role.name(), Text(&o.client_order_id));
            let (d, idle) = if stepped_back {
                let ahead = o.last_update_ms - step.now_ms;
                let d = diag!(
                    HungOrder,
                    id,
                    "{role} order {cid} was updated {ahead} ms ahead of now_ms: the clock stepped back"
                );
                (d, f64::NAN)
            } else {
                let idle_ms = step.now_ms - o.last_update_ms;
                let d = diag!(
                    HungOrder,
                    id,
                    "{role} order {cid} has had no venue update for {idle_ms} ms (hung_order_ms {hung_ms})"
                );
                (d, idle_ms as f64)
            };
            s.version += 1;
            s.updated_at_ms = step.now_ms;
            self.arena.mark_slot_dirty(id);
            self.note(step, d.field(Field::None, idle));
        }
        true
    }

    fn reconcile(&mut self, step: Step, i: &InputRecord) -> bool {
        let id = i.slot_id;
        let before = self.slots[id as usize];
        let stage = stage_of(&before);
        let facts = facts_for_truth(&before, i);
        if table::lookup(stage, Trigger::Reconcile, &facts).is_none() {
            let d = diag!(
                InvalidTransition,
                id,
                "RECONCILE refused: slot {id} is {}, not STALE_STATE_RECONCILING",
                stage.name()
            );
            return self.refuse(step, d.stage(stage));
        }
        if let Err(d) = reconcile::check(&before, &self.memory[id as usize], i, id) {
            return self.refuse(step, d.stage(stage));
        }
        let ctx = Self::ctx(i, step, Trigger::Reconcile);
        self.fire(step, id, Trigger::Reconcile, &facts, &ctx).expect("Invariant: RECONCILE row found above");
        let msg = reconcile::summary(&before, &self.slots[id as usize]);
        self.note(step, Diag::new(DiagCode::Reconciled, id, msg).stage(stage));
        true
    }

    /// FNV-1a 64 over configuration, account, slot images and slot memory (see `hash.rs`).
    pub fn state_hash(&self) -> u64 {
        hash_state(&self.config, &self.orders, &self.marks, &self.account, self.slots.iter(), self.memory.iter())
    }
}

/// What the account derives from one slot (unrealized PnL; an open trade's realized PnL and
/// fees, in equity), as bits: a row that changes any of them refreshes the account.
fn account_inputs(s: &SlotImage) -> [u64; 4] {
    [s.unrealized_pnl.to_bits(), s.realized_pnl.to_bits(), s.fees.to_bits(), s.is_open as u64]
}

/// The state hash of a kernel's parts (`Kernel::state_hash`; a snapshot is checked against it
/// before it is installed). Slots and memories are visited in slot order.
pub fn hash_state<S: Borrow<SlotImage>, M: Borrow<SlotMemory>>(
    config: &Config,
    orders: &OrderWindow,
    marks: &MarkBook,
    account: &AccountImage,
    slots: impl Iterator<Item = S>,
    memory: impl Iterator<Item = M>,
) -> u64 {
    let mut h = Fnv::new();
    h.write_u32(config.slot_count);
    h.write_u32(config.active_slot_limit);
    h.write_u64(config.hung_order_ms);
    controls::hash_controls(&mut h, &config.limits, orders, marks);
    h.write(account.bytes());
    for s in slots {
        h.write(s.borrow().bytes());
    }
    for m in memory {
        let m = m.borrow();
        for hash in m.seen_hash.iter() {
            h.write_u64(*hash);
        }
        h.write_u32(m.seen_len);
        h.write_u32(m.seen_cursor);
        for (k, (c, v)) in m.finished_client.iter().zip(m.finished_venue.iter()).enumerate() {
            h.write_u64(*c);
            h.write_u64(*v);
            // A known final filled size is state; an unknown one (restored from a format-1
            // snapshot) adds nothing, so such a snapshot's state hash still checks.
            let filled = m.finished_filled[k];
            if k < m.finished_len as usize && filled != crate::slot::FILLED_UNKNOWN {
                h.write_u64(filled as u64);
            }
        }
        h.write_u32(m.finished_len);
        h.write_u32(m.finished_cursor);
    }
    h.finish()
}
