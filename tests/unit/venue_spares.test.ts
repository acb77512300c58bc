/**
 * The REST transport's spare connections (src/venue/bingx/_spares.ts) against a fake wire and a
 * manual clock: topped up to SPARES one attempt at a time; a venue's keep-alive close of an idle
 * spare is replaced at once, while hang-ups (closed within HANG_UP_MS, never answered) back off;
 * an answer ends the backoff and cuts a pending wait short.
 */

import { describe, expect, test } from "bun:test";
import { HANG_UP_MS, SPARES, Spares } from "../../src/venue/bingx/_spares.ts";

/** A wire whose connections open when the test says so. */
function fakeWire() {
  let now = 1_000_000;
  let free = 0;
  const opening: Array<() => void> = [];
  const spares = new Spares(
    {
      free: () => free + opening.length,
      room: () => free + opening.length < 8,
      open: () =>
        new Promise<void>((resolve) =>
          opening.push(() => {
            free++;
            resolve();
          }),
        ),
    },
    () => now,
  );
  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return {
    spares,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
    attempts: () => opening.length,
    /** Opens the pending attempt. */
    open: async () => {
      opening.shift()!();
      await settle();
    },
    /** The venue closed a free connection opened at `openedMs`, never answered. */
    closeUnserved: (openedMs: number) => {
      free--;
      spares.closedUnserved(openedMs);
      spares.topUp();
    },
    take: () => {
      free--;
      spares.topUp();
    },
  };
}

describe("spare connections", () => {
  test("a taken connection is replaced, one attempt at a time, up to SPARES free", async () => {
    const w = fakeWire();
    w.spares.topUp();
    expect(w.attempts()).toBe(1); // one at a time
    await w.open();
    expect(w.attempts()).toBe(1);
    await w.open();
    expect(w.attempts()).toBe(0); // SPARES free: nothing more
    w.take();
    expect(w.attempts()).toBe(1);
    expect(SPARES).toBe(2);
    w.spares.close();
  });

  test("an idle spare the venue closes after HANG_UP_MS (its keep-alive timeout) is replaced at once", async () => {
    const w = fakeWire();
    w.spares.topUp();
    const opened = w.now();
    await w.open();
    await w.open();
    w.advance(HANG_UP_MS + 60_000);
    w.closeUnserved(opened);
    expect(w.attempts()).toBe(1); // no backoff wait
    w.spares.close();
  });

  test("hang-ups back off (no attempt until the delay passes); an answer cuts the wait short", async () => {
    const w = fakeWire();
    w.spares.topUp();
    const opened = w.now();
    await w.open();
    await w.open();
    w.closeUnserved(opened); // closed at once: a hang-up
    expect(w.attempts()).toBe(0); // waiting out RETRY_MIN_MS
    await Bun.sleep(130);
    expect(w.attempts()).toBe(1);
    await w.open();
    w.closeUnserved(w.now()); // again
    expect(w.attempts()).toBe(0); // now 200 ms
    w.spares.answered(); // another connection carried an answer: the venue serves
    expect(w.attempts()).toBe(1);
    w.spares.close();
  });
});
