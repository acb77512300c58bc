/**
 * A position changed behind the kernel's back and pushed by the venue (BingX's ACCOUNT_UPDATE; a
 * liquidation or ADL carries no order of the kernel's, so no fill reaches it) is reconciled at once,
 * not at the next live reconciliation pass: before, the kernel held the position for up to the interval
 * (30 s by default) and could send exits against a position that was gone (found by an audit of the
 * BingX adapter against the reference). Over bingx-sim, whose out-of-band `liquidate` closes the
 * position and pushes its ACCOUNT_UPDATE, with a runtime whose timed passes are a minute apart:
 * - the slot converges to IDLE within seconds, one VENUE_MISMATCH, through a pass the push asked for;
 * - the pushes of the kernel's own fills agree with its belief and ask for no pass;
 * - with live reconciliation off (interval 0, the operator's choice) a push asks for nothing, nor before
 *   recovery finished (recovery reads and reconciles the venue itself);
 * - pushes with news during a pass ask for one more after it, not one each, and a disagreement no pass
 *   ends (a position no slot owns) costs two passes, not one per push forever.
 * And the reading of the pushes: hedge and one-way entries, balances only, hostile entries.
 */

import { afterEach, describe, expect, test } from "bun:test";
import type { SlotRecord } from "../../src/contracts/records.ts";
import type { VenuePositionPush } from "../../src/contracts/venue.ts";
import { positionPushNews, type VenuePushDeps, watchVenuePushes } from "../../src/launcher/_position_push.ts";
import { buildBundle } from "../../src/launcher/bundle.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { Runtime } from "../../src/launcher/runtime.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { classifyFrame } from "../../src/venue/bingx/normalizer.ts";
import { realTimeSim } from "../_support/bingx_sim.ts";
import { btcEntry, tempDirsPerTest } from "../_support/runtime.ts";

const dir = tempDirsPerTest("position-push-");
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** A runtime on BingX (bingx-sim, real time) with live reconciliation every `intervalMs`; `start` false: built only. */
async function runtimeOnSim(intervalMs: number, start = true) {
  const { sim, config } = await realTimeSim(41, { "BTC-USDT": 65_000 });
  const env = {
    DITA_V2_VENUE: "BINGX",
    BINGX_BASE_URL: sim.url,
    BINGX_WS_URL: sim.wsUrl,
    BINGX_API_KEY: config.apiKey,
    BINGX_API_SECRET: config.secret,
    DITA_V2_STATE_DIR: dir(),
    DITA_V2_RECONCILE_INTERVAL_MS: String(intervalMs),
    DITA_V2_WARM_PATH_MS: "0",
  };
  const bundle = await buildBundle(loadConfig(env), new SystemClock(), env, { journal: true, log: () => {} });
  const rt = new Runtime(bundle, () => {});
  if (start) await rt.start();
  const loops = start ? rt.runLoops() : Promise.resolve();
  stops.push(async () => {
    await rt.shutdown(1000);
    await loops;
    sim.stop();
  });
  const liquidate = async () => {
    const body = JSON.stringify({ action: "liquidate", symbol: "BTC-USDT", positionSide: "LONG" });
    const r = await fetch(`${sim.url}/_sim/out_of_band`, { method: "POST", body });
    expect([r.status, await r.text()]).toEqual([200, expect.stringContaining("liquidated 0.01 BTC-USDT LONG")]);
  };
  return { rt, sim, liquidate };
}

/** Polls up to `ms` for `check`; returns the ms it took (Infinity when it never held). */
async function within(ms: number, check: () => boolean): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    if (check()) return performance.now() - t0;
    await Bun.sleep(20);
  }
  return Number.POSITIVE_INFINITY;
}

describe("a position the venue pushes changed behind the kernel's back", () => {
  test("a liquidation is reconciled within seconds of its push, not at the next timed pass a minute later", async () => {
    const { rt, liquidate } = await runtimeOnSim(60_000);
    expect(rt.submitStrategy(btcEntry("LQ1")).accepted).toBe(true);
    expect(await within(5000, () => rt.b.kernel.slot(0).stage === "POSITION_OPEN")).toBeLessThan(5000);
    await Bun.sleep(300); // the entry's own pushes (ACCOUNT_UPDATE after its fill) agree: no pass
    expect(rt.reconciler.stats.passes).toBe(0);
    await liquidate();
    const took = await within(15_000, () => rt.b.kernel.slot(0).stage === "IDLE");
    expect(took).toBeLessThan(15_000);
    expect(rt.reconciler.stats.mismatches_total).toBe(1);
  }, 30_000);

  test("a push before recovery finished asks for no pass (recovery reads and reconciles the venue itself)", async () => {
    const { rt } = await runtimeOnSim(60_000, false);
    const adapter = (rt.b.venue as unknown as { inner: { out: { positions(p: VenuePositionPush[]): void } } }).inner;
    const orphan = [{ asset: "BTC-USDT", side: "LONG" as const, size: 1 }];
    adapter.out.positions(orphan);
    await Bun.sleep(200);
    expect(rt.reconciler.stats.passes).toBe(0);
    await rt.start();
    adapter.out.positions(orphan); // the same push once serving: news (no slot holds it), one pass and its retry
    expect(await within(5000, () => rt.reconciler.stats.passes >= 1)).toBeLessThan(5000);
  }, 30_000);

  test("with live reconciliation off, a push asks for no pass: the operator's interval 0 holds", async () => {
    const { rt, liquidate } = await runtimeOnSim(0);
    expect(rt.submitStrategy(btcEntry("LQ2")).accepted).toBe(true);
    expect(await within(5000, () => rt.b.kernel.slot(0).stage === "POSITION_OPEN")).toBeLessThan(5000);
    await liquidate();
    await Bun.sleep(1500);
    expect([rt.reconciler.stats.passes, rt.b.kernel.slot(0).stage]).toEqual([0, "POSITION_OPEN"]);
  }, 30_000);
});

