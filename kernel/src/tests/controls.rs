//! The trading state, the risk limits, FLATTEN and the drawdown watch (`fsm/risk.rs`,
//! `fsm/controls.rs`): each refusal at its exact boundary, nothing changed by a refusal, the
//! operator's flatten allowed in every trading state, and the state hash covering the controls.

use super::*;

fn state(k: &mut K, s: TradingState) {
    assert!(k.apply(configure(ConfigKey::TradingState, s.raw() as u64, T0)).ok());
}

fn refused_with(k: &mut K, input: InputRecord, code: DiagCode) -> (DiagnosticRecord, String) {
    let before = k.snapshot();
    let o = k.apply(input);
    assert_eq!(o.codes(), vec![code], "{:?}", o.messages());
    assert!(!o.ok());
    assert_eq!(k.snapshot(), before, "a refusal changes nothing");
    (o.diags[0], message(&o.diags[0]))
}

#[test]
fn halted_refuses_enter_and_exit_but_lets_cancel_through() {
    let mut k = K::new(2);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0);
    assert!(k.apply(enter(1, "T2", Side::Long, e8(0.01), T0 + 5)).ok());
    state(&mut k, TradingState::Halted);
    let (_, msg) = refused_with(&mut k, enter(0, "T3", Side::Long, 1, T0 + 6), DiagCode::TradingHalted);
    assert_eq!(msg, "ENTER refused: trading_state is HALTED (cancels only)");
    let (_, msg) = refused_with(&mut k, exit(0, e8(0.01), T0 + 7), DiagCode::TradingHalted);
    assert_eq!(msg, "EXIT refused: trading_state is HALTED (cancels only; flatten exits)");
    assert!(k.apply(cancel(1, T0 + 8)).ok());
    assert_eq!(k.slot(1).entry_order.status, OrderStatus::CancelRequested.raw());
}

#[test]
fn reducing_refuses_enter_only() {
    let mut k = K::new(2);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0);
    state(&mut k, TradingState::Reducing);
    let (_, msg) = refused_with(&mut k, enter(1, "T2", Side::Long, 1, T0 + 6), DiagCode::ReduceOnly);
    assert_eq!(msg, "ENTER refused: trading_state is REDUCING (exits and cancels only)");
    assert!(k.apply(exit(0, e8(0.01), T0 + 7)).ok());
    state(&mut k, TradingState::Active);
    assert!(k.apply(enter(1, "T2", Side::Long, 1, T0 + 8)).ok());
}

#[test]
fn max_leverage_refuses_exactly_above_the_limit() {
    let mut k = K::new(2);
    assert!(k.apply(configure(ConfigKey::MaxLeverage, 5, T0)).ok());
    assert!(k.apply(enter(0, "T1", Side::Long, 1, T0 + 1)).ok()); // leverage 5 = the limit
    let (d, msg) =
        refused_with(&mut k, InputRecord { leverage: 6, ..enter(1, "T2", Side::Long, 1, T0 + 2) }, DiagCode::RiskLimit);
    assert_eq!(msg, "ENTER refused: 6 leverage exceeds max_leverage 5");
    assert_eq!((d.field, d.value), (Field::MaxLeverage.raw(), 6.0));
}

#[test]
fn an_enter_at_another_leverage_on_an_asset_and_side_a_slot_holds_is_refused() {
    let mut k = K::new(4);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0); // BTC LONG at leverage 5
    let ten = |slot, tid, side, t| InputRecord { leverage: 10, ..enter(slot, tid, side, 1, t) };
    let (d, msg) = refused_with(&mut k, ten(1, "T2", Side::Long, T0 + 5), DiagCode::InvalidIntent);
    assert_eq!(msg, "ENTER refused: leverage 10 but slot 0 holds BTC-USDT LONG at 5 (one per asset and side)");
    assert_eq!((d.field, d.value), (Field::Leverage.raw(), 10.0));
    assert!(k.apply(ten(1, "T2", Side::Short, T0 + 6)).ok(), "the other side keeps its own leverage");
    let eth = InputRecord { asset: text("ETH-USDT"), ..ten(2, "T3", Side::Long, T0 + 7) };
    assert!(k.apply(eth).ok(), "another asset keeps its own leverage");
    assert!(k.apply(enter(3, "T4", Side::Long, 1, T0 + 8)).ok(), "the same leverage is accepted");
}

