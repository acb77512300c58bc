//! The binary contract of kernel/ABI.md: every record that crosses the FFI boundary.
//!
//! Job: define the `#[repr(C)]` records (inputs, slot/order/account images, transition and
//! diagnostic records, the outcome header), the ABI constants, and the enums (`abi/enums.rs`).
//! `abi/describe.rs` renders all of it into the `dita_abi_describe()` text.
//!
//! Invariants (all checked at compile time by `layout!`):
//! - every record has exactly the size of ABI.md, and every field (reserved bytes included) sits
//!   at the offset ABI.md gives, with the width ABI.md gives;
//! - the fields of a record tile it without gaps, so a record has no implicit padding and its
//!   bytes can be hashed and compared directly (`Record`).
//!
//! Entry points: the record types, `Record::bytes`, the constants, `FieldDesc` tables
//! (`InputRecord::FIELDS`, ...).

use core::mem::{offset_of, size_of, size_of_val};

mod describe;
mod enums;

pub use describe::{describe_text, TextBuf};
pub use enums::*;

pub const ABI_MAJOR: u64 = 1;
pub const ABI_MINOR: u64 = 5;
/// `slot_id` meaning "route by order id" (venue events) or "none" (diagnostics).
pub const SLOT_ANY: u32 = 0xFFFF_FFFF;
/// Quantities are i64 counts of 1e-8 base units.
pub const QTY_SCALE_E8: i64 = 100_000_000;
pub const QTY_MAX_E8: i64 = 100_000_000_000_000_000;
pub const QTY_NOT_FINITE: i64 = i64::MIN;
pub const QTY_OUT_OF_RANGE: i64 = i64::MIN + 1;
pub const QTY_TOO_PRECISE: i64 = i64::MIN + 2;
pub const PRICE_MAX: f64 = 1e12;
pub const MONEY_MAX: f64 = 1e15;
pub const LEVERAGE_MAX: u16 = 125;
pub const SLOT_COUNT_MAX: u32 = 256;
pub const HUNG_ORDER_MS_MAX: u64 = 86_400_000;
/// `now_ms` must survive a round trip through a JSON number (2^53 - 1).
pub const NOW_MS_MAX: u64 = (1 << 53) - 1;
pub const BATCH_MAX: usize = 1024;
pub const TRANSITIONS_CAPACITY: usize = 4096;
pub const DIAGNOSTICS_CAPACITY: usize = 4096 + 256;
pub const SEEN_EVENTS_PER_SLOT: usize = 32;
pub const FINISHED_ORDERS_PER_SLOT: usize = 8;
pub const MESSAGE_BYTES: usize = 120;
/// `TransitionRecord.row` when no table row applied (RESTORE).
pub const ROW_NONE: u8 = 255;
/// From this exit leg on (the last 255), the kernel warns (EXIT_LEGS_LOW) with the EXIT or FLATTEN
/// that opened it: at every fifth leg, then at each of the last ten.
pub const EXIT_LEGS_WARN_FROM: u16 = EXIT_LEGS_MAX - 255;
/// Exit legs are counted in a u16 (`leg_lo` + 256 × `leg_hi`), so a trade has at most this many.
pub const EXIT_LEGS_MAX: u16 = u16::MAX;
/// The largest `max_orders_per_minute`: the order-time window keeps this many stamps.
pub const ORDERS_PER_MINUTE_MAX: u32 = 1200;
/// Assets whose last mark the kernel remembers (for notional limits); the oldest is replaced.
pub const MARKS_MAX: usize = 64;
/// `SnapshotHeader.magic`: the bytes `DITASNAP` read as a little-endian u64.
pub const SNAPSHOT_MAGIC: u64 = u64::from_le_bytes(*b"DITASNAP");
/// The snapshot body layout (`snapshot.rs`) this kernel writes. It also reads format 1 (no final
/// filled sizes in the finished-order ring); any other format version is refused.
pub const SNAPSHOT_FORMAT_VERSION: u32 = 2;
/// Header and the slot-count-independent sections (controls, account, order window, mark book).
pub const SNAPSHOT_FIXED_BYTES: usize = 11_872;
/// Per slot: its image and its bounded memory (seen-event ring, finished-order ring with final
/// filled sizes); 2 640 in format 1.
pub const SNAPSHOT_SLOT_BYTES: usize = 2_704;

