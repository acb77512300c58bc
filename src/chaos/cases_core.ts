/**
 * Matrix cases about the trade life cycle and the strategy edge, without injected faults: rapid
 * entry/exit, partial exits, competing cancels, cancels after fills, marks during fills, lot
 * boundaries, a 10× loop, refused sizes and prices. Most are safe for a demo account; the ones
 * that move the venue's price are not.
 */

import { BTC, cancel, codes, ETH, enter, exit, exitAll, expectCodes, expectStage, lot } from "./_case_kit.ts";
import { relativeTo } from "./checkpoint.ts";
import type { MatrixCase } from "./matrix.ts";

export const CORE_CASES: readonly MatrixCase[] = [
  {
    name: "rapid-entry-exit",
    title: "an EXIT fired in the same tick as its ENTER is refused; the exit right after the fill closes the trade",
    liveSafe: true,
    async run(c) {
      await c.step("enter and exit in one tick", () => {
        c.submit(enter(c, 0, { steps: 1 }));
        expectCodes(c, c.submit(exit(0, lot(c, BTC, 1))), false, ["INVALID_TRANSITION"], "EXIT while ENTRY_WORKING");
      });
      expectStage(c, 0, ["POSITION_OPEN"]);
      await c.step("exit as soon as open", () => void exitAll(c, 0));
      expectStage(c, 0, ["CLOSED"]);
    },
  },
  {
    name: "rapid-entry-cancel",
    title: "a CANCEL racing a market entry's fill: either the cancel wins (IDLE) or the fill does (POSITION_OPEN)",
    liveSafe: true,
    async run(c) {
      await c.step("enter and cancel in one tick", () => {
        c.submit(enter(c, 0));
        c.submit(cancel(0));
      });
      expectStage(c, 0, ["IDLE", "POSITION_OPEN"]);
      await c.step("exit whatever filled", () => void exitAll(c, 0));
      expectStage(c, 0, ["IDLE", "CLOSED"]);
    },
  },
  {
    name: "two-leg-partial-exit",
    title: "a position closed in two exit legs: leg 1 leaves half, leg 2 closes and settles once",
    liveSafe: true,
    async run(c) {
      const half = lot(c, BTC, 0);
      await c.step("enter two lots", () => void c.submit(enter(c, 0, { size: 2 * half })));
      await c.step("exit leg 1", () => void c.submit(exit(0, half)));
      c.expect(
        c.slot(0).stage === "POSITION_OPEN" && c.slot(0).leg === 1,
        `after leg 1: ${c.slot(0).stage} leg ${c.slot(0).leg}`,
      );
      const seq = c.h.kernel.account().trade_seq;
      await c.step("exit leg 2", () => void c.submit(exit(0, half)));
      c.expect(
        c.slot(0).stage === "CLOSED" && c.slot(0).leg === 2,
        `after leg 2: ${c.slot(0).stage} leg ${c.slot(0).leg}`,
      );
      c.expect(c.h.kernel.account().trade_seq === seq + 1, "the trade settled exactly once");
    },
  },
  {
    name: "three-leg-exit-with-moves",
    title: "three exit legs at three prices (the venue moves between legs): realized PnL follows each leg's fills",
    liveSafe: false,
    async run(c) {
      const unit = lot(c, ETH, 0);
      const p = await c.price(ETH);
      await c.step(
        "enter three lots of ETH short",
        () => void c.submit(enter(c, 1, { asset: ETH, side: "SHORT", size: 3 * unit })),
      );
      for (const [i, ratio] of [0.99, 1.01, 0.98].entries()) {
        await c.step(`move to ${ratio} and exit leg ${i + 1}`, () => {
          c.move(ETH, Number((p * ratio).toFixed(2)));
          c.submit(exit(1, unit));
        });
      }
      c.expect(
        c.slot(1).stage === "CLOSED" && c.slot(1).leg === 3,
        `after three legs: ${c.slot(1).stage} leg ${c.slot(1).leg}`,
      );
    },
  },
  {
    name: "competing-cancel",
    title: "two CANCELs in one tick for a resting entry: the second changes nothing, the venue cancels once",
    liveSafe: true,
    async run(c) {
      const p = await c.price(BTC);
      await c.step(
        "rest a limit buy 3% below",
        () => void c.submit(enter(c, 0, { price: Number((p * 0.97).toFixed(1)) })),
      );
      expectStage(c, 0, ["ENTRY_WORKING"]);
      await c.step("cancel twice", () => {
        const first = c.submit(cancel(0));
        const second = c.submit(cancel(0));
        c.expect(first.accepted && second.accepted && second.transitions.length === 0, "the second CANCEL is a no-op");
      });
      expectStage(c, 0, ["IDLE"]);
    },
  },
  {
    name: "cancel-after-fill",
    title: "a CANCEL after the entry filled has nothing to cancel (NO_ACTIVE_EXIT_ORDER); the exit proceeds",
    liveSafe: true,
    async run(c) {
      await c.step("enter", () => void c.submit(enter(c, 2)));
      await c.step("cancel the filled entry", () => {
        expectCodes(c, c.submit(cancel(2)), false, ["NO_ACTIVE_EXIT_ORDER"], "CANCEL in POSITION_OPEN");
      });
      await c.step("exit", () => void exitAll(c, 2));
      expectStage(c, 2, ["CLOSED"]);
    },
  },
  {
    name: "cancel-races-crossing-fill",
    title:
      "a resting exit is crossed by a price move and cancelled in the same tick: the fill wins, the cancel is refused",
    liveSafe: false,
    async run(c) {
      const p = await c.price(BTC);
      await c.step("enter", () => void c.submit(enter(c, 0, { steps: 1 })));
      const limit = Number((p * 1.03).toFixed(1));
      await c.step("rest a limit exit 3% above", () => void c.submit(exit(0, c.slot(0).size, limit)));
      expectStage(c, 0, ["EXIT_WORKING"]);
      await c.step("cross it and cancel at once", () => {
        c.move(BTC, Number((limit * 1.01).toFixed(1)));
        c.submit(cancel(0));
      });
      expectStage(c, 0, ["CLOSED", "POSITION_OPEN"]);
    },
  },
  {
    name: "marks-during-fills",
    title: "marks arriving while an entry fills in legs: unrealized PnL is size × (mark − entry) × direction",
    liveSafe: false,
    async run(c) {
      const p = await c.price(BTC);
      await c.step("enter in four legs with marks in between", async () => {
        c.faults({ partial_fill_legs: 4, latency_ms: 15 });
        c.submit(enter(c, 0, { size: 4 * lot(c, BTC), side: "SHORT" }));
        for (const r of [1.001, 0.999, 1.002]) {
          c.submit({ type: "MARK_PRICE", asset: BTC, price: Number((p * r).toFixed(1)) });
          await Bun.sleep(5);
        }
      });
      const mark = Number((p * 0.995).toFixed(1));
      await c.step("a last mark", () => void c.submit({ type: "MARK_PRICE", asset: BTC, price: mark }));
      const s = c.slot(0);
      const want = s.size * (mark - s.entry_price) * -1;
      c.expect(
        s.mark_price === mark && Math.abs(s.unrealized_pnl - want) < 1e-6,
        `unrealized ${s.unrealized_pnl}, want ${want}`,
      );
    },
  },
  {
    name: "lot-boundary-sizes",
    title:
      "sizes at the contract's edges: the minimum fills, off-step and below-minimum sizes are refused before the venue",
    liveSafe: true,
    async run(c) {
      const r = c.rules(BTC);
      const half = Number((r.min_quantity + r.quantity_step / 2).toFixed(8));
      const below = Number((r.min_quantity - r.quantity_step / 10).toFixed(8));
      await c.step("minimum, min + half a step, below minimum, ETH off-step", () => {
        c.submit(enter(c, 0, { size: r.min_quantity }));
        c.submit(enter(c, 1, { size: half }));
        c.submit(enter(c, 2, { size: below }));
        c.submit(enter(c, 3, { asset: ETH, size: 1.5 * lot(c, ETH) }));
      });
      expectStage(c, 0, ["POSITION_OPEN"]);
      for (const i of [1, 2, 3]) expectStage(c, i, ["IDLE"]);
      const venueOrders = (await c.h.truth()).orders;
      c.expect(
        venueOrders === undefined || venueOrders.length <= 1,
        `refused sizes reached the venue: ${venueOrders?.length}`,
      );
    },
  },
  {
    name: "entry-exit-loop-10x",
    title: "ten entry/exit round trips on one slot: ten settlements, capital equal to the wallet",
    liveSafe: true,
    async run(c) {
      const seq = c.h.kernel.account().trade_seq;
      for (let i = 1; i <= 10; i++) {
        await c.step(`round trip ${i}`, async () => {
          c.submit(enter(c, 0, { side: i % 2 ? "LONG" : "SHORT" }));
          await c.settle();
          exitAll(c, 0);
        });
        expectStage(c, 0, ["CLOSED"]);
      }
      c.expect(
        c.h.kernel.account().trade_seq === seq + 10,
        `trade_seq ${c.h.kernel.account().trade_seq}, want ${seq + 10}`,
      );
    },
  },
  {
    name: "zero-size-and-negative-price",
    title: "zero, negative, non-finite and absurd sizes and prices are refused at the edge: nothing reaches the venue",
    liveSafe: true,
    async run(c) {
      const bad: Record<string, unknown>[] = [
        { size: 0 },
        { size: -0.001 },
        { size: 1e308 },
        { size: "0.001" },
        { size: 0.000000001 },
        { price: -5 },
        { price: Number.NaN },
        { price: 1e308 },
        { leverage: 0 },
        { asset: "" },
      ];
      await c.step("ten hostile entries", () => {
        for (const [i, field] of bad.entries()) {
          const o = c.submit({ ...enter(c, i % 4), ...field });
          c.expect(
            !o.accepted && o.diagnostics.length > 0,
            `entry ${JSON.stringify(field)} accepted ${JSON.stringify(codes(o))}`,
          );
        }
      });
      for (const i of [0, 1, 2, 3]) expectStage(c, i, ["IDLE"]);
      // A live account may hold positions and orders from before the run: only what is new counts.
      const t = relativeTo(await c.h.truth(), c.baseline);
      const orders = [...new Set([...(t.orders ?? []), ...t.open_orders].map((o) => o.client_order_id))];
      const moved = t.positions.filter((p) => p.size !== 0).map((p) => `${p.asset}|${p.side} ${p.size}`);
      c.expect(
        orders.length === 0 && moved.length === 0,
        `a refused entry reached the venue: orders ${JSON.stringify(orders)}, positions ${JSON.stringify(moved)}`,
      );
    },
  },
  {
    name: "exit-larger-than-position",
    title: "an EXIT above the position (or of zero) is refused with nothing sent; the right size closes",
    liveSafe: true,
    async run(c) {
      const size = lot(c, BTC, 1);
      await c.step("enter", () => void c.submit(enter(c, 1, { size })));
      await c.step("too large, zero", () => {
        expectCodes(c, c.submit(exit(1, size + lot(c, BTC))), false, ["INVALID_INTENT"], "EXIT above the position");
        expectCodes(c, c.submit(exit(1, 0)), false, ["INVALID_INTENT"], "EXIT of zero");
      });
      expectStage(c, 1, ["POSITION_OPEN"]);
      await c.step("exact", () => void c.submit(exit(1, size)));
      expectStage(c, 1, ["CLOSED"]);
    },
  },
];
