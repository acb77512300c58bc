/** Waiting in tests for what the code under test does on its own timers. */

import { expect } from "bun:test";

/** Polls `check` every 10 ms until it holds or `ms` pass; then asserts it holds (the failure says "not yet: what"). */
export async function within(ms: number, what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (const end = Date.now() + ms; !(await check()) && Date.now() < end; ) await Bun.sleep(10);
  expect((await check()) ? what : `not yet: ${what}`).toBe(what);
}
