/**
 * `dita-v2 smoke`: one whole trade through the real kernel and executor in this process, against
 * BingX (the demo account, only with BINGX_SMOKE_LIVE=1 and keys) or a bingx-sim (--venue-url).
 * The kernel decides and the venue confirms; the smoke only drives intents and checks truth.
 *
 * Steps (SMOKE_STEPS, printed by --dry-run): 1 precheck (live only: the supervisor config must be
 * there and `dolphin:dita_v2` not running under it, since it trades the same account and would adopt
 * or disturb the smoke's position), 2 connect (capital seeded from the balance), 3 contract rules and
 * size, 4 balance and a flat symbol, 5 enter MARKET LONG, 6 wait fill, 7 exit, 8 wait close,
 * 9 verify (venue flat, no open orders, settled once: capital = seed + PnL - fees = balance),
 * 10 disconnect.
 * A failure after the entry tries to flatten (EXIT or CANCEL) before it reports. Each run journals
 * into a directory of its own, `journal-<pid>-<ms>` in the smoke's state dir (the CLI's is
 * `<state dir>/smoke`): a smoke starts from no belief, never from an earlier smoke's journal.
 * With `pink`, steps 5..8 go the way PINK trades (`_smoke_pink.ts`): decision → seam → Zinc ring →
 * kernel → venue, every outcome read back by the strategy client (the report lists them).
 *
 * Entry points: `SMOKE_STEPS`, `isSimTarget`, `supervisorPrecheck`, `runSmoke` (the CLI builds the
 * environment and guards the live target: src/cli/smoke.ts).
 */

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { SlotRecord } from "../contracts/records.ts";
import { isLoopbackUrl } from "../venue/index.ts";
import { chooseSize, describeSlot, flatten, longSize, markPrice, near, until, verifyTruth } from "./_smoke_checks.ts";
import { PINK_STEPS, PinkTrader, pinkCycle } from "./_smoke_pink.ts";
import { buildBundle } from "./bundle.ts";
import { loadConfig } from "./config.ts";
import { Runtime } from "./runtime.ts";
import { PROGRAM, programState } from "./supervisor.ts";
import { SystemClock } from "./system_clock.ts";

export { chooseSize };

export interface SmokeOptions {
  symbol: string;
  strategy: string;
  venueUrl: string | null;
  size: number | null;
  conf: string;
  waitMs: number;
  /** Trade through the strategy client's seam and the Zinc ring (needs DITA_V2_ZINC=REAL in env). */
  pink: boolean;
}

export interface SmokeStep {
  n: number;
  name: string;
  ok: boolean;
  ms: number;
  detail: unknown;
}

export interface SmokeReport {
  ok: boolean;
  target: "sim" | "live";
  base_url: string;
  symbol: string;
  size: number | null;
  steps: SmokeStep[];
  failed: { step: string; message: string } | null;
  cleanup: string | null;
  slot: SlotRecord | null;
  account: unknown;
  mode: "pink" | "direct";
  /** --pink: every outcome the strategy client read back, in order. */
  outcomes: Array<Record<string, unknown>>;
}

/** The steps as the dry run prints them (--pink: steps 5..8 through the seam and the ring). */
export function smokeSteps(pink: boolean): ReadonlyArray<[string, string]> {
  return pink ? SMOKE_STEPS.map(([name, what]) => [name, PINK_STEPS[name] ?? what] as [string, string]) : SMOKE_STEPS;
}

export const SMOKE_STEPS: ReadonlyArray<[string, string]> = [
  ["precheck", `live only: ${PROGRAM} is not running under the supervisor config (same account)`],
  ["connect", "server time, contract list, listen key, user stream; seed capital from the venue balance"],
  ["rules", "contract rules of SYMBOL (step, minimum quantity and notional); choose or check the size"],
  ["balance", "kernel capital equals the venue balance; SYMBOL has no position and no open order"],
  ["enter", "ENTER slot 0: MARKET LONG size, leverage 1"],
  ["wait fill", "slot 0 POSITION_OPEN and the venue LONG position on SYMBOL equals size"],
  ["exit", "EXIT slot 0: the whole size, reason SIGNAL"],
  ["wait close", "slot 0 CLOSED"],
  [
    "verify",
    "venue position flat, no open orders, one settled trade: capital = seed + realized PnL - fees = venue balance",
  ],
  ["disconnect", "close the user stream and release the kernel"],
];

