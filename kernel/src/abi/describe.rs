//! The `dita_abi_describe()` text, rendered at compile time into a static NUL-terminated buffer.
//!
//! Format (kernel/ABI.md), one item per line:
//! ```text
//! DITA-ABI <major> <minor> little
//! record <Name> <size>
//! field <Name> <field> <offset> <width> <kind>
//! const <NAME> <value>
//! ```
//! Every record is listed with every field (reserved bytes included), then the numeric limits,
//! the capacities and every enum value (`const STAGE_ENTRY_WORKING 2`).
//!
//! Invariants: the text is produced by a `const fn` from the same `FieldDesc` tables that the
//! compile-time layout asserts check, so it cannot drift from the records; it is ASCII and ends
//! with NUL bytes. `TextBuf` (a const-evaluable byte writer) is shared with the FSM table text.
//!
//! Entry points: `describe_text()`, `TextBuf`.

use super::*;

/// A byte buffer writable in `const fn`; overflowing it is a compile-time error.
pub struct TextBuf<const N: usize> {
    pub bytes: [u8; N],
    pub len: usize,
}

impl<const N: usize> TextBuf<N> {
    pub const fn new() -> Self {
        TextBuf { bytes: [0; N], len: 0 }
    }

    pub const fn str(&mut self, s: &str) {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            self.bytes[self.len] = b[i];
            self.len += 1;
            i += 1;
        }
        assert!(self.len < N, "Invariant: const text buffer keeps a NUL terminator");
    }

    pub const fn u64(&mut self, v: u64) {
        let mut digits = [0u8; 20];
        let mut n = 0;
        let mut x = v;
        loop {
            digits[n] = b'0' + (x % 10) as u8;
            n += 1;
            x /= 10;
            if x == 0 {
                break;
            }
        }
        while n > 0 {
            n -= 1;
            self.bytes[self.len] = digits[n];
            self.len += 1;
        }
        assert!(self.len < N, "Invariant: const text buffer keeps a NUL terminator");
    }

    pub const fn i64(&mut self, v: i64) {
        if v < 0 {
            self.str("-");
        }
        self.u64(v.unsigned_abs());
    }
}

const DESCRIBE_CAP: usize = 16 * 1024;

const fn record<R: Record>(t: &mut TextBuf<DESCRIBE_CAP>) {
    t.str("record ");
    t.str(R::NAME);
    t.str(" ");
    t.u64(R::SIZE as u64);
    t.str("\n");
    let mut i = 0;
    while i < R::FIELDS.len() {
        let f = R::FIELDS[i];
        t.str("field ");
        t.str(R::NAME);
        t.str(" ");
        t.str(f.name);
        t.str(" ");
        t.u64(f.offset as u64);
        t.str(" ");
        t.u64(f.width as u64);
        t.str(" ");
        t.str(f.kind.name());
        t.str("\n");
        i += 1;
    }
}

const fn constant(t: &mut TextBuf<DESCRIBE_CAP>, prefix: &str, name: &str, value: i64) {
    t.str("const ");
    t.str(prefix);
    if !prefix.is_empty() {
        t.str("_");
    }
    t.str(name);
    t.str(" ");
    t.i64(value);
    t.str("\n");
}

/// Emits `const <PREFIX>_<NAME> <value>` for every value of an ABI enum.
macro_rules! enum_consts {
    ($t:ident, $($e:ident),*) => {
        $(
            let mut i = 0;
            while i < $e::ALL.len() {
                constant(&mut $t, $e::PREFIX, $e::ALL[i].name(), $e::ALL[i].raw() as i64);
                i += 1;
            }
        )*
    };
}

