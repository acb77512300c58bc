/**
 * Exit legs across every restore path. The kernel names exit orders `<trade_id>-X<leg>` and BingX
 * remembers the client ids of ended orders: a slot whose `leg` came back lower than the highest leg
 * it already sent would name its next exit after an old one, and the venue would refuse it. Each
 * path a start adopts a belief by must carry `leg` exactly:
 *  - the journal: the snapshot written at a rotation plus the segment after it, replayed;
 *  - the Zinc state region: the raw slot images the kernel mirrors there, restored (recovery's fallback);
 *  - recovery's restore itself, journaled as a slot image and replayed at the next start;
 *  - the Hazelcast slot row: the SlotRecord the projection writes (as JSON, with its strategy and epoch),
 *    encoded back into an image (`encodeSlotImage`, as `belief.ts` does) and restored.
 * The trade sends X1 (filled), X2 (refused by the venue: its id is spent all the same) and X3
 * (working, half filled) before the restart; after it, X3 fills and the next exit must be X4.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SlotRecord } from "../../src/contracts/records.ts";
import { ExecutionKernel, encodeSlotImage, SegmentJournal, walkJournal } from "../../src/kernel/index.ts";
import { slotRow } from "../../src/projection/_rows.ts";
import { InMemoryZincPlane } from "../../src/zinc/index.ts";
import { event, exitLeg, feed, freshKernel, openPosition, T0 } from "../_support/kernel.ts";

const kernels: ExecutionKernel[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const k of kernels.splice(0)) k.destroy();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const track = (k: ExecutionKernel) => {
  kernels.push(k);
  return k;
};

/** A kernel (4 slots) journaling into a new directory from segment 1 on, in segments of `segmentBytes`. */
function journaling(segmentBytes: number) {
  const dir = mkdtempSync(join(tmpdir(), "dita-legs-"));
  dirs.push(dir);
  const journal = new SegmentJournal({
    dir,
    segmentBytes,
    keep: 8,
    run: "0123456789abcdef",
    strategy: "pink",
    slotCount: 4,
    activeSlotLimit: 4,
    hungOrderMs: 5_000,
  });
  const kernel = track(ExecutionKernel.open({ slotCount: 4, hungOrderMs: 5_000, journal }));
  journal.begin(kernel, 1);
  return { dir, journal, kernel };
}

/** Position 3 at 100; X1 fills 1, X2 is refused by the venue. Returns the ids sent. */
function firstTwoLegs(k: ExecutionKernel): string[] {
  openPosition(k, 0, 3, 100);
  const x1 = exitLeg(k, 1, T0 + 100);
  feed(k, event("ACK", x1, 0, 0), T0 + 101);
  feed(k, event("FULL_FILL", x1, 1, 110), T0 + 102);
  const x2 = exitLeg(k, 1, T0 + 200);
  feed(k, event("REJECT", x2, 0, 0, { reject_reason: "VENUE", venue_code: "101400" }), T0 + 201);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 2, leg: 2 });
  return [x1, x2];
}

/** X3 working, half filled. Returns its id. */
function thirdLeg(k: ExecutionKernel): string {
  const x3 = exitLeg(k, 1, T0 + 300);
  feed(k, event("ACK", x3, 0, 0), T0 + 301);
  feed(k, event("PARTIAL_FILL", x3, 0.5, 120), T0 + 302);
  expect(k.slot(0)).toMatchObject({ stage: "EXIT_WORKING", leg: 3, exit_order: { leg: 3, filled_size: 0.5 } });
  return x3;
}

/** After the restart: X3 fills; the next exit's id is a new one, X4. */
function nextExitAfterRestart(k: ExecutionKernel, sent: readonly string[]): string {
  expect(k.slot(0)).toMatchObject({ stage: "EXIT_WORKING", leg: 3, exit_order: { client_order_id: "T0-X3", leg: 3 } });
  feed(k, event("FULL_FILL", "T0-X3", 1, 120), T0 + 400);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 1, leg: 3 });
  const next = exitLeg(k, 1, T0 + 500);
  expect(sent).not.toContain(next);
  return next;
}

