/**
 * Verifies once per process that the loaded kernel library speaks the ABI this binding was
 * written for (src/contracts/abi.ts). A mismatch is fatal with one clear line.
 */

import { verifyAbi } from "../contracts/abi.ts";
import type { KernelLib } from "./_kernel_ffi.ts";

export class AbiMismatchError extends Error {
  override name = "AbiMismatchError";
}

let verified = false;

export function checkAbiOnce(lib: KernelLib): void {
  if (verified) return;
  const mismatch = verifyAbi(String(lib.dita_abi_describe()));
  if (mismatch) throw new AbiMismatchError(mismatch);
  verified = true;
}
