/**
 * An acknowledged EXIT the hung-order query took as ended on the venue's "no such order" (ABSENT_STALE: the kernel
 * ends it and the slot, still holding the position, takes the venue's truth back to POSITION_OPEN), which lands and
 * fills late after all, and whose stream events are LOST: only the venue's position (now flat) shows the fill. Live
 * reconciliation then finds the slot's position missing at the venue. What a production system must do, and these
 * tests state: before the pass judges that mismatch it looks the slot's remembered exit up at the venue and passes
 * the fill the stream lost to the kernel once, as the venue event (kernel/README.md decision 38 books it as the
 * exit's): the trade closes (CLOSED, settled once by the kernel), one trade_events CLOSE row records the exit's price,
 * size and PnL, no OVERFILL, no ORPHAN_POSITION, capital follows the wallet, nothing repeats.
 *
 * Before the fix the pass saw only a VENUE_MISMATCH: the slot went through STALE_STATE_RECONCILING to the venue's
 * flat position and ended IDLE with no CLOSE row (the exit recorded nowhere; its PnL reaching capital only through
 * the wallet re-seed).
 *
 * The same when the exit fills in two parts, each event lost: the first pass passes the partial fill (the venue lists
 * the exit open, partly filled: a PARTIAL_EXIT), a later one the rest (the exit looked up again: its cumulative grew),
 * closing the trade with its CLOSE row. Before that fix the exit was passed once only: the rest was never passed, and
 * the slot was reconciled to the venue's flat position with no CLOSE row.
 *
 * End to end: a Runtime (journal, executor, serve loops with their TICK, the hung-order path, live reconciliation
 * every 1 s) on the BingX adapter against bingx-sim in this process (`hide_order`, `land_order`; the stream made to
 * lose the exit's events by `lose(cid)`).
 */

import { afterEach, expect, test } from "bun:test";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import type { Bundle } from "../../src/launcher/index.ts";
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

/**
 * A runtime against a fresh bingx-sim (BTC-USDT at 65 000, a 10 000 wallet), live reconciliation every 1 s. Cancels of
 * the orders in `uncancellable` never reach the venue (lost on the way: UNKNOWN), so one may fill on after its cancel.
 */
async function world(uncancellable: readonly string[] = []) {
  const diagnostics: DiagnosticRecord[] = [];
  const onOutcome = (_t: unknown, d: readonly DiagnosticRecord[]) => diagnostics.push(...d);
  const events = { onOutcome, onControl() {}, onFlatten() {} };
  const prices = { "BTC-USDT": 65_000 };
  const adjust = (b: Bundle) => {
    const cancel = b.venue.cancel.bind(b.venue);
    b.venue.cancel = async (asset, cid) =>
      uncancellable.includes(cid) ? { status: "UNKNOWN", reason: "lost on the way" } : cancel(asset, cid);
  };
  const opts = { seed: 37, prices, intervalMs: 1_000, hungOrderMs: HUNG_ORDER_MS, stops, events, adjust };
  const w = await simRuntime(opts);
  const said = (code: string) => diagnostics.filter((d) => d.code === code).map((d) => d.message);
  const closeRows = () => w.tradeEvents().filter((r) => r.event_type === "CLOSE");
  return { ...w, said, closeRows };
}

test("an exit taken as ended that fills late with its stream events lost: live reconciliation looks it up and the kernel books it as the exit's: CLOSED, one CLOSE row at the exit's price, no OVERFILL, no ORPHAN_POSITION, nothing repeats", async () => {
  const w = await world();
  const entryPrice = await exitTakenAsEnded(w, "C1", WITHIN_MS);
  w.lose("C1-X1");
  await outOfBand(w.sim, "land_order", "C1-X1"); // the exit fills at its limit; the stream never tells
  expect(venueLong(w.sim)).toBe(0);

  await within(WITHIN_MS, "slot 0 left POSITION_OPEN", () => w.slot().stage !== "POSITION_OPEN");
  await within(WITHIN_MS, "slot 0 settled", () => w.slot().stage !== "STALE_STATE_RECONCILING");
  expect(w.slot().stage).toBe("CLOSED");
  expect(w.slot()).toMatchObject({ trade_id: "C1", size: 0, is_open: false });
  expect(w.slot().exit_order).toMatchObject({ client_order_id: "C1-X1", filled_size: 0.01, avg_fill_price: 70_000 });
  expect(w.lines.some((l) => l.includes("C1-X1, taken as ended at the venue, filled 0.01 there late"))).toBe(true);
  expect(w.count("OVERFILL")).toBe(0);
  expect(w.count("ORPHAN_POSITION")).toBe(0);
  expect(w.rt.b.kernel.account().trade_seq).toBe(1); // settled once, by the kernel
  await within(10_000, "the CLOSE row projected", () => w.closeRows().length === 1);
  const [close] = w.closeRows();
  expect(close).toMatchObject({ trade_id: "C1", slot_id: 0, exit_price: 70_000, fill_size: 0.01, position_size: 0 });
  expect(close!.realized_pnl).toBeCloseTo(0.01 * (70_000 - entryPrice), 6);
  const capitalIsWallet = () => Math.abs(w.rt.b.kernel.account().capital - w.sim.state().balance.wallet) < 1e-6;
  await within(10_000, "capital = the wallet", capitalIsWallet); // the exit's PnL counted once

  const codes = ["OVERFILL", "VENUE_MISMATCH", "ORPHAN_POSITION", "HUNG_ORDER"];
  const before = codes.map(w.count);
  await Bun.sleep(2_500); // a few more TICKs and passes
  expect(codes.map(w.count)).toEqual(before);
  expect(w.closeRows()).toHaveLength(1);
  expect(w.slot().stage).toBe("CLOSED");
}, 60_000);