#[test]
fn a_closed_slot_binds_no_leverage() {
    let mut k = K::new(2);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0);
    assert!(k.apply(exit(0, e8(0.01), T0 + 5)).ok());
    let o = k.apply(event(EventKind::FullFill, "T1-X1", "T1-xfill", e8(0.01), 101.0, 0.5, T0 + 6));
    assert!(o.ok(), "{:?}", o.messages());
    assert_eq!(k.slot(0).stage, Stage::Closed.raw());
    assert!(k.apply(InputRecord { leverage: 10, ..enter(1, "T2", Side::Long, 1, T0 + 7) }).ok());
}

#[test]
fn max_notional_per_trade_uses_the_limit_price_else_the_last_mark_and_refuses_without_either() {
    let mut k = K::new(3);
    assert!(k.apply(configure_amount(ConfigKey::MaxNotionalPerTrade, 1_000.0, T0)).ok());
    let (d, msg) = refused_with(&mut k, enter(0, "T1", Side::Long, e8(0.01), T0 + 1), DiagCode::RiskLimit);
    assert_eq!(msg, "ENTER refused: no limit price and no mark for the asset while a notional limit is on");
    assert_eq!(d.field, Field::MaxNotionalPerTrade.raw());
    assert!(k.apply(mark(100_000.0, T0 + 2)).ok()); // no slot holds BTC: only remembered
    assert!(k.apply(enter(0, "T1", Side::Long, e8(0.01), T0 + 3)).ok()); // 0.01 × 100 000 = 1 000, the limit
    let (d, msg) = refused_with(&mut k, enter(1, "T2", Side::Long, e8(0.01000001), T0 + 4), DiagCode::RiskLimit);
    assert_eq!(msg, "ENTER refused: 1000.001 USDT notional exceeds max_notional_per_trade 1000");
    assert_eq!(d.value, 1000.001);
    let limit = InputRecord {
        price: 50_000.0,
        order_type: OrderType::Limit.raw(),
        ..enter(1, "T2", Side::Long, e8(0.02), T0 + 5)
    };
    assert!(k.apply(limit).ok()); // a limit order's own price: 0.02 × 50 000 = 1 000
}

#[test]
fn max_gross_exposure_counts_positions_working_entries_and_the_new_order() {
    let mut k = K::new(3);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0); // 1 USDT held
    assert!(k.apply(configure_amount(ConfigKey::MaxGrossExposure, 3.0, T0 + 4)).ok());
    let resting = InputRecord {
        price: 100.0,
        order_type: OrderType::Limit.raw(),
        ..enter(1, "T2", Side::Long, e8(0.01), T0 + 5)
    };
    assert!(k.apply(resting).ok()); // 1 held + 1 new = 2
    let third = InputRecord {
        price: 100.0,
        order_type: OrderType::Limit.raw(),
        ..enter(2, "T3", Side::Long, e8(0.01), T0 + 6)
    };
    assert!(k.apply(third).ok()); // 1 + 1 working + 1 new = 3, the limit
    assert!(k.apply(cancel(2, T0 + 7)).ok());
    assert!(k.apply(event(EventKind::CancelAck, "T3-E", "c3", 0, 0.0, 0.0, T0 + 8)).ok());
    let more = InputRecord {
        price: 100.0001,
        order_type: OrderType::Limit.raw(),
        ..enter(2, "T4", Side::Long, e8(0.01), T0 + 9)
    };
    let (d, _) = refused_with(&mut k, more, DiagCode::RiskLimit);
    assert_eq!(d.field, Field::MaxGrossExposure.raw());
}

