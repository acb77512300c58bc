/**
 * `dita-v2 smoke` through the built executable: the whole cycle against `dist/dita-v2 sim` as its
 * own process (enter, fill, exit, close, exchange truth verified, JSON report, exit 0); a step
 * that fails (a symbol the sim does not list) exits 1 naming the step; --dry-run prints the exact
 * environment with secrets masked and the numbered steps and sends nothing; a live smoke without
 * BINGX_SMOKE_LIVE=1 is refused with one line and exit 2. `--pink --symbol TRXUSDT` (the
 * reference's live smoke as written) trades through the strategy client's seam and the Zinc ring
 * with every outcome read back; TRXUSDT is normalized to TRX-USDT in both modes; a symbol of
 * neither spelling, or an undeclared option, is refused with one line in both modes. Each smoke
 * journals into a directory of its own, so a second one on the same state dir starts from no
 * belief (one settled trade each). Nothing here contacts a real exchange.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { run, scratch } from "./_exe.ts";
import { type SimProc, simSize, startSim } from "./_sim.ts";

let sim: SimProc;
const dir = scratch("dita-smoke-");
const env = () => ({ DITA_V2_STATE_DIR: dir, BINGX_API_KEY: sim.apiKey, BINGX_API_SECRET: sim.secret });

beforeAll(async () => {
  sim = await startSim(5);
}, 20_000);

afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("dita-v2 smoke", () => {
  test("against bingx-sim the whole cycle passes: entered, filled, closed, venue flat, the trade settled once to the sim's wallet", async () => {
    const r = run(["smoke", "--symbol", "DOGE-USDT", "--venue-url", sim.url], env());
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(true);
    expect(report.steps.map((s: { name: string }) => s.name)).toEqual([
      "precheck",
      "connect",
      "rules",
      "balance",
      "enter",
      "wait fill",
      "exit",
      "wait close",
      "verify",
      "disconnect",
    ]);
    expect(report.steps.every((s: { ok: boolean }) => s.ok)).toBe(true);
    expect(report.size).toBe(14); // smallest DOGE size with 5% headroom over the 2 USDT minimum at 0.15
    expect(report.slot).toMatchObject({ stage: "CLOSED", size: 0, exit_reason: "SIGNAL" });
    expect(report.account.trade_seq).toBe(1);
    const truth = await sim.state();
    expect(simSize(truth, "DOGE-USDT")).toBe(0);
    expect(truth.orders.filter((o) => o.status === "NEW" || o.status === "PARTIALLY_FILLED")).toEqual([]);
    expect(report.account.capital).toBeCloseTo(truth.balance.wallet, 9);
    expect(r.stdout + r.stderr).not.toContain(sim.secret);
    expect(existsSync(join(dir, "smoke", "journal"))).toBe(false); // a journal of its own per run
    expect(readdirSync(join(dir, "smoke")).filter((f) => f.startsWith("journal-"))).toHaveLength(1);
  }, 30_000);

  test("an explicit --size below the contract minimum fails at the rules step with exit 1 and sends no order", async () => {
    const before = (await sim.state()).orders.length;
    const r = run(["smoke", "--symbol", "DOGE-USDT", "--venue-url", sim.url, "--size", "2"], env());
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).failed).toMatchObject({ step: "rules" });
    expect(r.stderr).toContain("step 'rules' failed: size 2 is below the minimum of DOGE-USDT");
    expect((await sim.state()).orders.length).toBe(before);
  }, 30_000);

  test("a symbol the venue does not list fails at the rules step with exit 1", () => {
    const r = run(["smoke", "--symbol", "XYZ-USDT", "--venue-url", sim.url], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("step 'rules' failed: Condition failed: XYZ-USDT is not a listed contract");
  }, 30_000);

  test("--dry-run prints the exact environment with secrets masked and ten numbered steps, and sends nothing", async () => {
    const before = (await sim.state()).counters;
    const r = run(["smoke", "--symbol", "TRX-USDT", "--dry-run", "--strategy", "pink", "--venue-url", sim.url], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("nothing is sent");
    for (const line of [
      "DITA_V2_VENUE=BINGX",
      "DITA_V2_ZINC=MEMORY",
      "DITA_V2_STRATEGY=pink",
      `BINGX_BASE_URL=${sim.url}`,
      `BINGX_WS_URL=${sim.wsUrl}`,
    ]) {
      expect(r.stdout).toContain(`  ${line}\n`);
    }
    expect(r.stdout).toContain(`BINGX_API_SECRET=******** (${sim.secret.length} chars)`);
    expect(r.stdout).not.toContain(sim.secret);
    expect(r.stdout).toMatch(
      / 1\. precheck: [^\n]+\n[\s\S]* 5\. enter: ENTER slot 0: MARKET LONG[\s\S]* 10\. disconnect: /,
    );
    expect((await sim.state()).counters.requests).toBe(before.requests);
  });

  test("a live smoke without BINGX_SMOKE_LIVE=1 is refused with one line and exit 2; its dry run says it would refuse", () => {
    const r = run(["smoke", "--symbol", "TRX-USDT"], {
      BINGX_API_KEY: "live-key-12345678",
      BINGX_API_SECRET: "live-secret-12345678",
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([
      "dita-v2: refusing a live smoke: live BingX is off; set BINGX_SMOKE_LIVE=1 to allow it (or point it at a sim with --venue-url http://127.0.0.1:PORT)",
    ]);
    const noKeys = run(["smoke", "--symbol", "TRX-USDT"], { BINGX_SMOKE_LIVE: "1" });
    expect([noKeys.code, noKeys.stderr.trim()]).toEqual([
      2,
      "dita-v2: refusing a live smoke: BINGX_API_KEY is not set (required when BINGX_SMOKE_LIVE=1) (or point it at a sim with --venue-url http://127.0.0.1:PORT)",
    ]);
    const dry = run(["smoke", "--symbol", "TRX-USDT", "--dry-run"], {});
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("would refuse: refusing a live smoke: live BingX is off");
  });

  test("bad arguments are refused with exit 2", () => {
    expect(run(["smoke", "--symbol", "trx"], {}).code).toBe(2);
    expect(run(["smoke", "--symbol", "TRX-USDT", "--venue-url", sim.url, "--size", "-1"], env()).code).toBe(2);
  });

  test("--pink --symbol TRXUSDT: the reference's live smoke as written passes against the sim, every outcome read back by the client", async () => {
    const r = run(["smoke", "--pink", "--symbol", "TRXUSDT", "--venue-url", sim.url], env());
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, symbol: "TRX-USDT", mode: "pink", slot: { stage: "CLOSED" } });
    expect(report.steps.every((s: { ok: boolean }) => s.ok)).toBe(true);
    const seen = report.outcomes.map((o: any) => `${o.origin}:${o.input_kind}:${o.event_kind ?? ""}:${o.stage}`);
    expect(seen).toEqual([
      "KERNEL:ENTER::ENTRY_WORKING",
      "VENUE:VENUE_EVENT:ACK:ENTRY_WORKING",
      "VENUE:VENUE_EVENT:FULL_FILL:POSITION_OPEN",
      "KERNEL:EXIT::EXIT_WORKING",
      "VENUE:VENUE_EVENT:ACK:EXIT_WORKING",
      "VENUE:VENUE_EVENT:FULL_FILL:CLOSED",
    ]);
    const truth = await sim.state();
    expect(simSize(truth, "TRX-USDT")).toBe(0);
    expect(report.account.capital).toBeCloseTo(truth.balance.wallet, 9);
    const prefix = report.steps[1].detail.zinc_prefix;
    expect(existsSync(`/dev/shm/${prefix}.intents`)).toBe(false); // its regions are removed afterwards
  }, 40_000);

  test("TRXUSDT is normalized to TRX-USDT the same way in the dry run; --pink shows the seam and ring path", () => {
    const r = run(["smoke", "--pink", "--symbol", "TRXUSDT", "--dry-run", "--venue-url", sim.url], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("symbol TRX-USDT, the PINK path (decision -> seam -> Zinc ring -> kernel -> venue)");
    expect(r.stdout).toContain("  DITA_V2_ZINC=REAL\n");
    expect(r.stdout).toMatch(/ 5\. enter: decision OPEN LONG size, leverage 1 -> seam -> Zinc ring -> kernel/);
    expect(r.stdout).not.toContain("TRXUSDT");
    const live = run(["smoke", "--symbol", "trxusdt", "--dry-run"], {});
    expect(live.stdout).toContain("contract rules of TRX-USDT");
  });

  test("a symbol that is neither spelling is refused with the same line in both modes; an undeclared option is refused", () => {
    const real = run(["smoke", "--symbol", "TRX/USDT", "--venue-url", sim.url], env());
    const dry = run(["smoke", "--symbol", "TRX/USDT", "--dry-run", "--venue-url", sim.url], env());
    expect([real.code, dry.code]).toEqual([2, 2]);
    expect(real.stderr).toBe(dry.stderr);
    expect(real.stderr.trim()).toBe("dita-v2: --symbol must look like TRX-USDT (or TRXUSDT), got 'TRX/USDT'");
    const unknown = run(["smoke", "--symbol", "TRX-USDT", "--pinkk", "--dry-run"], env());
    expect([unknown.code, unknown.stderr.trim()]).toEqual([
      2,
      "dita-v2: unknown option --pinkk for 'dita-v2 smoke' (see dita-v2 smoke --help)",
    ]);
  });
});
