/**
 * The path warmer (src/launcher/_path_warmer.ts): each pass drains the ring through the runtime's
 * own drain, runs an accepted ENTER through a shadow kernel and leaves it IDLE again, and has the
 * venue rehearse its order; nothing of the runtime's own state is touched; a pass that throws
 * stops the warmer with one line instead of reaching the serve loop.
 */

import { expect, test } from "bun:test";
import type { VenueAdapter } from "../../src/contracts/venue.ts";
import { ExecutionKernel } from "../../src/kernel/index.ts";
import { PathWarmer } from "../../src/launcher/_path_warmer.ts";
import { ConfigError, loadConfig } from "../../src/launcher/config.ts";

test("every pass drains, runs an accepted ENTER through the shadow kernel, leaves it IDLE and rehearses the order", () => {
  let drains = 0;
  let rehearsals = 0;
  const venue = { rehearseOrder: () => void rehearsals++ } as unknown as VenueAdapter;
  const warmer = new PathWarmer({
    venue,
    drainRing: () => void drains++,
    nowMs: () => 1_700_000_000_000,
    log: () => {},
  });
  for (let i = 0; i < 500; i++) warmer.pass();
  expect([warmer.passes, warmer.rehearsed, drains, rehearsals]).toEqual([500, 500, 500, 500]);
  warmer.close();
});

test("passes leave another kernel in the process exactly as it was", () => {
  const real = ExecutionKernel.open({ slotCount: 4, applyThread: false });
  real.apply({ type: "SEED_CAPITAL", capital: 10_000, now_ms: 1 });
  const before = real.stateHashHex();
  const warmer = new PathWarmer({ venue: {} as VenueAdapter, drainRing: () => {}, nowMs: () => 2, log: () => {} });
  for (let i = 0; i < 200; i++) warmer.pass();
  expect(real.stateHashHex()).toBe(before);
  expect(real.slots().every((s) => s.stage === "IDLE")).toBe(true);
  warmer.close();
  real.destroy();
});

test("a rehearsal that throws stops the warmer with one log line; it never throws to its caller", () => {
  const lines: string[] = [];
  const venue = {
    rehearseOrder: () => {
      throw new Error("Invariant: a LIMIT order needs a price");
    },
  } as unknown as VenueAdapter;
  const warmer = new PathWarmer({ venue, drainRing: () => {}, nowMs: () => 3, log: (l) => lines.push(l) });
  expect(warmer.pass()).toBe(false);
  expect(warmer.pass()).toBe(false);
  expect(lines).toEqual([
    "path warmer stopped (orders are sent as before, unwarmed): Invariant: a LIMIT order needs a price",
  ]);
  warmer.close();
});

test("DITA_V2_WARM_PATH_MS defaults to 1 (0 = off) and DITA_V2_RING_WAIT to ADAPTIVE; bad values are refused by name", () => {
  expect([loadConfig({}).warm_path_ms, loadConfig({}).ring_wait]).toEqual([1, "ADAPTIVE"]);
  expect(loadConfig({ DITA_V2_WARM_PATH_MS: "0", DITA_V2_RING_WAIT: "SPIN" })).toMatchObject({
    warm_path_ms: 0,
    ring_wait: "SPIN",
  });
  for (const bad of ["-1", "1001", "0.5", "fast"])
    expect(() => loadConfig({ DITA_V2_WARM_PATH_MS: bad })).toThrow(/DITA_V2_WARM_PATH_MS.*0\.\.1000/);
  expect(() => loadConfig({ DITA_V2_RING_WAIT: "busy" })).toThrow(ConfigError);
  expect(() => loadConfig({ DITA_V2_RING_WAIT: "busy" })).toThrow(/DITA_V2_RING_WAIT/);
});
