/**
 * Capital after a late exit fill the wallet already held when capital was re-seeded from it. An acknowledged EXIT the
 * hung-order query took as ended on the venue's "no such order" (ABSENT_STALE) ends CANCELLED by its slot's RECONCILE
 * (the position still held: POSITION_OPEN), and a capital re-seed from the wallet becomes due. The order fills at the
 * venue after all, between the RECONCILE's reads and the re-seed's wallet read, its stream event still on its way (or
 * lost): the re-seeded capital already counts the exit's PnL. When that fill reaches the kernel (the stream's event, or
 * the one live reconciliation passes on after looking the exit up), kernel/README.md decision 38 books it as the
 * exit's: the trade closes and settles once, adding the PnL to capital a second time.
 *
 * What these tests state: once everything settled, the kernel's capital is the venue's wallet (each fill counted
 * once), whatever the reconcile interval (0 = off included), and the trade closed with its CLOSE row. Before the fix
 * capital stayed that PnL (less its fee) above the wallet: nothing was reconciled after the booking, so no re-seed
 * followed (before decision 38 the late fill was an OVERFILL, whose reconcile re-seeded).
 *
 * End to end: a Runtime on the BingX adapter against bingx-sim in this process (`hide_order`, `land_order`), the
 * exit landed by the re-seed's own wallet read, its stream events held until the re-seed was made (or lost).
 */

import { afterEach, expect, test } from "bun:test";
import type { StrategyIntent } from "../../src/contracts/intents.ts";
import type { VenueEvent } from "../../src/contracts/venue.ts";
import type { Bundle } from "../../src/launcher/index.ts";
import type { SimHandle } from "../../src/sim/index.ts";
import { outOfBand, venueLong } from "../_support/late_landing.ts";
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
 * A runtime against a fresh bingx-sim (BTC-USDT at 65 000, a 10 000 wallet), live reconciliation every `intervalMs`.
 * The stream holds every event of `cid` once `hold()` was called, until `release()`; `landAtNextBalanceRead()` makes
 * the next wallet read land `cid` at the venue first (it fills at its limit), so that read already holds its PnL.
 */
async function world(intervalMs: number, cid: string) {
  let sim: SimHandle | null = null;
  let holding = false;
  let landing = false;
  const held: Array<() => void> = [];
  const adjust = (b: Bundle) => {
    const subscribe = b.venue.onEvent.bind(b.venue);
    b.venue.onEvent = (h) =>
      subscribe((e: VenueEvent) => {
        if (holding && e.client_order_id === cid) held.push(() => h(e));
        else h(e);
      });
    const balance = b.venue.balance.bind(b.venue);
    b.venue.balance = async () => {
      if (landing && sim !== null) {
        landing = false;
        await outOfBand(sim, "land_order", cid);
      }
      return balance();
    };
  };
  const prices = { "BTC-USDT": 65_000 };
  const w = await simRuntime({ seed: 41, prices, intervalMs, hungOrderMs: HUNG_ORDER_MS, stops, adjust });
  sim = w.sim;
  const release = () => {
    holding = false;
    for (const deliver of held.splice(0)) deliver();
  };
  const wallet = () => w.sim.state().balance.wallet;
  const capitalIsWallet = () => Math.abs(w.rt.b.kernel.account().capital - wallet()) < 1e-6;
  // A re-seed with the trade still open: the wallet plus what the wallet booked of it that the kernel settles later.
  const unsettled = () => (w.slot().is_open ? w.slot().fees - w.slot().realized_pnl : 0);
  const reseededOpen = () => Math.abs(w.rt.b.kernel.account().capital - (wallet() + unsettled())) < 1e-6;
  const closeRows = () => w.tradeEvents().filter((r) => r.event_type === "CLOSE");
  const hold = () => {
    holding = true;
  };
  const landAtNextBalanceRead = () => {
    landing = true;
  };
  return { ...w, hold, release, held, landAtNextBalanceRead, wallet, capitalIsWallet, reseededOpen, closeRows };
}

type World = Awaited<ReturnType<typeof world>>;

