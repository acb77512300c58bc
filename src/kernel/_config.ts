/**
 * Reads the kernel's configuration (`dita_kernel_config`: nine u64 words, the float limits as
 * their bit patterns, kernel/ABI.md) into a `KernelConfig`.
 */

import { type Pointer, ptr } from "bun:ffi";
import { TRADING_STATES } from "../contracts/enums.ts";
import type { KernelLib } from "./_kernel_ffi.ts";
import type { KernelConfig } from "./types.ts";

const CONFIG_WORDS = 9;

export function readKernelConfig(lib: KernelLib, handle: Pointer): KernelConfig {
  const out = new BigUint64Array(CONFIG_WORDS);
  lib.dita_kernel_config(handle, ptr(out));
  const f = new Float64Array(out.buffer);
  const state = TRADING_STATES[Number(out[3]) - 1];
  if (state === undefined) throw new Error(`Invariant: the kernel reported trading state ${out[3]}`);
  return {
    slot_count: Number(out[0]),
    active_slot_limit: Number(out[1]),
    hung_order_ms: Number(out[2]),
    trading_state: state,
    max_notional_per_trade: f[4]!,
    max_gross_exposure: f[5]!,
    max_orders_per_minute: Number(out[6]),
    max_leverage: Number(out[7]),
    max_drawdown_ratio: f[8]!,
  };
}
