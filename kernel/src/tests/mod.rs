//! Kernel test suites, run through the `extern "C"` surface (the same calls the TypeScript
//! binding makes) wherever practical.
//!
//! - `table_rows`: one named test per transition-table row, plus the table's own properties;
//! - `diagnostic_codes`: one test per diagnostic code;
//! - `scenarios`: multi-leg PnL by hand, settle once, idempotency, reordering, determinism,
//!   batch = sequential, restore, the fault latch;
//! - `hostile`: hostile values are refused with a diagnostic and leave state byte-identical;
//! - `boundary`: what the kernel accepts stays restorable (huge valid sizes and prices, versions),
//!   RECONCILE truth contradicting the slot, hostile snapshot bodies behind a valid envelope;
//! - `pipeline`: the apply thread equals the sequential batch; busy, fault, null, free;
//! - `snapshot`: snapshot round trips and every corruption refused without a change;
//! - `risk_notional`: a SHORT limit entry's notional is counted at max(limit, last mark), and a
//!   stale slot's working entry still counts in gross exposure;
//! - `reconcile_reopen`: a RECONCILE naming an order the slot already ended counts it once;
//! - `restore_paths`: no restore (snapshot or slot image) leaves two slots holding one trade id;
//!   a snapshot length past isize::MAX is refused; a RECONCILE keeps its kept order's side;
//! - `late_fill`: late fills beyond a replaced order's final size are OVERFILLs; snapshot formats;
//! - `late_exit_fill`: a late fill of the slot's own ended exit order, the position still held, is
//!   booked as the exit's (reduces, or closes and settles once); what cannot be booked is an OVERFILL;
//! - `late_exit_edges`: which ids name that order, what it learns from the fill, a slot working its
//!   entry again, a fill past a partial exit, and the 8 exit legs the finished-order ring vouches for;
//! - `reconcile_adopt`: RECONCILE keeps the working order it names (ids, leg, times, a pending
//!   cancel) and adopts an unknown one as the next order; truths without a side or a position
//!   for their order are refused;
//! - `slot_memory`: duplicates are decided by whole event ids, and every finished order is
//!   remembered with its final size (also one known by venue id only);
//! - `event_routing`: routing by whole client ids, equal and older cumulative fills, venue ids
//!   kept, a refused cancel's status, a closed trade's +0 unrealized PnL;
//! - `slot_index`: the index check notices drift; marks reach slots past the first 64;
//! - `accepted_edges`, `image_checks`: input and slot image validation at each bound's edge;
//! - `abi_text`: the ABI description and table text against kernel/ABI.md and the table.
//!
//! This module holds the harness (`K`, `Outcome`) and the input builders.

mod abi_text;
mod accepted_edges;
mod boundary;
mod controls;
mod diagnostic_codes;
mod event_routing;
mod hostile;
mod image_checks;
mod late_exit_edges;
mod late_exit_fill;
mod late_fill;
mod pipeline;
mod reconcile_adopt;
mod reconcile_reopen;
mod restore_paths;
mod risk_notional;
mod scenarios;
mod slot_index;
mod slot_memory;
mod snapshot;
mod table_rows;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use crate::abi::*;
use crate::fsm::Kernel;
use crate::*;

/// Counts heap allocations per thread, so a test can prove a code path allocates nothing.
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count_allocation() {
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_allocation();
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_allocation();
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Heap allocations made by this thread so far.
pub fn alloc_count() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

pub const T0: u64 = 1_700_000_000_000;
pub const BTC: &str = "BTC-USDT";

/// A kernel handle driven through the exported functions.
pub struct K {
    pub ptr: *mut Kernel,
}

/// A copy of one call's outcome arena.
#[derive(Debug)]
pub struct Outcome {
    pub status: u32,
    pub header: OutcomeHeader,
    pub accepted: Vec<u8>,
    pub transitions: Vec<TransitionRecord>,
    pub diags: Vec<DiagnosticRecord>,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        self.status == STATUS_OK && self.accepted.first() == Some(&1)
    }

    pub fn codes(&self) -> Vec<DiagCode> {
        self.diags.iter().map(|d| DiagCode::from_raw(d.code).expect("valid code")).collect()
    }

    pub fn messages(&self) -> Vec<String> {
        self.diags.iter().map(message).collect()
    }

    pub fn only_transition(&self) -> TransitionRecord {
        assert_eq!(self.transitions.len(), 1, "transitions: {:?}, diags: {:?}", self.transitions, self.messages());
        self.transitions[0]
    }
}

