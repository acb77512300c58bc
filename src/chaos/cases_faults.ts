/**
 * Matrix cases with injected venue faults and restarts: duplicated, reordered and shuffled
 * delivery, a stream that drops mid-fill, sustained rate limiting across many slots, 5xx bursts,
 * lost placement answers, a slow venue, refused cancels, fills in legs, restarts mid-trade, and a
 * seeded burst of everything. None is safe for a demo account except the restarts that need no
 * price move (a restart is local to this process).
 */

import { Rng } from "../contracts/rng.ts";
import { BTC, cancel, ETH, enter, exit, exitAll, expectStage } from "./_case_kit.ts";
import { type Action, drawBurst } from "./intents.ts";
import { drawKnobs } from "./knobs.ts";
import type { CaseContext, MatrixCase } from "./matrix.ts";

/** Opens `n` slots at once (alternating assets and sides) under whatever faults are set. */
function openMany(c: CaseContext, n: number): void {
  for (let i = 0; i < n; i++)
    c.submit(enter(c, i, { asset: i % 2 ? ETH : BTC, side: i % 3 ? "LONG" : "SHORT", steps: i }));
}

function exitEvery(c: CaseContext): void {
  for (const s of c.h.kernel.slots()) exitAll(c, s.slot_id);
}

function expectAllClosed(c: CaseContext, n: number): void {
  for (let i = 0; i < n; i++) expectStage(c, i, ["CLOSED"]);
}

