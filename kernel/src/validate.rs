//! Input validation: every caller-supplied byte is checked here before anything changes.
//!
//! Job: decide whether an `InputRecord` is well-formed for its kind — kind, `now_ms`, slot id
//! range, enum values, fixed-width strings (charset, NUL padding), quantities (encoder sentinels,
//! `1..=QTY_MAX_E8`), prices (finite, `> 0`, `<= PRICE_MAX`), leverage, money — and otherwise
//! return one diagnostic (`INVALID_INTENT` / `INVALID_SLOT_ID`) naming the field and the
//! offending number. Checks that need slot state (stage, position) live in the FSM.
//!
//! Invariants: validation never panics on any byte pattern and never mutates anything; fields a
//! kind does not use are ignored.
//!
//! Entry points: `validate_input`, and the field checks reused by image validation
//! (`check_qty`, `check_price`, `check_money`, `check_asset`, `check_trade_id`, `check_opaque`).

mod image;

use crate::abi::*;
use crate::diagnostics::{diag, qty_value, Diag, Num, Qty, Text};
use crate::hash::{same_words, word, IdHasher};

pub use image::{check_image, STATE_MONEY_MAX};

pub type Check = Result<(), Diag>;

/// The last asset that passed `check_asset`. Marks repeat a handful of assets, so the charset
/// scan runs once per change of asset instead of once per mark. It caches a pure check, so it
/// never changes a result; all-zero (an empty asset, which never passes) means "none".
pub struct AssetMemo([u8; 24]);

impl AssetMemo {
    pub const fn new() -> Self {
        AssetMemo([0; 24])
    }

    fn check(&mut self, asset: &[u8; 24], slot: u32) -> Check {
        if asset[0] != 0 && same_words(asset, &self.0) {
            return Ok(());
        }
        check_asset(asset, slot, "asset")?;
        self.0 = *asset;
        Ok(())
    }
}

/// A validated input: its kind, and for a VENUE_EVENT the hashes of its event id and client
/// order id (computed while checking their padding; 0 otherwise).
#[derive(Clone, Copy, Debug)]
pub struct Valid {
    pub kind: InputKind,
    pub event_hash: u64,
    pub client_hash: u64,
}

/// Validates one input for its kind.
pub fn validate_input(input: &InputRecord, slot_count: u32, assets: &mut AssetMemo) -> Result<Valid, Diag> {
    let Some(kind) = InputKind::from_raw(input.kind) else {
        let last = InputKind::ALL[InputKind::ALL.len() - 1].raw();
        return Err(diag!(InvalidIntent, SLOT_ANY, "input kind {} is not an InputKind (1..={last})", input.kind)
            .field(Field::Kind, input.kind as f64));
    };
    if input.now_ms > NOW_MS_MAX {
        return Err(diag!(InvalidIntent, SLOT_ANY, "now_ms {} exceeds 2^53-1", input.now_ms)
            .field(Field::NowMs, input.now_ms as f64));
    }
    let slot = check_slot_id(input, kind, slot_count)?;
    if kind == InputKind::VenueEvent {
        // The most frequent kind returns its id hashes; every other kind returns none.
        let (event_hash, client_hash) = venue_event(input, slot)?;
        return Ok(Valid { kind, event_hash, client_hash });
    }
    match kind {
        InputKind::Enter => enter(input, slot, assets),
        InputKind::Exit => exit(input, slot),
        InputKind::Cancel | InputKind::Tick | InputKind::Flatten => Ok(()),
        InputKind::MarkPrice => {
            check_price(input.price, Field::Price, "mark price", slot, false)?;
            assets.check(&input.asset, slot)
        }
        InputKind::Reconcile => reconcile(input, slot),
        InputKind::VenueEvent => Ok(()), // validated above
        InputKind::SeedCapital => seed_capital(input),
        InputKind::MarkStale => mark_stale(input, slot),
        InputKind::Configure => configure(input, slot_count),
    }?;
    Ok(Valid { kind, event_hash: 0, client_hash: 0 })
}

