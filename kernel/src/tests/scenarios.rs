//! Scenarios across many inputs: PnL by hand, settlement exactly once, idempotency and
//! reordering, determinism, batch = sequential, restore, routing, configuration, allocation.

use super::*;
use crate::slot::content;

fn close_to(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn multi_leg_exit_settles_pnl_computed_by_hand() {
    let mut k = K::new(1);
    assert!(k.apply(seed(10_000.0, 0, T0)).ok());
    assert!(k.apply(enter(0, "ML", Side::Long, e8(0.03), T0 + 1)).ok());
    // Entry fills in two steps: 0.01 @ 99 then cumulative 0.03 @ avg 100, fee 0.30.
    assert!(k.apply(event(EventKind::PartialFill, "ML-E", "e1", e8(0.01), 99.0, 0.1, T0 + 2)).ok());
    assert!(k.apply(event(EventKind::FullFill, "ML-E", "e2", e8(0.03), 100.0, 0.3, T0 + 3)).ok());
    // Leg 1: 0.01 @ 110, fee 0.11 -> +0.10.
    assert!(k.apply(exit(0, e8(0.01), T0 + 4)).ok());
    assert!(k.apply(event(EventKind::FullFill, "ML-X1", "x1", e8(0.01), 110.0, 0.11, T0 + 5)).ok());
    let s = k.slot(0);
    assert_eq!((k.stage(0), s.size_e8), (Stage::PositionOpen, e8(0.02)));
    assert!(close_to(s.realized_closed_legs, 0.1) && close_to(s.fees, 0.41));
    // Leg 2: 0.005 @ 120 (+0.10 while working), then cumulative 0.02 @ avg 115, fee 0.23 -> +0.30.
    assert!(k.apply(exit(0, e8(0.02), T0 + 6)).ok());
    assert!(k.apply(event(EventKind::PartialFill, "ML-X2", "x2", e8(0.005), 120.0, 0.05, T0 + 7)).ok());
    let s = k.slot(0);
    assert_eq!(s.size_e8, e8(0.015));
    assert!(close_to(s.realized_pnl, 0.2) && close_to(s.fees, 0.46));
    assert_eq!(k.account().capital, 10_000.0, "capital moves only at settlement");
    assert!(k.apply(event(EventKind::FullFill, "ML-X2", "x3", e8(0.02), 115.0, 0.23, T0 + 8)).ok());
    let (s, a) = (k.slot(0), k.account());
    assert_eq!((k.stage(0), s.size_e8, s.is_open, s.leg()), (Stage::Closed, 0, 0, 2));
    assert!(close_to(s.realized_pnl, 0.4) && close_to(s.fees, 0.64));
    // capital += 0.40 - 0.64.
    assert!(close_to(a.capital, 9_999.76) && close_to(a.realized_pnl_total, -0.24) && close_to(a.fees_paid, 0.64));
    assert!(close_to(a.drawdown, 0.24) && close_to(a.drawdown_ratio, 0.24 / 10_000.0));
    assert_eq!((a.trade_seq, a.peak_capital, a.unrealized_pnl), (1, 10_000.0, 0.0));
    assert_eq!(a.equity, a.capital);
}

#[test]
fn short_trade_profits_when_price_falls() {
    let mut k = K::new(1);
    assert!(k.apply(seed(1_000.0, 0, T0)).ok());
    assert!(k.apply(enter(0, "S1", Side::Short, e8(2.0), T0 + 1)).ok());
    assert_eq!(k.slot(0).entry_order.side, OrderSide::Sell.raw());
    assert!(k.apply(event(EventKind::FullFill, "S1-E", "e", e8(2.0), 50.0, 0.0, T0 + 2)).ok());
    assert!(k.apply(mark(45.0, T0 + 3)).ok());
    assert_eq!(k.account().unrealized_pnl, 10.0);
    assert!(k.apply(exit(0, e8(2.0), T0 + 4)).ok());
    assert_eq!(k.slot(0).exit_order.side, OrderSide::Buy.raw());
    assert!(k.apply(event(EventKind::FullFill, "S1-X1", "x", e8(2.0), 40.0, 1.0, T0 + 5)).ok());
    let a = k.account();
    assert_eq!((a.capital, a.peak_capital, a.unrealized_pnl, a.equity), (1_019.0, 1_019.0, 0.0, 1_019.0));
}

#[test]
fn settlement_happens_exactly_once_whatever_arrives_later() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0);
    assert!(k.apply(exit(0, e8(0.01), T0 + 10)).ok());
    let full = event(EventKind::FullFill, "T1-X1", "xf", e8(0.01), 110.0, 0.5, T0 + 11);
    assert!(k.apply(full).ok());
    let settled = k.account();
    assert_eq!(settled.trade_seq, 1);
    // The same fill again, the same fill under a new event id, a late cancel ack, a mark.
    assert_eq!(k.apply(full).codes(), vec![DiagCode::DuplicateEvent]);
    let again = InputRecord { event_id: text("xf-redelivered"), ..full };
    assert_eq!(k.apply(again).codes(), vec![DiagCode::StaleEvent]);
    let late_ack = event(EventKind::CancelAck, "T1-X1", "xc", e8(0.01), 110.0, 0.5, T0 + 12);
    assert_eq!(k.apply(late_ack).codes(), vec![DiagCode::StaleEvent]);
    assert!(k.apply(mark(200.0, T0 + 13)).ok());
    let a = k.account();
    assert_eq!(
        (a.capital, a.trade_seq, a.fees_paid, a.realized_pnl_total),
        (settled.capital, 1, settled.fees_paid, settled.realized_pnl_total)
    );
}

