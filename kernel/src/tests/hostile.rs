//! Hostile values: every one is refused with exactly one diagnostic naming the field, and the
//! kernel's state (hash, account and slot images) stays byte-identical.

use super::*;
use crate::diagnostics::Msg;
use core::fmt::Write;

/// A kernel with slots in several stages, so refusals are checked against real state.
fn busy_kernel() -> K {
    let mut k = K::new(4);
    open_position(&mut k, 0, "P0", e8(0.01), 100.0);
    assert!(k.apply(enter(1, "P1", Side::Short, e8(0.02), T0 + 4)).ok());
    open_position(&mut k, 2, "P2", e8(0.03), 100.0);
    assert!(k.apply(exit(2, e8(0.01), T0 + 5)).ok());
    assert!(k.apply(mark(101.0, T0 + 6)).ok());
    k
}

fn refused(k: &mut K, name: &str, input: InputRecord, code: DiagCode, field: Field) -> String {
    let before = k.snapshot();
    let o = k.apply(input);
    assert_eq!(o.status, STATUS_OK, "{name}");
    assert_eq!(o.codes(), vec![code], "{name}: {:?}", o.messages());
    let d = o.diags[0];
    assert_eq!(d.field, field.raw(), "{name}: field of {:?}", o.messages());
    assert_eq!((o.accepted[0], o.header.accepted, o.header.transitions), (0, 0, 0), "{name}");
    assert_eq!((o.header.dirty_slots, o.header.account_dirty), ([0; 4], 0), "{name}");
    assert_eq!(k.snapshot(), before, "{name}: state changed");
    let msg = message(&d);
    assert!(!msg.is_empty() && msg.len() <= MESSAGE_BYTES, "{name}: {msg}");
    msg
}

fn invalid(k: &mut K, name: &str, input: InputRecord, field: Field) -> String {
    refused(k, name, input, DiagCode::InvalidIntent, field)
}

#[test]
fn bad_kinds_and_times_are_refused() {
    let mut k = busy_kernel();
    for kind in [0u16, 12, 0xFFFF] {
        invalid(&mut k, "kind", InputRecord { kind, ..tick(T0) }, Field::Kind);
    }
    let msg = invalid(&mut k, "now", tick(NOW_MS_MAX + 1), Field::NowMs);
    assert_eq!(msg, "now_ms 9007199254740992 exceeds 2^53-1");
    assert_eq!(k.restore(&k.slot(0), u64::MAX).codes(), vec![DiagCode::InvalidIntent]);
}

#[test]
fn out_of_range_slot_ids_are_refused() {
    let mut k = busy_kernel();
    for slot in [4, 255, SLOT_ANY] {
        refused(&mut k, "enter", enter(slot, "Z1", Side::Long, 1, T0), DiagCode::InvalidSlotId, Field::SlotId);
        refused(&mut k, "exit", exit(slot, 1, T0), DiagCode::InvalidSlotId, Field::SlotId);
        refused(&mut k, "cancel", cancel(slot, T0), DiagCode::InvalidSlotId, Field::SlotId);
        refused(&mut k, "stale", mark_stale(slot, StaleReason::Operator, T0), DiagCode::InvalidSlotId, Field::SlotId);
    }
    let routed_to_bad_slot = InputRecord { slot_id: 4, ..ack("P1-E", "z", T0) };
    refused(&mut k, "event", routed_to_bad_slot, DiagCode::InvalidSlotId, Field::SlotId);
}

#[test]
fn quantity_sentinels_and_bounds_are_refused_by_name() {
    let mut k = busy_kernel();
    let cases = [
        (QTY_NOT_FINITE, "size must be a finite number (got QTY_NOT_FINITE: NaN or infinity)"),
        (QTY_OUT_OF_RANGE, "size is out of range (got QTY_OUT_OF_RANGE: too large to encode)"),
        (QTY_TOO_PRECISE, "size has more than 8 decimals (got QTY_TOO_PRECISE)"),
        (0, "size must be positive (got 0)"),
        (-5, "size must be positive (got -0.00000005)"),
        (QTY_MAX_E8 + 1, "size 1000000000.00000001 exceeds the maximum 1000000000"),
        (i64::MAX, "size 92233720368.54775807 exceeds the maximum 1000000000"),
    ];
    for (qty, expected) in cases {
        let msg = invalid(&mut k, "enter qty", enter(3, "Z1", Side::Long, qty, T0), Field::Size);
        assert_eq!(msg, expected);
        invalid(&mut k, "exit qty", exit(0, qty, T0), Field::Size);
    }
    let o = k.apply(enter(3, "Z1", Side::Long, QTY_NOT_FINITE, T0));
    assert!(o.diags[0].value.is_nan());
    let o = k.apply(enter(3, "Z1", Side::Long, -5, T0));
    assert_eq!(o.diags[0].value, -5e-8);
}

