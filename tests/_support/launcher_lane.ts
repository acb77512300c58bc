/**
 * A fake libzinc whose ring is the launcher's ring edge over a real kernel, for the clients' seam
 * tests: each pushed record goes through `RingIntake` (the order edge's checks, `orderRecordRefusal`,
 * with a venue whose `orderHoldMs` answers `holdMs`, null: none) into the kernel at once, and the
 * client's lane gets the very bytes the launcher publishes. `venue`, when set, answers each
 * accepted exit order: the event is applied to the kernel and followed to the asking intent (a
 * VENUE outcome), as the runtime does.
 *
 * Entry point: `new LauncherLane(kernel, { slotCount, holdMs? })`.
 */

import { expect } from "bun:test";
import type { VenueAdapter, VenueEvent } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { orderRecordRefusal } from "../../src/launcher/_order_hold.ts";
import { RingIntake } from "../../src/launcher/_ring_intake.ts";
import { InMemoryZincPlane } from "../../src/zinc/index.ts";
import { FakeLane } from "./client_fakes.ts";
import { feed, T0 } from "./kernel.ts";

export class LauncherLane extends FakeLane {
  holdMs: number | null;
  venue: ((orderId: string) => VenueEvent) | null = null;
  readonly plane: InMemoryZincPlane;
  readonly own: ReturnType<InMemoryZincPlane["claimOutcomeLane"]>;
  private readonly intake: RingIntake;

  constructor(
    private readonly k: ExecutionKernel,
    o: { slotCount: number; holdMs?: number | null },
  ) {
    super();
    this.holdMs = o.holdMs ?? null;
    this.plane = InMemoryZincPlane.open({ slotCount: o.slotCount, ringCapacity: 64 });
    this.own = this.plane.claimOutcomeLane();
    const venue = {
      knownRules: () => null,
      knownListed: () => null,
      orderHoldMs: () => this.holdMs,
    } as unknown as VenueAdapter;
    const slotOf = (i: number) =>
      k.slot(i).asset ? { asset: k.slot(i).asset, size: k.slot(i).size, side: k.slot(i).side } : null;
    this.intake = new RingIntake(this.plane, k, {
      check: (rec) => orderRecordRefusal(venue, rec, slotOf),
      applied: () => {},
      refused: () => {},
      nowMs: () => T0,
    });
  }

  override zinc_ring_push = (_h: number, rec: Uint8Array) => {
    expect(this.plane.pushIntent(rec.slice())).toBe("OK");
    this.intake.drain();
    const order = this.k.slot(0).exit_order;
    if (this.venue !== null && order !== null) {
      const e = this.venue(order.client_order_id);
      this.intake.followVenue(e, feed(this.k, e, T0 + 500));
    }
    for (const r of this.own.poll(64).records)
      this.publish((p) => {
        const c = r.slice();
        new DataView(c.buffer).setBigUint64(0, BigInt(2 * (p + 1)), true); // this fake lane's position
        return c;
      });
    return 0;
  };
}