/// The fields a converged slot must agree on, whatever the delivery order.
fn economics(s: &SlotImage) -> (u8, i64, u64, u64, i64, u64, u64, u8) {
    let o = if s.exit_order.present == 1 { s.exit_order } else { s.entry_order };
    (
        s.stage,
        s.size_e8,
        s.entry_price.to_bits(),
        s.fees.to_bits(),
        o.filled_e8,
        o.avg_fill_price.to_bits(),
        o.fee.to_bits(),
        o.status,
    )
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for at in 0..=p.len() {
            let mut q = p.clone();
            q.insert(at, n - 1);
            out.push(q);
        }
    }
    out
}

#[test]
fn reordered_and_duplicated_cumulative_fills_converge() {
    let fills = [
        event(EventKind::PartialFill, "T1-E", "p1", e8(0.002), 100.0, 0.02, T0 + 5),
        event(EventKind::PartialFill, "T1-E", "p2", e8(0.005), 100.2, 0.05, T0 + 5),
        event(EventKind::PartialFill, "T1-E", "p3", e8(0.008), 100.3, 0.08, T0 + 5),
        event(EventKind::FullFill, "T1-E", "f", e8(0.01), 100.4, 0.1, T0 + 5),
        ack("T1-E", "a", T0 + 5),
    ];
    let mut outcomes = Vec::new();
    for order in permutations(fills.len()) {
        let mut k = K::new(1);
        assert!(k.apply(enter(0, "T1", Side::Long, e8(0.01), T0)).ok());
        for &i in order.iter().chain(order.iter()) {
            let o = k.apply(fills[i]);
            assert_eq!(o.status, STATUS_OK);
        }
        outcomes.push((economics(&k.slot(0)), k.account().unrealized_pnl.to_bits()));
    }
    assert_eq!(outcomes.len(), 120);
    assert!(outcomes.iter().all(|o| *o == outcomes[0]), "{:?}", outcomes[0]);
    assert_eq!(outcomes[0].0 .0, Stage::PositionOpen.raw());
    assert_eq!(outcomes[0].0 .1, e8(0.01));
}

