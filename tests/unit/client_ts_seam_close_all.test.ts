/**
 * What the TypeScript seam's CLOSE_ALL leaves and what an unanswered venue is, as the Python seam
 * (clients/python/tests/test_seam_close_all.py). (1) With `awaitVenue`, an entry that had partly
 * filled keeps that part open after its cancel (the kernel then holds POSITION_OPEN with the
 * filled size): once the venue answered the cancels, the seam re-reads those slots and exits any
 * that now hold a position, in the same result; `remaining` names every slot not flat when the
 * result returns (an EXIT_WORKING slot it skipped counts). Without `awaitVenue` nothing is followed
 * up and `remaining` says so: every slot the close planned on that was not flat. (2) A venue that
 * does not answer within the venue timeout is `venuePending` (its slot ids), never an unexplained
 * `venue` null; `ok` stays true (nothing was refused). (3) A fill can race the cancel: its first
 * venue answer is then a fill and the entry still works; with `awaitVenue` the seam waits, until one
 * deadline the venue timeout away, for the cancel's final answer (CANCEL_ACK, FULL_FILL, or a
 * CANCEL_REJECT: a VENUE refusal), taking the fills on the way, then re-reads and exits what the slot
 * holds; no final answer in time is `venuePending`. The kernel and the venue are a stub of the
 * client the seam calls: the kernel accepts every intent and mirrors each change before its outcome.
 */

import { expect, test } from "bun:test";
import {
  closeAll,
  type DitaClient,
  type Intent,
  type Outcome,
  OutcomeTimeoutError,
  Seam,
  type Slot,
  stopLoss,
} from "../../clients/typescript/index.ts";
import { longSlot, seededAccount } from "../_support/client_fakes.ts";

const account = seededAccount();

function outcome(id: bigint, s: Slot, venue: Outcome["eventKind"]): Outcome {
  return {
    clientIntentId: id,
    lanePosition: 0,
    origin: venue === null ? "KERNEL" : "VENUE",
    accepted: true,
    nowMs: 0,
    inputKind: venue === null ? "EXIT" : "VENUE_EVENT",
    slotId: s.slotId,
    slotVersion: 1,
    stage: s.stage,
    eventKind: venue,
    orderStatus: null,
    diagnosticCount: 0,
    diagnostics: [],
    code: null,
    message: "",
  };
}

type Answer = "PARTIAL_FILL" | "FULL_FILL" | "CANCEL_ACK" | "CANCEL_REJECT";

/**
 * Slot 0 works an entry of 0.01 of which 0.005 filled, slot 1 holds 0.05, slot 2 works a
 * scale-out's exit. Unless `silent`, the venue answers at once: a CANCEL with CANCEL_ACK (the
 * filled part stays open: POSITION_OPEN), an EXIT with FULL_FILL (CLOSED). With `race`, the
 * CANCEL is answered with those events instead, in order, each mirrored as the seam takes it (a
 * fill racing the cancel: PARTIAL_FILL fills 0.001 more and the entry still works; FULL_FILL
 * fills all 0.01; CANCEL_ACK leaves what filled open; CANCEL_REJECT leaves the entry working);
 * past the last, no answer comes in time.
 */
class VenueStub {
  slots = [
    longSlot(0, "ENTRY_WORKING", 500_000n),
    longSlot(1, "POSITION_OPEN", 5_000_000n),
    longSlot(2, "EXIT_WORKING", 2_000_000n),
  ];
  pushed: Intent[] = [];
  private readonly kernel = new Map<bigint, Outcome>();
  private readonly venue = new Map<bigint, Outcome>();
  /** Per CANCEL intent: its racing answers not taken yet. */
  readonly raced = new Map<bigint, Array<() => Outcome>>();
  constructor(
    readonly silent = false,
    readonly race: Answer[] | null = null,
  ) {}
  nowMs = () => 1_700_000_000_500;
  state = () => ({ slots: this.slots.map((s) => ({ ...s })), account, stateHash: 0n, mirrorCount: 1 });
  checkKernel = () => {};
  reconnect = () => ({});
  push = (intent: Intent): bigint => {
    this.pushed.push(intent);
    const id = BigInt(this.pushed.length);
    if (intent.type === "MARK_PRICE") return id;
    const i = intent.slotId;
    const held = this.slots[i]!.sizeE8!;
    this.slots[i] = longSlot(i, intent.type === "EXIT" ? "EXIT_WORKING" : "ENTRY_WORKING", held);
    this.kernel.set(id, outcome(id, this.slots[i]!, null));
    if (this.silent) return id;
    if (intent.type === "CANCEL" && this.race !== null) {
      this.raced.set(
        id,
        this.race.map((event) => () => {
          const filled = event === "PARTIAL_FILL" ? this.slots[i]!.sizeE8! + 100_000n : 1_000_000n;
          if (event === "PARTIAL_FILL" || event === "FULL_FILL")
            this.slots[i] = longSlot(i, event === "FULL_FILL" ? "POSITION_OPEN" : "ENTRY_WORKING", filled);
          if (event === "CANCEL_ACK") this.slots[i] = longSlot(i, "POSITION_OPEN", this.slots[i]!.sizeE8!);
          return outcome(id, this.slots[i]!, event);
        }),
      );
      return id;
    }
    if (intent.type === "CANCEL") this.slots[i] = longSlot(i, held > 0n ? "POSITION_OPEN" : "IDLE", held);
    if (intent.type === "EXIT") this.slots[i] = longSlot(i, "CLOSED", 0n);
    const event = intent.type === "CANCEL" ? "CANCEL_ACK" : intent.type === "EXIT" ? "FULL_FILL" : "ACK";
    this.venue.set(id, outcome(id, this.slots[i]!, event));
    return id;
  };
  outcome = async (id: bigint) => this.kernel.get(id)!;
  nextVenueOutcome = async (id: bigint) => {
    const o = this.raced.has(id) ? this.raced.get(id)!.shift()?.() : this.venue.get(id);
    if (o === undefined) throw new OutcomeTimeoutError(id, `no venue outcome for intent ${id}`);
    return o;
  };
}

