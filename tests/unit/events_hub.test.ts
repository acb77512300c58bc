/**
 * EventHub (src/events): ids, resume with Last-Event-ID, resets, account coalescing, control
 * versions, the per-client bound and the client limit. Flushes run on setImmediate (`flushMs: 0`)
 * so a test can wait for exactly one. Streams are read the way Bun reads a response body; a
 * client that "stops reading" is a stream nobody reads.
 */

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { ControlSnapshot } from "../../src/contracts/control.ts";
import type { TransitionRecord } from "../../src/contracts/records.ts";
import type { EventHub } from "../../src/events/index.ts";
import { accountRecord, flushed, testHub } from "../_support/event_hub.ts";
import { SseReader } from "../_support/sse.ts";

const clock = new ManualClock();

function transition(slot: number, from: string, to: string, version: number): TransitionRecord {
  return {
    input_index: 0,
    slot_id: slot,
    from,
    to,
    trigger: "ENTER",
    row: 1,
    version,
    now_ms: clock.nowMs(),
  } as TransitionRecord;
}

function open(h: EventHub, lastId: string | null = null): SseReader {
  const r = h.open(lastId);
  if (!r.ok) throw new Error(r.error);
  return new SseReader(r.stream);
}

describe("EventHub", () => {
  test("a fresh client gets a reset first, then every transition in order with increasing ids", async () => {
    const h = testHub(clock);
    const c = open(h);
    h.onOutcome(
      [transition(0, "IDLE", "ENTRY_WORKING", 1), transition(0, "ENTRY_WORKING", "POSITION_OPEN", 2)],
      [],
      accountRecord(10_000),
    );
    const frames = await c.until("two transitions", (f) => f.filter((x) => x.event === "transition").length === 2);
    expect(frames[0]).toMatchObject({ event: "reset", data: { reason: "start" } });
    const ts = frames.filter((f) => f.event === "transition");
    expect(ts.map((f) => f.data.to)).toEqual(["ENTRY_WORKING", "POSITION_OPEN"]);
    expect(ts.map((f) => f.id)).toEqual(["e1-1", "e1-2"]);
    await c.cancel();
  });

  test("a client resuming with Last-Event-ID gets exactly the events after that id, and no reset", async () => {
    const h = testHub(clock);
    for (let v = 1; v <= 5; v++) h.onOutcome([transition(1, "IDLE", "ENTRY_WORKING", v)], [], accountRecord(10_000));
    await flushed();
    const c = open(h, "e1-3");
    // 1..5 are the transitions, 6 the account event their flush published.
    const frames = await c.until("events 4 to 6", (f) => f.some((x) => x.id === "e1-6"));
    expect(frames.map((f) => [f.id, f.event])).toEqual([
      ["e1-4", "transition"],
      ["e1-5", "transition"],
      ["e1-6", "account"],
    ]);
    await c.cancel();
  });

  test("an id older than the ring, from another process, malformed or unknown gets a reset naming why", async () => {
    const h = testHub(clock, { ringCapacity: 4 });
    for (let v = 1; v <= 10; v++) h.onOutcome([transition(0, "IDLE", "ENTRY_WORKING", v)], [], accountRecord(10_000));
    await flushed();
    const cases: Array<[string, string]> = [
      ["e1-2", "older than the ring"],
      ["zz-9", "another server process (restarted)"],
      ["nonsense", "malformed Last-Event-ID"],
      ["e1-99", "unknown event id"],
    ];
    for (const [id, reason] of cases) {
      const c = open(h, id);
      const frames = await c.until(`reset for ${id}`, (f) => f.length >= 1);
      expect(frames[0]).toMatchObject({ event: "reset", data: { reason } });
      await c.cancel();
    }
    // Ten transitions and one account event: the ring of 4 holds 8..11, so 7 still resumes.
    const c = open(h, "e1-7");
    const frames = await c.until("8..11", (f) => f.some((x) => x.id === "e1-11"));
    expect(frames.map((f) => f.id)).toEqual(["e1-8", "e1-9", "e1-10", "e1-11"]);
    await c.cancel();
  });

  test("marks in one turn publish one account event; an unchanged account publishes none", async () => {
    const h = testHub(clock);
    const c = open(h);
    for (let i = 1; i <= 50; i++) h.onOutcome([], [], accountRecord(10_000 + i, 1));
    await c.until("one account event", (f) => f.some((x) => x.event === "account"));
    h.onOutcome([], [], accountRecord(10_050, 1));
    await flushed();
    await flushed();
    const accounts = c.frames.filter((f) => f.event === "account");
    expect(accounts).toHaveLength(1);
    expect(accounts[0]!.data).toMatchObject({ equity: 10_050, at_ms: clock.nowMs() });
    expect(h.equity().points).toEqual([[clock.nowMs(), 10_050, 0]]);
    await c.cancel();
  });

  test("a control snapshot is published once per version", async () => {
    const h = testHub(clock);
    const c = open(h);
    const snap = { version: 2, mode: "NORMAL", verbosity: "TRACE" } as ControlSnapshot;
    h.onControl(snap);
    h.onControl(snap);
    h.onControl({ ...snap, version: 3 });
    await c.until("two control events", (f) => f.filter((x) => x.event === "control").length === 2);
    await flushed();
    expect(c.frames.filter((f) => f.event === "control").map((f) => f.data.version)).toEqual([2, 3]);
    await c.cancel();
  });

  test("a client that stops reading is dropped past its bound; a reading client keeps every event", async () => {
    const lines: string[] = [];
    const h = testHub(clock, { clientQueueBytes: 4096, log: (l) => lines.push(l) });
    const stalled = h.open(null);
    if (!stalled.ok) throw new Error(stalled.error);
    const reading = open(h);
    for (let v = 1; v <= 200; v++) {
      h.onOutcome([transition(v % 4, "IDLE", "ENTRY_WORKING", v)], [], accountRecord(10_000));
      if (v % 20 === 0) await flushed();
    }
    await reading.until("200 transitions", (f) => f.filter((x) => x.event === "transition").length === 200);
    expect(h.stats()).toMatchObject({ clients: 1, clients_dropped_total: 1 });
    expect(lines.some((l) => /client \d+ dropped: \d+ bytes unread \(bound 4096\)/.test(l))).toBe(true);
    const r = stalled.stream.getReader();
    await expect(r.read().then(() => r.read())).rejects.toThrow("event stream client dropped");
    await reading.cancel();
  });

  test("more clients than the bound are refused with a reason; a closed hub refuses all", async () => {
    const h = testHub(clock, { maxClients: 2 });
    const a = open(h);
    const b = open(h);
    expect(h.open(null)).toEqual({ ok: false, error: "too many event stream clients (at most 2)" });
    await a.cancel();
    const c = open(h);
    h.close();
    await b.until("end", () => b.done);
    await c.until("end", () => c.done);
    expect(h.open(null)).toEqual({ ok: false, error: "shutting down: the event stream is closed" });
  });
});