pub fn message(d: &DiagnosticRecord) -> String {
    let end = d.message.iter().position(|&b| b == 0).unwrap_or(d.message.len());
    String::from_utf8(d.message[..end].to_vec()).expect("messages are UTF-8")
}

impl K {
    pub fn new(slots: u32) -> K {
        Self::with(slots, slots, 30_000)
    }

    pub fn with(slots: u32, limit: u32, hung_ms: u64) -> K {
        let ptr = dita_kernel_new(slots, limit, hung_ms);
        assert!(!ptr.is_null());
        K { ptr }
    }

    pub fn kernel(&mut self) -> &mut Kernel {
        unsafe { &mut *self.ptr }
    }

    pub fn apply(&mut self, input: InputRecord) -> Outcome {
        let status = unsafe { dita_kernel_apply(self.ptr, &input) };
        self.outcome(status)
    }

    pub fn batch(&mut self, inputs: &[InputRecord]) -> (u32, Outcome) {
        let n = unsafe { dita_kernel_apply_batch(self.ptr, inputs.as_ptr(), inputs.len() as u32) };
        (n, self.outcome(STATUS_OK))
    }

    pub fn restore(&mut self, image: &SlotImage, now_ms: u64) -> Outcome {
        let status = unsafe { dita_kernel_restore_slot(self.ptr, image, now_ms) };
        self.outcome(status)
    }

    /// The outcome of the last call. Every test call passes through here, so it also checks
    /// that the slot index still equals one rebuilt from the slots (fsm/index.rs).
    pub fn outcome(&self, status: u32) -> Outcome {
        unsafe {
            let k = &*self.ptr;
            assert!(k.index.matches(&k.slots), "Invariant: the slot index is derived from the slots");
            let header = *dita_kernel_outcome(self.ptr);
            let accepted = std::slice::from_raw_parts(dita_kernel_accepted(self.ptr), header.inputs as usize).to_vec();
            let transitions =
                std::slice::from_raw_parts(dita_kernel_transitions(self.ptr), header.transitions as usize).to_vec();
            let diags =
                std::slice::from_raw_parts(dita_kernel_diagnostics(self.ptr), header.diagnostics as usize).to_vec();
            Outcome { status, header, accepted, transitions, diags }
        }
    }

    pub fn slot(&self, id: u32) -> SlotImage {
        assert!(id < self.slot_count());
        unsafe { *dita_kernel_slots(self.ptr).add(id as usize) }
    }

    pub fn slot_count(&self) -> u32 {
        unsafe { dita_kernel_slot_count(self.ptr) }
    }

    pub fn stage(&self, id: u32) -> Stage {
        Stage::from_raw(self.slot(id).stage).expect("valid stage")
    }

    pub fn account(&self) -> AccountImage {
        unsafe { *dita_kernel_account(self.ptr) }
    }

    pub fn hash(&self) -> u64 {
        unsafe { dita_kernel_state_hash(self.ptr) }
    }

    /// Every byte of observable state: hash, account and slot images.
    pub fn snapshot(&self) -> (u64, Vec<u8>) {
        let mut bytes = self.account().bytes().to_vec();
        for id in 0..self.slot_count() {
            bytes.extend_from_slice(self.slot(id).bytes());
        }
        (self.hash(), bytes)
    }
}

impl Drop for K {
    fn drop(&mut self) {
        unsafe { dita_kernel_free(self.ptr) }
    }
}

pub fn text<const N: usize>(s: &str) -> [u8; N] {
    let mut out = [0u8; N];
    out[..s.len()].copy_from_slice(s.as_bytes());
    out
}

pub fn e8(units: f64) -> i64 {
    (units * 1e8).round() as i64
}

pub fn input(kind: InputKind, slot_id: u32, now_ms: u64) -> InputRecord {
    InputRecord { kind: kind.raw(), slot_id, now_ms, ..InputRecord::ZERO }
}

pub fn enter(slot: u32, trade_id: &str, side: Side, qty_e8: i64, now_ms: u64) -> InputRecord {
    InputRecord {
        qty_e8,
        leverage: 5,
        side: side.raw(),
        order_type: OrderType::Market.raw(),
        asset: text(BTC),
        trade_id: text(trade_id),
        ..input(InputKind::Enter, slot, now_ms)
    }
}

pub fn exit(slot: u32, qty_e8: i64, now_ms: u64) -> InputRecord {
    InputRecord {
        qty_e8,
        order_type: OrderType::Market.raw(),
        exit_reason: ExitReason::Tp.raw(),
        ..input(InputKind::Exit, slot, now_ms)
    }
}

pub fn cancel(slot: u32, now_ms: u64) -> InputRecord {
    input(InputKind::Cancel, slot, now_ms)
}

