/**
 * The REST catch-up after a stream (re)connect runs one pass at a time (src/venue/bingx/_catch_up.ts):
 * opens while a pass runs ask for one more pass after it, never a second pass alongside.
 */

import { expect, test } from "bun:test";
import { CatchUps } from "../../src/venue/bingx/_catch_up.ts";

test("a reconnect while a catch-up runs starts no second pass alongside it: requests coalesce into one more", async () => {
  let active = 0;
  let most = 0;
  let passes = 0;
  const releases: Array<() => void> = [];
  const catchUps = new CatchUps(
    () => {
      passes++;
      most = Math.max(most, ++active);
      return new Promise<void>((resolve) =>
        releases.push(() => {
          active--;
          resolve();
        }),
      );
    },
    () => undefined,
  );
  catchUps.request();
  for (let i = 0; i < 5; i++) catchUps.request(); // a flapping stream: five more opens during the pass
  expect([passes, catchUps.running()]).toEqual([1, true]);
  releases.shift()?.();
  await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
  expect(passes).toBe(2); // one more pass for all five opens
  releases.shift()?.();
  await new Promise((r) => setTimeout(r, 0));
  expect([passes, most, catchUps.running()]).toEqual([2, 1, false]);
});

test("a pass that throws is reported and the runner takes the next request", async () => {
  const errors: string[] = [];
  let passes = 0;
  const catchUps = new CatchUps(
    async () => {
      passes++;
      throw new Error("boom");
    },
    (err) => errors.push((err as Error).message),
  );
  catchUps.request();
  await new Promise((r) => setTimeout(r, 0));
  catchUps.request();
  await new Promise((r) => setTimeout(r, 0));
  expect([passes, errors]).toEqual([2, ["boom", "boom"]]);
});
