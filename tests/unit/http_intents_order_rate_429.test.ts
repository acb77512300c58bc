/**
 * `POST /intents` answers a refusal that clears by itself after a known time as 429 with
 * `Retry-After`: the venue's rate limit (RATE_LIMITED) did already; the kernel's own order rate
 * (RISK_LIMIT `max_orders_per_minute`, retryable with the ms until the minute's window has room)
 * answered 422 like a final refusal, so an HTTP strategy could not tell it from one that never
 * clears. Other risk limits stay 422. Fast tier: a real kernel behind the route.
 */

import { expect, test } from "bun:test";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import { createHttp, type HttpDeps } from "../../src/http/index.ts";
import { kernelsPerTest, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 4 });
const TOKEN = "r".repeat(16);
const enter = (slot: number, leverage = 3): StrategyIntent => ({
  type: "ENTER",
  slot_id: slot,
  trade_id: `R${slot}`,
  asset: "BTC-USDT",
  side: "LONG",
  size: 0.01,
  price: 100,
  leverage,
});

function post(k: ReturnType<typeof kernel>, at: () => number, intent: StrategyIntent): Promise<Response> {
  const deps = {
    slotCount: () => k.slotCount,
    operatorToken: () => TOKEN,
    submitIntent: (i: StrategyIntent) => k.apply({ ...i, now_ms: at() }),
    refuseIntent: () => {
      throw new Error("not a parse refusal");
    },
  } as unknown as HttpDeps;
  return createHttp(deps).routes["/intents"]!.POST(
    new Request("http://127.0.0.1/intents", {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, Host: "127.0.0.1", "Content-Type": "application/json" },
      body: JSON.stringify(intent),
    }),
  );
}

test("an ENTER refused by max_orders_per_minute is 429 with Retry-After rounded up to the window's room", async () => {
  const k = kernel();
  expect(k.apply({ type: "CONFIGURE", key: "MAX_ORDERS_PER_MINUTE", value: 1, now_ms: T0 }).accepted).toBe(true);
  let now = T0 + 1;
  expect((await post(k, () => now, enter(0))).status).toBe(200);
  now = T0 + 500;
  const res = await post(k, () => now, enter(1));
  expect(res.status).toBe(429);
  expect(res.headers.get("Retry-After")).toBe("60"); // 59 501 ms
  const body = (await res.json()) as { diagnostics: Array<{ code: string; details: { retry_after_ms?: number } }> };
  expect(body.diagnostics[0]).toMatchObject({ code: "RISK_LIMIT", details: { retry_after_ms: 59_501 } });
});

test("a risk limit that does not clear by itself (max_leverage) stays 422 without Retry-After", async () => {
  const k = kernel();
  expect(k.apply({ type: "CONFIGURE", key: "MAX_LEVERAGE", value: 2, now_ms: T0 }).accepted).toBe(true);
  const res = await post(k, () => T0 + 1, enter(0, 3));
  expect(res.status).toBe(422);
  expect(res.headers.get("Retry-After")).toBeNull();
});
