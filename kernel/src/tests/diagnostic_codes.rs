//! One test per diagnostic code: the code, its severity, the field and value it names, its
//! message, and whether the input was accepted.

use super::*;

/// Asserts a single diagnostic of `code` and returns it with its message.
fn single(o: &Outcome, code: DiagCode) -> (DiagnosticRecord, String) {
    assert_eq!(o.codes(), vec![code], "{:?}", o.messages());
    let d = o.diags[0];
    assert_eq!(d.severity, code.severity().raw());
    (d, message(&d))
}

fn exit_working(k: &mut K) {
    open_position(k, 0, "T1", e8(0.01), 100.0);
    assert!(k.apply(exit(0, e8(0.01), T0 + 10)).ok());
}

#[test]
fn severities_match_the_abi_table() {
    use DiagCode::*;
    let expected = [
        (InvalidSlotId, Severity::Error),
        (SlotBusy, Severity::Warning),
        (SlotLimitReached, Severity::Warning),
        (InvalidIntent, Severity::Error),
        (NoActiveExitOrder, Severity::Warning),
        (InvalidTransition, Severity::Warning),
        (StaleStateReconcile, Severity::Warning),
        (DuplicateEvent, Severity::Info),
        (UnknownOrder, Severity::Error),
        (Overfill, Severity::Critical),
        (HungOrder, Severity::Warning),
        (VenueRejected, Severity::Warning),
        (RateLimited, Severity::Warning),
        (CancelRejected, Severity::Warning),
        (StaleEvent, Severity::Info),
        (Reconciled, Severity::Info),
        (KernelFault, Severity::Critical),
        (CapitalSeeded, Severity::Info),
        (InputSourceRefused, Severity::Error),
        (OrphanPosition, Severity::Critical),
        (ZincRegionCorrupt, Severity::Critical),
        (TradingHalted, Severity::Warning),
        (ReduceOnly, Severity::Warning),
        (RiskLimit, Severity::Warning),
        (DrawdownLimit, Severity::Critical),
        (VenueMismatch, Severity::Warning),
        (OrphanOrder, Severity::Warning),
        (ExitLegsLow, Severity::Warning),
    ];
    assert_eq!(expected.len(), DiagCode::ALL.len());
    for (i, (code, severity)) in expected.into_iter().enumerate() {
        assert_eq!((code.raw() as usize, code.severity()), (i + 1, severity));
    }
}

#[test]
fn invalid_slot_id_names_the_slot_and_changes_nothing() {
    let mut k = K::new(2);
    let before = k.snapshot();
    let o = k.apply(enter(5, "T1", Side::Long, e8(0.01), T0));
    let (d, msg) = single(&o, DiagCode::InvalidSlotId);
    assert_eq!((o.accepted[0], d.slot_id, d.field, d.value), (0, SLOT_ANY, Field::SlotId.raw(), 5.0));
    assert_eq!(msg, "ENTER refused: slot_id 5 is out of range 0..=1");
    assert_eq!(d.input_kind, InputKind::Enter.raw() as u8);
    assert_eq!(k.snapshot(), before);
}

#[test]
fn slot_busy_names_the_stage() {
    let mut k = K::new(1);
    exit_working(&mut k);
    let o = k.apply(enter(0, "T2", Side::Long, e8(0.01), T0 + 11));
    let (d, msg) = single(&o, DiagCode::SlotBusy);
    assert_eq!(msg, "ENTER refused: slot 0 is EXIT_WORKING");
    assert_eq!((d.slot_id, d.stage, o.accepted[0]), (0, Stage::ExitWorking.raw(), 0));
}

#[test]
fn slot_limit_reached_counts_non_idle_slots() {
    let mut k = K::with(3, 1, 30_000);
    assert!(k.apply(enter(0, "T1", Side::Long, e8(0.01), T0)).ok());
    let o = k.apply(enter(1, "T2", Side::Long, e8(0.01), T0 + 1));
    let (_, msg) = single(&o, DiagCode::SlotLimitReached);
    assert_eq!(msg, "ENTER refused: 1 slots active, active_slot_limit is 1");
    assert_eq!(k.stage(1), Stage::Idle);
}

#[test]
fn invalid_intent_for_an_exit_larger_than_the_position() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0);
    let before = k.snapshot();
    let o = k.apply(exit(0, e8(0.02), T0 + 10));
    let (d, msg) = single(&o, DiagCode::InvalidIntent);
    assert_eq!(msg, "exit size 0.02 exceeds position 0.01");
    assert_eq!((d.field, d.value), (Field::Size.raw(), 0.02));
    assert_eq!(k.snapshot(), before);
}