describe("the passes a run of pushes asks for", () => {
  /** The watch over stub deps: the slots a test sets, pushes it delivers, passes it counts (each `passMs` long). */
  function watch(slots: SlotRecord[], passMs: number) {
    let deliver: (pushed: readonly VenuePositionPush[]) => void = () => {};
    let passes = 0;
    let stopped = false;
    stops.push(async () => {
      stopped = true; // as shutdown: no pass after the test, whatever the watch would still ask for
    });
    const d = {
      kernel: { slots: () => slots },
      venue: {
        onLeverage: () => () => {},
        onPositions: (l: typeof deliver) => {
          deliver = l;
          return () => {};
        },
      },
      stopped: () => stopped,
      log: () => {},
      reconcile: async () => {
        passes += 1;
        await Bun.sleep(passMs);
      },
    } as unknown as VenuePushDeps;
    watchVenuePushes(d);
    return { push: (size: number) => deliver([{ asset: "BTC-USDT", side: "LONG", size }]), passes: () => passes };
  }
  const open = {
    stage: "POSITION_OPEN",
    asset: "BTC-USDT",
    side: "LONG",
    size: 0.01,
    entry_order: null,
    exit_order: null,
  };

  test("news during a pass asks for one more after it, not one each; a disagreement no pass ends costs two passes", async () => {
    const slots = [open as unknown as SlotRecord];
    const w = watch(slots, 50);
    w.push(0); // liquidated: news
    w.push(0);
    w.push(0); // during the first pass: one more after it
    await Bun.sleep(30);
    expect(w.passes()).toBe(1);
    await Bun.sleep(150);
    expect(w.passes()).toBe(2); // the kernel's slots never converge here: two, then it stops
    await Bun.sleep(150);
    expect(w.passes()).toBe(2);
  });

  test("a pass that converged the slots asks for no second one; a push that agrees asks for none", async () => {
    const slots = [open as unknown as SlotRecord];
    const w = watch(slots, 20);
    w.push(0.01);
    await Bun.sleep(50);
    expect(w.passes()).toBe(0);
    w.push(0);
    slots[0] = { ...open, stage: "IDLE", size: 0 } as unknown as SlotRecord; // what the pass converges to
    await Bun.sleep(100);
    expect(w.passes()).toBe(1);
  });
});

describe("reading the pushes", () => {
  const frame = (P: unknown) => JSON.stringify({ e: "ACCOUNT_UPDATE", E: 1, a: { m: "ORDER", B: [], P } });

  test("hedge entries give their side; a one-way BOTH gives the net side and 0 for the other", () => {
    expect(classifyFrame(frame([{ s: "BTC-USDT", pa: "0.0100", ps: "LONG" }]))).toEqual({
      type: "positions",
      positions: [{ asset: "BTC-USDT", side: "LONG", size: 0.01 }],
    });
    expect(classifyFrame(frame([{ s: "ETH-USDT", pa: "-0.5", ps: "BOTH" }]))).toEqual({
      type: "positions",
      positions: [
        { asset: "ETH-USDT", side: "LONG", size: 0 },
        { asset: "ETH-USDT", side: "SHORT", size: 0.5 },
      ],
    });
  });

  test("balances alone are no push; a hostile list or entry is one MALFORMED_PAYLOAD naming the fields", () => {
    expect(classifyFrame(JSON.stringify({ e: "ACCOUNT_UPDATE", E: 1, a: { B: [] } }))).toEqual({
      type: "ignored",
      event: "ACCOUNT_UPDATE",
    });
    for (const [P, says] of [
      ["not a list", "is not a list of at most 256"],
      [Array.from({ length: 300 }, () => ({ s: "BTC-USDT", pa: "1", ps: "LONG" })), "is not a list of at most 256"],
      [[{ s: "BTC-USDT", pa: "1e999", ps: "LONG" }], "position 0 with missing or invalid fields: pa"],
      [[{ pa: "1", ps: "UP" }], "position 0 with missing or invalid fields: s, ps"],
      [[null], "position 0 with missing or invalid fields: s, pa, ps"],
    ] as const) {
      const r = classifyFrame(frame(P));
      expect(r.type).toBe("malformed");
      expect(r.type === "malformed" && r.diagnostic.message).toContain(says);
    }
  });

  test("news: a size the slots do not hold, on an asset no order of theirs is working on", () => {
    const slot = (stage: SlotRecord["stage"], size: number) =>
      ({ stage, asset: "BTC-USDT", side: "LONG", size, entry_order: null, exit_order: null }) as unknown as SlotRecord;
    const push = (size: number, asset = "BTC-USDT") => [{ asset, side: "LONG" as const, size }];
    expect(positionPushNews([slot("POSITION_OPEN", 0.01)], push(0.01))).toBe(false); // agrees
    expect(positionPushNews([slot("POSITION_OPEN", 0.01)], push(0))).toBe(true); // gone behind its back
    expect(positionPushNews([slot("IDLE", 0)], push(0.02))).toBe(true); // opened by hand: an orphan to report
    expect(positionPushNews([slot("IDLE", 0)], push(0, "ETH-USDT"))).toBe(false); // nothing held, nothing pushed
    const working = { ...slot("EXIT_WORKING", 0.01), exit_order: { status: "ACKED" } } as unknown as SlotRecord;
    expect(positionPushNews([working], push(0.004))).toBe(false); // its own exit's fills explain it
  });
});