export const FAULT_CASES: readonly MatrixCase[] = [
  {
    name: "duplicated-delivery",
    title: "every venue event delivered twice: duplicates are refused by event id and the state converges",
    liveSafe: false,
    async run(c) {
      await c.step("enter in three legs, every frame twice", () => {
        c.faults({ duplicate_events: true, partial_fill_legs: 3 });
        c.submit(enter(c, 0, { steps: 5 }));
      });
      c.expect((c.h.diagnosticCounts.DUPLICATE_EVENT ?? 0) > 0, "no DUPLICATE_EVENT although every event came twice");
      await c.step("exit, every frame twice", () => {
        c.faults({ duplicate_events: true, partial_fill_legs: 2 });
        exitAll(c, 0);
      });
      expectStage(c, 0, ["CLOSED"]);
    },
  },
  {
    name: "reordered-delivery",
    title: "each order's events delivered out of order: cumulative fills converge to the same terminal state",
    liveSafe: false,
    async run(c) {
      await c.step("enter in four legs, reordered", () => {
        c.faults({ reorder_events: true, partial_fill_legs: 4 });
        c.submit(enter(c, 1, { side: "SHORT", steps: 7 }));
      });
      expectStage(c, 1, ["POSITION_OPEN"]);
      await c.step("exit in three legs, reordered", () => {
        c.faults({ reorder_events: true, partial_fill_legs: 3 });
        exitAll(c, 1);
      });
      expectStage(c, 1, ["CLOSED"]);
    },
  },
  {
    name: "shuffled-delivery-many-slots",
    title: "four slots on two assets at once with reordered, duplicated, split fills: every slot equals the venue",
    liveSafe: false,
    async run(c) {
      const all = { reorder_events: true, duplicate_events: true, partial_fill_legs: 3 };
      await c.step("four entries at once", () => {
        c.faults(all);
        openMany(c, 4);
      });
      await c.step("four exits at once", () => {
        c.faults(all);
        exitEvery(c);
      });
      expectAllClosed(c, 4);
    },
  },
  {
    name: "stream-drop-mid-fill",
    title:
      "the event stream drops between the legs of a fill: the rest is recovered (catch-up or query), nothing is lost",
    liveSafe: false,
    async run(c) {
      await c.step("entry in four legs, stream drops after two events", () => {
        c.faults({ partial_fill_legs: 4, stream_disconnect: 2 });
        c.submit(enter(c, 0, { steps: 3 }));
      });
      expectStage(c, 0, ["POSITION_OPEN"]);
      await c.step("exit in two legs, stream drops after one event", () => {
        c.faults({ partial_fill_legs: 2, stream_disconnect: 1 });
        exitAll(c, 0);
      });
      expectStage(c, 0, ["CLOSED"]);
    },
  },
  {
    name: "rate-limit-cascade",
    title:
      "sustained rate limiting across six slots for two steps: every entry is RATE_LIMITED, then all trade once it lifts",
    liveSafe: false,
    slots: 6,
    async run(c) {
      for (const hint of [true, false]) {
        await c.step(`six entries refused (${hint ? "with" : "without"} a hint)`, () => {
          c.faults({ rate_limit: { count: 1_000, retry_hint: hint } });
          openMany(c, 6);
        });
        for (let i = 0; i < 6; i++) expectStage(c, i, ["IDLE"]);
      }
      c.expect((c.h.diagnosticCounts.RATE_LIMITED ?? 0) >= 12, `RATE_LIMITED ${c.h.diagnosticCounts.RATE_LIMITED}`);
      await c.step("the limit lifts: six entries", () => openMany(c, 6));
      // BingX limits leverage calls to 5/s (the sim too): six entries at once may lose one there.
      await c.step("re-enter what the leverage limit refused", async () => {
        await Bun.sleep(1_000);
        for (const s of c.h.kernel.slots()) if (s.stage === "IDLE") c.submit(enter(c, s.slot_id));
      });
      for (let i = 0; i < 6; i++) expectStage(c, i, ["POSITION_OPEN"]);
      await c.step("exits while two requests are refused", () => {
        c.faults({ rate_limit: { count: 2, retry_hint: true } });
        exitEvery(c);
      });
      await c.step("exit what is left", () => exitEvery(c));
      expectAllClosed(c, 6);
    },
  },
  {
    name: "venue-5xx-burst",
    title: "a burst of 5xx answers on entries and exits: unknown outcomes are resolved by query, never guessed",
    liveSafe: false,
    async run(c) {
      await c.step("three entries into three 5xx", () => {
        c.faults({ http_5xx: 3 });
        openMany(c, 3);
      });
      await c.step("exits into two 5xx", () => {
        c.faults({ http_5xx: 2 });
        exitEvery(c);
      });
      await c.step("exit what is left", () => exitEvery(c));
    },
  },
  {
    name: "dropped-placement-answers",
    title: "placements execute but their answers are lost: the orders are found by query, placed once, and fill",
    liveSafe: false,
    async run(c) {
      await c.step("two entries whose answers are lost", () => {
        c.faults({ drop_responses: 2 });
        openMany(c, 2);
      });
      for (const i of [0, 1]) expectStage(c, i, ["POSITION_OPEN"]);
      await c.step("exits", () => exitEvery(c));
      expectAllClosed(c, 2);
    },
  },
  {
    name: "slow-venue",
    title: "every answer and event 120 ms late while entries, cancels and exits overlap across three slots",
    liveSafe: false,
    async run(c) {
      const p = await c.price(BTC);
      await c.step("entries, one resting, one cancelled at once", () => {
        c.faults({ latency_ms: 120 });
        c.submit(enter(c, 0));
        c.submit(enter(c, 1, { price: Number((p * 0.96).toFixed(1)) }));
        c.submit(enter(c, 2, { asset: ETH }));
        c.submit(cancel(2));
      });
      await c.step("cancel the resting one, exit the rest", () => {
        c.faults({ latency_ms: 120 });
        c.submit(cancel(1));
        exitEvery(c);
      });
      for (const i of [0, 1, 2]) expectStage(c, i, ["CLOSED", "IDLE"]);
    },
  },
  {
    name: "cancel-rejected-then-filled",
    title: "the venue refuses a cancel (CANCEL_REJECT): the order keeps working and fills when crossed",
    liveSafe: false,
    async run(c) {
      const p = await c.price(BTC);
      const buy = Number((p * 0.97).toFixed(1));
      await c.step("rest a buy", () => void c.submit(enter(c, 0, { price: buy })));
      await c.step("cancel refused", () => {
        c.faults({ cancel_reject: true });
        c.submit(cancel(0));
      });
      expectStage(c, 0, ["ENTRY_WORKING"]);
      c.expect((c.h.diagnosticCounts.CANCEL_REJECTED ?? 0) > 0, "no CANCEL_REJECTED");
      await c.step("the price crosses it", () => c.move(BTC, Number((buy * 0.99).toFixed(1))));
      expectStage(c, 0, ["POSITION_OPEN"]);
    },
  },
  {
    name: "partial-fill-legs-exit",
    title: "an exit that fills in three legs: each PARTIAL_FILL shrinks the position, realized PnL follows the fills",
    liveSafe: false,
    async run(c) {
      await c.step("enter", () => void c.submit(enter(c, 3, { asset: ETH, steps: 2 })));
      await c.step("exit in three legs", () => {
        c.faults({ partial_fill_legs: 3 });
        exitAll(c, 3);
      });
      expectStage(c, 3, ["CLOSED"]);
    },
  },
  {
    name: "restart-with-open-position",
    title: "the process restarts while a position is open: it is reconciled from the venue and settles once",
    liveSafe: true,
    async run(c) {
      await c.step("enter", () => void c.submit(enter(c, 0, { steps: 1 })));
      await c.step("restart", async () => {
        const r = await c.restart();
        c.expect(
          r.reconciled.some((x) => x.slot_id === 0 && x.to === "POSITION_OPEN"),
          `recovery: ${JSON.stringify(r.reconciled)}`,
        );
      });
      await c.step("exit after the restart", () => void exitAll(c, 0));
      expectStage(c, 0, ["CLOSED"]);
    },
  },
  {
    name: "restart-with-working-entry",
    title: "the process restarts while an entry rests: the order is adopted and can still be cancelled",
    liveSafe: true,
    async run(c) {
      const p = await c.price(BTC);
      await c.step("rest a buy 3% below", () => void c.submit(enter(c, 1, { price: Number((p * 0.97).toFixed(1)) })));
      await c.step("restart", async () => void (await c.restart()));
      expectStage(c, 1, ["ENTRY_WORKING"]);
      await c.step("cancel after the restart", () => void c.submit(cancel(1)));
      expectStage(c, 1, ["IDLE"]);
    },
  },
  {
    name: "restart-with-resting-exit",
    title: "the process restarts while an exit rests: reconciled to EXIT_WORKING, the crossing fill closes the trade",
    liveSafe: false,
    async run(c) {
      const p = await c.price(BTC);
      await c.step("enter", () => void c.submit(enter(c, 2, { steps: 2 })));
      const sell = Number((p * 1.03).toFixed(1));
      await c.step("rest an exit 3% above", () => void c.submit(exit(2, c.slot(2).size, sell)));
      await c.step("restart", async () => void (await c.restart()));
      expectStage(c, 2, ["EXIT_WORKING"]);
      await c.step("the price crosses it", () => c.move(BTC, Number((sell * 1.01).toFixed(1))));
      expectStage(c, 2, ["CLOSED"]);
    },
  },
  {
    name: "seeded-burst",
    title: "four steps of seeded adversarial bursts under seeded fault knobs (the VOPR run in miniature)",
    liveSafe: false,
    async run(c) {
      const rng = new Rng(c.rng.int(1, 1_000_000));
      for (let step = 1; step <= 4; step++) {
        const prices: Record<string, number> = { [BTC]: await c.price(BTC), [ETH]: await c.price(ETH) };
        await c.step(`burst ${step}`, () => {
          c.faults(drawKnobs(rng));
          const actions: Action[] = drawBurst(rng, c.h.kernel.slots(), {
            price: (a) => prices[a] ?? 1,
            nextTrade: () => c.trade(),
          });
          for (const a of actions) {
            if ("move" in a) c.move(a.move.asset, a.move.price);
            else c.submit(a.intent);
          }
        });
      }
    },
  },
];
