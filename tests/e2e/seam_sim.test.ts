/**
 * The decision-to-intent seam and the example strategies against `dist/dita-v2 serve` trading on
 * a `dist/dita-v2 sim` (BingX protocol), both clients: the examples open (sized from the kernel's
 * equity), scale out and take profit through the ring; refusals come back with their origin, code
 * and message (the seam's, the edge's, the kernel's); a venue rate limit comes back with the
 * venue's retry hint; after a kill -9 and a restart the strategy's reconcile sees what the kernel
 * now holds (a position closed at the venue meanwhile is gone, the other is open); and the next
 * entry after a profitable trade is sized from the kernel's new equity, not from any number the
 * strategy kept.
 */

import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { DitaClient, floorToStep, openLong, Seam, takeProfit } from "../../clients/typescript/index.ts";
import { SystemClock } from "../../src/launcher/index.ts";
import { BingxVenueAdapter } from "../../src/venue/index.ts";
import { PY_PKG, runPython, zincLib } from "./_python.ts";
import { type Served, startServe } from "./_serve.ts";
import { ShmPrefixes, type SimProc, startSim } from "./_sim.ts";

const prefixes = new ShmPrefixes();
const serves: Served[] = [];
let sim: SimProc;

beforeAll(async () => {
  sim = await startSim(11);
}, 20_000);
afterAll(async () => {
  await sim.stop();
});
afterEach(async () => {
  for (const s of serves.splice(0)) if (s.proc.exitCode === null) await s.kill9();
  prefixes.removeAll();
});

async function serve(prefix: string, extra: Record<string, string> = {}, stateDir?: string): Promise<Served> {
  const s = await startServe({ ...sim.env, DITA_V2_ZINC: "REAL", DITA_V2_ZINC_PREFIX: prefix, ...extra }, stateDir);
  serves.push(s);
  return s;
}

async function flat(): Promise<void> {
  const adapter = new BingxVenueAdapter({
    apiKey: sim.apiKey,
    secret: sim.secret,
    baseUrl: sim.url,
    wsUrl: sim.wsUrl,
    recvWindowMs: 5000,
    clock: new SystemClock(),
    timeoutMs: 5000,
  });
  await adapter.connect();
  try {
    for (const p of await adapter.positions()) {
      await adapter.submit({
        client_order_id: `flat${p.asset.replace("-", "")}${Date.now() % 1e6}`,
        asset: p.asset,
        side: p.side === "LONG" ? "SELL" : "BUY",
        position_side: p.side,
        type: "MARKET",
        size: p.size,
        reduce_only: true,
      });
    }
  } finally {
    await adapter.close();
  }
}

