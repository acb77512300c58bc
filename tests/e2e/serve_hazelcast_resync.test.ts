/**
 * A Hazelcast member that comes back empty is refilled with the whole image, through the built
 * executable: `dist/dita-v2 serve` (BingX adapter against bingx-sim, DITA_V2_HAZELCAST=REAL, Zinc in
 * memory so the next start's belief can only come from Hazelcast) holds a closed trade (slot 0), an
 * open position (slot 1) and a resting limit entry (slot 2). The member is SIGKILLed and restarted
 * empty on the same port; with no new input, within seconds every map again equals `/status`
 * (slot rows, closed slot included, the active registry, the account, the control row) and serve
 * logged one SINK_RESYNC. Then serve is SIGKILLed and started again: its belief comes from Hazelcast
 * and restores every slot, and the sim's truth is reconciled in.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { type HzClient, newHzClient } from "../../src/projection/hz_client.ts";
import { type HazelcastService, startHazelcast } from "../integration/_services.ts";
import { scratch } from "./_exe.ts";
import { eventually, type Served, startServe } from "./_serve.ts";
import { type SimProc, startSim } from "./_sim.ts";

const NS = "resync";
let hz: HazelcastService;
let sim: SimProc;
let reader: HzClient | null = null;
const serves: Served[] = [];

beforeAll(async () => {
  [hz, sim] = await Promise.all([startHazelcast("resync"), startSim(23)]);
}, 120_000);

afterAll(async () => {
  for (const s of serves) if (s.proc.exitCode === null) await s.kill9();
  await reader?.shutdown().catch(() => {});
  await sim?.stop();
  await hz?.destroy();
  for (const s of serves) rmSync(s.stateDir, { recursive: true, force: true });
}, 60_000);

async function serve(): Promise<Served> {
  const s = await startServe(
    {
      ...sim.env,
      DITA_V2_SLOTS: "4",
      DITA_V2_STRATEGY: NS,
      DITA_V2_HAZELCAST: "REAL",
      DITA_V2_HAZELCAST_ADDR: hz.addr,
      DITA_V2_HAZELCAST_CLUSTER: hz.cluster,
    },
    scratch("dita-resync-"),
  );
  serves.push(s);
  return s;
}

async function connectReader(): Promise<HzClient> {
  await reader?.shutdown().catch(() => {});
  reader = await newHzClient({ addr: hz.addr, cluster: hz.cluster }, false);
  return reader;
}

type Row = Record<string, any>;
async function maps(): Promise<Record<string, Record<string, Row>>> {
  const out: Record<string, Record<string, Row>> = {};
  for (const m of ["DOLPHIN_STATE", "DITA_V2_ACTIVE_SLOTS", "DOLPHIN_PNL", "DITA_V2_CONTROL"]) {
    const entries = await (await reader!.getMap<string, Row>(`${m}_${NS.toUpperCase()}`)).entrySet();
    out[m] = Object.fromEntries(entries.map(([k, v]) => [k, v]));
  }
  return out;
}

/** True when the maps hold exactly what `/status` says: every non-idle slot, its registry entry, account, control. */
async function mapsEqualStatus(s: Served): Promise<boolean> {
  const st = (await s.call("/status")).body;
  const m = await maps();
  const strip = ({ strategy: _s, epoch: _e, ...rest }: Row) => rest;
  const slots = st.slots.filter((x: Row) => x.stage !== "IDLE");
  const active = slots.filter((x: Row) => x.stage !== "CLOSED").map((x: Row) => String(x.slot_id));
  const { updated_at_ms: _u, ...account } = strip(m.DOLPHIN_PNL!.account ?? {});
  return (
    Bun.deepEquals(Object.keys(m.DOLPHIN_STATE!).sort(), slots.map((x: Row) => String(x.slot_id)).sort()) &&
    slots.every((x: Row) => Bun.deepEquals(strip(m.DOLPHIN_STATE![String(x.slot_id)]!), x)) &&
    Bun.deepEquals(Object.keys(m.DITA_V2_ACTIVE_SLOTS!).sort(), active.sort()) &&
    Bun.deepEquals(account, st.account) &&
    Bun.deepEquals(strip(m.DITA_V2_CONTROL!.control ?? {}), st.control)
  );
}

let trades = 0;
const enter = (s: Served, slot_id: number, asset: string, size: number, price: number | null = null) =>
  s.call("/intents", {
    body: { type: "ENTER", slot_id, trade_id: `RS${++trades}`, asset, side: "LONG", size, price, leverage: 5 },
  });
const slotOf = async (s: Served, id: number) => (await s.call(`/slots/${id}`)).body;

describe("a Hazelcast member restarted empty under a running serve", () => {
  test("every map holds the whole image again within seconds and equals /status; a belief restart restores every slot", async () => {
    const s1 = await serve();
    await connectReader();
    expect((await enter(s1, 0, "BTC-USDT", 0.01)).status).toBe(200);
    await eventually("slot 0 open", async () => (await slotOf(s1, 0)).stage === "POSITION_OPEN", 10_000);
    const exit = { type: "EXIT", slot_id: 0, size: 0.01, reason: "TP" };
    expect((await s1.call("/intents", { body: exit })).status).toBe(200);
    await eventually("slot 0 closed", async () => (await slotOf(s1, 0)).stage === "CLOSED", 10_000);
    expect((await enter(s1, 1, "ETH-USDT", 0.05)).status).toBe(200);
    expect((await enter(s1, 2, "SOL-USDT", 1, 100)).status).toBe(200); // a limit far below the mark: rests
    await eventually("slot 1 open", async () => (await slotOf(s1, 1)).stage === "POSITION_OPEN", 10_000);
    await eventually("slot 2 resting", async () => (await slotOf(s1, 2)).entry_order?.status === "ACKED", 10_000);
    await eventually("maps equal /status", () => mapsEqualStatus(s1), 10_000);

    await hz.kill();
    await hz.restart(); // empty maps, and serve gets no new input from here on
    await connectReader(); // (the maps may be refilled already: serve checks as soon as its client reconnects)
    await eventually("maps refilled and equal to /status", () => mapsEqualStatus(s1), 20_000);
    expect((await maps()).DOLPHIN_STATE!["0"]).toMatchObject({ stage: "CLOSED" });
    expect(
      s1.stderr().match(/projection SINK_RESYNC: hazelcast sink at \S+ lost this projection's image/g),
    ).toHaveLength(1);
    expect((await s1.call("/status")).body.projection.sinks[0]).toMatchObject({
      sink: "hazelcast",
      up: true,
      resyncs: 1,
    });

    await s1.kill9();
    const s2 = await serve(); // Zinc in memory: the only belief is Hazelcast's
    const st = (await s2.call("/status")).body;
    expect(st.recovery).toMatchObject({ belief_source: "hazelcast", restored: [0, 1, 2], refused: [] });
    expect(st.slots[0]).toMatchObject({ stage: "CLOSED", trade_id: "RS1" });
    expect(st.slots[1]).toMatchObject({ stage: "POSITION_OPEN", trade_id: "RS2", size: 0.05 });
    expect(st.slots[2]).toMatchObject({ stage: "ENTRY_WORKING", trade_id: "RS3" });
    expect(st.slots[2].entry_order.status).toBe("ACKED");
    await eventually("maps equal the new run's /status", () => mapsEqualStatus(s2), 10_000);
    expect(await s2.stop()).toBe(0);
  }, 120_000);
});
