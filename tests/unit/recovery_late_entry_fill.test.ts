/**
 * The restart version of live_reconcile_late_entry_fill: an entry the executor rejected as absent
 * (the venue had never heard of it) lands late and fills; its fill is an OVERFILL and the slot goes
 * stale with no side. The process stops there. At restart, recovery must hand that stale slot the
 * position its own ended entry opened (looked up at the venue like live reconciliation does), on
 * that order's side — else it reports its own position as an ORPHAN_POSITION and leaves the slot
 * IDLE, so nothing of ours ever closes it.
 */

import { afterEach, expect, test } from "bun:test";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { restartFrom, slotImages } from "../_support/executor.ts";
import { lateFilledEntry } from "../_support/live.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(10);
  for (const k of kernels.splice(0)) k.destroy();
});

test.each(["LONG", "SHORT"] as const)(
  "a stale slot whose entry was rejected as absent and filled late takes its %s position at restart, no orphan",
  async (side) => {
    const { venue, kernel, clock, resolved } = await lateFilledEntry(side);
    kernels.push(kernel);
    expect(resolved).toBe("ABSENT_REJECTED");
    expect(kernel.slot(0)).toMatchObject({ stage: "STALE_STATE_RECONCILING", side: null });

    // The restart: a fresh kernel adopts that belief and reconciles to the venue.
    const { kernel: second, report } = await restartFrom(slotImages(kernel), venue, clock, kernels);
    expect(report.orphans).toEqual([]);
    expect(report.reconciled).toEqual([
      { slot_id: 0, from: "STALE_STATE_RECONCILING", to: "POSITION_OPEN", size_before: 0, size_after: 0.01 },
    ]);
    expect(second.slot(0)).toMatchObject({ stage: "POSITION_OPEN", side, size: 0.01 });
  },
);
