//! Validation at its edges (`validate.rs`): the largest and least common valid values are
//! accepted, and a check that caches its last result (the asset memo) refuses an empty asset
//! on a fresh kernel as it does later; a RECONCILE open order may have filled its whole size.

use super::*;

#[test]
fn an_input_at_now_ms_2_53_minus_1_is_accepted() {
    let mut k = K::new(1);
    let o = k.apply(tick(NOW_MS_MAX));
    assert!(o.ok() && o.diags.is_empty(), "{:?}", o.messages());
}

#[test]
fn a_trade_id_with_underscores_and_hyphens_is_accepted() {
    let mut k = K::new(1);
    let o = k.apply(enter(0, "grid_7-long_2", Side::Long, e8(1.0), T0));
    assert!(o.ok(), "{:?}", o.messages());
    assert_eq!(k.slot(0).entry_order.client_order_id, text("grid_7-long_2-E"));
}

#[test]
fn a_mark_price_with_an_empty_asset_is_refused_on_a_fresh_kernel() {
    let mut k = K::new(1);
    let before = k.snapshot();
    let o = k.apply(InputRecord { asset: [0; 24], ..mark(100.0, T0) });
    assert_eq!(o.codes(), vec![DiagCode::InvalidIntent], "{:?}", o.messages());
    assert_eq!((o.diags[0].field, o.accepted[0]), (Field::Asset.raw(), 0));
    assert_eq!(k.snapshot(), before);
}

#[test]
fn a_reconcile_whose_open_order_has_filled_its_whole_size_is_adopted() {
    // The venue filled the whole entry; its FULL_FILL has not arrived yet.
    let mut k = K::new(1);
    assert!(k.apply(seed(10_000.0, 0, T0)).ok());
    assert!(k.apply(enter(0, "T1", Side::Long, e8(1.0), T0 + 1)).ok());
    assert!(k.apply(mark_stale(0, StaleReason::Restart, T0 + 2)).ok());
    let done = Some((OrderRole::Entry, "T1-E", e8(1.0), e8(1.0), 100.0));
    let o = k.apply(reconcile(0, Truth { side: Side::Long.raw(), qty_e8: e8(1.0), price: 100.0, order: done }, T0 + 3));
    assert!(o.ok(), "{:?}", o.messages());
    assert_eq!((k.stage(0), k.slot(0).size_e8), (Stage::EntryWorking, e8(1.0)));
    assert!(k.apply(event(EventKind::FullFill, "T1-E", "f1", e8(1.0), 100.0, 0.5, T0 + 4)).ok());
    assert_eq!(k.stage(0), Stage::PositionOpen);
}