test("an exit taken as ended that fills late in two parts, each event lost: a pass books the partial fill (PARTIAL_EXIT), a later one the rest: CLOSED, one CLOSE row, settled once, no OVERFILL, capital = the wallet", async () => {
  const w = await world(["C2-X1"]);
  const entryPrice = await exitTakenAsEnded(w, "C2", WITHIN_MS);
  w.lose("C2-X1");
  await outOfBand(w.sim, "land_order", "C2-X1", 0.004); // 0.004 fills at its limit, the rest rests; no event told
  expect(venueLong(w.sim)).toBeCloseTo(0.006, 8);

  await within(WITHIN_MS, "the partial fill booked as the exit's", () => w.slot().size === 0.006);
  expect(w.slot()).toMatchObject({ stage: "POSITION_OPEN", trade_id: "C2", exit_order: { filled_size: 0.004 } });
  expect(w.lines.some((l) => l.includes("C2-X1, taken as ended at the venue, filled 0.004 there late"))).toBe(true);
  const partials = () => w.tradeEvents().filter((r) => r.event_type === "PARTIAL_EXIT");
  await within(10_000, "the PARTIAL_EXIT row projected", () => partials().length === 1);
  expect(partials()[0]).toMatchObject({ trade_id: "C2", exit_price: 70_000, fill_size: 0.004, position_size: 0.006 });

  await outOfBand(w.sim, "hide_order", "C2-X1"); // the venue lags again, and fills the rest: still no event
  await outOfBand(w.sim, "land_order", "C2-X1");
  expect(venueLong(w.sim)).toBe(0);
  await within(WITHIN_MS, "slot 0 left POSITION_OPEN", () => w.slot().stage !== "POSITION_OPEN");
  await within(WITHIN_MS, "slot 0 settled", () => w.slot().stage !== "STALE_STATE_RECONCILING");
  expect(w.slot()).toMatchObject({ stage: "CLOSED", trade_id: "C2", size: 0, is_open: false });
  expect(w.slot().exit_order).toMatchObject({ client_order_id: "C2-X1", filled_size: 0.01, avg_fill_price: 70_000 });
  expect(w.lines.some((l) => l.includes("C2-X1, taken as ended at the venue, filled 0.01 there late"))).toBe(true);
  expect(w.count("OVERFILL")).toBe(0);
  expect(w.count("ORPHAN_POSITION")).toBe(0);
  expect(w.rt.b.kernel.account().trade_seq).toBe(1); // settled once, by the kernel
  await within(10_000, "the CLOSE row projected", () => w.closeRows().length === 1);
  const [close] = w.closeRows();
  expect(close).toMatchObject({ trade_id: "C2", slot_id: 0, exit_price: 70_000, fill_size: 0.006, position_size: 0 });
  expect(close!.realized_pnl).toBeCloseTo(0.01 * (70_000 - entryPrice), 6);
  const capitalIsWallet = () => Math.abs(w.rt.b.kernel.account().capital - w.sim.state().balance.wallet) < 1e-6;
  await within(10_000, "capital = the wallet", capitalIsWallet); // the exit's PnL counted once

  const codes = ["OVERFILL", "VENUE_MISMATCH", "ORPHAN_POSITION", "ORPHAN_ORDER", "HUNG_ORDER"];
  const before = codes.map(w.count);
  await Bun.sleep(2_500); // a few more TICKs and passes
  expect(codes.map(w.count)).toEqual(before);
  expect(w.closeRows()).toHaveLength(1);
  expect(partials()).toHaveLength(1);
  expect(w.slot().stage).toBe("CLOSED");
}, 60_000);
