/**
 * The control mailbox's flatten when the flatten itself throws (here: the halt fails). The
 * requester was answered STARTED; it must get a final answer under the same request id naming the
 * error (REJECTED), and the failure must never become an unhandled promise rejection (which can
 * end a Bun process: the kernel's whole runtime, mid-emergency).
 */

import { afterEach, beforeEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { FlattenEvent, FlattenRequest } from "../../src/contracts/flatten.ts";
import type { CommandResult, OperatorControlPlane } from "../../src/control/index.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import { mailboxFlatten } from "../../src/launcher/_control_sync.ts";
import type { Executor } from "../../src/launcher/executor.ts";
import { Flattener } from "../../src/launcher/flatten.ts";
import type { MockVenueAdapter } from "../../src/venue/index.ts";
import { T0 } from "../_support/kernel.ts";

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => void unhandled.push(e);
beforeEach(() => {
  unhandled.length = 0;
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
});

function failingFlattener(lines: string[]): Flattener {
  return new Flattener({
    kernel: {} as ExecutionKernel, // never reached: the halt fails first
    executor: {} as Executor,
    venue: {} as MockVenueAdapter,
    clock: new ManualClock(T0),
    halt: () => {
      throw new Error("control region write failed");
    },
    reconcileNow: async () => [],
    sleep: async () => {},
    log: (l) => lines.push(l),
  });
}

async function nextTurns(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

test("a flatten that throws answers the mailbox REJECTED with the error, and nothing rejects unhandled", async () => {
  const answers: CommandResult[] = [];
  const control = {
    answer: (r: CommandResult) => void answers.push(r),
    snapshot: () => ({ version: 7 }),
  } as unknown as OperatorControlPlane;
  const lines: string[] = [];
  const actions = mailboxFlatten(failingFlattener(lines), control);
  expect(actions.flatten!({ timeout_ms: 1_000 } as FlattenRequest, 42)).toContain("request 42");
  await nextTurns();
  expect(unhandled).toEqual([]);
  expect(answers).toHaveLength(1);
  expect(answers[0]).toMatchObject({ requestId: 42, status: "REJECTED", key: "flatten", version: 7 });
  expect(answers[0]!.message).toContain("control region write failed");
  expect(lines.some((l) => l.includes("flatten") && l.includes("control region write failed"))).toBe(true);
});

test("a final answer the control region refuses is logged, never an unhandled rejection", async () => {
  const control = {
    answer: () => {
      throw new Error("result block unwritable");
    },
    snapshot: () => ({ version: 7 }),
  } as unknown as OperatorControlPlane;
  const lines: string[] = [];
  mailboxFlatten(failingFlattener(lines), control).flatten!({ timeout_ms: 1_000 } as FlattenRequest, 43);
  await nextTurns();
  expect(unhandled).toEqual([]);
  expect(lines.some((l) => l.includes("request 43") && l.includes("result block unwritable"))).toBe(true);
});

test("a flatten that throws after it started tells the event stream FAILED, so no console waits for its FINISHED", async () => {
  const events: FlattenEvent[] = [];
  let reads = 0;
  const flattener = new Flattener({
    kernel: {
      slots: () => {
        if (++reads > 1) throw new Error("kernel image unreadable");
        return [];
      },
    } as unknown as ExecutionKernel,
    executor: {} as Executor,
    venue: {} as MockVenueAdapter,
    clock: new ManualClock(T0),
    halt: () => {},
    reconcileNow: async () => [],
    sleep: async () => {},
    log: () => {},
    notify: (e) => void events.push(e),
  });
  await expect(flattener.run({ timeout_ms: 1_000 } as FlattenRequest)).rejects.toThrow("kernel image unreadable");
  expect(events.map((e) => e.phase)).toEqual(["STARTED", "FAILED"]);
  expect(events[1]).toEqual({ phase: "FAILED", failed_at_ms: T0, error: "kernel image unreadable" });
});
