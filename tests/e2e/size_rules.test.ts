/**
 * A size off the contract's quantity step is refused, never rounded, through the built
 * executable against bingx-sim (TRX-USDT: step 1): an ENTER of 20.5 over HTTP answers 422
 * INVALID_INTENT naming the step, through the ring it is refused at the edge and counted; the
 * venue sees no order, the slot stays IDLE, and a size on the step still trades. An ENTER for an
 * asset the venue does not list (XYZ-USDT) is refused at the same edge (field ASSET).
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { encodeInput, INPUT_SIZE } from "../../src/kernel/index.ts";
import { ZincIntentProducer } from "../../src/zinc/index.ts";
import { eventually, type Served, startServe } from "./_serve.ts";
import { ShmPrefixes, type SimProc, startSim } from "./_sim.ts";

const LIB = join(import.meta.dir, "../../ffi/build/libzinc.so");
const prefixes = new ShmPrefixes();
let sim: SimProc;
let s: Served;

beforeAll(async () => {
  sim = await startSim(31);
  s = await startServe({
    ...sim.env,
    DITA_V2_ZINC: "REAL",
    DITA_V2_ZINC_PREFIX: prefixes.fresh("step"),
    DITA_V2_SLOTS: "4",
  });
}, 30_000);
afterAll(async () => {
  if (s.proc.exitCode === null) await s.stop();
  await sim.stop();
  prefixes.removeAll();
});

const enter = (size: number, trade: string) => ({
  type: "ENTER",
  slot_id: 0,
  trade_id: trade,
  asset: "TRX-USDT",
  side: "LONG",
  size,
  leverage: 2,
});

describe("the venue's quantity step at the strategy edges (bingx-sim)", () => {
  test("HTTP: an ENTER of 20.5 TRX-USDT (step 1) is 422 INVALID_INTENT naming the step; nothing reaches the venue", async () => {
    const r = await s.call("/intents", { body: enter(20.5, "ST1") });
    expect(r.status).toBe(422);
    expect(r.body.diagnostics[0]).toMatchObject({ code: "INVALID_INTENT", details: { field: "SIZE" } });
    expect(r.body.error).toBe(
      "ENTER: size 20.5 is not a multiple of TRX-USDT's quantity step 1 (20 or 21 would be); refused, never rounded",
    );
    expect((await s.call("/slots/0")).body.stage).toBe("IDLE");
    expect((await sim.state()).orders).toHaveLength(0);
  });

  test("ring: the same ENTER is refused at the edge and counted; the slot stays IDLE", async () => {
    const prefix = (await s.call("/status")).body.zinc.prefix as string;
    const rec = new Uint8Array(INPUT_SIZE);
    encodeInput({ ...enter(20.5, "ST2"), now_ms: 1_700_000_000_000 } as never, rec, 0);
    const producer = ZincIntentProducer.open({ libPath: LIB, prefix });
    try {
      expect(producer.push(rec)).toBe("OK");
    } finally {
      producer.close();
    }
    await eventually("the ring refusal counted", async () =>
      String((await s.call("/metrics")).body).includes(
        'dita_v2_input_refused_at_edge_total{edge="ring",code="INVALID_INTENT",kind="ENTER"} 1',
      ),
    );
    expect((await s.call("/slots/0")).body.stage).toBe("IDLE");
    expect((await sim.state()).orders).toHaveLength(0);
  });

  test("HTTP: an ENTER for XYZ-USDT, which bingx-sim does not list, is 422 INVALID_INTENT naming it; nothing reaches the venue", async () => {
    const r = await s.call("/intents", { body: { ...enter(1, "ST4"), asset: "XYZ-USDT" } });
    expect(r.status).toBe(422);
    expect(r.body.diagnostics[0]).toMatchObject({ code: "INVALID_INTENT", details: { field: "ASSET" } });
    expect(r.body.error).toBe(
      "ENTER: XYZ-USDT is not listed at the venue (absent from the contract list the adapter holds); refused before the kernel",
    );
    expect((await s.call("/slots/0")).body.stage).toBe("IDLE");
    expect((await sim.state()).orders).toHaveLength(0);
  });

  test("a size on the step trades as asked: intended and filled are both 20", async () => {
    expect((await s.call("/intents", { body: enter(20, "ST3") })).status).toBe(200);
    const slot = await eventually("the entry filled", async () => {
      const x = (await s.call("/slots/0")).body;
      return x.stage === "POSITION_OPEN" ? x : null;
    });
    expect(slot.entry_order).toMatchObject({ intended_size: 20, filled_size: 20, status: "FILLED" });
  });
});
