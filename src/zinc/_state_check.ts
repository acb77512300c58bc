/**
 * Argument checks for a state mirror call, shared by both planes so they refuse the same
 * inputs: sizes must match the slot count, the mask is u64[4], the hash is a u64. Returns the
 * dirty slot indexes below `slotCount` (bits past it are ignored, as in C).
 */

import { ACCOUNT_IMAGE_BYTES, invariant, SLOT_IMAGE_BYTES } from "./types.ts";

export function mirrorArgs(
  slotCount: number,
  slotImages: Uint8Array,
  dirtyMask: BigUint64Array | Uint32Array,
  account: Uint8Array,
  stateHash: bigint,
): number[] {
  invariant(
    slotImages.byteLength === slotCount * SLOT_IMAGE_BYTES,
    `slotImages must be ${slotCount} x ${SLOT_IMAGE_BYTES} bytes, got ${slotImages.byteLength}`,
  );
  invariant(dirtyMask.byteLength === 32, `dirtyMask must be u64[4] (32 bytes), got ${dirtyMask.byteLength}`);
  invariant(
    account.byteLength === ACCOUNT_IMAGE_BYTES,
    `account must be ${ACCOUNT_IMAGE_BYTES} bytes, got ${account.byteLength}`,
  );
  invariant(stateHash >= 0n && stateHash < 1n << 64n, `stateHash must be a u64, got ${stateHash}`);
  const words = new Uint32Array(dirtyMask.buffer, dirtyMask.byteOffset, 8);
  const dirty: number[] = [];
  for (let i = 0; i < slotCount; i++) {
    if ((((words[i >>> 5] ?? 0) >>> (i & 31)) & 1) === 1) dirty.push(i);
  }
  return dirty;
}
