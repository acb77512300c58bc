//! The transition table: every stage change the kernel can make, one row each.
//!
//! Job: the rows of docs/architecture.md §3 plus the rows kernel/README.md adds (marks while an entry or
//! exit is working, CANCEL self rows, MARK_STALE, the RECONCILE derived stages, OVERFILL and
//! FOREIGN_ORDER to STALE_STATE_RECONCILING, the operator's FLATTEN, a late fill of the slot's ended
//! exit order booked as the exit's), with the guards *in the table*, and the pure
//! lookup `(stage, input, facts) -> Option<&Row>`, answered from `DECIDE`: the table evaluated
//! at compile time for every facts value.
//!
//! Invariants: never two rows for one `(stage, input, facts)` (checked by the compiler while
//! building `DECIDE`); for every `(from, input)` pair present, the guards of its rows cover every
//! possible `GuardFacts` (unit-tested), and `DECIDE` equals evaluating the guards (unit-tested);
//! row indices fit the u8 `TransitionRecord.row` (255 = none). Handlers never assign a stage
//! except through a row's `to`.
//!
//! Entry points: `TABLE`, `lookup`, `Row`, `Effect`, `table_text()` (the
//! `dita_kernel_fsm_table()` text: `FROM INPUT GUARD TO EFFECT` per line).

use super::guards::{GuardFacts, Truth, FACTS_KEYS};
use crate::abi::{Stage, TextBuf, Trigger, ROW_NONE};

/// A condition on the slot and the input, evaluated on the state *after* the input's fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guard {
    Any,
    HasPosition,
    NoPosition,
    CancelNotRequested,
    CancelRequested,
    NothingFilled,
    PartlyFilled,
    PositionLeft,
    PositionZero,
    TruthEntryOrder,
    TruthExitOrder,
    TruthPosition,
    TruthFlat,
}

impl Guard {
    pub const fn holds(self, f: &GuardFacts) -> bool {
        match self {
            Guard::Any => true,
            Guard::HasPosition => f.has_position,
            Guard::NoPosition => !f.has_position,
            Guard::CancelNotRequested => !f.cancel_requested,
            Guard::CancelRequested => f.cancel_requested,
            Guard::NothingFilled => !f.order_filled,
            Guard::PartlyFilled => f.order_filled,
            Guard::PositionLeft => f.has_position,
            Guard::PositionZero => !f.has_position,
            Guard::TruthEntryOrder => matches!(f.truth, Truth::EntryOrder),
            Guard::TruthExitOrder => matches!(f.truth, Truth::ExitOrder),
            Guard::TruthPosition => matches!(f.truth, Truth::Position),
            Guard::TruthFlat => matches!(f.truth, Truth::Flat),
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Guard::Any => "ANY",
            Guard::HasPosition => "HAS_POSITION",
            Guard::NoPosition => "NO_POSITION",
            Guard::CancelNotRequested => "CANCEL_NOT_REQUESTED",
            Guard::CancelRequested => "CANCEL_REQUESTED",
            Guard::NothingFilled => "NOTHING_FILLED",
            Guard::PartlyFilled => "PARTLY_FILLED",
            Guard::PositionLeft => "POSITION_LEFT",
            Guard::PositionZero => "POSITION_ZERO",
            Guard::TruthEntryOrder => "TRUTH_ENTRY_ORDER",
            Guard::TruthExitOrder => "TRUTH_EXIT_ORDER",
            Guard::TruthPosition => "TRUTH_POSITION",
            Guard::TruthFlat => "TRUTH_FLAT",
        }
    }
}

/// What a row does to the slot (`fsm/effects.rs`); effects never touch the stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Accepted, nothing changes (no version bump, no transition record).
    Ignore,
    OpenEntry,
    OpenExitLeg,
    RequestCancel,
    Mark,
    RecordAck,
    ApplyFill,
    FillEntry,
    ClearEntry,
    KeepPartial,
    NoteCancelReject,
    CloseLeg,
    /// A late fill of the slot's ended exit order, booked as the exit's (the position left).
    LateExitFill,
    /// The trade's last fill (a working exit's, or a late fill of its ended one) closes it: settled once.
    SettleOnce,
    MarkStale,
    AdoptTruth,
    AdoptFlat,
}

