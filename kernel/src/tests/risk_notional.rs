//! The notional the risk limits count for a LIMIT entry (`fsm/risk.rs`): a SELL limit fills at
//! its limit price *or higher*, so a SHORT entry whose limit is below the market fills at about
//! the mark. Its notional is size × max(limit, last mark): a far-below-market limit price must
//! not shrink it past `max_notional_per_trade` or `max_gross_exposure`. A LONG (BUY) limit fills
//! at its limit or lower, so its limit price already bounds it. A working entry of a slot gone
//! STALE_STATE_RECONCILING is still live at the venue and keeps counting in gross exposure.

use super::*;

fn limit_enter(slot: u32, tid: &str, side: Side, qty_e8: i64, price: f64, now_ms: u64) -> InputRecord {
    InputRecord { price, order_type: OrderType::Limit.raw(), ..enter(slot, tid, side, qty_e8, now_ms) }
}

fn refused_as(k: &mut K, input: InputRecord, field: Field) -> f64 {
    let before = k.snapshot();
    let o = k.apply(input);
    assert_eq!(o.codes(), vec![DiagCode::RiskLimit], "{:?}", o.messages());
    assert_eq!(o.diags[0].field, field.raw());
    assert_eq!(k.snapshot(), before, "a refusal changes nothing");
    o.diags[0].value
}

#[test]
fn a_short_limit_below_the_mark_counts_its_notional_at_the_mark() {
    let mut k = K::new(2);
    assert!(k.apply(configure_amount(ConfigKey::MaxNotionalPerTrade, 1_000.0, T0)).ok());
    assert!(k.apply(mark(100_000.0, T0 + 1)).ok());
    // A marketable SELL limit at 1 USDT fills at ~100 000: 0.02 BTC is 2 000 USDT, not 0.02.
    let attempted =
        refused_as(&mut k, limit_enter(0, "S1", Side::Short, e8(0.02), 1.0, T0 + 2), Field::MaxNotionalPerTrade);
    assert_eq!(attempted, 2_000.0);
    // Above the mark the SELL limit's own price is the bound: 0.01 × 110 000 = 1 100.
    let attempted =
        refused_as(&mut k, limit_enter(0, "S1", Side::Short, e8(0.01), 110_000.0, T0 + 3), Field::MaxNotionalPerTrade);
    assert_eq!(attempted, 1_100.0);
    // A BUY limit below the mark fills at its limit or better: 0.02 × 50 000 = 1 000, the limit.
    assert!(k.apply(limit_enter(0, "L1", Side::Long, e8(0.02), 50_000.0, T0 + 4)).ok());
    // Without a mark the SELL limit's price is all there is.
    let mut k = K::new(1);
    assert!(k.apply(configure_amount(ConfigKey::MaxNotionalPerTrade, 1_000.0, T0)).ok());
    assert!(k.apply(limit_enter(0, "S2", Side::Short, e8(0.01), 100_000.0, T0 + 1)).ok());
}

#[test]
fn a_working_short_limit_below_the_mark_counts_in_gross_exposure_at_the_mark() {
    let mut k = K::new(2);
    assert!(k.apply(configure_amount(ConfigKey::MaxGrossExposure, 3_000.0, T0)).ok());
    assert!(k.apply(mark(100_000.0, T0 + 1)).ok());
    // A working SELL limit at 1 USDT fills at the market: it holds 0.02 × 100 000 = 2 000 of
    // the gross limit (2 000 ≤ 3 000: accepted).
    let o = k.apply(limit_enter(0, "S1", Side::Short, e8(0.02), 1.0, T0 + 2));
    assert!(o.ok(), "{:?}", o.messages());
    // 2 000 working + 0.015 × 100 000 = 1 500 new = 3 500 > 3 000.
    let attempted = refused_as(&mut k, enter(1, "L1", Side::Long, e8(0.015), T0 + 3), Field::MaxGrossExposure);
    assert_eq!(attempted, 3_500.0);
}

#[test]
fn a_working_entry_of_a_stale_slot_still_counts_in_gross_exposure() {
    let mut k = K::new(2);
    assert!(k.apply(configure_amount(ConfigKey::MaxGrossExposure, 1_500.0, T0)).ok());
    // A resting BUY 0.01 @ 100 000 (1 000), then the slot goes stale (a restart, a divergence):
    // the order is still live at the venue and may fill until the RECONCILE says otherwise.
    assert!(k.apply(limit_enter(0, "L1", Side::Long, e8(0.01), 100_000.0, T0 + 1)).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 2)).ok());
    assert_eq!(k.stage(0), Stage::Stale);
    // 1 000 working + 0.006 × 100 000 = 600 new = 1 600 > 1 500.
    let attempted =
        refused_as(&mut k, limit_enter(1, "L2", Side::Long, e8(0.006), 100_000.0, T0 + 3), Field::MaxGrossExposure);
    assert_eq!(attempted, 1_600.0);
}

#[test]
fn an_asset_marked_all_along_keeps_its_mark_when_more_than_marks_max_other_assets_come_and_go() {
    let mut k = K::new(1);
    let btc: [u8; 24] = text(BTC);
    assert!(k.apply(mark(100.0, T0)).ok()); // BTC is the first asset the book ever saw
    for n in 0..(2 * MARKS_MAX as u64) {
        let other = InputRecord { asset: text(&format!("ALT{n}-USDT")), ..mark(1.0 + n as f64, T0 + 1 + 2 * n) };
        assert!(k.apply(other).ok());
        let before = if n == 0 { 100.0 } else { 100.0 + (n - 1) as f64 };
        assert_eq!(k.kernel().marks.price(&btc), Some(before), "after {} other assets", n + 1);
        assert!(k.apply(mark(100.0 + n as f64, T0 + 2 + 2 * n)).ok()); // the strategy keeps marking BTC
    }
    // The book evicted the assets marked longest ago: the first ALT is gone, the last is kept.
    assert_eq!(k.kernel().marks.price(&text("ALT0-USDT")), None);
    let last = format!("ALT{}-USDT", 2 * MARKS_MAX - 1);
    assert_eq!(k.kernel().marks.price(&text(&last)), Some(2.0 * MARKS_MAX as f64));
}
