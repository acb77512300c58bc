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
import { Executor } from "../../src/launcher/executor.ts";
import { recover } from "../../src/launcher/recovery.ts";
import { freshKernel } from "../_support/kernel.ts";
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
    const images = Array.from({ length: kernel.slotCount }, (_, i) => kernel.slotImage(i).slice());

    // The restart: a fresh kernel adopts that belief and reconciles to the venue.
    const second = freshKernel({ slots: 2, capital: 0 });
    kernels.push(second);
    const report = await recover(
      {
        kernel: second,
        executor: new Executor(second, venue, clock, { afterApply: () => {} }),
        venue,
        nowMs: () => clock.nowMs(),
        log: () => {},
      },
      { source: "zinc", images },
      true,
    );
    expect(report.orphans).toEqual([]);
    expect(report.reconciled).toEqual([
      { slot_id: 0, from: "STALE_STATE_RECONCILING", to: "POSITION_OPEN", size_before: 0, size_after: 0.01 },
    ]);
    expect(second.slot(0)).toMatchObject({ stage: "POSITION_OPEN", side, size: 0.01 });
  },
);
