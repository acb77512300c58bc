/**
 * bun:ffi binding of libzinc.so (ffi/zinc.h). The caller passes the library path (the lead's
 * build embeds the .so and resolves it); one dlopen per path per thread, cached. Also maps the
 * C return codes to `ZincError`.
 */

import { dlopen, FFIType as T } from "bun:ffi";
import { ZincError, type ZincErrorCode } from "./types.ts";

const symbols = {
  zinc_open: { args: [T.ptr, T.u32, T.u32, T.u32, T.ptr, T.u32], returns: T.i32 },
  zinc_close: { args: [T.i32], returns: T.i32 },
  zinc_header: { args: [T.i32, T.ptr], returns: T.i32 },
  zinc_check: { args: [T.i32, T.ptr, T.u32], returns: T.i32 },
  zinc_seq: { args: [T.i32], returns: T.i64_fast },
  zinc_wait: { args: [T.i32, T.u64, T.i32], returns: T.i64_fast },
  zinc_spin_wait: { args: [T.i32, T.u64, T.u32], returns: T.i64_fast },
  zinc_ring_push: { args: [T.i32, T.ptr, T.u32], returns: T.i32 },
  zinc_ring_push_batch: { args: [T.i32, T.ptr, T.u32], returns: T.i32 },
  zinc_ring_pop: { args: [T.i32, T.ptr, T.u32], returns: T.i32 },
  zinc_ring_stats: { args: [T.i32, T.ptr], returns: T.i32 },
  zinc_ring_set_stall_ms: { args: [T.i32, T.u32], returns: T.i32 },
  zinc_test_abandon_claim: { args: [T.i32, T.u32], returns: T.i32 },
  zinc_state_mirror: { args: [T.i32, T.ptr, T.u32, T.ptr, T.ptr, T.u64], returns: T.i32 },
  zinc_state_read_slot: { args: [T.i32, T.u32, T.ptr], returns: T.i32 },
  zinc_state_read_account: { args: [T.i32, T.ptr, T.ptr], returns: T.i32 },
  zinc_control_write: { args: [T.i32, T.u32, T.ptr, T.u32], returns: T.i32 },
  zinc_control_read: { args: [T.i32, T.u32, T.ptr, T.u32], returns: T.i32 },
  zinc_outcome_publish: { args: [T.i32, T.ptr, T.u32], returns: T.i32 },
  zinc_outcome_claim: { args: [T.i32, T.ptr], returns: T.i32 },
  zinc_outcome_release: { args: [T.i32, T.u32, T.u32], returns: T.i32 },
  zinc_outcome_poll: { args: [T.i32, T.u32, T.ptr, T.u32, T.ptr], returns: T.i32 },
  zinc_outcome_head: { args: [T.i32, T.u32], returns: T.i64_fast },
  zinc_outcome_peek: { args: [T.i32, T.u32, T.u64, T.ptr], returns: T.i32 },
  zinc_outcome_wait: { args: [T.i32, T.u32, T.u64, T.u32, T.i32], returns: T.i64_fast },
  zinc_outcome_stats: { args: [T.i32, T.ptr], returns: T.i32 },
  zinc_outcome_lane_header: { args: [T.i32, T.u32, T.ptr], returns: T.i32 },
  zinc_outcome_set_namespace: { args: [T.i32, T.ptr], returns: T.i32 },
  zinc_outcome_namespace: { args: [T.i32, T.ptr], returns: T.i32 },
  zinc_writer_alive: { args: [T.i32], returns: T.i32 },
  zinc_owner_alive: { args: [T.u64], returns: T.i32 },
  zinc_mono_ns: { args: [], returns: T.i64_fast },
} as const;

export type ZincLib = ReturnType<typeof dlopen<typeof symbols>>["symbols"];

const cache = new Map<string, ZincLib>();

export function loadZinc(libPath: string): ZincLib {
  let lib = cache.get(libPath);
  if (lib === undefined) {
    lib = dlopen(libPath, symbols).symbols;
    cache.set(libPath, lib);
  }
  return lib;
}

export const KIND = { intents: 1, state: 2, control: 3, outcomes: 4 } as const;
export type RegionKind = keyof typeof KIND;

const CODES: Record<number, ZincErrorCode> = {
  [-1]: "ARG",
  [-2]: "BADF",
  [-3]: "ROLE",
  [-4]: "KIND",
  [-5]: "ABANDONED",
  [-6]: "CORRUPT",
  [-7]: "CONTENDED",
  [-8]: "OPEN",
  [-9]: "TORN",
  [-10]: "BUSY",
  [-11]: "TRUNCATED",
};

/** What a code means, for the codes whose bare name does not say it. */
const MEANING: Partial<Record<ZincErrorCode, string>> = {
  TRUNCATED: "the region file shrank under its mapping (truncated by another process); reopen it",
  CORRUPT: "a word of the region is not one libzinc wrote (a ring cell's sequence fits no state of its position)",
};

/** Throws for a negative return code; returns non-negative codes unchanged. */
export function check(rc: number, what: string): number {
  if (rc >= 0) return rc;
  const code = CODES[rc] ?? "ARG";
  const meaning = MEANING[code];
  throw new ZincError(code, `${what}: zinc error ${code} (${rc})${meaning ? `: ${meaning}` : ""}`);
}

/**
 * A sequence or lane head libzinc returned as int64 (ffi/README.md §9), never a negative answer:
 * CORRUPT (-6) is a word >= 2^63 (`word` reads it for the message), and a negative that is no
 * ZINC_E_* code can only be such a word read as signed: CORRUPT too, naming the value. Other codes
 * throw as `check` does.
 */
export function sequence(raw: number | bigint, what: string, word: () => bigint): number {
  if (raw >= 0) return Number(raw);
  const rc = Number(raw);
  if (rc === -6) throw new ZincError("CORRUPT", `${what}: sequence word >= 2^63 (${word()}): corrupt region`);
  if (CODES[rc] === undefined) {
    const unsigned = BigInt.asUintN(64, BigInt(raw));
    throw new ZincError(
      "CORRUPT",
      `${what}: libzinc answered ${raw}, no ZINC_E_* code: sequence word >= 2^63 (${unsigned}) read as signed: corrupt region`,
    );
  }
  return check(rc, what);
}
