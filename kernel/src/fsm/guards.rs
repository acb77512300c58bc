//! Guard facts: the few booleans the transition table's guards read.
//!
//! Job: compute `GuardFacts` for one slot and one input *as if the input's fill were applied*
//! (a CANCEL_ACK carrying a fill decides between IDLE and POSITION_OPEN on the filled amount
//! after the ack), without mutating anything, so a table miss changes nothing.
//!
//! Invariants: facts are pure functions of the slot image and the input; every guard family of
//! `table.rs` is decided by exactly one field here.
//!
//! Entry points: `GuardFacts`, `Truth`, `facts_for_slot`, `facts_for_event`, `facts_for_truth`.

use crate::abi::*;
use crate::slot::{order, status_of};

/// The shape of the venue's truth in a RECONCILE (discriminants are `GuardFacts::key` bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Truth {
    /// No RECONCILE in play.
    None = 0,
    /// An open entry order (with or without a position).
    EntryOrder,
    /// An open exit order against a position.
    ExitOrder,
    /// A position and no open order.
    Position,
    /// Flat and no open order.
    Flat,
}

impl Truth {
    pub const ALL: [Truth; 5] = [Truth::None, Truth::EntryOrder, Truth::ExitOrder, Truth::Position, Truth::Flat];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GuardFacts {
    /// The slot holds a position (`size_e8 > 0`), after the input's fill.
    pub has_position: bool,
    /// The working order already has a cancel requested.
    pub cancel_requested: bool,
    /// The order the event is about has filled anything, after the input's fill.
    pub order_filled: bool,
    pub truth: Truth,
}

/// How many distinct `GuardFacts` values `key` can name (3 booleans × 5 truths, in 6 bits).
pub const FACTS_KEYS: usize = 64;

impl GuardFacts {
    /// A dense number for these facts (`from_key` is its inverse), indexing the table's
    /// precomputed decisions.
    #[inline(always)]
    pub fn key(&self) -> usize {
        self.has_position as usize
            | (self.cancel_requested as usize) << 1
            | (self.order_filled as usize) << 2
            | (self.truth as usize) << 3
    }

    /// The facts `key` names, or `None` for a number no facts produce.
    pub const fn from_key(key: usize) -> Option<GuardFacts> {
        let truth = match key >> 3 {
            0 => Truth::None,
            1 => Truth::EntryOrder,
            2 => Truth::ExitOrder,
            3 => Truth::Position,
            4 => Truth::Flat,
            _ => return None,
        };
        Some(GuardFacts {
            has_position: key & 1 != 0,
            cancel_requested: key & 2 != 0,
            order_filled: key & 4 != 0,
            truth,
        })
    }
}

/// Facts of a slot for inputs that carry no fill (intents, marks).
pub fn facts_for_slot(slot: &SlotImage, role: Option<OrderRole>) -> GuardFacts {
    let o = role.map(|r| *order(slot, r));
    GuardFacts {
        has_position: slot.size_e8 > 0,
        cancel_requested: o.is_some_and(|o| status_of(&o) == Some(OrderStatus::CancelRequested)),
        order_filled: o.is_some_and(|o| o.filled_e8 > 0),
        truth: Truth::None,
    }
}

/// Facts for a venue event on the working order of `role`, after its cumulative fill
/// `qty_e8` (monotonic: a smaller cumulative changes nothing).
pub fn facts_for_event(slot: &SlotImage, role: OrderRole, qty_e8: i64) -> GuardFacts {
    let o = order(slot, role);
    assert!(o.present == 1, "Invariant: events are applied to present orders only");
    let filled = o.filled_e8.max(qty_e8);
    let size = match role {
        OrderRole::Entry => filled,
        OrderRole::Exit => slot.size_e8 + o.filled_e8 - filled,
    };
    assert!(size >= 0, "Invariant: a fill never makes the position negative");
    GuardFacts {
        has_position: size > 0,
        cancel_requested: status_of(o) == Some(OrderStatus::CancelRequested),
        order_filled: filled > 0,
        truth: Truth::None,
    }
}

/// Facts for a RECONCILE: the shape of the venue's truth.
pub fn facts_for_truth(slot: &SlotImage, input: &InputRecord) -> GuardFacts {
    let truth = match (OrderRole::from_raw(input.order_role), input.qty_e8 > 0) {
        (Some(OrderRole::Entry), _) => Truth::EntryOrder,
        (Some(OrderRole::Exit), _) => Truth::ExitOrder,
        (None, true) => Truth::Position,
        (None, false) => Truth::Flat,
    };
    GuardFacts { truth, has_position: input.qty_e8 > 0, ..facts_for_slot(slot, None) }
}