#[test]
fn no_active_exit_order_for_cancel_in_position_open() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0);
    let o = k.apply(cancel(0, T0 + 10));
    let (_, msg) = single(&o, DiagCode::NoActiveExitOrder);
    assert_eq!(msg, "CANCEL refused: slot 0 is POSITION_OPEN with no working exit order");
}

#[test]
fn invalid_transition_for_exit_while_exit_working_and_for_idle_slots() {
    let mut k = K::new(2);
    exit_working(&mut k);
    let (_, msg) = single(&k.apply(exit(0, e8(0.001), T0 + 11)), DiagCode::InvalidTransition);
    assert_eq!(msg, "EXIT refused: no transition from EXIT_WORKING on EXIT (slot 0)");
    single(&k.apply(mark_stale(1, StaleReason::Operator, T0 + 12)), DiagCode::InvalidTransition);
    single(&k.apply(cancel(1, T0 + 13)), DiagCode::InvalidTransition);
    let truth = Truth { side: 0, qty_e8: 0, price: 0.0, order: None };
    single(&k.apply(reconcile(1, truth, T0 + 14)), DiagCode::InvalidTransition);
}

#[test]
fn stale_state_reconcile_refuses_events_and_intents_until_reconcile() {
    let mut k = K::new(1);
    exit_working(&mut k);
    assert!(k.apply(mark_stale(0, StaleReason::Divergence, T0 + 11)).ok());
    let before = k.snapshot();
    let o = k.apply(event(EventKind::PartialFill, "T1-X1", "x1", e8(0.001), 100.0, 0.0, T0 + 12));
    let (_, msg) = single(&o, DiagCode::StaleStateReconcile);
    assert!(msg.starts_with("PARTIAL_FILL for T1-X1 refused: slot 0 is STALE_STATE_RECONCILING"), "{msg}");
    single(&k.apply(cancel(0, T0 + 13)), DiagCode::StaleStateReconcile);
    single(&k.apply(enter(0, "T9", Side::Long, 1, T0 + 14)), DiagCode::SlotBusy);
    assert_eq!(k.snapshot(), before);
}

#[test]
fn duplicate_event_is_a_no_op() {
    let mut k = K::new(1);
    exit_working(&mut k);
    let fill = event(EventKind::PartialFill, "T1-X1", "x1", e8(0.004), 110.0, 0.0, T0 + 12);
    assert!(k.apply(fill).ok());
    let before = k.snapshot();
    let o = k.apply(fill);
    let (d, msg) = single(&o, DiagCode::DuplicateEvent);
    assert_eq!(msg, "PARTIAL_FILL event x1 was already applied to slot 0");
    assert_eq!((o.accepted[0], d.field), (0, Field::EventId.raw()));
    assert_eq!(k.snapshot(), before);
}

#[test]
fn unknown_order_with_slot_any_changes_nothing() {
    let mut k = K::new(2);
    exit_working(&mut k);
    let before = k.snapshot();
    let o = k.apply(event(EventKind::Ack, "NOPE-E", "u1", 0, 0.0, 0.0, T0 + 12));
    let (d, msg) = single(&o, DiagCode::UnknownOrder);
    assert_eq!(msg, "ACK for unknown order NOPE-E: no slot has it");
    assert_eq!((d.slot_id, o.accepted[0]), (SLOT_ANY, 0));
    assert_eq!(k.snapshot(), before);
}

#[test]
fn overfill_is_critical_and_names_the_sizes() {
    let mut k = K::new(1);
    exit_working(&mut k);
    let o = k.apply(event(EventKind::PartialFill, "T1-X1", "x1", e8(0.02), 110.0, 0.0, T0 + 12));
    assert_eq!(o.transitions.len(), 1);
    let (d, msg) = single(&o, DiagCode::Overfill);
    assert_eq!(msg, "PARTIAL_FILL of EXIT order T1-X1: filled 0.02 exceeds the order size 0.01");
    assert_eq!((d.severity, d.value, d.stage), (Severity::Critical.raw(), 0.02, Stage::ExitWorking.raw()));
    assert_eq!(k.stage(0), Stage::Stale);
}

