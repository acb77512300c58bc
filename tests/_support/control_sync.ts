/**
 * A stand-in kernel's config for ControlSync tests (src/launcher/_control_sync.ts): `CONFIG_FIELD`
 * (the config field each CONFIGURE key sets) and `applyConfigure` (a CONFIGURE stored as the kernel
 * stores it).
 */

import { TRADING_STATES } from "../../src/contracts/enums.ts";
import type { SystemInput } from "../../src/contracts/intents.ts";
import type { KernelConfig } from "../../src/kernel/index.ts";

/** The kernel config field each CONFIGURE key other than TRADING_STATE sets. */
export const CONFIG_FIELD: Record<string, keyof KernelConfig> = {
  ACTIVE_SLOT_LIMIT: "active_slot_limit",
  MAX_NOTIONAL_PER_TRADE: "max_notional_per_trade",
  MAX_GROSS_EXPOSURE: "max_gross_exposure",
  MAX_ORDERS_PER_MINUTE: "max_orders_per_minute",
  MAX_LEVERAGE: "max_leverage",
  MAX_DRAWDOWN_RATIO: "max_drawdown_ratio",
};

/**
 * Stores `input`, when it is a CONFIGURE, in the stand-in kernel config `k` (TRADING_STATE by its
 * 1-based index, a limit in its CONFIG_FIELD); the key it set, or null for any other input.
 */
export function applyConfigure(k: KernelConfig, input: SystemInput): string | null {
  if (input.type !== "CONFIGURE") return null;
  if (input.key === "TRADING_STATE") k.trading_state = TRADING_STATES[input.value - 1]!;
  else (k as unknown as Record<string, number>)[CONFIG_FIELD[input.key]!] = input.value;
  return input.key;
}
