/**
 * Raw InputRecords the binding may apply (`ExecutionKernel.applyRecords`). A buffer of bytes is
 * not enough: records come either from an edge that checked every record's source
 * (`InputRecords.fromStrategy`: the Zinc intents ring, a journal's raw entries; `fromJournal`: a
 * checked journal segment) or from this process's own encoder of typed inputs (`InputRecords.encode`, `fromEncoder`, `copy` of a
 * checked batch). The constructor is private, so the wrong call (handing the kernel unchecked
 * ring bytes) does not compile.
 *
 * Entry points: `InputRecords`, `recordKind`, `isStrategyKind`, `kindName`.
 */

import { RECORD_BYTES } from "../contracts/abi.ts";
import { INPUT_KINDS, type InputKind, SOURCE_OF_KIND } from "../contracts/enums.ts";
import type { KernelInput } from "../contracts/intents.ts";
import { encodeInput, type RecordEncoder } from "./encoder.ts";
import { KernelError } from "./types.ts";

const SIZE = RECORD_BYTES.input;
const STRATEGY = new Set(INPUT_KINDS.flatMap((k, i) => (SOURCE_OF_KIND[k] === "STRATEGY" ? [i + 1] : [])));

/** The record's `kind` (u16 at offset 0). */
export function recordKind(bytes: Uint8Array, index = 0): number {
  const at = index * SIZE;
  return bytes[at]! | (bytes[at + 1]! << 8);
}

export function isStrategyKind(kind: number): boolean {
  return STRATEGY.has(kind);
}

/** The kind's name, or null for a number that is no input kind. */
export function kindName(kind: number): InputKind | null {
  return INPUT_KINDS[kind - 1] ?? null;
}

export class InputRecords {
  static readonly BYTES = SIZE;

  private constructor(
    readonly bytes: Uint8Array,
    readonly count: number,
  ) {
    if (!Number.isInteger(count) || count < 0 || bytes.byteLength < count * SIZE) {
      throw new Error(`Invariant: InputRecords of ${count} records over ${bytes.byteLength} bytes`);
    }
  }

  /** Records a strategy wrote; every one must be a STRATEGY kind (the edge refused the rest). */
  static fromStrategy(bytes: Uint8Array, count: number): InputRecords {
    for (let i = 0; i < count; i++) {
      const kind = recordKind(bytes, i);
      if (!isStrategyKind(kind))
        throw new Error(`Invariant: record ${i} of kind ${kind} reached the kernel from a strategy`);
    }
    return new InputRecords(bytes, count);
  }

  /**
   * Records decoded from a journal segment, whose frames passed their CRC and whose entries were
   * checked (`_segment_entries.ts`: every kind an input kind, every ring record a STRATEGY kind).
   */
  static fromJournal(bytes: Uint8Array, count: number): InputRecords {
    for (let i = 0; i < count; i++) {
      if (kindName(recordKind(bytes, i)) === null)
        throw new Error(`Invariant: journal record ${i} of kind ${recordKind(bytes, i)} was checked`);
    }
    return new InputRecords(bytes, count);
  }

  /**
   * Typed inputs encoded by this process, one clean record each (tools, benchmarks, tests). An
   * input the encoder refuses throws: its half-written record (e.g. an id that does not fit, cut
   * to its field's width) is not the input, and the kernel could accept it.
   */
  static encode(inputs: readonly KernelInput[]): InputRecords {
    const bytes = new Uint8Array(inputs.length * SIZE);
    for (const [i, input] of inputs.entries()) {
      const refusal = encodeInput(input, bytes, i * SIZE);
      if (refusal !== null) throw new KernelError(`input ${i} does not encode: ${refusal.message}`);
    }
    return new InputRecords(bytes, inputs.length);
  }

  /** The first `count` records a `RecordEncoder` wrote into its buffer (tools and tests). */
  static fromEncoder(encoder: RecordEncoder, count: number): InputRecords {
    return new InputRecords(encoder.bytes, count);
  }

  /** Copies `count` records from `start` of a checked batch into `target`: still checked. */
  static copy(source: InputRecords, start: number, count: number, target: Uint8Array): InputRecords {
    if (start < 0 || start + count > source.count) throw new Error("Invariant: InputRecords.copy past the end");
    target.set(source.bytes.subarray(start * SIZE, (start + count) * SIZE));
    return new InputRecords(target, count);
  }

  /** The records `[from, to)` as their own batch (same memory). */
  slice(from: number, to: number): InputRecords {
    return new InputRecords(this.bytes.subarray(from * SIZE, to * SIZE), to - from);
  }
}