#[test]
fn reordered_exit_fills_settle_the_same_capital() {
    let fills = [
        event(EventKind::PartialFill, "T1-X1", "x1", e8(0.003), 110.0, 0.03, T0 + 20),
        event(EventKind::PartialFill, "T1-X1", "x2", e8(0.007), 111.0, 0.07, T0 + 20),
        event(EventKind::FullFill, "T1-X1", "x3", e8(0.01), 112.0, 0.1, T0 + 20),
    ];
    let mut results = Vec::new();
    for order in permutations(fills.len()) {
        let mut k = K::new(1);
        open_position(&mut k, 0, "T1", e8(0.01), 100.0);
        assert!(k.apply(exit(0, e8(0.01), T0 + 10)).ok());
        for &i in &order {
            k.apply(fills[i]);
        }
        let a = k.account();
        results.push((k.stage(0), a.capital.to_bits(), a.trade_seq));
    }
    assert!(results.iter().all(|r| *r == results[0]));
    assert_eq!((results[0].0, results[0].2), (Stage::Closed, 1));
}

/// A long mixed script: trades on two slots, hostile inputs, marks, ticks, stale and reconcile.
fn script() -> Vec<InputRecord> {
    let mut v = vec![
        seed(5_000.0, 0, T0),
        enter(0, "A1", Side::Long, e8(0.5), T0 + 1),
        enter(1, "B1", Side::Short, e8(1.0), T0 + 1),
    ];
    v.push(event(EventKind::PartialFill, "A1-E", "a1", e8(0.2), 100.0, 0.02, T0 + 2));
    v.push(InputRecord { qty_e8: QTY_NOT_FINITE, ..enter(2, "C1", Side::Long, 0, T0 + 2) });
    v.push(event(EventKind::FullFill, "A1-E", "a2", e8(0.5), 101.0, 0.05, T0 + 3));
    v.push(event(EventKind::FullFill, "B1-E", "b1", e8(1.0), 50.0, 0.05, T0 + 3));
    v.push(mark(105.0, T0 + 4));
    v.push(exit(0, e8(0.2), T0 + 5));
    v.push(event(EventKind::FullFill, "A1-X1", "a3", e8(0.2), 106.0, 0.02, T0 + 6));
    v.push(event(EventKind::FullFill, "A1-X1", "a3", e8(0.2), 106.0, 0.02, T0 + 6));
    v.push(tick(T0 + 100_000));
    v.push(mark_stale(1, StaleReason::Divergence, T0 + 100_001));
    v.push(reconcile(1, Truth { side: 2, qty_e8: e8(0.8), price: 50.0, order: None }, T0 + 100_002));
    v.push(exit(0, e8(0.3), T0 + 100_003));
    v.push(event(EventKind::FullFill, "A1-X2", "a4", e8(0.3), 99.0, 0.03, T0 + 100_004));
    v.push(input(InputKind::Enter, 9, T0));
    v
}

#[test]
fn two_kernels_fed_the_same_inputs_have_the_same_hash_and_records() {
    let (mut a, mut b) = (K::new(4), K::new(4));
    for i in script() {
        let (oa, ob) = (a.apply(i), b.apply(i));
        assert_eq!(format!("{:?}", oa.header), format!("{:?}", ob.header));
        let bytes = |o: &Outcome| -> Vec<u8> {
            o.transitions
                .iter()
                .flat_map(|t| t.bytes().to_vec())
                .chain(o.diags.iter().flat_map(|d| d.bytes().to_vec()))
                .collect()
        };
        assert_eq!(bytes(&oa), bytes(&ob));
        assert_eq!(a.hash(), b.hash());
    }
    assert_eq!(a.snapshot(), b.snapshot());
    assert_eq!(a.stage(0), Stage::Closed);
    assert_ne!(a.hash(), K::new(4).hash());
}

