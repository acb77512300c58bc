/**
 * KERNEL_FAULT through the FFI: a panic inside the kernel (armed by the fault drill) is caught,
 * reported as a CRITICAL KERNEL_FAULT, and latches the kernel read-only: later inputs change
 * nothing, reads keep working, the process stays up.
 */

import { afterEach, expect, test } from "bun:test";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { freshKernel, openPosition, T0 } from "../_support/kernel.ts";

let k: ExecutionKernel;
afterEach(() => k?.destroy());

test("KERNEL_FAULT: a caught kernel panic latches the kernel read-only and reads keep working", () => {
  k = freshKernel();
  openPosition(k, 0, 1, 100);
  const before = k.stateHash();
  k.armFaultDrill();
  const r = k.apply({ type: "MARK_PRICE", asset: "BTC-USDT", price: 120, now_ms: T0 + 50 });
  expect(r.accepted).toBe(false);
  expect(r.diagnostics[0]).toMatchObject({ code: "KERNEL_FAULT", severity: "CRITICAL" });
  expect(k.faulted()).toBe(true);
  expect(k.stateHash()).toBe(before);
  const later = k.apply({ type: "EXIT", slot_id: 0, size: 1, reason: "SL", now_ms: T0 + 60 });
  expect(later.accepted).toBe(false);
  expect(
    k.applyBatch([
      { type: "TICK", now_ms: T0 + 70 },
      { type: "TICK", now_ms: T0 + 80 },
    ]),
  ).toBe(0);
  expect(k.applyQuiet({ type: "TICK", now_ms: T0 + 90 })).toBe(false);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 1 });
  expect(k.stateHash()).toBe(before);
});
