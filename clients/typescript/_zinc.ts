/**
 * libzinc through bun:ffi for the client (ffi/zinc.h): the symbols a producer and reader use,
 * where the library comes from (the `libPath` option, else `DITA_V2_ZINC_LIB`; `dita-v2 zinc-lib`
 * writes it out of the executable), and opening one region with its refusal turned into the
 * client error that names the case. One dlopen per path per thread.
 *
 * Entry points: `resolveLibPath`, `loadZinc`, `openRegion`, `checkRegion`, `readHeader`, `stateSeq`, `laneHead`,
 * `laneRead`, `ZincLib`.
 */

import { dlopen, FFIType as T } from "bun:ffi";
import { existsSync } from "node:fs";
import {
  CorruptRegionError,
  DitaClientError,
  LayoutMismatchError,
  LibraryError,
  PermissionDeniedError,
  RegionMissingError,
} from "./errors.ts";

const symbols = {
  zinc_open: { args: [T.ptr, T.u32, T.u32, T.u32, T.ptr, T.u32], returns: T.i32 },
  zinc_close: { args: [T.i32], returns: T.i32 },
  zinc_header: { args: [T.i32, T.ptr], returns: T.i32 },
  zinc_check: { args: [T.i32, T.ptr, T.u32], returns: T.i32 },
  zinc_seq: { args: [T.i32], returns: T.i64_fast },
  zinc_wait: { args: [T.i32, T.u64, T.i32], returns: T.i64_fast },
  zinc_spin_wait: { args: [T.i32, T.u64, T.u32], returns: T.i64_fast },
  zinc_ring_push: { args: [T.i32, T.ptr, T.u32], returns: T.i32 },
  zinc_ring_stats: { args: [T.i32, T.ptr], returns: T.i32 },
  zinc_state_read_slot: { args: [T.i32, T.u32, T.ptr], returns: T.i32 },
  zinc_state_read_account: { args: [T.i32, T.ptr, T.ptr], returns: T.i32 },
  zinc_control_read: { args: [T.i32, T.u32, T.ptr, T.u32], returns: T.i32 },
  zinc_outcome_claim: { args: [T.i32, T.ptr], returns: T.i32 },
  zinc_outcome_release: { args: [T.i32, T.u32, T.u32], returns: T.i32 },
  zinc_outcome_poll: { args: [T.i32, T.u32, T.ptr, T.u32, T.ptr], returns: T.i32 },
  zinc_outcome_head: { args: [T.i32, T.u32], returns: T.i64_fast },
  zinc_outcome_wait: { args: [T.i32, T.u32, T.u64, T.u32, T.i32], returns: T.i64_fast },
  zinc_outcome_namespace: { args: [T.i32, T.ptr], returns: T.i32 },
  zinc_outcome_lane_header: { args: [T.i32, T.u32, T.ptr], returns: T.i32 },
  zinc_writer_alive: { args: [T.i32], returns: T.i32 },
  zinc_mono_ns: { args: [], returns: T.i64_fast },
} as const;

export type ZincLib = ReturnType<typeof dlopen<typeof symbols>>["symbols"];
export type RegionKind = "intents" | "state" | "control" | "outcomes";
const KIND: Record<RegionKind, number> = { intents: 1, state: 2, control: 3, outcomes: 4 };
const cache = new Map<string, ZincLib>();

export function resolveLibPath(explicit?: string): string {
  const path = explicit ?? process.env.DITA_V2_ZINC_LIB;
  if (path === undefined || path === "")
    throw new LibraryError(
      "libzinc not given: pass libPath or set DITA_V2_ZINC_LIB (`dita-v2 zinc-lib` writes it out of the executable, default <state dir>/lib, and prints its path)",
    );
  if (!existsSync(path)) throw new LibraryError(`libzinc not found at ${path} (\`dita-v2 zinc-lib\` writes it out)`);
  return path;
}

export function loadZinc(path: string): ZincLib {
  let lib = cache.get(path);
  if (lib === undefined) {
    try {
      lib = dlopen(path, symbols).symbols;
    } catch (e) {
      throw new LibraryError(`cannot load libzinc from ${path}: ${(e as Error).message.split("\n")[0]}`);
    }
    cache.set(path, lib);
  }
  return lib;
}