const fn limits(t: &mut TextBuf<DESCRIBE_CAP>) {
    constant(t, "", "SLOT_ANY", SLOT_ANY as i64);
    constant(t, "", "QTY_SCALE_E8", QTY_SCALE_E8);
    constant(t, "", "QTY_MAX_E8", QTY_MAX_E8);
    constant(t, "", "QTY_NOT_FINITE", QTY_NOT_FINITE);
    constant(t, "", "QTY_OUT_OF_RANGE", QTY_OUT_OF_RANGE);
    constant(t, "", "QTY_TOO_PRECISE", QTY_TOO_PRECISE);
    constant(t, "", "PRICE_MAX", PRICE_MAX as i64);
    constant(t, "", "MONEY_MAX", MONEY_MAX as i64);
    constant(t, "", "LEVERAGE_MAX", LEVERAGE_MAX as i64);
    constant(t, "", "SLOT_COUNT_MAX", SLOT_COUNT_MAX as i64);
    constant(t, "", "HUNG_ORDER_MS_MAX", HUNG_ORDER_MS_MAX as i64);
    constant(t, "", "NOW_MS_MAX", NOW_MS_MAX as i64);
    constant(t, "", "BATCH_MAX", BATCH_MAX as i64);
    constant(t, "", "TRANSITIONS_CAPACITY", TRANSITIONS_CAPACITY as i64);
    constant(t, "", "DIAGNOSTICS_CAPACITY", DIAGNOSTICS_CAPACITY as i64);
    constant(t, "", "SEEN_EVENTS_PER_SLOT", SEEN_EVENTS_PER_SLOT as i64);
    constant(t, "", "FINISHED_ORDERS_PER_SLOT", FINISHED_ORDERS_PER_SLOT as i64);
    constant(t, "", "MESSAGE_BYTES", MESSAGE_BYTES as i64);
    constant(t, "", "ROW_NONE", ROW_NONE as i64);
    constant(t, "", "EXIT_LEGS_MAX", EXIT_LEGS_MAX as i64);
    constant(t, "", "ORDERS_PER_MINUTE_MAX", ORDERS_PER_MINUTE_MAX as i64);
    constant(t, "", "MARKS_MAX", MARKS_MAX as i64);
    constant(t, "", "SNAPSHOT_MAGIC", SNAPSHOT_MAGIC as i64);
    constant(t, "", "SNAPSHOT_FORMAT_VERSION", SNAPSHOT_FORMAT_VERSION as i64);
    constant(t, "", "SNAPSHOT_FIXED_BYTES", SNAPSHOT_FIXED_BYTES as i64);
    constant(t, "", "SNAPSHOT_SLOT_BYTES", SNAPSHOT_SLOT_BYTES as i64);
}

const fn render() -> TextBuf<DESCRIBE_CAP> {
    let mut t = TextBuf::new();
    t.str("DITA-ABI ");
    t.u64(ABI_MAJOR);
    t.str(" ");
    t.u64(ABI_MINOR);
    t.str(" little\n");
    record::<InputRecord>(&mut t);
    record::<OrderImage>(&mut t);
    record::<SlotImage>(&mut t);
    record::<AccountImage>(&mut t);
    record::<TransitionRecord>(&mut t);
    record::<DiagnosticRecord>(&mut t);
    record::<OutcomeHeader>(&mut t);
    record::<SnapshotHeader>(&mut t);
    limits(&mut t);
    enum_consts!(t, Stage, Side, OrderSide, OrderType, OrderRole, OrderStatus, ExitReason);
    enum_consts!(t, InputKind, EventKind, RejectReason, StaleReason, ConfigKey, TradingState, Trigger);
    enum_consts!(t, Severity, Field, DiagCode, InputSource);
    input_sources(&mut t);
    t
}

/// `const INPUT_KIND_SOURCE_<KIND> <source>` for every input kind.
const fn input_sources(t: &mut TextBuf<DESCRIBE_CAP>) {
    let mut i = 0;
    while i < InputKind::ALL.len() {
        let kind = InputKind::ALL[i];
        constant(t, "INPUT_KIND_SOURCE", kind.name(), kind.source().raw() as i64);
        i += 1;
    }
}

static DESCRIBE: TextBuf<DESCRIBE_CAP> = render();

#[cfg(target_endian = "big")]
compile_error!("the kernel ABI is little-endian only");

/// The NUL-terminated description; `len` excludes the terminator.
pub fn describe_text() -> &'static [u8] {
    assert!(DESCRIBE.bytes[DESCRIBE.len] == 0, "Invariant: describe text is NUL-terminated");
    &DESCRIBE.bytes[..DESCRIBE.len + 1]
}
