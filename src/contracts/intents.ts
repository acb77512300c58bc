/**
 * Kernel inputs as snake_case wire records (HTTP bodies, CLI, journal lines). `now_ms` is
 * stamped by the launcher from its Clock; strategy processes writing into the Zinc ring write
 * the binary InputRecord directly.
 */

import type { ConfigKey } from "./enums.ts";
import type { ExitReason, Side, StaleReason } from "./records.ts";
import type { VenueEvent } from "./venue.ts";

export interface ReconcileTruth {
  /** Venue position: side null and size 0 when flat. */
  side: Side | null;
  size: number;
  avg_price: number;
  open_order?: {
    role: "ENTRY" | "EXIT";
    venue_order_id: string;
    client_order_id: string;
    size: number;
    filled_size: number;
    avg_price: number;
  } | null;
}

export type KernelInput =
  | {
      type: "ENTER";
      slot_id: number;
      trade_id: string;
      asset: string;
      side: Side;
      size: number;
      price?: number | null;
      leverage: number;
      now_ms: number;
    }
  | { type: "EXIT"; slot_id: number; size: number; price?: number | null; reason: ExitReason; now_ms: number }
  | { type: "CANCEL"; slot_id: number; now_ms: number }
  | { type: "MARK_PRICE"; asset: string; price: number; now_ms: number }
  | { type: "TICK"; now_ms: number }
  | { type: "VENUE_EVENT"; slot_id?: number | null; event: VenueEvent; now_ms: number }
  | { type: "RECONCILE"; slot_id: number; truth: ReconcileTruth; now_ms: number }
  | { type: "SEED_CAPITAL"; capital: number; recovery?: boolean; now_ms: number }
  | {
      type: "MARK_STALE";
      slot_id: number;
      reason: Extract<StaleReason, "RESTART" | "DIVERGENCE" | "OPERATOR">;
      now_ms: number;
    }
  | { type: "CONFIGURE"; key: ConfigKey; value: number; now_ms: number };

export type KernelInputType = KernelInput["type"];
