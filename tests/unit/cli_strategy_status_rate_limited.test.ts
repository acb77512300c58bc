/**
 * `dita-v2 strategy-status` shows the edge's RATE_LIMITED refusal among its recent refusals: while
 * the venue adapter would not send an order, a ring EXIT is refused before the kernel (an EDGE
 * outcome, RATE_LIMITED, retryable, the time left), and an operator reading the regions must see
 * that refusal with its code and its hint, in the JSON document and in the text. The regions are
 * real (/dev/shm, a unique prefix); this process plays the launcher's ring edge (`RingIntake` with
 * the order-hold check over a venue whose `orderHoldMs` answers the hint) over a real kernel.
 */

import { expect, test } from "bun:test";
import { encodeIntent } from "../../clients/typescript/intents.ts";
import { statusText } from "../../src/cli/_status_text.ts";
import { strategyStatus } from "../../src/cli/strategy_status.ts";
import type { VenueAdapter } from "../../src/contracts/venue.ts";
import { orderRecordRefusal } from "../../src/launcher/_order_hold.ts";
import { RingIntake } from "../../src/launcher/_ring_intake.ts";
import { kernelsPerTest, openPosition, T0 } from "../_support/kernel.ts";
import { zincRegionsPerTest } from "../_support/zinc_regions.ts";

const zinc = zincRegionsPerTest("status_rate_limited");
const kernel = kernelsPerTest({ slots: 2, capital: 1_000_000 });

test("an EXIT refused RATE_LIMITED at the edge is a recent refusal with its code, origin EDGE and retry hint", () => {
  const k = kernel();
  openPosition(k, 0);
  const { prefix, plane } = zinc.plane({ slotCount: 2, namespace: "pink" });
  const lane = plane.claimOutcomeLane();
  const venue = {
    knownRules: () => null,
    knownListed: () => null,
    orderHoldMs: () => 45_000,
  } as unknown as VenueAdapter;
  const intake = new RingIntake(plane, k, {
    check: (rec) =>
      orderRecordRefusal(venue, rec, (i) => ({ asset: k.slot(i).asset, size: k.slot(i).size, side: k.slot(i).side })),
    applied: () => {},
    refused: () => {},
    nowMs: () => T0,
  });
  const rec = new Uint8Array(320);
  encodeIntent({ type: "EXIT", slotId: 0, size: 1, reason: "SL", price: null }, T0, lane.idBytes(1), rec);
  expect(plane.pushIntent(rec)).toBe("OK");
  expect(intake.drain()).toBe(1);
  expect(k.slot(0).stage).toBe("POSITION_OPEN"); // never reached the kernel

  const doc = strategyStatus(zinc.libPath, prefix, 10);
  expect(doc.recent_refusals).toEqual([
    {
      lane: lane.lane,
      client_intent_id: expect.any(String),
      now_ms: T0,
      origin: "EDGE",
      input_kind: "EXIT",
      slot_id: 0,
      code: "RATE_LIMITED",
      retry_after_ms: 45_000,
      message: expect.stringContaining("EXIT not sent: the venue's rate limit holds orders 45000 ms more"),
    },
  ]);
  expect(statusText(doc)).toContain(
    `lane ${lane.lane} EDGE EXIT slot 0: RATE_LIMITED (retry after 45000 ms) EXIT not sent`,
  );
});