#[test]
fn batch_equals_sequential() {
    let inputs = script();
    let mut seq = K::new(4);
    let (mut seq_t, mut seq_d, mut seq_accepted) = (Vec::new(), Vec::new(), Vec::new());
    for (n, i) in inputs.iter().enumerate() {
        let o = seq.apply(*i);
        seq_accepted.push(o.accepted[0]);
        seq_t.extend(o.transitions.iter().map(|t| TransitionRecord { input_index: n as u32, ..*t }.bytes().to_vec()));
        seq_d.extend(o.diags.iter().map(|d| DiagnosticRecord { input_index: n as u32, ..*d }.bytes().to_vec()));
    }
    let mut bat = K::new(4);
    let (n, o) = bat.batch(&inputs);
    assert_eq!(n as usize, inputs.len());
    assert_eq!(o.accepted, seq_accepted);
    assert_eq!(o.header.accepted as usize, seq_accepted.iter().filter(|&&a| a == 1).count());
    assert_eq!(o.transitions.iter().map(|t| t.bytes().to_vec()).collect::<Vec<_>>(), seq_t);
    assert_eq!(o.diags.iter().map(|d| d.bytes().to_vec()).collect::<Vec<_>>(), seq_d);
    assert_eq!(bat.snapshot(), seq.snapshot());
}

#[test]
fn apply_one_answers_acceptance_and_leaves_what_apply_leaves() {
    let (one, mut reference) = (K::new(4), K::new(4));
    for (n, i) in script().iter().enumerate() {
        let expected = reference.apply(*i);
        let answer = unsafe { dita_kernel_apply_one(one.ptr, i) };
        let got = one.outcome(STATUS_OK);
        assert_eq!(answer, expected.accepted[0] as u32, "input {n}");
        assert_eq!(format!("{:?}", got), format!("{:?}", expected), "input {n}: the same outcome arena");
        assert_eq!(one.snapshot(), reference.snapshot(), "input {n}");
    }
    let seed_unaligned = {
        let mut bytes = vec![0u8; size_of::<InputRecord>() + 1];
        bytes[1..].copy_from_slice(seed(1.0, 0, T0 + 900_000).bytes());
        bytes
    };
    let at = unsafe { seed_unaligned.as_ptr().add(1) } as *const InputRecord;
    assert_eq!(
        unsafe { dita_kernel_apply_one(one.ptr, at) },
        0,
        "an unaligned record is read (and refused: capital is seeded once)"
    );
    assert_eq!(unsafe { dita_kernel_apply_one(one.ptr, core::ptr::null()) }, ONE_NULL);
    assert_eq!(unsafe { dita_kernel_apply_one(core::ptr::null_mut(), &seed(1.0, 0, T0)) }, ONE_NULL);
    assert_eq!(unsafe { dita_kernel_arm_fault_drill(one.ptr, FAULT_DRILL_TOKEN) }, STATUS_OK);
    assert_eq!(unsafe { dita_kernel_apply_one(one.ptr, &tick(T0 + 900_001)) }, ONE_FAULTED);
    assert_eq!(one.outcome(STATUS_OK).codes(), vec![DiagCode::KernelFault]);
    assert_eq!(unsafe { dita_kernel_apply_one(one.ptr, &tick(T0 + 900_002)) }, ONE_FAULTED, "latched");
}

#[test]
fn records_in_an_unaligned_caller_buffer_apply_exactly_like_aligned_ones() {
    let inputs = script();
    let size = core::mem::size_of::<InputRecord>();
    let mut bytes = vec![0u8; inputs.len() * size + 1];
    for (n, i) in inputs.iter().enumerate() {
        bytes[1 + n * size..1 + (n + 1) * size].copy_from_slice(i.bytes());
    }
    let unaligned = unsafe { bytes.as_ptr().add(1) } as *const InputRecord;
    assert!(!unaligned.is_aligned(), "the test needs a misaligned pointer");
    let odd = K::new(4);
    let n = unsafe { dita_kernel_apply_batch(odd.ptr, unaligned, inputs.len() as u32) };
    assert_eq!(n as usize, inputs.len());
    let mut even = K::new(4);
    even.batch(&inputs);
    assert_eq!(odd.snapshot(), even.snapshot());
}

#[test]
fn batch_processes_at_most_batch_max_and_the_caller_loops() {
    let mut k = K::new(1);
    let inputs: Vec<_> = (0..1500).map(|n| mark(100.0 + n as f64, T0 + n)).collect();
    let (n, o) = k.batch(&inputs);
    assert_eq!((n, o.header.inputs, o.accepted.len()), (1024, 1024, 1024));
    let (n, _) = k.batch(&inputs[1024..]);
    assert_eq!(n, 476);
    assert_eq!(unsafe { dita_kernel_apply_batch(k.ptr, inputs.as_ptr(), 0) }, 0);
}

