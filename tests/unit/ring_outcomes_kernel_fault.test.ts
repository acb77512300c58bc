/**
 * Ring outcomes when the kernel faults (KERNEL_FAULT latches it read-only): a batch the faulted
 * kernel applies nothing of. Every record of that batch must be answered as not applied. Before,
 * the per-record accepted flags were kept from the previous drain (a faulted kernel reports no
 * flags), so a record drained at the index an earlier drain's accepted record had was answered
 * `accepted: true` although the kernel changed nothing: its producer took a live order for one.
 */

import { expect, test } from "bun:test";
import { RingIntake } from "../../src/launcher/_ring_intake.ts";
import { enterRecord, ringPlane } from "../_support/followups.ts";
import { kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 4, capital: 1_000_000 });

test("a batch the faulted kernel applied nothing of is answered not applied, record by record", () => {
  const k = kernel();
  const { zinc, ring, published } = ringPlane();
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
  const { zinc, ring } = ringPlane();
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
