//! The `dita_abi_describe()` text against kernel/ABI.md (parsed here, table by table), and the
//! `dita_kernel_fsm_table()` text against the table.

use super::*;
use std::collections::BTreeSet;
use std::ffi::CStr;

fn describe() -> String {
    let p = dita_abi_describe();
    unsafe { CStr::from_ptr(p.cast()) }.to_str().expect("ASCII").to_owned()
}

/// `(record, size, fields as "field <Rec> <name> <off> <width> <kind>")` from ABI.md.
fn abi_md_records() -> Vec<(String, usize, Vec<String>)> {
    let md = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ABI.md")).expect("kernel/ABI.md");
    let mut out: Vec<(String, usize, Vec<String>)> = Vec::new();
    for line in md.lines() {
        if let Some(head) = line.strip_prefix("## ") {
            let mut words = head.split_whitespace();
            let (name, dash, size) = (words.next(), words.next(), words.next());
            if dash == Some("—") {
                out.push((name.unwrap().to_owned(), size.unwrap().parse().unwrap(), Vec::new()));
            }
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(rec), true) = (out.last_mut(), cells.len() >= 4) else { continue };
        let Ok(offset) = cells[1].parse::<usize>() else { continue };
        let name = cells[3].split_whitespace().next().unwrap();
        let (width, kind) = match cells[2] {
            "u8" => (1, "u8"),
            "u16" => (2, "u16"),
            "u32" => (4, "u32"),
            "u64" => (8, "u64"),
            "i64" => (8, "i64"),
            "f64" => (8, "f64"),
            "OrderImage" => (144, "record"),
            "u64[4]" => (32, "bytes"),
            t => (t.trim_start_matches("u8[").trim_end_matches(']').parse().unwrap(), "bytes"),
        };
        rec.2.push(format!("field {} {name} {offset} {width} {kind}", rec.0));
    }
    out
}

#[test]
fn describe_lists_every_record_and_field_of_abi_md_exactly() {
    let text = describe();
    assert!(text.starts_with("DITA-ABI 1 5 little\n"));
    let records = abi_md_records();
    assert_eq!(
        records.len(),
        8,
        "InputRecord OrderImage SlotImage AccountImage TransitionRecord DiagnosticRecord OutcomeHeader SnapshotHeader"
    );
    let described: BTreeSet<&str> = text.lines().filter(|l| l.starts_with("field ")).collect();
    let mut expected = BTreeSet::new();
    for (name, size, fields) in &records {
        assert!(text.contains(&format!("record {name} {size}\n")), "record {name} {size}");
        assert!(!fields.is_empty());
        for f in fields {
            assert!(described.contains(f.as_str()), "missing or different: {f}");
            expected.insert(f.clone());
        }
    }
    assert_eq!(described.len(), expected.len(), "describe has fields ABI.md does not list");
}

#[test]
fn describe_lists_the_constants_and_every_enum_value() {
    let text = describe();
    for line in [
        "const SLOT_ANY 4294967295",
        "const QTY_MAX_E8 100000000000000000",
        "const QTY_NOT_FINITE -9223372036854775808",
        "const QTY_OUT_OF_RANGE -9223372036854775807",
        "const QTY_TOO_PRECISE -9223372036854775806",
        "const PRICE_MAX 1000000000000",
        "const BATCH_MAX 1024",
        "const TRANSITIONS_CAPACITY 4096",
        "const DIAGNOSTICS_CAPACITY 4352",
        "const STAGE_STALE_STATE_RECONCILING 6",
        "const INPUT_KIND_CONFIGURE 10",
        "const TRIGGER_RESTORE 16",
        "const FIELD_NONE 0",
        "const FIELD_IMAGE 26",
        "const DIAG_CAPITAL_SEEDED 18",
        "const DIAG_ORPHAN_POSITION 20",
        "const INPUT_SOURCE_SYSTEM 3",
        "const INPUT_KIND_SOURCE_ENTER 1",
        "const INPUT_KIND_SOURCE_VENUE_EVENT 2",
        "const INPUT_KIND_SOURCE_SEED_CAPITAL 3",
        "const FIELD_SNAPSHOT 33",
        "const SNAPSHOT_MAGIC 5782989516005722436",
        "const SNAPSHOT_FORMAT_VERSION 2",
        "const SNAPSHOT_FIXED_BYTES 11872",
        "const SNAPSHOT_SLOT_BYTES 2704",
    ] {
        assert!(text.lines().any(|l| l == line), "missing: {line}");
    }
    let consts = text.lines().filter(|l| l.starts_with("const ")).count();
    let enum_values = Stage::ALL.len()
        + Side::ALL.len()
        + OrderSide::ALL.len()
        + OrderType::ALL.len()
        + OrderRole::ALL.len()
        + OrderStatus::ALL.len()
        + ExitReason::ALL.len()
        + InputKind::ALL.len()
        + EventKind::ALL.len()
        + RejectReason::ALL.len()
        + StaleReason::ALL.len()
        + ConfigKey::ALL.len()
        + TradingState::ALL.len()
        + Trigger::ALL.len()
        + Severity::ALL.len()
        + Field::ALL.len()
        + DiagCode::ALL.len()
        + InputSource::ALL.len();
    assert_eq!(consts, 26 + enum_values + InputKind::ALL.len()); // + the source of each input kind
    assert!(text.is_ascii());
}

#[test]
fn fsm_table_export_matches_the_table() {
    let p = dita_kernel_fsm_table();
    let text = unsafe { CStr::from_ptr(p.cast()) }.to_str().unwrap();
    let table = crate::fsm::table::TABLE;
    assert_eq!(text.lines().count(), table.len());
    for (line, r) in text.lines().zip(table) {
        let expected =
            format!("{} {} {} {} {}", r.from.name(), r.input.name(), r.guard.name(), r.to.name(), r.effect.name());
        assert_eq!(line, expected);
    }
}
