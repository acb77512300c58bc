/**
 * A failed `putIfAbsent` that lands after the newer delete of its key, against a real Hazelcast 5.5.0 member
 * (started for this file). The real client fails a call it has sent when it gives up on the connection, and
 * the member may execute it afterwards; the timing cannot be forced on one live member, so the client here is
 * the real one with one call intercepted: the first `putIfAbsent` of key "0" fails at once and is sent for
 * real when the test says (the late landing). What the member does with it, and with the outbox's repair
 * (the raw-JSON `get`, then `remove(key, value)` comparing the stored bytes), is the member's own.
 * The unit version, with the interleaving spelled out: tests/unit/projection_hazelcast_late_put.test.ts.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { type HzClient, newHzClient } from "../../src/projection/hz_client.ts";
import { HazelcastSink, Outbox, type ProjectionDiagnostic } from "../../src/projection/index.ts";
import { type HazelcastService, startHazelcast } from "./_services.ts";

const ACTIVE = "DITA_V2_ACTIVE_SLOTS_LATE";
const EPOCH = 1_700_000_000_000;

let hz: HazelcastService;
let reader: HzClient;
beforeAll(async () => {
  hz = await startHazelcast("dita-late-put");
  reader = await newHzClient({ addr: hz.addr, cluster: hz.cluster }, false);
}, 120_000);
afterAll(async () => {
  await reader?.shutdown().catch(() => {});
  await hz?.destroy();
}, 60_000);

/** The real client, except that its first `putIfAbsent` of key "0" fails at once and is sent when `land()` is called. */
function holdingOnePut() {
  let land: (() => Promise<unknown>) | null = null;
  const hold = (m: object) =>
    new Proxy(m, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target);
        if (prop !== "putIfAbsent") return typeof v === "function" ? v.bind(target) : v;
        return async (k: string, value: unknown) => {
          if (k !== "0" || land !== null) return v.call(target, k, value);
          land = () => v.call(target, k, value);
          throw new Error("Heartbeat timed out to connection (the member may still execute the call)");
        };
      },
    });
  const connect: typeof newHzClient = async (...args) => {
    const c = await newHzClient(...args);
    return new Proxy(c, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target);
        if (prop !== "getMap") return typeof v === "function" ? v.bind(target) : v;
        return async (name: string) => hold(await target.getMap(name));
      },
    });
  };
  return { connect, land: async () => void (await land?.()) };
}

const active = (version: number, live: boolean) => ({
  map: ACTIVE,
  key: "0",
  value: live ? { strategy: "late", slot_id: 0, stage: "ENTRY_WORKING", version, epoch: EPOCH } : null,
  version,
  epoch: EPOCH,
});

async function until(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 20) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

test("a registry put the client failed, landing on the live member after the slot's delete, is removed within a check", async () => {
  const { connect, land } = holdingOnePut();
  const sink = new HazelcastSink({ addr: hz.addr, cluster: hz.cluster, strategy: "late" }, connect);
  const diags: ProjectionDiagnostic[] = [];
  const outbox = new Outbox(sink, {
    clock: new ManualClock(EPOCH),
    spool: null,
    delayMs: 2,
    retryMinMs: 20,
    retryMaxMs: 100,
    imageCheckMs: 50,
    onDiagnostic: (d) => {
      // The slot closes while its ACK's put is failing: the kernel's last write of key 0, queued before any retry.
      if (d.code === "SINK_DOWN" && diags.length === 0) outbox.putMap(active(6, false));
      diags.push(d);
    },
  });
  try {
    const registry = await reader.getMap<string, Record<string, unknown>>(ACTIVE);
    outbox.putMap(active(5, true));
    expect(await until(async () => diags.some((d) => d.code === "SINK_UP"), 10_000)).toBe(true);
    expect(await outbox.flush(10_000)).toBe(true);
    expect(await registry.size()).toBe(0);
    await land(); // the member executes the old put now: the closed slot is listed as live
    expect(await registry.get("0")).toMatchObject({ stage: "ENTRY_WORKING", version: 5 });
    expect(await until(async () => (await registry.size()) === 0, 5_000)).toBe(true);
    expect(diags.map((d) => d.code)).toEqual(["SINK_DOWN", "SINK_UP"]);
  } finally {
    await outbox.close();
    await sink.close();
  }
}, 60_000);
