//! Slot image validation for `restore_slot` (`validate/image.rs`) at its edges: each bound admits
//! its last valid value and refuses the next, strings are checked in every stage that carries
//! them (and required where a trade needs them), and a refusal is INVALID_INTENT with field
//! IMAGE that installs nothing.

use super::*;
use crate::validate::STATE_MONEY_MAX;

/// The image of a slot holding a LONG 1 at 100 (trade T1): valid as it is.
fn open_image() -> SlotImage {
    let mut k = K::new(1);
    open_position(&mut k, 0, "T1", e8(1.0), 100.0);
    k.slot(0)
}

fn installs(image: SlotImage, what: &str) {
    let mut k = K::new(1);
    let o = k.restore(&image, T0 + 100);
    assert!(o.ok(), "{what}: refused: {:?}", o.messages());
}

fn refused(image: SlotImage, what: &str) -> String {
    let mut k = K::new(1);
    let before = k.snapshot();
    let o = k.restore(&image, T0 + 100);
    assert_eq!(o.codes(), vec![DiagCode::InvalidIntent], "{what}: installed");
    assert_eq!((o.diags[0].field, o.accepted[0]), (Field::Image.raw(), 0), "{what}: {:?}", o.messages());
    assert_eq!(k.snapshot(), before, "{what}: a refused image changed the kernel");
    o.messages().remove(0)
}

#[test]
fn an_image_at_the_largest_time_and_leverage_installs_and_one_past_them_is_refused() {
    let image = open_image();
    installs(SlotImage { updated_at_ms: NOW_MS_MAX, ..image }, "updated_at_ms 2^53-1");
    installs(SlotImage { leverage: LEVERAGE_MAX, ..image }, "leverage 125");
    refused(SlotImage { leverage: LEVERAGE_MAX + 1, ..image }, "leverage 126");
    refused(SlotImage { leverage: u16::MAX, ..image }, "leverage 65535");
}

#[test]
fn an_image_whose_closed_figures_pass_1e30_is_refused() {
    let image = open_image();
    installs(SlotImage { fees_closed_orders: STATE_MONEY_MAX, ..image }, "fees 1e30");
    for (what, bad) in [
        ("fees 2e30", SlotImage { fees_closed_orders: 2e30, ..image }),
        ("realized -2e30", SlotImage { realized_closed_legs: -2e30, ..image }),
    ] {
        let msg = refused(bad, what);
        assert!(msg.contains("within ±1e30"), "{what}: {msg}");
    }
}

#[test]
fn an_image_asset_and_trade_id_are_checked_in_every_stage_and_required_in_trading_stages() {
    let image = open_image();
    let idle = SlotImage { stage: Stage::Idle.raw(), size_e8: 0, is_open: 0, ..SlotImage::ZERO };
    installs(SlotImage { asset: text(BTC), trade_id: text("T0"), ..idle }, "idle, a past trade's names");
    refused(SlotImage { asset: text("btc-usdt"), ..idle }, "idle, lowercase asset");
    refused(SlotImage { trade_id: text("T 0"), ..idle }, "idle, trade id with a space");
    refused(SlotImage { asset: [0; 24], ..image }, "open, no asset");
    refused(SlotImage { trade_id: [0; 32], ..image }, "open, no trade id");
}

/// The image of a slot in EXIT_WORKING (leg 1) after a LIMIT entry: both orders present.
fn exit_working_image() -> SlotImage {
    let mut k = K::new(1);
    assert!(k.apply(seed(10_000.0, 0, T0)).ok());
    let limit =
        InputRecord { order_type: OrderType::Limit.raw(), price: 99.0, ..enter(0, "T1", Side::Long, e8(1.0), T0) };
    assert!(k.apply(limit).ok());
    assert!(k.apply(event(EventKind::FullFill, "T1-E", "f", e8(1.0), 99.0, 0.5, T0 + 1)).ok());
    assert!(k.apply(exit(0, e8(1.0), T0 + 2)).ok());
    k.slot(0)
}

