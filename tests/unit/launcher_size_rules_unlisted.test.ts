/**
 * The strategy edges' early check (src/launcher/_size_rules.ts) and an asset the venue does not list.
 * Walking the CLI showed `dita-v2 intent enter` for XYZ-USDT against bingx-sim accepted by the kernel
 * (the slot ENTRY_WORKING) and only then refused by the venue, although the BingX adapter holds the
 * venue's whole contract list from connect on. Now an ENTER (and a partial EXIT) for an asset absent
 * from the list the adapter holds (`VenueAdapter.knownListed` false) is refused before the kernel:
 * INVALID_INTENT, field ASSET, one line naming the asset; nothing changes, no venue call, no exit leg.
 * Not refused: an EXIT of the slot's whole position (closing must always be possible; the venue
 * judges it), any intent while the adapter holds no list (not connected, or its connect failed before
 * the list was read), an asset a later refresh of the list added. The mock venue's list is the assets
 * it has a price for (it refuses any other: 80014 "symbol does not exist"), growing with `setPrice`.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { InputRefusal } from "../../src/contracts/intent_parse.ts";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import { intentSizeRefusal, recordSizeRefusal } from "../../src/launcher/_size_rules.ts";
import type { Runtime } from "../../src/launcher/index.ts";
import { BingxVenueAdapter, MockVenueAdapter } from "../../src/venue/index.ts";
import { QUICK_STREAM, realTimeSim } from "../_support/bingx_sim.ts";
import { ringRecord } from "../_support/kernel.ts";
import { startedRuntime, tempDirsPerTest, until } from "../_support/runtime.ts";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const CONTRACTS_PATH = "/openApi/swap/v2/quote/contracts";

/**
 * A BingX adapter over the local sim (BTC-USDT and SOL-USDT listed), not yet connected; while
 * `hidden` holds a symbol, the contract list the sim answers leaves it out (a contract listed later).
 */
async function bingxOnSim() {
  const { sim, config } = await realTimeSim(5, { "BTC-USDT": 60_000, "SOL-USDT": 150 });
  const hidden = new Set<string>();
  const network = async (url: string, init: RequestInit): Promise<Response> => {
    const answer = await fetch(url, init);
    if (!url.includes(CONTRACTS_PATH) || hidden.size === 0) return answer;
    const body = (await answer.json()) as { data: Array<{ symbol: string }> };
    body.data = body.data.filter((c) => !hidden.has(c.symbol));
    return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
  };
  const adapter = new BingxVenueAdapter(
    { ...config, contractsRefreshMs: 600_000 },
    { resolveDelaysMs: [0], stream: QUICK_STREAM, fetch: network as typeof fetch },
  );
  stops.push(async () => {
    await adapter.close();
    await sim.stop();
  });
  const refresh = () => (adapter as unknown as { rules: { refresh(): Promise<void> } }).rules.refresh();
  return { sim, adapter, hidden, refresh };
}

const enter = (asset: string, size: number, slotId = 3): StrategyIntent => ({
  type: "ENTER",
  slot_id: slotId,
  trade_id: "T1",
  asset,
  side: "LONG",
  size,
  price: null,
  leverage: 2,
});
const exit = (size: number): StrategyIntent => ({ type: "EXIT", slot_id: 3, size, price: null, reason: "SL" });
const noSlot = () => null;

const unlisted = (kind: "ENTER" | "EXIT", asset: string): InputRefusal => ({
  code: "INVALID_INTENT",
  field: "ASSET",
  message: `${kind}: ${asset} is not listed at the venue (absent from the contract list the adapter holds); refused before the kernel`,
  input_kind: kind,
  slot_id: 3,
});

