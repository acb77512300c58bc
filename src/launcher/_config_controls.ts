/**
 * The operator controls a serve starts with (docs/architecture.md §9): the trading state, the risk
 * limits (0 = off, the same ranges a running serve accepts as control changes) and how often the
 * live reconciliation compares belief with the venue. A bad value fails at start naming the variable.
 */

import { RISK_LIMIT_RANGES, type RiskLimits } from "../contracts/control.ts";
import { TRADING_STATES, type TradingState } from "../contracts/enums.ts";
import { ConfigError } from "./_config_error.ts";

type Env = Record<string, string | undefined>;

export interface StartControls {
  trading_state: TradingState;
  limits: RiskLimits;
  reconcile_interval_ms: number;
}

export function startControlsFromEnv(env: Env): StartControls {
  const limits = {} as RiskLimits;
  for (const key of Object.keys(RISK_LIMIT_RANGES) as Array<keyof RiskLimits>) limits[key] = limit(env, key);
  return {
    trading_state: tradingState(env),
    limits,
    reconcile_interval_ms: reconcileInterval(env),
  };
}

function tradingState(env: Env): TradingState {
  const name = "DITA_V2_TRADING_STATE";
  const raw = env[name];
  if (raw === undefined || raw === "") return "ACTIVE";
  const hit = TRADING_STATES.find((s) => s === raw.trim().toUpperCase());
  if (hit === undefined) throw new ConfigError(name, `must be one of ${TRADING_STATES.join("|")}, got '${raw}'`);
  return hit;
}

function limit(env: Env, key: keyof RiskLimits): number {
  const name = `DITA_V2_${key.toUpperCase()}`;
  const raw = env[name];
  if (raw === undefined || raw === "") return 0;
  const { max, integer } = RISK_LIMIT_RANGES[key];
  const shape = integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
  const n = Number(raw.trim());
  if (!shape.test(raw.trim()) || n > max) {
    throw new ConfigError(name, `must be ${integer ? "an integer" : "a number"} 0..${max} (0 = off), got '${raw}'`);
  }
  return n;
}

function reconcileInterval(env: Env): number {
  const name = "DITA_V2_RECONCILE_INTERVAL_MS";
  const raw = env[name];
  if (raw === undefined || raw === "") return 30_000;
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || (n !== 0 && (n < 1_000 || n > 3_600_000))) {
    throw new ConfigError(name, `must be 0 (off) or an integer 1000..3600000 milliseconds, got '${raw}'`);
  }
  return n;
}