/// Checks the slot id of kinds addressed to a slot and returns the slot to name in later
/// diagnostics (`SLOT_ANY` for global kinds and routed venue events).
fn check_slot_id(input: &InputRecord, kind: InputKind, slot_count: u32) -> Result<u32, Diag> {
    let addressed = matches!(
        kind,
        InputKind::Enter
            | InputKind::Exit
            | InputKind::Cancel
            | InputKind::Reconcile
            | InputKind::MarkStale
            | InputKind::Flatten
    );
    let routed = kind == InputKind::VenueEvent && input.slot_id == SLOT_ANY;
    if !(addressed || kind == InputKind::VenueEvent) || routed {
        return Ok(SLOT_ANY);
    }
    if input.slot_id >= slot_count {
        let last = slot_count - 1;
        return Err(diag!(
            InvalidSlotId,
            SLOT_ANY,
            "{} refused: slot_id {} is out of range 0..={last}",
            kind.name(),
            input.slot_id
        )
        .field(Field::SlotId, input.slot_id as f64));
    }
    Ok(input.slot_id)
}

fn enter(i: &InputRecord, slot: u32, assets: &mut AssetMemo) -> Check {
    if Side::from_raw(i.side).is_none() {
        return Err(diag!(InvalidIntent, slot, "side {} is not a Side (LONG=1, SHORT=2)", i.side)
            .field(Field::Side, i.side as f64));
    }
    check_order_price(i, slot)?;
    check_qty(i.qty_e8, Field::Size, "size", slot, false)?;
    if !(1..=LEVERAGE_MAX).contains(&i.leverage) {
        return Err(diag!(InvalidIntent, slot, "leverage must be 1..=125 (got {})", i.leverage)
            .field(Field::Leverage, i.leverage as f64));
    }
    assets.check(&i.asset, slot)?;
    check_trade_id(&i.trade_id, slot, "trade_id")
}

fn exit(i: &InputRecord, slot: u32) -> Check {
    check_qty(i.qty_e8, Field::Size, "size", slot, false)?;
    check_order_price(i, slot)?;
    if ExitReason::from_raw(i.exit_reason).is_none() {
        return Err(diag!(
            InvalidIntent,
            slot,
            "exit_reason {} is not an ExitReason (SIGNAL=1 TP=2 SL=3 MANUAL=4)",
            i.exit_reason
        )
        .field(Field::ExitReason, i.exit_reason as f64));
    }
    Ok(())
}

/// MARKET orders carry price 0; LIMIT orders a valid price.
fn check_order_price(i: &InputRecord, slot: u32) -> Check {
    match OrderType::from_raw(i.order_type) {
        None => Err(diag!(InvalidIntent, slot, "order_type {} is not an OrderType (MARKET=1, LIMIT=2)", i.order_type)
            .field(Field::OrderType, i.order_type as f64)),
        Some(OrderType::Market) if i.price.to_bits() != 0 => {
            Err(diag!(InvalidIntent, slot, "a MARKET order must have price 0 (got {})", Num(i.price))
                .field(Field::Price, i.price))
        }
        Some(OrderType::Market) => Ok(()),
        Some(OrderType::Limit) => check_price(i.price, Field::Price, "limit price", slot, false),
    }
}

fn reconcile(i: &InputRecord, slot: u32) -> Check {
    if i.side > 2 {
        return Err(diag!(InvalidIntent, slot, "side {} is not a Side (0=flat, LONG=1, SHORT=2)", i.side)
            .field(Field::Side, i.side as f64));
    }
    check_qty(i.qty_e8, Field::Size, "venue position size", slot, true)?;
    if i.qty_e8 > 0 && i.side == 0 {
        return Err(diag!(InvalidIntent, slot, "venue position {} needs a side", Qty(i.qty_e8)).field(Field::Side, 0.0));
    }
    check_price(i.price, Field::Price, "venue entry price", slot, i.qty_e8 == 0)?;
    if i.order_role == 0 {
        return Ok(());
    }
    if OrderRole::from_raw(i.order_role).is_none() {
        return Err(diag!(
            InvalidIntent,
            slot,
            "order_role {} is not an OrderRole (0=none, ENTRY=1, EXIT=2)",
            i.order_role
        )
        .field(Field::OrderRole, i.order_role as f64));
    }
    check_qty(i.order_qty_e8, Field::Size, "open order size", slot, false)?;
    check_qty(i.order_filled_e8, Field::Size, "open order filled", slot, true)?;
    if i.order_filled_e8 > i.order_qty_e8 {
        return Err(diag!(
            InvalidIntent,
            slot,
            "open order filled {} exceeds its size {}",
            Qty(i.order_filled_e8),
            Qty(i.order_qty_e8)
        )
        .field(Field::Size, qty_value(i.order_filled_e8)));
    }
    check_price(i.last_price, Field::LastPrice, "open order average price", slot, i.order_filled_e8 == 0)?;
    check_order_ids(i, slot).map(|_| ())
}