const seamOn = (stub: VenueStub) => new Seam(stub as unknown as DitaClient, { venueTimeoutMs: 0 });
const pushed = (stub: VenueStub) =>
  stub.pushed.map((i) => (i.type === "MARK_PRICE" ? [i.type] : [i.type, i.slotId, "size" in i ? i.size : null]));

test("CLOSE_ALL with awaitVenue exits the part a cancelled entry had filled, and names what is not flat", async () => {
  const stub = new VenueStub();
  const r = await seamOn(stub).execute(closeAll("SL"), { awaitVenue: true });
  expect(pushed(stub)).toEqual([
    ["CANCEL", 0, null],
    ["EXIT", 1, 0.05],
    ["EXIT", 0, 0.005],
  ]);
  expect(r.steps.map((s) => (s.intent.type === "EXIT" ? s.intent.reason : s.intent.type))).toEqual([
    "CANCEL",
    "SL",
    "SL",
  ]);
  expect(r.steps.map((s) => s.venue?.eventKind)).toEqual(["CANCEL_ACK", "FULL_FILL", "FULL_FILL"]);
  expect(r.skipped).toEqual([{ slotId: 2, stage: "EXIT_WORKING" }]);
  expect(r.remaining).toEqual([{ slotId: 2, stage: "EXIT_WORKING" }]); // the scale-out still working is not flat
  expect(r.venuePending).toEqual([]);
  expect(r.ok).toBe(true);
});

test("CLOSE_ALL without awaitVenue follows nothing up and names every slot not flat", async () => {
  const stub = new VenueStub();
  const r = await seamOn(stub).execute(closeAll());
  expect(pushed(stub)).toEqual([
    ["CANCEL", 0, null],
    ["EXIT", 1, 0.05],
  ]);
  expect(r.remaining).toEqual([
    { slotId: 0, stage: "ENTRY_WORKING" },
    { slotId: 1, stage: "POSITION_OPEN" },
    { slotId: 2, stage: "EXIT_WORKING" },
  ]);
  expect(r.ok).toBe(true);
});

test("CLOSE_ALL whose cancel the venue has not answered exits nothing more and says so", async () => {
  const stub = new VenueStub(true);
  const r = await seamOn(stub).execute(closeAll(), { awaitVenue: true });
  expect(pushed(stub)).toEqual([
    ["CANCEL", 0, null],
    ["EXIT", 1, 0.05],
  ]);
  expect(r.venuePending).toEqual([0, 1]);
  expect(r.remaining).toEqual([
    { slotId: 0, stage: "ENTRY_WORKING" },
    { slotId: 1, stage: "EXIT_WORKING" },
    { slotId: 2, stage: "EXIT_WORKING" },
  ]);
});

test("decisions other than CLOSE_ALL judge no remaining (null)", async () => {
  const r = await seamOn(new VenueStub()).execute(stopLoss(1), { awaitVenue: true });
  expect(r.remaining).toBeNull();
});

