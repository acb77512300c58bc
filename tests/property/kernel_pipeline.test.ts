/**
 * The pipelined batch path (kernel apply thread, src/kernel/_pipeline.ts) and the quiet one-call
 * path (`applyQuiet`, `dita_kernel_apply_one`) against `apply`: random runs — duplicated,
 * out-of-range and hostile inputs included — are recorded one call at a time, then replayed into
 * fresh kernels through `applyBatch` without a sink (pipelined), with one (sequential), and
 * through `applyQuiet`. Each must end in the same slots, account, state hash and accepted count.
 * Runs repeat their inputs to cross several 1024-record chunks.
 */

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { KernelInput } from "../../src/contracts/index.ts";
import type { BatchSink, ExecutionKernel } from "../../src/kernel/index.ts";
import { freshKernel } from "../_support/kernel.ts";
import { type Action, actionArb, Driver } from "../_support/kernel_actions.ts";

const SLOTS = 4;
const quietSink: BatchSink = { outcome: () => {}, refused: () => {} };

interface Ending {
  hash: bigint;
  accepted: number;
  slots: unknown;
  account: unknown;
}

function ending(k: ExecutionKernel, accepted: number): Ending {
  const e = { hash: k.stateHash(), accepted, slots: k.slots(), account: k.account() };
  k.destroy();
  return e;
}

/** Records a random run one call at a time; returns its inputs and the one-call ending. */
function recorded(actions: Action[], copies: number): { inputs: KernelInput[]; oneCall: Ending } {
  const k = freshKernel({ slots: SLOTS });
  const d = new Driver(k);
  let accepted = 0;
  for (const a of actions) accepted += d.apply(a)?.accepted ? 1 : 0;
  // Later copies arrive again with later times: mostly duplicates and refusals, still applied in order.
  const inputs = [...d.sent];
  for (let c = 1; c < copies; c++) {
    for (const x of d.sent) {
      const again = { ...x, now_ms: x.now_ms + c * 1e7 } as KernelInput;
      inputs.push(again);
      accepted += k.apply(again).accepted ? 1 : 0;
    }
  }
  return { inputs, oneCall: ending(k, accepted) };
}

function batched(inputs: KernelInput[], sink?: BatchSink): Ending {
  const k = freshKernel({ slots: SLOTS });
  return ending(k, k.applyBatch(inputs, sink));
}

describe("applyBatch (pipelined and sequential) and applyQuiet against apply", () => {
  test("ends in the same slots, account, state hash and accepted count as one call per input and the sequential batch", () => {
    fc.assert(
      fc.property(
        fc.array(actionArb(SLOTS), { minLength: 1, maxLength: 400, size: "max" }),
        fc.integer({ min: 1, max: 12 }),
        (actions, copies) => {
          const { inputs, oneCall } = recorded(actions, copies);
          expect(batched(inputs)).toEqual(oneCall);
          expect(batched(inputs, quietSink)).toEqual(oneCall);
        },
      ),
      { numRuns: 100 },
    );
  });

  test("applyQuiet (one call per input, acceptance only) answers and ends exactly as apply does", () => {
    fc.assert(
      fc.property(fc.array(actionArb(SLOTS), { minLength: 1, maxLength: 300, size: "max" }), (actions) => {
        const { inputs, oneCall } = recorded(actions, 2);
        const k = freshKernel({ slots: SLOTS });
        let accepted = 0;
        for (const x of inputs) accepted += k.applyQuiet(x) ? 1 : 0;
        expect(ending(k, accepted)).toEqual(oneCall);
      }),
      { numRuns: 60 },
    );
  });

  test("canary: a batch missing one input is told apart", () => {
    const actions = fc.sample(fc.array(actionArb(SLOTS), { minLength: 300, maxLength: 300 }), {
      numRuns: 1,
      seed: 7,
    })[0]!;
    const { inputs, oneCall } = recorded(actions, 4);
    // The first ENTER of a valid slot is accepted (every slot is idle then); drop it.
    const first = inputs.findIndex((x) => {
      const e = x as { type: string; trade_id?: string; slot_id?: number };
      return e.type === "ENTER" && e.trade_id?.startsWith("P") && e.slot_id! < SLOTS;
    });
    const without = inputs.filter((_, i) => i !== first);
    expect(batched(without)).not.toEqual(oneCall);
  });
});