#[test]
fn arena_stops_a_batch_before_it_could_overflow() {
    let mut arena = crate::diagnostics::Arena::new();
    arena.begin(false);
    assert!(arena.has_room(256));
    arena.header.diagnostics = (DIAGNOSTICS_CAPACITY - 259) as u32;
    assert!(arena.has_room(256));
    arena.header.diagnostics += 1;
    assert!(!arena.has_room(256));
    arena.begin(false);
    arena.header.transitions = (TRANSITIONS_CAPACITY - 1) as u32;
    assert!(!arena.has_room(1));
}

#[test]
fn restore_installs_a_valid_image_and_the_trade_continues() {
    let mut a = K::new(2);
    open_position(&mut a, 1, "R1", e8(0.01), 100.0);
    assert!(a.apply(exit(1, e8(0.01), T0 + 10)).ok());
    assert!(a.apply(mark(90.0, T0 + 11)).ok());
    let image = a.slot(1);
    let mut b = K::new(2);
    assert!(b.apply(seed(10_000.0, 0, T0)).ok());
    let o = b.restore(&image, T0 + 50);
    assert!(o.ok(), "{:?}", o.messages());
    let t = o.only_transition();
    assert_eq!(
        (t.slot_id, t.from, t.to, t.trigger, t.row),
        (1, 1, Stage::ExitWorking.raw(), Trigger::Restore.raw(), ROW_NONE)
    );
    let s = b.slot(1);
    assert_eq!((s.version, s.updated_at_ms), (image.version + 1, T0 + 50));
    assert_eq!(
        SlotImage { version: 0, updated_at_ms: 0, ..s }.bytes(),
        SlotImage { version: 0, updated_at_ms: 0, ..image }.bytes()
    );
    assert_eq!(b.account().unrealized_pnl, -0.1);
    assert_eq!(o.header.dirty_slots[0], 0b10);
    assert!(b.apply(event(EventKind::FullFill, "R1-X1", "x", e8(0.01), 95.0, 0.0, T0 + 51)).ok());
    assert_eq!((b.stage(1), b.account().trade_seq), (Stage::Closed, 1));
}

#[test]
fn restore_refuses_an_inconsistent_image_and_changes_nothing() {
    let mut k = K::new(2);
    open_position(&mut k, 0, "R1", e8(0.01), 100.0);
    let before = k.snapshot();
    let cases: Vec<(SlotImage, &str)> = vec![
        (SlotImage { size_e8: 0, ..k.slot(0) }, "POSITION_OPEN needs size_e8 > 0"),
        (SlotImage { stage: 9, ..k.slot(0) }, "image.stage 9 is not a Stage"),
        (SlotImage { slot_id: 7, ..k.slot(0) }, "image.slot_id 7 is out of range 0..=1"),
        (SlotImage { entry_price: f64::NAN, ..k.slot(0) }, "image.entry_price must be a finite number (got NaN)"),
        (SlotImage { trade_id: text("bad id!"), ..k.slot(0) }, "image.trade_id has byte 0x20"),
        (SlotImage { stale_reason: 1, ..k.slot(0) }, "image.stale_reason"),
        (SlotImage { is_open: 0, ..k.slot(0) }, "side, leverage or is_open is unset"),
        (SlotImage { _reserved0: [0, 1, 0], ..k.slot(0) }, "image._reserved must be zero"),
    ];
    for (image, expected) in cases {
        let o = k.restore(&image, T0 + 9);
        assert_eq!(o.codes(), vec![DiagCode::InvalidIntent]);
        let (d, msg) = (o.diags[0], message(&o.diags[0]));
        assert!(msg.contains(expected), "{msg} should contain {expected}");
        assert_eq!((d.field, o.accepted[0], o.header.transitions), (Field::Image.raw(), 0, 0));
        assert_eq!(k.snapshot(), before);
    }
}