const VST_BASE_URL = "https://open-api-vst.bingx.com";

export function isSimTarget(opts: SmokeOptions): boolean {
  return opts.venueUrl !== null && isLoopbackUrl(opts.venueUrl);
}

/**
 * Live only: refuses while the supervised program trades the same account. The config must be there
 * (the default is relative to the working directory): a missing one reads as "supervisord not
 * reachable", which would pass a smoke run from elsewhere while the program trades.
 */
export function supervisorPrecheck(
  opts: SmokeOptions,
  state: (conf: string) => string | null = programState,
  exists: (path: string) => boolean = existsSync,
): { ok: boolean; detail: string } {
  if (isSimTarget(opts)) return { ok: true, detail: "skipped: the sim is a private account" };
  if (!exists(opts.conf))
    return {
      ok: false,
      detail: `no supervisord config at ${resolve(opts.conf)}, so whether ${PROGRAM} trades this account cannot be checked; run from the project directory or give --conf PATH`,
    };
  const s = state(opts.conf);
  if (s === null)
    return { ok: true, detail: `supervisord not reachable through ${opts.conf}: ${PROGRAM} is not running` };
  if (s === "RUNNING" || s === "STARTING" || s === "BACKOFF" || s === "STOPPING") {
    return {
      ok: false,
      detail: `${PROGRAM} is ${s} under ${opts.conf} and trades the same BingX account; its reconciliation would adopt the smoke's position. Stop it first: dita-v2 ctl stop --conf ${opts.conf}`,
    };
  }
  return { ok: true, detail: `${PROGRAM} is ${s}` };
}

/**
 * Runs the cycle after the caller's precheck (recorded as step 1). Never throws: the report says
 * which step failed and what cleanup found.
 */
export async function runSmoke(
  opts: SmokeOptions,
  env: Record<string, string>,
  precheck: { ok: boolean; detail: string },
  log: (line: string) => void,
): Promise<SmokeReport> {
  const clock = new SystemClock();
  const report: SmokeReport = {
    ok: false,
    target: isSimTarget(opts) ? "sim" : "live",
    base_url: env.BINGX_BASE_URL ?? VST_BASE_URL,
    symbol: opts.symbol,
    size: null,
    steps: [{ n: 1, name: "precheck", ok: precheck.ok, ms: 0, detail: precheck.detail }],
    failed: null,
    cleanup: null,
    slot: null,
    account: null,
    mode: opts.pink ? "pink" : "direct",
    outcomes: [],
  };
  const step: Step = async (name, fn) => {
    const started = clock.monoNs();
    const ms = () => Number(clock.monoNs() - started) / 1e6;
    try {
      const detail = await fn();
      report.steps.push({ n: report.steps.length + 1, name, ok: true, ms: ms(), detail });
    } catch (e) {
      const message = ((e as Error).message ?? String(e)).split("\n")[0] ?? "";
      report.steps.push({ n: report.steps.length + 1, name, ok: false, ms: ms(), detail: message });
      report.failed ??= { step: name, message };
      throw e;
    }
  };
  let rt: Runtime | null = null;
  let pink: PinkTrader | null = null;
  let entered = false;
  try {
    await step("connect", async () => {
      // A journal directory per run: the smoke starts from no belief, never from an earlier one's.
      const config = loadConfig(env);
      const journalDir = join(config.state_dir, `journal-${process.pid}-${clock.nowMs()}`);
      const bundle = await buildBundle(config, clock, env, { journal: true, journalDir });
      rt = new Runtime(bundle, log);
      const recovery = await rt.start();
      if (opts.pink) {
        void rt.runLoops(); // the ring is drained as in serve; shutdown stops the loops
        pink = PinkTrader.connect(rt);
      }
      return {
        capital: recovery.capital,
        stream_open: bundle.venue.connected(),
        zinc_prefix: bundle.config.zinc_prefix,
      };
    });
    await runCycle(rt!, opts, report, step, () => (entered = true), pink);
  } catch {
    if (rt && entered) report.cleanup = await flatten(rt, opts);
  } finally {
    const done = rt as Runtime | null;
    const trader = pink as PinkTrader | null;
    if (trader) {
      report.outcomes = trader.outcomes;
      trader.close();
    }
    if (done) {
      report.slot = done.b.kernel.slot(0);
      report.account = done.b.kernel.account();
      await step("disconnect", () => done.shutdown(3000)).catch(() => {});
    }
  }
  report.ok = report.failed === null;
  return report;
}