#[test]
fn max_orders_per_minute_counts_entries_and_exits_in_a_sliding_minute() {
    let mut k = K::new(4);
    open_position(&mut k, 0, "T1", e8(0.02), 100.0); // one order at T0 + 1
    assert!(k.apply(configure(ConfigKey::MaxOrdersPerMinute, 3, T0 + 4)).ok());
    assert!(k.apply(exit(0, e8(0.01), T0 + 5)).ok()); // 2
    assert!(k.apply(enter(1, "T2", Side::Long, 1, T0 + 6)).ok()); // 3
    let (d, msg) = refused_with(&mut k, enter(2, "T3", Side::Long, 1, T0 + 7), DiagCode::RiskLimit);
    assert_eq!(msg, "ENTER refused: 4 orders in 60 s exceeds max_orders_per_minute 3 (size 0.00000001)");
    assert_eq!((d.field, d.value), (Field::MaxOrdersPerMinute.raw(), 4.0));
    // Retryable, and the hint is when the first order (T0 + 1) leaves the window: T0 + 60 001.
    assert_eq!((d.retryable, d.retry_after_ms), (1, 59_994));
    refused_with(&mut k, enter(2, "T3", Side::Long, 1, T0 + 60_000), DiagCode::RiskLimit);
    assert!(k.apply(enter(2, "T3", Side::Long, 1, T0 + 60_001)).ok()); // the first order left the window
}

#[test]
fn an_order_rate_refusal_hints_when_enough_orders_left_the_window_for_one_more() {
    let mut k = K::new(6);
    assert!(k.apply(configure(ConfigKey::MaxOrdersPerMinute, 4, T0)).ok());
    for (slot, at) in [(0, 10), (1, 20), (2, 30), (3, 40)] {
        assert!(k.apply(enter(slot, &format!("T{slot}"), Side::Long, 1, T0 + at)).ok());
    }
    // The limit lowered to 2 with 4 counted: one more fits once three left, the third at T0 + 30.
    assert!(k.apply(configure(ConfigKey::MaxOrdersPerMinute, 2, T0 + 50)).ok());
    let (d, _) = refused_with(&mut k, enter(4, "T4", Side::Long, 1, T0 + 100), DiagCode::RiskLimit);
    assert_eq!(d.retry_after_ms, 30 + 60_000 - 100);
    let (d, _) = refused_with(&mut k, enter(4, "T4", Side::Long, 1, T0 + 60_029), DiagCode::RiskLimit);
    assert_eq!(d.retry_after_ms, 1);
    assert!(k.apply(enter(4, "T4", Side::Long, 1, T0 + 60_030)).ok(), "as hinted");
}

#[test]
fn an_order_rate_hint_counts_an_order_from_before_a_clock_step_back_that_enters_the_window_by_then() {
    let mut k = K::new(4);
    assert!(k.apply(configure(ConfigKey::MaxOrdersPerMinute, 1, T0)).ok());
    assert!(k.apply(enter(0, "T1", Side::Long, 1, T0 + 90_000)).ok());
    // The wall clock steps back 90 s: that order is stamped 90 s ahead, outside the window, for now.
    assert!(k.apply(enter(1, "T2", Side::Long, 1, T0 + 1)).ok());
    let (d, _) = refused_with(&mut k, enter(2, "T3", Side::Long, 1, T0 + 2), DiagCode::RiskLimit);
    // T2 leaves at T0 + 60 001, but T1 has counted since T0 + 30 001 and leaves at T0 + 150 000.
    assert_eq!((d.retryable, d.retry_after_ms), (1, 150_000 - 2));
    refused_with(&mut k, enter(2, "T3", Side::Long, 1, T0 + 60_001), DiagCode::RiskLimit);
    refused_with(&mut k, enter(2, "T3", Side::Long, 1, T0 + 149_999), DiagCode::RiskLimit);
    assert!(k.apply(enter(2, "T3", Side::Long, 1, T0 + 150_000)).ok(), "as hinted");
}

/// `recent` only changes where a stamp enters (a minute before it, exclusive) or leaves (a minute
/// after it): the first such time after `now` at which `recent` is below `limit`, as ms from `now`.
fn room_by_recent(w: &crate::fsm::risk::OrderWindow, now: u64, limit: u32) -> i64 {
    let stamps = (0..w.len as usize).map(|k| w.stamps[(w.head as usize + k) % w.stamps.len()]);
    let mut at: Vec<u64> = stamps.flat_map(|s| [s.saturating_sub(59_999), s.saturating_add(60_000)]).collect();
    at.push(now + 1);
    at.sort_unstable();
    let t = at.into_iter().find(|&t| t > now && w.recent(t) < limit).expect("the window empties");
    (t - now) as i64
}

