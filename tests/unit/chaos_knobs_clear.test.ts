/**
 * Chaos fault knobs (src/chaos/knobs.ts, venue.ts) are bingx-sim's `SimFaults`. `setFaults(k)`
 * must leave the venue with exactly `k`, and `noKnobs()` is "all off": a step's faults are cleared
 * that way before its audit. bingx-sim grew `pending_ms`, `reject_orders` and `ip_ban`; a
 * `noKnobs()` without them left a case's pending/reject/ban fault on through the audit and every
 * later step. The mock has none of the three: asking it for one is refused with one line (as the
 * canary skews are), not silently run without the fault.
 */

import { afterEach, describe, expect, it } from "bun:test";
import { type ChaosVenue, mockKnobs, noKnobs, openVenue } from "../../src/chaos/index.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";

let venue: ChaosVenue | null = null;
afterEach(async () => {
  await venue?.stop();
  venue = null;
});

describe("noKnobs() turns every bingx-sim fault off", () => {
  it("clears pending_ms, reject_orders and ip_ban that a step set", async () => {
    venue = await openVenue("sim", {
      seed: 3,
      clock: new SystemClock(),
      prices: { "BTC-USDT": 65_000 },
      balance: 1_000,
    });
    venue.setFaults({ ...noKnobs(), pending_ms: 500, reject_orders: 3, ip_ban: { count: 1, retry_hint: true } });
    expect(venue.sim!.faults).toMatchObject({ pending_ms: 500, reject_orders: 3 });
    venue.setFaults(noKnobs());
    expect(venue.sim!.faults).toMatchObject({
      pending_ms: 0,
      reject_orders: 0,
      ip_ban: { count: 0, retry_hint: false },
    });
  });
});

describe("the mock refuses a fault it does not have", () => {
  for (const [name, knob] of [
    ["pending_ms", { pending_ms: 100 }],
    ["reject_orders", { reject_orders: 1 }],
    ["ip_ban", { ip_ban: { count: 1, retry_hint: false } }],
  ] as const) {
    it(`refuses ${name} with one line`, () => {
      expect(() => mockKnobs({ ...noKnobs(), ...knob })).toThrow(
        "Condition failed: pending_ms, reject_orders and ip_ban exist on bingx-sim only",
      );
    });
  }

  it("takes all-off knobs", () => {
    expect(mockKnobs(noKnobs())).toEqual({});
  });
});