/// How `dita_abi_describe` names the kind of a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    U8,
    U16,
    U32,
    U64,
    I64,
    F64,
    Bytes,
    Record,
}

impl Kind {
    pub const fn name(self) -> &'static str {
        match self {
            Kind::U8 => "u8",
            Kind::U16 => "u16",
            Kind::U32 => "u32",
            Kind::U64 => "u64",
            Kind::I64 => "i64",
            Kind::F64 => "f64",
            Kind::Bytes => "bytes",
            Kind::Record => "record",
        }
    }
}

/// One field of a record as ABI.md lists it.
#[derive(Clone, Copy, Debug)]
pub struct FieldDesc {
    pub name: &'static str,
    pub offset: usize,
    pub width: usize,
    pub kind: Kind,
}

/// A fixed-layout record without implicit padding (checked by `layout!`).
///
/// # Safety
/// Implementors must be `#[repr(C)]`, contain only integers, floats and arrays of them, and have
/// fields that tile the record without gaps.
pub unsafe trait Record: Sized {
    const NAME: &'static str;
    const SIZE: usize;
    const FIELDS: &'static [FieldDesc];

    /// The record's bytes (little-endian on every supported target).
    fn bytes(&self) -> &[u8] {
        // SAFETY: `Record` guarantees a padding-free POD layout of `size_of::<Self>()` bytes.
        unsafe { core::slice::from_raw_parts((self as *const Self).cast::<u8>(), size_of::<Self>()) }
    }

    /// The record held by `bytes` (exactly `SIZE` bytes, any alignment). Every bit pattern is a
    /// value of the record (integers, floats and byte arrays only); the caller validates the fields.
    fn from_bytes(bytes: &[u8]) -> Self {
        assert!(bytes.len() == size_of::<Self>(), "Invariant: from_bytes needs exactly one record");
        // SAFETY: the length is checked above, the read is unaligned, and a `Record` has no
        // invalid bit patterns (no bool, enum, char or reference fields: see the trait's contract).
        unsafe { core::ptr::read_unaligned(bytes.as_ptr().cast::<Self>()) }
    }
}

/// Checks at compile time that the fields tile `[0, size)` in order without gaps or overlaps.
const fn assert_tiled(fields: &[FieldDesc], size: usize) {
    let mut next = 0;
    let mut i = 0;
    while i < fields.len() {
        assert!(fields[i].offset == next, "Invariant: ABI fields must tile the record");
        next = fields[i].offset + fields[i].width;
        i += 1;
    }
    assert!(next == size, "Invariant: ABI fields must cover the whole record");
}

/// Declares the ABI.md layout of a record and asserts it at compile time: size, and for every
/// field its offset (`offset_of!`) and width (`size_of_val`), and that the fields tile the record.
macro_rules! layout {
    ($rec:ident, $size:expr, [$(($field:ident, $off:expr, $width:expr, $kind:ident)),* $(,)?]) => {
        const _: () = assert!(size_of::<$rec>() == $size, concat!("Invariant: size of ", stringify!($rec)));
        $(
            const _: () = assert!(offset_of!($rec, $field) == $off,
                concat!("Invariant: offset of ", stringify!($rec), ".", stringify!($field)));
            const _: () = assert!(size_of_val(&$rec::ZERO.$field) == $width,
                concat!("Invariant: width of ", stringify!($rec), ".", stringify!($field)));
        )*
        // SAFETY: repr(C), plain numeric fields, and the tiling assert below proves no padding.
        unsafe impl Record for $rec {
            const NAME: &'static str = stringify!($rec);
            const SIZE: usize = $size;
            const FIELDS: &'static [FieldDesc] = &[
                $(FieldDesc { name: stringify!($field), offset: $off, width: $width, kind: Kind::$kind }),*
            ];
        }
        const _: () = assert_tiled(<$rec as Record>::FIELDS, $size);
        impl $rec {
            // SAFETY: every field is an integer, a float or an array of them: all-zero is valid.
            pub const ZERO: $rec = unsafe { core::mem::zeroed() };
        }
    };
}

