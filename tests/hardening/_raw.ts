/**
 * Raw kernel records for the hardening suite: encode a typed input with the binding's encoder,
 * damage the bytes the way a foreign producer or a torn write could, and apply them through the
 * kernel's raw-record entry point, returning the outcome. Offsets are kernel/ABI.md's InputRecord.
 */

import type { KernelInput } from "../../src/contracts/intents.ts";
import type { KernelOutcome } from "../../src/contracts/records.ts";
import { type ExecutionKernel, InputRecords } from "../../src/kernel/index.ts";

export const OFF = {
  kind: 0,
  slot_id: 4,
  now_ms: 8,
  qty: 16,
  price: 32,
  retry_after_ms: 64,
  leverage: 80,
  side: 82,
  order_type: 83,
  reserved1: 90,
  asset: 112,
  trade_id: 136,
  venue_order_id: 168,
  client_order_id: 200,
  event_id: 240,
  reserved2: 312,
} as const;

/** Encodes `input`, lets `patch` change its 320 bytes, applies the record and returns its outcome. */
export function applyRaw(
  k: ExecutionKernel,
  input: KernelInput,
  patch: (bytes: Uint8Array, dv: DataView) => void,
): KernelOutcome {
  const records = InputRecords.encode([input]);
  patch(records.bytes, new DataView(records.bytes.buffer, records.bytes.byteOffset, 320));
  let out: KernelOutcome | null = null;
  k.applyRecords(records, {
    outcome: (o) => {
      out = o;
    },
    refused: (_i, o) => {
      out = o;
    },
  });
  if (out === null) throw new Error("test setup: the kernel gave no outcome for the raw record");
  return out;
}