const enter: StrategyIntent = {
  type: "ENTER",
  slot_id: 0,
  trade_id: "R1",
  asset: "BTC-USDT",
  side: "LONG",
  size: 0.01,
  price: null,
  leverage: 20,
};

/**
 * Opens R1, then its exit R1-X1 at 70 000, which the venue acknowledges and hides: the hung-order query takes it as
 * ended, the slot's RECONCILE ends it (POSITION_OPEN), and the re-seed that follows lands it first, its events held.
 * Returns once capital was re-seeded from that wallet (the exit's PnL in it), the kernel still holding the position.
 */
async function exitFilledBeforeTheReseed(w: World): Promise<void> {
  expect(w.rt.submitStrategy(enter).accepted).toBe(true);
  await within(10_000, "position open", () => w.slot().stage === "POSITION_OPEN");
  const exit = { type: "EXIT", slot_id: 0, size: 0.01, price: 70_000, reason: "TP" } as const;
  expect(w.rt.submitStrategy(exit).accepted).toBe(true);
  await within(10_000, "R1-X1 acknowledged", () => w.slot().exit_order?.status === "ACKED");
  w.hold();
  w.landAtNextBalanceRead();
  await outOfBand(w.sim, "hide_order", "R1-X1");
  await within(WITHIN_MS, "R1-X1 taken as ended", () => w.slot().exit_order?.status === "CANCELLED");
  await within(WITHIN_MS, "the re-seed read the wallet after R1-X1 filled", () => venueLong(w.sim) === 0);
  await within(WITHIN_MS, "capital re-seeded from that wallet", w.reseededOpen);
  expect(w.lines).toContain("slot 0: hung order resolved by query: ABSENT_STALE");
  expect(w.slot()).toMatchObject({ stage: "POSITION_OPEN", size: 0.01, exit_order: { status: "CANCELLED" } });
}

/** The trade closed once, by the exit's late fill, and capital came back to the wallet: the exit's PnL counted once. */
async function expectClosedAtTheWallet(w: World): Promise<void> {
  await within(WITHIN_MS, "slot 0 closed its trade", () => w.slot().stage === "CLOSED");
  expect(w.slot().exit_order).toMatchObject({ client_order_id: "R1-X1", filled_size: 0.01, avg_fill_price: 70_000 });
  expect(w.rt.b.kernel.account().trade_seq).toBe(1);
  expect(w.count("OVERFILL")).toBe(0);
  await within(10_000, "the CLOSE row projected", () => w.closeRows().length === 1);
  await within(10_000, "capital = the wallet", w.capitalIsWallet);
  await Bun.sleep(2_500); // a few more TICKs (and passes): it stays there
  expect(w.rt.b.kernel.account().capital).toBeCloseTo(w.wallet(), 6);
  expect(w.closeRows()).toHaveLength(1);
}

for (const intervalMs of [0, 1_000]) {
  const how = intervalMs === 0 ? "without live reconciliation" : "with live reconciliation every 1 s";
  test(`${how}: an exit taken as ended that filled before the capital re-seed read the wallet, its event landing after it, is booked once: capital ends at the wallet, not that PnL above it`, async () => {
    const w = await world(intervalMs, "R1-X1");
    await exitFilledBeforeTheReseed(w);
    expect(w.held.length).toBeGreaterThan(0); // the fill's event is on its way
    w.release();
    await expectClosedAtTheWallet(w);
  }, 60_000);
}

test("with live reconciliation every 1 s: an exit taken as ended that filled before the capital re-seed read the wallet, its event lost, is booked once when the pass looks it up: capital ends at the wallet", async () => {
  const w = await world(1_000, "R1-X1");
  w.lose("R1-X1");
  await exitFilledBeforeTheReseed(w);
  expect(w.held).toHaveLength(0); // lost, not held
  await within(WITHIN_MS, "the pass passed the lost fill on", () =>
    w.lines.some((l) => l.includes("R1-X1, taken as ended at the venue, filled 0.01 there late")),
  );
  await expectClosedAtTheWallet(w);
}, 60_000);
