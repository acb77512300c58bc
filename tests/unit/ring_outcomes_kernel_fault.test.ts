/**
 * Ring outcomes when the kernel faults (KERNEL_FAULT latches it read-only): a batch the faulted
 * kernel applies nothing of. Every record of that batch must be answered as not applied. Before,
 * the per-record accepted flags were kept from the previous drain (a faulted kernel reports no
 * flags), so a record drained at the index an earlier drain's accepted record had was answered
 * `accepted: true` although the kernel changed nothing: its producer took a live order for one.
 */

import { expect, test } from "bun:test";
import { OFF, RECORD_BYTES } from "../../src/contracts/abi.ts";
import { encodeInput } from "../../src/kernel/index.ts";
import { RingIntake } from "../../src/launcher/_ring_intake.ts";
import {
  type DecodedOutcome,
  decodeOutcome,
  encodeIntentId,
  OUTCOME_OFF,
  OUTCOME_RECORD_BYTES,
  type ZincPlane,
} from "../../src/zinc/index.ts";
import { kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 4, capital: 1_000_000 });

function enterRecord(slot: number, trade: string, sequence: number): Uint8Array {
  const rec = new Uint8Array(RECORD_BYTES.input);
  const input = { type: "ENTER", slot_id: slot, trade_id: trade, asset: "BTC-USDT", side: "LONG", size: 0.01 };
  expect(encodeInput({ ...input, price: null, leverage: 5, now_ms: T0 }, rec, 0)).toBeNull();
  rec.set(encodeIntentId(0, 1, sequence), OFF.InputRecord.client_intent_id);
  return rec;
}

/** A plane whose ring holds what `ring` is given, keeping every outcome published, decoded. */
function plane(): { zinc: ZincPlane; ring: Uint8Array[]; published: DecodedOutcome[] } {
  const ring: Uint8Array[] = [];
  const published: DecodedOutcome[] = [];
  const zinc = {
    drainIntents(max: number, onRecord: (bytes: Uint8Array) => void): number {
      const taken = ring.splice(0, max);
      for (const r of taken) onRecord(r);
      return taken.length;
    },
    publishOutcomes(bytes: Uint8Array, count: number): number {
      for (let i = 0; i < count; i++) {
        const rec = bytes.slice(i * OUTCOME_RECORD_BYTES, (i + 1) * OUTCOME_RECORD_BYTES);
        new DataView(rec.buffer).setBigUint64(OUTCOME_OFF.lock, 2n, true);
        published.push(decodeOutcome(rec));
      }
      return count;
    },
  } as unknown as ZincPlane;
  return { zinc, ring, published };
}

test("a batch the faulted kernel applied nothing of is answered not applied, record by record", () => {
  const k = kernel();
  const { zinc, ring, published } = plane();
  const intake = new RingIntake(zinc, k, {
    check: () => null,
    applied: () => {},
    refused: () => {},
    nowMs: () => T0,
  });
  ring.push(enterRecord(0, "A", 1), enterRecord(1, "B", 2));
  expect(intake.drain()).toBe(2);
  expect(published.map((o) => o.accepted)).toEqual([true, true]);
  published.length = 0;
  k.armFaultDrill();
  ring.push(enterRecord(2, "C", 3), enterRecord(3, "D", 4));
  expect(intake.drain()).toBe(2);
  expect(k.faulted()).toBe(true);
  expect(k.slot(2).stage).toBe("IDLE");
  expect(k.slot(3).stage).toBe("IDLE");
  expect(published.map((o) => [Number(o.client_intent_id & 0xffffffffn), o.accepted])).toEqual([
    [3, false],
    [4, false],
  ]);
  published.length = 0;
  ring.push(enterRecord(2, "E", 5), enterRecord(3, "F", 6)); // latched read-only: still nothing applies
  expect(intake.drain()).toBe(2);
  expect(published.map((o) => o.accepted)).toEqual([false, false]);
  expect(published.every((o) => o.diagnostics.some((d) => d.code === "KERNEL_FAULT"))).toBe(true);
});

test("a faulted call's records are reported not journaled (-1 each), so its KERNEL_FAULT diagnostic has a journal position", () => {
  const k = kernel();
  const { zinc, ring } = plane();
  const calls: Array<{ offsets: number[]; faultAt: number[] }> = [];
  const intake = new RingIntake(zinc, k, {
    check: () => null,
    applied: (o, offsets) => {
      const faultAt = o.diagnostics.filter((d) => d.code === "KERNEL_FAULT").map((d) => d.input_index);
      calls.push({ offsets: Array.from(offsets), faultAt });
    },
    refused: () => {},
    nowMs: () => T0,
  });
  k.armFaultDrill();
  ring.push(enterRecord(0, "A", 1), enterRecord(1, "B", 2));
  expect(intake.drain()).toBe(2);
  expect(calls).toEqual([{ offsets: [-1, -1], faultAt: [0] }]);
});
