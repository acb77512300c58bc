/**
 * The request schemas `GET /openapi.json` publishes are the parsers' own source:
 *   1. a control change is accepted by `nextControlSnapshot` exactly when `controlChangeSchema`
 *      accepts it (random keys and values, valid and not), and an accepted change sets exactly
 *      its keys;
 *   2. every control snapshot key but version and updated_at_ms is either changeable (in the
 *      schema) or fixed at start (refused by both);
 *   3. a flatten body is parsed exactly when `FlattenRequestSchema` accepts it;
 *   4. `undocumentedRoutes` names a route the document lacks (so the app's start-up check bites).
 * Seeds are printed on failure.
 */

import { describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import fc from "fast-check";
import {
  ControlError,
  type ControlSnapshot,
  controlChangeSchema,
  nextControlSnapshot,
  RISK_LIMITS_OFF,
} from "../../src/contracts/control.ts";
import { FlattenRequestSchema, parseFlattenRequest } from "../../src/contracts/flatten.ts";
import { openApiDocument, undocumentedRoutes } from "../../src/http/openapi.ts";

const SLOTS = 6;
const BASE: ControlSnapshot = {
  version: 3,
  mode: "NORMAL",
  verbosity: "QUIET",
  backend: "MOCK",
  debug_clickhouse_enabled: false,
  trace_transitions: false,
  mirror_to_hazelcast: true,
  reconcile_on_restart: true,
  active_slot_limit: SLOTS,
  trading_state: "ACTIVE",
  ...RISK_LIMITS_OFF,
  updated_at_ms: 1,
};

function check<T>(arb: fc.Arbitrary<T>, predicate: (x: T) => void, numRuns = 3000): void {
  const r = fc.check(
    fc.property(arb, (x) => {
      predicate(x);
    }),
    { numRuns },
  );
  if (r.failed) throw new Error(`property failed: seed=${r.seed}\n${fc.defaultReportMessage(r)}`);
}

const KEYS = [...Object.keys(controlChangeSchema(SLOTS).properties), "backend", "reconcile_on_restart", "colour"];
const VALUE = fc.oneof(
  fc.constantFrom("NORMAL", "DEBUG", "QUIET", "VERBOSE", "TRACE", "ACTIVE", "REDUCING", "HALTED", "MOCK", "", "x"),
  fc.integer({ min: -3, max: 1300 }),
  fc.constantFrom(0, 1, 125, 126, 1200, 1201, 1e15, 1.5e15, 0.5, 1, 1.01, -0.1, 7.25),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([1]),
  fc.constant({ a: 1 }),
);
const CHANGE = fc.dictionary(fc.constantFrom(...KEYS), VALUE, { maxKeys: 4 });

function parses(change: Record<string, unknown>): boolean {
  try {
    nextControlSnapshot(BASE, change, SLOTS, 9);
    return true;
  } catch (e) {
    if (!(e instanceof ControlError)) throw e;
    return false;
  }
}

describe("request schemas and their parsers agree", () => {
  test("a control change is applied exactly when the published ControlChange schema accepts it", () => {
    const schema = controlChangeSchema(SLOTS);
    check(CHANGE, (change) => {
      expect(parses(change)).toBe(Value.Check(schema, change));
    });
  });

  test("an accepted control change sets exactly its keys and bumps the version by one", () => {
    check(CHANGE, (change) => {
      if (!parses(change)) return;
      const next = nextControlSnapshot(BASE, change, SLOTS, 9);
      expect(next).toEqual({ ...BASE, ...change, version: BASE.version + 1, updated_at_ms: 9 });
    });
  });

  test("every snapshot key is changeable through the schema or fixed at start and refused by both", () => {
    const changeable = new Set(Object.keys(controlChangeSchema(SLOTS).properties));
    for (const key of Object.keys(BASE)) {
      if (key === "version" || key === "updated_at_ms" || changeable.has(key)) continue;
      const value = BASE[key as keyof ControlSnapshot];
      expect(() => nextControlSnapshot(BASE, { [key]: value }, SLOTS, 9)).toThrow(/cannot change while serving/);
      expect(Value.Check(controlChangeSchema(SLOTS), { [key]: value })).toBe(false);
    }
    expect([...changeable].every((k) => k in BASE)).toBe(true);
  });

  test("a refusal names the key and what the schema says it must be", () => {
    expect(() => nextControlSnapshot(BASE, { max_leverage: 126 }, SLOTS, 9)).toThrow(
      "max_leverage must be an integer 0..125 (0 = off), got 126",
    );
    expect(() => nextControlSnapshot(BASE, { active_slot_limit: 7 }, SLOTS, 9)).toThrow(
      "active_slot_limit must be an integer 1..6, got 7",
    );
    expect(() => nextControlSnapshot(BASE, { toString: 1 }, SLOTS, 9)).toThrow("unknown control key 'toString'");
  });

  test("a flatten body is parsed exactly when the published FlattenRequest schema accepts it", () => {
    const body = fc.dictionary(
      fc.constantFrom("timeout_ms", "timeout", "toString"),
      fc.oneof(fc.integer({ min: 0, max: 300_000 }), fc.double({ noNaN: true }), fc.string(), fc.constant(null)),
      { maxKeys: 2 },
    );
    check(body, (b) => {
      expect(typeof parseFlattenRequest(b) !== "string").toBe(Value.Check(FlattenRequestSchema, b));
    });
    expect(parseFlattenRequest({})).toEqual({ timeout_ms: 30_000 });
  });

  test("undocumentedRoutes names a registered route the document has no operation for", () => {
    const doc = openApiDocument({ slotCount: SLOTS, version: "test" });
    const routes = [
      { method: "GET", path: "/slots/:id" },
      { method: "ALL", path: "*" },
      { method: "POST", path: "/slots/:id" },
      { method: "GET", path: "/nowhere" },
    ];
    expect(undocumentedRoutes(routes, doc)).toEqual(["POST /slots/:id", "GET /nowhere"]);
  });
});