pub fn mark(price: f64, now_ms: u64) -> InputRecord {
    InputRecord { price, asset: text(BTC), ..input(InputKind::MarkPrice, 0, now_ms) }
}

pub fn tick(now_ms: u64) -> InputRecord {
    input(InputKind::Tick, 0, now_ms)
}

pub fn seed(amount: f64, value: u64, now_ms: u64) -> InputRecord {
    InputRecord { amount, value, ..input(InputKind::SeedCapital, 0, now_ms) }
}

pub fn mark_stale(slot: u32, reason: StaleReason, now_ms: u64) -> InputRecord {
    InputRecord { stale_reason: reason.raw(), ..input(InputKind::MarkStale, slot, now_ms) }
}

pub fn configure(key: ConfigKey, value: u64, now_ms: u64) -> InputRecord {
    InputRecord { config_key: key.raw(), value, ..input(InputKind::Configure, 0, now_ms) }
}

/// CONFIGURE of a money or ratio key (read from `amount`).
pub fn configure_amount(key: ConfigKey, amount: f64, now_ms: u64) -> InputRecord {
    InputRecord { config_key: key.raw(), amount, ..input(InputKind::Configure, 0, now_ms) }
}

pub fn flatten(slot: u32, now_ms: u64) -> InputRecord {
    input(InputKind::Flatten, slot, now_ms)
}

/// A venue event routed by client order id (`SLOT_ANY`).
pub fn event(
    kind: EventKind,
    client_id: &str,
    event_id: &str,
    qty_e8: i64,
    price: f64,
    fee: f64,
    now_ms: u64,
) -> InputRecord {
    InputRecord {
        event_kind: kind.raw(),
        qty_e8,
        price,
        fee,
        retry_after_ms: -1,
        client_order_id: text(client_id),
        event_id: text(event_id),
        ..input(InputKind::VenueEvent, SLOT_ANY, now_ms)
    }
}

pub fn ack(client_id: &str, event_id: &str, now_ms: u64) -> InputRecord {
    InputRecord {
        venue_order_id: text(&format!("V{client_id}")),
        ..event(EventKind::Ack, client_id, event_id, 0, 0.0, 0.0, now_ms)
    }
}

pub fn reject(client_id: &str, event_id: &str, reason: RejectReason, now_ms: u64) -> InputRecord {
    InputRecord { reject_reason: reason.raw(), ..event(EventKind::Reject, client_id, event_id, 0, 0.0, 0.0, now_ms) }
}

/// The venue's truth for a RECONCILE: a position and optionally one open order.
pub struct Truth<'a> {
    pub side: u8,
    pub qty_e8: i64,
    pub price: f64,
    pub order: Option<(OrderRole, &'a str, i64, i64, f64)>,
}

pub fn reconcile(slot: u32, t: Truth, now_ms: u64) -> InputRecord {
    let mut i =
        InputRecord { side: t.side, qty_e8: t.qty_e8, price: t.price, ..input(InputKind::Reconcile, slot, now_ms) };
    if let Some((role, client_id, qty, filled, avg)) = t.order {
        i.order_role = role.raw();
        i.client_order_id = text(client_id);
        i.order_qty_e8 = qty;
        i.order_filled_e8 = filled;
        i.last_price = avg;
    }
    i
}

/// Seeds 10 000 and opens a LONG position of `qty_e8` at `price` on `slot` (trade `tid`).
pub fn open_position(k: &mut K, slot: u32, tid: &str, qty_e8: i64, price: f64) {
    if k.account().seeded == 0 {
        assert!(k.apply(seed(10_000.0, 0, T0)).ok());
    }
    assert!(k.apply(enter(slot, tid, Side::Long, qty_e8, T0 + 1)).ok());
    let cid = format!("{tid}-E");
    assert!(k.apply(ack(&cid, &format!("{tid}-ack"), T0 + 2)).ok());
    let o = k.apply(event(EventKind::FullFill, &cid, &format!("{tid}-fill"), qty_e8, price, 0.5, T0 + 3));
    assert!(o.ok(), "{:?}", o.messages());
    assert_eq!(k.stage(slot), Stage::PositionOpen);
}

/// Index of the table row `(from, input, guard name)`.
pub fn row_index(from: Stage, input: Trigger, guard: &str) -> u8 {
    crate::fsm::table::TABLE
        .iter()
        .position(|r| r.from == from && r.input == input && r.guard.name() == guard)
        .unwrap_or_else(|| panic!("no row {from:?} {input:?} {guard}")) as u8
}
