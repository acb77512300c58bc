/**
 * The isolation checklist (src/fleet/checklist.ts) over hand-built observations: every item gets a
 * verdict; items 5–7 are NOT CHECKED without a baseline; a leak, a changed pid, a changed row count
 * or map of an untouched namespace, a namespace that lost rows, a changed kernel not back, and two
 * kernels sharing an account or a state dir each fail exactly the item that names them. A saved
 * observation parses back; a damaged one is refused with one line.
 */
import { describe, expect, test } from "bun:test";
import {
  checklist,
  checklistOk,
  type NamespaceObservation,
  type Observation,
  parseObservation,
} from "../../src/fleet/index.ts";
import { fleetKernel, namespaceObservation } from "../_support/fleet.ts";

const kernel = fleetKernel;

const ns = namespaceObservation;

function observation(namespaces: Record<string, NamespaceObservation>, leak = false): Observation {
  const rows = Object.keys(namespaces).flatMap((n) => [
    {
      namespace: n,
      surface: `DOLPHIN_STATE_${n.toUpperCase()}`,
      kind: "map" as const,
      entries: 1,
      foreign: 0,
      ok: true,
      detail: "",
    },
    {
      namespace: n,
      surface: "dita.trade_events",
      kind: "table" as const,
      entries: 1,
      foreign: 0,
      ok: true,
      detail: "",
    },
  ]);
  if (leak)
    rows.push({
      namespace: "blue",
      surface: "DOLPHIN_STATE_BLUE",
      kind: "map",
      entries: 2,
      foreign: 1,
      ok: false,
      detail: "9:strategy=pink",
    });
  return {
    observation: 1,
    at_ms: 2_000,
    hazelcast_cluster: "dita",
    clickhouse_database: "dita",
    namespaces,
    isolation: { ok: !leak, rows },
    malformed: [],
  };
}

const verdicts = (items: ReturnType<typeof checklist>) => items.map((i) => i.verdict);
const desk = () => ({
  pink: ns(kernel("pink", 1), "p", 10),
  blue: ns(kernel("blue", 2), "b", 20),
  green: ns(kernel("green", 3), "g", 30),
});

describe("isolation checklist", () => {
  test("without a baseline: eight items, 1–4, 6 and 8 checked live, 5 and 7 NOT CHECKED and saying why", () => {
    const items = checklist(observation(desk()), null, new Set());
    expect(items.map((i) => i.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(verdicts(items)).toEqual(["PASS", "PASS", "PASS", "PASS", "NOT CHECKED", "PASS", "NOT CHECKED", "PASS"]);
    expect(items[4]!.detail).toContain("needs --baseline");
    expect(checklistOk(items)).toBe(true);
  });

  test("one namespace restarted (changed), the others untouched: every item passes", () => {
    const before = observation(desk());
    const after = desk();
    after.pink = ns(kernel("pink", 9), "p2", 12, 2); // new process, new rows, rewritten maps
    const items = checklist(observation(after), before, new Set(["pink"]));
    expect(verdicts(items)).toEqual(Array(8).fill("PASS"));
  });

  test("an untouched kernel with a new pid, new rows and changed maps fails items 5, 6 and 7 naming it", () => {
    const before = observation(desk());
    const after = desk();
    after.blue = ns(kernel("blue", 7), "b2", 21);
    const items = checklist(observation(after), before, new Set(["pink"]));
    expect(verdicts(items)).toEqual(["PASS", "PASS", "PASS", "PASS", "FAIL", "FAIL", "FAIL", "PASS"]);
    expect(items[4]!.detail).toContain("blue topic: 20 → 21");
    expect(items[5]!.detail).toContain("blue: h1 pid 2");
    expect(items[6]!.detail).toContain("blue: 4 → 4 entries, content differs");
    expect(checklistOk(items)).toBe(false);
  });

  test("a changed namespace that lost rows, or whose kernel is not back, or whose maps were not rewritten fails", () => {
    const before = observation(desk());
    const after = desk();
    after.pink = ns(null, "p", 9, 1);
    const items = checklist(observation(after), before, new Set(["pink"]));
    expect(items[4]!.detail).toContain("pink topic: 10 → 9");
    expect(items[5]!.detail).toContain("pink: changed kernel not back");
    expect(items[6]!.detail).toContain("pink: control row not rewritten by a new run");
  });

  test("a leak fails item 3 with the surface; two kernels sharing an account or a state dir fail item 8", () => {
    const leaky = checklist(observation(desk(), true), null, new Set());
    expect(leaky[2]).toMatchObject({ verdict: "FAIL", detail: "DOLPHIN_STATE_BLUE: 9:strategy=pink" });
    const shared = desk();
    shared.blue = ns(kernel("blue", 2, { account: "acct-pink" }), "b", 20);
    shared.green = ns(
      kernel("green", 3, { identity: { ...kernel("pink", 1).identity, http_url: "http://127.0.0.1:7999" } }),
      "g",
      30,
    );
    const items = checklist(observation(shared), null, new Set());
    expect(items[7]!.verdict).toBe("FAIL");
    expect(items[7]!.detail).toContain("pink and blue share account acct-pink");
    expect(items[7]!.detail).toContain("pink and green share state dir /srv/pink on h1");
  });

  test("a stale or unhealthy kernel fails item 6 even without a baseline; ClickHouse off leaves item 1 NOT CHECKED", () => {
    const d = desk();
    d.green = ns(kernel("green", 3, { state: "stale", why: "no heartbeat for 9000 ms" }), "g", 30);
    const o = { ...observation(d), clickhouse_database: null };
    const items = checklist(o, null, new Set());
    expect(items[5]).toMatchObject({ verdict: "FAIL", detail: "green stale: no heartbeat for 9000 ms" });
    expect(items[0]).toMatchObject({ verdict: "NOT CHECKED" });
  });

  test("a saved observation parses back; a damaged one is refused with one line", () => {
    const o = observation(desk());
    expect(parseObservation(JSON.stringify(o))).toEqual({ ok: true, value: o });
    expect(parseObservation("{")).toEqual({ ok: false, error: "not JSON" });
    expect(parseObservation(JSON.stringify({ ...o, observation: 2 }))).toEqual({
      ok: false,
      error: "not a fleet observation of version 1",
    });
    const bad = { ...o, namespaces: { pink: { ...o.namespaces.pink!, kernel: { namespace: "pink" } } } };
    expect(parseObservation(JSON.stringify(bad)).ok).toBe(false);
  });
});
