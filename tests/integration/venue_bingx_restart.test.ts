/**
 * A restarted process inherits resting orders it did not place itself. BingX (and the sim)
 * lower-case client order ids, so the adapter maps the venue's spelling back to the kernel's only
 * for orders it knows. After a restart it learns them from the recovery's query by client id:
 * a resting order found working is tracked, and its later fill arrives with the kernel's spelling
 * (routable by the kernel) instead of "t9-e" (which the kernel could not route until the
 * hung-order path queried it).
 */

import { afterEach, expect, test } from "bun:test";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { startBingxSim } from "../../src/sim/index.ts";
import { BingxVenueAdapter } from "../../src/venue/index.ts";
import { record, until } from "./venue_contract.ts";

const API_KEY = "simKeyAAAAbbbbCCCCdddd0123456789";
const SECRET = "simSecretZZZZyyyyXXXXwwww9876543210qq";
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

function adapterFor(sim: Awaited<ReturnType<typeof startBingxSim>>): BingxVenueAdapter {
  const a = new BingxVenueAdapter(
    {
      apiKey: API_KEY,
      secret: SECRET,
      baseUrl: sim.url,
      wsUrl: sim.wsUrl,
      recvWindowMs: 5000,
      clock: new SystemClock(),
      timeoutMs: 1500,
    },
    { resolveDelaysMs: [0, 50, 150] },
  );
  stops.push(() => a.close());
  return a;
}

test("after a restart, a resting order found by query keeps the kernel's id spelling when it later fills", async () => {
  const sim = await startBingxSim({
    port: 0,
    apiKey: API_KEY,
    secret: SECRET,
    seed: 5,
    prices: { "ETH-USDT": 3000 },
    balance: 10_000,
  });
  stops.push(() => sim.stop());
  const before = adapterFor(sim);
  await before.connect();
  const placed = await before.submit({
    client_order_id: "R9-E",
    asset: "ETH-USDT",
    side: "BUY",
    position_side: "LONG",
    type: "LIMIT",
    price: 2900,
    size: 0.05,
    reduce_only: false,
  });
  expect(placed.status).toBe("ACCEPTED");
  await before.close(); // the process dies; the order rests at the venue

  const after = adapterFor(sim); // the new process
  const seen = record(after);
  await after.connect();
  const state = await after.queryOrder("ETH-USDT", "R9-E"); // what recovery asks for each working order
  expect(state).toMatchObject({ client_order_id: "R9-E", status: "NEW" });
  sim.setPrice("ETH-USDT", 2890); // the limit fills now, after the restart
  await until(() => seen.events.some((e) => e.kind === "FULL_FILL"), 5000, "the fill on the stream");
  const fills = seen.events.filter((e) => e.kind === "FULL_FILL");
  expect(fills.map((e) => e.client_order_id)).toEqual(["R9-E"]);
});
