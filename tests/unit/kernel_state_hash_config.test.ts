/**
 * The state hash covers the kernel's configuration (a bug that costs money: a replay that ignores
 * a configuration change reports "same state" for kernels that will refuse or accept different
 * entries). Each CONFIGURE key changes the hash; setting the same value again does not; two kernels
 * that differ only in configuration differ in hash; and a journal replay reproduces the hash of a
 * kernel whose configuration changed mid-run.
 */

import { expect, test } from "bun:test";
import { EventSequencer } from "../../src/chaos/index.ts";
import type { KernelInput } from "../../src/contracts/intents.ts";
import { ExecutionKernel } from "../../src/kernel/index.ts";
import { enter, freshKernel, kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 4 });
const configure = (key: "ACTIVE_SLOT_LIMIT" | "HUNG_ORDER_MS", value: number): KernelInput => ({
  type: "CONFIGURE",
  key,
  value,
  now_ms: T0 + 5,
});

test("CONFIGURE active_slot_limit changes the state hash, and only the value matters", () => {
  const k = kernel();
  const before = k.stateHash();
  expect(k.apply(configure("ACTIVE_SLOT_LIMIT", 2)).accepted).toBe(true);
  const two = k.stateHash();
  expect(two).not.toBe(before);
  k.apply(configure("ACTIVE_SLOT_LIMIT", 4));
  expect(k.stateHash()).toBe(before);
  k.apply(configure("ACTIVE_SLOT_LIMIT", 2));
  expect(k.stateHash()).toBe(two);
});

test("CONFIGURE hung_order_ms changes the state hash", () => {
  const k = kernel();
  const before = k.stateHash();
  expect(k.apply(configure("HUNG_ORDER_MS", 1_234)).accepted).toBe(true);
  expect(k.stateHash()).not.toBe(before);
});

test("two kernels with the same slots and account but a different active_slot_limit differ in hash", () => {
  const a = kernel();
  const b = kernel();
  expect(a.stateHash()).toBe(b.stateHash());
  b.apply(configure("ACTIVE_SLOT_LIMIT", 1));
  expect(a.slots()).toEqual(b.slots());
  expect(a.account()).toEqual(b.account());
  expect(a.stateHash()).not.toBe(b.stateHash());
  // ...and they really behave differently: the second entry is refused only by b.
  enter(a, 0, { trade: "A0" });
  enter(b, 0, { trade: "A0" });
  expect(enter(a, 1, { trade: "A1" }).accepted).toBe(true);
  expect(enter(b, 1, { trade: "A1" }).diagnostics.map((d) => d.code)).toEqual(["SLOT_LIMIT_REACHED"]);
});

test("opening options are in the hash: a kernel opened with active_slot_limit 2 differs from one opened with 4", () => {
  const a = ExecutionKernel.open({ slotCount: 4, activeSlotLimit: 2, hungOrderMs: 5_000 });
  const b = ExecutionKernel.open({ slotCount: 4, activeSlotLimit: 4, hungOrderMs: 5_000 });
  try {
    expect(a.stateHash()).not.toBe(b.stateHash());
  } finally {
    a.destroy();
    b.destroy();
  }
});

test("a journal with a mid-run CONFIGURE replays to the live hash, and without it does not", () => {
  const journal = new EventSequencer();
  const k = freshKernel({ slots: 4, journal });
  try {
    enter(k, 0, { trade: "J0" });
    k.apply(configure("ACTIVE_SLOT_LIMIT", 1));
    enter(k, 1, { trade: "J1" }); // refused by the limit, still journaled
    const live = k.stateHashHex();
    expect(journal.replay({ slotCount: 4, hungOrderMs: 5_000 }).state_hash).toBe(live);
    const withoutConfigure = new EventSequencer();
    for (const input of journal.all()) if (input.type !== "CONFIGURE") withoutConfigure.input(input, true);
    expect(withoutConfigure.replay({ slotCount: 4, hungOrderMs: 5_000 }).state_hash).not.toBe(live);
  } finally {
    k.destroy();
  }
});