/// `Ok` carries the event id's and the client order id's hashes.
fn venue_event(i: &InputRecord, slot: u32) -> Result<(u64, u64), Diag> {
    let Some(kind) = EventKind::from_raw(i.event_kind) else {
        return Err(diag!(InvalidIntent, slot, "event_kind {} is not an EventKind (1..=6)", i.event_kind)
            .field(Field::EventKind, i.event_kind as f64));
    };
    let reason_ok = match kind {
        EventKind::Reject => RejectReason::from_raw(i.reject_reason).is_some(),
        _ => i.reject_reason <= 2,
    };
    if !reason_ok {
        return Err(diag!(
            InvalidIntent,
            slot,
            "reject_reason {} is not a RejectReason (VENUE=1, RATE_LIMITED=2)",
            i.reject_reason
        )
        .field(Field::RejectReason, i.reject_reason as f64));
    }
    let is_fill = matches!(kind, EventKind::PartialFill | EventKind::FullFill);
    check_qty(i.qty_e8, Field::Size, "cumulative filled size", slot, !is_fill)?;
    check_qty(i.last_qty_e8, Field::LastSize, "last fill size", slot, true)?;
    check_price(i.price, Field::Price, "average fill price", slot, i.qty_e8 == 0)?;
    check_price(i.last_price, Field::LastPrice, "last fill price", slot, true)?;
    check_money(i.fee, Field::Fee, "fee", slot)?;
    if i.retry_after_ms < -1 {
        return Err(diag!(
            InvalidIntent,
            slot,
            "retry_after_ms must be >= 0, or -1 for none (got {})",
            i.retry_after_ms
        )
        .field(Field::RetryAfter, i.retry_after_ms as f64));
    }
    let event = check_opaque(&i.event_id, Field::EventId, "event_id", slot, true)?;
    Ok((event, check_order_ids(i, slot)?))
}

/// Order ids: NUL-padded, and at least one of them present. `Ok` carries the client order id's
/// hash (0 when absent).
fn check_order_ids(i: &InputRecord, slot: u32) -> Result<u64, Diag> {
    let client = check_opaque(&i.client_order_id, Field::ClientOrderId, "client_order_id", slot, false)?;
    check_opaque(&i.venue_order_id, Field::VenueOrderId, "venue_order_id", slot, false)?;
    if i.client_order_id[0] == 0 && i.venue_order_id[0] == 0 {
        return Err(diag!(InvalidIntent, slot, "an order needs a client_order_id or a venue_order_id")
            .field(Field::ClientOrderId, f64::NAN));
    }
    Ok(client)
}

fn seed_capital(i: &InputRecord) -> Check {
    if !i.amount.is_finite() || !(0.0..=MONEY_MAX).contains(&i.amount) {
        return Err(diag!(
            InvalidIntent,
            SLOT_ANY,
            "capital must be a finite number in 0..=1e15 (got {})",
            Num(i.amount)
        )
        .field(Field::Amount, i.amount));
    }
    if i.value > 1 {
        return Err(diag!(
            InvalidIntent,
            SLOT_ANY,
            "SEED_CAPITAL value must be 0 (first seed) or 1 (recovery re-seed), got {}",
            i.value
        )
        .field(Field::Value, i.value as f64));
    }
    Ok(())
}