#[test]
fn venue_events_route_by_venue_order_id_and_by_explicit_slot() {
    let mut k = K::new(3);
    assert!(k.apply(enter(2, "T1", Side::Long, e8(0.01), T0)).ok());
    assert!(k.apply(ack("T1-E", "a", T0 + 1)).ok());
    // No client order id: the venue order id recorded by the ACK routes it.
    let by_venue = InputRecord {
        client_order_id: [0; 40],
        venue_order_id: text("VT1-E"),
        ..event(EventKind::PartialFill, "", "p", e8(0.004), 100.0, 0.0, T0 + 2)
    };
    assert_eq!(k.apply(by_venue).only_transition().slot_id, 2);
    let explicit =
        InputRecord { slot_id: 2, ..event(EventKind::PartialFill, "T1-E", "p2", e8(0.005), 100.0, 0.0, T0 + 3) };
    assert!(k.apply(explicit).ok());
    assert_eq!(k.slot(2).size_e8, e8(0.005));
    // An ACK after fills keeps the fill status.
    assert!(k.apply(ack("T1-E", "a-late", T0 + 4)).ok());
    assert_eq!(k.slot(2).entry_order.status, OrderStatus::PartiallyFilled.raw());
}

#[test]
fn trade_ids_are_not_reused_and_late_events_of_an_old_trade_are_stale() {
    let mut k = K::new(2);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0);
    let o = k.apply(enter(1, "T1", Side::Long, e8(0.01), T0 + 10));
    assert_eq!(message(&o.diags[0]), "trade_id T1 is already used by slot 0");
    assert!(k.apply(exit(0, e8(0.01), T0 + 11)).ok());
    assert!(k.apply(event(EventKind::FullFill, "T1-X1", "x", e8(0.01), 100.0, 0.0, T0 + 12)).ok());
    assert!(k.apply(enter(0, "T2", Side::Long, e8(0.01), T0 + 13)).ok());
    assert_eq!(k.apply(enter(1, "T1", Side::Long, e8(0.01), T0 + 14)).codes(), vec![DiagCode::InvalidIntent]);
    // T1's orders are gone from the image but remembered as finished.
    let late = event(EventKind::PartialFill, "T1-X1", "late", e8(0.005), 100.0, 0.0, T0 + 15);
    assert_eq!(k.apply(late).codes(), vec![DiagCode::StaleEvent]);
    assert_eq!(k.stage(0), Stage::EntryWorking);
}

#[test]
fn configure_changes_the_limit_and_hung_time_and_refuses_bad_values() {
    let mut k = K::new(4);
    assert!(k.apply(configure(ConfigKey::ActiveSlotLimit, 1, T0)).ok());
    assert!(k.apply(configure(ConfigKey::HungOrderMs, 1_000, T0)).ok());
    let mut out = [0u64; crate::CONFIG_WORDS];
    unsafe { dita_kernel_config(k.ptr, out.as_mut_ptr()) };
    assert_eq!(out[..4], [4, 1, 1_000, TradingState::Active.raw() as u64]);
    assert_eq!(out[4..], [0.0f64.to_bits(), 0.0f64.to_bits(), 0, 0, 0.0f64.to_bits()]);
    for (key, value) in
        [(ConfigKey::ActiveSlotLimit, 5), (ConfigKey::ActiveSlotLimit, 0), (ConfigKey::HungOrderMs, 86_400_001)]
    {
        let o = k.apply(configure(key, value, T0));
        assert_eq!((o.codes(), o.diags[0].field), (vec![DiagCode::InvalidIntent], Field::Value.raw()));
    }
    assert!(k.apply(enter(0, "T1", Side::Long, 1, T0)).ok());
    assert_eq!(k.apply(enter(1, "T2", Side::Long, 1, T0)).codes(), vec![DiagCode::SlotLimitReached]);
}

