/**
 * The TypeScript `Outcome.code` means what Python's `Outcome.code` means: the first diagnostic's
 * code, null (None) when the outcome carries no diagnostic, `CODE_<n>` for a code a newer kernel
 * adds. The same records (one the launcher encodes, and hand-made ones) are decoded by both
 * clients, the Python one in a `python3` process over the source tree.
 */

import { expect, test } from "bun:test";
import { decodeOutcome } from "../../clients/typescript/index.ts";
import { OutcomeBatch } from "../../src/zinc/index.ts";
import { hexOf, runPythonClient } from "../_support/python_client.ts";

const NOW = 1_700_000_000_000;
/** client_intent_id lane 1, generation 2, sequence 5, little-endian. */
const ID = new Uint8Array([5, 0, 0, 0, 2, 0, 1, 0]);

const PY = `
import json, sys
from dita_v2_client import decode_outcome
print(json.dumps([decode_outcome(bytes.fromhex(h)).code for h in json.load(sys.stdin)]))
`;

function pythonCodes(records: Uint8Array[]): unknown[] {
  return runPythonClient(PY, records.map(hexOf)) as unknown[];
}

/** A KERNEL outcome the launcher encodes, refused with `codes` (first first), at lane position 0. */
function launcherRecord(codes: Array<"TRADING_HALTED" | "RISK_LIMIT">): Uint8Array {
  const b = new OutcomeBatch(1);
  b.add(ID, {
    origin: "KERNEL",
    now_ms: NOW,
    input_kind: 1,
    slot_id: 0,
    slot_version: 1,
    accepted: codes.length === 0,
    stage: 1,
    event_kind: 0,
    order_status: 0,
    diagnostics: codes.map((code) => ({
      code,
      severity: "ERROR" as const,
      slot_id: 0,
      message: code.toLowerCase(),
      details: {},
      input_index: 0,
      now_ms: NOW,
    })),
  });
  const rec = b.bytes.slice(0, 256);
  new DataView(rec.buffer).setBigUint64(0, 2n, true); // the lane's lock: position 0, stable
  return rec;
}

/** A refused record whose first diagnostic carries code 999 (one this client's table does not know). */
function newerCode(): Uint8Array {
  const rec = launcherRecord(["RISK_LIMIT"]);
  new DataView(rec.buffer).setUint16(48, 999, true);
  return rec;
}

test("Outcome.code is the first diagnostic's code, null without one, CODE_<n> when newer, as in Python", () => {
  const records = [launcherRecord(["TRADING_HALTED", "RISK_LIMIT"]), launcherRecord([]), newerCode()];
  const ours = records.map((r) => decodeOutcome(r).code);
  expect(ours).toEqual(["TRADING_HALTED", null, "CODE_999"]);
  expect(pythonCodes(records)).toEqual(ours);
});
