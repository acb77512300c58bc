/**
 * A cancel the venue refuses for its rate limit: the kernel's CANCEL_REJECTED takes the order out
 * of CANCEL_REQUESTED, and the executor still sends the cancel again (src/launcher/README.md:
 * "a cancel refused for the rate limit ... is sent again, 4 sends in all"). That is intended and
 * bounded: at most 4 sends per accepted CANCEL, each refusal handed to the kernel, and the re-sends
 * stop as soon as the order is no longer working (the kernel takes a CANCEL_ACK in any status).
 */

import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { VenueEvent } from "../../src/contracts/venue.ts";
import { type CancelDeps, sendCancelUntilAnswered } from "../../src/launcher/_cancel_sends.ts";

function deps(statusAfter: (sends: number) => string) {
  const clock = new ManualClock();
  const sent: number[] = [];
  const refusals: VenueEvent[] = [];
  const sleeps: number[] = [];
  const slot = () => ({
    asset: "BTC-USDT",
    stage: "ENTRY_WORKING",
    entry_order: { client_order_id: "C1", status: statusAfter(sent.length) },
    exit_order: null,
  });
  const d = {
    kernel: { slot } as unknown as CancelDeps["kernel"],
    venue: {
      cancel: async () => {
        sent.push(sent.length + 1);
        const event = { kind: "CANCEL_REJECT", reject_reason: "RATE_LIMITED", retry_after_ms: 100 } as VenueEvent;
        return { status: "REJECTED" as const, event };
      },
    } as unknown as CancelDeps["venue"],
    clock,
    sleep: async (ms: number) => void sleeps.push(ms),
    log: () => {},
    latency: () => {},
    onVenueEvent: (e: VenueEvent) => refusals.push(e),
    resolveByQuery: async () => null,
  } satisfies CancelDeps;
  return { d, sent, refusals, sleeps };
}

describe("a cancel refused for the rate limit", () => {
  test("is sent again at most 4 times in all, each refusal handed to the kernel", async () => {
    const { d, sent, refusals, sleeps } = deps(() => "ACKED"); // the kernel's status after CANCEL_REJECTED
    await sendCancelUntilAnswered(d, 0, "C1");
    expect(sent.length).toBe(4);
    expect(refusals.length).toBe(4);
    expect(sleeps).toEqual([100, 100, 100]);
  });

  test("is not sent again once the order ended", async () => {
    const { d, sent } = deps((n) => (n >= 2 ? "CANCELLED" : "ACKED"));
    await sendCancelUntilAnswered(d, 0, "C1");
    expect(sent.length).toBe(2);
  });
});