#[test]
fn reconcile_refuses_truth_that_contradicts_itself() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(0.01), 100.0);
    assert!(k.apply(mark_stale(0, StaleReason::Restart, T0 + 10)).ok());
    let before = k.snapshot();
    let bad = [
        Truth {
            side: 1,
            qty_e8: e8(0.01),
            price: 100.0,
            order: Some((OrderRole::Entry, "T1-E", e8(0.02), e8(0.005), 100.0)),
        },
        Truth { side: 0, qty_e8: 0, price: 0.0, order: Some((OrderRole::Exit, "T1-X1", e8(0.01), 0, 0.0)) },
        Truth {
            side: 1,
            qty_e8: e8(0.01),
            price: 100.0,
            order: Some((OrderRole::Exit, "T1-X1", e8(0.03), e8(0.01), 100.0)),
        },
    ];
    for t in bad {
        assert_eq!(k.apply(reconcile(0, t, T0 + 11)).codes(), vec![DiagCode::InvalidIntent]);
    }
    assert_eq!(k.snapshot(), before);
}

#[test]
fn new_null_and_bad_arguments() {
    assert!(dita_kernel_new(0, 1, 1).is_null());
    assert!(dita_kernel_new(257, 1, 1).is_null());
    assert!(dita_kernel_new(4, 5, 1).is_null());
    assert!(dita_kernel_new(4, 4, 0).is_null());
    assert!(dita_kernel_new(4, 4, 86_400_001).is_null());
    let null = std::ptr::null_mut();
    unsafe {
        assert_eq!(dita_kernel_apply(null, std::ptr::null()), STATUS_NULL);
        assert_eq!(dita_kernel_apply_batch(null, std::ptr::null(), 3), 0);
        assert_eq!(dita_kernel_restore_slot(null, std::ptr::null(), 0), STATUS_NULL);
        assert!(dita_kernel_outcome(null).is_null() && dita_kernel_slots(null).is_null());
        assert_eq!((dita_kernel_slot_count(null), dita_kernel_state_hash(null)), (0, 0));
        dita_kernel_config(null, std::ptr::null_mut());
        dita_kernel_free(null);
    }
    let k = K::new(256);
    assert_eq!(unsafe { dita_kernel_apply(k.ptr, std::ptr::null()) }, STATUS_NULL);
}

#[test]
fn applying_inputs_does_not_allocate() {
    let k = K::new(4);
    let inputs = script();
    let before = crate::tests::alloc_count();
    for i in &inputs {
        unsafe { dita_kernel_apply(k.ptr, i) };
    }
    unsafe { dita_kernel_apply_batch(k.ptr, inputs.as_ptr(), inputs.len() as u32) };
    let image = k.slot(0);
    unsafe { dita_kernel_restore_slot(k.ptr, &image, T0) };
    unsafe { dita_kernel_state_hash(k.ptr) };
    assert_eq!(crate::tests::alloc_count(), before);
}

#[test]
fn equity_is_what_the_venue_shows_through_fees_and_partial_exits() {
    let mut k = K::new(1);
    assert!(k.apply(seed(10_000.0, 0, T0)).ok());
    assert!(k.apply(enter(0, "EQ", Side::Long, e8(2.0), T0 + 1)).ok());
    assert!(k.apply(event(EventKind::FullFill, "EQ-E", "e", e8(2.0), 100.0, 1.0, T0 + 2)).ok());
    // The wallet paid the entry fee already: equity = wallet (10 000 - 1) + unrealized.
    assert_eq!(k.account().equity, 9_999.0);
    assert!(k.apply(mark(110.0, T0 + 3)).ok());
    assert_eq!(k.account().equity, 10_019.0);
    assert!(k.apply(exit(0, e8(1.0), T0 + 4)).ok());
    assert!(k.apply(event(EventKind::FullFill, "EQ-X1", "x1", e8(1.0), 110.0, 0.0, T0 + 5)).ok());
    // A partial exit at the mark moves nothing: 10 realized (booked at the venue), 10 unrealized left.
    let a = k.account();
    assert_eq!((a.capital, a.unrealized_pnl, a.equity), (10_000.0, 10.0, 10_019.0));
    assert!(k.apply(exit(0, e8(1.0), T0 + 6)).ok());
    assert!(k.apply(event(EventKind::FullFill, "EQ-X2", "x2", e8(1.0), 110.0, 0.0, T0 + 7)).ok());
    let a = k.account();
    assert_eq!((k.stage(0), a.capital, a.unrealized_pnl, a.equity), (Stage::Closed, 10_019.0, 0.0, 10_019.0));
}

