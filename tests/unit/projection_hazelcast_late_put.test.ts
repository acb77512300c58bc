/**
 * A map write whose call failed may still land later: the Hazelcast client fails a call it has sent when
 * it gives up on the connection (heartbeat timeout, a replaced client), while the member may execute the
 * request afterwards (it sat in a stalled member's socket buffer, or in a TCP retransmission queue). The
 * compare-and-set on (epoch, version) keeps every replace and remove safe (they compare the stored bytes),
 * but a `putIfAbsent` needs nothing stored, and a delete leaves nothing stored:
 *
 *   1. the ACK of slot 0 queues a put of its active-registry row (version 5); the sink reads the key
 *      (absent) and sends `putIfAbsent(0, v5)`; the member stalls, the client fails the call;
 *   2. the outbox keeps v5, the slot closes meanwhile, so the newest write of key 0 is a delete (v6);
 *   3. the member answers again: the retry's delete reads the key (absent) and is done (nothing to delete);
 *   4. the stalled `putIfAbsent(0, v5)` executes now: the closed slot is listed as live, and nothing ever
 *      writes key 0 again (the kernel's last write, v6, counts as done).
 *
 * Against an in-memory cluster (fixtures/fake_hz_projection.ts) through the real Outbox and HazelcastSink,
 * with one `putIfAbsent` failed at once and applied when the test says.
 */
import { expect, test } from "bun:test";
import type { HazelcastJsonValue } from "hazelcast-client";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { HzClient } from "../../src/projection/hz_client.ts";
import { HazelcastSink, type MapWrite, Outbox, type ProjectionDiagnostic } from "../../src/projection/index.ts";
import { FakeHazelcast } from "./fixtures/fake_hz_projection.ts";

const ACTIVE = "DITA_V2_ACTIVE_SLOTS_PINK";
const EPOCH = 7;
const RECHECK_MS = 60_000;

type MapProxy = Record<string, (...a: unknown[]) => Promise<unknown>>;

/** The fake cluster, whose first `putIfAbsent` of key "0" fails at once and lands when `land()` is called. */
function lateLandingCluster() {
  const hz = new FakeHazelcast();
  let land: (() => Promise<void>) | null = null;
  let reads = 0;
  const connect: typeof hz.connect = async (...args) => {
    const c = (await hz.connect(...args)) as unknown as { getMap: (name: string) => Promise<MapProxy> };
    return {
      ...c,
      getMap: async (name: string) => {
        const m = await c.getMap(name);
        return {
          ...m,
          get: async (k: string) => {
            if (k === "0") reads++;
            return m.get!(k);
          },
          putIfAbsent: async (k: string, v: HazelcastJsonValue) => {
            if (k !== "0" || land !== null) return m.putIfAbsent!(k, v);
            land = async () => void (await m.putIfAbsent!(k, v));
            throw new Error("Heartbeat timed out to connection Connection{alive=false}");
          },
        };
      },
    } as unknown as HzClient;
  };
  const sink = new HazelcastSink({ addr: "127.0.0.1:5701", cluster: "dev", strategy: "pink" }, connect);
  return { hz, sink, land: () => land?.() ?? Promise.reject(new Error("no put was held")), reads: () => reads };
}

const active = (key: string, version: number, live: boolean): MapWrite => ({
  map: ACTIVE,
  key,
  value: live ? { strategy: "pink", slot_id: Number(key), stage: "ENTRY_WORKING", version, epoch: EPOCH } : null,
  version,
  epoch: EPOCH,
});

function outboxOn(sink: HazelcastSink, clock: ManualClock, diags: ProjectionDiagnostic[]): Outbox {
  return new Outbox(sink, {
    clock,
    spool: null,
    delayMs: 1,
    retryMinMs: 1,
    retryMaxMs: 5,
    imageCheckMs: 5,
    mapRecheckMs: RECHECK_MS,
    onDiagnostic: (d) => diags.push(d),
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms && !cond(); waited += 5) await sleep(5);
  return cond();
}

/** Steps 1-3 of the header: the put failed but is held, and the newer delete is done (the key is absent). */
async function putFailedThenDeleted() {
  const cluster = lateLandingCluster();
  const clock = new ManualClock(1_000);
  const diags: ProjectionDiagnostic[] = [];
  const outbox = outboxOn(cluster.sink, clock, diags);
  // The slot closes while the put is failing: the kernel's last write of key 0, queued before any retry.
  diags.push = (d) => {
    if (d.code === "SINK_DOWN" && diags.length === 0) outbox.putMap(active("0", 6, false));
    return Array.prototype.push.call(diags, d);
  };
  outbox.putMap(active("0", 5, true));
  expect(await until(() => diags.some((d) => d.code === "SINK_UP"), 2_000)).toBe(true);
  expect(await outbox.flush(2_000)).toBe(true);
  expect(outbox.stats().map_writes_applied).toBe(0); // the delete found nothing to delete
  expect(cluster.hz.cluster.rows(ACTIVE)).toEqual({});
  return { ...cluster, clock, diags, outbox };
}

test("a failed putIfAbsent that lands after the newer delete of its key is removed again: the closed slot does not stay in the active registry", async () => {
  const { hz, land, outbox } = await putFailedThenDeleted();
  await land(); // step 4: the stalled member executes the old put
  expect(Object.keys(hz.cluster.rows(ACTIVE))).toEqual(["0"]);
  // The outbox re-sends the newest write of every key of a failed batch at each check (every 5 ms here).
  expect(await until(() => Object.keys(hz.cluster.rows(ACTIVE)).length === 0, 2_000)).toBe(true);
  expect(outbox.stats().pending_map_writes).toBe(0);
  await outbox.close();
});

test("re-sending the newest write never regresses a key: a newer put stays when the old put lands late on it", async () => {
  const { hz, land, outbox } = await putFailedThenDeleted();
  outbox.putMap(active("0", 9, true)); // the slot opened a new trade
  expect(await outbox.flush(2_000)).toBe(true);
  await land(); // finds the key present: nothing changes
  await sleep(50); // about ten checks, each re-sending version 9
  expect(hz.cluster.rows(ACTIVE)).toEqual({ "0": expect.objectContaining({ version: 9 }) });
  expect(outbox.stats().map_writes_applied).toBe(1); // version 9 only: every re-send found it there
  await outbox.close();
});

test("a key is re-checked for mapRecheckMs after the sink came back, then no more", async () => {
  const { clock, reads, outbox } = await putFailedThenDeleted();
  const before = reads();
  await sleep(30);
  expect(reads()).toBeGreaterThan(before); // re-read at each check while in doubt
  clock.advance(RECHECK_MS + 1);
  await sleep(30); // the last check after the window re-sends it one more time and forgets it
  const after = reads();
  await sleep(30);
  expect(reads()).toBe(after);
  await outbox.close();
});