#[test]
fn hung_order_is_reported_once_and_cleared_by_a_venue_update() {
    let mut k = K::with(1, 1, 5_000);
    exit_working(&mut k);
    assert!(k.apply(tick(T0 + 10 + 4_999)).diags.is_empty());
    let version = k.slot(0).version;
    let o = k.apply(tick(T0 + 10 + 5_000));
    let (d, msg) = single(&o, DiagCode::HungOrder);
    assert_eq!(msg, "EXIT order T1-X1 has had no venue update for 5000 ms (hung_order_ms 5000)");
    assert_eq!((d.value, k.slot(0).exit_order.hung, o.header.dirty_slots[0]), (5000.0, 1, 1));
    assert_eq!(k.slot(0).version, version + 1, "the hung flag is a slot change: one version more");
    assert!(k.apply(tick(T0 + 60_000)).diags.is_empty(), "reported once");
    assert!(k.apply(ack("T1-X1", "xa", T0 + 60_001)).ok());
    assert_eq!(k.slot(0).exit_order.hung, 0);
}

#[test]
fn an_order_last_updated_more_than_hung_order_ms_after_now_is_hung_at_once_after_a_clock_step_back() {
    let mut k = K::with(1, 1, 5_000);
    exit_working(&mut k); // the exit's last update at T0 + 10
    assert!(k.apply(tick(T0 + 10 - 5_000)).diags.is_empty(), "a step back of hung_order_ms or less: still timed");
    let o = k.apply(tick(T0 + 10 - 5_001 - 3_600_000)); // the clock stepped back an hour
    let (d, msg) = single(&o, DiagCode::HungOrder);
    assert_eq!(msg, "EXIT order T1-X1 was updated 3605001 ms ahead of now_ms: the clock stepped back");
    assert!(d.value.is_nan(), "no idle time");
    assert_eq!(k.slot(0).exit_order.hung, 1);
    assert!(k.apply(tick(T0 - 3_600_000)).diags.is_empty(), "reported once");
}

#[test]
fn venue_rejected_returns_entry_to_idle() {
    let mut k = K::new(1);
    assert!(k.apply(enter(0, "T1", Side::Long, e8(0.01), T0)).ok());
    let o = k.apply(reject("T1-E", "r1", RejectReason::Venue, T0 + 1));
    let (d, msg) = single(&o, DiagCode::VenueRejected);
    assert_eq!(msg, "ENTRY order T1-E rejected by the venue");
    assert_eq!((d.retryable, d.retry_after_ms, o.accepted[0]), (0, -1, 1));
}

#[test]
fn rate_limited_is_retryable_with_the_venue_hint_or_none() {
    let mut k = K::new(2);
    assert!(k.apply(enter(0, "T1", Side::Long, e8(0.01), T0)).ok());
    let mut r = reject("T1-E", "r1", RejectReason::RateLimited, T0 + 1);
    r.retry_after_ms = 1500;
    let (d, msg) = single(&k.apply(r), DiagCode::RateLimited);
    assert_eq!((d.severity, d.retryable, d.retry_after_ms), (Severity::Warning.raw(), 1, 1500));
    assert_eq!(msg, "ENTRY order T1-E rejected: rate limited, retry after 1500 ms");
    assert!(k.apply(enter(1, "T2", Side::Long, e8(0.01), T0 + 2)).ok());
    let (d, msg) = single(&k.apply(reject("T2-E", "r2", RejectReason::RateLimited, T0 + 3)), DiagCode::RateLimited);
    assert_eq!((d.retryable, d.retry_after_ms), (1, -1));
    assert!(msg.ends_with("retry in a few minutes"), "{msg}");
}

#[test]
fn cancel_rejected_keeps_the_order_working() {
    let mut k = K::new(1);
    exit_working(&mut k);
    assert!(k.apply(cancel(0, T0 + 11)).ok());
    let o = k.apply(event(EventKind::CancelReject, "T1-X1", "cr", 0, 0.0, 0.0, T0 + 12));
    let (_, msg) = single(&o, DiagCode::CancelRejected);
    assert_eq!(msg, "cancel of EXIT order T1-X1 rejected; the order may still fill");
    assert_eq!(k.stage(0), Stage::ExitWorking);
}

#[test]
fn stale_event_for_an_older_cumulative_fill_is_remembered() {
    let mut k = K::new(1);
    exit_working(&mut k);
    assert!(k.apply(event(EventKind::PartialFill, "T1-X1", "x2", e8(0.006), 110.0, 0.0, T0 + 12)).ok());
    let slot_before = k.slot(0);
    let older = event(EventKind::PartialFill, "T1-X1", "x1", e8(0.004), 110.0, 0.0, T0 + 13);
    let (d, msg) = single(&k.apply(older), DiagCode::StaleEvent);
    assert_eq!(msg, "PARTIAL_FILL of T1-X1 cumulative 0.004 is older than the order's filled 0.006");
    assert_eq!(d.value, 0.004);
    assert_eq!(k.slot(0).bytes(), slot_before.bytes());
    single(&k.apply(older), DiagCode::DuplicateEvent);
}