fn mark_stale(i: &InputRecord, slot: u32) -> Check {
    match StaleReason::from_raw(i.stale_reason) {
        Some(StaleReason::Restart | StaleReason::Divergence | StaleReason::Operator) => Ok(()),
        _ => Err(diag!(
            InvalidIntent,
            slot,
            "stale_reason {} must be RESTART=1, DIVERGENCE=2 or OPERATOR=3",
            i.stale_reason
        )
        .field(Field::StaleReason, i.stale_reason as f64)),
    }
}

/// CONFIGURE: integer keys read `value` (their range below), money and ratio keys read `amount`.
fn configure(i: &InputRecord, slot_count: u32) -> Check {
    let Some(key) = ConfigKey::from_raw(i.config_key) else {
        return Err(diag!(InvalidIntent, SLOT_ANY, "config_key {} is not a ConfigKey (1..=8)", i.config_key)
            .field(Field::ConfigKey, i.config_key as f64));
    };
    let name = key.name();
    let (lo, hi) = match key {
        ConfigKey::ActiveSlotLimit => (1, slot_count as u64),
        ConfigKey::HungOrderMs => (1, HUNG_ORDER_MS_MAX),
        ConfigKey::TradingState => (1, 3),
        ConfigKey::MaxOrdersPerMinute => (0, ORDERS_PER_MINUTE_MAX as u64),
        ConfigKey::MaxLeverage => (0, LEVERAGE_MAX as u64),
        ConfigKey::MaxNotionalPerTrade | ConfigKey::MaxGrossExposure | ConfigKey::MaxDrawdownRatio => {
            let max = if key == ConfigKey::MaxDrawdownRatio { 1.0 } else { MONEY_MAX };
            if !i.amount.is_finite() || !(0.0..=max).contains(&i.amount) {
                return Err(diag!(InvalidIntent, SLOT_ANY, "{name} must be 0..={} (got {})", Num(max), Num(i.amount))
                    .field(Field::Amount, i.amount));
            }
            return Ok(());
        }
    };
    if !(lo..=hi).contains(&i.value) {
        return Err(diag!(InvalidIntent, SLOT_ANY, "{name} must be {lo}..={hi} (got {})", i.value)
            .field(Field::Value, i.value as f64));
    }
    Ok(())
}

/// A quantity: not an encoder sentinel, `1..=QTY_MAX_E8` (or 0 when `zero_ok`).
#[inline(always)]
pub fn check_qty(v: i64, field: Field, what: &str, slot: u32, zero_ok: bool) -> Check {
    if (1..=QTY_MAX_E8).contains(&v) || (zero_ok && v == 0) {
        return Ok(());
    }
    qty_refusal(v, field, what, slot, zero_ok)
}

#[cold]
#[inline(never)]
fn qty_refusal(v: i64, field: Field, what: &str, slot: u32, zero_ok: bool) -> Check {
    let d = match v {
        QTY_NOT_FINITE => {
            diag!(InvalidIntent, slot, "{what} must be a finite number (got QTY_NOT_FINITE: NaN or infinity)")
        }
        QTY_OUT_OF_RANGE => {
            diag!(InvalidIntent, slot, "{what} is out of range (got QTY_OUT_OF_RANGE: too large to encode)")
        }
        QTY_TOO_PRECISE => diag!(InvalidIntent, slot, "{what} has more than 8 decimals (got QTY_TOO_PRECISE)"),
        0 if zero_ok => return Ok(()),
        v if v <= 0 => diag!(InvalidIntent, slot, "{what} must be positive (got {})", Qty(v)),
        v if v > QTY_MAX_E8 => diag!(InvalidIntent, slot, "{what} {} exceeds the maximum 1000000000", Qty(v)),
        _ => return Ok(()),
    };
    Err(d.field(field, qty_value(v)))
}

/// A price: finite, `> 0` (or exactly 0 when `zero_ok`), `<= PRICE_MAX`.
#[inline(always)]
pub fn check_price(v: f64, field: Field, what: &str, slot: u32, zero_ok: bool) -> Check {
    // NaN fails both comparisons; +0.0 and -0.0 are both "exactly 0", as below.
    if (v > 0.0 && v <= PRICE_MAX) || (zero_ok && v == 0.0) {
        return Ok(());
    }
    price_refusal(v, field, what, slot, zero_ok)
}

