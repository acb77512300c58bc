/**
 * bingx-sim's per-IP rate limits, as the BingX reference states them (shared/reference
 * bingx-swap-api.md "Rate limits"): the market group 500 requests per 10 s and 1000 per minute;
 * the account groups 2000 per 10 s in total and 300 per 10 s per endpoint; "a throttled client is
 * restricted and recovers after about 5 minutes". A sim that let 3000 market requests a minute
 * through, or recovered a second after a refusal, would pass a client that BingX locks out.
 * Time is a ManualClock; requests go over loopback.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { ManualClock } from "../../src/contracts/clock.ts";
import { type SimOptions, startBingxSim } from "../../src/sim/index.ts";

const API_KEY = "simKeyIpGroups0123456789abcdef";
const SECRET = "simSecretIpGroups0123456789abcdef";
const RESTRICTION_MS = 300_000;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function startSim(extra: Partial<SimOptions> = {}) {
  const clock = new ManualClock(1_700_000_000_000);
  const sim = await startBingxSim({ port: 0, apiKey: API_KEY, secret: SECRET, seed: 11, clock, ...extra });
  stops.push(() => sim.stop());
  return { sim, clock };
}

interface Answer {
  status: number;
  code: number;
  remain: string | null;
  expire: string | null;
}

async function answer(res: Response): Promise<Answer> {
  const body = (await res.json()) as { code: number };
  return {
    status: res.status,
    code: body.code,
    remain: res.headers.get("X-RateLimit-Requests-Remain"),
    expire: res.headers.get("X-RateLimit-Requests-Expire"),
  };
}

/** `n` public market requests (server time) at the current sim instant. */
async function market(url: string, n: number): Promise<Answer[]> {
  return Promise.all(Array.from({ length: n }, async () => answer(await fetch(`${url}/openApi/swap/v2/server/time`))));
}

/** `n` signed GETs of `path` at the current sim instant. */
async function signed(url: string, clock: ManualClock, path: string, n: number): Promise<Answer[]> {
  const one = async () => {
    const q = `timestamp=${clock.nowMs()}`;
    const sig = createHmac("sha256", SECRET).update(q).digest("hex");
    return answer(await fetch(`${url}${path}?${q}&signature=${sig}`, { headers: { "X-BX-APIKEY": API_KEY } }));
  };
  return Promise.all(Array.from({ length: n }, one));
}

const refused = (a: Answer[]) => a.filter((x) => x.status === 429 && x.code === 100410).length;

describe("bingx-sim per-IP rate limits", () => {
  test("the market group admits 500 requests at once (500 per 10 s) and refuses the 501st", async () => {
    const { sim } = await startSim();
    const first = await market(sim.url, 500);
    expect(first.filter((a) => a.code === 0)).toHaveLength(500);
    expect(refused(await market(sim.url, 1))).toBe(1);
    expect(sim.state().counters.rate_limited).toBe(1);
  });

  test("the market group admits 1000 requests per minute: the 1001st within 60 s is refused", async () => {
    const { sim, clock } = await startSim();
    // 50 a second never fills the 10 s window (500), so only the minute window can refuse.
    for (let s = 0; s < 20; s++) {
      const batch = await market(sim.url, 50);
      expect(batch.filter((a) => a.code === 0)).toHaveLength(50);
      clock.advance(1000);
    }
    const over = await market(sim.url, 1);
    expect(refused(over)).toBe(1);
    expect(over[0]?.remain).toBe("0");
  });

  test("a client refused by an IP group stays restricted for 5 minutes, and the 429 says until when", async () => {
    const { sim, clock } = await startSim();
    await market(sim.url, 500);
    const refusedAt = clock.nowMs();
    const first = (await market(sim.url, 1))[0] as Answer;
    expect([first.status, first.remain, first.expire]).toEqual([429, "0", String(refusedAt + RESTRICTION_MS)]);
    clock.advance(61_000); // every window has emptied; the restriction has not
    const during = (await market(sim.url, 1))[0] as Answer;
    expect([during.status, during.code, during.expire]).toEqual([429, 100410, String(refusedAt + RESTRICTION_MS)]);
    clock.set(refusedAt + RESTRICTION_MS);
    expect((await market(sim.url, 1))[0]?.code).toBe(0);
  });

  test("the account group's 300 per 10 s per endpoint holds even when the UID limit is raised", async () => {
    const { sim, clock } = await startSim({ rateLimitsPerS: { balance: 1000 } });
    const reads = await signed(sim.url, clock, "/openApi/swap/v2/user/balance", 300);
    expect(reads.filter((a) => a.code === 0)).toHaveLength(300);
    expect(refused(await signed(sim.url, clock, "/openApi/swap/v2/user/balance", 1))).toBe(1);
    // Another endpoint of the account group is a limit of its own.
    expect((await signed(sim.url, clock, "/openApi/swap/v2/user/positions", 1))[0]?.code).toBe(0);
  });

  test("the account group admits 2000 requests per 10 s in total across its endpoints", async () => {
    const raised = { balance: 1000, positions: 1000, open_orders: 1000, all_orders: 1000, position_mode_read: 1000 };
    const { sim, clock } = await startSim({ rateLimitsPerS: { ...raised, wallets: 1000 } });
    const six = ["v2/user/balance", "v3/user/balance", "v2/user/positions", "v2/trade/openOrders"]
      .concat(["v2/trade/allOrders", "v1/positionSide/dual"])
      .map((p) => `/openApi/swap/${p}`);
    let ok = 0;
    for (const path of six) ok += (await signed(sim.url, clock, path, 300)).filter((a) => a.code === 0).length;
    const wallets = "/openApi/wallets/v1/capital/config/getall";
    ok += (await signed(sim.url, clock, wallets, 200)).filter((a) => a.code === 0).length;
    expect(ok).toBe(2000);
    // The seventh endpoint has used 200 of its own 300: only the group's total refuses it.
    expect(refused(await signed(sim.url, clock, wallets, 1))).toBe(1);
  });
});
