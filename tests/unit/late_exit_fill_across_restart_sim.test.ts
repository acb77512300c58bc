/**
 * An acknowledged EXIT the hung-order query took as ended on the venue's "no such order" (ABSENT_STALE: the kernel
 * ends it CANCELLED and the slot, still holding the position, takes the venue's truth back to POSITION_OPEN), which
 * lands and fills at the venue while the process is DOWN: the process that took it as ended remembered it in memory
 * only (`AbsentOrders`), and that memory is gone at the restart. The kernel's slot (its exit order, CANCELLED, in the
 * slot image) survives in the journal.
 *
 * What a production system must do, and these tests state: start-up recovery, before it judges the venue's positions,
 * looks up a POSITION_OPEN slot's exit order the kernel ended short (CANCELLED, REJECTED) and passes a fill beyond
 * what was booked to the kernel as the event it lost; kernel/README.md decision 38 books it as the exit's: the trade
 * closes (CLOSED, settled once), one trade_events CLOSE row records the exit's price, size and PnL, no OVERFILL, no
 * ORPHAN_POSITION, capital equals the wallet, nothing repeats at later passes.
 *
 * Before the fix recovery read the venue's flat position, marked the slot stale (RESTART) and reconciled it to IDLE:
 * the exit was recorded nowhere (no CLOSE row; its PnL reached capital only through the wallet re-seed).
 *
 * End to end: Runtimes (journal, executor, serve loops, the hung-order path, live reconciliation every 1 s) on the
 * BingX adapter against one bingx-sim in this process (`hide_order`, `land_order`), the second on the first's state
 * directory.
 */

import { afterEach, expect, test } from "bun:test";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import { exitTakenAsEnded, outOfBand, venueLong } from "../_support/late_landing.ts";
import { simRuntime } from "../_support/sim_runtime.ts";
import { within } from "../_support/within.ts";

/** A hung order is flagged this long after its last venue update (at the next 1 s TICK). */
const HUNG_ORDER_MS = 300;
/** The bound: a TICK, the query, a reconciliation pass or two (each two reads and a lookup), on a busy machine. */
const WITHIN_MS = 12_000;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A runtime against a fresh bingx-sim (BTC-USDT at 65 000, a 10 000 wallet), live reconciliation every 1 s. */
async function world() {
  const diagnostics: DiagnosticRecord[] = [];
  const onOutcome = (_t: unknown, d: readonly DiagnosticRecord[]) => diagnostics.push(...d);
  const events = { onOutcome, onControl() {}, onFlatten() {} };
  const prices = { "BTC-USDT": 65_000 };
  const w = await simRuntime({ seed: 41, prices, intervalMs: 1_000, hungOrderMs: HUNG_ORDER_MS, stops, events });
  const closeRows = () => w.tradeEvents().filter((r) => r.event_type === "CLOSE");
  return { ...w, closeRows };
}

test("an exit taken as ended that fills at the venue while the process is down: recovery looks it up and the kernel books it as the exit's: CLOSED, one CLOSE row at the exit's price, no OVERFILL, no ORPHAN_POSITION, capital = wallet, nothing repeats", async () => {
  const w = await world();
  const entryPrice = await exitTakenAsEnded(w, "D1", WITHIN_MS);
  await w.stop(); // the process is down
  await outOfBand(w.sim, "land_order", "D1-X1"); // the exit fills at its limit; no process hears it
  expect(venueLong(w.sim)).toBe(0);

  const r = await w.restart();
  expect(r.rt.recovery?.orphans).toEqual([]);
  expect(r.slot()).toMatchObject({ stage: "CLOSED", trade_id: "D1", size: 0, is_open: false });
  expect(r.slot().exit_order).toMatchObject({ client_order_id: "D1-X1", filled_size: 0.01, avg_fill_price: 70_000 });
  expect(
    r.lines.some((l) =>
      l.includes("exit D1-X1, ended short by the kernel (CANCELLED), filled 0.01 at the venue: its lost event applied"),
    ),
  ).toBe(true);
  expect(r.count("OVERFILL")).toBe(0);
  expect(r.count("ORPHAN_POSITION")).toBe(0);
  expect(r.rt.b.kernel.account().trade_seq).toBe(1); // settled once, by the kernel
  await within(10_000, "the CLOSE row projected", () => w.closeRows().length === 1);
  const [close] = w.closeRows();
  expect(close).toMatchObject({ trade_id: "D1", slot_id: 0, exit_price: 70_000, fill_size: 0.01, position_size: 0 });
  expect(close!.realized_pnl).toBeCloseTo(0.01 * (70_000 - entryPrice), 6);
  expect(Math.abs(r.rt.b.kernel.account().capital - w.sim.state().balance.wallet)).toBeLessThan(1e-6);

  const codes = ["OVERFILL", "VENUE_MISMATCH", "ORPHAN_POSITION", "ORPHAN_ORDER"];
  const before = codes.map(r.count);
  await Bun.sleep(2_500); // a few live-reconciliation passes
  expect(codes.map(r.count)).toEqual(before);
  expect(w.closeRows()).toHaveLength(1);
  expect(r.slot().stage).toBe("CLOSED");
}, 60_000);

test("an exit taken as ended that filled late with its event lost just before a restart: booked at start-up as the exit's, one CLOSE row", async () => {
  const w = await world();
  await exitTakenAsEnded(w, "D2", WITHIN_MS);
  w.lose("D2-X1");
  await outOfBand(w.sim, "land_order", "D2-X1"); // filled; the stream loses it
  await w.stop(); // down before a live pass looked it up

  const r = await w.restart();
  expect(r.slot()).toMatchObject({ stage: "CLOSED", trade_id: "D2", size: 0 });
  expect(r.count("OVERFILL")).toBe(0);
  expect(r.count("ORPHAN_POSITION")).toBe(0);
  await within(10_000, "the CLOSE row projected", () => w.closeRows().length === 1);
  expect(w.closeRows()[0]).toMatchObject({ trade_id: "D2", exit_price: 70_000, fill_size: 0.01 });
}, 60_000);
