/**
 * A real kernel and executor over the mock venue, for the fast-tier launcher tests: `mockVenue` (the
 * mock, connected), `executorOver` (a fresh kernel and its executor, transitions recorded, `settle`),
 * `slotImages` and `restartFrom` (the next start recovering what a kernel left), `fills`.
 */

import type { Clock } from "../../src/contracts/clock.ts";
import type { TransitionRecord } from "../../src/contracts/records.ts";
import type { VenueAdapter } from "../../src/contracts/venue.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { recover } from "../../src/launcher/recovery.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { freshKernel } from "./kernel.ts";

/** The mock venue (seed `seed`, BTC-USDT at 65 000, a 10 000 balance) on `clock`, connected. */
export async function mockVenue(seed: number, clock: Clock): Promise<MockVenueAdapter> {
  const mock = new MockVenueAdapter({ seed, clock, prices: { "BTC-USDT": 65_000 }, balance: 10_000 });
  await mock.connect();
  return mock;
}

/** Five rounds of the executor's drain and a 2 ms pause: its calls answered, the mock's events (sent on a later turn) applied. */
async function settle(executor: Executor): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await executor.drain(1_000);
    await Bun.sleep(2);
  }
}

/**
 * A fresh kernel (`slots`, default 2; 10 000 of capital; `kernels` gets it) and its executor over
 * `venue` on `clock`, every transition recorded in `transitions`, its pauses `sleep` (default real
 * time); `settle` drains it and lets the mock's events land (see `settle` above).
 */
export function executorOver(
  venue: VenueAdapter,
  clock: Clock,
  kernels: ExecutionKernel[],
  o: { slots?: number; sleep?: (ms: number) => Promise<void> } = {},
) {
  const kernel = freshKernel({ slots: o.slots ?? 2, capital: 10_000 });
  kernels.push(kernel);
  const transitions: TransitionRecord[] = [];
  const executor = new Executor(kernel, venue, clock, {
    afterApply: (_input, outcome) => transitions.push(...outcome.transitions),
    ...(o.sleep === undefined ? {} : { sleep: o.sleep }),
  });
  return { kernel, executor, transitions, settle: () => settle(executor) };
}

/** The raw images of `kernel`'s slots, as the Zinc state region holds them for the next start. */
export const slotImages = (kernel: ExecutionKernel): Uint8Array[] =>
  Array.from({ length: kernel.slotCount }, (_, i) => kernel.slotImage(i).slice());

/**
 * The next start after a process whose kernel left `images` (see `slotImages`): a fresh kernel (2
 * slots, no capital; `kernels` gets it) and its executor over `venue`, transitions recorded,
 * recovered from those images (belief `source`, default "zinc"; reconciling with the venue);
 * recovery's report.
 */
export async function restartFrom(
  images: Uint8Array[],
  venue: VenueAdapter,
  clock: Clock,
  kernels: ExecutionKernel[],
  source: "zinc" | "hazelcast" = "zinc",
) {
  const kernel = freshKernel({ slots: 2, capital: 0 });
  kernels.push(kernel);
  const transitions: TransitionRecord[] = [];
  const executor = new Executor(kernel, venue, clock, {
    afterApply: (_input, outcome) => transitions.push(...outcome.transitions),
  });
  const deps = { kernel, executor, venue, nowMs: () => clock.nowMs(), log: () => {} };
  const report = await recover(deps, { source, images }, true);
  return { kernel, executor, transitions, report };
}

/** The fills among `transitions` (FULL_FILL and PARTIAL_FILL). */
export const fills = (transitions: readonly TransitionRecord[]) =>
  transitions.filter((t) => t.trigger === "FULL_FILL" || t.trigger === "PARTIAL_FILL");
