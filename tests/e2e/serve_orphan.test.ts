/**
 * Orphan positions at restart, through the built executable against bingx-sim (its own process):
 * a venue position no restored slot owns is never adopted silently. serve reads the venue's
 * positions once, hands them to the slots whose belief holds them (src/launcher/
 * position_allocation.ts) and reports every remainder as a CRITICAL ORPHAN_POSITION: in the
 * /status recovery report, in /metrics and in its log.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { eventually, type Served, startServe } from "./_serve.ts";
import { ShmPrefixes, type SimProc, simSize, startSim } from "./_sim.ts";

const prefixes = new ShmPrefixes();
const serves: Served[] = [];
const sims: SimProc[] = [];
afterEach(async () => {
  for (const s of serves.splice(0)) if (s.proc.exitCode === null) await s.kill9();
  for (const s of sims.splice(0)) await s.stop();
  prefixes.removeAll();
});

async function serve(sim: SimProc, prefix: string, stateDir?: string): Promise<Served> {
  const env = { ...sim.env, DITA_V2_ZINC: "REAL", DITA_V2_ZINC_PREFIX: prefix, DITA_V2_SLOTS: "4" };
  const s = await startServe(env, stateDir);
  serves.push(s);
  return s;
}

async function openLong(s: Served, slot: number, trade: string, size: number): Promise<void> {
  const body = { type: "ENTER", slot_id: slot, trade_id: trade, asset: "BTC-USDT", side: "LONG", size, leverage: 2 };
  expect((await s.call("/intents", { body })).status).toBe(200);
  await eventually(`slot ${slot} open`, async () => (await s.call(`/slots/${slot}`)).body.stage === "POSITION_OPEN");
}

const metricsOf = async (s: Served) => String((await s.call("/metrics")).body);

describe("orphan venue positions at restart (bingx-sim)", () => {
  test("a position no slot owns (the state region is gone) is a CRITICAL ORPHAN_POSITION and is not adopted", async () => {
    const sim = await startSim(21);
    sims.push(sim);
    const first = await serve(sim, prefixes.fresh("orph"));
    await openLong(first, 0, "OR1", 0.01);
    await openLong(first, 1, "OR2", 0.02);
    await first.kill9();
    const fresh = await serve(sim, prefixes.fresh("orph2")); // a new region and state dir: no belief
    const status = (await fresh.call("/status")).body;
    expect(status.recovery.belief_source).toBe("none");
    expect(status.recovery.orphans).toEqual([
      { asset: "BTC-USDT", side: "LONG", size: 0.03, avg_price: expect.any(Number) },
    ]);
    expect(status.slots.every((x: { stage: string }) => x.stage === "IDLE")).toBe(true);
    expect(await metricsOf(fresh)).toContain('dita_v2_diagnostics_total{code="ORPHAN_POSITION"} 1');
    expect(fresh.stderr()).toContain("CRITICAL ORPHAN_POSITION: the venue holds 0.03 BTC-USDT LONG that no slot owns");
    expect(simSize(await sim.state(), "BTC-USDT")).toBeCloseTo(0.03, 9); // untouched at the venue
  }, 60_000);

  test("after a restart the claimed part of a shared position is reconciled, the rest is an orphan", async () => {
    const sim = await startSim(22);
    sims.push(sim);
    const prefix = prefixes.fresh("orph3");
    const first = await serve(sim, prefix);
    await openLong(first, 2, "OR3", 0.01);
    const other = await serve(sim, prefixes.fresh("orph4")); // a second process on the same account
    await openLong(other, 0, "OR4", 0.02);
    await first.kill9();
    const again = await serve(sim, prefix, first.stateDir);
    const recovery = (await again.call("/status")).body.recovery;
    expect(recovery.belief_source).toBe("journal"); // same state dir: the journal, region as the fallback
    expect(recovery.reconciled).toEqual([
      { slot_id: 2, from: "POSITION_OPEN", to: "POSITION_OPEN", size_before: 0.01, size_after: 0.01 },
    ]);
    expect(recovery.orphans).toEqual([{ asset: "BTC-USDT", side: "LONG", size: 0.02, avg_price: expect.any(Number) }]);
    expect(again.stderr()).toContain("ORPHAN_POSITION: the venue holds 0.02 BTC-USDT LONG");
  }, 60_000);
});
