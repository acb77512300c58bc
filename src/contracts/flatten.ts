/**
 * Flatten (docs/architecture.md §3, §9): the operator's emergency exit. The request (HTTP body, CLI
 * flag, control-mailbox command) is parsed here once; the report is what every edge answers with.
 *
 * One source: `FlattenRequestSchema` is what the parser checks a body against and what the OpenAPI
 * document publishes; `FlattenReportSchema` is pinned equal to `FlattenReport` at compile time.
 *
 * Entry points: `parseFlattenRequest`, `FlattenRequestSchema`, `FlattenReport`, `FlattenReportSchema`.
 */

import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { show } from "./intent_parse.ts";
import { literals, type Same, StageSchema } from "./record_schemas.ts";
import type { Stage } from "./records.ts";

export const FLATTEN_TIMEOUT_MS = { min: 1_000, max: 240_000, fallback: 30_000 } as const;

/** The request body (`{}` or `{"timeout_ms": N}`): the parser below checks bodies against it. */
export const FlattenRequestSchema = Type.Object(
  {
    timeout_ms: Type.Optional(
      Type.Integer({
        minimum: FLATTEN_TIMEOUT_MS.min,
        maximum: FLATTEN_TIMEOUT_MS.max,
        default: FLATTEN_TIMEOUT_MS.fallback,
        description: "how long to wait for the venue to confirm every slot flat before answering",
      }),
    ),
  },
  { additionalProperties: false, title: "FlattenRequest" },
);

export interface FlattenRequest {
  /** How long to wait for the venue to confirm every slot flat before answering. */
  timeout_ms: number;
}

/** A request from a JSON object checked against FlattenRequestSchema; a string says why not. */
export function parseFlattenRequest(body: Record<string, unknown>): FlattenRequest | string {
  for (const key of Object.keys(body)) {
    if (!Object.hasOwn(FlattenRequestSchema.properties, key))
      return `unknown flatten field '${key.slice(0, 40)}' (only timeout_ms)`;
  }
  if (!Value.Check(FlattenRequestSchema, body)) {
    const { min, max } = FLATTEN_TIMEOUT_MS;
    return `timeout_ms must be an integer ${min}..${max}, got ${show(body.timeout_ms)}`; // 1e999: Infinity, not null
  }
  return { timeout_ms: (body.timeout_ms as number | undefined) ?? FLATTEN_TIMEOUT_MS.fallback };
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

const FlattenSlotSchema = Type.Object(
  {
    slot_id: Type.Integer({ minimum: 0 }),
    asset: Type.String(),
    before: StageSchema,
    after: StageSchema,
    result: literals(["ALREADY_FLAT", "CLOSED", "STILL_OPEN"] as const),
    detail: Type.String({ description: "for STILL_OPEN: why (the working order, a pending cancel, a stale slot)" }),
  },
  { additionalProperties: false, title: "FlattenSlot" },
);

export const FlattenReportSchema = Type.Object(
  {
    complete: Type.Boolean({ description: "every slot flat and the venue confirmed no position and no open order" }),
    trading_state: Type.Literal("HALTED"),
    started_at_ms: Type.Integer({ minimum: 0 }),
    finished_at_ms: Type.Integer({ minimum: 0 }),
    slots: Type.Array(FlattenSlotSchema),
    venue: Type.Object(
      {
        checked: Type.Boolean(),
        positions: Type.Array(
          Type.Object(
            { asset: Type.String(), side: Type.String(), size: Type.Number() },
            { additionalProperties: false },
          ),
        ),
        open_orders: Type.Array(
          Type.Object({ asset: Type.String(), client_order_id: Type.String() }, { additionalProperties: false }),
        ),
        balance: Type.Union([Type.Number(), Type.Null()]),
        error: Type.Union([Type.String(), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    capital: Type.Number(),
    attempts: Type.Object(
      { flatten_inputs: Type.Integer({ minimum: 0 }), after_refusal: Type.Integer({ minimum: 0 }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, title: "FlattenReport", description: "The per-slot answer of a flatten" },
);
export const _sameReport: Same<Static<typeof FlattenReportSchema>, FlattenReport> = true;

/**
 * What `GET /events` says about a flatten (event `flatten`): STARTED when it begins (trading is
 * already HALTED: the control event comes first), FINISHED with the report when it answers, or
 * FAILED with the error when the flatten itself threw (no report; trading stays HALTED).
 */
export const FlattenEventSchema = Type.Union(
  [
    Type.Object(
      {
        phase: Type.Literal("STARTED"),
        started_at_ms: Type.Integer({ minimum: 0 }),
        timeout_ms: Type.Integer({ minimum: 0 }),
        slots_not_flat: Type.Array(Type.Integer({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
    Type.Object({ phase: Type.Literal("FINISHED"), report: FlattenReportSchema }, { additionalProperties: false }),
    Type.Object(
      { phase: Type.Literal("FAILED"), failed_at_ms: Type.Integer({ minimum: 0 }), error: Type.String() },
      { additionalProperties: false },
    ),
  ],
  { title: "FlattenEvent" },
);
export type FlattenEvent = Static<typeof FlattenEventSchema>;