test("a venue that does not answer in time is venuePending, and ok stays true", async () => {
  const r = await seamOn(new VenueStub(true)).execute(stopLoss(1), { awaitVenue: true });
  expect([r.ok, r.steps[0]!.venue, r.venuePending]).toEqual([true, null, [1]]);
  const answered = await seamOn(new VenueStub()).execute(stopLoss(1), { awaitVenue: true });
  expect([answered.ok, answered.steps[0]!.venue?.eventKind, answered.venuePending]).toEqual([true, "FULL_FILL", []]);
  expect((await seamOn(new VenueStub(true)).execute(stopLoss(1))).venuePending).toEqual([]);
});

test("CLOSE_ALL with awaitVenue waits past a fill that raced the cancel for the cancel's answer, then exits what the entry filled", async () => {
  const stub = new VenueStub(false, ["PARTIAL_FILL", "CANCEL_ACK"]);
  const r = await seamOn(stub).execute(closeAll("SL"), { awaitVenue: true });
  expect(pushed(stub)).toEqual([
    ["CANCEL", 0, null],
    ["EXIT", 1, 0.05],
    ["EXIT", 0, 0.006], // the 0.005 filled before the close and the 0.001 that raced the cancel
  ]);
  expect(r.steps.map((s) => s.venue?.eventKind)).toEqual(["CANCEL_ACK", "FULL_FILL", "FULL_FILL"]);
  expect(r.remaining).toEqual([{ slotId: 2, stage: "EXIT_WORKING" }]);
  expect([r.ok, r.venuePending]).toEqual([true, []]);
});

test("CLOSE_ALL with awaitVenue exits an entry a racing fill filled whole before its cancel landed", async () => {
  const stub = new VenueStub(false, ["PARTIAL_FILL", "FULL_FILL"]);
  const r = await seamOn(stub).execute(closeAll(), { awaitVenue: true });
  expect(pushed(stub)).toEqual([
    ["CANCEL", 0, null],
    ["EXIT", 1, 0.05],
    ["EXIT", 0, 0.01],
  ]);
  expect(r.remaining).toEqual([{ slotId: 2, stage: "EXIT_WORKING" }]);
});

test("CLOSE_ALL whose cancel the venue refused after a racing fill reports the CANCEL_REJECT and exits nothing of that slot", async () => {
  const stub = new VenueStub(false, ["PARTIAL_FILL", "CANCEL_REJECT"]);
  const r = await seamOn(stub).execute(closeAll(), { awaitVenue: true });
  expect(pushed(stub)).toEqual([
    ["CANCEL", 0, null],
    ["EXIT", 1, 0.05],
  ]);
  expect(r.refusals.map((x) => [x.origin, x.code, x.slotId])).toEqual([["VENUE", "CANCEL_REJECT", 0]]);
  expect(r.steps[0]!.venue?.eventKind).toBe("CANCEL_REJECT");
  expect(r.remaining).toEqual([
    { slotId: 0, stage: "ENTRY_WORKING" },
    { slotId: 2, stage: "EXIT_WORKING" },
  ]);
  expect(r.ok).toBe(false);
});

test("CLOSE_ALL whose cancel has only a racing fill within the venue timeout is venuePending, its last answer kept", async () => {
  const stub = new VenueStub(false, ["PARTIAL_FILL"]);
  const r = await seamOn(stub).execute(closeAll(), { awaitVenue: true });
  expect(pushed(stub)).toEqual([
    ["CANCEL", 0, null],
    ["EXIT", 1, 0.05],
  ]);
  expect(r.steps[0]!.venue?.eventKind).toBe("PARTIAL_FILL");
  expect(r.venuePending).toEqual([0]);
  expect(r.remaining).toEqual([
    { slotId: 0, stage: "ENTRY_WORKING" },
    { slotId: 2, stage: "EXIT_WORKING" },
  ]);
  expect(r.ok).toBe(true);
});

test("CLOSE_ALL's wait for a cancel's final answer ends at one deadline the venue timeout away, however many fills keep coming", async () => {
  const stub = new VenueStub(false, ["PARTIAL_FILL", "PARTIAL_FILL", "PARTIAL_FILL", "PARTIAL_FILL"]);
  let now = 0;
  const seam = new Seam(stub as unknown as DitaClient, { venueTimeoutMs: 3, monoMs: () => ++now });
  const r = await seam.execute(closeAll(), { awaitVenue: true });
  // the deadline is read at 1 (due at 4): answers are taken at 2 and 3, and at 4 the wait ends
  expect(stub.raced.get(1n)!.length).toBe(1);
  expect([r.steps[0]!.venue?.eventKind, r.venuePending]).toEqual(["PARTIAL_FILL", [0]]);
  expect(r.remaining).toEqual([
    { slotId: 0, stage: "ENTRY_WORKING" },
    { slotId: 2, stage: "EXIT_WORKING" },
  ]);
});
