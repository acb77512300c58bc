/**
 * A leverage changed behind the process's back, seen as soon as the venue pushes it: a Runtime (what
 * `serve` runs: journal, executor, serve loops) on the BingX adapter against bingx-sim in this
 * process, live reconciliation every hour (`DITA_V2_RECONCILE_INTERVAL_MS` 3 600 000, so no pass can
 * be what finds it), venue traffic logged (VERBOSE). The sim's admin `set_leverage` changes BTC-USDT
 * LONG from the 5 this process set to 20, as an operator on BingX's page would, and its user stream
 * pushes ACCOUNT_CONFIG_UPDATE.
 *
 * What must happen: within a second, one VENUE_MISMATCH (field LEVERAGE) naming the slot holding the
 * position at 20; the process forgot the 5 it set, so the next entry (another slot, same asset and
 * side, the strategy's 5) sets 5 at the venue again before its order is sent (the log's venue
 * requests: setLeverage, then submit) and the venue ends at 5. Before, nothing was reported until the
 * next pass, an hour later, and the entry was placed at the venue's 20.
 */

import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import { buildBundle, loadConfig, Runtime, SystemClock } from "../../src/launcher/index.ts";
import { startBingxSim } from "../../src/sim/index.ts";
import { within } from "../_support/within.ts";

const KEY = "pushKeyAAAAbbbbCCCCdddd012345678";
const SECRET = "pushSecretZZZZyyyyXXXXwwww98765432";
/** Far longer than the test: a live pass cannot be what finds the change. */
const RECONCILE_INTERVAL_MS = 3_600_000;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const entry = (slot_id: number, trade_id: string): StrategyIntent => ({
  type: "ENTER",
  slot_id,
  trade_id,
  asset: "BTC-USDT",
  side: "LONG",
  size: 0.001,
  price: null,
  leverage: 5,
});

test("a leverage changed out of band is reported within a second of its push, and the next entry sets it again before placing", async () => {
  const sim = await startBingxSim({ port: 0, apiKey: KEY, secret: SECRET, seed: 41, prices: { "BTC-USDT": 65_000 } });
  stops.push(() => sim.stop());
  const dir = mkdtempSync(join(tmpdir(), "dita-leverage-push-"));
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
  const findings = () => lines.filter((l) => l.startsWith("WARNING VENUE_MISMATCH") && l.includes("leverage"));
  const venueLong = async () => (await rt.b.venue.leverageOf("BTC-USDT")).LONG;

  expect(rt.submitStrategy(entry(0, "LP1")).accepted).toBe(true);
  await within(3_000, "slot 0 open", () => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  expect(await venueLong()).toBe(5);
  await Bun.sleep(100); // the push of this process's own call (5) comes and agrees: nothing reported
  expect(findings()).toEqual([]);

  const body = JSON.stringify({ action: "set_leverage", symbol: "BTC-USDT", positionSide: "LONG", leverage: 20 });
  const changedAt = Date.now();
  expect((await fetch(`${sim.url}/_sim/out_of_band`, { method: "POST", body })).status).toBe(200);
  await within(1_000, "the change reported", () => findings().length === 1);
  expect(Date.now() - changedAt).toBeLessThan(1_000);
  expect(rt.reconciler.stats.passes).toBe(0); // no live pass ran: the push found it
  expect(findings()[0]).toContain("slot 0: BTC-USDT LONG leverage at the venue is 20, not 5");
  expect(findings()[0]).toContain("the open position is held at the venue's 20");
  expect(rt.metrics.diagnostics.get("VENUE_MISMATCH")).toBe(1);
  expect(rt.executor.leverage.remembered("BTC-USDT", "LONG")).toBeUndefined();

  const before = lines.length;
  expect(rt.submitStrategy(entry(1, "LP2")).accepted).toBe(true);
  await within(3_000, "slot 1 open", () => rt.b.kernel.slot(1).stage === "POSITION_OPEN");
  const requests = lines.slice(before).filter((l) => /^venue > (setLeverage|submit) /.test(l));
  expect(requests.map((l) => l.split(" ")[2])).toEqual(["setLeverage", "submit"]);
  expect(requests[0]).toContain('"BTC-USDT","LONG",5');
  expect(await venueLong()).toBe(5);
  expect(sim.state().positions.map((p) => p.leverage)).toEqual([5]);
  await Bun.sleep(100); // the push of the 5 set again agrees with what the process set
  expect(findings().length).toBe(1);
  expect(lines.some((l) => l.includes("leverage push: leverage of BTC-USDT LONG agrees with the venue again"))).toBe(
    true,
  );
});
