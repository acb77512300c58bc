/**
 * A flatten that needs the venue's truth (a stale slot) waits for a live reconciliation pass by racing it against
 * its bound and `stop`'s wake. The wake was one promise for the flattener's whole life, settled only at shutdown: a
 * pending promise keeps every race run against it (its reaction, and the race's own Promise), so each such wait of
 * every flatten stayed in memory for as long as serve ran (weeks). Each flatten now waits on a wake of its own.
 *
 * Proved by count, not by time or RSS: the Promises alive after a full GC (`bun:jsc` heapStats), before and after
 * 500 flattens that each wait for one pass, through the real Flattener over a minimal book (one slot, stale until
 * the pass).
 */

import { heapStats } from "bun:jsc";
import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { FlattenRequest } from "../../src/contracts/flatten.ts";
import type { SlotRecord } from "../../src/contracts/records.ts";
import { type FlattenDeps, Flattener } from "../../src/launcher/flatten.ts";

const FLATTENS = 500;

/** A one-slot book whose slot is stale until a reconcile pass takes the venue's truth (then IDLE). */
function staleBook() {
  const slot = (stage: SlotRecord["stage"]) =>
    ({ slot_id: 0, stage, asset: "BTC-USDT", entry_order: null, exit_order: null }) as unknown as SlotRecord;
  const book = { stale: true };
  const now = () => slot(book.stale ? "STALE_STATE_RECONCILING" : "IDLE");
  const deps = {
    kernel: { slots: () => [now()], slot: () => now(), account: () => ({ capital: 1_000 }) },
    executor: { accepting: true },
    venue: {
      orderHoldMs: () => null,
      openOrders: async () => [],
      positions: async () => [],
      balance: async () => ({ balance: 1_000 }),
    },
    clock: new ManualClock(1_700_000_000_000),
    halt: () => {},
    reconcileNow: async () => {
      book.stale = false;
    },
    sleep: () => new Promise<void>(() => {}), // the bound never passes here: the pass answers first
    log: () => {},
  } as unknown as FlattenDeps;
  return { book, flattener: new Flattener(deps) };
}

async function flattenStale(n: number, b: ReturnType<typeof staleBook>): Promise<void> {
  for (let i = 0; i < n; i++) {
    b.book.stale = true;
    const report = await b.flattener.run({ timeout_ms: 30_000 } as FlattenRequest);
    if (!report.complete) throw new Error(`flatten ${i} did not complete`);
  }
}

function promisesAlive(): number {
  Bun.gc(true);
  return heapStats().objectTypeCounts.Promise ?? 0;
}

test("flatten after flatten, each waiting for a reconcile pass, keeps no wait alive: the Promises alive stay bounded", async () => {
  const b = staleBook();
  await flattenStale(50, b); // warm-up: what the first flattens create once (module state, JIT) is not counted
  const before = promisesAlive();
  await flattenStale(FLATTENS, b);
  const grown = promisesAlive() - before;
  expect(grown).toBeLessThan(FLATTENS / 10); // before: one Promise (at least) per flatten's wait, for ever
});
