/**
 * HazelcastSink.writeMaps settles only once every compare-and-set of its batch has finished. The outbox
 * takes a rejected batch as "none applied", puts it back and, after its backoff, sends the newest write of
 * each key. Before, the batch rejected at the first failed write (Promise.all) while the others were still
 * in flight: a `putIfAbsent` of an older row, parked on a slow member, could land after the retry had sent a
 * newer delete of its key (which found the key absent and did nothing), so the older row came back and
 * stayed (an active-registry entry of a closed slot, a deleted slot row), against the (epoch, version)
 * rule. Against an in-memory cluster (fixtures/fake_hz_projection.ts), with one key's putIfAbsent held
 * until the test releases it and another key's read failing.
 */
import { expect, test } from "bun:test";
import type { HazelcastJsonValue } from "hazelcast-client";
import type { HzClient } from "../../src/projection/hz_client.ts";
import { HazelcastSink, type MapWrite } from "../../src/projection/index.ts";
import { FakeHazelcast } from "./fixtures/fake_hz_projection.ts";

const ACTIVE = "DITA_V2_ACTIVE_SLOTS_PINK";
const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/** The fake cluster, with key "0"'s putIfAbsent parked until `release()` and every read of key "1" failing. */
function gatedCluster() {
  const hz = new FakeHazelcast();
  let release = () => {};
  const gate = new Promise<void>((r) => (release = r));
  let parked = () => {};
  const isParked = new Promise<void>((r) => (parked = r));
  const connect: typeof hz.connect = async (...args) => {
    const c = (await hz.connect(...args)) as unknown as Record<string, unknown> & {
      getMap: (name: string) => Promise<Record<string, (...a: unknown[]) => Promise<unknown>>>;
    };
    return {
      ...c,
      getMap: async (name: string) => {
        const m = await c.getMap(name);
        return {
          ...m,
          get: async (k: string) => {
            if (k === "1") throw new Error("fake: member of key 1 not ready");
            return m.get!(k);
          },
          putIfAbsent: async (k: string, v: HazelcastJsonValue) => {
            if (k === "0") {
              parked();
              await gate;
            }
            return m.putIfAbsent!(k, v);
          },
        };
      },
    } as unknown as HzClient;
  };
  const sink = new HazelcastSink({ addr: "127.0.0.1:5701", cluster: "dev", strategy: "pink" }, connect);
  return { hz, sink, release, isParked };
}

const active = (key: string, version: number, value: boolean): MapWrite => ({
  map: ACTIVE,
  key,
  value: value ? { strategy: "pink", slot_id: Number(key), version, epoch: 7 } : null,
  version,
  epoch: 7,
});

test("a batch with a failed write settles only after its other writes finished: an older put cannot land after the retry's newer delete", async () => {
  const { hz, sink, release, isParked } = gatedCluster();
  await sink.connect();
  // The outbox's order: the batch fails, then (backoff) the newest write of key 0, a delete, is sent.
  const first = sink.writeMaps([active("0", 5, true), active("1", 2, true)]).then(
    () => "applied",
    (e: unknown) => String(e),
  );
  const retry = first.then(() => sink.writeMaps([active("0", 6, false)]));
  await isParked;
  await ticks(20); // every settled call has had its turn
  release(); // the slow member answers the older put at last
  expect(await first).toContain("key 1 not ready");
  expect(await retry).toEqual({ applied: 1, stale: 0 });
  await ticks(20);
  expect(hz.cluster.rows(ACTIVE)).toEqual({}); // the delete (version 6) is the latest write of key 0
});