describe("an asset the venue does not list, at the strategy edges", () => {
  test("BingX: an ENTER for XYZ-USDT (not in bingx-sim's contract list) is refused at the edge naming it, intent and ring alike; no venue call", async () => {
    const { sim, adapter } = await bingxOnSim();
    await adapter.connect();
    const before = sim.state().counters.requests;
    expect(adapter.knownListed("XYZ-USDT")).toBe(false);
    expect(intentSizeRefusal(adapter, enter("XYZ-USDT", 1), noSlot)).toEqual(unlisted("ENTER", "XYZ-USDT"));
    expect(recordSizeRefusal(adapter, ringRecord(enter("XYZ-USDT", 1)), noSlot)).toEqual(unlisted("ENTER", "XYZ-USDT"));
    // A listed contract passes as before; the check read only the list held.
    expect(adapter.knownListed("BTC-USDT")).toBe(true);
    expect(intentSizeRefusal(adapter, enter("BTC-USDT", 0.01), noSlot)).toBeNull();
    expect(sim.state().counters.requests).toBe(before);
    expect(sim.state().orders).toEqual([]);
  }, 15_000);

  test("BingX: before any contract list is read (not connected, or the connect failed) nothing is refused as unlisted", async () => {
    const { sim, adapter } = await bingxOnSim();
    expect(adapter.knownListed("XYZ-USDT")).toBeNull();
    expect(intentSizeRefusal(adapter, enter("XYZ-USDT", 1), noSlot)).toBeNull();
    expect(recordSizeRefusal(adapter, ringRecord(enter("XYZ-USDT", 1)), noSlot)).toBeNull();

    const { config } = await realTimeSim(6, { "BTC-USDT": 60_000 });
    const refused = new BingxVenueAdapter({ ...config, baseUrl: "http://127.0.0.1:9", timeoutMs: 500 });
    stops.push(() => refused.close());
    await expect(refused.connect()).rejects.toThrow();
    expect(refused.knownListed("XYZ-USDT")).toBeNull();
    expect(intentSizeRefusal(refused, enter("XYZ-USDT", 1), noSlot)).toBeNull();
    expect(sim.state().orders).toEqual([]);
  }, 15_000);

  test("BingX: a contract a later refresh of the list adds is no longer refused", async () => {
    const { adapter, hidden, refresh } = await bingxOnSim();
    hidden.add("SOL-USDT");
    await adapter.connect();
    expect(intentSizeRefusal(adapter, enter("SOL-USDT", 1), noSlot)).toEqual(unlisted("ENTER", "SOL-USDT"));
    hidden.clear();
    await refresh();
    expect(adapter.knownListed("SOL-USDT")).toBe(true);
    expect(intentSizeRefusal(adapter, enter("SOL-USDT", 1), noSlot)).toBeNull();
  }, 15_000);

  test("mock: its list is the assets it has a price for; a partial EXIT on another is refused, an EXIT of the whole position passes", () => {
    const venue = new MockVenueAdapter({ seed: 1, clock: new ManualClock(), prices: { "BTC-USDT": 60_000 } });
    expect(intentSizeRefusal(venue, enter("XYZ-USDT", 1), noSlot)).toEqual(unlisted("ENTER", "XYZ-USDT"));
    expect(recordSizeRefusal(venue, ringRecord(enter("XYZ-USDT", 1)), noSlot)).toEqual(unlisted("ENTER", "XYZ-USDT"));
    const slotOf = () => ({ asset: "XYZ-USDT", size: 2, side: "LONG" as const });
    expect(intentSizeRefusal(venue, exit(1), slotOf)).toEqual(unlisted("EXIT", "XYZ-USDT"));
    expect(recordSizeRefusal(venue, ringRecord(exit(1)), slotOf)).toEqual(unlisted("EXIT", "XYZ-USDT"));
    expect(intentSizeRefusal(venue, exit(2), slotOf)).toBeNull();
    expect(recordSizeRefusal(venue, ringRecord(exit(2)), slotOf)).toBeNull();
    venue.setPrice("XYZ-USDT", 3); // listed from now on
    expect(venue.knownListed("XYZ-USDT")).toBe(true);
    expect(intentSizeRefusal(venue, enter("XYZ-USDT", 1), noSlot)).toBeNull();
  });

  test("an asset the kernel would refuse for its shape is left to the kernel's own diagnostic", () => {
    const venue = new MockVenueAdapter({ seed: 1, clock: new ManualClock(), prices: { "BTC-USDT": 60_000 } });
    expect(intentSizeRefusal(venue, enter("btc-usdt", 1), noSlot)).toBeNull();
    expect(intentSizeRefusal(venue, enter("", 1), noSlot)).toBeNull();
  });
});

describe("through the runtime (the HTTP and CLI edge) on the mock venue", () => {
  const tempDir = tempDirsPerTest("dita-unlisted-");
  const runtimes: Runtime[] = [];
  afterEach(async () => {
    for (const rt of runtimes.splice(0)) await rt.shutdown(1000);
  });

  test("an ENTER for an unlisted asset is an EDGE refusal: the slot stays IDLE and the venue gets no order", async () => {
    const { rt } = await startedRuntime(tempDir(), new ManualClock());
    runtimes.push(rt);
    const outcome = rt.submitStrategy(enter("XYZ-USDT", 1, 0));
    expect(outcome.accepted).toBe(false);
    expect(outcome.diagnostics[0]).toMatchObject({ code: "INVALID_INTENT", details: { field: "ASSET" } });
    expect(outcome.diagnostics[0]!.message).toBe(
      "ENTER: XYZ-USDT is not listed at the venue (absent from the contract list the adapter holds); refused before the kernel",
    );
    expect(rt.b.kernel.slot(0).stage).toBe("IDLE");
    expect(await rt.b.venue.queryOrder("XYZ-USDT", "T1-E")).toBeNull(); // no order made
    // A listed asset still trades.
    expect(rt.submitStrategy(enter("BTC-USDT", 0.01, 0)).accepted).toBe(true);
    await until(() => rt.b.kernel.slot(0).stage === "POSITION_OPEN");
  });
});
