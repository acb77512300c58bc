/**
 * `EventHub.close()` at shutdown: serve closes the hub right after the runtime's shutdown, whose
 * last transitions, diagnostics and account were appended to the ring within the flush delay
 * (20 ms). Those events reach every open client before its stream ends; closing without a flush
 * ended each stream with them unsent, so the console never saw how the process finished (its next
 * connection is to another process: a reset, not those events).
 */

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { TransitionRecord } from "../../src/contracts/records.ts";
import { accountRecord, testHub } from "../_support/event_hub.ts";
import { SseReader } from "../_support/sse.ts";

const clock = new ManualClock();

const account = accountRecord();

const withdrawn = {
  input_index: 0,
  slot_id: 2,
  from: "ENTRY_WORKING",
  to: "IDLE",
  trigger: "CANCEL",
  row: 1,
  version: 3,
  now_ms: 0,
} as unknown as TransitionRecord;

describe("EventHub.close", () => {
  test("sends the events appended since the last flush before it ends each stream", async () => {
    // A flush delay far longer than the test: only close() can send what was appended.
    const h = testHub(clock, { flushMs: 60_000 });
    const opened = h.open(null);
    if (!opened.ok) throw new Error(opened.error);
    const c = new SseReader(opened.stream);
    await c.until("the start reset", (f) => f.some((x) => x.event === "reset"));
    h.onOutcome([withdrawn], [], account);
    h.diagnostic({
      source: "launcher",
      code: "SHUTDOWN",
      severity: "INFO",
      slot_id: null,
      message: "stopped",
      details: {},
      now_ms: 0,
    });
    h.close();
    const frames = await c.until("the end of the stream", () => c.done);
    expect(c.error).toBeNull();
    expect(frames.map((f) => [f.event, f.id])).toEqual([
      ["reset", "e1-0"],
      ["transition", "e1-1"],
      ["diagnostic", "e1-2"],
      ["account", "e1-3"],
    ]);
    expect(h.open(null)).toEqual({ ok: false, error: "shutting down: the event stream is closed" });
  });
});
