/**
 * Live reconciliation through the built executable against bingx-sim (interval 1 s): changes made
 * behind the kernel's back with no stream event — a position closed on the exchange, a resting
 * order cancelled, a position opened by hand — are found within one interval and converged: the
 * slot goes through STALE_STATE_RECONCILING to the venue's truth with one VENUE_MISMATCH, capital
 * follows the wallet, and a position no slot owns is one ORPHAN_POSITION (reported once, not every
 * pass). A slot the venue agrees with is never touched.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { eventually, type Served, startServe } from "./_serve.ts";
import { type SimProc, startSim } from "./_sim.ts";

const INTERVAL_MS = 1000;
/** One interval, the confirming read, and the HTTP polling on a shared machine (a loaded one: waits end when met). */
const WITHIN_MS = INTERVAL_MS + 6000;

let sim: SimProc;
let s: Served;

beforeAll(async () => {
  sim = await startSim(51);
  s = await startServe({ ...sim.env, DITA_V2_SLOTS: "4", DITA_V2_RECONCILE_INTERVAL_MS: String(INTERVAL_MS) });
}, 30_000);

afterAll(async () => {
  expect(await s.stop()).toBe(0);
  await sim.stop();
  rmSync(s.stateDir, { recursive: true, force: true });
});

const slot = async (id: number) => (await s.call(`/slots/${id}`)).body;
const metric = async (code: string) => {
  const text = (await s.call("/metrics")).body as string;
  return Number(new RegExp(`^dita_v2_diagnostics_total\\{code="${code}"\\} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
};

describe("live reconciliation", () => {
  test("a position closed on the exchange: the slot converges to IDLE with one VENUE_MISMATCH, capital follows the wallet", async () => {
    const r = await s.call("/intents", {
      body: {
        type: "ENTER",
        slot_id: 0,
        trade_id: "LR1",
        asset: "BTC-USDT",
        side: "LONG",
        size: 0.01,
        price: null,
        leverage: 5,
      },
    });
    expect(r.status).toBe(200);
    await eventually("open", async () => (await slot(0)).stage === "POSITION_OPEN", 5000);
    await Bun.sleep(2 * INTERVAL_MS); // passes that agree change nothing
    expect(await metric("VENUE_MISMATCH")).toBe(0);
    await sim.setPrice("BTC-USDT", 66000);
    await sim.outOfBand({ action: "close_position", symbol: "BTC-USDT", positionSide: "LONG" });
    await eventually("slot 0 converged", async () => (await slot(0)).stage === "IDLE", WITHIN_MS);
    expect(await metric("VENUE_MISMATCH")).toBe(1);
    // The re-seed follows the slot's convergence (the pass's last reads): the slot may show IDLE first.
    const wallet = (await sim.state()).balance.wallet;
    const capital = async () => (await s.call("/status")).body.account.capital as number;
    await eventually("capital follows the wallet", async () => Math.abs((await capital()) - wallet) < 1e-6, WITHIN_MS);
    const status = (await s.call("/status")).body;
    expect(status.reconciliation).toMatchObject({ interval_ms: INTERVAL_MS, last_error: null });
    expect(status.reconciliation.mismatches_total).toBe(1);
  }, 20_000);

  test("a resting order cancelled at the venue with no stream event: the slot converges to IDLE", async () => {
    const r = await s.call("/intents", {
      body: {
        type: "ENTER",
        slot_id: 1,
        trade_id: "LR2",
        asset: "ETH-USDT",
        side: "LONG",
        size: 0.1,
        price: 2500,
        leverage: 5,
      },
    });
    expect(r.status).toBe(200);
    await eventually("acked", async () => (await slot(1)).entry_order?.status === "ACKED", 5000);
    await sim.outOfBand({ action: "cancel_order", clientOrderId: "LR2-E" });
    await eventually("slot 1 converged", async () => (await slot(1)).stage === "IDLE", WITHIN_MS);
    expect(await metric("VENUE_MISMATCH")).toBe(2);
  }, 20_000);

  test("a position opened by hand is one ORPHAN_POSITION, reported once across passes", async () => {
    await sim.outOfBand({ action: "open_position", symbol: "SOL-USDT", positionSide: "SHORT", qty: 2 });
    await eventually("orphan reported", async () => (await metric("ORPHAN_POSITION")) === 1, WITHIN_MS);
    await Bun.sleep(3 * INTERVAL_MS);
    expect(await metric("ORPHAN_POSITION")).toBe(1);
    const slots = (await s.call("/slots")).body as Array<{ stage: string }>;
    expect(slots.every((x) => x.stage === "IDLE")).toBe(true);
  }, 20_000);
});