/// One input of any kind, tagged by `kind` (InputKind). Fields a kind does not use are ignored.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct InputRecord {
    pub kind: u16,
    pub _reserved0: u16,
    pub slot_id: u32,
    pub now_ms: u64,
    pub qty_e8: i64,
    pub last_qty_e8: i64,
    pub price: f64,
    pub last_price: f64,
    pub fee: f64,
    pub amount: f64,
    pub retry_after_ms: i64,
    pub value: u64,
    pub leverage: u16,
    pub side: u8,
    pub order_type: u8,
    pub exit_reason: u8,
    pub event_kind: u8,
    pub reject_reason: u8,
    pub stale_reason: u8,
    pub config_key: u8,
    pub order_role: u8,
    pub _reserved1: [u8; 6],
    pub order_qty_e8: i64,
    pub order_filled_e8: i64,
    pub asset: [u8; 24],
    pub trade_id: [u8; 32],
    pub venue_order_id: [u8; 32],
    pub client_order_id: [u8; 40],
    pub event_id: [u8; 64],
    /// The producer's id for this intent (0 = none): never read by the kernel; the launcher
    /// publishes the intent's outcome under it (Zinc outcomes region).
    pub client_intent_id: u64,
    pub _reserved2: [u8; 8],
}

layout!(
    InputRecord,
    320,
    [
        (kind, 0, 2, U16),
        (_reserved0, 2, 2, U16),
        (slot_id, 4, 4, U32),
        (now_ms, 8, 8, U64),
        (qty_e8, 16, 8, I64),
        (last_qty_e8, 24, 8, I64),
        (price, 32, 8, F64),
        (last_price, 40, 8, F64),
        (fee, 48, 8, F64),
        (amount, 56, 8, F64),
        (retry_after_ms, 64, 8, I64),
        (value, 72, 8, U64),
        (leverage, 80, 2, U16),
        (side, 82, 1, U8),
        (order_type, 83, 1, U8),
        (exit_reason, 84, 1, U8),
        (event_kind, 85, 1, U8),
        (reject_reason, 86, 1, U8),
        (stale_reason, 87, 1, U8),
        (config_key, 88, 1, U8),
        (order_role, 89, 1, U8),
        (_reserved1, 90, 6, Bytes),
        (order_qty_e8, 96, 8, I64),
        (order_filled_e8, 104, 8, I64),
        (asset, 112, 24, Bytes),
        (trade_id, 136, 32, Bytes),
        (venue_order_id, 168, 32, Bytes),
        (client_order_id, 200, 40, Bytes),
        (event_id, 240, 64, Bytes),
        (client_intent_id, 304, 8, U64),
        (_reserved2, 312, 8, Bytes),
    ]
);

/// An order of a slot (entry or exit leg), embedded in `SlotImage`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct OrderImage {
    pub present: u8,
    pub side: u8,
    pub status: u8,
    pub order_type: u8,
    pub role: u8,
    pub leg_lo: u8,
    pub hung: u8,
    pub reject_reason: u8,
    pub intended_e8: i64,
    pub filled_e8: i64,
    pub avg_fill_price: f64,
    pub limit_price: f64,
    pub fee: f64,
    pub last_update_ms: u64,
    pub created_at_ms: u64,
    pub venue_order_id: [u8; 32],
    pub client_order_id: [u8; 40],
    pub leg_hi: u8,
    pub _reserved: [u8; 7],
}

layout!(
    OrderImage,
    144,
    [
        (present, 0, 1, U8),
        (side, 1, 1, U8),
        (status, 2, 1, U8),
        (order_type, 3, 1, U8),
        (role, 4, 1, U8),
        (leg_lo, 5, 1, U8),
        (hung, 6, 1, U8),
        (reject_reason, 7, 1, U8),
        (intended_e8, 8, 8, I64),
        (filled_e8, 16, 8, I64),
        (avg_fill_price, 24, 8, F64),
        (limit_price, 32, 8, F64),
        (fee, 40, 8, F64),
        (last_update_ms, 48, 8, U64),
        (created_at_ms, 56, 8, U64),
        (venue_order_id, 64, 32, Bytes),
        (client_order_id, 96, 40, Bytes),
        (leg_hi, 136, 1, U8),
        (_reserved, 137, 7, Bytes),
    ]
);

