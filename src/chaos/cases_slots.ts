/**
 * Matrix cases about several slots and resting orders, without injected faults: the slot limit
 * and busy slots, two slots sharing one venue position, both sides of one asset (hedge mode), and
 * resting limits filled at their own price when the venue's price crosses them.
 */

import { BTC, enter, exit, exitAll, expectCodes, expectStage } from "./_case_kit.ts";
import type { MatrixCase } from "./matrix.ts";

export const SLOT_CASES: readonly MatrixCase[] = [
  {
    name: "slot-limit-and-busy",
    title:
      "active_slot_limit 2: a third entry is SLOT_LIMIT_REACHED, an entry on a busy slot SLOT_BUSY, a reused trade id refused",
    liveSafe: true,
    async run(c) {
      await c.step("limit 2, three entries", () => {
        c.system({ type: "CONFIGURE", key: "ACTIVE_SLOT_LIMIT", value: 2, now_ms: c.h.clock.nowMs() });
        c.submit(enter(c, 0));
        c.submit(enter(c, 1));
        expectCodes(c, c.submit(enter(c, 2)), false, ["SLOT_LIMIT_REACHED"], "third entry");
        expectCodes(c, c.submit(enter(c, 0)), false, ["SLOT_BUSY"], "entry on a busy slot");
      });
      await c.step("limit back to 4, a reused trade id", () => {
        c.system({ type: "CONFIGURE", key: "ACTIVE_SLOT_LIMIT", value: 4, now_ms: c.h.clock.nowMs() });
        const reused = { ...enter(c, 3), trade_id: c.slot(0).trade_id };
        expectCodes(c, c.submit(reused), false, ["INVALID_INTENT"], "reused trade id");
      });
      await c.step("exit both", () => {
        exitAll(c, 0);
        exitAll(c, 1);
      });
    },
  },
  {
    name: "two-slots-one-position",
    title: "two slots long the same asset share one venue position; one exits, the other still holds its part",
    liveSafe: true,
    async run(c) {
      await c.step("two slots enter long", () => {
        c.submit(enter(c, 0));
        c.submit(enter(c, 1, { steps: 1 }));
      });
      await c.step("slot 0 exits", () => void exitAll(c, 0));
      expectStage(c, 0, ["CLOSED"]);
      expectStage(c, 1, ["POSITION_OPEN"]);
    },
  },
  {
    name: "hedge-both-sides",
    title: "one slot long and one short on the same asset (hedge mode): two venue positions, both close",
    liveSafe: false,
    async run(c) {
      await c.step("long and short", () => {
        c.submit(enter(c, 0, { side: "LONG", steps: 2 }));
        c.submit(enter(c, 1, { side: "SHORT", steps: 1 }));
      });
      const sides = (await c.h.truth()).positions.map((p) => p.side).sort();
      c.expect(JSON.stringify(sides) === '["LONG","SHORT"]', `venue positions ${JSON.stringify(sides)}`);
      await c.step("close both", () => {
        exitAll(c, 0);
        exitAll(c, 1);
      });
    },
  },
  {
    name: "resting-limits-crossed-by-moves",
    title: "a resting entry and a resting exit, each filled at its own limit price when the venue's price crosses it",
    liveSafe: false,
    async run(c) {
      const p = await c.price(BTC);
      const buy = Number((p * 0.98).toFixed(1));
      await c.step("rest a buy 2% below", () => void c.submit(enter(c, 0, { price: buy, steps: 2 })));
      await c.step("move through it", () => c.move(BTC, Number((buy * 0.995).toFixed(1))));
      c.expect(Math.abs(c.slot(0).entry_price - buy) < 1e-8, `entry at ${c.slot(0).entry_price}, limit ${buy}`);
      const sell = Number((buy * 1.03).toFixed(1));
      await c.step("rest a sell 3% above", () => void c.submit(exit(0, c.slot(0).size, sell)));
      await c.step("move through it", () => c.move(BTC, Number((sell * 1.005).toFixed(1))));
      expectStage(c, 0, ["CLOSED"]);
    },
  },
];
