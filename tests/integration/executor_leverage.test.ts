/**
 * A burst of entries on one asset sets its leverage once: entries that arrive while the asset's
 * leverage call is in flight share it, so eight entries back to back make one leverage request,
 * none meets bingx-sim's leverage rate limit (5/s, as BingX), and all eight fill. (Before, each
 * entry sent its own call; a fast burst was refused RATE_LIMITED.) Executor, kernel, BingX
 * adapter and sim are all real.
 */

import { afterEach, expect, test } from "bun:test";
import type { DiagnosticRecord } from "../../src/contracts/index.ts";
import { ExecutionKernel } from "../../src/kernel/index.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { SystemClock } from "../../src/launcher/index.ts";
import { startBingxSim } from "../../src/sim/index.ts";
import { BingxVenueAdapter } from "../../src/venue/index.ts";

const KEY = "levKeyAAAAbbbbCCCCdddd0123456789";
const SECRET = "levSecretZZZZyyyyXXXXwwww98765432";
const closers: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

test("eight entries on one asset back to back make one leverage request, and all of them fill", async () => {
  const clock = new SystemClock();
  const sim = await startBingxSim({ port: 0, apiKey: KEY, secret: SECRET, seed: 21, prices: { "BTC-USDT": 65_000 } });
  const adapter = new BingxVenueAdapter({
    apiKey: KEY,
    secret: SECRET,
    baseUrl: sim.url,
    wsUrl: sim.wsUrl,
    recvWindowMs: 5000,
    clock,
    timeoutMs: 5000,
  });
  closers.push(
    () => sim.stop(),
    () => adapter.close(),
  );
  let leverageCalls = 0;
  const setLeverage = adapter.setLeverage.bind(adapter);
  adapter.setLeverage = (asset, side, leverage) => {
    leverageCalls++;
    return setLeverage(asset, side, leverage);
  };
  const kernel = ExecutionKernel.open({ slotCount: 8 });
  closers.push(() => kernel.destroy());
  const diagnostics: DiagnosticRecord[] = [];
  const executor = new Executor(kernel, adapter, clock, { afterApply: (_i, o) => diagnostics.push(...o.diagnostics) });
  await adapter.connect();
  executor.applySystem({ type: "SEED_CAPITAL", capital: (await adapter.balance()).balance, now_ms: clock.nowMs() });
  for (let slot = 0; slot < 8; slot++) {
    const o = executor.submitStrategy({
      type: "ENTER",
      slot_id: slot,
      trade_id: `LV${slot}`,
      asset: "BTC-USDT",
      side: "LONG",
      size: 0.001,
      price: null,
      leverage: 3,
    });
    expect(o.accepted).toBe(true);
  }
  for (let i = 0; i < 200 && kernel.slots().some((s) => s.stage !== "POSITION_OPEN"); i++) await Bun.sleep(25);
  expect(kernel.slots().map((s) => s.stage)).toEqual(Array(8).fill("POSITION_OPEN"));
  expect(leverageCalls).toBe(1);
  expect(diagnostics.filter((d) => d.code === "RATE_LIMITED")).toEqual([]);
});
