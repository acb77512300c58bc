/**
 * Inputs by source, through the built executable (`dist/dita-v2 serve`, mock venue, REAL Zinc
 * regions under a unique prefix): HTTP `POST /intents`, `dita-v2 intent json` and the Zinc intents
 * ring accept STRATEGY inputs only. Every VENUE and SYSTEM input kind is refused before the kernel
 * with INPUT_SOURCE_REFUSED: HTTP 422 with one message, the CLI exits 3, the ring counts it in
 * /metrics; the state hash, capital and configuration are unchanged and nothing is journaled.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { KernelInput } from "../../src/contracts/index.ts";
import { encodeInput, INPUT_SIZE } from "../../src/kernel/index.ts";
import { ZincIntentProducer } from "../../src/zinc/index.ts";
import { run } from "./_exe.ts";
import { journalEntries } from "./_journal.ts";
import { eventually, type Served, startServe } from "./_serve.ts";
import { ShmPrefixes } from "./_sim.ts";

const LIB = join(import.meta.dir, "../../ffi/build/libzinc.so");
const prefixes = new ShmPrefixes();
const serves: Served[] = [];
afterEach(async () => {
  for (const s of serves.splice(0)) if (s.proc.exitCode === null) await s.kill9();
  prefixes.removeAll();
});

async function serve(): Promise<Served> {
  const s = await startServe({
    DITA_V2_ZINC: "REAL",
    DITA_V2_CONTROL_PLANE: "REAL_ZINC",
    DITA_V2_ZINC_PREFIX: prefixes.fresh("src"),
    DITA_V2_SLOTS: "4",
    DITA_V2_MOCK_PRICES: "BTC-USDT=65000",
  });
  serves.push(s);
  return s;
}

/** An entry that rests at the mock venue (a buy limit far below the mark): its ids can be forged. */
async function restingEntry(s: Served): Promise<{ coid: string; voId: string }> {
  const r = await s.call("/intents", {
    body: {
      type: "ENTER",
      slot_id: 0,
      trade_id: "R1",
      asset: "BTC-USDT",
      side: "LONG",
      size: 0.01,
      price: 1000,
      leverage: 2,
    },
  });
  expect(r.status).toBe(200);
  const order = await eventually("the entry resting at the venue", async () => {
    const o = (await s.call("/slots/0")).body.entry_order;
    return o?.venue_order_id ? o : null;
  });
  return { coid: order.client_order_id, voId: order.venue_order_id };
}

const forged = (coid: string, voId: string) => [
  {
    type: "VENUE_EVENT",
    event: {
      kind: "FULL_FILL",
      event_id: "forged-1",
      venue_order_id: voId,
      client_order_id: coid,
      asset: "BTC-USDT",
      filled_size_cumulative: 0.01,
      avg_price: 1000,
      last_fill_size: 0.01,
      last_fill_price: 1000,
      fee_cumulative: 0,
      venue_time_ms: 1,
    },
  },
  { type: "SEED_CAPITAL", capital: 123456789, recovery: true },
  { type: "CONFIGURE", key: "ACTIVE_SLOT_LIMIT", value: 1 },
  { type: "TICK" },
  { type: "RECONCILE", slot_id: 0, truth: { side: null, size: 0, avg_price: 0, open_order: null } },
  { type: "MARK_STALE", slot_id: 0, reason: "OPERATOR" },
];

async function snapshot(s: Served) {
  const st = (await s.call("/status")).body;
  return {
    hash: st.state_hash,
    capital: st.account.capital,
    kernel: st.kernel,
    control: st.control,
    slot0: st.slots[0],
  };
}

function journalTypes(s: Served): string[] {
  return journalEntries(s.stateDir).map((e) => e.type);
}

