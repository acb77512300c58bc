/**
 * Reading DITA_V2_FLEET when another tool wrote a value of its own into the map: the read still lists
 * every kernel, and the foreign value is one malformed entry named by its key, never an error for the
 * whole read. The map here stores serialized bytes and deserializes them with hazelcast-client's own
 * serialization service, the way its map proxy answers entrySet (every value at once), keySet and
 * get (configured as the fleet's client is: JSON values raw). A value of a type this client has no
 * deserializer for (Python pickle, Java serialization, an unknown IdentifiedDataSerializable
 * factory) throws there, so one such value used to fail every `dita-v2 fleet`, `GET /fleet` and
 * `--verify-isolation`. A cluster that fails the call is still a failed read, not a malformed entry.
 */
import { describe, expect, test } from "bun:test";
import { createRequire } from "node:module";
import { HazelcastJsonValue, JsonStringDeserializationPolicy, TargetDisconnectedError } from "hazelcast-client";
import { type FleetEntry, readFleet } from "../../src/fleet/index.ts";

// The library's serialization internals (not in its published types).
type Data = { getType(): number };
const lib = createRequire(import.meta.url);
const { SerializationConfigImpl } = lib("hazelcast-client/lib/config/SerializationConfig") as {
  SerializationConfigImpl: new () => { jsonStringDeserializationPolicy: JsonStringDeserializationPolicy };
};
const { HeapData } = lib("hazelcast-client/lib/serialization/HeapData") as { HeapData: new (b: Buffer) => Data };
const { SerializationServiceV1 } = lib("hazelcast-client/lib/serialization/SerializationService") as {
  SerializationServiceV1: new (
    config: unknown,
    schemas: unknown,
  ) => { toData(v: unknown): Data; toObject(d: Data): unknown };
};

const config = new SerializationConfigImpl();
config.jsonStringDeserializationPolicy = JsonStringDeserializationPolicy.NO_DESERIALIZATION;
const ss = new SerializationServiceV1(config, {});

/** Stored bytes of another serializer: partition hash, type id, payload. */
function foreign(typeId: number, payload: number[]): Data {
  const b = Buffer.alloc(8 + payload.length);
  b.writeInt32BE(0, 0);
  b.writeInt32BE(typeId, 4);
  Buffer.from(payload).copy(b, 8);
  return new HeapData(b);
}
const PICKLE = foreign(-120, [0x80, 0x04, 0x4b, 0x01, 0x2e]);
const JAVA_SERIALIZABLE = foreign(-100, [0xac, 0xed, 0x00, 0x05]);
const UNKNOWN_IDS = foreign(-2, [1, 0, 0, 0, 99, 0, 0, 0, 1]);

/** A map of serialized rows answering as hazelcast-client's map proxy does (deserializing on read). */
function serializedMap(rows: [unknown, unknown][], fail: { op?: string; error?: Error } = {}) {
  const stored = rows.map(([k, v]) => [ss.toData(k), v instanceof HeapData ? v : ss.toData(v)] as const);
  const call = async <T>(op: string, f: () => T): Promise<T> => {
    if (fail.op === op) throw fail.error;
    return f();
  };
  const map = {
    entrySet: () => call("entrySet", () => stored.map(([k, v]) => [ss.toObject(k), ss.toObject(v)])),
    keySet: () => call("keySet", () => stored.map(([k]) => ss.toObject(k))),
    get: (key: unknown) =>
      call("get", () => {
        const hit = stored.find(([k]) => ss.toObject(k) === key);
        return hit === undefined ? null : ss.toObject(hit[1]);
      }),
  };
  return { getMap: async () => map } as unknown as Parameters<typeof readFleet>[0];
}

const entry = (ns: string, pid: number): FleetEntry => ({
  namespace: ns,
  host: "h1",
  pid,
  version: "0.1.0",
  run: "0123456789abcdef",
  health: { ok: true, reasons: [] },
  trading_state: "ACTIVE",
  slots_in_use: 0,
  slot_count: 8,
  last_input_ms: null,
  projection_backlog: 0,
  started_at_ms: 500,
  heartbeat_at_ms: 10_000,
  heartbeat_ms: 5_000,
  ttl_ms: 15_000,
  venue: "BINGX",
  account: null,
  lease: "off",
  identity: {
    http_url: `http://127.0.0.1:${7000 + pid}`,
    state_dir: `/srv/${ns}`,
    zinc_prefix: null,
    clickhouse_database: null,
    hazelcast_cluster: "dita",
  },
});
const json = (e: FleetEntry) => new HazelcastJsonValue(JSON.stringify(e));

describe("reading the fleet map holding another tool's values", () => {
  test("a value no deserializer here can read is a malformed entry named by its key; every kernel is still listed", async () => {
    const client = serializedMap([
      ["pink", json(entry("pink", 100))],
      ["cache", PICKLE],
      ["green", json(entry("green", 102))],
      ["javaobj", JAVA_SERIALIZABLE],
      ["ids", UNKNOWN_IDS],
    ]);
    const f = await readFleet(client, () => 11_000);
    expect(f.kernels.map((k) => [k.namespace, k.state])).toEqual([
      ["green", "ok"],
      ["pink", "ok"],
    ]);
    expect(f.malformed.sort()).toEqual([
      "DITA_V2_FLEET[cache]: a value this client cannot read (There is no suitable deserializer for data with type -120)",
      "DITA_V2_FLEET[ids]: a value this client cannot read (There is no Identified Data Serializer factory with id 99.)",
      "DITA_V2_FLEET[javaobj]: a value this client cannot read (There is no suitable deserializer for data with type -100)",
    ]);
  });

  test("foreign values the client can read (a string, a number, a date, a list) are malformed entries too", async () => {
    const client = serializedMap([
      ["pink", json(entry("pink", 100))],
      ["s", "hello"],
      ["n", 5],
      ["d", new Date(0)],
      ["a", ["x"]],
      ["blue", json({ ...entry("blue", 101), namespace: "pink" })],
    ]);
    const f = await readFleet(client, () => 11_000);
    expect(f.kernels.map((k) => k.namespace)).toEqual(["pink"]);
    expect(f.malformed.sort()).toEqual([
      "DITA_V2_FLEET[a]: not a JSON object",
      'DITA_V2_FLEET[blue]: namespace "pink"',
      "DITA_V2_FLEET[d]: not JSON",
      "DITA_V2_FLEET[n]: not a JSON object",
      "DITA_V2_FLEET[s]: not JSON",
    ]);
  });

  test("the cluster failing the call is still a failed read, with its own error (not a malformed entry)", async () => {
    const down = new TargetDisconnectedError("connection to member lost");
    await expect(
      readFleet(serializedMap([["pink", json(entry("pink", 100))]], { op: "entrySet", error: down }), () => 1),
    ).rejects.toBe(down);
    // entrySet failed on a foreign value, then the cluster failed the one-by-one read: the read fails.
    await expect(
      readFleet(
        serializedMap(
          [
            ["pink", json(entry("pink", 100))],
            ["cache", PICKLE],
          ],
          { op: "get", error: down },
        ),
        () => 1,
      ),
    ).rejects.toBe(down);
  });
});