/** The C refusal, classified: the message names the file and the reason (ffi/README.md §2, §8). */
function refusal(message: string, prefix: string): DitaClientError {
  if (/No such file or directory/.test(message))
    return new RegionMissingError(
      `${message.split(":")[0]} does not exist: no kernel serves prefix '${prefix}' with real Zinc (dita-v2 serve with DITA_V2_ZINC=REAL and DITA_V2_ZINC_PREFIX=${prefix})`,
    );
  if (/Permission denied|Operation not permitted/.test(message))
    return new PermissionDeniedError(`${message} (the regions are mode 0600: run as the kernel's user)`);
  if (/magic|layout version|region kind|record size|record count|file size|truncated|lane depth/.test(message))
    return new LayoutMismatchError(message);
  return new DitaClientError("LAYOUT", message);
}

export function openRegion(lib: ZincLib, prefix: string, kind: RegionKind): number {
  const err = new Uint8Array(512);
  const id = lib.zinc_open(Buffer.from(`${prefix}\0`, "utf8"), KIND[kind], 0, 0, err, err.length);
  if (id > 0) return id;
  const end = err.indexOf(0);
  const message = new TextDecoder().decode(err.subarray(0, end < 0 ? err.length : end)) || `zinc_open ${kind} failed`;
  throw refusal(message, prefix);
}

export interface Header {
  writerPid: number;
  seq: number;
  recordCount: number;
  flags: number;
  generation: number;
}

/**
 * Throws CorruptRegionError naming the file when a region no longer matches its layout (zinc_check: the
 * header, and at most every 50 ms the file's size and path): a file truncated within its last page
 * faults no access, its lost bytes just read as zeros (an IDLE slot, a ring that looks full).
 */
export function checkRegion(lib: ZincLib, id: number): void {
  if (lib.zinc_check(id, null, 0) === 0) return;
  const err = new Uint8Array(256); // a bad file is checked again at every call: the reason
  const rc = lib.zinc_check(id, err, err.length);
  const end = err.indexOf(0);
  throw new CorruptRegionError(
    new TextDecoder().decode(err.subarray(0, end < 0 ? err.length : end)) || `zinc error ${rc}`,
  );
}

export function readHeader(lib: ZincLib, id: number): Header {
  const buf = new Uint8Array(64);
  lib.zinc_header(id, buf);
  const dv = new DataView(buf.buffer);
  return {
    writerPid: dv.getUint32(8, true),
    seq: Number(dv.getBigUint64(16, true)),
    recordCount: dv.getUint32(28, true),
    flags: dv.getUint32(36, true),
    generation: Number(dv.getBigUint64(48, true)),
  };
}

/**
 * A sequence or lane head libzinc answered as int64 (ffi/README.md §9); a negative answer is never
 * one: -6 is a word >= 2^63 (`word` reads it for the message), another ZINC_E_* code is named, and
 * any other negative is such a word read as signed (an older libzinc). Each is CorruptRegionError.
 */
function sequenceOf(raw: number | bigint, what: string, word: () => bigint): number {
  if (raw >= 0) return Number(raw);
  const rc = Number(raw);
  if (rc === -6) throw new CorruptRegionError(`${what}: sequence word >= 2^63 (${word()}): corrupt region`);
  if (rc >= -11) throw new CorruptRegionError(`${what}: zinc error ${rc}`);
  throw new CorruptRegionError(
    `${what}: libzinc answered ${raw}, no ZINC_E_* code: sequence word >= 2^63 (${BigInt.asUintN(64, BigInt(raw))}) read as signed: corrupt region`,
  );
}

/** The state region's sequence (zinc_seq); CorruptRegionError for a word >= 2^63. */
export function stateSeq(lib: ZincLib, id: number, prefix: string): number {
  const word = (): bigint => {
    const out = new BigUint64Array(8);
    lib.zinc_header(id, out);
    return out[2]!;
  };
  return sequenceOf(lib.zinc_seq(id), `/dev/shm/${prefix}.state: sequence`, word);
}

/** An outcome lane's read position from its header (ffi/zinc.h zinc_outcome_lane_header: head at 0, read at 8). */
export function laneRead(lib: ZincLib, id: number, lane: number, prefix: string): number {
  const header = new BigUint64Array(8);
  if (lib.zinc_outcome_lane_header(id, lane, header) !== 0)
    throw new CorruptRegionError(`/dev/shm/${prefix}.outcomes: lane ${lane} header unreadable`);
  return Number(header[1]!);
}

/** An outcome lane's head as a lane wait answered it (`raw`); CorruptRegionError for a word >= 2^63. */
export function laneHead(lib: ZincLib, id: number, lane: number, prefix: string, raw: number | bigint): number {
  const word = (): bigint => {
    const out = new BigUint64Array(8);
    lib.zinc_outcome_lane_header(id, lane, out);
    return out[0]!;
  };
  return sequenceOf(raw, `/dev/shm/${prefix}.outcomes: lane ${lane} head`, word);
}
