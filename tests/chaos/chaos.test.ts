/**
 * VOPR-style chaos (src/chaos/): each seed draws a fault schedule and adversarial intents, runs
 * them through the real kernel + executor and a venue adapter — the BingX adapter over loopback to
 * bingx-sim, or the mock venue — and the auditor compares kernel state with the venue's truth after
 * every quiescent step; the recorded event sequence must replay to the same state hash. Every run
 * prints `SEED=` first; replay one with `dita-v2 chaos --seed N --steps K [--venue mock]`.
 *
 * Seeds 10 and 31 are regressions: before Executor.resolveByQuery they left a slot working for
 * ever on an order the venue never received (placement 5xx, queries 5xx then "order not exist").
 * The canary plants a phantom position in the truth: a clean verdict there would mean the auditor
 * cannot fail.
 */

import { expect, test } from "bun:test";
import { resolve } from "node:path";
import { audit, type ChaosVerdict, legalRows, runChaos, type VenueKind } from "../../src/chaos/index.ts";
import type { AccountRecord, SlotRecord, TransitionRecord } from "../../src/contracts/records.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";

async function run(seed: number, steps: number, corruptTruth = false, venue: VenueKind = "sim"): Promise<ChaosVerdict> {
  console.log(`SEED=${seed} venue=${venue}`);
  const v = await runChaos({ seed, steps, clock: new SystemClock(), corruptTruth, venue });
  if (!v.clean && !corruptTruth) console.log(JSON.stringify(v.violations));
  return v;
}

for (const [seed, steps, venue] of [
  [10, 10, "sim"],
  [31, 4, "sim"],
  [1, 6, "sim"],
  [2, 6, "sim"],
  [10, 10, "mock"],
  [3, 8, "mock"],
] as const) {
  test(`seed ${seed} on ${venue} (${steps} steps): kernel equals exchange truth after every step and the event sequence replays to the same hash`, async () => {
    const v = await run(seed, steps, false, venue);
    expect(v.violations).toEqual([]);
    expect(v.clean).toBe(true);
    expect(v.replay_hash).toBe(v.state_hash);
    expect(v.knobs).toHaveLength(steps);
    expect(v.venue_events).toBeGreaterThan(0);
  }, 30_000);
}

for (const venue of ["sim", "mock"] as const) {
  test(`canary on ${venue}: a phantom position planted in the truth is flagged as POSITION at every step`, async () => {
    const v = await run(7, 2, true, venue);
    expect(v.clean).toBe(false);
    expect(v.violations.filter((x) => x.invariant === "POSITION").map((x) => x.step)).toEqual([1, 2, 3]);
  }, 30_000);
}

test("the auditor flags a working slot whose order the venue does not have, an orphan venue order and unsettled capital", () => {
  const slot = {
    slot_id: 0,
    stage: "ENTRY_WORKING",
    asset: "BTC-USDT",
    side: "LONG",
    size: 0,
    is_open: true,
    stale_reason: null,
    exit_order: null,
    entry_order: { client_order_id: "T1-E", status: "PENDING_SUBMIT", filled_size: 0, intended_size: 0.01 },
  } as unknown as SlotRecord;
  const account = { capital: 10_005, equity: 10_005, trade_seq: 0 } as AccountRecord;
  const found = audit({
    slots: [slot],
    account,
    seededCapital: 10_000,
    settlements: [],
    diagnostics: [],
    truth: {
      positions: [],
      open_orders: [{ client_order_id: "t9-e", asset: "BTC-USDT", size: 1, filled: 0 }],
      wallet: 10_000,
      placements_max: 2,
    },
  });
  expect(found.map((f) => f.invariant).sort()).toEqual(["CAPITAL", "DUPLICATE", "ORPHAN_ORDER", "STUCK_WORKING"]);
});

