/**
 * The leverage pushed at connect, through a Runtime (what `serve` runs) on the BingX adapter against
 * bingx-sim in this process: BingX's user stream pushes ACCOUNT_CONFIG_UPDATE at connect (the sim:
 * one per symbol whose leverage the account set), so each reconnect of the user stream repeats the
 * leverage the process already knows. Live reconciliation runs every hour (no pass can be what
 * reads or finds anything); venue traffic is logged (VERBOSE), so every leverage read shows as a
 * `venue > leverageOf` line and every push as a `venue leverage` line.
 *
 * The stream is dropped by the sim's `stream_disconnect` fault (one event: an out-of-band leverage
 * change of ETH-USDT, an asset this process never set and no slot trades, which it ignores); the
 * adapter reconnects 250 ms later.
 *
 * What must happen: a reconnect with BTC-USDT's leverage unchanged repeats the 5 this process set,
 * and the push costs no venue read and reports nothing (a push is a hint; a repeat of a known state
 * is no news); a leverage changed while the stream was down (BTC-USDT LONG 5 → 20, whose own push
 * found no socket) is reported once after the reconnect, because of the connect push. Before, the
 * sim pushed nothing at connect, so the change stayed unseen until the next pass, an hour later.
 */

import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import { buildBundle, loadConfig, Runtime, SystemClock } from "../../src/launcher/index.ts";
import { type SimHandle, startBingxSim } from "../../src/sim/index.ts";
import { within } from "../_support/within.ts";

const KEY = "reconnKeyAAAAbbbbCCCCdddd0123456";
const SECRET = "reconnSecretZZZZyyyyXXXXwwww98765";
/** Far longer than the test: a live pass cannot be what reads or finds anything. */
const RECONCILE_INTERVAL_MS = 3_600_000;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const entry: StrategyIntent = {
  type: "ENTER",
  slot_id: 0,
  trade_id: "RC1",
  asset: "BTC-USDT",
  side: "LONG",
  size: 0.001,
  price: null,
  leverage: 5,
};

const outOfBand = (sim: SimHandle, body: Record<string, unknown>) =>
  fetch(`${sim.url}/_sim/out_of_band`, { method: "POST", body: JSON.stringify(body) });

/** A Runtime on bingx-sim holding one BTC-USDT LONG entered at leverage 5 (set by this process). */
async function runtimeWithPosition() {
  const prices = { "BTC-USDT": 65_000, "ETH-USDT": 3_200 };
  const sim = await startBingxSim({ port: 0, apiKey: KEY, secret: SECRET, seed: 43, prices });
  stops.push(() => sim.stop());
  const dir = mkdtempSync(join(tmpdir(), "dita-leverage-reconnect-"));
  stops.push(async () => rmSync(dir, { recursive: true, force: true }));
  const env = {
    DITA_V2_STATE_DIR: dir,
    DITA_V2_VENUE: "BINGX",
    BINGX_API_KEY: KEY,
    BINGX_API_SECRET: SECRET,
    BINGX_BASE_URL: sim.url,
    BINGX_WS_URL: sim.wsUrl,
    DITA_V2_RECONCILE_INTERVAL_MS: String(RECONCILE_INTERVAL_MS),
    DITA_V2_WARM_PATH_MS: "0",
    DITA_V2_VERBOSITY: "VERBOSE",
  };
  const bundle = await buildBundle(loadConfig(env), new SystemClock(), env, { journal: true, log: () => {} });
  const lines: string[] = [];
  const rt = new Runtime(bundle, (line) => lines.push(line));
  await rt.start();
  const loops = rt.runLoops();
  stops.push(async () => {
    await rt.shutdown(1_000);
    await loops;
  });
  expect(rt.submitStrategy(entry).accepted).toBe(true);
  await within(3_000, "slot 0 open", () => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  await Bun.sleep(100); // the push of this process's own call (5) comes and agrees
  return { sim, rt, lines };
}

/** Drops the user stream with one event (an ETH-USDT change this process ignores); returns the log's length then. */
async function dropStream(sim: SimHandle, lines: string[]): Promise<number> {
  await within(1_000, "stream connected", () => sim.state().stream_connections === 1);
  sim.faults.stream_disconnect = 1;
  const at = lines.length;
  expect(
    (await outOfBand(sim, { action: "set_leverage", symbol: "ETH-USDT", positionSide: "LONG", leverage: 3 })).status,
  ).toBe(200);
  expect(sim.state().stream_connections).toBe(0); // dropped right after that event, synchronously
  return at;
}

const findings = (lines: string[]) =>
  lines.filter((l) => l.startsWith("WARNING VENUE_MISMATCH") && l.includes("leverage"));
const pushesOf = (lines: string[], asset: string) =>
  lines.filter((l) => l.startsWith("venue leverage ") && l.includes(`"asset":"${asset}"`));
const leverageReads = (lines: string[]) => lines.filter((l) => l.startsWith("venue > leverageOf "));

test("a reconnect with the leverage unchanged repeats it at connect and costs no leverage read", async () => {
  const { sim, rt, lines } = await runtimeWithPosition();
  const readsBefore = leverageReads(lines).length;
  const at = await dropStream(sim, lines);
  await within(3_000, "reconnected", () => sim.state().stream_connections === 1 && rt.b.venue.connected());
  await within(1_000, "the connect push of BTC-USDT heard", () => pushesOf(lines.slice(at), "BTC-USDT").length === 1);
  expect(pushesOf(lines.slice(at), "BTC-USDT")[0]).toContain('"long":5');
  await Bun.sleep(200); // room for a read the push might (wrongly) lead to
  expect(leverageReads(lines).length).toBe(readsBefore);
  expect(findings(lines)).toEqual([]);
  expect(rt.reconciler.stats.passes).toBe(0);
});

test("a leverage changed while the stream was down is reported after the reconnect, because of the connect push", async () => {
  const { sim, rt, lines } = await runtimeWithPosition();
  const at = await dropStream(sim, lines);
  // While no socket is open: the change's own push reaches nobody.
  expect(
    (await outOfBand(sim, { action: "set_leverage", symbol: "BTC-USDT", positionSide: "LONG", leverage: 20 })).status,
  ).toBe(200);
  expect(sim.state().stream_connections).toBe(0);
  await within(3_000, "the change reported", () => findings(lines).length === 1);
  expect(pushesOf(lines.slice(at), "BTC-USDT")[0]).toContain('"long":20');
  expect(leverageReads(lines.slice(at)).length).toBeGreaterThanOrEqual(1); // the push was checked by a read
  expect(findings(lines)[0]).toContain("slot 0: BTC-USDT LONG leverage at the venue is 20, not 5");
  expect(rt.reconciler.stats.passes).toBe(0); // no live pass ran: the connect push found it
  expect(rt.executor.leverage.remembered("BTC-USDT", "LONG")).toBeUndefined();
});
