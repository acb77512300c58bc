/**
 * The seam surfaces the warnings the kernel gives with an ACCEPTED step: `SeamResult.warnings` holds
 * every WARNING or CRITICAL diagnostic of an accepted step's KERNEL outcome and, with `awaitVenue`,
 * of its VENUE outcomes that are not refusals (not a REJECT or CANCEL_REJECT), as
 * {origin, code, severity, message, slotId, value}; `ok` is unchanged by them. A refused step's
 * diagnostics are its refusal only, never also a warning. The kernel's EXIT_LEGS_LOW (WARNING,
 * `value` the exit legs left) comes with the EXIT that opens exit leg 65 280, 65 285, ... 65 520 and
 * each of 65 525..65 535: a strategy using the seam hears it without digging into `steps[i].outcome`. As the
 * Python seam (clients/python/tests/test_seam_warnings.py).
 *
 * A real DitaClient over a fake libzinc whose ring is the launcher's ring edge (`RingIntake`) over a
 * real kernel: the lane gets the very bytes the launcher publishes, KERNEL and VENUE outcomes (a
 * venue event the test gives is applied to the kernel and followed to the asking intent, as the
 * runtime does). Only the seam's state read is the test's (slots as the kernel holds them). CLOSE_ALL's
 * wait for a cancel's final answer (the fills taken on the way) meets a stub client instead.
 */

import { expect, test } from "bun:test";
import {
  closeAll,
  type DitaClient,
  type Intent,
  type Outcome,
  type OutcomeDiagnostic,
  OutcomeTimeoutError,
  Seam,
  type Slot,
  scaleOut,
  stopLoss,
} from "../../clients/typescript/index.ts";
import { type ExecutionKernel, encodeSlotImage } from "../../src/kernel/index.ts";
import { fakeClient, longSlot, seededAccount } from "../_support/client_fakes.ts";
import { event, exit, feed, kernelsPerTest, openPosition, T0 } from "../_support/kernel.ts";
import { LauncherLane } from "../_support/launcher_lane.ts";

const kernel = kernelsPerTest({ slots: 2, capital: 1_000_000 });
const HOLD_MS = 60_000;
const LEGS_LOW_55 = "exit leg 65480 of 65535: 55 left, then EXIT and FLATTEN are refused; close the position whole";

/**
 * A kernel whose slot 0 holds 1 BTC long after `legs` exit legs, the last refused by the venue: one
 * real leg, then the slot's own image restored with that leg count (as a recovery installs one).
 */
function afterLegs(legs: number): ExecutionKernel {
  const k = kernel();
  openPosition(k, 0);
  expect(exit(k, 0, 0.5, "SIGNAL", T0 + 101).accepted).toBe(true);
  feed(k, event("REJECT", k.slot(0).exit_order!.client_order_id, 0, 0, { reject_reason: "VENUE" }), T0 + 101);
  const s = k.slot(0);
  const exitOrder = { ...s.exit_order!, leg: legs, client_order_id: `${s.trade_id}-X${legs}` };
  expect(k.restoreSlot(encodeSlotImage({ ...s, leg: legs, exit_order: exitOrder }), T0 + 102).accepted).toBe(true);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", leg: legs, size: 1 });
  return k;
}

function seamOn(lane: LauncherLane, slots: Slot[] = [longSlot(0, "POSITION_OPEN", 100_000_000n)]): Seam {
  const client: DitaClient = fakeClient(lane, { lane: lane.own.lane, generation: lane.own.generation, slotCount: 2 });
  client.state = () => ({ slots, account: seededAccount(), stateHash: 0n, mirrorCount: 1 });
  return new Seam(client, { venueTimeoutMs: 0 });
}

test("a scale-out whose EXIT opens exit leg 65 480 is ok, with EXIT_LEGS_LOW (55 left) in warnings and no refusal", async () => {
  const k = afterLegs(65_479);
  const r = await seamOn(new LauncherLane(k, { slotCount: 2 })).execute(scaleOut(0, { fraction: 0.5 }));
  expect(r.ok).toBe(true);
  expect(r.refusals).toEqual([]);
  expect(r.warnings).toEqual([
    { origin: "KERNEL", code: "EXIT_LEGS_LOW", severity: "WARNING", message: LEGS_LOW_55, slotId: 0, value: 55 },
  ]);
  expect(r.steps[0]!.outcome).toMatchObject({ origin: "KERNEL", accepted: true, stage: "EXIT_WORKING" });
  expect(k.slot(0).leg).toBe(65_480);
});

