/**
 * Several kernels on one host share BingX's per-IP limits (the signed endpoints: 300 per 10 s per
 * endpoint, 2000 in total; bingx-sim enforces them, src/sim/rate_limit.ts). Eight adapters reading
 * the balance as fast as their throttles let them, on one sim (one IP): with
 * DITA_V2_BINGX_IP_SHARE=8 they never trip the sim's per-IP limit; with share 1 each budgets as if
 * alone (8 × 40 per 10 s > 300) and the IP is restricted. The sim has one account, so its per-UID
 * balance limit is raised: in life each kernel trades its own account (its own UID budgets).
 * Time is a ManualClock stepped by the test; requests go over loopback.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { type SimHandle, startBingxSim } from "../../src/sim/index.ts";
import { BingxVenueAdapter, VenueRequestError } from "../../src/venue/bingx/index.ts";
import { SIM_API_KEY, SIM_SECRET } from "../_support/bingx_sim.ts";

const KERNELS = 8;
const STEP_MS = 50;
const RUN_MS = 25_000;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function hostOf(ipShare: number): Promise<{ sim: SimHandle; adapters: BingxVenueAdapter[]; clock: ManualClock }> {
  const clock = new ManualClock();
  const sim = await startBingxSim({
    port: 0,
    apiKey: SIM_API_KEY,
    secret: SIM_SECRET,
    seed: 23,
    clock,
    rateLimitsPerS: { balance: 1000 },
  });
  stops.push(() => sim.stop());
  const config = { apiKey: SIM_API_KEY, secret: SIM_SECRET, baseUrl: sim.url, wsUrl: sim.wsUrl, recvWindowMs: 10_000 };
  const adapters = Array.from(
    { length: KERNELS },
    // waitMaxMs 0: a request its throttle would hold back is refused at once, so the test steps time.
    () => new BingxVenueAdapter({ ...config, clock, timeoutMs: 5_000, ipShare }, { throttle: { waitMaxMs: 0 } }),
  );
  stops.unshift(async () => {
    for (const a of adapters) await a.close();
  });
  return { sim, adapters, clock };
}

/** Every adapter reads the balance until its own throttle holds it back, every STEP_MS for RUN_MS. */
async function flood(h: {
  adapters: BingxVenueAdapter[];
  clock: ManualClock;
}): Promise<{ sent: number; venue429: number }> {
  let sent = 0;
  let venue429 = 0;
  for (let t = 0; t < RUN_MS; t += STEP_MS) {
    for (const a of h.adapters) {
      for (;;) {
        const r = await a.balance().then(
          () => "ok",
          (e: unknown) => e,
        );
        if (r === "ok") {
          sent++;
          continue;
        }
        if (!(r instanceof VenueRequestError && r.kind === "RATE_LIMIT")) throw r;
        if (r.http_status === 429) venue429++;
        break; // held back (client-side) or refused by the venue: this adapter's turn ends
      }
    }
    h.clock.advance(STEP_MS);
  }
  return { sent, venue429 };
}

describe("N kernels with DITA_V2_BINGX_IP_SHARE=N on one IP", () => {
  test("eight adapters with share 8 reading as fast as they can never trip the venue's per-IP limit", async () => {
    const h = await hostOf(KERNELS);
    const { sent, venue429 } = await flood(h);
    expect(venue429).toBe(0);
    expect(h.sim.state().counters.rate_limited).toBe(0);
    // 8 × 3 per second for 25 s: the share divides the budget, it does not stop the readers.
    expect(sent).toBeGreaterThanOrEqual(8 * 3 * 24);
  });

  test("eight adapters with share 1 each budget as if alone and trip the per-IP limit (the IP is restricted)", async () => {
    const h = await hostOf(1);
    const { venue429 } = await flood(h);
    expect(venue429).toBeGreaterThan(0);
    expect(h.sim.state().counters.rate_limited).toBeGreaterThan(0);
  });
});
