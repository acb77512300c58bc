/**
 * The event stream (`GET /events`) serves nothing unmasked (src/launcher/serve.ts): the free text an
 * event can carry from the venue or an error — a diagnostic's message and details, whatever raised
 * it (the kernel's outcome, the launcher, the venue adapter, the projection), and a flatten's report
 * or error — goes through the project's masking (`maskSecrets`: registered secrets such as the BingX
 * API key and secret, URL passwords) plus a request signature (`signature=<hex>`) before it is
 * framed, for a live client and for one resuming from the ring alike.
 */

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import { registerSecret } from "../../src/contracts/secrets.ts";
import type { EventHub } from "../../src/events/index.ts";
import { accountRecord, flushed, testHub } from "../_support/event_hub.ts";
import { SseReader } from "../_support/sse.ts";

const API_KEY = "h49EventsApiKey0123456789abcdef";
const SIGNATURE = "3f6c0a9be1d24c7788a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c";
registerSecret(API_KEY); // as config does for BINGX_API_KEY (the registry is process-wide and only grows)

const clock = new ManualClock();
const venueText = `POST https://open-api.bingx.com/openApi/swap/v2/trade/order?X-BX-APIKEY=${API_KEY}&timestamp=1&signature=${SIGNATURE} refused`;

function kernelDiagnostic(message: string): DiagnosticRecord {
  return {
    code: "VENUE_REJECTED",
    severity: "WARNING",
    slot_id: 0,
    message,
    details: { field: message },
    input_index: 0,
    now_ms: 1,
  };
}

function open(h: EventHub, lastId: string | null = null): SseReader {
  const r = h.open(lastId);
  if (!r.ok) throw new Error(r.error);
  return new SseReader(r.stream);
}

function expectMasked(served: unknown): void {
  const text = JSON.stringify(served);
  expect(text).not.toContain(API_KEY);
  expect(text).not.toContain(SIGNATURE);
  expect(text).not.toContain("hunter2pw");
  expect(text).toContain("***");
}

describe("EventHub masks what it serves", () => {
  test("a diagnostic whose message and details hold an API key, a signature or a URL password is served masked", async () => {
    const h = testHub(clock);
    const c = open(h);
    await flushed();
    h.onOutcome([], [kernelDiagnostic(venueText)], accountRecord());
    h.diagnostic({
      source: "venue",
      code: "VENUE_ERROR",
      severity: "ERROR",
      slot_id: null,
      message: `ws://u:hunter2pw@stream.bingx.com closed; key ${API_KEY}`,
      details: { nested: { text: venueText }, list: [venueText] },
      now_ms: 2,
    });
    const frames = await c.until("two diagnostics", (f) => f.filter((x) => x.event === "diagnostic").length === 2);
    const ds = frames.filter((f) => f.event === "diagnostic");
    for (const d of ds) expectMasked(d.data);
    expect(ds[0]!.data.message).toContain("signature=***");
    expect(ds[0]!.data.message).toContain("X-BX-APIKEY=***");
    expect(ds[1]!.data.message).toBe("ws://u:***@stream.bingx.com closed; key ***");
    await c.cancel();
    h.close();
  });

  test("a flatten that failed with venue text in its error is served masked, to a resuming client too", async () => {
    const h = testHub(clock);
    const first = open(h);
    await flushed();
    h.onFlatten({ phase: "FAILED", failed_at_ms: 3, error: venueText });
    const live = await first.until("the flatten", (f) => f.some((x) => x.event === "flatten"));
    const flatten = live.find((f) => f.event === "flatten")!;
    expectMasked(flatten.data);
    await first.cancel();
    const resumed = open(h, "e1-0");
    const again = await resumed.until("the flatten again", (f) => f.some((x) => x.event === "flatten"));
    expectMasked(again.find((f) => f.event === "flatten")!.data);
    await resumed.cancel();
    h.close();
  });
});
