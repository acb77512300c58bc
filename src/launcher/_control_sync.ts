/**
 * The CONFIGURE inputs that make the kernel's configuration equal to a control snapshot: one per
 * key that differs (the kernel enforces the slot limit, the trading state and the risk limits; the
 * snapshot only says what the operator asked for). Pure: the caller applies them in order.
 */

import type { ControlSnapshot, RiskLimits } from "../contracts/control.ts";
import { type ConfigKey, TRADING_STATES } from "../contracts/enums.ts";
import type { SystemInput } from "../contracts/intents.ts";
import type { KernelConfig } from "../kernel/index.ts";

const LIMIT_KEYS: Readonly<Record<keyof RiskLimits, ConfigKey>> = {
  max_notional_per_trade: "MAX_NOTIONAL_PER_TRADE",
  max_gross_exposure: "MAX_GROSS_EXPOSURE",
  max_orders_per_minute: "MAX_ORDERS_PER_MINUTE",
  max_leverage: "MAX_LEVERAGE",
  max_drawdown_ratio: "MAX_DRAWDOWN_RATIO",
};

export function configureInputs(snapshot: ControlSnapshot, kernel: KernelConfig, nowMs: number): SystemInput[] {
  const out: SystemInput[] = [];
  const configure = (key: ConfigKey, value: number) => out.push({ type: "CONFIGURE", key, value, now_ms: nowMs });
  if (snapshot.active_slot_limit !== kernel.active_slot_limit)
    configure("ACTIVE_SLOT_LIMIT", snapshot.active_slot_limit);
  for (const [field, key] of Object.entries(LIMIT_KEYS) as Array<[keyof RiskLimits, ConfigKey]>) {
    if (snapshot[field] !== kernel[field]) configure(key, snapshot[field]);
  }
  if (snapshot.trading_state !== kernel.trading_state) {
    configure("TRADING_STATE", TRADING_STATES.indexOf(snapshot.trading_state) + 1);
  }
  return out;
}
