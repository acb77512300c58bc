/**
 * bingx-sim pushes the account's leverage at connect, as BingX's swap user stream does
 * (ACCOUNT_CONFIG_UPDATE "on connect" besides each change): right after a user-stream socket opens,
 * it receives one `{"e":"ACCOUNT_CONFIG_UPDATE","E":ms,"ac":{"s","l","S","mt":"cross"}}` per symbol
 * whose leverage the account has set (not the whole catalog), so a client that reconnects learns a
 * leverage changed while it was away. The push goes to the new socket only, once, outside the
 * stream faults: it does not count toward `stream_disconnect`. Nothing is repeated periodically.
 * Before, a new connection received nothing until the next change.
 */

import { afterEach, expect, test } from "bun:test";
import { call, type Harness, openStream, startSim } from "./fixtures/sim_client.ts";

let h: Harness;
afterEach(async () => {
  await h.sim.stop();
});

const configEvents = (events: any[]) => events.filter((e) => e.e === "ACCOUNT_CONFIG_UPDATE");
const setLeverage = (symbol: string, side: string, leverage: number) =>
  call(h, "POST", "/openApi/swap/v2/trade/leverage", { symbol, side, leverage });

test("a new connection receives one ACCOUNT_CONFIG_UPDATE per symbol whose leverage was set, right after it opens", async () => {
  h = await startSim();
  expect((await setLeverage("BTC-USDT", "LONG", 5)).body.code).toBe(0);
  const s = await openStream(h);
  await s.waitFor(() => configEvents(s.events).length >= 1);
  await Bun.sleep(50); // nothing more comes: ETH-USDT's leverage was never set
  expect(configEvents(s.events)).toEqual([
    { e: "ACCOUNT_CONFIG_UPDATE", E: h.clock.nowMs(), ac: { s: "BTC-USDT", l: 5, S: 10, mt: "cross" } },
  ]);
  expect(s.events[0]?.e).toBe("ACCOUNT_CONFIG_UPDATE"); // the first thing the socket hears
  s.ws.close();
});

test("a leverage changed while no socket was open is what the next connection is told", async () => {
  h = await startSim();
  const first = await openStream(h);
  first.ws.close();
  await first.closed;
  const body = JSON.stringify({ action: "set_leverage", symbol: "ETH-USDT", positionSide: "SHORT", leverage: 20 });
  expect((await fetch(`${h.sim.url}/_sim/out_of_band`, { method: "POST", body })).status).toBe(200);
  expect((await setLeverage("BTC-USDT", "SHORT", 3)).body.code).toBe(0);
  const second = await openStream(h);
  await second.waitFor(() => configEvents(second.events).length >= 2);
  await Bun.sleep(50);
  expect(configEvents(second.events).map((e) => e.ac)).toEqual([
    { s: "BTC-USDT", l: 10, S: 3, mt: "cross" },
    { s: "ETH-USDT", l: 10, S: 20, mt: "cross" },
  ]);
  second.ws.close();
});

test("the connect push goes to the new socket only and does not count toward stream_disconnect", async () => {
  h = await startSim();
  expect((await setLeverage("BTC-USDT", "LONG", 7)).body.code).toBe(0);
  const old = await openStream(h);
  await old.waitFor(() => configEvents(old.events).length >= 1);
  h.sim.faults.stream_disconnect = 1;
  const fresh = await openStream(h);
  await fresh.waitFor(() => configEvents(fresh.events).length >= 1);
  await Bun.sleep(50);
  expect(configEvents(old.events)).toHaveLength(1); // its own connect push, nothing from the new socket's
  expect(configEvents(fresh.events).map((e) => e.ac.l)).toEqual([7]);
  expect(h.sim.faults.stream_disconnect).toBe(1);
  expect(h.sim.state().stream_connections).toBe(2);
  old.ws.close();
  fresh.ws.close();
});
