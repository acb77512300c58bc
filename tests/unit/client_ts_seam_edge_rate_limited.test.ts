/**
 * The TypeScript client and seam meet the edge's RATE_LIMITED refusal: while the venue adapter
 * knows it would not send an order (an IP ban, a retry hint longer than its throttle waits), an
 * ENTER or EXIT is refused before the kernel, an EDGE outcome (accepted false) whose one diagnostic
 * is RATE_LIMITED, WARNING, field RETRY_AFTER, retryable, with the time left. Nothing was sent, so
 * no VENUE outcome will ever follow: a decision refused this way must say ok false, rateLimited,
 * the hint, retryable, origin EDGE, at once, without waiting for a venue answer; CLOSE_ALL goes on
 * with its other steps (a CANCEL is not held), as docs/strategy-guide.md says. As the Python seam
 * (clients/python/tests/test_seam_edge_rate_limited.py).
 *
 * The client is a real DitaClient over a fake libzinc whose ring is the launcher's ring edge: each
 * pushed record goes through `RingIntake` (the order-hold check `orderRecordRefusal`, a venue whose
 * `orderHoldMs` answers the hint) to a real kernel, and the lane gets the very bytes the launcher
 * published. Only the seam's state read is the test's (slots as the kernel holds them).
 */

import { expect, test } from "bun:test";
import {
  closeAll,
  type DitaClient,
  type Intent,
  openLong,
  Seam,
  type Slot,
  scaleOut,
  stopLoss,
} from "../../clients/typescript/index.ts";
import { fakeClient, longSlot, seededAccount } from "../_support/client_fakes.ts";
import { enter, kernelsPerTest, openPosition } from "../_support/kernel.ts";
import { LauncherLane } from "../_support/launcher_lane.ts";

const kernel = kernelsPerTest({ slots: 3, capital: 1_000_000 });
const HOLD_MS = 60_000;

/** A real client on `lane`, its slots read as `slots`; `venueWaits` counts its waits for a VENUE outcome. */
function clientOn(lane: LauncherLane, slots: Slot[]): { client: DitaClient; venueWaits: bigint[] } {
  const client = fakeClient(lane, { lane: lane.own.lane, generation: lane.own.generation, slotCount: slots.length });
  client.state = () => ({ slots, account: seededAccount(), stateHash: 0n, mirrorCount: 1 });
  const venueWaits: bigint[] = [];
  const wait = client.nextVenueOutcome.bind(client);
  client.nextVenueOutcome = (id, timeoutMs) => {
    venueWaits.push(id);
    return wait(id, timeoutMs);
  };
  return { client, venueWaits };
}

const kinds = (intents: Intent[]) => intents.map((i) => `${i.type} ${"slotId" in i ? i.slotId : ""}`);

test("the client reads the edge's RATE_LIMITED refusal of an EXIT: EDGE, not accepted, WARNING RETRY_AFTER, retryable, the hint", async () => {
  const k = kernel();
  openPosition(k, 0);
  const { client } = clientOn(new LauncherLane(k, { slotCount: 3, holdMs: HOLD_MS }), []);
  const o = await client.submit({ type: "EXIT", slotId: 0, size: 1, reason: "SL", price: null });
  expect(o).toMatchObject({ origin: "EDGE", accepted: false, inputKind: "EXIT", slotId: 0, stage: "POSITION_OPEN" });
  expect(o.diagnostics).toEqual([
    {
      code: "RATE_LIMITED",
      severity: "WARNING",
      field: "RETRY_AFTER",
      retryable: true,
      retryAfterMs: HOLD_MS,
      value: null,
    },
  ]);
  expect(o.message).toStartWith("EXIT not sent: the venue's rate limit holds orders 60000 ms more");
  expect(client.outcomesOf(o.clientIntentId)).toHaveLength(1); // nothing else is coming: no order was made
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", leg: 0 }); // no exit leg spent, no exit order made
  expect(k.slot(0).exit_order).toBeNull();
});

test("a stop-loss refused RATE_LIMITED at the edge is ok false, rateLimited, the hint, retryable, EDGE, with no wait for a venue answer", async () => {
  const k = kernel();
  openPosition(k, 0);
  const { client, venueWaits } = clientOn(new LauncherLane(k, { slotCount: 3, holdMs: HOLD_MS }), [
    longSlot(0, "POSITION_OPEN", 100_000_000n),
  ]);
  // a venue wait would last the whole minute: the test would time out, not pass
  const r = await new Seam(client, { venueTimeoutMs: 60_000 }).execute(stopLoss(0), { awaitVenue: true });
  expect(r.ok).toBe(false);
  expect(r.rateLimited).toBe(true);
  expect(r.retryAfterMs).toBe(HOLD_MS);
  expect(r.refusals).toEqual([
    {
      origin: "EDGE",
      code: "RATE_LIMITED",
      message: expect.stringContaining("not sent"),
      slotId: 0,
      retryable: true,
      retryAfterMs: HOLD_MS,
    },
  ]);
  expect(r.steps[0]).toMatchObject({ outcome: { origin: "EDGE", accepted: false }, venue: null });
  expect(venueWaits).toEqual([]);
  expect(r.venuePending).toEqual([]);
  expect(r.restarted).toBe(false);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", leg: 0 });
});

