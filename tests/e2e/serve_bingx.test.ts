/**
 * The whole trade through the built executable with DITA_V2_VENUE=BINGX against bingx-sim
 * running as its own process (`dist/dita-v2 sim`), Zinc REAL with a unique prefix per test so
 * the state region survives a SIGKILL. After each step the kernel's slot equals the sim's
 * position (GET /_sim/state). Then serve is SIGKILLed with a position open and a resting entry
 * order that fills while it is down: with DITA_V2_RECONCILE_ON_RESTART=1 the restarted process
 * reconciles both slots to the sim's truth (the /status recovery report says what changed); with
 * =0 it restores its last belief as it was. /dev/shm files of every prefix are removed.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { requireExe, scratch } from "./_exe.ts";
import { eventually, type Served, startServe } from "./_serve.ts";
import { ShmPrefixes, type SimProc, type SimStateDoc, simSize, startSim } from "./_sim.ts";

let sim: SimProc;
const prefixes = new ShmPrefixes();
const serves: Served[] = [];

beforeAll(async () => {
  sim = await startSim(11);
}, 20_000);

afterAll(async () => {
  for (const s of serves) if (s.proc.exitCode === null && !s.proc.killed) await s.stop();
  await sim.stop();
  prefixes.removeAll();
  for (const s of serves) rmSync(s.stateDir, { recursive: true, force: true });
});

async function serve(prefix: string, stateDir: string, extra: Record<string, string> = {}): Promise<Served> {
  const s = await startServe(
    { ...sim.env, DITA_V2_ZINC: "REAL", DITA_V2_ZINC_PREFIX: prefix, DITA_V2_SLOTS: "4", ...extra },
    stateDir,
  );
  serves.push(s);
  return s;
}

const slotOf = async (s: Served, id: number) => (await s.call(`/slots/${id}`)).body;
let trades = 0;
/** Trade ids are unique within the file: the sim refuses a reused client order id (as BingX does). */
const enter = (s: Served, slot_id: number, asset: string, size: number, price: number | null = null) =>
  s.call("/intents", {
    body: { type: "ENTER", slot_id, trade_id: `BX${++trades}`, asset, side: "LONG", size, price, leverage: 5 },
  });
const exit = (s: Served, slot_id: number, size: number) =>
  s.call("/intents", { body: { type: "EXIT", slot_id, size, reason: "SIGNAL" } });

/** The slot's belief equals the sim's truth: same size on its asset and, when open, same entry price. */
function expectSlotEqualsSim(
  slot: { stage: string; asset: string; size: number; entry_price: number },
  state: SimStateDoc,
): void {
  const truth = simSize(state, slot.asset);
  expect(slot.size).toBeCloseTo(truth, 9);
  if (truth > 0) {
    const pos = state.positions.find((p) => p.symbol === slot.asset && p.positionSide === "LONG")!;
    expect(slot.entry_price).toBeCloseTo(pos.avgPrice, 6);
  }
}

