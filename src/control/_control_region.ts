/**
 * Typed access to a `<prefix>.control` region over libzinc: seqlocked snapshot and result
 * blocks (validated on every read) and the command mailbox ring. Shared by the kernel-side
 * `RealZincControlPlane` (writer) and `RealControlCommandClient` (other processes).
 */

import type { ControlSnapshot } from "../contracts/control.ts";
import { pushRecord, ZincError, type ZincRegion } from "../zinc/index.ts";
import { COMMAND_BYTES, decodeSnapshot, encodeSnapshot, RESULT_BYTES, SNAPSHOT_BYTES } from "./codec.ts";
import { type CommandResult, decodeResult, encodeResult } from "./command_result.ts";
import type { PostResult } from "./types.ts";

const BLOCK_SNAPSHOT = 0;
const BLOCK_RESULT = 1;

/** The code of a failed block call: TRUNCATED must stay recognisable (the writer turns hostile on it). */
const failure = (rc: number) => (rc === -3 ? "ROLE" : rc === -11 ? "TRUNCATED" : "ARG");

function readBlock(r: ZincRegion, block: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const rc = r.lib.zinc_control_read(r.id, block, out, size);
  if (rc === 1) throw new ZincError("RETRY_EXHAUSTED", `${r.path}: control block ${block} did not stabilise`);
  if (rc === -9)
    throw new ZincError("TORN", `${r.path}: control block ${block} was being written when its writer died`);
  if (rc !== 0) throw new ZincError(failure(rc), `${r.path}: control read failed (${rc})`);
  return out;
}

function writeBlock(r: ZincRegion, block: number, bytes: Uint8Array): void {
  const rc = r.lib.zinc_control_write(r.id, block, bytes, bytes.byteLength);
  if (rc !== 0) throw new ZincError(failure(rc), `${r.path}: control write failed (${rc})`);
}

export class ControlRegion {
  constructor(
    readonly r: ZincRegion,
    readonly slotCount: number,
  ) {}

  readSnapshot(): ControlSnapshot | null {
    return decodeSnapshot(readBlock(this.r, BLOCK_SNAPSHOT, SNAPSHOT_BYTES), this.slotCount);
  }

  writeSnapshot(s: ControlSnapshot): void {
    writeBlock(this.r, BLOCK_SNAPSHOT, encodeSnapshot(s));
  }

  readResult(): CommandResult | null {
    return decodeResult(readBlock(this.r, BLOCK_RESULT, RESULT_BYTES));
  }

  writeResult(result: CommandResult): void {
    writeBlock(this.r, BLOCK_RESULT, encodeResult(result));
  }

  post(record: Uint8Array): PostResult {
    return pushRecord(this.r, record, COMMAND_BYTES);
  }

  seq(): number {
    return this.r.seq();
  }

  wait(lastSeq: number, timeoutMs: number): Promise<number> {
    return this.r.wait(lastSeq, timeoutMs);
  }
}