/// The execution state of one slot, readable in place by callers (zero-copy).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SlotImage {
    pub slot_id: u32,
    pub stage: u8,
    pub side: u8,
    pub exit_reason: u8,
    pub stale_reason: u8,
    pub version: u64,
    pub updated_at_ms: u64,
    pub size_e8: i64,
    pub entry_price: f64,
    pub leverage: u16,
    pub is_open: u8,
    pub leg_lo: u8,
    pub leg_hi: u8,
    pub _reserved0: [u8; 3],
    pub realized_pnl: f64,
    pub unrealized_pnl: f64,
    pub mark_price: f64,
    pub fees: f64,
    pub entry_order: OrderImage,
    pub exit_order: OrderImage,
    pub asset: [u8; 24],
    pub trade_id: [u8; 32],
    pub realized_closed_legs: f64,
    pub fees_closed_orders: f64,
    pub _reserved1: [u8; 8],
}

layout!(
    SlotImage,
    448,
    [
        (slot_id, 0, 4, U32),
        (stage, 4, 1, U8),
        (side, 5, 1, U8),
        (exit_reason, 6, 1, U8),
        (stale_reason, 7, 1, U8),
        (version, 8, 8, U64),
        (updated_at_ms, 16, 8, U64),
        (size_e8, 24, 8, I64),
        (entry_price, 32, 8, F64),
        (leverage, 40, 2, U16),
        (is_open, 42, 1, U8),
        (leg_lo, 43, 1, U8),
        (leg_hi, 44, 1, U8),
        (_reserved0, 45, 3, Bytes),
        (realized_pnl, 48, 8, F64),
        (unrealized_pnl, 56, 8, F64),
        (mark_price, 64, 8, F64),
        (fees, 72, 8, F64),
        (entry_order, 80, 144, Record),
        (exit_order, 224, 144, Record),
        (asset, 368, 24, Bytes),
        (trade_id, 392, 32, Bytes),
        (realized_closed_legs, 424, 8, F64),
        (fees_closed_orders, 432, 8, F64),
        (_reserved1, 440, 8, Bytes),
    ]
);

/// An exit leg number is split over two bytes so that ABI 1.4's `leg` byte keeps its offset and an
/// image of a trade with fewer than 256 legs is byte for byte what ABI 1.4 wrote.
macro_rules! split_leg {
    ($rec:ident) => {
        impl $rec {
            /// The exit leg: `leg_lo + 256 × leg_hi` (0 for an entry order or a slot with no exit yet).
            pub const fn leg(&self) -> u16 {
                u16::from_le_bytes([self.leg_lo, self.leg_hi])
            }

            pub fn set_leg(&mut self, leg: u16) {
                [self.leg_lo, self.leg_hi] = leg.to_le_bytes();
            }
        }
    };
}

split_leg!(OrderImage);
split_leg!(SlotImage);

/// The account projection: capital, PnL, drawdown.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct AccountImage {
    pub capital: f64,
    pub peak_capital: f64,
    pub drawdown: f64,
    pub drawdown_ratio: f64,
    pub fees_paid: f64,
    pub realized_pnl_total: f64,
    pub unrealized_pnl: f64,
    pub equity: f64,
    pub trade_seq: u64,
    pub version: u64,
    pub seeded: u8,
    pub _reserved: [u8; 15],
}

layout!(
    AccountImage,
    96,
    [
        (capital, 0, 8, F64),
        (peak_capital, 8, 8, F64),
        (drawdown, 16, 8, F64),
        (drawdown_ratio, 24, 8, F64),
        (fees_paid, 32, 8, F64),
        (realized_pnl_total, 40, 8, F64),
        (unrealized_pnl, 48, 8, F64),
        (equity, 56, 8, F64),
        (trade_seq, 64, 8, U64),
        (version, 72, 8, U64),
        (seeded, 80, 1, U8),
        (_reserved, 81, 15, Bytes),
    ]
);

