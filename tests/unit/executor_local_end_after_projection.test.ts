/**
 * An order the executor ends locally while it dispatches (an entry withdrawn before it left: its CANCEL came while it
 * waited for its leverage, or it was asked cancelled in the batch that opened it) is told to the kernel only after the
 * dispatching input's outcome went to `afterApply` (projection, metrics, events). Before, the local CANCEL_ACK was
 * applied inside the dispatch, so the runtime projected it first and then projected the CANCEL with the journal seq
 * of the CANCEL_ACK (read at that moment) and the slot as the CANCEL_ACK left it: two rows under one id, the
 * CANCEL's transition row lost, and the live rows no longer the journal's (found by
 * tests/e2e/crash_points_inflight_bingx.test.ts, every seed but one of 1..8: `dita-v2 replay --project` rebuilt a
 * `…:T0` transition row the live table lacked). Real kernel, mock venue whose leverage call the test holds open, and
 * a counting journal standing in for the runtime's (`inputs.entries`, the seq the runtime gives an outcome's rows).
 */

import { expect, test } from "bun:test";
import type { KernelInput, StrategyIntent } from "../../src/contracts/intents.ts";
import type { KernelOutcome, TransitionRecord } from "../../src/contracts/records.ts";
import type { OrderRequest, PositionSide, VenueAdapter } from "../../src/contracts/venue.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { kernelsPerTest } from "../_support/kernel.ts";

const journal = { entries: 0 };
const kernel = kernelsPerTest({
  slots: 2,
  capital: 100_000,
  journal: {
    input: (_i, accepted) => void (accepted && journal.entries++),
    records: () => {},
    restore: () => {},
  },
});

const entry: StrategyIntent = {
  type: "ENTER",
  slot_id: 0,
  trade_id: "LE0",
  asset: "BTC-USDT",
  side: "LONG",
  size: 0.01,
  price: null,
  leverage: 5,
};

/** What `afterApply` saw: the input, the journal seq at that moment, and slot 0 as it then was. */
type Seen = { input: string; seq: number; stage: string; entry: string | undefined };

async function world() {
  const clock = new SystemClock();
  const mock = new MockVenueAdapter({ seed: 5, clock, prices: { "BTC-USDT": 65_000 }, balance: 100_000 });
  await mock.connect();
  const sent: string[] = [];
  const venue: VenueAdapter = Object.create(mock, {
    setLeverage: { value: (_a: string, _s: PositionSide, _l: number) => new Promise<void>(() => {}) }, // never answers
    submit: {
      value: (o: OrderRequest) => {
        sent.push(`submit ${o.client_order_id}`);
        return mock.submit(o);
      },
    },
    cancel: {
      value: (asset: string, cid: string) => {
        sent.push(`cancel ${cid}`);
        return mock.cancel(asset, cid);
      },
    },
  });
  const k = kernel();
  const seen: Seen[] = [];
  const look = (input: string): Seen => ({
    input,
    seq: journal.entries,
    stage: k.slot(0).stage,
    entry: k.slot(0).entry_order?.status,
  });
  const afterApply = (input: KernelInput, _o: KernelOutcome) =>
    seen.push(look(input.type === "VENUE_EVENT" ? input.event.kind : input.type));
  const executor = new Executor(k, venue, clock, { afterApply, sleep: async () => {} });
  return { kernel: k, executor, seen, sent, look, start: journal.entries };
}

const turns = async () => {
  for (let i = 0; i < 5; i++) await Bun.sleep(1);
};

test("a CANCEL that withdraws an entry waiting for its leverage is projected with its own seq and state, then its CANCEL_ACK", async () => {
  const w = await world();
  w.executor.submitStrategy(entry);
  await turns(); // the entry now waits for its leverage call
  w.executor.submitStrategy({ type: "CANCEL", slot_id: 0 });
  expect(w.seen).toEqual([
    { input: "ENTER", seq: w.start + 1, stage: "ENTRY_WORKING", entry: "PENDING_SUBMIT" },
    { input: "CANCEL", seq: w.start + 2, stage: "ENTRY_WORKING", entry: "CANCEL_REQUESTED" },
    { input: "CANCEL_ACK", seq: w.start + 3, stage: "IDLE", entry: "CANCELLED" },
  ]);
  await w.executor.drain(100);
  expect(w.sent).toEqual([]); // neither the entry nor a cancel of it left
});

test("an entry asked cancelled in the batch that opened it ends after the batch's outcome is handed on, nothing sent", async () => {
  const w = await world();
  const transitions: TransitionRecord[] = [];
  for (const input of [entry, { type: "CANCEL", slot_id: 0 } as const]) {
    const o = w.kernel.apply({ ...input, now_ms: 1_700_000_000_000 });
    expect(o.accepted).toBe(true);
    transitions.push(...o.transitions);
  }
  w.executor.dispatch(transitions, () => w.seen.push(w.look("BATCH")));
  expect(w.seen).toEqual([
    { input: "BATCH", seq: w.start + 2, stage: "ENTRY_WORKING", entry: "CANCEL_REQUESTED" },
    { input: "CANCEL_ACK", seq: w.start + 3, stage: "IDLE", entry: "CANCELLED" },
  ]);
  await w.executor.drain(100);
  await turns();
  expect(w.sent).toEqual([]);
  expect(w.kernel.slot(0).stage).toBe("IDLE");
});