describe("an exit leg restored from any belief keeps the slot's leg: the next exit names a new client id", () => {
  test("journal: snapshot at a rotation after X2, segment with X3, replayed into a new kernel: the next exit is X4", () => {
    const { dir, journal, kernel: live } = journaling(4096);
    live.apply({ type: "SEED_CAPITAL", capital: 10_000, now_ms: T0 });
    const sent = firstTwoLegs(live);
    journal.flush();
    // Marks until the journal rotates: the next segment starts with a snapshot holding leg 2.
    for (let now = T0 + 210; journal.rotations < 1; now++) {
      live.apply({ type: "MARK_PRICE", asset: "BTC-USDT", price: 100 + (now % 7), now_ms: now });
      journal.flush();
    }
    sent.push(thirdLeg(live));
    journal.flush();
    journal.close();

    const walked = walkJournal(dir, { log: () => {} })!;
    const replayed = track(walked.kernel);
    expect(walked.snapshot).toBeGreaterThan(1); // replay started from the rotation's snapshot
    expect(walked.entries).toBeGreaterThan(0); // and applied the segment after it (X3)
    expect(replayed.stateHashHex()).toBe(live.stateHashHex());
    expect(nextExitAfterRestart(replayed, sent)).toBe("T0-X4");
  });

  test("Zinc state region: the images the kernel mirrored, restored into a new kernel: the next exit is X4", () => {
    const zinc = InMemoryZincPlane.open({ slotCount: 4, ringCapacity: 8 });
    const live = track(ExecutionKernel.open({ slotCount: 4, hungOrderMs: 5_000, mirror: zinc }));
    live.apply({ type: "SEED_CAPITAL", capital: 10_000, now_ms: T0 });
    const sent = [...firstTwoLegs(live), thirdLeg(live)];
    const images = Array.from({ length: 4 }, (_, i) => zinc.readSlot(i).slice());
    zinc.close();

    const restarted = track(freshKernel({ slots: 4, capital: 0 }));
    expect(restarted.restoreSlot(images[0]!, T0 + 350).accepted).toBe(true);
    expect(nextExitAfterRestart(restarted, sent)).toBe("T0-X4");
  });

  test("a slot restore journaled by recovery (its image in a segment), replayed at the next start: the next exit is X4", () => {
    const live = track(freshKernel({ slots: 4 }));
    const sent = [...firstTwoLegs(live), thirdLeg(live)];
    const { dir, journal, kernel: recovering } = journaling(1 << 20);
    expect(recovering.restoreSlot(live.slotImage(0).slice(), T0 + 350).accepted).toBe(true);
    journal.flush();
    journal.close();

    const replayed = track(walkJournal(dir, { log: () => {} })!.kernel);
    expect(nextExitAfterRestart(replayed, sent)).toBe("T0-X4");
  });

  test("Hazelcast slot row: the projected SlotRecord as JSON, encoded back into an image and restored: the next exit is X4", () => {
    const live = track(freshKernel({ slots: 4 }));
    const sent = [...firstTwoLegs(live), thirdLeg(live)];
    // What the DOLPHIN_STATE_<NS> map holds (the projector's row, the sink's epoch), as a member returns it.
    const stored = JSON.parse(JSON.stringify({ ...slotRow("pink", live.slot(0)), epoch: T0 }));
    const { strategy: _s, epoch: _e, ...record } = stored as Record<string, unknown>;
    const image = encodeSlotImage(record as unknown as SlotRecord);
    expect(image).toEqual(live.slotImage(0).slice()); // byte for byte, leg included

    const restarted = track(freshKernel({ slots: 4, capital: 0 }));
    expect(restarted.restoreSlot(image, T0 + 350).accepted).toBe(true);
    expect(nextExitAfterRestart(restarted, sent)).toBe("T0-X4");
  });

  test("a row whose last exit was refused (POSITION_OPEN, exit order REJECTED) restores its leg: the next exit is X3, not X2", () => {
    const live = track(freshKernel({ slots: 4 }));
    const sent = firstTwoLegs(live);
    const { strategy: _s, ...record } = JSON.parse(JSON.stringify(slotRow("pink", live.slot(0))));
    const restarted = track(freshKernel({ slots: 4, capital: 0 }));
    expect(restarted.restoreSlot(encodeSlotImage(record as SlotRecord), T0 + 250).accepted).toBe(true);
    const next = exitLeg(restarted, 1, T0 + 260);
    expect(sent).not.toContain(next);
    expect(next).toBe("T0-X3");
  });
});