#[test]
fn the_order_rate_hint_is_the_first_ms_recent_has_room_for_any_stamps_and_limit() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15; // xorshift64, fixed seed: the same draws every run
    let mut next = |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    for case in 0..3_000 {
        let mut w = crate::fsm::risk::OrderWindow::new();
        let base = T0 + next(400_000);
        let orders = if case % 100 == 0 { 1_200 + next(50) } else { 1 + next(12) }; // some wrap the ring
        for _ in 0..orders {
            w.record(base + next(240_000)); // non-monotonic, some a minute or more ahead of `now`
        }
        let now = base + next(240_000);
        let limit = 1 + next(orders.min(1_200)) as u32;
        if w.recent(now) < limit {
            assert_eq!(w.room_in_ms(now, limit), 0, "case {case}: room now");
            continue;
        }
        assert_eq!(w.room_in_ms(now, limit), room_by_recent(&w, now, limit), "case {case}: now {now} limit {limit}");
    }
}

#[test]
fn after_the_wall_clock_steps_back_an_hour_the_order_window_counts_the_orders_of_the_new_clock_only() {
    let mut k = K::new(5);
    const LATER: u64 = T0 + 3_600_000;
    assert!(k.apply(configure(ConfigKey::MaxOrdersPerMinute, 2, LATER)).ok());
    assert!(k.apply(enter(0, "T1", Side::Long, 1, LATER + 1)).ok());
    assert!(k.apply(enter(1, "T2", Side::Long, 1, LATER + 2)).ok());
    refused_with(&mut k, enter(2, "T3", Side::Long, 1, LATER + 3), DiagCode::RiskLimit);
    // The clock steps back an hour: the two orders are stamped an hour ahead and no longer count.
    assert!(k.apply(enter(2, "T3", Side::Long, 1, T0)).ok(), "not refused for the hour the clock lost");
    assert!(k.apply(enter(3, "T4", Side::Long, 1, T0 + 1)).ok());
    refused_with(&mut k, enter(4, "T5", Side::Long, 1, T0 + 2), DiagCode::RiskLimit); // the new clock's two
                                                                                      // A step back of less than a minute keeps counting them (inputs are not required to be monotonic).
    assert_eq!(k.kernel().orders.recent(LATER - 59_990), 2);
    assert_eq!(k.kernel().orders.recent(LATER - 60_002), 0);
}

#[test]
fn a_stop_loss_or_manual_exit_counts_in_the_order_window_but_is_never_refused_by_it() {
    let mut k = K::new(4);
    open_position(&mut k, 0, "T1", e8(0.04), 100.0); // one order at T0 + 1
    assert!(k.apply(configure(ConfigKey::MaxOrdersPerMinute, 1, T0 + 4)).ok());
    let (_, msg) = refused_with(&mut k, exit(0, e8(0.01), T0 + 5), DiagCode::RiskLimit); // TP: refused
    assert_eq!(msg, "EXIT refused: 2 orders in 60 s exceeds max_orders_per_minute 1 (size 0.01)");
    let stop = InputRecord { exit_reason: ExitReason::Sl.raw(), ..exit(0, e8(0.01), T0 + 6) };
    assert!(k.apply(stop).ok(), "a stop loss is sent whatever the order rate");
    assert_eq!(k.kernel().orders.recent(T0 + 6), 2, "and it counts");
    assert!(k.apply(event(EventKind::CancelAck, "T1-X1", "x1", 0, 0.0, 0.0, T0 + 7)).ok());
    let manual = InputRecord { exit_reason: ExitReason::Manual.raw(), ..exit(0, e8(0.01), T0 + 8) };
    assert!(k.apply(manual).ok(), "so is a manual close");
    refused_with(&mut k, enter(1, "T2", Side::Long, 1, T0 + 9), DiagCode::RiskLimit);
    // entries still are
}

#[test]
fn a_loss_that_crosses_max_drawdown_ratio_moves_to_reducing_once_with_one_critical_diagnostic() {
    let mut k = K::new(2);
    open_position(&mut k, 0, "T1", e8(1.0), 100.0); // seeded 10 000, entry fee 0.5
    assert!(k.apply(configure_amount(ConfigKey::MaxDrawdownRatio, 0.01, T0 + 4)).ok());
    assert!(k.apply(exit(0, e8(1.0), T0 + 5)).ok());
    let o = k.apply(event(EventKind::FullFill, "T1-X1", "x1", e8(1.0), 0.0 + 1.0, 0.5, T0 + 6)); // −99 − fees
    assert!(o.ok());
    assert_eq!(o.codes(), vec![DiagCode::DrawdownLimit]);
    assert_eq!(o.diags[0].severity, Severity::Critical.raw());
    assert!(message(&o.diags[0]).ends_with("reached max_drawdown_ratio 0.01: trading_state ACTIVE -> REDUCING"));
    assert_eq!(k.kernel().config.limits.trading_state, TradingState::Reducing);
    open_position_reducing_is_refused(&mut k);
}

