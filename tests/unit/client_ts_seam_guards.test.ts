/**
 * The TypeScript seam never pushes what a strategy did not mean, and never throws for a bad
 * decision: a dead kernel's ring (or one a new kernel adopted that the seam has not reconciled)
 * gets no intent planned from the stale state (the next kernel would run it later): the result is
 * the client's KERNEL_NOT_RUNNING / KERNEL_RESTARTED refusal with `restarted`, as the Python seam;
 * a NaN timeout is a RangeError when the seam is made, not after an intent went out; a decision
 * that is no decision (an unknown kind, null: a signal parsed from JSON) is BAD_DECISION; and a
 * TAKE_PROFIT or STOP_LOSS of more than the position exits the whole position, exactly (the kernel
 * refuses an exit above the position: a stop loss sized from a partly filled entry would be refused).
 * The kernel is a fake libzinc under a real DitaClient.
 */

import { expect, test } from "bun:test";
import {
  closeAll,
  type Decision,
  openLong,
  planDecision,
  Seam,
  type Slot,
  stopLoss,
  takeProfit,
} from "../../clients/typescript/index.ts";
import {
  fakeClient,
  KERNEL_GENERATION,
  longSlot,
  NEW_KERNEL_PID,
  QuietKernel,
  seededAccount,
} from "../_support/client_fakes.ts";

const client = (kernel: QuietKernel) => fakeClient(kernel, { slotCount: 2 });

const open = openLong("BTC-USDT", { size: 0.01, leverage: 2 });

test("the seam pushes nothing into a dead kernel's ring: a KERNEL_NOT_RUNNING refusal, restarted", async () => {
  const kernel = new QuietKernel();
  kernel.alive = false;
  const c = client(kernel);
  try {
    const r = await new Seam(c, { timeoutMs: 0 }).execute(open);
    expect(kernel.pushes).toBe(0);
    expect([r.ok, r.restarted, r.steps.length]).toEqual([false, true, 0]);
    expect(r.refusals.map((x) => [x.origin, x.code])).toEqual([["CLIENT", "KERNEL_NOT_RUNNING"]]);
  } finally {
    c.close();
  }
});

test("the seam pushes nothing after a restart it has not reconciled: KERNEL_RESTARTED, then reconcile() lets it trade", async () => {
  const kernel = new QuietKernel();
  const c = client(kernel);
  try {
    const seam = new Seam(c, { timeoutMs: 0 });
    kernel.pid = NEW_KERNEL_PID;
    kernel.generation = KERNEL_GENERATION + 1; // a new kernel adopted the regions
    const r = await seam.execute(open);
    expect(kernel.pushes).toBe(0);
    expect([r.ok, r.restarted]).toEqual([false, true]);
    expect(r.refusals.map((x) => x.code)).toEqual(["KERNEL_RESTARTED"]);
    seam.reconcile();
    const after = await seam.execute(open); // no outcome comes from the fake: a TIMEOUT, but it went out
    expect(kernel.pushes).toBe(1);
    expect(after.refusals.map((x) => x.code)).toEqual(["TIMEOUT"]);
  } finally {
    c.close();
  }
});

test("a NaN seam timeout is a RangeError when the seam is made, never after an intent was pushed", async () => {
  const kernel = new QuietKernel();
  const c = client(kernel);
  try {
    for (const o of [{ timeoutMs: Number.NaN }, { venueTimeoutMs: Number("unset") }]) {
      let seam: Seam | null = null;
      let thrown: unknown = null;
      try {
        seam = new Seam(c, o);
        await seam.execute(open, { awaitVenue: true });
      } catch (e) {
        thrown = e;
      }
      expect(seam).toBeNull();
      expect(thrown).toBeInstanceOf(RangeError);
      expect((thrown as Error).message).toContain(Object.keys(o)[0]!);
    }
    expect(kernel.pushes).toBe(0);
  } finally {
    c.close();
  }
});

const ctx = (slots: Slot[]) => ({
  slots,
  account: seededAccount(),
  steps: { "BTC-USDT": 0.001 },
  nextTradeId: () => "T",
});

test("a decision of an unknown kind, or no object at all, is BAD_DECISION, never a thrown TypeError", async () => {
  const notDecisions = [{ kind: "FLIP", slotId: 0 }, { kind: "open" }, {}, null, undefined, "CLOSE_ALL", 7];
  for (const d of notDecisions) {
    const plan = planDecision(d as unknown as Decision, ctx([longSlot(0, "POSITION_OPEN", 2_000_000n)]));
    expect(plan.intents).toEqual([]);
    expect(plan.refusal?.code).toBe("BAD_DECISION");
  }
  const kernel = new QuietKernel();
  const c = client(kernel);
  try {
    const r = await new Seam(c).execute({ kind: "FLIP" } as unknown as Decision);
    expect(r.refusals.map((x) => [x.origin, x.code])).toEqual([["SEAM", "BAD_DECISION"]]);
    expect(kernel.pushes).toBe(0);
  } finally {
    c.close();
  }
});