test("a scale-out refused RATE_LIMITED at the edge: one step, refused with the hint, nothing waited for", async () => {
  const k = kernel();
  openPosition(k, 0);
  const { client, venueWaits } = clientOn(new LauncherLane(k, { slotCount: 3, holdMs: HOLD_MS }), [
    longSlot(0, "POSITION_OPEN", 100_000_000n),
  ]);
  const r = await new Seam(client, { venueTimeoutMs: 60_000 }).execute(scaleOut(0, { fraction: 0.5 }), {
    awaitVenue: true,
  });
  expect(kinds(r.steps.map((s) => s.intent))).toEqual(["EXIT 0"]);
  expect(r).toMatchObject({ ok: false, rateLimited: true, retryAfterMs: HOLD_MS, venuePending: [] });
  expect(venueWaits).toEqual([]);
});

test("an OPEN refused RATE_LIMITED at the edge opens nothing: ok false, the hint, no trade believed, no venue wait", async () => {
  const k = kernel();
  const { client, venueWaits } = clientOn(new LauncherLane(k, { slotCount: 3, holdMs: HOLD_MS }), [
    longSlot(0, "IDLE"),
  ]);
  const seam = new Seam(client, { venueTimeoutMs: 60_000 });
  const r = await seam.execute(openLong("BTC-USDT", { size: 0.01, leverage: 2, tradeId: "H1" }), { awaitVenue: true });
  expect(r.steps[0]!.outcome).toMatchObject({ origin: "EDGE", accepted: false, inputKind: "ENTER" });
  expect(r).toMatchObject({ ok: false, rateLimited: true, retryAfterMs: HOLD_MS, venuePending: [] });
  expect(r.refusals[0]).toMatchObject({ origin: "EDGE", code: "RATE_LIMITED", retryable: true });
  expect(seam.believed().size).toBe(0);
  expect(venueWaits).toEqual([]);
  expect(k.slot(0).stage).toBe("IDLE");
});

test("CLOSE_ALL while orders are held goes on past each refused exit: every exit refused RATE_LIMITED, the cancel still sent", async () => {
  const k = kernel();
  openPosition(k, 0);
  openPosition(k, 1);
  expect(enter(k, 2, { trade: "T2" }).accepted).toBe(true);
  const slots = [
    longSlot(0, "POSITION_OPEN", 100_000_000n),
    longSlot(1, "POSITION_OPEN", 100_000_000n),
    longSlot(2, "ENTRY_WORKING"),
  ];
  const { client, venueWaits } = clientOn(new LauncherLane(k, { slotCount: 3, holdMs: HOLD_MS }), slots);
  const r = await new Seam(client, { venueTimeoutMs: 0 }).execute(closeAll("SL"), { awaitVenue: true });
  expect(kinds(r.steps.map((s) => s.intent))).toEqual(["EXIT 0", "EXIT 1", "CANCEL 2"]);
  expect(r.steps.map((s) => [s.outcome?.origin, s.outcome?.accepted])).toEqual([
    ["EDGE", false],
    ["EDGE", false],
    ["KERNEL", true],
  ]);
  expect(r.refusals.map((x) => [x.origin, x.code, x.slotId, x.retryAfterMs])).toEqual([
    ["EDGE", "RATE_LIMITED", 0, HOLD_MS],
    ["EDGE", "RATE_LIMITED", 1, HOLD_MS],
  ]);
  expect(r).toMatchObject({ ok: false, rateLimited: true, retryAfterMs: HOLD_MS, restarted: false });
  expect(venueWaits).toEqual([r.steps[2]!.id!]); // only the cancel made an order to hear about
  expect(r.venuePending).toEqual([2]); // this venue never answers it
  expect(r.remaining).toEqual([
    { slotId: 0, stage: "POSITION_OPEN" },
    { slotId: 1, stage: "POSITION_OPEN" },
    { slotId: 2, stage: "ENTRY_WORKING" },
  ]);
});

test("the same stop-loss re-sent after the hint passed is accepted by the kernel", async () => {
  const k = kernel();
  openPosition(k, 0);
  const lane = new LauncherLane(k, { slotCount: 3, holdMs: HOLD_MS });
  const { client } = clientOn(lane, [longSlot(0, "POSITION_OPEN", 100_000_000n)]);
  const seam = new Seam(client);
  expect((await seam.execute(stopLoss(0))).rateLimited).toBe(true);
  lane.holdMs = null;
  const r = await seam.execute(stopLoss(0));
  expect(r).toMatchObject({ ok: true, rateLimited: false, retryAfterMs: null });
  expect(r.steps[0]!.outcome).toMatchObject({ origin: "KERNEL", accepted: true, stage: "EXIT_WORKING" });
});