#[test]
fn bad_enums_prices_and_leverage_on_intents_are_refused() {
    let mut k = busy_kernel();
    let base = enter(3, "Z1", Side::Long, e8(0.01), T0);
    invalid(&mut k, "side", InputRecord { side: 0, ..base }, Field::Side);
    invalid(&mut k, "side", InputRecord { side: 3, ..base }, Field::Side);
    invalid(&mut k, "type", InputRecord { order_type: 3, ..base }, Field::OrderType);
    let msg = invalid(&mut k, "market price", InputRecord { price: 5.0, ..base }, Field::Price);
    assert_eq!(msg, "a MARKET order must have price 0 (got 5)");
    let limit = InputRecord { order_type: OrderType::Limit.raw(), ..base };
    for (price, expected) in [
        (f64::NAN, "limit price must be a finite number (got NaN)"),
        (f64::INFINITY, "limit price must be a finite number (got inf)"),
        (-1.0, "limit price must be > 0 (got -1)"),
        (0.0, "limit price must be > 0 (got 0)"),
        (1e13, "limit price 10000000000000 exceeds the maximum 1e12"),
        (1e300, "limit price 1e300 exceeds the maximum 1e12"),
    ] {
        assert_eq!(invalid(&mut k, "limit", InputRecord { price, ..limit }, Field::Price), expected);
    }
    invalid(&mut k, "lev", InputRecord { leverage: 0, ..base }, Field::Leverage);
    invalid(&mut k, "lev", InputRecord { leverage: 126, ..base }, Field::Leverage);
    invalid(&mut k, "reason", InputRecord { exit_reason: 5, ..exit(0, 1, T0) }, Field::ExitReason);
    invalid(&mut k, "reason", InputRecord { exit_reason: 0, ..exit(0, 1, T0) }, Field::ExitReason);
    invalid(&mut k, "stale", mark_stale(0, StaleReason::Overfill, T0), Field::StaleReason);
    invalid(
        &mut k,
        "stale",
        InputRecord { stale_reason: 0, ..mark_stale(0, StaleReason::Operator, T0) },
        Field::StaleReason,
    );
    invalid(
        &mut k,
        "config",
        InputRecord { config_key: 9, ..configure(ConfigKey::HungOrderMs, 5, T0) },
        Field::ConfigKey,
    );
    for price in [f64::NAN, -1.0, 0.0, f64::NEG_INFINITY] {
        invalid(&mut k, "mark", mark(price, T0), Field::Price);
    }
    for amount in [f64::NAN, -1.0, 2e15, f64::INFINITY] {
        invalid(&mut k, "seed", seed(amount, 1, T0), Field::Amount);
    }
    invalid(&mut k, "seed value", seed(1.0, 2, T0), Field::Value);
}

#[test]
fn bad_strings_are_refused_with_readable_messages() {
    let mut k = busy_kernel();
    let base = enter(3, "Z1", Side::Long, e8(0.01), T0);
    let msg = invalid(&mut k, "asset lower", InputRecord { asset: text("btc-usdt"), ..base }, Field::Asset);
    assert_eq!(msg, "asset has byte 0x62 at 0 outside [A-Z0-9-]{1,24}: \"btc-usdt\"");
    invalid(&mut k, "asset empty", InputRecord { asset: [0; 24], ..base }, Field::Asset);
    let mut after_nul = text::<24>("BTC");
    after_nul[10] = b'X';
    let msg = invalid(&mut k, "asset after nul", InputRecord { asset: after_nul, ..base }, Field::Asset);
    assert_eq!(msg, "asset has a non-NUL byte at 10 after its NUL padding");
    invalid(&mut k, "asset full bad", InputRecord { asset: [b'!'; 24], ..base }, Field::Asset);
    let msg = invalid(&mut k, "asset utf8", InputRecord { asset: text("ÉÉÉÉÉÉÉÉÉÉÉÉ"), ..base }, Field::Asset);
    assert!(msg.contains("ÉÉÉ"), "{msg}");
    invalid(&mut k, "trade id space", InputRecord { trade_id: text("T 1"), ..base }, Field::TradeId);
    invalid(&mut k, "trade id 0xff", InputRecord { trade_id: [0xFF; 32], ..base }, Field::TradeId);
    invalid(&mut k, "trade id control", InputRecord { trade_id: text("T1\n"), ..base }, Field::TradeId);
    let long = "é".repeat(16);
    let msg = invalid(&mut k, "utf8 trade id", InputRecord { trade_id: text(&long), ..base }, Field::TradeId);
    assert!(msg.ends_with(&format!("\"{long}\"")), "{msg}");
    // Control bytes are escaped (4 bytes each): the message is truncated at 120 bytes.
    let control = InputRecord { client_order_id: [1; 40], ..ack("X", "c1", T0) };
    let msg = refused(&mut k, "control id", control, DiagCode::UnknownOrder, Field::ClientOrderId);
    assert!(msg.starts_with("ACK for unknown order \\x01\\x01") && msg.len() == MESSAGE_BYTES, "{msg}");
    invalid(&mut k, "mark asset", InputRecord { asset: text("btc"), ..mark(100.0, T0) }, Field::Asset);
}