impl Effect {
    pub const fn name(self) -> &'static str {
        match self {
            Effect::Ignore => "IGNORE",
            Effect::OpenEntry => "OPEN_ENTRY",
            Effect::OpenExitLeg => "OPEN_EXIT_LEG",
            Effect::RequestCancel => "REQUEST_CANCEL",
            Effect::Mark => "MARK",
            Effect::RecordAck => "RECORD_ACK",
            Effect::ApplyFill => "APPLY_FILL",
            Effect::FillEntry => "FILL_ENTRY",
            Effect::ClearEntry => "CLEAR_ENTRY",
            Effect::KeepPartial => "KEEP_PARTIAL",
            Effect::NoteCancelReject => "NOTE_CANCEL_REJECT",
            Effect::CloseLeg => "CLOSE_LEG",
            Effect::LateExitFill => "LATE_EXIT_FILL",
            Effect::SettleOnce => "SETTLE_ONCE",
            Effect::MarkStale => "MARK_STALE",
            Effect::AdoptTruth => "ADOPT_TRUTH",
            Effect::AdoptFlat => "ADOPT_FLAT",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    pub from: Stage,
    pub input: Trigger,
    pub guard: Guard,
    pub to: Stage,
    pub effect: Effect,
}

const fn row(from: Stage, input: Trigger, guard: Guard, to: Stage, effect: Effect) -> Row {
    Row { from, input, guard, to, effect }
}

use Effect::*;
use Guard::*;
use Stage::{Closed, EntryWorking, ExitWorking, Idle, PositionOpen, Stale};
use Trigger::MarkStale as MarkStaleInput;
use Trigger::{
    Ack, Cancel, CancelAck, CancelReject, Enter, Exit, Flatten, ForeignOrder, FullFill, MarkPrice, Overfill,
    PartialFill, Reconcile, Reject,
};

#[rustfmt::skip]
pub const TABLE: &[Row] = &[
    //  from          input            guard                to             effect
    row(Idle,         Enter,           Any,                 EntryWorking,  OpenEntry),
    row(Closed,       Enter,           Any,                 EntryWorking,  OpenEntry),
    row(EntryWorking, Ack,             Any,                 EntryWorking,  RecordAck),
    row(EntryWorking, PartialFill,     Any,                 EntryWorking,  ApplyFill),
    row(EntryWorking, FullFill,        Any,                 PositionOpen,  FillEntry),
    row(EntryWorking, Reject,          NothingFilled,       Idle,          ClearEntry),
    row(EntryWorking, Reject,          PartlyFilled,        PositionOpen,  KeepPartial),  // a reject after fills keeps the position
    row(EntryWorking, CancelAck,       NothingFilled,       Idle,          ClearEntry),
    row(EntryWorking, CancelAck,       PartlyFilled,        PositionOpen,  KeepPartial),
    row(EntryWorking, CancelReject,    Any,                 EntryWorking,  NoteCancelReject),
    row(EntryWorking, Cancel,          CancelNotRequested,  EntryWorking,  RequestCancel),
    row(EntryWorking, Cancel,          CancelRequested,     EntryWorking,  Ignore),       // a second CANCEL is a no-op
    row(EntryWorking, MarkPrice,       HasPosition,         EntryWorking,  Mark),
    row(EntryWorking, MarkPrice,       NoPosition,          EntryWorking,  Ignore),       // nothing filled yet: nothing to mark
    row(PositionOpen, Exit,            Any,                 ExitWorking,   OpenExitLeg),
    row(PositionOpen, MarkPrice,       Any,                 PositionOpen,  Mark),
    row(ExitWorking,  Ack,             Any,                 ExitWorking,   RecordAck),
    row(ExitWorking,  PartialFill,     Any,                 ExitWorking,   ApplyFill),
    row(ExitWorking,  FullFill,        PositionLeft,        PositionOpen,  CloseLeg),     // multi-leg exit
    row(ExitWorking,  FullFill,        PositionZero,        Closed,        SettleOnce),
    row(ExitWorking,  CancelAck,       PositionLeft,        PositionOpen,  CloseLeg),
    row(ExitWorking,  CancelAck,       PositionZero,        Closed,        SettleOnce),   // the ack's fill closed the position
    row(ExitWorking,  CancelReject,    Any,                 ExitWorking,   NoteCancelReject),
    row(ExitWorking,  Reject,          PositionLeft,        PositionOpen,  CloseLeg),
    row(ExitWorking,  Reject,          PositionZero,        Closed,        SettleOnce),   // fills before the reject closed it
    row(ExitWorking,  Cancel,          CancelNotRequested,  ExitWorking,   RequestCancel),
    row(ExitWorking,  Cancel,          CancelRequested,     ExitWorking,   Ignore),
    row(ExitWorking,  MarkPrice,       HasPosition,         ExitWorking,   Mark),
    row(ExitWorking,  MarkPrice,       NoPosition,          ExitWorking,   Ignore),       // fully filled, FULL_FILL pending
    row(EntryWorking, MarkStaleInput,  Any,                 Stale,         MarkStale),
    row(PositionOpen, MarkStaleInput,  Any,                 Stale,         MarkStale),
    row(ExitWorking,  MarkStaleInput,  Any,                 Stale,         MarkStale),
    row(EntryWorking, Overfill,        Any,                 Stale,         MarkStale),
    row(ExitWorking,  Overfill,        Any,                 Stale,         MarkStale),
    row(PositionOpen, Overfill,        Any,                 Stale,         MarkStale),    // late fill on a finished order
    row(Closed,       Overfill,        Any,                 Stale,         MarkStale),
    row(Idle,         Overfill,        Any,                 Stale,         MarkStale),
    row(Idle,         ForeignOrder,    Any,                 Stale,         MarkStale),    // an order this slot does not know
    row(EntryWorking, ForeignOrder,    Any,                 Stale,         MarkStale),
    row(PositionOpen, ForeignOrder,    Any,                 Stale,         MarkStale),
    row(ExitWorking,  ForeignOrder,    Any,                 Stale,         MarkStale),
    row(Closed,       ForeignOrder,    Any,                 Stale,         MarkStale),
    row(Stale,        Reconcile,       TruthEntryOrder,     EntryWorking,  AdoptTruth),
    row(Stale,        Reconcile,       TruthExitOrder,      ExitWorking,   AdoptTruth),
    row(Stale,        Reconcile,       TruthPosition,       PositionOpen,  AdoptTruth),
    row(Stale,        Reconcile,       TruthFlat,           Idle,          AdoptFlat),    // no settlement: capital is re-seeded
    row(Idle,         Flatten,         Any,                 Idle,          Ignore),       // already flat
    row(Closed,       Flatten,         Any,                 Closed,        Ignore),
    row(EntryWorking, Flatten,         CancelNotRequested,  EntryWorking,  RequestCancel),// the entry is cancelled
    row(EntryWorking, Flatten,         CancelRequested,     EntryWorking,  Ignore),
    row(PositionOpen, Flatten,         Any,                 ExitWorking,   OpenExitLeg),  // the whole position, market, MANUAL
    row(ExitWorking,  Flatten,         CancelNotRequested,  ExitWorking,   RequestCancel),// this leg goes; the next FLATTEN exits all
    row(ExitWorking,  Flatten,         CancelRequested,     ExitWorking,   Ignore),
    // A fill of the slot's own exit order after it ended (taken as absent and ended by a RECONCILE, rejected,
    // cancelled) while the position it was for is still held: booked as the exit's (kernel/README.md decision 38;
    // `fsm/events.rs` decides what may be booked, anything else is an OVERFILL). Appended: row numbers are kept.
    row(PositionOpen, PartialFill,     PositionLeft,        PositionOpen,  LateExitFill),
    row(PositionOpen, PartialFill,     PositionZero,        Closed,        SettleOnce),
    row(PositionOpen, FullFill,        PositionLeft,        PositionOpen,  LateExitFill),
    row(PositionOpen, FullFill,        PositionZero,        Closed,        SettleOnce),
    row(PositionOpen, CancelAck,       PositionLeft,        PositionOpen,  LateExitFill),
    row(PositionOpen, CancelAck,       PositionZero,        Closed,        SettleOnce),
];

const _: () = assert!(TABLE.len() < ROW_NONE as usize, "Invariant: row indices fit TransitionRecord.row");

const STAGE_SLOTS: usize = 7; // Stage raw values 1..=6
const TRIGGER_SLOTS: usize = 18; // Trigger raw values 1..=17

/// The table decided ahead of time: for every `(stage, input)` and every possible `GuardFacts`
/// (`GuardFacts::key`), the index of the one row whose guard holds, or `ROW_NONE`. Built at
/// compile time from `TABLE` by evaluating every guard on every facts value, so a lookup is one
/// load, and "at most one row matches" is proven by the compiler for every input, not sampled.
const fn decide() -> [[[u8; FACTS_KEYS]; TRIGGER_SLOTS]; STAGE_SLOTS] {
    let mut d = [[[ROW_NONE; FACTS_KEYS]; TRIGGER_SLOTS]; STAGE_SLOTS];
    let mut i = 0;
    while i < TABLE.len() {
        let r = TABLE[i];
        let (s, t) = (r.from.raw() as usize, r.input.raw() as usize);
        let mut key = 0;
        while key < FACTS_KEYS {
            if let Some(facts) = GuardFacts::from_key(key) {
                if r.guard.holds(&facts) {
                    assert!(d[s][t][key] == ROW_NONE, "Invariant: at most one table row matches");
                    d[s][t][key] = i as u8;
                }
            }
            key += 1;
        }
        i += 1;
    }
    d
}

const DECIDE: [[[u8; FACTS_KEYS]; TRIGGER_SLOTS]; STAGE_SLOTS] = decide();

/// Whether any row exists per `(stage, input)` pair, whatever the guard.
const fn pairs() -> [[bool; TRIGGER_SLOTS]; STAGE_SLOTS] {
    let mut p = [[false; TRIGGER_SLOTS]; STAGE_SLOTS];
    let mut i = 0;
    while i < TABLE.len() {
        p[TABLE[i].from.raw() as usize][TABLE[i].input.raw() as usize] = true;
        i += 1;
    }
    p
}

const PAIRS: [[bool; TRIGGER_SLOTS]; STAGE_SLOTS] = pairs();

/// The row for `(stage, input)` whose guard holds, with its index. `None` = not allowed.
pub fn lookup(stage: Stage, input: Trigger, facts: &GuardFacts) -> Option<(u8, &'static Row)> {
    let i = DECIDE[stage.raw() as usize][input.raw() as usize][facts.key()];
    if i == ROW_NONE {
        return None;
    }
    let r = &TABLE[i as usize];
    debug_assert!(r.from == stage && r.input == input && r.guard.holds(facts), "Invariant: the decision is its row");
    Some((i, r))
}

/// True when the table has any row for `(stage, input)` (whatever the guard).
pub fn has_pair(stage: Stage, input: Trigger) -> bool {
    PAIRS[stage.raw() as usize][input.raw() as usize]
}

const TABLE_TEXT_CAP: usize = 8 * 1024;

const fn render() -> TextBuf<TABLE_TEXT_CAP> {
    let mut t = TextBuf::new();
    let mut i = 0;
    while i < TABLE.len() {
        let r = TABLE[i];
        t.str(r.from.name());
        t.str(" ");
        t.str(r.input.name());
        t.str(" ");
        t.str(r.guard.name());
        t.str(" ");
        t.str(r.to.name());
        t.str(" ");
        t.str(r.effect.name());
        t.str("\n");
        i += 1;
    }
    t
}

static TABLE_TEXT: TextBuf<TABLE_TEXT_CAP> = render();

/// The NUL-terminated table text.
pub fn table_text() -> &'static [u8] {
    assert!(TABLE_TEXT.bytes[TABLE_TEXT.len] == 0, "Invariant: table text is NUL-terminated");
    &TABLE_TEXT.bytes[..TABLE_TEXT.len + 1]
}
