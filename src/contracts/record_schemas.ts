/**
 * JSON schemas (TypeBox) of the wire records that leave the process: orders, slots, the account,
 * transitions, diagnostics and the kernel's outcome. They describe the HTTP answers in
 * `GET /openapi.json` and the e2e tests check real answers against them; the TypeScript interfaces
 * in records.ts are pinned equal to them at compile time (the `_same*` constants below), so a
 * field added to one and not the other fails `tsc`.
 *
 * Entry points: `OrderRecordSchema`, `SlotRecordSchema`, `AccountRecordSchema`,
 * `TransitionRecordSchema`, `DiagnosticRecordSchema`, `KernelOutcomeSchema`, `literals`, `Same`.
 */

import { type Static, type TLiteral, type TUnion, Type } from "@sinclair/typebox";
import {
  type AccountRecord,
  DIAGNOSTIC_CODES,
  type DiagnosticRecord,
  EXIT_REASONS,
  type KernelOutcome,
  ORDER_STATUSES,
  type OrderRecord,
  SEVERITIES,
  SIDES,
  type SlotRecord,
  STAGES,
  STALE_REASONS,
  TRIGGERS,
  type TransitionRecord,
} from "./records.ts";

/** One of a list of strings, as a JSON schema (`anyOf` of `const`s) and as its TypeScript union. */
export function literals<const T extends readonly string[]>(
  values: T,
  options: { description?: string; title?: string } = {},
): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  ) as TUnion<TLiteral<T[number]>[]>;
}

/** `true` when A and B are the same type (each assignable to the other). */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

const strict = { additionalProperties: false } as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Ms = Type.Integer({ minimum: 0, description: "milliseconds since the epoch" });

export const StageSchema = literals(STAGES, { title: "Stage" });
export const SeveritySchema = literals(SEVERITIES, { title: "Severity" });

export const OrderRecordSchema = Type.Object(
  {
    trade_id: Type.String(),
    venue_order_id: Type.String(),
    client_order_id: Type.String(),
    role: literals(["ENTRY", "EXIT"] as const),
    side: literals(["BUY", "SELL"] as const),
    order_type: literals(["MARKET", "LIMIT"] as const),
    status: literals(ORDER_STATUSES),
    leg: Type.Integer({ minimum: 0 }),
    intended_size: Type.Number(),
    filled_size: Type.Number(),
    avg_fill_price: Type.Number(),
    limit_price: Nullable(Type.Number()),
    fee: Type.Number(),
    hung: Type.Boolean({ description: "no venue answer within hung_order_ms" }),
    created_at_ms: Type.Integer({ minimum: 0 }),
    last_update_ms: Type.Integer({ minimum: 0 }),
  },
  { ...strict, title: "OrderRecord", description: "A slot's entry or exit order, as the kernel holds it" },
);

export const SlotRecordSchema = Type.Object(
  {
    slot_id: Type.Integer({ minimum: 0 }),
    stage: StageSchema,
    trade_id: Type.String({ description: "empty while IDLE" }),
    asset: Type.String(),
    side: Nullable(literals(SIDES)),
    entry_price: Type.Number(),
    size: Type.Number(),
    leverage: Type.Integer({ minimum: 0 }),
    is_open: Type.Boolean(),
    leg: Type.Integer({ minimum: 0 }),
    realized_pnl: Type.Number(),
    unrealized_pnl: Type.Number(),
    mark_price: Type.Number(),
    fees: Type.Number(),
    exit_reason: Nullable(literals(EXIT_REASONS)),
    stale_reason: Nullable(literals(STALE_REASONS)),
    entry_order: Nullable(OrderRecordSchema),
    exit_order: Nullable(OrderRecordSchema),
    version: Type.Integer({ minimum: 0 }),
    updated_at_ms: Type.Integer({ minimum: 0 }),
  },
  { ...strict, title: "SlotRecord", description: "One trade slot, read from kernel memory" },
);

export const AccountRecordSchema = Type.Object(
  {
    capital: Type.Number(),
    peak_capital: Type.Number(),
    drawdown: Type.Number(),
    drawdown_ratio: Type.Number(),
    fees_paid: Type.Number(),
    realized_pnl_total: Type.Number(),
    unrealized_pnl: Type.Number(),
    equity: Type.Number(),
    trade_seq: Type.Integer({ minimum: 0, description: "settled trades" }),
    version: Type.Integer({ minimum: 0 }),
    seeded: Type.Boolean({ description: "capital was seeded from the venue's wallet" }),
  },
  { ...strict, title: "AccountRecord" },
);

export const TransitionRecordSchema = Type.Object(
  {
    input_index: Type.Integer({ minimum: 0 }),
    slot_id: Type.Integer({ minimum: 0 }),
    from: StageSchema,
    to: StageSchema,
    trigger: literals(TRIGGERS),
    row: Nullable(Type.Integer({ minimum: 0, description: "the transition table's row" })),
    version: Type.Integer({ minimum: 0 }),
    now_ms: Ms,
  },
  { ...strict, title: "TransitionRecord" },
);

export const DiagnosticDetailsSchema = Type.Object(
  {
    input_kind: Type.Optional(Type.String()),
    limit: Type.Optional(Type.String({ description: "RISK_LIMIT, DRAWDOWN_LIMIT: the limit's control key" })),
    asset: Type.Optional(Type.String()),
    side: Type.Optional(literals(SIDES)),
    avg_price: Type.Optional(Type.Number()),
    stage: Type.Optional(StageSchema),
    field: Type.Optional(Type.String({ description: "the input field the diagnostic is about" })),
    value: Type.Optional(Type.Number()),
    retryable: Type.Optional(Type.Boolean()),
    retry_after_ms: Type.Optional(Type.Number()),
    release_eta: Type.Optional(Type.String()),
    venue_leverage: Type.Optional(Type.Integer({ description: "VENUE_MISMATCH (LEVERAGE): the venue's leverage" })),
    leverage: Type.Optional(Type.Integer({ description: "VENUE_MISMATCH (LEVERAGE): the one set, or the slot's" })),
  },
  { ...strict, title: "DiagnosticDetails" },
);

export const DiagnosticRecordSchema = Type.Object(
  {
    code: literals(DIAGNOSTIC_CODES),
    severity: SeveritySchema,
    slot_id: Nullable(Type.Integer({ minimum: 0 })),
    message: Type.String(),
    details: DiagnosticDetailsSchema,
    input_index: Type.Integer({ minimum: 0 }),
    now_ms: Ms,
  },
  { ...strict, title: "DiagnosticRecord" },
);

export const KernelOutcomeSchema = Type.Object(
  {
    accepted: Type.Boolean(),
    slot: Nullable(SlotRecordSchema),
    transitions: Type.Array(TransitionRecordSchema),
    diagnostics: Type.Array(DiagnosticRecordSchema),
  },
  { ...strict, title: "KernelOutcome", description: "The kernel's answer to one input" },
);

// Compile-time pins: the interfaces in records.ts and these schemas describe the same shapes.
export const _sameOrder: Same<Static<typeof OrderRecordSchema>, OrderRecord> = true;
export const _sameSlot: Same<Static<typeof SlotRecordSchema>, SlotRecord> = true;
export const _sameAccount: Same<Static<typeof AccountRecordSchema>, AccountRecord> = true;
export const _sameTransition: Same<Static<typeof TransitionRecordSchema>, TransitionRecord> = true;
export const _sameDiagnostic: Same<Static<typeof DiagnosticRecordSchema>, DiagnosticRecord> = true;
export const _sameOutcome: Same<Static<typeof KernelOutcomeSchema>, KernelOutcome> = true;
