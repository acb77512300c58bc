/**
 * An entry that ended with nothing filled (the kernel clears the slot's side) and then filled
 * at the venue after all, in the fast tier: a real kernel and executor over the mock venue.
 *
 * The executor's hung-order path rejects an entry the venue said it had never heard of; if it lands
 * late and fills, its fill is an OVERFILL and the slot goes stale with no side. The next live pass
 * must hand that slot the position its own order opened, on that order's side — else it leaves its
 * position an ORPHAN_POSITION no flatten closes and the slot IDLE (for either side: a stale slot
 * claims what its ended entry filled late, looked up at the venue).
 */

import { afterEach, expect, test } from "bun:test";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { lateFilledEntry, testReconciler } from "../_support/live.ts";

const kernels: ExecutionKernel[] = [];
afterEach(async () => {
  await Bun.sleep(10);
  for (const k of kernels.splice(0)) k.destroy();
});

test.each(["LONG", "SHORT"] as const)(
  "an entry rejected as absent that fills late: the stale slot takes its %s position, no orphan",
  async (side) => {
    const { venue, kernel, executor, clock, pendingBeforeQuery, resolved, afterQuery } = await lateFilledEntry(side);
    kernels.push(kernel);
    expect(pendingBeforeQuery).toBe("PENDING_SUBMIT");
    expect(resolved).toBe("ABSENT_REJECTED");
    expect(afterQuery).toMatchObject({ stage: "IDLE", side: null });
    expect(kernel.slot(0).stage).toBe("STALE_STATE_RECONCILING");
    const diags: DiagnosticRecord[] = [];
    const r = testReconciler({ kernel, executor, venue, clock }, diags);

    expect(await r.pass()).toEqual([0]);
    expect(kernel.slot(0)).toMatchObject({ stage: "POSITION_OPEN", side, size: 0.01 });
    expect(diags.filter((d) => d.code === "ORPHAN_POSITION")).toEqual([]);
  },
);
