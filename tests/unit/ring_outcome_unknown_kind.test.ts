/**
 * A ring record whose kind is no input kind this kernel knows (a producer built for another
 * version, or a stray write) is refused at the edge and still answered: its producer's lane gets an
 * EDGE outcome naming the refusal, and that outcome decodes. Before, the outcome carried the
 * record's own kind and `decodeOutcome` refused any kind outside 1..N as a broken record, so the
 * producer's answer read as corrupt and `strategy-status` counted it undecodable, not refused.
 */

import { expect, test } from "bun:test";
import { OFF, RECORD_BYTES } from "../../src/contracts/abi.ts";
import { RingIntake } from "../../src/launcher/_ring_intake.ts";
import { decodeOutcome, InMemoryZincPlane } from "../../src/zinc/index.ts";
import { kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 1_000_000 });

test("a ring record of an unknown kind is refused at the edge and its producer reads the refusal", () => {
  const k = kernel();
  const zinc = InMemoryZincPlane.open({ slotCount: 2, ringCapacity: 64 });
  const intake = new RingIntake(zinc, k, { check: () => null, applied: () => {}, refused: () => {}, nowMs: () => T0 });
  const lane = zinc.claimOutcomeLane();
  for (const [kind, sequence] of [
    [99, 1],
    [0, 2],
  ] as const) {
    const rec = new Uint8Array(RECORD_BYTES.input);
    new DataView(rec.buffer).setUint16(OFF.InputRecord.kind, kind, true);
    rec.set(lane.idBytes(sequence), OFF.InputRecord.client_intent_id);
    expect(zinc.pushIntent(rec)).toBe("OK");
  }
  expect(intake.drain()).toBe(2);
  const { records, lost } = lane.poll(16);
  expect(lost).toBe(0);
  const got = records.map(decodeOutcome);
  expect(got.map((o) => [o.input_kind, Number(o.client_intent_id & 0xffffffffn), o.origin, o.accepted])).toEqual([
    [99, 1, "EDGE", false],
    [0, 2, "EDGE", false],
  ]);
  expect(got.map((o) => o.diagnostics[0]?.code)).toEqual(["INPUT_SOURCE_REFUSED", "INPUT_SOURCE_REFUSED"]);
  expect(got[0]!.message).toContain("kind 99 is not an input kind");
});