test("`dita-v2 chaos --seed N` prints SEED=N first, then a clean JSON verdict, and exits 0", async () => {
  const p = Bun.spawn(
    [process.execPath, resolve(import.meta.dir, "../../src/cli/main.ts"), "chaos", "--seed", "5", "--steps", "2"],
    { stdout: "pipe", stderr: "pipe" },
  );
  const timer = setTimeout(() => p.kill("SIGKILL"), 25_000);
  const [out, code] = await Promise.all([new Response(p.stdout).text(), p.exited]);
  clearTimeout(timer);
  const lines = out.trim().split("\n");
  expect(lines[0]).toBe("SEED=5");
  const verdict = JSON.parse(lines[1]!) as ChaosVerdict;
  expect(verdict).toMatchObject({ seed: 5, venue: "sim", steps: 2, clean: true, violations: [] });
  expect(code).toBe(0);
}, 30_000);

test("the auditor flags negative capital and a transition that is no row of the kernel's table, not a RESTORE", () => {
  const legal = legalRows(
    "IDLE ENTER ANY ENTRY_WORKING OPEN_ENTRY\nENTRY_WORKING FULL_FILL ANY POSITION_OPEN FILL_ENTRY",
  );
  const t = (from: string, trigger: string, to: string) =>
    ({ slot_id: 1, from, trigger, to, input_index: 0, row: 0, version: 1, now_ms: 1 }) as unknown as TransitionRecord;
  const found = audit({
    slots: [],
    account: { capital: -0.5, equity: -0.5, trade_seq: 0 } as AccountRecord,
    seededCapital: -0.5,
    settlements: [],
    diagnostics: [],
    transitions: [
      t("IDLE", "ENTER", "ENTRY_WORKING"),
      t("IDLE", "FULL_FILL", "CLOSED"),
      t("CLOSED", "RESTORE", "POSITION_OPEN"),
    ],
    legal,
    truth: { positions: [], open_orders: [], wallet: null, placements_max: null },
  });
  expect(found.map((f) => [f.invariant, f.message])).toEqual([
    ["NEGATIVE_CAPITAL", "capital -0.5, equity -0.5"],
    ["ILLEGAL_TRANSITION", "slot 1: IDLE --FULL_FILL--> CLOSED is no row of the transition table"],
  ]);
});

test("the auditor compares the wallet with capital plus what open trades booked after every step, unless two trades shared a position", () => {
  const slot = {
    slot_id: 0,
    stage: "POSITION_OPEN",
    is_open: true,
    size: 1,
    side: "LONG",
    asset: "BTC-USDT",
    realized_pnl: 10,
    fees: 1,
    entry_order: null,
    exit_order: null,
  } as unknown as SlotRecord;
  const account = { capital: 1_000, equity: 1_000, trade_seq: 0 } as AccountRecord;
  const wallet = (w: number, fills: { client_order_id: string; qty: number }[] = []) =>
    audit({
      slots: [slot],
      account,
      seededCapital: 1_000,
      settlements: [],
      diagnostics: [],
      trades: new Map([
        ["a", { trade_id: "A", asset: "BTC-USDT", side: "LONG" as const }],
        ["b", { trade_id: "B", asset: "BTC-USDT", side: "LONG" as const }],
      ]),
      truth: {
        positions: [{ asset: "BTC-USDT", side: "LONG", size: 1 }],
        open_orders: [],
        fills: fills.map((f) => ({ ...f, asset: "BTC-USDT", price: 100, fee: 0 })),
        wallet: w,
        placements_max: 1,
      },
    }).filter((v) => v.invariant === "WALLET");
  expect(wallet(1_009)).toEqual([]);
  expect(wallet(1_008).map((v) => v.message)).toEqual([
    "the venue wallet is 1008, kernel capital 1000 + open trades' booked 9",
  ]);
  const shared = [
    { client_order_id: "a-e", qty: 1 },
    { client_order_id: "b-e", qty: 1 },
  ];
  expect(wallet(1_008, shared)).toEqual([]);
});