/// Capital 9 500 after a peak of 10 000 (a recovery re-seed): drawdown 0.05, still ACTIVE.
fn in_five_percent_drawdown() -> K {
    let mut k = K::new(2);
    assert!(k.apply(seed(10_000.0, 0, T0)).ok());
    assert!(k.apply(seed(9_500.0, 1, T0 + 1)).ok());
    assert_eq!(k.account().drawdown_ratio, 0.05);
    assert_eq!(k.kernel().config.limits.trading_state, TradingState::Active);
    k
}

#[test]
fn lowering_max_drawdown_ratio_below_the_current_drawdown_moves_to_reducing_in_the_same_step() {
    let mut k = in_five_percent_drawdown();
    let o = k.apply(configure_amount(ConfigKey::MaxDrawdownRatio, 0.03, T0 + 2));
    assert!(o.ok());
    assert_eq!(o.codes(), vec![DiagCode::DrawdownLimit]);
    assert_eq!(o.diags[0].severity, Severity::Critical.raw());
    assert_eq!(
        message(&o.diags[0]),
        "drawdown 0.05 of peak 10000 reached max_drawdown_ratio 0.03: trading_state ACTIVE -> REDUCING"
    );
    assert_eq!((o.diags[0].field, o.diags[0].value), (Field::MaxDrawdownRatio.raw(), 0.05));
    assert_eq!(k.kernel().config.limits.trading_state, TradingState::Reducing);
    open_position_reducing_is_refused(&mut k);
    let o = k.apply(configure_amount(ConfigKey::MaxDrawdownRatio, 0.02, T0 + 8));
    assert!(o.ok() && o.diags.is_empty(), "once per crossing: {:?}", o.messages());
}

#[test]
fn setting_max_drawdown_ratio_above_the_drawdown_or_to_zero_keeps_trading_active_without_a_diagnostic() {
    let mut k = in_five_percent_drawdown();
    for ratio in [0.1, 0.06, 0.0] {
        let o = k.apply(configure_amount(ConfigKey::MaxDrawdownRatio, ratio, T0 + 2));
        assert!(o.ok() && o.diags.is_empty(), "{ratio}: {:?}", o.messages());
        assert_eq!(k.kernel().config.limits.trading_state, TradingState::Active);
    }
    assert!(k.apply(enter(1, "T2", Side::Long, 1, T0 + 3)).ok(), "0 = off: entries still pass");
}

#[test]
fn lowering_max_drawdown_ratio_while_reducing_or_halted_changes_only_the_limit() {
    for s in [TradingState::Reducing, TradingState::Halted] {
        let mut k = in_five_percent_drawdown();
        state(&mut k, s);
        let o = k.apply(configure_amount(ConfigKey::MaxDrawdownRatio, 0.03, T0 + 2));
        assert!(o.ok() && o.diags.is_empty(), "{s:?}: {:?}", o.messages());
        assert_eq!(k.kernel().config.limits.trading_state, s);
        assert_eq!(k.kernel().config.limits.max_drawdown_ratio, 0.03);
    }
}

fn open_position_reducing_is_refused(k: &mut K) {
    let o = k.apply(enter(1, "T2", Side::Long, 1, T0 + 7));
    assert_eq!(o.codes(), vec![DiagCode::ReduceOnly]); // and no second DRAWDOWN_LIMIT anywhere
}

