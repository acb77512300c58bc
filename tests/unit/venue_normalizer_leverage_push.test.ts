/**
 * The BingX stream's ACCOUNT_CONFIG_UPDATE (a symbol's leverage and margin mode; shape per BingX's
 * public swap websocket documentation) through the normalizer: a well-formed frame is a typed
 * leverage fact (the symbol as the kernel spells it, both sides, margin mode, event time); each
 * malformed field is one MALFORMED_PAYLOAD naming it, never a fact, never a throw. Through the
 * adapter's stream (gzip frames, bingx-sim) a pushed frame reaches `onLeverage` listeners (a
 * malformed one over the stream: tests/integration/venue_bingx_sim.test.ts).
 */

import { afterEach, expect, test } from "bun:test";
import type { VenueLeverage } from "../../src/contracts/venue.ts";
import { classifyFrame, type FrameResult } from "../../src/venue/bingx/index.ts";
import { realTimeAdapter } from "../_support/bingx_sim.ts";

const E = 1_700_000_000_000;
const ac = { s: "BTC-USDT", l: 5, S: 20, mt: "cross" };
/** The frame's text; `time` undefined leaves `E` out. */
const frame = (config: unknown, time: unknown) => JSON.stringify({ e: "ACCOUNT_CONFIG_UPDATE", E: time, ac: config });

/** The malformed diagnostic of `r`, or a failure naming what came instead. */
function malformed(r: FrameResult) {
  if (r.type !== "malformed") throw new Error(`expected a MALFORMED_PAYLOAD, got ${r.type}`);
  return r.diagnostic;
}

test("a well-formed ACCOUNT_CONFIG_UPDATE is a leverage fact: symbol, long l, short S, margin mode, event time", () => {
  expect(classifyFrame(frame(ac, E))).toEqual({
    type: "leverage",
    fact: { asset: "BTC-USDT", long: 5, short: 20, margin_mode: "cross", venue_time_ms: E },
  });
  // Leverages as decimal text, the margin mode in another case or BingX's REST spelling, the time as text.
  const text = classifyFrame(frame({ s: "SOL-USDT", l: "125", S: "1", mt: "ISOLATED" }, String(E)));
  expect(text).toEqual({
    type: "leverage",
    fact: { asset: "SOL-USDT", long: 125, short: 1, margin_mode: "isolated", venue_time_ms: E },
  });
  const crossed = classifyFrame(frame({ ...ac, mt: "CROSSED" }, E));
  expect(crossed.type === "leverage" && crossed.fact.margin_mode).toBe("cross");
});

test("each malformed field of ACCOUNT_CONFIG_UPDATE is a MALFORMED_PAYLOAD naming it, never a fact", () => {
  const cases: Array<[Record<string, unknown>, unknown, string[]]> = [
    [{ ...ac, s: undefined }, E, ["s"]],
    [{ ...ac, s: 42 }, E, ["s"]],
    [{ ...ac, s: "" }, E, ["s"]],
    [{ ...ac, s: "X".repeat(41) }, E, ["s"]],
    [{ ...ac, l: undefined }, E, ["l"]],
    [{ ...ac, l: 0 }, E, ["l"]],
    [{ ...ac, l: -5 }, E, ["l"]],
    [{ ...ac, l: 2.5 }, E, ["l"]],
    [{ ...ac, l: "2.5" }, E, ["l"]],
    [{ ...ac, l: 126 }, E, ["l"]],
    [{ ...ac, l: 1e300 }, E, ["l"]],
    [{ ...ac, l: "five" }, E, ["l"]],
    [{ ...ac, l: null }, E, ["l"]],
    [{ ...ac, S: undefined }, E, ["S"]],
    [{ ...ac, S: 0 }, E, ["S"]],
    [{ ...ac, S: true }, E, ["S"]],
    [{ ...ac, S: [5] }, E, ["S"]],
    [{ ...ac, mt: undefined }, E, ["mt"]],
    [{ ...ac, mt: "portfolio" }, E, ["mt"]],
    [{ ...ac, mt: "constructor" }, E, ["mt"]],
    [{ ...ac, mt: 1 }, E, ["mt"]],
    [ac, undefined, ["E"]],
    [ac, -1, ["E"]],
    [ac, "soon", ["E"]],
    [{ s: null, l: 0, S: 999, mt: null }, null, ["s", "l", "S", "mt", "E"]],
  ];
  for (const [config, time, fields] of cases) {
    const d = malformed(classifyFrame(frame(config, time)));
    expect(d.code).toBe("MALFORMED_PAYLOAD");
    expect(d.message).toBe(`ACCOUNT_CONFIG_UPDATE with missing or invalid fields: ${fields.join(", ")}`);
    expect(d.details?.fields).toEqual(fields);
    expect(d.message.length).toBeLessThan(120); // bounded: the frame's values are never echoed
  }
  for (const config of [undefined, null, "BTC-USDT", [ac], 5]) {
    const d = malformed(classifyFrame(frame(config, E)));
    expect(d.message).toBe("ACCOUNT_CONFIG_UPDATE without a configuration object `ac`");
  }
});

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

test("over the stream (bingx-sim): a leverage set out of band reaches onLeverage listeners as a fact", async () => {
  const { sim, adapter } = await realTimeAdapter(stops, { seed: 31, prices: { "BTC-USDT": 65_000 } });
  const pushed: VenueLeverage[] = [];
  adapter.onLeverage((p) => pushed.push(p));
  const body = JSON.stringify({ action: "set_leverage", symbol: "BTC-USDT", positionSide: "SHORT", leverage: 20 });
  expect((await fetch(`${sim.url}/_sim/out_of_band`, { method: "POST", body })).status).toBe(200);
  for (let i = 0; i < 100 && pushed.length === 0; i++) await Bun.sleep(10);
  expect(pushed).toEqual([
    { asset: "BTC-USDT", long: 10, short: 20, margin_mode: "cross", venue_time_ms: expect.any(Number) },
  ]);
});
