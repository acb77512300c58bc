/**
 * The TypeScript client's outcome tables are the kernel's: the client imports nothing from src/,
 * so its copies of the ABI enums (diagnostic codes, fields, input kinds, event kinds, severities,
 * stages, order statuses) are held here to the project's own tables (src/contracts, which the
 * binding checks against the kernel at load) and to kernel/ABI.md. A refusal with a code or field
 * added after ABI 1.2 (RISK_LIMIT naming MAX_NOTIONAL_PER_TRADE, TRADING_HALTED, ...) decodes by
 * name, and a field a newer kernel adds decodes as FIELD_<n>: never a CorruptRegionError.
 */

import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  DIAGNOSTIC_CODES,
  decodeOutcome,
  EVENT_KINDS,
  FIELDS,
  INPUT_KINDS,
  SEVERITIES,
} from "../../clients/typescript/outcome.ts";
import { ORDER_STATUSES, STAGES } from "../../clients/typescript/records.ts";
import * as enums from "../../src/contracts/enums.ts";
import * as records from "../../src/contracts/records.ts";
import { OutcomeBatch } from "../../src/zinc/index.ts";

const ABI = readFileSync(join(import.meta.dir, "../../kernel/ABI.md"), "utf8");

/** `NAME=value` pairs of one row of ABI.md's enum table, in value order. */
function abiEnum(name: string): string[] {
  const row = ABI.split("\n").find((l) => l.startsWith(`| ${name} |`));
  if (row === undefined) throw new Error(`kernel/ABI.md has no ${name} row`);
  return [...row.split("|")[2]!.matchAll(/([A-Z_]+)=(\d+)/g)].map((m) => `${m[1]}=${m[2]}`);
}

/** The diagnostic code table of ABI.md as `NAME=value`. */
const abiCodes = (): string[] =>
  [...ABI.matchAll(/^\| ([A-Z_]+) \| (\d+) \| (?:INFO|WARNING|ERROR|CRITICAL)/gm)].map((m) => `${m[1]}=${m[2]}`);

const numbered = (list: readonly string[], first: number) => list.map((n, i) => `${n}=${i + first}`);

test("the client's enum tables are the kernel's (src/contracts and kernel/ABI.md)", () => {
  expect([...DIAGNOSTIC_CODES]).toEqual([...records.DIAGNOSTIC_CODES]);
  expect([...FIELDS]).toEqual([...enums.FIELDS]);
  expect([...INPUT_KINDS]).toEqual([...enums.INPUT_KINDS]);
  expect([...EVENT_KINDS]).toEqual([...enums.EVENT_KINDS]);
  expect([...SEVERITIES]).toEqual([...records.SEVERITIES]);
  expect([...STAGES]).toEqual([...records.STAGES]);
  expect([...ORDER_STATUSES]).toEqual([...records.ORDER_STATUSES]);
  expect(numbered(DIAGNOSTIC_CODES, 1)).toEqual(abiCodes());
  expect(numbered(FIELDS, 0)).toEqual(abiEnum("Field"));
  expect(numbered(INPUT_KINDS, 1)).toEqual(abiEnum("InputKind (u16)"));
  expect(numbered(EVENT_KINDS, 1)).toEqual(abiEnum("EventKind"));
  expect(numbered(SEVERITIES, 1)).toEqual(abiEnum("Severity"));
  expect(numbered(STAGES, 1)).toEqual(abiEnum("Stage"));
  expect(numbered(ORDER_STATUSES, 1)).toEqual(abiEnum("OrderStatus"));
});

/** One KERNEL refusal of an ENTER as the launcher encodes it, with a stable lock. */
function refusal(code: records.DiagnosticCode, field: string, value: number): Uint8Array {
  const b = new OutcomeBatch(1);
  b.add(new Uint8Array([1, 0, 0, 0, 2, 0, 1, 0]), {
    origin: "KERNEL",
    now_ms: 1,
    input_kind: 1,
    slot_id: 0,
    slot_version: 1,
    accepted: false,
    stage: 1,
    event_kind: 0,
    order_status: 0,
    diagnostics: [
      {
        code,
        severity: "WARNING",
        slot_id: 0,
        message: `${code}`,
        details: { field, value },
        input_index: 0,
        now_ms: 1,
      },
    ],
  });
  const rec = b.bytes.slice(0, 256);
  new DataView(rec.buffer).setBigUint64(0, 2n, true);
  return rec;
}

test("refusals with the codes and fields of ABI 1.3 and 1.4 decode by name", () => {
  const cases: Array<[records.DiagnosticCode, string]> = [
    ["RISK_LIMIT", "MAX_NOTIONAL_PER_TRADE"],
    ["RISK_LIMIT", "MAX_GROSS_EXPOSURE"],
    ["RISK_LIMIT", "MAX_ORDERS_PER_MINUTE"],
    ["RISK_LIMIT", "MAX_LEVERAGE"],
    ["DRAWDOWN_LIMIT", "MAX_DRAWDOWN_RATIO"],
    ["TRADING_HALTED", "TRADING_STATE"],
    ["REDUCE_ONLY", "TRADING_STATE"],
    ["VENUE_MISMATCH", "SIZE"],
    ["INVALID_INTENT", "SNAPSHOT"],
  ];
  for (const [code, field] of cases)
    expect(decodeOutcome(refusal(code, field, 12.5))).toMatchObject({
      accepted: false,
      diagnostics: [{ code, field, value: 12.5 }],
    });
});

test("a field or code a newer kernel adds decodes as FIELD_<n> / CODE_<n>, never a CorruptRegionError", () => {
  const rec = refusal("RISK_LIMIT", "MAX_LEVERAGE", 50);
  rec[48 + 3] = 200; // the diagnostic's field
  new DataView(rec.buffer).setUint16(48, 900, true); // its code
  expect(decodeOutcome(rec).diagnostics[0]).toMatchObject({ code: "CODE_900", field: "FIELD_200", value: 50 });
});
