/**
 * The pipelined batch path's guarantees to the caller: the kernel is never touched by TypeScript
 * while the apply thread owns it (a re-entrant call gets a clear KernelError, and the kernel is
 * usable afterwards), a fault on the apply thread latches the kernel like any other fault, and
 * destroy() stops the thread.
 */

import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { KernelError } from "../../src/kernel/index.ts";
import { kernelsPerTest, openPosition, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 4 });
const marks = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ type: "MARK_PRICE", asset: "BTC-USDT", price: 100 + (i % 7), now_ms: T0 + 1_000 + from + i }));

/** Threads of this process named by the kernel's apply thread. */
function applyThreads(): number {
  return readdirSync("/proc/self/task").filter((t) => {
    try {
      return readFileSync(`/proc/self/task/${t}/comm`, "utf8").trim() === "dita-apply";
    } catch {
      return false; // the thread ended while listing
    }
  }).length;
}

test("a call into the kernel from onInput during a pipelined batch is refused by name, and the kernel stays usable", () => {
  const k = kernel();
  openPosition(k, 0, 1, 100);
  let seen = 0;
  k.onInput = () => {
    if (++seen === 1500) k.slot(0); // while the first 1024-input chunk is in flight
  };
  expect(() => k.applyBatch(marks(3000))).toThrow(KernelError);
  k.onInput = null;
  expect(k.slot(0).mark_price).toBe(100 + (1023 % 7)); // exactly the chunk in flight was applied
  k.onInput = () => void k.slot(0);
  expect(() => k.applyBatch(marks(10))).toThrow("ExecutionKernel is applying a batch: call it after applyBatch returns");
  k.onInput = null;
  expect(k.slot(0).stage).toBe("POSITION_OPEN");
  expect(k.applyBatch(marks(3000, 5_000))).toBe(3000);
});

test("an input whose getter throws stops a pipelined batch with that error; the chunk in flight is applied, the kernel stays usable", () => {
  const k = kernel();
  openPosition(k, 0, 1, 100);
  const hostile = { get type(): string { throw new Error("hostile getter"); }, now_ms: T0 + 9_999 };
  expect(() => k.applyBatch([...marks(1500), hostile, ...marks(10, 5_000)])).toThrow("hostile getter");
  expect(k.slot(0).mark_price).toBe(100 + (1023 % 7)); // the first 1024 marks were in flight
  expect(k.applyBatch(marks(3, 6_000))).toBe(3);
});

test("destroy() from onInput during a pipelined batch is refused and frees nothing", () => {
  const k = kernel();
  k.onInput = () => k.destroy();
  expect(() => k.applyBatch(marks(5))).toThrow("ExecutionKernel.destroy() inside applyBatch: destroy it after applyBatch returns");
  k.onInput = null;
  expect(k.applyBatch(marks(5))).toBe(5);
});

test("a kernel fault on the apply thread latches the kernel read-only: later chunks apply nothing, reads keep working", () => {
  const k = kernel();
  openPosition(k, 0, 1, 100);
  const before = k.stateHash();
  k.armFaultDrill();
  expect(k.applyBatch(marks(2500))).toBe(0);
  expect(k.faulted()).toBe(true);
  expect(k.stateHash()).toBe(before);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 1 });
});

test("inputs the encoder refuses are skipped and the rest applied, as on the sequential path", () => {
  const k = kernel();
  const inputs = [...marks(1500), { type: "MARK_PRICE", asset: "x".repeat(99), price: 1, now_ms: T0 + 9_000 }, { type: "TICK", now_ms: -1 }, ...marks(1500, 3_000)];
  expect(k.applyBatch(inputs)).toBe(3000);
});

test("destroy() stops the kernel's apply thread", () => {
  const base = applyThreads();
  const k = kernel();
  k.applyBatch(marks(10));
  expect(applyThreads()).toBe(base + 1);
  k.destroy();
  expect(applyThreads()).toBe(base);
});
