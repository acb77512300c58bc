/**
 * Flatten (docs/architecture.md §6): the operator's emergency exit. The request (HTTP body, CLI
 * flag, control-mailbox command) is parsed here once; the report is what every edge answers with.
 *
 * Entry points: `parseFlattenRequest`, `FlattenReport`.
 */

import type { Stage } from "./records.ts";

export const FLATTEN_TIMEOUT_MS = { min: 1_000, max: 240_000, fallback: 30_000 } as const;

export interface FlattenRequest {
  /** How long to wait for the venue to confirm every slot flat before answering. */
  timeout_ms: number;
}

/** A request from a JSON object: `{}` or `{ "timeout_ms": 1000..600000 }`; a string says why not. */
export function parseFlattenRequest(body: Record<string, unknown>): FlattenRequest | string {
  for (const key of Object.keys(body)) {
    if (key !== "timeout_ms") return `unknown flatten field '${key}' (only timeout_ms)`;
  }
  const t = body.timeout_ms ?? FLATTEN_TIMEOUT_MS.fallback;
  const { min, max } = FLATTEN_TIMEOUT_MS;
  if (typeof t !== "number" || !Number.isInteger(t) || t < min || t > max) {
    return `timeout_ms must be an integer ${min}..${max}, got ${JSON.stringify(body.timeout_ms)}`;
  }
  return { timeout_ms: t };
}

export type FlattenSlotResult = "ALREADY_FLAT" | "CLOSED" | "STILL_OPEN";

export interface FlattenSlot {
  slot_id: number;
  asset: string;
  before: Stage;
  after: Stage;
  result: FlattenSlotResult;
  /** For STILL_OPEN: why (the working order, a pending cancel, a stale slot awaiting reconcile). */
  detail: string;
}

export interface FlattenReport {
  /** Every slot flat in the kernel and the venue confirmed no position and no open order. */
  complete: boolean;
  /** Flatten leaves trading HALTED; the operator sets ACTIVE again. */
  trading_state: "HALTED";
  started_at_ms: number;
  finished_at_ms: number;
  slots: FlattenSlot[];
  venue: {
    checked: boolean;
    positions: Array<{ asset: string; side: string; size: number }>;
    open_orders: Array<{ asset: string; client_order_id: string }>;
    balance: number | null;
    error: string | null;
  };
  capital: number;
  /** FLATTEN inputs sent, and how many of them followed a venue refusal (rate limit, reject). */
  attempts: { flatten_inputs: number; after_refusal: number };
}