#[test]
fn bad_venue_events_are_refused() {
    let mut k = busy_kernel();
    let fill = event(EventKind::PartialFill, "P1-E", "h1", e8(0.001), 100.0, 0.0, T0);
    invalid(&mut k, "kind", InputRecord { event_kind: 0, ..fill }, Field::EventKind);
    invalid(&mut k, "kind", InputRecord { event_kind: 7, ..fill }, Field::EventKind);
    invalid(&mut k, "reject reason", reject("P1-E", "h2", RejectReason::Venue, T0).with_reason(0), Field::RejectReason);
    invalid(&mut k, "reject reason", reject("P1-E", "h2", RejectReason::Venue, T0).with_reason(3), Field::RejectReason);
    for qty in [QTY_NOT_FINITE, QTY_TOO_PRECISE, -1, 0, QTY_MAX_E8 + 1] {
        invalid(&mut k, "fill qty", InputRecord { qty_e8: qty, ..fill }, Field::Size);
    }
    invalid(&mut k, "ack qty", InputRecord { qty_e8: QTY_OUT_OF_RANGE, ..ack("P1-E", "h3", T0) }, Field::Size);
    invalid(&mut k, "last qty", InputRecord { last_qty_e8: QTY_NOT_FINITE, ..fill }, Field::LastSize);
    invalid(&mut k, "price", InputRecord { price: f64::NAN, ..fill }, Field::Price);
    invalid(&mut k, "price", InputRecord { price: 0.0, ..fill }, Field::Price);
    invalid(&mut k, "last price", InputRecord { last_price: -1.0, ..fill }, Field::LastPrice);
    for fee in [f64::NAN, f64::INFINITY, 2e15, -2e15] {
        invalid(&mut k, "fee", InputRecord { fee, ..fill }, Field::Fee);
    }
    invalid(&mut k, "retry", InputRecord { retry_after_ms: -5, ..fill }, Field::RetryAfter);
    invalid(&mut k, "event id", InputRecord { event_id: [0; 64], ..fill }, Field::EventId);
    let mut gap = text::<64>("E1");
    gap[63] = 1;
    invalid(&mut k, "event id gap", InputRecord { event_id: gap, ..fill }, Field::EventId);
    invalid(&mut k, "no ids", InputRecord { client_order_id: [0; 40], ..fill }, Field::ClientOrderId);
    let mut cid = text::<40>("P1-E");
    cid[39] = b'x';
    invalid(&mut k, "client id gap", InputRecord { client_order_id: cid, ..fill }, Field::ClientOrderId);
}

#[test]
fn bad_reconcile_truth_is_refused() {
    let mut k = busy_kernel();
    assert!(k.apply(mark_stale(0, StaleReason::Restart, T0 + 9)).ok());
    let ok = reconcile(0, Truth { side: 1, qty_e8: e8(0.01), price: 100.0, order: None }, T0 + 10);
    invalid(&mut k, "side", InputRecord { side: 3, ..ok }, Field::Side);
    invalid(&mut k, "side", InputRecord { side: 0, ..ok }, Field::Side);
    invalid(&mut k, "qty", InputRecord { qty_e8: QTY_TOO_PRECISE, ..ok }, Field::Size);
    invalid(&mut k, "price", InputRecord { price: f64::NAN, ..ok }, Field::Price);
    invalid(&mut k, "role", InputRecord { order_role: 3, ..ok }, Field::OrderRole);
    let with_order = reconcile(
        0,
        Truth { side: 1, qty_e8: e8(0.01), price: 100.0, order: Some((OrderRole::Exit, "P0-X1", e8(0.01), 0, 0.0)) },
        T0,
    );
    invalid(&mut k, "order filled", InputRecord { order_filled_e8: e8(0.02), ..with_order }, Field::Size);
    invalid(&mut k, "order qty", InputRecord { order_qty_e8: 0, ..with_order }, Field::Size);
    invalid(
        &mut k,
        "order avg",
        InputRecord { order_filled_e8: 1, last_price: f64::NAN, ..with_order },
        Field::LastPrice,
    );
    invalid(&mut k, "order ids", InputRecord { client_order_id: [0; 40], ..with_order }, Field::ClientOrderId);
}

#[test]
fn messages_truncate_at_a_char_boundary() {
    let mut m = Msg::new();
    let _ = write!(m, "{}", "é".repeat(100));
    assert_eq!(m.as_str().len(), 120);
    let mut m = Msg::new();
    let _ = write!(m, "x{}", "é".repeat(100));
    assert_eq!(m.as_str().len(), 119, "a half character is dropped, never split");
    let _ = write!(m, "y");
    assert_eq!(m.as_str().len(), 119, "nothing is appended after a truncation");
}

trait WithReason {
    fn with_reason(self, r: u8) -> Self;
}

impl WithReason for InputRecord {
    fn with_reason(self, r: u8) -> Self {
        InputRecord { reject_reason: r, ..self }
    }
}
