/**
 * Verifies once per process that the loaded kernel library speaks the ABI this binding was
 * written for (src/contracts/abi.ts), in full: records, fields and constants, both ways. A
 * mismatch is fatal with one clear line (`AbiMismatchError`).
 *
 * Entry points: `checkAbiOnce(lib)`, `checkAbi(lib, expected)`, `AbiMismatchError`.
 */

import { type AbiExpectation, bindingAbi, verifyAbi } from "../contracts/abi_verify.ts";
import type { KernelLib } from "./_kernel_ffi.ts";
import { AbiMismatchError } from "./types.ts";

export { AbiMismatchError };

let verified = false;

/** Throws `AbiMismatchError` unless the library describes exactly `expected`. */
export function checkAbi(lib: KernelLib, expected: AbiExpectation): void {
  const mismatch = verifyAbi(String(lib.dita_abi_describe()), expected);
  if (mismatch) throw new AbiMismatchError(mismatch);
}

export function checkAbiOnce(lib: KernelLib): void {
  if (verified) return;
  checkAbi(lib, bindingAbi());
  verified = true;
}
