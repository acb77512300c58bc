/**
 * A MARK_PRICE ring record routes by asset: its outcome names no slot, so it names no stage either
 * (0), whatever else its batch did. Before, the stage was looked up by the record's raw slot field
 * (0 as the kernel's own encoder leaves it), so a mark drained after an ENTER on slot 0 was answered
 * with slot 0's stage (ENTRY_PENDING) next to slot_id none, and alone with stage 0.
 */

import { expect, test } from "bun:test";
import { OFF, RECORD_BYTES } from "../../src/contracts/abi.ts";
import { encodeInput } from "../../src/kernel/index.ts";
import { RingIntake } from "../../src/launcher/_ring_intake.ts";
import { decodeOutcome, InMemoryZincPlane, type OutcomeLane } from "../../src/zinc/index.ts";
import { kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 1_000_000 });

function record(input: Record<string, unknown>, lane: OutcomeLane, sequence: number): Uint8Array {
  const rec = new Uint8Array(RECORD_BYTES.input);
  expect(encodeInput({ now_ms: T0, ...input }, rec, 0)).toBeNull();
  rec.set(lane.idBytes(sequence), OFF.InputRecord.client_intent_id);
  return rec;
}

test("a MARK_PRICE outcome names no slot and no stage, also after an ENTER on slot 0 in its batch", () => {
  const k = kernel();
  const zinc = InMemoryZincPlane.open({ slotCount: 2, ringCapacity: 64 });
  const intake = new RingIntake(zinc, k, { check: () => null, applied: () => {}, refused: () => {}, nowMs: () => T0 });
  const lane = zinc.claimOutcomeLane();
  const enter = { type: "ENTER", slot_id: 0, trade_id: "M1", asset: "BTC-USDT", side: "LONG", size: 0.01 };
  zinc.pushIntent(record({ ...enter, price: null, leverage: 5 }, lane, 1));
  zinc.pushIntent(record({ type: "MARK_PRICE", asset: "BTC-USDT", price: 65000 }, lane, 2));
  expect(intake.drain()).toBe(2);
  const [entered, mark] = lane.poll(8).records.map(decodeOutcome);
  expect(entered).toMatchObject({ accepted: true, slot_id: 0, stage: 2 });
  expect(mark).toMatchObject({ accepted: true, input_kind: 4, slot_id: null, stage: 0, order_status: 0 });
});
