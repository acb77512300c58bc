//! The slot index (`fsm/index.rs`): `matches`, which `K::outcome` runs after every call as the
//! oracle that the index is derived from the slots, notices each kind of drift; and a mark
//! reaches markable slots past the first word of the mask.

use super::*;

#[test]
fn the_slot_index_check_notices_each_kind_of_drift_from_the_slots() {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(1.0), 100.0);
    let s = k.slot(0);
    let kernel = k.kernel();
    assert!(kernel.index.matches(&kernel.slots));
    // An order's client id changed behind the index (its markable bit still right).
    kernel.slots[0].entry_order.client_order_id = text("T9-E");
    assert!(!kernel.index.matches(&kernel.slots), "a stale client id hash");
    kernel.slots[0] = s;
    // The stage changed behind the index: IDLE has no mark row, the bit still says markable.
    kernel.slots[0] = SlotImage { stage: Stage::Idle.raw(), size_e8: 0, is_open: 0, ..s };
    assert!(!kernel.index.matches(&kernel.slots), "a stale markable bit");
    kernel.slots[0] = s;
    assert!(kernel.index.matches(&kernel.slots));
    // A markable bit for a slot the kernel does not have.
    kernel.index.update_stage(1, &s);
    assert!(!kernel.index.matches(&kernel.slots), "a bit past the last slot");
    kernel.index.update_stage(1, &SlotImage { stage: Stage::Idle.raw(), ..SlotImage::ZERO });
    assert!(kernel.index.matches(&kernel.slots));
}

#[test]
fn a_mark_reaches_a_position_in_a_slot_past_the_first_64() {
    let mut k = K::new(130);
    open_position(&mut k, 129, "T129", e8(1.0), 100.0);
    assert!(k.apply(mark(101.0, T0 + 10)).ok());
    assert_eq!((k.slot(129).mark_price, k.slot(129).unrealized_pnl), (101.0, 1.0));
    assert_eq!(k.account().unrealized_pnl, 1.0);
}
