/**
 * A chaos checkpoint waits for quiescence, resolves hung orders, then waits again before it
 * audits. Resolving hung orders moves the system (a query, a RECONCILE, a cancel): if it does not
 * settle again within the bound, the audit would read a moving target, so that is a QUIESCE
 * finding too, not only a first wait that timed out.
 */

import { describe, expect, test } from "bun:test";
import { checkpoint } from "../../src/chaos/checkpoint.ts";
import type { Harness } from "../../src/chaos/harness.ts";

/** A harness stand-in: `settles` answers each settle() in turn; the auditor is replaced (finds nothing). */
function harness(settles: boolean[]): { h: Harness; calls: string[] } {
  const calls: string[] = [];
  const h = {
    settle: async () => {
      calls.push("settle");
      return settles.shift() ?? true;
    },
    resolveHung: async () => {
      calls.push("resolveHung");
      return { flagged: 1, unresolved: [] };
    },
    truth: async () => ({ positions: [], open_orders: [], wallet: null, placements_max: 0 }),
    kernel: { slots: () => [], account: () => ({}), fsmTable: () => "" },
    seededCapital: 0,
    settlements: [],
    incarnation: 0,
    trades: [],
    diagnostics: [],
    transitions: [],
  } as unknown as Harness;
  return { h, calls };
}

const quiesce = (found: { invariant: string; message: string }[]) => found.filter((f) => f.invariant === "QUIESCE");

describe("chaos checkpoint quiescence", () => {
  test("a system that settles, then does not settle after its hung orders are resolved, is a QUIESCE finding", async () => {
    const { h, calls } = harness([true, false]);
    const found = await checkpoint(h, { auditor: () => [] });
    expect(calls).toEqual(["settle", "resolveHung", "settle"]);
    expect(quiesce(found).length).toBe(1);
    expect(quiesce(found)[0]!.message).toContain("after hung orders were resolved");
  });

  test("a system that never settles is a QUIESCE finding for each wait", async () => {
    const { h } = harness([false, false]);
    expect(quiesce(await checkpoint(h, { auditor: () => [] })).length).toBe(2);
  });

  test("a system that settles both times has no QUIESCE finding", async () => {
    const { h } = harness([true, true]);
    expect(quiesce(await checkpoint(h, { auditor: () => [] }))).toEqual([]);
  });
});