#[test]
fn flatten_cancels_working_orders_exits_positions_at_market_and_is_allowed_while_halted() {
    let mut k = K::new(4);
    open_position(&mut k, 0, "T1", e8(0.03), 100.0);
    assert!(k.apply(enter(1, "T2", Side::Long, e8(0.01), T0 + 5)).ok());
    open_position(&mut k, 2, "T3", e8(0.02), 100.0);
    assert!(k
        .apply(InputRecord { price: 150.0, order_type: OrderType::Limit.raw(), ..exit(2, e8(0.01), T0 + 6) })
        .ok());
    state(&mut k, TradingState::Halted);
    let o = k.apply(flatten(0, T0 + 7));
    assert_eq!((o.transitions[0].from, o.transitions[0].to), (Stage::PositionOpen.raw(), Stage::ExitWorking.raw()));
    let x = k.slot(0).exit_order;
    assert_eq!((x.intended_e8, x.order_type, x.limit_price), (e8(0.03), OrderType::Market.raw(), 0.0));
    assert_eq!(k.slot(0).exit_reason, ExitReason::Manual.raw());
    assert!(k.apply(flatten(1, T0 + 8)).ok());
    assert_eq!(k.slot(1).entry_order.status, OrderStatus::CancelRequested.raw());
    assert!(k.apply(flatten(2, T0 + 9)).ok());
    assert_eq!(k.slot(2).exit_order.status, OrderStatus::CancelRequested.raw());
    let before = k.snapshot();
    for slot in [1, 2, 3] {
        let o = k.apply(flatten(slot, T0 + 10)); // a second flatten, and an idle slot: no change
        assert!(o.ok() && o.transitions.is_empty());
    }
    assert_eq!(k.snapshot(), before);
    assert!(k.apply(mark_stale(0, StaleReason::Operator, T0 + 11)).ok());
    let o = k.apply(flatten(0, T0 + 12));
    assert_eq!(o.codes(), vec![DiagCode::StaleStateReconcile]);
}

#[test]
fn configure_refuses_out_of_range_controls_by_name_and_changes_nothing() {
    let mut k = K::new(1);
    for (input, text) in [
        (configure(ConfigKey::TradingState, 0, T0), "TRADING_STATE must be 1..=3 (got 0)"),
        (configure(ConfigKey::MaxLeverage, 126, T0), "MAX_LEVERAGE must be 0..=125 (got 126)"),
        (configure(ConfigKey::MaxOrdersPerMinute, 1_201, T0), "MAX_ORDERS_PER_MINUTE must be 0..=1200 (got 1201)"),
        (configure_amount(ConfigKey::MaxDrawdownRatio, 1.5, T0), "MAX_DRAWDOWN_RATIO must be 0..=1 (got 1.5)"),
        (
            configure_amount(ConfigKey::MaxNotionalPerTrade, -1.0, T0),
            "MAX_NOTIONAL_PER_TRADE must be 0..=1e15 (got -1)",
        ),
        (configure_amount(ConfigKey::MaxGrossExposure, f64::NAN, T0), "MAX_GROSS_EXPOSURE must be 0..=1e15 (got NaN)"),
    ] {
        let (_, msg) = refused_with(&mut k, input, DiagCode::InvalidIntent);
        assert_eq!(msg, text);
    }
}

#[test]
fn the_state_hash_covers_every_limit_the_order_window_and_the_mark_book() {
    let base = || {
        let mut k = K::new(2);
        assert!(k.apply(seed(10_000.0, 0, T0)).ok());
        k
    };
    let reference = base().hash();
    let changed: [InputRecord; 7] = [
        configure(ConfigKey::TradingState, TradingState::Halted.raw() as u64, T0),
        configure_amount(ConfigKey::MaxNotionalPerTrade, 1.0, T0),
        configure_amount(ConfigKey::MaxGrossExposure, 1.0, T0),
        configure(ConfigKey::MaxOrdersPerMinute, 1, T0),
        configure(ConfigKey::MaxLeverage, 1, T0),
        configure_amount(ConfigKey::MaxDrawdownRatio, 0.5, T0),
        mark(1.0, T0),
    ];
    for input in changed {
        let mut k = base();
        assert!(k.apply(input).ok());
        assert_ne!(k.hash(), reference, "{:?}", ConfigKey::from_raw(input.config_key));
    }
    let mut k = base();
    assert!(k.apply(enter(0, "T1", Side::Long, 1, T0 + 1)).ok());
    let mut j = base();
    assert!(j.apply(enter(0, "T1", Side::Long, 1, T0 + 1)).ok());
    j.kernel().orders.record(T0 + 2); // the window alone differs
    assert_ne!(j.hash(), k.hash());
}