#[cold]
#[inline(never)]
fn price_refusal(v: f64, field: Field, what: &str, slot: u32, zero_ok: bool) -> Check {
    let d = if !v.is_finite() {
        diag!(InvalidIntent, slot, "{what} must be a finite number (got {})", Num(v))
    } else if v == 0.0 && zero_ok {
        return Ok(());
    } else if v <= 0.0 {
        diag!(InvalidIntent, slot, "{what} must be > 0 (got {})", Num(v))
    } else if v > PRICE_MAX {
        diag!(InvalidIntent, slot, "{what} {} exceeds the maximum 1e12", Num(v))
    } else {
        return Ok(());
    };
    Err(d.field(field, v))
}

/// A money amount: finite and within `±MONEY_MAX`.
#[inline(always)]
pub fn check_money(v: f64, field: Field, what: &str, slot: u32) -> Check {
    if v.is_finite() && v.abs() <= MONEY_MAX {
        return Ok(());
    }
    money_refusal(v, field, what, slot)
}

#[cold]
#[inline(never)]
fn money_refusal(v: f64, field: Field, what: &str, slot: u32) -> Check {
    Err(diag!(InvalidIntent, slot, "{what} must be a finite number within ±1e15 (got {})", Num(v)).field(field, v))
}

/// Bit `k` set when byte `k` of the field is NUL (fields are at most 64 bytes): the definition,
/// used where SSE2 is not (and by the test that checks the SSE2 path against it).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn nul_mask_bytes(bytes: &[u8]) -> u64 {
    bytes.iter().enumerate().fold(0u64, |z, (k, &b)| z | (((b == 0) as u64) << k))
}

/// `nul_mask_bytes`, 16 bytes per compare with SSE2 (part of every x86-64 CPU).
#[inline(always)]
fn nul_mask(bytes: &[u8]) -> u64 {
    assert!(
        bytes.len().is_multiple_of(8) && bytes.len() <= 64,
        "Invariant: string fields are whole words, at most 64 bytes"
    );
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{
            _mm_cmpeq_epi8, _mm_loadl_epi64, _mm_loadu_si128, _mm_movemask_epi8, _mm_setzero_si128,
        };
        let mut z = 0u64;
        let mut k = 0;
        // SAFETY: SSE2 is part of the x86-64 baseline; every load reads 16 (or 8) bytes inside `bytes`.
        unsafe {
            let zero = _mm_setzero_si128();
            while k + 16 <= bytes.len() {
                let v = _mm_loadu_si128(bytes.as_ptr().add(k).cast());
                z |= ((_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)) as u32) as u64) << k;
                k += 16;
            }
            if k < bytes.len() {
                let v = _mm_loadl_epi64(bytes.as_ptr().add(k).cast());
                z |= (((_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)) as u32) & 0xff) as u64) << k;
            }
        }
        z
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        nul_mask_bytes(bytes)
    }
}

/// NUL padding: once a NUL appears, every following byte is NUL. Returns the content length
/// and the field's `hash::id_hash` (mixing just its content words), or the index of the first
/// non-NUL byte after the padding began. A clean field's NUL mask is all ones from the content
/// length up, so one comparison decides.
#[inline(always)]
fn padded(bytes: &[u8]) -> Result<(usize, u64), usize> {
    let z = nul_mask(bytes);
    let width = if bytes.len() == 64 { !0u64 } else { (1u64 << bytes.len()) - 1 };
    let len = (z.trailing_zeros() as usize).min(bytes.len());
    let padding = if len >= 64 { 0 } else { width & (!0u64 << len) };
    if z != padding {
        // The first byte at or past the content length that is not NUL.
        return Err((!z & padding).trailing_zeros() as usize);
    }
    let mut h = IdHasher::new();
    for i in 0..len.div_ceil(8) {
        h.mix(word(bytes, i));
    }
    Ok((len, h.finish(len)))
}

