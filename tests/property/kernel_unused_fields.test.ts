/**
 * The InputRecord contract the batch encoder relies on (kernel/ABI.md, "Fields per kind"): the
 * kernel reads only the fields of an input's kind, and `RecordEncoder` writes every one of them
 * completely — so records encoded into a reused buffer full of stale bytes from other kinds
 * behave exactly like clean records.
 *
 *  1. Random runs (fast-check): kernel C applies clean records (`encodeInput`: every byte it
 *     does not write is 0); kernel B applies the same inputs encoded by `RecordEncoder` into
 *     random positions of a buffer of random bytes. After every input both agree on acceptance,
 *     every slot image, the account image and the state hash.
 *  2. Canary: the same comparison catches a record whose *used* field holds a stale byte.
 */

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { OFF } from "../../src/contracts/abi.ts";
import type { KernelInput } from "../../src/contracts/index.ts";
import { type ExecutionKernel, encodeInput, INPUT_SIZE, InputRecords, RecordEncoder } from "../../src/kernel/index.ts";
import { kernelsPerTest } from "../_support/kernel.ts";
import { actionArb, Driver } from "../_support/kernel_actions.ts";

const RUNS = Number(process.env.DITA_V2_PROPERTY_RUNS ?? 150);
const SLOTS = 3;
const POSITIONS = 16;
const kernel = kernelsPerTest({ slots: SLOTS, hungMs: 2_000 });

function sameState(a: ExecutionKernel, b: ExecutionKernel): boolean {
  for (let s = 0; s < SLOTS; s++) {
    const x = a.slotImage(s),
      y = b.slotImage(s);
    if (x.some((v, i) => v !== y[i])) return false;
  }
  return JSON.stringify(a.account()) === JSON.stringify(b.account()) && a.stateHash() === b.stateHash();
}

/** A buffer of `POSITIONS` records filled with bytes from `seed` (a stand-in for stale records). */
function garbage(seed: number): Uint8Array {
  const bytes = new Uint8Array(POSITIONS * INPUT_SIZE);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

describe("kernel: bytes of fields an input's kind does not read", () => {
  test("records encoded over stale bytes behave exactly like clean records", () => {
    const prop = fc.property(
      fc.array(actionArb(SLOTS), { minLength: 40, maxLength: 160 }),
      fc.integer(),
      fc.array(fc.nat({ max: POSITIONS - 1 }), { minLength: 1 }),
      (actions, seed, spots) => {
        const [a, b, c] = [kernel(), kernel(), kernel()];
        const buffer = garbage(seed);
        const encoder = new RecordEncoder(buffer);
        const clean = new Uint8Array(INPUT_SIZE);
        const driver = new Driver(a); // materializes inputs that fit the current state
        let n = 0;
        for (const action of actions) {
          const before = driver.sent.length;
          driver.apply(action);
          if (driver.sent.length === before) continue; // the action did not apply now
          const input = driver.sent[driver.sent.length - 1];
          const at = spots[n++ % spots.length]!;
          const refusedB = encoder.encode(input, at) !== null;
          const refusedC = encodeInput(input, clean, 0) !== null;
          if (refusedB !== refusedC) return false;
          if (refusedB) continue;
          const acceptedB = b.applyRecords(InputRecords.fromEncoder(encoder, POSITIONS).slice(at, at + 1));
          const acceptedC = c.applyRecords(InputRecords.encode([input!]));
          if (acceptedB !== acceptedC || !sameState(b, c)) return false;
        }
        return sameState(a, c);
      },
    );
    const result = fc.check(prop, { numRuns: RUNS });
    if (result.failed) throw new Error(`property failed: seed=${result.seed}\n${fc.defaultReportMessage(result)}`);
  });

  test("canary: a stale byte in a field the kind reads is caught", () => {
    const a = kernel();
    const b = kernel();
    const buffer = garbage(7);
    const encoder = new RecordEncoder(buffer);
    const enter: KernelInput = {
      type: "ENTER",
      slot_id: 0,
      trade_id: "C1",
      asset: "BTC-USDT",
      side: "LONG",
      size: 1,
      price: null,
      leverage: 5,
      now_ms: 1_700_000_000_001,
    };
    a.apply(enter);
    expect(encoder.encode(enter, 0)).toBeNull();
    buffer[OFF.InputRecord.leverage] = 9; // leverage is read by ENTER: 5 becomes 9
    b.applyRecords(InputRecords.fromEncoder(encoder, 1));
    expect(sameState(a, b)).toBe(false);
  });
});
