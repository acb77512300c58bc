/**
 * Flatten through the built executable against bingx-sim: with 8 open positions (long and short,
 * four assets) and 2 resting entries, POST /flatten leaves the venue flat with no open order,
 * every slot CLOSED or IDLE, trading HALTED and the kernel's capital equal to the venue's wallet;
 * a second flatten is a no-op that sends nothing; under an injected burst of 429s it still
 * completes (it waits, it does not give up); the CLI and the control mailbox reach the same path.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { run } from "./_exe.ts";
import { eventually, type Served, startServe } from "./_serve.ts";
import { type SimProc, startSim } from "./_sim.ts";

let sim: SimProc;
let s: Served;
let trades = 0;

beforeAll(async () => {
  sim = await startSim(41);
  s = await startServe({ ...sim.env, DITA_V2_SLOTS: "10", DITA_V2_RECONCILE_INTERVAL_MS: "0" });
}, 30_000);

afterAll(async () => {
  expect(await s.stop()).toBe(0);
  await sim.stop();
  rmSync(s.stateDir, { recursive: true, force: true });
});

const BOOK: Array<[asset: string, side: "LONG" | "SHORT", size: number]> = [
  ["BTC-USDT", "LONG", 0.01],
  ["BTC-USDT", "SHORT", 0.02],
  ["ETH-USDT", "LONG", 0.1],
  ["ETH-USDT", "SHORT", 0.2],
  ["SOL-USDT", "LONG", 1],
  ["SOL-USDT", "SHORT", 2],
  ["DOGE-USDT", "LONG", 100],
  ["BTC-USDT", "LONG", 0.03],
];

const enter = (slot_id: number, asset: string, side: "LONG" | "SHORT", size: number, price: number | null) =>
  s.call("/intents", {
    body: { type: "ENTER", slot_id, trade_id: `FL${++trades}`, asset, side, size, price, leverage: 3 },
  });
const slots = async () => (await s.call("/slots")).body as Array<{ slot_id: number; stage: string }>;

/** Opens the 8 positions (slots 0..7) and rests 2 entries far from the market (slots 8, 9). */
async function openBook(): Promise<void> {
  // bingx-sim allows 10 order placements per sliding second (BingX's limit); the flatten before
  // this one placed 8 exits, so ten entries at once would meet 429s that this test does not inject.
  await Bun.sleep(1100);
  await s.call("/control", { body: { trading_state: "ACTIVE" } });
  for (const [i, [asset, side, size]] of BOOK.entries())
    expect((await enter(i, asset, side, size, null)).status).toBe(200);
  expect((await enter(8, "BTC-USDT", "LONG", 0.01, 30000)).status).toBe(200);
  expect((await enter(9, "ETH-USDT", "SHORT", 0.1, 4000)).status).toBe(200);
  await eventually(
    "8 positions and 2 resting entries",
    async () => {
      const st = (await slots()).map((x) => x.stage);
      return st.slice(0, 8).every((x) => x === "POSITION_OPEN") && st.slice(8).every((x) => x === "ENTRY_WORKING");
    },
    15_000,
  );
}

async function expectFlat(report: any): Promise<void> {
  expect(report.complete).toBe(true);
  expect(report.trading_state).toBe("HALTED");
  expect(report.venue).toMatchObject({ checked: true, positions: [], open_orders: [], error: null });
  for (const x of await slots()) expect(["CLOSED", "IDLE"]).toContain(x.stage);
  const truth = await sim.state();
  expect(truth.positions.filter((p) => p.positionAmt > 0)).toEqual([]);
  expect(truth.orders.filter((o) => o.status === "NEW" || o.status === "PARTIALLY_FILLED")).toEqual([]);
  const account = (await s.call("/status")).body.account;
  expect(account.capital).toBeCloseTo(truth.balance.wallet, 6);
  expect(report.venue.balance).toBeCloseTo(truth.balance.wallet, 6);
  expect((await s.call("/control")).body.trading_state).toBe("HALTED");
}

describe("flatten", () => {
  test("8 positions and 2 working entries: venue flat, no open orders, slots CLOSED or IDLE, capital equals the venue wallet", async () => {
    await openBook();
    const r = await s.call("/flatten", { body: { timeout_ms: 20_000 } });
    expect(r.status).toBe(200);
    await expectFlat(r.body);
    const results = Object.fromEntries(r.body.slots.map((x: any) => [x.slot_id, [x.before, x.result]]));
    for (let i = 0; i < 8; i++) expect(results[i]).toEqual(["POSITION_OPEN", "CLOSED"]);
    for (const i of [8, 9]) expect(results[i]).toEqual(["ENTRY_WORKING", "CLOSED"]);
    const enterRefused = await enter(0, "BTC-USDT", "LONG", 0.01, null);
    expect(enterRefused.body.diagnostics[0].code).toBe("TRADING_HALTED");
  }, 60_000);

  test("a second flatten is a no-op: every slot ALREADY_FLAT, no FLATTEN input, no order sent", async () => {
    const placed = (await sim.state()).counters.placed_by_client_id;
    const r = await s.call("/flatten", { raw: "" });
    expect(r.status).toBe(200);
    expect(r.body.complete).toBe(true);
    expect(r.body.attempts).toEqual({ flatten_inputs: 0, after_refusal: 0 });
    expect(r.body.slots.every((x: any) => x.result === "ALREADY_FLAT")).toBe(true);
    expect((await sim.state()).counters.placed_by_client_id).toEqual(placed);
  }, 30_000);

  test("under an injected burst of 429s the flatten waits and still completes", async () => {
    await openBook();
    await sim.faults({ rate_limit: { count: 12, retry_hint: true } });
    const r = await s.call("/flatten", { body: { timeout_ms: 60_000 } });
    await expectFlat(r.body);
    expect((await sim.state()).counters.requests).toBeGreaterThan(0);
    expect(r.body.attempts.after_refusal + r.body.attempts.flatten_inputs).toBeGreaterThanOrEqual(10);
  }, 90_000);

  test("dita-v2 flatten (CLI) answers the same report and exits 0 when flat; bad timeout exits 2", async () => {
    const env = { DITA_V2_OPERATOR_TOKEN: s.token };
    const ok = run(["flatten", "--url", s.url, "--timeout-ms", "5000"], env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ complete: true, trading_state: "HALTED" });
    const bad = run(["flatten", "--url", s.url, "--timeout-ms", "soon"], env);
    expect(bad.code).toBe(2);
    const refused = await s.call("/flatten", { body: { timeout_ms: 5 } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toContain("timeout_ms");
    const noToken = await s.call("/flatten", { body: {}, token: null });
    expect(noToken.status).toBe(401);
  }, 30_000);
});
