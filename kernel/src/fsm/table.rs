//! The transition table: every stage change the kernel can make, one row each.
//!
//! Job: the rows of DESIGN.md §3 plus the rows kernel/README.md adds (marks while an entry or
//! exit is working, CANCEL self rows, MARK_STALE, the RECONCILE derived stages, OVERFILL and
//! FOREIGN_ORDER to STALE_STATE_RECONCILING), with the guards *in the table*, and the pure
//! lookup `(stage, input, facts) -> Option<&Row>`.
//!
//! Invariants (unit-tested): for every `(from, input)` pair present, the guards of its rows
//! partition every possible `GuardFacts` — exactly one row matches, never two, never none; row
//! indices fit the u8 `TransitionRecord.row` (255 = none). Handlers never assign a stage except
//! through a row's `to`.
//!
//! Entry points: `TABLE`, `lookup`, `Row`, `Effect`, `table_text()` (the
//! `dita_kernel_fsm_table()` text: `FROM INPUT GUARD TO EFFECT` per line).

use super::guards::{GuardFacts, Truth};
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
    pub fn holds(self, f: &GuardFacts) -> bool {
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
            Guard::TruthEntryOrder => f.truth == Truth::EntryOrder,
            Guard::TruthExitOrder => f.truth == Truth::ExitOrder,
            Guard::TruthPosition => f.truth == Truth::Position,
            Guard::TruthFlat => f.truth == Truth::Flat,
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
    Ack, Cancel, CancelAck, CancelReject, Enter, Exit, ForeignOrder, FullFill, MarkPrice, Overfill, PartialFill,
    Reconcile, Reject,
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
];

const _: () = assert!(TABLE.len() < ROW_NONE as usize, "Invariant: row indices fit TransitionRecord.row");

/// Rows per `(stage, input)` pair, at most this many (one per guard case).
const PAIR_ROWS_MAX: usize = 4;
const STAGE_SLOTS: usize = 7; // Stage raw values 1..=6
const TRIGGER_SLOTS: usize = 17; // Trigger raw values 1..=16

/// The table's row indices grouped by `(stage, input)`, built at compile time, so a lookup
/// checks at most `PAIR_ROWS_MAX` guards instead of scanning every row on every input.
#[derive(Clone, Copy)]
struct PairRows {
    n: u8,
    rows: [u8; PAIR_ROWS_MAX],
}

const fn build_index() -> [[PairRows; TRIGGER_SLOTS]; STAGE_SLOTS] {
    let mut index = [[PairRows { n: 0, rows: [0; PAIR_ROWS_MAX] }; TRIGGER_SLOTS]; STAGE_SLOTS];
    let mut i = 0;
    while i < TABLE.len() {
        let (s, t) = (TABLE[i].from.raw() as usize, TABLE[i].input.raw() as usize);
        let p = &mut index[s][t];
        assert!((p.n as usize) < PAIR_ROWS_MAX, "Invariant: too many rows for one (stage, input) pair");
        p.rows[p.n as usize] = i as u8;
        p.n += 1;
        i += 1;
    }
    index
}

const INDEX: [[PairRows; TRIGGER_SLOTS]; STAGE_SLOTS] = build_index();

/// The row for `(stage, input)` whose guard holds, with its index. `None` = not allowed.
pub fn lookup(stage: Stage, input: Trigger, facts: &GuardFacts) -> Option<(u8, &'static Row)> {
    let pair = &INDEX[stage.raw() as usize][input.raw() as usize];
    let mut found = None;
    for &i in &pair.rows[..pair.n as usize] {
        let r = &TABLE[i as usize];
        assert!(r.from == stage && r.input == input, "Invariant: the index points at rows of its pair");
        if r.guard.holds(facts) {
            assert!(found.is_none(), "Invariant: at most one table row matches");
            found = Some((i, r));
        }
    }
    found
}

/// True when the table has any row for `(stage, input)` (whatever the guard).
pub fn has_pair(stage: Stage, input: Trigger) -> bool {
    INDEX[stage.raw() as usize][input.raw() as usize].n > 0
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