fn check_charset(bytes: &[u8], field: Field, what: &str, slot: u32, allowed: fn(u8) -> bool, class: &str) -> Check {
    let (len, _) = padded(bytes).map_err(|at| {
        diag!(InvalidIntent, slot, "{what} has a non-NUL byte at {at} after its NUL padding").field(field, at as f64)
    })?;
    if len == 0 {
        return Err(diag!(InvalidIntent, slot, "{what} must not be empty ({class})").field(field, f64::NAN));
    }
    if let Some(at) = bytes[..len].iter().position(|&b| !allowed(b)) {
        return Err(diag!(
            InvalidIntent,
            slot,
            "{what} has byte 0x{:02x} at {at} outside {class}: \"{}\"",
            bytes[at],
            Text(bytes)
        )
        .field(field, at as f64));
    }
    Ok(())
}

/// `asset`: `[A-Z0-9-]{1,24}`.
pub fn check_asset(bytes: &[u8; 24], slot: u32, what: &str) -> Check {
    let allowed = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-';
    check_charset(bytes, Field::Asset, what, slot, allowed, "[A-Z0-9-]{1,24}")
}

/// `trade_id`: `[A-Za-z0-9_-]{1,32}`.
pub fn check_trade_id(bytes: &[u8; 32], slot: u32, what: &str) -> Check {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    check_charset(bytes, Field::TradeId, what, slot, allowed, "[A-Za-z0-9_-]{1,32}")
}

/// Opaque ids (venue/client order id, event id): any bytes but NUL, NUL-padded. `Ok` carries
/// the id's `hash::id_hash` (0 for an empty id).
#[inline(always)]
pub fn check_opaque(bytes: &[u8], field: Field, what: &str, slot: u32, required: bool) -> Result<u64, Diag> {
    match padded(bytes) {
        Ok((len, hash)) if len > 0 || !required => Ok(hash),
        bad => opaque_refusal(bad.map(|(len, _)| len), field, what, slot),
    }
}

#[cold]
#[inline(never)]
fn opaque_refusal(bad: Result<usize, usize>, field: Field, what: &str, slot: u32) -> Result<u64, Diag> {
    match bad {
        Err(at) => Err(diag!(InvalidIntent, slot, "{what} has a non-NUL byte at {at} after its NUL padding")
            .field(field, at as f64)),
        Ok(_) => Err(diag!(InvalidIntent, slot, "{what} is required").field(field, f64::NAN)),
    }
}

#[cfg(test)]
mod tests {
    use super::{nul_mask, nul_mask_bytes, padded};
    use crate::hash::id_hash;

    /// The byte-at-a-time definition the word-wise `padded_len` must agree with.
    fn reference(bytes: &[u8]) -> Result<usize, usize> {
        let len = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        match bytes[len..].iter().position(|&b| b != 0) {
            None => Ok(len),
            Some(at) => Err(len + at),
        }
    }

    #[test]
    fn vector_nul_mask_equals_the_byte_loop() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for width in [24usize, 32, 40, 64] {
            for _ in 0..2000 {
                let f: Vec<u8> = (0..width)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        if x.is_multiple_of(3) {
                            0
                        } else {
                            x as u8
                        }
                    })
                    .collect();
                assert_eq!(nul_mask(&f), nul_mask_bytes(&f), "width {width} {f:?}");
            }
        }
    }

    #[test]
    fn padding_check_agrees_with_the_byte_wise_definition_and_hashes_like_id_hash() {
        // Every content length, with and without one stray byte at every later position, and
        // content bytes that stress the zero-byte trick (0x01, 0x80, 0xff next to the NUL).
        for width in [24usize, 32, 40, 64] {
            for fill in [b'a', 0x01, 0x80, 0xff] {
                for len in 0..=width {
                    let mut f = vec![0u8; width];
                    f[..len].fill(fill);
                    assert_eq!(padded(&f).map(|(n, _)| n), reference(&f), "width {width} len {len} fill {fill:#x}");
                    assert_eq!(padded(&f).unwrap().1, id_hash(&f), "hash in the same pass, width {width} len {len}");
                    for stray in len + 1..width {
                        let mut g = f.clone();
                        g[stray] = fill;
                        assert_eq!(padded(&g).map(|(n, _)| n), reference(&g), "width {width} len {len} stray {stray}");
                    }
                }
            }
        }
    }
}