/// One stage transition (or self transition) made by a call.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TransitionRecord {
    pub input_index: u32,
    pub slot_id: u32,
    pub version: u64,
    pub now_ms: u64,
    pub from: u8,
    pub to: u8,
    pub trigger: u8,
    pub row: u8,
    pub _reserved: u32,
}

layout!(
    TransitionRecord,
    32,
    [
        (input_index, 0, 4, U32),
        (slot_id, 4, 4, U32),
        (version, 8, 8, U64),
        (now_ms, 16, 8, U64),
        (from, 24, 1, U8),
        (to, 25, 1, U8),
        (trigger, 26, 1, U8),
        (row, 27, 1, U8),
        (_reserved, 28, 4, U32),
    ]
);

/// One refusal or anomaly, with a deterministic message.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct DiagnosticRecord {
    pub input_index: u32,
    pub slot_id: u32,
    pub code: u16,
    pub severity: u8,
    pub input_kind: u8,
    pub stage: u8,
    pub retryable: u8,
    pub field: u8,
    pub _reserved: u8,
    pub retry_after_ms: i64,
    pub value: f64,
    pub now_ms: u64,
    pub message: [u8; MESSAGE_BYTES],
}

layout!(
    DiagnosticRecord,
    160,
    [
        (input_index, 0, 4, U32),
        (slot_id, 4, 4, U32),
        (code, 8, 2, U16),
        (severity, 10, 1, U8),
        (input_kind, 11, 1, U8),
        (stage, 12, 1, U8),
        (retryable, 13, 1, U8),
        (field, 14, 1, U8),
        (_reserved, 15, 1, U8),
        (retry_after_ms, 16, 8, I64),
        (value, 24, 8, F64),
        (now_ms, 32, 8, U64),
        (message, 40, 120, Bytes),
    ]
);

/// Counts and dirty flags of the last call's outcome.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct OutcomeHeader {
    pub inputs: u32,
    pub accepted: u32,
    pub transitions: u32,
    pub diagnostics: u32,
    pub dirty_slots: [u64; 4],
    pub account_dirty: u8,
    pub faulted: u8,
    pub _reserved: [u8; 14],
}

layout!(
    OutcomeHeader,
    64,
    [
        (inputs, 0, 4, U32),
        (accepted, 4, 4, U32),
        (transitions, 8, 4, U32),
        (diagnostics, 12, 4, U32),
        (dirty_slots, 16, 32, Bytes),
        (account_dirty, 48, 1, U8),
        (faulted, 49, 1, U8),
        (_reserved, 50, 14, Bytes),
    ]
);

/// The first 64 bytes of a kernel snapshot (`dita_kernel_snapshot`); the body follows
/// (`snapshot.rs` lays it out). `checksum` is the state hash's FNV-1a 64 over the header with
/// `checksum` left out, then the body.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SnapshotHeader {
    pub magic: u64,
    pub format_version: u32,
    pub abi_major: u32,
    pub abi_minor: u32,
    pub slot_count: u32,
    pub body_bytes: u64,
    pub checksum: u64,
    pub state_hash: u64,
    pub _reserved: [u8; 16],
}

layout!(
    SnapshotHeader,
    64,
    [
        (magic, 0, 8, U64),
        (format_version, 8, 4, U32),
        (abi_major, 12, 4, U32),
        (abi_minor, 16, 4, U32),
        (slot_count, 20, 4, U32),
        (body_bytes, 24, 8, U64),
        (checksum, 32, 8, U64),
        (state_hash, 40, 8, U64),
        (_reserved, 48, 16, Bytes),
    ]
);

const _: () = assert!(SLOT_COUNT_MAX as usize <= 4 * 64, "Invariant: dirty bitmask covers every slot");
const _: () = assert!(DIAGNOSTICS_CAPACITY >= TRANSITIONS_CAPACITY + SLOT_COUNT_MAX as usize);
