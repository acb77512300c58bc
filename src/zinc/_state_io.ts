/**
 * Seqlock reads and the write-through mirror of the state region over libzinc, shared by the
 * writer (`RealZincPlane`) and read-only attachments (`ZincStateReader`). Every image read is
 * a stable copy; a torn image (its writer died mid-copy) or an exhausted retry throws.
 */

import { check } from "./_lib.ts";
import { mirrorArgs } from "./_state_check.ts";
import type { ZincRegion } from "./region.ts";
import { ACCOUNT_IMAGE_BYTES, checkSlotImage, invariant, SLOT_IMAGE_BYTES, ZincError } from "./types.ts";

function readCode(rc: number, what: string): void {
  if (rc === 1)
    throw new ZincError("RETRY_EXHAUSTED", `${what}: seqlock read did not stabilise within its retry bound`);
  if (rc === -9) throw new ZincError("TORN", `${what}: image was being written when its writer died; do not trust it`);
  check(rc, what);
}

export function readSlotImage(r: ZincRegion, slotCount: number, i: number): Uint8Array {
  invariant(Number.isInteger(i) && i >= 0 && i < slotCount, `slot index ${i} outside 0..${slotCount - 1}`);
  const out = new Uint8Array(SLOT_IMAGE_BYTES);
  readCode(r.lib.zinc_state_read_slot(r.id, i, out), `${r.path}: slot ${i}`);
  return checkSlotImage(out, i, r.path);
}

export function readAccountAndHash(r: ZincRegion): { account: Uint8Array; stateHash: bigint; mirrorCount: bigint } {
  const account = new Uint8Array(ACCOUNT_IMAGE_BYTES);
  const pair = new BigUint64Array(2);
  readCode(r.lib.zinc_state_read_account(r.id, account, pair), `${r.path}: account`);
  return { account, stateHash: pair[0] ?? 0n, mirrorCount: pair[1] ?? 0n };
}

export function mirrorState(
  r: ZincRegion,
  slotCount: number,
  slotImages: Uint8Array,
  dirtyMask: BigUint64Array | Uint32Array,
  account: Uint8Array,
  stateHash: bigint,
): void {
  mirrorArgs(slotCount, slotImages, dirtyMask, account, stateHash);
  check(r.lib.zinc_state_mirror(r.id, slotImages, slotCount, dirtyMask, account, stateHash), `${r.path}: mirror`);
}
