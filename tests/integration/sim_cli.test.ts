/**
 * The `dita-v2 sim` entry (`runSimFromArgs`) serves until SIGTERM and then stops cleanly; the
 * seeded random walk (`priceStepMs`) moves prices deterministically on the injected clock.
 */

import { describe, expect, test } from "bun:test";
import { call, startSim } from "./fixtures/sim_client.ts";

describe("bingx-sim entry points", () => {
  test("runSimFromArgs prints its URL and seed, serves, and resolves on SIGTERM", async () => {
    const child = Bun.spawn([process.execPath, `${import.meta.dir}/fixtures/sim_run.ts`], {
      stdout: "pipe",
      stderr: "pipe",
    });
    const reader = child.stdout.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const url = first.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
    expect(first).toContain("SEED=9");
    expect(url).toBeDefined();
    const time = (await (await fetch(`${url}/openApi/swap/v2/server/time`)).json()) as { code: number };
    expect(time.code).toBe(0);
    child.kill("SIGTERM");
    const rest = new TextDecoder().decode((await reader.read()).value ?? new Uint8Array());
    expect(await child.exited).toBe(0);
    expect(rest).toContain("stopped");
  });

  test("priceStepMs walks prices from the seed: same seed and clock give the same path", async () => {
    const path = async (seed: number) => {
      const h = await startSim({ seed, priceStepMs: 100 });
      const seen: number[] = [];
      for (let i = 0; i < 5; i++) {
        h.clock.advance(100);
        seen.push(h.sim.state().prices["BTC-USDT"] as number);
      }
      await h.sim.stop();
      return seen;
    };
    const a = await path(1);
    expect(await path(1)).toEqual(a);
    expect(await path(2)).not.toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1);
    for (const p of a) expect(Math.abs(p / 65000 - 1)).toBeLessThan(0.01);
  });

  test("a resting limit order fills when the random walk crosses it", async () => {
    const h = await startSim({ seed: 3, priceStepMs: 10 });
    await call(h, "POST", "/openApi/swap/v2/trade/order", {
      symbol: "BTC-USDT",
      side: "BUY",
      positionSide: "LONG",
      type: "LIMIT",
      price: "64990",
      quantity: "0.01",
    });
    let filled = false;
    for (let i = 0; i < 200 && !filled; i++) {
      h.clock.advance(1000);
      filled = h.sim.state().orders[0]?.status === "FILLED";
    }
    await h.sim.stop();
    expect(filled).toBe(true);
  });
});