export type Step = (name: string, fn: () => Promise<unknown>) => Promise<void>;

async function runCycle(
  rt: Runtime,
  opts: SmokeOptions,
  report: SmokeReport,
  step: Step,
  entered: () => void,
  pink: PinkTrader | null,
): Promise<void> {
  const { venue, kernel } = rt.b;
  const seed = kernel.account().capital;
  let size = 0;
  await step("rules", async () => {
    const rules = await venue.contractRules(opts.symbol);
    const mark = await markPrice(report.base_url, opts.symbol);
    size = chooseSize(rules, mark, opts.size);
    report.size = size;
    return { rules, mark_price: mark, size };
  });
  await step("balance", async () => {
    const b = await venue.balance();
    if (!near(kernel.account().capital, b.balance))
      throw new Error(`kernel capital ${kernel.account().capital} differs from the venue balance ${b.balance}`);
    const held = (await venue.positions(opts.symbol)).filter((p) => p.size > 0);
    if (held.length > 0)
      throw new Error(
        `${opts.symbol} is not flat at the venue (${held.map((p) => `${p.side} ${p.size}`).join(", ")}); the smoke needs a flat symbol`,
      );
    const open = await venue.openOrders(opts.symbol);
    if (open.length > 0)
      throw new Error(`${opts.symbol} has ${open.length} open order(s) at the venue; the smoke needs none`);
    return { balance: b.balance, available_margin: b.available_margin };
  });
  if (pink !== null) return pinkCycle(rt, pink, opts, size, step, entered, seed);
  const tradeId = `smoke_${rt.b.clock.nowMs().toString(36)}`;
  await step("enter", async () => {
    const o = rt.submitStrategy({
      type: "ENTER",
      slot_id: 0,
      trade_id: tradeId,
      asset: opts.symbol,
      side: "LONG",
      size,
      price: null,
      leverage: 1,
    });
    if (!o.accepted) throw new Error(`ENTER refused: ${o.diagnostics[0]?.code} ${o.diagnostics[0]?.message}`);
    entered();
    return { trade_id: tradeId, client_order_id: kernel.slot(0).entry_order?.client_order_id };
  });
  await step("wait fill", async () => {
    await until(
      "slot 0 POSITION_OPEN",
      opts.waitMs,
      () => kernel.slot(0).stage === "POSITION_OPEN",
      () => describeSlot(kernel.slot(0)),
    );
    const venueSize = longSize(await venue.positions(opts.symbol), opts.symbol);
    if (!near(venueSize, size) || !near(kernel.slot(0).size, size))
      throw new Error(`filled sizes differ: kernel ${kernel.slot(0).size}, venue ${venueSize}, asked ${size}`);
    return { entry_price: kernel.slot(0).entry_price, venue_size: venueSize };
  });
  await step("exit", async () => {
    const o = rt.submitStrategy({ type: "EXIT", slot_id: 0, size, reason: "SIGNAL" });
    if (!o.accepted) throw new Error(`EXIT refused: ${o.diagnostics[0]?.code} ${o.diagnostics[0]?.message}`);
    return { client_order_id: kernel.slot(0).exit_order?.client_order_id };
  });
  await step("wait close", async () => {
    await until(
      "slot 0 CLOSED",
      opts.waitMs,
      () => kernel.slot(0).stage === "CLOSED",
      () => describeSlot(kernel.slot(0)),
    );
    return { realized_pnl: kernel.slot(0).realized_pnl, fees: kernel.slot(0).fees };
  });
  await step("verify", () => verifyTruth(rt, opts.symbol, seed));
}