describe("serve on BINGX against bingx-sim as its own process", () => {
  test("a DITA_V2_BINGX_RATE_MARGIN outside (0, 1] stops the start with one line naming the variable", async () => {
    const proc = Bun.spawn([requireExe(), "serve"], {
      env: {
        PATH: process.env.PATH ?? "",
        ...sim.env,
        DITA_V2_STATE_DIR: scratch("dita-bx-margin-"),
        DITA_V2_BINGX_RATE_MARGIN: "1.5",
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await proc.exited).not.toBe(0);
    expect(await new Response(proc.stderr as ReadableStream).text()).toContain(
      'DITA_V2_BINGX_RATE_MARGIN must be a decimal in (0, 1] (the fraction of each BingX rate limit the adapter uses), got "1.5"',
    );
  }, 20_000);

  test("a whole trade: after each step the slot equals the sim's position, and the account settles once to the sim's wallet", async () => {
    const s = await serve(prefixes.fresh("trade"), scratch("dita-bx-trade-"));
    expect((await s.call("/health")).status).toBe(200);
    const start = await sim.state();
    expect((await s.call("/status")).body.account.capital).toBeCloseTo(start.balance.wallet, 9);

    expect((await enter(s, 0, "BTC-USDT", 0.02)).status).toBe(200);
    await eventually("entry filled", async () => (await slotOf(s, 0)).stage === "POSITION_OPEN", 10_000);
    expectSlotEqualsSim(await slotOf(s, 0), await sim.state());
    expect(simSize(await sim.state(), "BTC-USDT")).toBeCloseTo(0.02, 9);

    expect((await exit(s, 0, 0.01)).status).toBe(200);
    await eventually(
      "first exit leg filled",
      async () => {
        const slot = await slotOf(s, 0);
        return slot.stage === "POSITION_OPEN" && Math.abs(slot.size - 0.01) < 1e-12;
      },
      10_000,
    );
    expectSlotEqualsSim(await slotOf(s, 0), await sim.state());

    expect((await exit(s, 0, 0.01)).status).toBe(200);
    await eventually("closed", async () => (await slotOf(s, 0)).stage === "CLOSED", 10_000);
    const end = await sim.state();
    expectSlotEqualsSim(await slotOf(s, 0), end);
    expect(end.positions).toEqual([]);
    expect(end.orders.filter((o) => o.status === "NEW" || o.status === "PARTIALLY_FILLED")).toEqual([]);
    expect(Object.values(end.counters.placed_by_client_id).every((n) => n === 1)).toBe(true);
    const status = (await s.call("/status")).body;
    expect(status.account.trade_seq).toBe(1);
    expect(status.account.capital).toBeCloseTo(end.balance.wallet, 6);
    // Every venue call went through the rate throttle, and the venue never answered 429.
    expect(status.venue.throttle.requests).toBeGreaterThan(3);
    expect([status.venue.throttle.margin, status.venue.throttle.rate_limited, end.counters.rate_limited]).toEqual([
      0.8, 0, 0,
    ]);
    const metrics = String((await s.call("/metrics")).body);
    expect(metrics).toContain(`dita_v2_venue_throttle_requests_total ${status.venue.throttle.requests}`);
    expect(metrics).toContain("dita_v2_venue_rate_limited_total 0");
    expect(await s.stop()).toBe(0);
  }, 40_000);

  test("SIGKILL with a position open and an entry that fills while down: restart with reconcile takes the sim's truth and reports what changed", async () => {
    const prefix = prefixes.fresh("reconcile");
    const dir = scratch("dita-bx-reconcile-");
    const s1 = await serve(prefix, dir);
    expect((await enter(s1, 0, "BTC-USDT", 0.01)).status).toBe(200);
    expect((await enter(s1, 1, "ETH-USDT", 0.05, 3100)).status).toBe(200);
    await eventually("BTC entry filled", async () => (await slotOf(s1, 0)).stage === "POSITION_OPEN", 10_000);
    await eventually(
      "ETH limit order resting at the sim",
      async () => (await slotOf(s1, 1)).entry_order?.status === "ACKED",
      10_000,
    );
    expectSlotEqualsSim(await slotOf(s1, 0), await sim.state());
    await s1.kill9();

    await sim.setPrice("ETH-USDT", 3000); // crosses the resting BUY 3100 while serve is down
    const truth = await sim.state();
    expect(simSize(truth, "ETH-USDT")).toBeCloseTo(0.05, 9);

    const s2 = await serve(prefix, dir, { DITA_V2_RECONCILE_ON_RESTART: "1" });
    const status = (await s2.call("/status")).body;
    expect(status.recovery.restored).toEqual([0, 1]);
    expect(status.recovery.reconciled).toEqual([
      { slot_id: 0, from: "POSITION_OPEN", to: "POSITION_OPEN", size_before: 0.01, size_after: 0.01 },
      { slot_id: 1, from: "ENTRY_WORKING", to: "POSITION_OPEN", size_before: 0, size_after: 0.05 },
    ]);
    expect(status.recovery.refused).toEqual([]);
    for (const id of [0, 1]) expectSlotEqualsSim(status.slots[id], truth);
    expect(status.slots[1].entry_price).toBe(3100);

    expect((await exit(s2, 0, 0.01)).status).toBe(200);
    expect((await exit(s2, 1, 0.05)).status).toBe(200);
    await eventually(
      "both closed",
      async () => (await slotOf(s2, 0)).stage === "CLOSED" && (await slotOf(s2, 1)).stage === "CLOSED",
      10_000,
    );
    const end = await sim.state();
    expect(end.positions).toEqual([]);
    const account = (await s2.call("/status")).body.account;
    expect(account.trade_seq).toBe(2);
    expect(account.capital).toBeCloseTo(end.balance.wallet, 6);
    expect(await s2.stop()).toBe(0);
  }, 60_000);

  test("with DITA_V2_RECONCILE_ON_RESTART=0 the restarted process restores its last belief as it was", async () => {
    const prefix = prefixes.fresh("belief");
    const dir = scratch("dita-bx-belief-");
    const s1 = await serve(prefix, dir);
    expect((await enter(s1, 2, "SOL-USDT", 1, 140)).status).toBe(200);
    await eventually(
      "SOL limit order resting at the sim",
      async () => (await slotOf(s1, 2)).entry_order?.status === "ACKED",
      10_000,
    );
    const before = await slotOf(s1, 2);
    await s1.kill9();
    await sim.setPrice("SOL-USDT", 130);
    expect(simSize(await sim.state(), "SOL-USDT")).toBeCloseTo(1, 9);

    const s2 = await serve(prefix, dir, { DITA_V2_RECONCILE_ON_RESTART: "0" });
    const status = (await s2.call("/status")).body;
    expect(status.control.reconcile_on_restart).toBe(false);
    expect(status.recovery).toMatchObject({ restored: [2], reconciled: [], refused: [] });
    const after = status.slots[2];
    expect(after.stage).toBe("ENTRY_WORKING");
    expect(after.size).toBe(0);
    expect(after.entry_order).toEqual(before.entry_order);
    expect(await s2.stop()).toBe(0);
  }, 40_000);
});
