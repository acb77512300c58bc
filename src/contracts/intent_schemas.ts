/**
 * The JSON schemas of every kernel input on the wire (TypeBox: each schema is a JSON Schema
 * object and a TypeScript type at once). One source: the HTTP edge validates bodies with them,
 * the journal edge validates lines with them, the OpenAPI document embeds them, and the types in
 * intents.ts are derived from them.
 *
 * The schemas fix shapes and types only. Values (ranges, charsets, widths, the order of stages)
 * are the kernel's to judge: it answers them with a diagnostic naming the field.
 *
 * Entry points: `STRATEGY_INTENT_SCHEMAS` (by type), `SYSTEM_INPUT_SCHEMAS`, `VENUE_INPUT_SCHEMA`,
 * the `*Schema` constants.
 */

import { type Static, type TSchema, Type } from "@sinclair/typebox";

const SlotId = Type.Integer({ minimum: 0, description: "slot index, 0..slots-1" });
const Asset = Type.String({ description: "contract symbol, e.g. BTC-USDT" });
const Size = Type.Number({ description: "base units, > 0, at most 8 decimals" });
const NowMs = Type.Integer({ minimum: 0, description: "milliseconds since the epoch, stamped by the launcher" });
const LimitPrice = Type.Optional(
  Type.Union([Type.Number(), Type.Null()], { description: "limit price; absent, null or 0 = market" }),
);
const strict = { additionalProperties: false } as const;

export const EnterIntentSchema = Type.Object(
  {
    type: Type.Literal("ENTER"),
    slot_id: SlotId,
    trade_id: Type.String({ description: "[A-Za-z0-9_-]{1,32}, unique per slot" }),
    asset: Asset,
    side: Type.Union([Type.Literal("LONG"), Type.Literal("SHORT")]),
    size: Size,
    price: LimitPrice,
    leverage: Type.Integer({ description: "1..125" }),
  },
  { ...strict, title: "EnterIntent", description: "Open a trade in an idle slot" },
);

export const ExitIntentSchema = Type.Object(
  {
    type: Type.Literal("EXIT"),
    slot_id: SlotId,
    size: Size,
    price: LimitPrice,
    reason: Type.Union([Type.Literal("SIGNAL"), Type.Literal("TP"), Type.Literal("SL"), Type.Literal("MANUAL")]),
  },
  { ...strict, title: "ExitIntent", description: "Start an exit leg of an open position" },
);

export const CancelIntentSchema = Type.Object(
  { type: Type.Literal("CANCEL"), slot_id: SlotId },
  { ...strict, title: "CancelIntent", description: "Cancel the slot's working order" },
);

export const MarkPriceIntentSchema = Type.Object(
  { type: Type.Literal("MARK_PRICE"), asset: Asset, price: Type.Number() },
  { ...strict, title: "MarkPriceIntent", description: "Mark an asset's price (unrealized PnL only)" },
);

export const StrategyIntentSchema = Type.Union(
  [EnterIntentSchema, ExitIntentSchema, CancelIntentSchema, MarkPriceIntentSchema],
  { title: "StrategyIntent" },
);

export const STRATEGY_INTENT_SCHEMAS = {
  ENTER: EnterIntentSchema,
  EXIT: ExitIntentSchema,
  CANCEL: CancelIntentSchema,
  MARK_PRICE: MarkPriceIntentSchema,
} as const;

export const VenueEventSchema = Type.Object(
  {
    kind: Type.Union([
      Type.Literal("ACK"),
      Type.Literal("PARTIAL_FILL"),
      Type.Literal("FULL_FILL"),
      Type.Literal("CANCEL_ACK"),
      Type.Literal("CANCEL_REJECT"),
      Type.Literal("REJECT"),
    ]),
    event_id: Type.String(),
    venue_order_id: Type.String(),
    client_order_id: Type.String(),
    asset: Asset,
    filled_size_cumulative: Type.Number(),
    avg_price: Type.Number(),
    last_fill_size: Type.Number(),
    last_fill_price: Type.Number(),
    fee_cumulative: Type.Number(),
    venue_time_ms: Type.Number(),
    reject_reason: Type.Optional(Type.Union([Type.Literal("VENUE"), Type.Literal("RATE_LIMITED")])),
    retry_after_ms: Type.Optional(Type.Number()),
    venue_code: Type.Optional(Type.String()),
    venue_message: Type.Optional(Type.String()),
  },
  { ...strict, title: "VenueEvent" },
);