test("a stop-loss that opens exit leg 65 530 is ok, with EXIT_LEGS_LOW (5 left) in warnings", async () => {
  const r = await seamOn(new LauncherLane(afterLegs(65_529), { slotCount: 2 })).execute(stopLoss(0));
  expect(r.ok).toBe(true);
  expect(r.warnings.map((w) => [w.origin, w.code, w.severity, w.slotId, w.value])).toEqual([
    ["KERNEL", "EXIT_LEGS_LOW", "WARNING", 0, 5],
  ]);
  expect(r.warnings[0]!.message).toStartWith("exit leg 65530 of 65535: 5 left");
});

test("an accepted exit with no warning (leg 65 481) leaves warnings empty", async () => {
  const r = await seamOn(new LauncherLane(afterLegs(65_480), { slotCount: 2 })).execute(stopLoss(0));
  expect(r).toMatchObject({ ok: true, refusals: [], warnings: [] });
});

test("a step refused RATE_LIMITED at the edge (a WARNING diagnostic) is a refusal only, never also a warning", async () => {
  const lane = new LauncherLane(afterLegs(65_479), { slotCount: 2 });
  lane.holdMs = HOLD_MS;
  const r = await seamOn(lane).execute(stopLoss(0), { awaitVenue: true });
  expect(r.steps[0]!.outcome!.diagnostics.map((d) => d.severity)).toEqual(["WARNING"]);
  expect(r.refusals.map((x) => [x.origin, x.code])).toEqual([["EDGE", "RATE_LIMITED"]]);
  expect(r).toMatchObject({ ok: false, rateLimited: true, warnings: [] });
});

test("with awaitVenue, the venue's REJECT (VENUE_REJECTED, WARNING) is a refusal only; the kernel's EXIT_LEGS_LOW stays a warning", async () => {
  const lane = new LauncherLane(afterLegs(65_479), { slotCount: 2 });
  lane.venue = (id) => event("REJECT", id, 0, 0, { reject_reason: "VENUE" });
  const r = await seamOn(lane).execute(stopLoss(0), { awaitVenue: true });
  expect(r.steps[0]!.venue).toMatchObject({ origin: "VENUE", eventKind: "REJECT" });
  expect(r.steps[0]!.venue!.diagnostics.map((d) => [d.code, d.severity])).toEqual([["VENUE_REJECTED", "WARNING"]]);
  expect(r.refusals.map((x) => [x.origin, x.code])).toEqual([["VENUE", "VENUE_REJECTED"]]);
  expect(r.warnings.map((w) => [w.origin, w.code, w.value])).toEqual([["KERNEL", "EXIT_LEGS_LOW", 55]]);
  expect(r.ok).toBe(false);
});

test("with awaitVenue, a venue answer that is no refusal brings its warnings: an overfilling FULL_FILL's OVERFILL (CRITICAL)", async () => {
  const lane = new LauncherLane(afterLegs(65_479), { slotCount: 2 });
  lane.venue = (id) => event("FULL_FILL", id, 0.6, 100);
  const r = await seamOn(lane).execute(scaleOut(0, { fraction: 0.5 }), { awaitVenue: true });
  expect(r.steps[0]!.venue).toMatchObject({ origin: "VENUE", eventKind: "FULL_FILL", accepted: true });
  expect(r.refusals).toEqual([]);
  expect(r.ok).toBe(true);
  expect(r.warnings).toEqual([
    { origin: "KERNEL", code: "EXIT_LEGS_LOW", severity: "WARNING", message: LEGS_LOW_55, slotId: 0, value: 55 },
    {
      origin: "VENUE",
      code: "OVERFILL",
      severity: "CRITICAL",
      message: "FULL_FILL of EXIT order T0-X65480: filled 0.6 exceeds the order size 0.5",
      slotId: 0,
      value: 0.6,
    },
  ]);
});

const diag = (code: string, severity: OutcomeDiagnostic["severity"], value: number | null): OutcomeDiagnostic => ({
  code,
  severity,
  field: "NONE",
  retryable: false,
  retryAfterMs: null,
  value,
});

/** An accepted outcome on slot 0: KERNEL, or VENUE with `event`; `message` the first diagnostic's. */
function answer(id: bigint, event: Outcome["eventKind"], diagnostics: OutcomeDiagnostic[] = [], message = ""): Outcome {
  return {
    clientIntentId: id,
    lanePosition: 0,
    origin: event === null ? "KERNEL" : "VENUE",
    accepted: true,
    nowMs: 0,
    inputKind: event === null ? "EXIT" : "VENUE_EVENT",
    slotId: 0,
    slotVersion: 1,
    stage: null,
    eventKind: event,
    orderStatus: null,
    diagnosticCount: diagnostics.length,
    diagnostics,
    code: diagnostics[0]?.code ?? null,
    message,
  };
}