/// Opens and cancels exit legs `from..=to` of the position on slot 0 (trade `tid`); the warned legs.
fn cancelled_exit_legs(k: &mut K, tid: &str, from: u32, to: u32) -> Vec<u32> {
    let mut warned = Vec::new();
    for leg in from..=to {
        let t = T0 + 10 + 10 * leg as u64;
        let o = k.apply(exit(0, e8(0.01), t));
        assert!(o.ok(), "leg {leg}: {:?}", o.messages());
        if o.codes().contains(&DiagCode::ExitLegsLow) {
            warned.push(leg);
        }
        // The cancel routes by the leg's client order id: a wrong "-X<leg>" leaves the slot working.
        let cancelled = event(EventKind::CancelAck, &format!("{tid}-X{leg}"), &format!("c{leg}"), 0, 0.0, 0.0, t + 1);
        assert!(k.apply(cancelled).ok());
        assert_eq!((k.stage(0), k.slot(0).leg()), (Stage::PositionOpen, leg as u16), "leg {leg}");
    }
    warned
}

#[test]
fn exit_legs_low_warns_in_the_last_255_legs_then_the_65536th_exit_and_flatten_are_refused() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "LG", e8(0.01), 100.0);
    let warned = cancelled_exit_legs(&mut k, "LG", 1, 65_535);
    let expected: Vec<u32> = (65_280u32..=65_535).filter(|l| l.is_multiple_of(5) || *l >= 65_525).collect();
    assert_eq!(warned, expected);
    let s = k.slot(0);
    assert_eq!((s.leg_lo, s.leg_hi, s.exit_order.leg_lo, s.exit_order.leg_hi), (255, 255, 255, 255));
    assert_eq!(content(&s.exit_order.client_order_id), b"LG-X65535");
    let o = k.apply(exit(0, e8(0.01), T0 + 1_000_000));
    assert!(!o.ok() && o.codes() == vec![DiagCode::InvalidIntent], "{:?}", o.messages());
    let d = o.diags[0];
    assert_eq!(
        (d.field, d.value, d.stage),
        (Field::Size.raw(), 0.01, Stage::PositionOpen.raw()),
        "the size, the stage"
    );
    assert!(!k.apply(flatten(0, T0 + 1_000_001)).ok());
}

#[test]
fn an_exit_leg_past_255_keeps_abi_1_4s_byte_as_its_low_byte() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "HI", e8(0.01), 100.0);
    cancelled_exit_legs(&mut k, "HI", 1, 255);
    let s = k.slot(0);
    assert_eq!((s.leg_lo, s.leg_hi), (255, 0), "fewer than 256 legs: the image ABI 1.4 wrote");
    cancelled_exit_legs(&mut k, "HI", 256, 257);
    let s = k.slot(0);
    assert_eq!((s.leg_lo, s.leg_hi, s.exit_order.leg_lo, s.exit_order.leg_hi), (1, 1, 1, 1));
    assert_eq!(content(&s.exit_order.client_order_id), b"HI-X257");
}

#[test]
fn a_flatten_that_opens_the_first_of_the_last_255_exit_legs_warns_exit_legs_low() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "FL", e8(0.01), 100.0);
    cancelled_exit_legs(&mut k, "FL", 1, 65_279);
    let o = k.apply(flatten(0, T0 + 1_000_000));
    assert!(o.ok() && o.codes() == vec![DiagCode::ExitLegsLow], "{:?}", o.messages());
    assert_eq!(
        o.messages()[0],
        "exit leg 65280 of 65535: 255 left, then EXIT and FLATTEN are refused; close the position whole"
    );
}
