/**
 * EventHub frames an event's JSON when a client first needs it (the flush, or a resuming client's
 * backlog). A diagnostic whose `details` JSON cannot hold (a BigInt, a cycle) must cost only
 * itself: it is sent with those values spelled as text, every later event still reaches every
 * client, and a client resuming across it is served. No producer in the tree emits such details
 * today; `EventHub.diagnostic` takes `Record<string, unknown>`, so the hub must not trust it.
 */

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { EventHub, FeedDiagnostic } from "../../src/events/index.ts";
import { flushed, testHub } from "../_support/event_hub.ts";
import { SseReader } from "../_support/sse.ts";

const clock = new ManualClock();

function diag(code: string, details: Record<string, unknown>): FeedDiagnostic {
  return { source: "venue", code, severity: "WARNING", slot_id: null, message: code, details, now_ms: 0 };
}

function cyclic(): Record<string, unknown> {
  const o: Record<string, unknown> = { name: "loop" };
  o.self = o;
  return o;
}

function open(h: EventHub, lastId: string | null = null): SseReader {
  const r = h.open(lastId);
  if (!r.ok) throw new Error(r.error);
  return new SseReader(r.stream);
}

describe("EventHub with an unserializable diagnostic", () => {
  test("a BigInt, a cycle or a throwing toJSON in details costs only that event: later events still reach a connected client", async () => {
    const h = testHub(clock);
    const c = open(h);
    await flushed();
    h.diagnostic(diag("BIG", { n: 12345678901234567890n }));
    h.diagnostic(diag("LOOP", cyclic()));
    h.diagnostic(
      diag("THROWS", {
        v: {
          toJSON: () => {
            throw new Error("no JSON here");
          },
        },
      }),
    );
    h.diagnostic(diag("AFTER", { ok: 1 }));
    const frames = await c.until("the diagnostic after", (f) => f.some((x) => x.data?.code === "AFTER"));
    const ds = frames.filter((f) => f.event === "diagnostic");
    expect(ds.map((f) => [f.id, f.data.code])).toEqual([
      ["e1-1", "BIG"],
      ["e1-2", "LOOP"],
      ["e1-3", undefined],
      ["e1-4", "AFTER"],
    ]);
    expect(ds[2]!.data).toEqual({ unserializable: "no JSON here" });
    expect(ds[0]!.data.details.n).toBe("12345678901234567890");
    expect(ds[1]!.data.details.self).toBe("[circular]");
    await c.cancel();
  });

  test("a client resuming across an unserializable event gets the events after it", async () => {
    const h = testHub(clock);
    h.diagnostic(diag("OK", {}));
    await flushed();
    h.diagnostic(diag("BIG", { n: 1n }));
    h.diagnostic(diag("AFTER", {}));
    const c = open(h, "e1-1");
    const frames = await c.until("the diagnostic after", (f) => f.some((x) => x.data?.code === "AFTER"));
    expect(frames.map((f) => f.data.code)).toEqual(["BIG", "AFTER"]);
    await c.cancel();
  });
});
