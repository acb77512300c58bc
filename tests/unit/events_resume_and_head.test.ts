/**
 * The event stream keeps its client places for clients that read:
 *
 * - `HEAD /events` (hono answers it with the GET handler and drops the body) opens no stream: a
 *   stream nobody reads or cancels held one of the hub's 32 places until its unread pings reached
 *   the 1 MiB bound (days), so 32 HEAD probes shut the console out of `GET /events` (503);
 * - a client resuming with a `Last-Event-ID` that is still in the ring but has more than the
 *   per-client bound of events after it gets a `reset` (reload state) instead of being dropped
 *   before it could read a byte: dropped, it reconnected with the same id and was dropped again,
 *   every second, until that id left the ring.
 */

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { createHttp, type HttpDeps } from "../../src/http/index.ts";
import { accountRecord, flushed, testHub } from "../_support/event_hub.ts";
import { SseReader } from "../_support/sse.ts";

const clock = new ManualClock();

describe("HEAD /events", () => {
  test("opens no stream: past the client bound, GET /events still gets a stream", async () => {
    const h = testHub(clock, { maxClients: 2 });
    const http = createHttp({
      slotCount: () => 4,
      operatorToken: () => "t".repeat(16),
      events: h,
    } as unknown as HttpDeps);
    const request = (method: string) =>
      http.fetch(new Request("http://127.0.0.1/events", { method, headers: { Host: "127.0.0.1" } }));
    for (let i = 0; i < 5; i++) {
      const r = await request("HEAD");
      expect([r.status, r.headers.get("Content-Type")]).toEqual([200, "text/event-stream; charset=utf-8"]);
    }
    expect(h.stats().clients).toBe(0);
    const r = await request("GET");
    expect(r.status).toBe(200);
    const c = new SseReader(r.body!);
    await c.until("the start reset", (f) => f.some((x) => x.event === "reset"));
    expect(h.stats().clients).toBe(1);
    await c.cancel();
  });
});

describe("resuming far behind", () => {
  test("a Last-Event-ID with more than the client bound after it gets a reset, not a drop", async () => {
    const lines: string[] = [];
    const h = testHub(clock, { clientQueueBytes: 4096, log: (l) => lines.push(l) });
    // One account event per flush (a new equity each time), ~300 bytes each: 40 are > 4 KiB.
    for (let i = 1; i <= 40; i++) {
      h.onOutcome([], [], accountRecord(10_000 + i));
      await flushed();
    }
    expect(h.stats().last_seq).toBe(40);
    const opened = h.open("e1-1");
    if (!opened.ok) throw new Error(opened.error);
    const c = new SseReader(opened.stream);
    const frames = await c.until("a reset", (f) => f.some((x) => x.event === "reset") || c.done);
    expect(c.error).toBeNull();
    expect(frames[0]).toMatchObject({ event: "reset", id: "e1-40", data: { last_seq: 40 } });
    expect(frames[0]!.data.reason).toContain("too far behind");
    expect(h.stats()).toMatchObject({ clients: 1, clients_dropped_total: 0 });
    // It goes on from the head: the next event reaches it.
    h.onOutcome([], [], accountRecord(20_000));
    await c.until("the next account", (f) => f.some((x) => x.id === "e1-41"));
    expect(lines).toEqual([]);
    await c.cancel();
  });

  test("a Last-Event-ID with less than the bound after it still resumes event by event", async () => {
    const h = testHub(clock, { clientQueueBytes: 1024 * 1024 });
    for (let i = 1; i <= 40; i++) {
      h.onOutcome([], [], accountRecord(10_000 + i));
      await flushed();
    }
    const opened = h.open("e1-30");
    if (!opened.ok) throw new Error(opened.error);
    const c = new SseReader(opened.stream);
    const frames = await c.until("31..40", (f) => f.some((x) => x.id === "e1-40"));
    expect(frames.map((f) => f.id)).toEqual(Array.from({ length: 10 }, (_, i) => `e1-${31 + i}`));
    await c.cancel();
  });
});