#[test]
fn an_image_order_is_refused_for_each_field_out_of_its_range_and_installs_at_its_edges() {
    let image = exit_working_image();
    let (e, x) = (image.entry_order, image.exit_order);
    installs(image, "a LIMIT entry, a MARKET exit");
    let with_exit = |x: OrderImage| SlotImage { exit_order: x, ..image };
    let with_entry = |e: OrderImage| SlotImage { entry_order: e, ..image };
    installs(with_exit(OrderImage { hung: 1, reject_reason: 2, last_update_ms: NOW_MS_MAX, ..x }), "edges");
    installs(with_exit(OrderImage { created_at_ms: NOW_MS_MAX, ..x }), "created at 2^53-1");
    for (what, bad) in [
        ("hung 2", with_exit(OrderImage { hung: 2, ..x })),
        ("reject_reason 3", with_exit(OrderImage { reject_reason: 3, ..x })),
        ("reserved byte", with_exit(OrderImage { _reserved: [0, 0, 0, 1, 0, 0, 0], ..x })),
        (
            "exit leg 2 of a slot at leg 1",
            with_exit({
                let mut o = x;
                o.set_leg(2);
                o
            }),
        ),
        ("no side", with_exit(OrderImage { side: 0, ..x })),
        ("the entry order's role", with_exit(OrderImage { role: OrderRole::Entry.raw(), ..x })),
        ("a MARKET order with a limit price", with_exit(OrderImage { limit_price: 99.0, ..x })),
    ] {
        let msg = refused(bad, what);
        assert!(msg.starts_with("image.exit_order"), "{what}: names the order: {msg}");
    }
    let absent_with_bytes = with_entry(OrderImage { present: 0, ..e });
    let msg = refused(absent_with_bytes, "an absent entry order with bytes left");
    assert_eq!(msg, "image.entry_order is absent (present 0) but not all zero");
}

#[test]
fn an_image_order_named_by_its_venue_id_alone_installs() {
    let image = exit_working_image();
    let venue_only = OrderImage { client_order_id: [0; 40], venue_order_id: text("V-X1"), ..image.exit_order };
    installs(SlotImage { exit_order: venue_only, ..image }, "an exit order known by venue id only");
    let nameless = OrderImage { client_order_id: [0; 40], ..image.exit_order };
    let msg = refused(SlotImage { exit_order: nameless, ..image }, "an exit order with no id");
    assert!(msg.contains("neither"), "{msg}");
}

#[test]
fn an_image_whose_stage_disagrees_with_its_side_flags_position_or_working_orders_is_refused() {
    let exiting = exit_working_image();
    let (entry, x) = (exiting.entry_order, exiting.exit_order);
    let cancelled = |o: OrderImage| OrderImage { status: OrderStatus::Cancelled.raw(), ..o };
    let working = |o: OrderImage| OrderImage { status: OrderStatus::Acked.raw(), ..o };
    let mut entering = SlotImage {
        stage: Stage::EntryWorking.raw(),
        entry_order: working(entry),
        exit_order: OrderImage::ZERO,
        ..exiting
    };
    entering.set_leg(0);
    installs(entering, "ENTRY_WORKING, its entry filled 1 of 1");
    let at_leg_1 = |mut s: SlotImage| {
        s.set_leg(1);
        s
    };
    for (what, bad) in [
        ("an open trade without a side", SlotImage { side: 0, ..open_image() }),
        ("IDLE with an open trade", SlotImage { stage: Stage::Idle.raw(), size_e8: 0, ..open_image() }),
        ("ENTRY_WORKING, position beside the entry's fills", SlotImage { size_e8: e8(0.5), ..entering }),
        ("ENTRY_WORKING, its entry ended", SlotImage { entry_order: cancelled(entry), ..entering }),
        ("ENTRY_WORKING with a working exit", SlotImage { exit_order: working(x), ..at_leg_1(entering) }),
        ("EXIT_WORKING, its exit above the position", SlotImage { size_e8: e8(0.5), ..exiting }),
        ("EXIT_WORKING, its exit ended", SlotImage { exit_order: cancelled(x), ..exiting }),
        ("EXIT_WORKING with a working entry", SlotImage { entry_order: working(entry), ..exiting }),
        ("POSITION_OPEN with a working exit", SlotImage { stage: Stage::PositionOpen.raw(), ..exiting }),
        ("CLOSED with a working exit", SlotImage { stage: Stage::Closed.raw(), size_e8: 0, is_open: 0, ..exiting }),
    ] {
        let msg = refused(bad, what);
        // The stage rule the image breaks, named for the working stages.
        for (stage, rule) in [("ENTRY_WORKING", "one working entry order"), ("EXIT_WORKING", "one working exit order")]
        {
            if what.starts_with(stage) {
                assert!(msg.contains(rule), "{what}: {msg}");
            }
        }
    }
}
