/**
 * The data schemas of the events `GET /events` sends, besides the wire records they carry:
 * diagnostics from any source, the account with its publish time, and reset. `EVENT_SCHEMAS`
 * names each event's schema in the OpenAPI document (`x-events` on the stream's answer).
 *
 * Entry points: `FeedDiagnosticSchema`, `AccountEventSchema`, `ResetEventSchema`, `EVENT_SCHEMAS`.
 */

import { Type } from "@sinclair/typebox";
import { AccountRecordSchema, DiagnosticRecordSchema, SeveritySchema } from "../contracts/record_schemas.ts";

export const FeedDiagnosticSchema = Type.Composite(
  [
    Type.Object({
      source: Type.Union([
        Type.Literal("kernel"),
        Type.Literal("launcher"),
        Type.Literal("venue"),
        Type.Literal("projection"),
      ]),
    }),
    Type.Omit(DiagnosticRecordSchema, ["code", "severity", "input_index", "details"]),
    Type.Object({
      code: Type.String({ description: "a kernel, venue or projection diagnostic code" }),
      severity: SeveritySchema,
      input_index: Type.Optional(Type.Integer({ minimum: 0 })),
      details: Type.Record(Type.String(), Type.Unknown(), {
        description: "kernel: DiagnosticDetails; else the raiser's",
      }),
    }),
  ],
  {
    additionalProperties: false,
    title: "FeedDiagnostic",
    description: "Event `diagnostic`: kernel, venue or projection",
  },
);

export const AccountEventSchema = Type.Composite(
  [AccountRecordSchema, Type.Object({ at_ms: Type.Integer({ minimum: 0 }) })],
  {
    additionalProperties: false,
    title: "AccountEvent",
    description: "Event `account`: the account record and when it was published",
  },
);
export const ResetEventSchema = Type.Object(
  { reason: Type.String(), last_seq: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false, title: "ResetEvent", description: "Event `reset`: reload the state, then follow" },
);

/** The data of each event `GET /events` sends, by event name (published as `x-events`). */
export const EVENT_SCHEMAS: Record<string, string> = {
  transition: "TransitionRecord",
  diagnostic: "FeedDiagnostic",
  account: "AccountEvent",
  control: "ControlSnapshot",
  flatten: "FlattenEvent",
  reset: "ResetEvent",
};