#[test]
fn stale_event_for_a_finished_order() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0);
    let late = event(EventKind::PartialFill, "T1-E", "late", e8(0.005), 100.0, 0.0, T0 + 10);
    let (_, msg) = single(&k.apply(late), DiagCode::StaleEvent);
    assert_eq!(msg, "PARTIAL_FILL for finished ENTRY order T1-E (FILLED) ignored");
}

#[test]
fn reconciled_describes_the_change() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0);
    assert!(k.apply(mark_stale(0, StaleReason::Restart, T0 + 10)).ok());
    let truth = Truth { side: 2, qty_e8: e8(0.02), price: 99.5, order: None };
    let (d, msg) = single(&k.apply(reconcile(0, truth, T0 + 11)), DiagCode::Reconciled);
    assert_eq!(msg, "reconciled to POSITION_OPEN: position 0.01 -> 0.02, side LONG -> SHORT, entry 99.5");
    assert_eq!(d.stage, Stage::Stale.raw());
}

#[test]
fn kernel_fault_latches_read_only() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0);
    let before = k.snapshot();
    let wrong = unsafe { crate::dita_kernel_arm_fault_drill(k.kernel(), 42) };
    assert_eq!(wrong, crate::STATUS_NULL, "a wrong token arms nothing");
    assert_eq!(k.snapshot(), before);
    let armed = unsafe { crate::dita_kernel_arm_fault_drill(k.kernel(), crate::FAULT_DRILL_TOKEN) };
    assert_eq!(armed, crate::STATUS_OK);
    let o = k.apply(mark(120.0, T0 + 10));
    assert_eq!(o.status, STATUS_FAULTED);
    assert_eq!(o.header.faulted, 1);
    let (_, msg) = single(&o, DiagCode::KernelFault);
    assert_eq!(
        msg,
        "kernel fault, latched read-only: Invariant: fault drill armed through dita_kernel_arm_fault_drill"
    );
    // Latched: later calls change nothing and say so; reads keep working.
    let o = k.apply(mark(130.0, T0 + 11));
    assert_eq!((o.status, o.header.faulted, o.header.inputs), (STATUS_FAULTED, 1, 0));
    assert_eq!(k.batch(&[mark(140.0, T0 + 12)]).0, 0);
    assert_eq!(k.restore(&k.slot(0), T0 + 13).status, STATUS_FAULTED);
    assert_eq!(k.snapshot(), before);
    assert_eq!(k.slot(0).size_e8, e8(0.01));
}

#[test]
fn capital_seeded_once_then_only_by_recovery() {
    let mut k = K::new(1);
    let (d, msg) = single(&k.apply(seed(1000.0, 0, T0)), DiagCode::CapitalSeeded);
    assert_eq!((msg.as_str(), d.value, d.field), ("capital seeded: 1000 (open trades 0)", 1000.0, Field::Amount.raw()));
    let before = k.snapshot();
    let (d, msg) = single(&k.apply(seed(2000.0, 0, T0 + 1)), DiagCode::InvalidIntent);
    assert_eq!(msg, "capital already seeded (1000); send value=1 for a recovery re-seed");
    assert_eq!(d.field, Field::Value.raw());
    assert_eq!(k.snapshot(), before);
    let (_, msg) = single(&k.apply(seed(900.0, 1, T0 + 2)), DiagCode::CapitalSeeded);
    assert_eq!(msg, "capital re-seeded for recovery: 900 (open trades 0, peak 1000)");
    let a = k.account();
    assert_eq!((a.capital, a.peak_capital, a.drawdown, a.version), (900.0, 1000.0, 100.0, 2));
}

#[test]
fn a_seed_from_the_wallet_adds_back_what_open_trades_already_booked_so_each_trade_settles_once() {
    let mut k = K::new(2);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0); // seeds 10 000; the entry fee 0.5 left the wallet
    let (_, msg) = single(&k.apply(seed(9_999.5, 1, T0 + 4)), DiagCode::CapitalSeeded);
    assert_eq!(msg, "capital re-seeded for recovery: 10000 (open trades 0.5, peak 10000)");
    assert!(k.apply(exit(0, e8(0.01), T0 + 5)).ok());
    let o = k.apply(event(EventKind::FullFill, "T1-X1", "T1-x-fill", e8(0.01), 100.0, 0.5, T0 + 6));
    assert!(o.ok(), "{:?}", o.messages());
    assert_eq!(k.stage(0), Stage::Closed);
    // The wallet paid two fees (9 999.0); the kernel's capital says the same, the trade counted once.
    assert_eq!(k.account().capital, 9_999.0);
    assert_eq!(k.account().trade_seq, 1);
}
