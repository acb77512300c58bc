/**
 * The isolation checklist (src/fleet/checklist.ts) must not PASS what it never compared:
 * a namespace seen now but absent from the baseline (an empty baseline, one from another desk, a
 * strategy started meanwhile and not declared changed), a baseline from another Hazelcast cluster or
 * saved with another ClickHouse database (or with ClickHouse off), and a fleet entry that cannot be
 * read (neither now nor in the baseline: "could not read" is not "unchanged"). A baseline file
 * missing what items 5–8 compare is refused, not accepted as "nothing to compare".
 */
import { describe, expect, test } from "bun:test";
import {
  checklist,
  checklistOk,
  type FleetKernel,
  type NamespaceObservation,
  type Observation,
  parseObservation,
} from "../../src/fleet/index.ts";
import { fleetKernel, namespaceObservation } from "../_support/fleet.ts";

const kernel = fleetKernel;

const digest = (c: string) => c.repeat(64).slice(0, 64);

const ns = (k: FleetKernel | null, d: string, rows: number, epoch = 1) =>
  namespaceObservation(k, digest(d), rows, epoch);

function observation(namespaces: Record<string, NamespaceObservation>, over: Partial<Observation> = {}): Observation {
  return {
    observation: 1,
    at_ms: 2_000,
    hazelcast_cluster: "dita",
    clickhouse_database: "dita",
    namespaces,
    isolation: { ok: true, rows: [] },
    malformed: [],
    ...over,
  };
}

const verdicts = (items: ReturnType<typeof checklist>) => items.map((i) => i.verdict);
const desk = (): Record<string, NamespaceObservation> => ({
  pink: ns(kernel("pink", 1), "a", 10),
  blue: ns(kernel("blue", 2), "b", 20),
  green: ns(kernel("green", 3), "c", 30),
});

describe("checklist: namespaces present on one side only", () => {
  test("a namespace seen now but not in the baseline, not declared changed, fails items 5, 6 and 7", () => {
    const withoutGreen = desk();
    delete withoutGreen.green;
    const before = observation(withoutGreen);
    const items = checklist(observation(desk()), before, new Set());
    expect(verdicts(items)).toEqual(["PASS", "PASS", "PASS", "PASS", "FAIL", "FAIL", "FAIL", "PASS"]);
    expect(items[4]!.detail).toContain("green topic: 0 → 30");
    expect(items[5]!.detail).toContain("green: not in the baseline → h1 pid 3");
    expect(items[6]!.detail).toContain("green: not in the baseline");
    // Declared changed (a strategy started on purpose since the baseline): it passes.
    expect(checklistOk(checklist(observation(desk()), before, new Set(["green"])))).toBe(true);
  });

  test("an empty baseline (a cluster just restarted, another desk) does not pass a full desk", () => {
    const items = checklist(observation(desk()), observation({}), new Set());
    expect(verdicts(items).slice(4, 7)).toEqual(["FAIL", "FAIL", "FAIL"]);
    expect(checklistOk(items)).toBe(false);
  });
});

describe("checklist: a baseline of another cluster or database", () => {
  test("a baseline from another Hazelcast cluster fails items 5–8, even with every namespace declared changed", () => {
    const before = observation(desk(), { hazelcast_cluster: "staging" });
    for (const changed of [new Set<string>(), new Set(["pink", "blue", "green"])]) {
      const items = checklist(observation(desk()), before, changed);
      expect(verdicts(items)).toEqual(["PASS", "PASS", "PASS", "PASS", "FAIL", "FAIL", "FAIL", "FAIL"]);
      for (const i of items.slice(4)) expect(i.detail).toContain('baseline of hazelcast cluster "staging"');
    }
  });

  test("a baseline saved with ClickHouse off fails item 5 instead of passing on topic counts alone", () => {
    const bare = (o: NamespaceObservation): NamespaceObservation => ({ ...o, table_rows: {} });
    const d = desk();
    const before = observation(
      { pink: bare(d.pink!), blue: bare(d.blue!), green: bare(d.green!) },
      { clickhouse_database: null },
    );
    const items = checklist(observation(desk()), before, new Set());
    expect(items[4]!.verdict).toBe("FAIL");
    expect(items[4]!.detail).toContain("ClickHouse database none in the baseline, dita now");
    // The same settings on both sides (both off): the topic counts compare and pass.
    const off = observation(
      { pink: bare(d.pink!), blue: bare(d.blue!), green: bare(d.green!) },
      { clickhouse_database: null },
    );
    expect(checklist(off, before, new Set())[4]!.verdict).toBe("PASS");
  });
});

describe("checklist: an unreadable fleet entry is not an unchanged kernel", () => {
  test("blue's entry unreadable in the baseline and now: item 6 and 8 fail naming it", () => {
    const d = desk();
    d.blue = ns(null, "b", 20);
    const bad = "DITA_V2_FLEET[blue]: identity";
    const before = observation(d, { malformed: [bad] });
    const items = checklist(observation(d, { malformed: [bad] }), before, new Set());
    expect(items[5]!.verdict).toBe("FAIL");
    expect(items[5]!.detail).toContain(`unreadable fleet entry ${bad}`);
    expect(items[7]!.verdict).toBe("FAIL");
    // Without a baseline as well.
    const live = checklist(observation(d, { malformed: [bad] }), null, new Set());
    expect(live[5]!.verdict).toBe("FAIL");
  });
});

describe("parseObservation: a baseline missing what the checklist compares is refused", () => {
  const saved = () => JSON.parse(JSON.stringify(observation(desk()))) as Record<string, any>;
  test("blue's table_rows missing: refused (accepted, item 5 would pass with blue's rows changed)", () => {
    const o = saved();
    delete o.namespaces.blue.table_rows;
    const p = parseObservation(JSON.stringify(o));
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.error).toContain("blue");
  });

  test.each([
    ["namespaces an array", (o: Record<string, any>) => (o.namespaces = [])],
    ["no hazelcast_cluster", (o: Record<string, any>) => delete o.hazelcast_cluster],
    ["clickhouse_database missing", (o: Record<string, any>) => delete o.clickhouse_database],
    ["a table count as text", (o: Record<string, any>) => (o.namespaces.pink.table_rows["dita.trade_events"] = "10")],
    ["maps.entries missing", (o: Record<string, any>) => delete o.namespaces.green.maps.entries],
    ["control_epoch as text", (o: Record<string, any>) => (o.namespaces.green.maps.control_epoch = "7")],
    ["a negative topic count", (o: Record<string, any>) => (o.namespaces.green.topic_messages = -1)],
    ["malformed not a list", (o: Record<string, any>) => (o.malformed = "x")],
  ])("%s: refused", (_what, damage) => {
    const o = saved();
    damage(o);
    expect(parseObservation(JSON.stringify(o)).ok).toBe(false);
  });

  test("a root that is not an object: refused with one line", () => {
    for (const text of ["[1]", "null", "7", '"x"']) expect(parseObservation(text).ok).toBe(false);
  });

  test("an intact observation still parses back to itself", () => {
    const o = observation(desk());
    expect(parseObservation(JSON.stringify(o))).toEqual({ ok: true, value: o });
  });
});
