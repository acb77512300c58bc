/**
 * `dita-v2 smoke --pink`: the entry goes into the Zinc ring, and the kernel may act on it (send the
 * venue order) even when the strategy client never reads its answer back (the outcome timed out
 * or was lost). The smoke flattens after a failure only once it counts the trade as entered; an
 * entry pushed but unanswered was not counted, so a failed smoke could leave a position open at
 * the venue with `cleanup: null`. It must count as entered (the flatten then looks at the slot);
 * an entry the kernel itself refused sent nothing and stays uncounted.
 */

import { describe, expect, test } from "bun:test";
import type { Outcome, SeamResult } from "../../clients/typescript/index.ts";
import { PinkTrader, pinkCycle } from "../../src/launcher/_smoke_pink.ts";
import type { Runtime } from "../../src/launcher/runtime.ts";
import type { SmokeOptions, Step } from "../../src/launcher/smoke.ts";

const opts: SmokeOptions = {
  symbol: "TRX-USDT",
  strategy: "pink",
  venueUrl: "http://127.0.0.1:1",
  size: null,
  conf: "x",
  waitMs: 10,
  pink: true,
};

/** A PinkTrader whose seam answers the entry with `result` (no client, no regions). */
function trader(result: Partial<SeamResult>): PinkTrader {
  const seam = { execute: async () => ({ ok: false, steps: [], refusals: [], ...result }) };
  const client = { close: () => {} };
  return new (PinkTrader as unknown as new (c: unknown, s: unknown) => PinkTrader)(client, seam);
}

const rt = { b: { venue: {}, kernel: {} } } as unknown as Runtime;
const step: Step = async (_name, fn) => {
  await fn();
};

async function enterFails(pink: PinkTrader): Promise<{ entered: number; error: string }> {
  let entered = 0;
  const error = await pinkCycle(rt, pink, opts, 10, step, () => entered++, 0).then(
    () => "none",
    (e: Error) => e.message,
  );
  return { entered, error };
}

const intent = { type: "ENTER", tradeId: "smoke-1" };

describe("smoke --pink: an entry pushed into the ring", () => {
  test("whose answer never came back (outcome timeout) counts as entered, so a failed smoke flattens", async () => {
    const r = await enterFails(
      trader({
        steps: [{ intent, id: 7n, outcome: null, venue: null }] as unknown as SeamResult["steps"],
        refusals: [
          {
            origin: "CLIENT",
            code: "OUTCOME_TIMEOUT",
            message: "no outcome within 5000 ms",
            slotId: null,
            retryable: false,
            retryAfterMs: null,
          },
        ] as SeamResult["refusals"],
      }),
    );
    expect(r.error).toContain("OPEN LONG refused: CLIENT OUTCOME_TIMEOUT");
    expect(r.entered).toBe(1);
  });

  test("that the kernel refused sent nothing: not counted as entered", async () => {
    const refusedOutcome = { accepted: false, origin: "KERNEL", diagnostics: [], message: "no" } as unknown as Outcome;
    const r = await enterFails(
      trader({
        steps: [{ intent, id: 8n, outcome: refusedOutcome, venue: null }] as unknown as SeamResult["steps"],
        refusals: [
          {
            origin: "KERNEL",
            code: "SLOT_BUSY",
            message: "busy",
            slotId: 0,
            retryable: false,
            retryAfterMs: null,
          },
        ] as SeamResult["refusals"],
      }),
    );
    expect(r.error).toContain("OPEN LONG refused: KERNEL SLOT_BUSY");
    expect(r.entered).toBe(0);
  });

  test("that was never pushed (the client could not read the state) is not counted as entered", async () => {
    const r = await enterFails(
      trader({
        steps: [],
        refusals: [
          {
            origin: "CLIENT",
            code: "KERNEL_NOT_RUNNING",
            message: "gone",
            slotId: null,
            retryable: false,
            retryAfterMs: null,
          },
        ] as SeamResult["refusals"],
      }),
    );
    expect(r.error).toContain("KERNEL_NOT_RUNNING");
    expect(r.entered).toBe(0);
  });
});