/** Slot 0 works an entry. Its CANCEL's venue answers are `cancelAnswers` in turn (the first a racing
 * PARTIAL_FILL), after which the entry holds 0.01; the EXIT of it is accepted with `exitDiagnostics`. */
class RacingStub {
  slots: Slot[] = [longSlot(0, "ENTRY_WORKING", 500_000n)];
  pushed: Intent[] = [];
  constructor(
    private readonly cancelAnswers: Outcome[],
    private readonly exitDiagnostics: OutcomeDiagnostic[],
  ) {}
  nowMs = () => T0;
  state = () => ({ slots: this.slots.map((s) => ({ ...s })), account: seededAccount(), stateHash: 0n, mirrorCount: 1 });
  checkKernel = () => {};
  push = (intent: Intent): bigint => BigInt(this.pushed.push(intent));
  outcome = async (id: bigint) =>
    answer(
      id,
      null,
      this.pushed[Number(id) - 1]!.type === "EXIT" ? this.exitDiagnostics : [],
      "exit leg 65480 of 65535",
    );
  nextVenueOutcome = async (id: bigint) => {
    if (this.pushed[Number(id) - 1]!.type === "EXIT") return answer(id, "FULL_FILL");
    const o = this.cancelAnswers.shift();
    if (o === undefined) throw new OutcomeTimeoutError(id, "no answer");
    if (this.cancelAnswers.length === 0 && o.eventKind !== "CANCEL_REJECT")
      this.slots = [longSlot(0, "POSITION_OPEN", 1_000_000n)];
    return o;
  };
}

test("CLOSE_ALL's wait for a cancel's final answer takes the fills' warnings, and its second step's EXIT's", async () => {
  const stub = new RacingStub(
    [answer(1n, "PARTIAL_FILL"), answer(1n, "FULL_FILL", [diag("OVERFILL", "CRITICAL", 0.02)], "filled 0.02")],
    [diag("EXIT_LEGS_LOW", "WARNING", 55)],
  );
  const r = await new Seam(stub as unknown as DitaClient, { venueTimeoutMs: 0 }).execute(closeAll("SL"), {
    awaitVenue: true,
  });
  expect(stub.pushed.map((i) => i.type)).toEqual(["CANCEL", "EXIT"]);
  expect(r.refusals).toEqual([]);
  expect(r.ok).toBe(true);
  expect(r.warnings).toEqual([
    { origin: "VENUE", code: "OVERFILL", severity: "CRITICAL", message: "filled 0.02", slotId: 0, value: 0.02 },
    {
      origin: "KERNEL",
      code: "EXIT_LEGS_LOW",
      severity: "WARNING",
      message: "exit leg 65480 of 65535",
      slotId: 0,
      value: 55,
    },
  ]);
});

test("CLOSE_ALL's cancel answered CANCEL_REJECT (a WARNING diagnostic) after a racing fill is a refusal only", async () => {
  const stub = new RacingStub(
    [answer(1n, "PARTIAL_FILL"), answer(1n, "CANCEL_REJECT", [diag("CANCEL_REJECTED", "WARNING", null)], "no")],
    [],
  );
  const r = await new Seam(stub as unknown as DitaClient, { venueTimeoutMs: 0 }).execute(closeAll("SL"), {
    awaitVenue: true,
  });
  expect(r.refusals.map((x) => [x.origin, x.code])).toEqual([["VENUE", "CANCEL_REJECTED"]]);
  expect(r.warnings).toEqual([]);
});

test("a warning past the record's first diagnostic has its code as message (the record carries only the first's)", async () => {
  const stub = new RacingStub([], [diag("STALE_EVENT", "INFO", null), diag("EXIT_LEGS_LOW", "WARNING", 50)]);
  stub.slots = [longSlot(0, "POSITION_OPEN", 1_000_000n)];
  const r = await new Seam(stub as unknown as DitaClient).execute(stopLoss(0));
  expect(r.warnings).toEqual([
    { origin: "KERNEL", code: "EXIT_LEGS_LOW", severity: "WARNING", message: "EXIT_LEGS_LOW", slotId: 0, value: 50 },
  ]);
});
