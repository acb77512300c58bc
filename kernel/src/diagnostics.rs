//! Diagnostics and the outcome arena.
//!
//! Job: build deterministic diagnostic records (`Diag`, with a fixed 120-byte UTF-8 message
//! written through `core::fmt` without allocating) and collect everything one call produces
//! into the outcome arena: header counts, `accepted[]`, transition and diagnostic records, the
//! dirty-slot bitmask and the account dirty flag.
//!
//! Invariants:
//! - the arena is preallocated in `Arena::new` and never grows; pushing past a capacity is a
//!   programmer error (the batch loop checks `has_room` before each input);
//! - a message is valid UTF-8, at most 120 bytes, truncated only at a char boundary, and once
//!   truncated nothing more is appended (no garbled tails);
//! - numbers are printed the same way on every run (`Num`, `Qty`).
//!
//! Entry points: `Msg`, `diag!`, `Diag`, `Num`, `Qty`, `Step`, `Arena`.

use core::fmt::{self, Write};

use crate::abi::*;

/// A fixed-capacity message buffer; `write!` into it never allocates and never fails.
#[derive(Clone, Copy)]
pub struct Msg {
    bytes: [u8; MESSAGE_BYTES],
    len: usize,
    truncated: bool,
}

impl Msg {
    pub const fn new() -> Self {
        Msg { bytes: [0; MESSAGE_BYTES], len: 0, truncated: false }
    }

    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..self.len]).expect("Invariant: Msg holds valid UTF-8")
    }
}

impl Write for Msg {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.truncated {
            return Ok(());
        }
        let room = MESSAGE_BYTES - self.len;
        let mut n = s.len().min(room);
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        self.bytes[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        self.truncated = n < s.len();
        assert!(self.len <= MESSAGE_BYTES, "Invariant: message stays within 120 bytes");
        Ok(())
    }
}

/// A float printed deterministically and compactly: `NaN`, `inf`, plain decimals, or scientific
/// notation for very large or very small magnitudes.
pub struct Num(pub f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        let a = x.abs();
        if x.is_finite() && x != 0.0 && !(1e-8..1e15).contains(&a) {
            write!(f, "{x:e}")
        } else {
            write!(f, "{x}")
        }
    }
}

/// A quantity in 1e-8 units printed as an exact decimal of base units (`0.02`), or the name of
/// the encoder sentinel it carries.
pub struct Qty(pub i64);

impl fmt::Display for Qty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            QTY_NOT_FINITE => return f.write_str("QTY_NOT_FINITE"),
            QTY_OUT_OF_RANGE => return f.write_str("QTY_OUT_OF_RANGE"),
            QTY_TOO_PRECISE => return f.write_str("QTY_TOO_PRECISE"),
            _ => {}
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let scale = QTY_SCALE_E8 as u64;
        let (whole, frac) = (abs / scale, abs % scale);
        if frac == 0 {
            return write!(f, "{sign}{whole}");
        }
        let mut digits = [0u8; 8];
        let mut rest = frac;
        for d in digits.iter_mut().rev() {
            *d = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        let mut end = 8;
        while digits[end - 1] == b'0' {
            end -= 1;
        }
        let frac_text = core::str::from_utf8(&digits[..end]).expect("Invariant: ASCII digits");
        write!(f, "{sign}{whole}.{frac_text}")
    }
}

/// A quantity as an f64 of base units (the `value` of a diagnostic about a quantity).
pub fn qty_value(qty_e8: i64) -> f64 {
    match qty_e8 {
        QTY_NOT_FINITE | QTY_OUT_OF_RANGE | QTY_TOO_PRECISE => f64::NAN,
        q => q as f64 / QTY_SCALE_E8 as f64,
    }
}

/// Prints the content of a fixed-width string field (up to its first NUL), lossily as UTF-8,
/// with control characters escaped, so ids from the wire cannot break a message.
pub struct Text<'a>(pub &'a [u8]);

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = self.0.iter().position(|&b| b == 0).unwrap_or(self.0.len());
        for chunk in self.0[..end].utf8_chunks() {
            for c in chunk.valid().chars() {
                if c.is_control() {
                    write!(f, "\\x{:02x}", c as u32)?;
                } else {
                    f.write_char(c)?;
                }
            }
            if !chunk.invalid().is_empty() {
                f.write_char('\u{fffd}')?;
            }
        }
        Ok(())
    }
}

/// One diagnostic before it is placed in the arena.
#[derive(Clone, Copy)]
pub struct Diag {
    pub code: DiagCode,
    pub slot_id: u32,
    /// Slot stage when raised; 0 = none. Filled by the arena from the slot when left 0.
    pub stage: u8,
    pub field: Field,
    pub value: f64,
    pub retryable: bool,
    pub retry_after_ms: i64,
    pub msg: Msg,
}

impl Diag {
    pub fn new(code: DiagCode, slot_id: u32, msg: Msg) -> Self {
        Diag { code, slot_id, stage: 0, field: Field::None, value: f64::NAN, retryable: false, retry_after_ms: -1, msg }
    }

