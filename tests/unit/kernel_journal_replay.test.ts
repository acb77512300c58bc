/**
 * `replayJournal` applies a journal's entries in journal order although it batches runs of wire
 * inputs: raw records (from the Zinc ring) and slot restores in between land exactly where they
 * were journaled, across the replay batch size, and the replayed hash equals the live kernel's.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KernelInput } from "../../src/contracts/index.ts";
import { ExecutionKernel, InputRecords, JournalError, JournalWriter, replayJournal } from "../../src/kernel/index.ts";
import { T0 } from "../_support/kernel.ts";

const dir = mkdtempSync(join(tmpdir(), "dita-replay-"));
const opened: ExecutionKernel[] = [];
afterEach(() => {
  for (const k of opened.splice(0)) k.destroy();
});
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

const mark = (price: number, now: number): KernelInput => ({
  type: "MARK_PRICE",
  asset: "BTC-USDT",
  price,
  now_ms: now,
});

/** A live kernel journaling everything it is handed; returns its final hash and the journal. */
function liveRun(path: string): string {
  const journal = new JournalWriter(path, { slot_count: 4, active_slot_limit: 4, hung_order_ms: 5_000 });
  const k = ExecutionKernel.open({
    slotCount: 4,
    activeSlotLimit: 4,
    hungOrderMs: 5_000,
    journal,
  });
  opened.push(k);
  let now = T0;
  k.apply({ type: "SEED_CAPITAL", capital: 10_000, now_ms: now });
  k.apply({
    type: "ENTER",
    slot_id: 0,
    trade_id: "R1",
    asset: "BTC-USDT",
    side: "LONG",
    size: 1,
    price: null,
    leverage: 5,
    now_ms: ++now,
  });
  const coid = k.slot(0).entry_order!.client_order_id;
  k.apply({
    type: "VENUE_EVENT",
    slot_id: null,
    now_ms: ++now,
    event: {
      kind: "FULL_FILL",
      event_id: "f1",
      venue_order_id: "900",
      client_order_id: coid,
      asset: "BTC-USDT",
      filled_size_cumulative: 1,
      avg_price: 100,
      last_fill_size: 0,
      last_fill_price: 0,
      fee_cumulative: 0.05,
      venue_time_ms: now,
    },
  });
  for (let i = 0; i < 10_000; i++) k.apply(mark(100 + (i % 9), ++now)); // crosses the replay batch size
  const raw = InputRecords.encode([mark(777, ++now)]); // as a strategy would write it into the ring
  k.applyRecords(raw);
  k.restoreSlot(new Uint8Array(k.slotImage(0)), ++now);
  for (let i = 0; i < 5; i++) k.apply(mark(200 + i, ++now));
  k.applyRecords(raw); // the same raw mark again, last: its time is now in the past
  journal.close();
  return k.stateHashHex();
}

test("a replayed journal of wire inputs, raw records and a restore ends in the live kernel's state hash", () => {
  const path = join(dir, "mixed.jsonl");
  const live = liveRun(path);
  const replay = replayJournal(path);
  opened.push(replay.kernel);
  expect(replay.state_hash).toBe(live);
  expect(replay.kernel.slot(0).mark_price).toBe(opened[0]!.slot(0).mark_price);
});

test("canary: the same entries with the raw record moved out of its place give another hash", () => {
  const path = join(dir, "moved.jsonl");
  const live = liveRun(path);
  const lines = readFileSync(path, "utf8").trimEnd().split("\n");
  const rawAt = lines.findIndex((l) => l.includes("record_b64"));
  const moved = [...lines.slice(0, rawAt), ...lines.slice(rawAt + 1, -1), lines[rawAt]!, lines.at(-1)!];
  // Renumbered, so the file stays well-formed (a seq out of order is refused): only the order differs.
  const renumbered = moved.map((l, i) => (i === 0 ? l : JSON.stringify({ ...JSON.parse(l), seq: i })));
  writeFileSync(path, `${renumbered.join("\n")}\n`);
  const replay = replayJournal(path);
  opened.push(replay.kernel);
  expect(replay.state_hash).not.toBe(live);
});

describe("the journal is an edge too: replay parses every line into a typed input", () => {
  const header = '{"journal":"dita-v2","version":1,"slot_count":4,"active_slot_limit":4,"hung_order_ms":5000}';
  const replayOf = (lines: string[]) => {
    const path = join(dir, `edge-${lines.length}-${lines[0]!.length}.jsonl`);
    writeFileSync(path, `${[header, ...lines].join("\n")}\n`);
    return () => {
      const r = replayJournal(path);
      opened.push(r.kernel);
      return r;
    };
  };

  test("a line whose input has the wrong shape stops the replay, naming the line and the field", () => {
    const replay = replayOf([
      JSON.stringify({ seq: 1, input: { type: "SEED_CAPITAL", capital: 10_000, now_ms: T0 } }),
      JSON.stringify({ seq: 2, input: { type: "MARK_PRICE", asset: "BTC-USDT", price: "100", now_ms: T0 + 1 } }),
    ]);
    expect(replay).toThrow(JournalError);
    expect(replay).toThrow(/:3: price must be a number, got "100"$/);
  });

  test("a raw record of a non-strategy kind is refused: only strategies write the ring", () => {
    const seed = InputRecords.encode([{ type: "SEED_CAPITAL", capital: 1e9, recovery: true, now_ms: T0 }]);
    const replay = replayOf([JSON.stringify({ seq: 1, record_b64: Buffer.from(seed.bytes).toString("base64") })]);
    expect(replay).toThrow(/:2: raw record of kind 8 is not a strategy input$/);
  });
});
