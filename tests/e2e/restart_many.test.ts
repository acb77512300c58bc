/**
 * A restart with many open positions comes back on its first attempt, through the built
 * executable against bingx-sim with its BingX-like rate limits (positions 5/s, orders 10/s):
 * serve is SIGKILLed with 8, then 64 positions open, and the next start reconciles every one of
 * them — the venue's positions are read once for all symbols, not once per slot — with no 429 in
 * its log, every slot equal to the sim afterwards. (Time to reconciled: bench/restart.ts.)
 */

import { afterEach, describe, expect, test } from "bun:test";
import { eventually, type Served, startServe } from "./_serve.ts";
import { ShmPrefixes, type SimProc, simSize, startSim } from "./_sim.ts";

const ASSETS = ["BTC-USDT", "ETH-USDT", "SOL-USDT", "DOGE-USDT", "TRX-USDT"] as const;
const SIZES: Record<(typeof ASSETS)[number], number> = {
  "BTC-USDT": 0.001,
  "ETH-USDT": 0.01,
  "SOL-USDT": 0.1,
  "DOGE-USDT": 100,
  "TRX-USDT": 100,
};

const prefixes = new ShmPrefixes();
const serves: Served[] = [];
const sims: SimProc[] = [];
afterEach(async () => {
  for (const s of serves.splice(0)) if (s.proc.exitCode === null) await s.kill9();
  for (const s of sims.splice(0)) await s.stop();
  prefixes.removeAll();
});

/** Opens `n` positions over the five listed assets, at most 8 entries a second (the sim's order limit is 10/s). */
async function openPositions(s: Served, n: number): Promise<void> {
  for (let slot = 0; slot < n; slot++) {
    const asset = ASSETS[slot % ASSETS.length]!;
    const body = {
      type: "ENTER",
      slot_id: slot,
      trade_id: `RM${slot}`,
      asset,
      side: "LONG",
      size: SIZES[asset],
      leverage: 2,
    };
    expect((await s.call("/intents", { body })).status).toBe(200);
    if (slot % 8 === 7) await Bun.sleep(1_000);
  }
  await eventually(
    `${n} positions open`,
    async () => {
      const slots = (await s.call("/slots")).body as Array<{ stage: string }>;
      return slots.slice(0, n).every((x) => x.stage === "POSITION_OPEN");
    },
    30_000,
  );
}

describe("restart with many open positions (bingx-sim, real limits)", () => {
  for (const n of [8, 64]) {
    test(`SIGKILL with ${n} open positions: the next start reconciles all of them on its first attempt`, async () => {
      const sim = await startSim(40 + n);
      sims.push(sim);
      const prefix = prefixes.fresh("many");
      const env = { ...sim.env, DITA_V2_ZINC: "REAL", DITA_V2_ZINC_PREFIX: prefix, DITA_V2_SLOTS: String(n) };
      const first = await startServe(env);
      serves.push(first);
      await openPositions(first, n);
      await Bun.sleep(1_100); // let the sim's one-second windows pass: the restart starts clean
      await first.kill9();
      const again = await startServe(env, first.stateDir);
      serves.push(again);
      const status = (await again.call("/status")).body;
      expect(status.recovery.reconciled).toHaveLength(n);
      expect(status.recovery.orphans).toEqual([]);
      // The adapter's rate-limit errors say "HTTP 429" / "HTTP 418" or name a code (109429, 100410); a bare
      // "429" would also match a port such as 42907.
      expect(again.stderr()).not.toMatch(/HTTP 4(29|18)|\b(109429|100410)\b|rate limited/);
      const state = await sim.state();
      for (const asset of ASSETS) {
        const held = (status.slots as Array<{ asset: string; size: number; stage: string }>)
          .filter((x) => x.asset === asset && x.stage === "POSITION_OPEN")
          .reduce((t, x) => t + x.size, 0);
        expect(held).toBeCloseTo(simSize(state, asset), 6);
      }
    }, 120_000);
  }
});