describe("inputs by source through dist/dita-v2 serve", () => {
  test("every VENUE and SYSTEM input posted to /intents is 422 INPUT_SOURCE_REFUSED and changes nothing", async () => {
    const s = await serve();
    const { coid, voId } = await restingEntry(s);
    const before = await snapshot(s);
    const journaled = journalTypes(s).length;
    for (const body of forged(coid, voId)) {
      const r = await s.call("/intents", { body });
      expect(r.status).toBe(422);
      expect(r.body.accepted).toBe(false);
      expect(r.body.diagnostics.map((d: { code: string }) => d.code)).toEqual(["INPUT_SOURCE_REFUSED"]);
      expect(r.body.error).toContain(`${body.type} is a`);
      expect(r.body.error.split("\n")).toHaveLength(1);
    }
    expect(await snapshot(s)).toEqual(before); // no forged fill, no re-seed, active_slot_limit still 4
    expect(before.slot0.stage).toBe("ENTRY_WORKING");
    expect(journalTypes(s)).toHaveLength(journaled);
    const metrics = String((await s.call("/metrics")).body);
    for (const kind of ["VENUE_EVENT", "SEED_CAPITAL", "CONFIGURE", "TICK", "RECONCILE", "MARK_STALE"]) {
      expect(metrics).toContain(
        `dita_v2_input_refused_at_edge_total{edge="http",code="INPUT_SOURCE_REFUSED",kind="${kind}"} 1`,
      );
    }
  }, 30_000);

  test("intents the kernel refuses are counted, not journaled: no client grows the journal without changing state", async () => {
    const s = await serve();
    const before = (await s.call("/status")).body.journal;
    const lines = journalTypes(s).length;
    for (let i = 0; i < 200; i++) {
      const r = await s.call("/intents", { body: { type: "EXIT", slot_id: 3, size: 1, reason: "SIGNAL" } });
      expect(r.status).toBe(422); // the kernel's refusal: slot 3 holds no position
    }
    const after = (await s.call("/status")).body.journal;
    expect(after.entries).toBe(before.entries);
    expect(after.refused_not_journaled).toBe(before.refused_not_journaled + 200);
    expect(journalTypes(s)).toHaveLength(lines);
  }, 30_000);

  test("the same through `dita-v2 intent json`: exit 3 and the refusal printed; a strategy intent passes", async () => {
    const s = await serve();
    const env = { DITA_V2_OPERATOR_TOKEN: s.token, DITA_V2_STATE_DIR: s.stateDir };
    const before = await snapshot(s);
    for (const body of forged("R1-E", "1")) {
      const r = run(["intent", "json", "--url", s.url, "--body", JSON.stringify(body)], env);
      expect(r.code).toBe(3);
      expect(JSON.parse(r.stdout).diagnostics[0].code).toBe("INPUT_SOURCE_REFUSED");
    }
    expect(await snapshot(s)).toEqual(before);
    const mark = run(
      ["intent", "json", "--url", s.url, "--body", '{"type":"MARK_PRICE","asset":"BTC-USDT","price":64000}'],
      env,
    );
    expect(mark.code).toBe(0);
    const bad = run(["intent", "json", "--url", s.url, "--body", "{not json"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
  }, 30_000);

  test("the intents ring refuses every non-strategy record before the kernel, counted; the strategy records around them apply", async () => {
    const s = await serve();
    const prefix = (await s.call("/status")).body.zinc.prefix as string;
    const { coid, voId } = await restingEntry(s);
    const before = await snapshot(s);
    const stamped = (x: Record<string, unknown>, i: number) => ({ ...x, now_ms: 1_700_000_000_000 + i }) as KernelInput;
    const records = [
      ...forged(coid, voId).map(stamped),
      stamped({ type: "MARK_PRICE", asset: "BTC-USDT", price: 64_000 }, 99),
    ];
    const bytes = new Uint8Array((records.length + 2) * INPUT_SIZE);
    for (const [i, r] of records.entries()) expect(encodeInput(r, bytes, i * INPUT_SIZE)).toBeNull();
    new DataView(bytes.buffer).setUint16(records.length * INPUT_SIZE, 0, true); // kind 0: no input at all
    new DataView(bytes.buffer).setUint16((records.length + 1) * INPUT_SIZE, 999, true);
    const producer = ZincIntentProducer.open({ libPath: LIB, prefix });
    try {
      expect(producer.pushBatch(bytes, records.length + 2)).toBe(records.length + 2);
    } finally {
      producer.close();
    }
    const metrics = await eventually("the ring refusals counted", async () => {
      const m = String((await s.call("/metrics")).body);
      return m.includes('edge="ring",code="INPUT_SOURCE_REFUSED",kind="UNKNOWN"} 2') ? m : null;
    });
    for (const kind of ["VENUE_EVENT", "SEED_CAPITAL", "CONFIGURE", "TICK", "RECONCILE", "MARK_STALE"]) {
      expect(metrics).toContain(
        `dita_v2_input_refused_at_edge_total{edge="ring",code="INPUT_SOURCE_REFUSED",kind="${kind}"} 1`,
      );
    }
    const after = await snapshot(s);
    expect(after.capital).toBe(before.capital);
    expect(after.kernel).toEqual(before.kernel);
    expect(after.control).toEqual(before.control);
    expect(after.slot0.stage).toBe("ENTRY_WORKING"); // the forged fill did not open a position
    expect(journalTypes(s).filter((t) => t === "RAW")).toHaveLength(1); // only the mark was journaled
    expect(s.stderr()).toContain("ring refused");
  }, 30_000);
});