    /// Names the offending input field and its numeric value.
    pub fn field(mut self, field: Field, value: f64) -> Self {
        self.field = field;
        self.value = value;
        self
    }

    pub fn stage(mut self, stage: Stage) -> Self {
        self.stage = stage.raw();
        self
    }
}

/// `diag!(CODE, slot_id, "format", args...)` builds a `Diag` with a formatted message. The
/// formatting happens in one out-of-line `#[cold]` function, so the many places that can refuse
/// stay small and their refusal branches are laid out away from the paths that accept.
macro_rules! diag {
    ($code:ident, $slot:expr, $($fmt:tt)+) => {
        $crate::diagnostics::formatted($crate::abi::DiagCode::$code, $slot, format_args!($($fmt)+))
    };
}

#[cold]
#[inline(never)]
pub fn formatted(code: DiagCode, slot_id: u32, args: fmt::Arguments<'_>) -> Diag {
    let mut m = Msg::new();
    // Writing into a Msg cannot fail; it truncates instead.
    let _ = m.write_fmt(args);
    Diag::new(code, slot_id, m)
}
pub(crate) use diag;

/// The input being processed: where its records go in the arena.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub index: u32,
    /// Low byte of the input kind (0 = unknown).
    pub kind: u8,
    pub now_ms: u64,
}

/// The outcome of the last call, in kernel memory read by callers in place.
pub struct Arena {
    pub header: Box<OutcomeHeader>,
    pub accepted: Box<[u8]>,
    pub transitions: Box<[TransitionRecord]>,
    pub diagnostics: Box<[DiagnosticRecord]>,
}

impl Arena {
    pub fn new() -> Self {
        Arena {
            header: Box::new(OutcomeHeader::ZERO),
            accepted: vec![0u8; BATCH_MAX].into_boxed_slice(),
            transitions: vec![TransitionRecord::ZERO; TRANSITIONS_CAPACITY].into_boxed_slice(),
            diagnostics: vec![DiagnosticRecord::ZERO; DIAGNOSTICS_CAPACITY].into_boxed_slice(),
        }
    }

    /// Starts a new call: counts and flags are reset; records past the counts are stale.
    pub fn begin(&mut self, faulted: bool) {
        *self.header = OutcomeHeader::ZERO;
        self.header.faulted = faulted as u8;
    }

    /// True when one more input fits even in its worst case (2 transitions, slot_count + 2
    /// diagnostics, plus one spare diagnostic for a KERNEL_FAULT).
    pub fn has_room(&self, slot_count: u32) -> bool {
        let h = &self.header;
        (h.inputs as usize) < BATCH_MAX
            && h.transitions as usize + 2 <= TRANSITIONS_CAPACITY
            && h.diagnostics as usize + slot_count as usize + 3 <= DIAGNOSTICS_CAPACITY
    }

    /// Records that input `step.index` finished, accepted or not.
    pub fn finish_input(&mut self, step: Step, accepted: bool) {
        assert!(step.index == self.header.inputs, "Invariant: inputs are finished in order");
        assert!((step.index as usize) < BATCH_MAX, "Invariant: at most BATCH_MAX inputs per call");
        self.accepted[step.index as usize] = accepted as u8;
        self.header.inputs += 1;
        self.header.accepted += accepted as u32;
    }

    pub fn push_transition(&mut self, record: TransitionRecord) {
        let n = self.header.transitions as usize;
        assert!(n < TRANSITIONS_CAPACITY, "Invariant: transition arena has room (checked per input)");
        assert!(record.from != 0 && record.to != 0, "Invariant: transitions name real stages");
        self.transitions[n] = record;
        self.header.transitions += 1;
    }

    pub fn push_diag(&mut self, step: Step, d: Diag) {
        let n = self.header.diagnostics as usize;
        assert!(n < DIAGNOSTICS_CAPACITY, "Invariant: diagnostic arena has room (checked per input)");
        let mut message = [0u8; MESSAGE_BYTES];
        let text = d.msg.as_str().as_bytes();
        message[..text.len()].copy_from_slice(text);
        self.diagnostics[n] = DiagnosticRecord {
            input_index: step.index,
            slot_id: d.slot_id,
            code: d.code.raw(),
            severity: d.code.severity().raw(),
            input_kind: step.kind,
            stage: d.stage,
            retryable: d.retryable as u8,
            field: d.field.raw(),
            _reserved: 0,
            retry_after_ms: d.retry_after_ms,
            value: d.value,
            now_ms: step.now_ms,
            message,
        };
        self.header.diagnostics += 1;
    }

    pub fn mark_slot_dirty(&mut self, slot_id: u32) {
        assert!(slot_id < SLOT_COUNT_MAX, "Invariant: dirty slot id in range");
        self.header.dirty_slots[(slot_id / 64) as usize] |= 1u64 << (slot_id % 64);
    }

    pub fn mark_account_dirty(&mut self) {
        self.header.account_dirty = 1;
    }

    /// The diagnostics of the current call (tests and the fault path read them).
    pub fn diags(&self) -> &[DiagnosticRecord] {
        &self.diagnostics[..self.header.diagnostics as usize]
    }
}