test("TAKE_PROFIT or STOP_LOSS of more than the position exits exactly the whole position", () => {
  const held = longSlot(0, "POSITION_OPEN", 1_000_000n); // 0.01 held of a 0.02 entry that filled half
  for (const d of [stopLoss(0, { size: 0.02 }), takeProfit(0, { size: 0.02, limitPrice: 70_000 })]) {
    const [exit] = planDecision(d, ctx([held])).intents;
    expect(exit).toMatchObject({ type: "EXIT", slotId: 0, size: 0.01 });
  }
  // a part of the position stays a part; exactly the position is the position
  expect(planDecision(stopLoss(0, { size: 0.004 }), ctx([held])).intents[0]).toMatchObject({ size: 0.004 });
  expect(planDecision(stopLoss(0, { size: 0.01 }), ctx([held])).intents[0]).toMatchObject({ size: 0.01 });
});

test("a CLOSE_ALL whose reason is no exit reason is BAD_DECISION before anything is pushed, never half a close-all", async () => {
  const slots = [longSlot(0, "ENTRY_WORKING", 1_000_000n), longSlot(1, "POSITION_OPEN", 1_000_000n)];
  for (const reason of ["STOP", "tp", null, 2])
    expect(planDecision({ kind: "CLOSE_ALL", reason } as unknown as Decision, ctx(slots))).toMatchObject({
      intents: [],
      refusal: { code: "BAD_DECISION" },
    });
  const kernel = new QuietKernel();
  kernel.zinc_state_read_slot = (_h: number, i: number, out: Uint8Array) => {
    out.fill(0);
    const dv = new DataView(out.buffer, out.byteOffset);
    dv.setUint32(0, i, true);
    out.set([i === 0 ? 2 : 3, 1], 4); // slot 0 ENTRY_WORKING, slot 1 POSITION_OPEN, LONG
    dv.setBigUint64(8, 1n, true);
    dv.setBigInt64(24, 1_000_000n, true);
    return 0;
  };
  const c = client(kernel);
  try {
    const r = await new Seam(c, { timeoutMs: 0 }).execute(closeAll("STOP" as "SIGNAL"));
    expect(r.refusals.map((x) => [x.origin, x.code])).toEqual([["SEAM", "BAD_DECISION"]]);
    expect(kernel.pushes).toBe(0); // not the entry's CANCEL pushed, then the EXIT refused
  } finally {
    c.close();
  }
});

test("a generated trade id comes from the client's clock (or the seam's nowMs) deterministically, as Python's", async () => {
  const kernel = new QuietKernel(); // the client's clock answers 1_700_000_000_000; no outcome comes (TIMEOUT)
  const c = client(kernel);
  try {
    const seam = new Seam(c, { timeoutMs: 0 });
    const ids = [];
    for (let n = 0; n < 2; n++) {
      const r = await seam.execute(openLong("BTC-USDT", { size: 0.01, leverage: 2, slotId: 0 }));
      ids.push(r.steps[0]!.intent.type === "ENTER" ? r.steps[0]!.intent.tradeId : "");
    }
    const ms = (1_700_000_000_000).toString(36);
    expect(ids).toEqual([`seam-${ms}-1`, `seam-${ms}-2`]);
    const own = new Seam(c, { timeoutMs: 0, tradeIdPrefix: "s7", nowMs: () => 42 });
    const r = await own.execute(openLong("BTC-USDT", { size: 0.01, leverage: 2, slotId: 0 }));
    expect(r.steps[0]!.intent).toMatchObject({ tradeId: "s7-16-1" });
  } finally {
    c.close();
  }
});

test("a seam clock that answers no time is a CLIENT INVALID_INTENT refusal, nothing pushed", async () => {
  const kernel = new QuietKernel();
  const c = client(kernel);
  try {
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY, undefined]) {
      const seam = new Seam(c, { timeoutMs: 0, nowMs: () => bad as number });
      const r = await seam.execute(openLong("BTC-USDT", { size: 0.01, leverage: 2, slotId: 0 }));
      expect(r.refusals.map((x) => [x.origin, x.code])).toEqual([["CLIENT", "INVALID_INTENT"]]);
      expect(r.refusals[0]!.message).toContain("now_ms");
    }
    expect(kernel.pushes).toBe(0);
  } finally {
    c.close();
  }
});
