/**
 * bingx-sim takes the signature BingX defines and nothing else: `signature` is the lowercase hex
 * HMAC-SHA256 of the parameter string (shared/reference bingx-swap-api.md "Signing"). The same
 * digest in upper-case hex is another string; a sim that accepted it would pass a client whose
 * every live request BingX refuses with 100001.
 */

import { afterEach, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { ManualClock } from "../../src/contracts/clock.ts";
import { startBingxSim } from "../../src/sim/index.ts";

const API_KEY = "simKeyHex0123456789abcdef";
const SECRET = "simSecretHex0123456789abcdef";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

test("a signature in upper-case hex answers 100001; the same digest in lowercase hex is accepted", async () => {
  const clock = new ManualClock(1_700_000_000_000);
  const sim = await startBingxSim({ port: 0, apiKey: API_KEY, secret: SECRET, seed: 9, clock });
  stops.push(() => sim.stop());
  const query = `symbol=BTC-USDT&side=BUY&positionSide=LONG&type=MARKET&quantity=0.01&timestamp=${clock.nowMs()}`;
  const hex = createHmac("sha256", SECRET).update(query).digest("hex");
  const send = async (signature: string) => {
    const res = await fetch(`${sim.url}/openApi/swap/v2/trade/order?${query}&signature=${signature}`, {
      method: "POST",
      headers: { "X-BX-APIKEY": API_KEY },
    });
    return ((await res.json()) as { code: number }).code;
  };
  expect(await send(hex.toUpperCase())).toBe(100001);
  expect(sim.state().orders).toHaveLength(0);
  expect(await send(hex)).toBe(0);
  expect(sim.state().orders).toHaveLength(1);
});