describe("the seam and the example strategies against serve + bingx-sim", () => {
  test("both example strategies open, scale out and take profit through the ring; kernel capital equals the sim's wallet", async () => {
    const prefix = prefixes.fresh("examples");
    const s = await serve(prefix);
    const args = ["--prefix", prefix, "--lib", zincLib(), "--price-url", sim.url];
    const py = Bun.spawnSync(["python3", join(PY_PKG, "examples/scale_out_strategy.py"), ...args], {
      env: { PATH: process.env.PATH ?? "", PYTHONPATH: PY_PKG },
      stdout: "pipe",
      stderr: "pipe",
    });
    const ts = Bun.spawnSync(
      [process.execPath, join(import.meta.dir, "../../clients/typescript/examples/scale_out_strategy.ts"), ...args],
      { stdout: "pipe", stderr: "pipe" },
    );
    for (const r of [py, ts]) {
      expect(r.stderr.toString()).toBe("");
      expect(r.exitCode).toBe(0);
      const doc = JSON.parse(r.stdout.toString());
      expect(doc.decisions.map((d: any) => [d.decision, d.ok, d.outcomes[0].kernel, d.outcomes[0].venue])).toEqual([
        ["open long", true, "ENTRY_WORKING", "ACK"],
        ["scale out half", true, "EXIT_WORKING", "ACK"],
        ["take profit", true, "EXIT_WORKING", "ACK"],
      ]);
      expect(doc.decisions.at(-1).stage).toBe("CLOSED");
      expect(doc.account_after).toBeCloseTo(doc.account_before + doc.slot.realized_pnl - doc.slot.fees, 6);
    }
    const status = (await s.call("/status")).body;
    const truth = await sim.state();
    expect(status.account.capital).toBeCloseTo(truth.balance.wallet, 6);
  }, 60_000);

  test("Python seam: refusals come back with origin, code and message from the seam, the edge and the kernel", async () => {
    const prefix = prefixes.fresh("refusals");
    await serve(prefix, { DITA_V2_SLOTS: "2" });
    const r = await runPython(
      `
c = DitaClient.connect(PREFIX, lib_path=LIB); seam = Seam(c, steps={"BTC-USDT": 0.0001})
out = {}
def first(res): return [res.refusals[0].origin, res.refusals[0].code, res.refusals[0].message] if res.refusals else None
out["off_step"] = first(seam.execute(open_long("BTC-USDT", 2, size=0.00015)))
out["leverage"] = first(seam.execute(open_long("BTC-USDT", 0, size=0.001)))
a = seam.execute(open_long("BTC-USDT", 2, size=0.001), await_venue=True)
out["busy"] = first(seam.execute(open_long("BTC-USDT", 2, size=0.001, slot_id=a.steps[0].intent.slot_id)))
seam.execute(open_long("BTC-USDT", 2, size=0.001), await_venue=True)
out["full"] = first(seam.execute(open_long("BTC-USDT", 2, size=0.001)))
deadline = time.monotonic() + 10
while any(s.stage != "POSITION_OPEN" for s in c.slots()) and time.monotonic() < deadline:
    c.wait_for_change(0.2)
closed = seam.execute(CloseAll(), await_venue=True)
out["closed"] = [closed.ok, [type(s.intent).__name__ for s in closed.steps], [r.code for r in closed.refusals]]
print(json.dumps(out))
`,
      { PREFIX: prefix },
    );
    expect(r.err).toBe("");
    expect(r.json.off_step.slice(0, 2)).toEqual(["EDGE", "INVALID_INTENT"]);
    expect(r.json.off_step[2]).toContain("ENTER");
    expect(r.json.leverage.slice(0, 2)).toEqual(["KERNEL", "INVALID_INTENT"]);
    expect(r.json.busy.slice(0, 2)).toEqual(["KERNEL", "SLOT_BUSY"]);
    expect(r.json.full).toEqual(["SEAM", "NO_FREE_SLOT", "every slot holds a trade"]);
    expect(r.json.closed).toEqual([true, ["Exit", "Exit"], []]);
  }, 40_000);

  test("a venue rate limit reaches the strategy as rate_limited with the venue's retry hint (Python and TypeScript)", async () => {
    const prefix = prefixes.fresh("ratelimit");
    await serve(prefix);
    const faults = (body: unknown) => fetch(`${sim.url}/_sim/faults`, { method: "POST", body: JSON.stringify(body) });
    await faults({ rate_limit: { count: 3, retry_hint: true } }); // the entry's leverage call retries twice after the hint
    const r = await runPython(
      `
c = DitaClient.connect(PREFIX, lib_path=LIB); seam = Seam(c, steps={"BTC-USDT": 0.0001})
res = seam.execute(open_long("BTC-USDT", 3, size=0.001), await_venue=True)
print(json.dumps({"ok": res.ok, "rate_limited": res.rate_limited, "retry_after_ms": res.retry_after_ms,
                  "refusal": [res.refusals[0].origin, res.refusals[0].code, res.refusals[0].retryable] if res.refusals else None,
                  "stage": c.slot(res.steps[0].intent.slot_id).stage}))
`,
      { PREFIX: prefix },
    );
    expect(r.json).toMatchObject({
      ok: false,
      rate_limited: true,
      refusal: ["VENUE", "RATE_LIMITED", true],
      stage: "IDLE",
    });
    expect(r.json.retry_after_ms).toBeGreaterThan(0);
    await faults({ rate_limit: { count: 3, retry_hint: true } }); // the entry's leverage call retries twice after the hint
    const c = DitaClient.connect({ prefix, libPath: zincLib() });
    try {
      const res = await new Seam(c).execute(openLong("BTC-USDT", { size: 0.001, leverage: 4 }), { awaitVenue: true });
      expect(res).toMatchObject({ ok: false, rateLimited: true });
      expect(res.refusals[0]).toMatchObject({ origin: "VENUE", code: "RATE_LIMITED", retryable: true });
      expect(res.retryAfterMs).toBeGreaterThan(0);
    } finally {
      c.close();
    }
  }, 40_000);

  test("restart reconciliation seen from the strategy: after kill -9 and restart, a position closed at the venue meanwhile is gone, the other is open", async () => {
    await flat();
    const prefix = prefixes.fresh("reconcile");
    const first = await serve(prefix);
    const py = await runPython(
      `
c = DitaClient.connect(PREFIX, lib_path=LIB); seam = Seam(c)
a = seam.execute(open_long("BTC-USDT", 2, size=0.002, slot_id=0, trade_id="KEEP"), await_venue=True)
b = seam.execute(open_long("ETH-USDT", 2, size=0.05, slot_id=1, trade_id="GONE"), await_venue=True)
deadline = time.monotonic() + 10
while (c.slot(0).stage, c.slot(1).stage) != ("POSITION_OPEN", "POSITION_OPEN") and time.monotonic() < deadline:
    c.wait_for_change(0.2)
print(json.dumps({"belief": dict(seam.belief), "stages": [c.slot(0).stage, c.slot(1).stage]}), flush=True)
`,
      { PREFIX: prefix },
    );
    expect(py.json.stages).toEqual(["POSITION_OPEN", "POSITION_OPEN"]);
    await first.kill9();
    const adapter = new BingxVenueAdapter({
      apiKey: sim.apiKey,
      secret: sim.secret,
      baseUrl: sim.url,
      wsUrl: sim.wsUrl,
      recvWindowMs: 5000,
      clock: new SystemClock(),
      timeoutMs: 5000,
    });
    await adapter.connect();
    await adapter.submit({
      client_order_id: "manualcloseeth1",
      asset: "ETH-USDT",
      side: "SELL",
      position_side: "LONG",
      type: "MARKET",
      size: 0.05,
      reduce_only: true,
    });
    await adapter.close();
    await serve(prefix, { DITA_V2_RECONCILE_ON_RESTART: "1" }, first.stateDir);
    const r = await runPython(
      `
c = DitaClient.connect(PREFIX, lib_path=LIB); seam = Seam(c)
seam.belief.update({0: "KEEP", 1: "GONE"})  # what the strategy believed before the restart
rep = seam.reconcile()
print(json.dumps({"open": [[s.slot_id, s.trade_id, s.stage] for s in rep.open], "gone": [list(g) for g in rep.gone],
                  "reconciling": list(rep.reconciling), "belief": dict(seam.belief), "capital": rep.account.capital}))
`,
      { PREFIX: prefix },
    );
    expect(r.json).toMatchObject({
      open: [[0, "KEEP", "POSITION_OPEN"]],
      gone: [[1, "GONE"]],
      reconciling: [],
      belief: { "0": "KEEP" },
    });
    await flat();
  }, 60_000);

  test("the account is the only capital authority: after a profitable trade the next entry is sized from the kernel's new equity", async () => {
    await sim.setPrice("BTC-USDT", 65_000);
    const prefix = prefixes.fresh("authority");
    await serve(prefix);
    const c = DitaClient.connect({ prefix, libPath: zincLib() });
    try {
      const seam = new Seam(c, { steps: { "BTC-USDT": 0.0001 } });
      const decision = () =>
        openLong("BTC-USDT", { capitalFraction: 0.1, leverage: 2, referencePrice: 65_000, slotId: 0 });
      const before = c.account().equity;
      const first = await seam.execute(decision(), { awaitVenue: true });
      expect((first.steps[0]!.intent as { size: number }).size).toBe(floorToStep((0.1 * before * 2) / 65_000, 0.0001));
      while (c.slot(0).stage !== "POSITION_OPEN") await c.waitForChange(200);
      await sim.setPrice("BTC-USDT", 66_000);
      await seam.execute(takeProfit(0), { awaitVenue: true });
      while (c.slot(0).stage !== "CLOSED") await c.waitForChange(200);
      const after = c.account().equity;
      expect(after).not.toBe(before);
      const second = await seam.execute(decision(), { awaitVenue: true });
      expect((second.steps[0]!.intent as { size: number }).size).toBe(floorToStep((0.1 * after * 2) / 65_000, 0.0001));
      while (c.slot(0).stage !== "POSITION_OPEN") await c.waitForChange(200);
      await seam.execute(takeProfit(0), { awaitVenue: true });
    } finally {
      c.close();
      await sim.setPrice("BTC-USDT", 65_000);
    }
  }, 60_000);
});