export const VENUE_INPUT_SCHEMA = Type.Object(
  {
    type: Type.Literal("VENUE_EVENT"),
    slot_id: Type.Optional(Type.Union([SlotId, Type.Null()])),
    event: VenueEventSchema,
    now_ms: NowMs,
  },
  strict,
);

const OpenOrderSchema = Type.Object(
  {
    role: Type.Union([Type.Literal("ENTRY"), Type.Literal("EXIT")]),
    venue_order_id: Type.String(),
    client_order_id: Type.String(),
    size: Type.Number(),
    filled_size: Type.Number(),
    avg_price: Type.Number(),
  },
  strict,
);

export const ReconcileTruthSchema = Type.Object(
  {
    side: Type.Union([Type.Literal("LONG"), Type.Literal("SHORT"), Type.Null()]),
    size: Type.Number(),
    avg_price: Type.Number(),
    open_order: Type.Optional(Type.Union([OpenOrderSchema, Type.Null()])),
  },
  strict,
);

export const SYSTEM_INPUT_SCHEMAS = {
  TICK: Type.Object({ type: Type.Literal("TICK"), now_ms: NowMs }, strict),
  RECONCILE: Type.Object(
    { type: Type.Literal("RECONCILE"), slot_id: SlotId, truth: ReconcileTruthSchema, now_ms: NowMs },
    strict,
  ),
  SEED_CAPITAL: Type.Object(
    {
      type: Type.Literal("SEED_CAPITAL"),
      capital: Type.Number({ description: "the venue wallet balance" }),
      recovery: Type.Optional(Type.Boolean()),
      now_ms: NowMs,
    },
    strict,
  ),
  MARK_STALE: Type.Object(
    {
      type: Type.Literal("MARK_STALE"),
      slot_id: SlotId,
      reason: Type.Union([Type.Literal("RESTART"), Type.Literal("DIVERGENCE"), Type.Literal("OPERATOR")]),
      now_ms: NowMs,
    },
    strict,
  ),
  CONFIGURE: Type.Object(
    {
      type: Type.Literal("CONFIGURE"),
      key: Type.Union([
        Type.Literal("ACTIVE_SLOT_LIMIT"),
        Type.Literal("HUNG_ORDER_MS"),
        Type.Literal("TRADING_STATE"),
        Type.Literal("MAX_NOTIONAL_PER_TRADE"),
        Type.Literal("MAX_GROSS_EXPOSURE"),
        Type.Literal("MAX_ORDERS_PER_MINUTE"),
        Type.Literal("MAX_LEVERAGE"),
        Type.Literal("MAX_DRAWDOWN_RATIO"),
      ]),
      value: Type.Number({
        minimum: 0,
        description:
          "an integer for counts, times and TRADING_STATE (1 ACTIVE, 2 REDUCING, 3 HALTED); money or a ratio for the other limits",
      }),
      now_ms: NowMs,
    },
    strict,
  ),
  FLATTEN: Type.Object(
    { type: Type.Literal("FLATTEN"), slot_id: SlotId, now_ms: NowMs },
    {
      ...strict,
      description:
        "The operator's flatten of one slot: cancel its working order, or exit its whole position at market (MANUAL)",
    },
  ),
} as const satisfies Record<string, TSchema>;

export type StrategyIntentWire = Static<typeof StrategyIntentSchema>;
export type VenueEventWire = Static<typeof VenueEventSchema>;
export type ReconcileTruthWire = Static<typeof ReconcileTruthSchema>;
export type SystemInputWire = {
  [K in keyof typeof SYSTEM_INPUT_SCHEMAS]: Static<(typeof SYSTEM_INPUT_SCHEMAS)[K]>;
}[keyof typeof SYSTEM_INPUT_SCHEMAS];
export type VenueInputWire = Static<typeof VENUE_INPUT_SCHEMA>;

/** A strategy intent as the journal holds it: stamped with `now_ms` by the launcher. */
const stamped = <T extends TSchema>(schema: T) => Type.Composite([schema, Type.Object({ now_ms: NowMs })], strict);
export const STAMPED_STRATEGY_SCHEMAS = {
  ENTER: stamped(EnterIntentSchema),
  EXIT: stamped(ExitIntentSchema),
  CANCEL: stamped(CancelIntentSchema),
  MARK_PRICE: stamped(MarkPriceIntentSchema),
} as const;
