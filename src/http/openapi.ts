/**
 * `GET /openapi.json`: the HTTP API as an OpenAPI 3.1 document, generated from the same TypeBox
 * schemas that parse the requests (strategy intents, control changes, the flatten body) and that
 * type the answers (records, outcome, control snapshot, flatten report, status document).
 *
 * Invariants: every route the app registers has an operation here (`undocumentedRoutes`, checked
 * when the app is created: serve does not start with an undocumented route); schemas are plain
 * JSON (TypeBox's symbols are dropped) and live under `components.schemas`, referenced by `$ref`.
 *
 * Entry points: `openApiDocument({ slotCount, version })`, `undocumentedRoutes`.
 */

import { type TSchema, Type } from "@sinclair/typebox";
import { ControlSnapshotSchema, controlChangeSchema } from "../contracts/control.ts";
import { FlattenEventSchema, FlattenReportSchema, FlattenRequestSchema } from "../contracts/flatten.ts";
import { FleetListingSchema } from "../contracts/fleet_schema.ts";
import { StrategyIntentSchema } from "../contracts/intent_schemas.ts";
import {
  AccountRecordSchema,
  DiagnosticRecordSchema,
  KernelOutcomeSchema,
  SlotRecordSchema,
  TransitionRecordSchema,
} from "../contracts/record_schemas.ts";
import { StatusDocumentSchema } from "../contracts/status_schema.ts";
import { AccountEventSchema, EVENT_SCHEMAS, FeedDiagnosticSchema, ResetEventSchema } from "./_event_schemas.ts";

const ErrorSchema = Type.Object(
  { error: Type.String({ description: "one line saying what was wrong" }) },
  { additionalProperties: false, title: "Error" },
);
const ControlErrorSchema = Type.Object(
  { error: Type.String(), key: Type.String({ description: "the refused key" }) },
  { additionalProperties: false, title: "ControlError" },
);
const RefusedOutcomeSchema = Type.Composite([Type.Object({ error: Type.String() }), KernelOutcomeSchema], {
  additionalProperties: false,
  title: "RefusedOutcome",
  description: "A refusal at the edge or by the kernel: one `error` line beside the outcome",
});
const HealthSchema = Type.Union(
  [
    Type.Object({ status: Type.Literal("ok") }, { additionalProperties: false }),
    Type.Object(
      { status: Type.Literal("unavailable"), reasons: Type.Array(Type.String()) },
      { additionalProperties: false },
    ),
  ],
  { title: "Health" },
);
const EquitySchema = Type.Object(
  {
    // [at_ms, equity, drawdown]: a fixed-length array (TypeBox's Tuple is draft-07's form, not 2020-12's).
    points: Type.Array(
      Type.Array(Type.Number(), { minItems: 3, maxItems: 3, description: "[at_ms, equity, drawdown]" }),
    ),
    capacity: Type.Integer({ minimum: 2, description: "the most points kept" }),
    spacing_ms: Type.Integer({ minimum: 1, description: "at most one point per this much wall time" }),
  },
  { additionalProperties: false, title: "Equity", description: "The equity series, oldest first" },
);
/** Everything `components.schemas` holds, by name. */
function components(slotCount: number): Record<string, TSchema> {
  return {
    Error: ErrorSchema,
    ControlError: ControlErrorSchema,
    Health: HealthSchema,
    StatusDocument: StatusDocumentSchema,
    SlotRecord: SlotRecordSchema,
    AccountRecord: AccountRecordSchema,
    TransitionRecord: TransitionRecordSchema,
    DiagnosticRecord: DiagnosticRecordSchema,
    KernelOutcome: KernelOutcomeSchema,
    RefusedOutcome: RefusedOutcomeSchema,
    StrategyIntent: StrategyIntentSchema,
    ControlSnapshot: ControlSnapshotSchema,
    ControlChange: controlChangeSchema(slotCount),
    FlattenRequest: FlattenRequestSchema,
    FlattenReport: FlattenReportSchema,
    FlattenEvent: FlattenEventSchema,
    FeedDiagnostic: FeedDiagnosticSchema,
    AccountEvent: AccountEventSchema,
    ResetEvent: ResetEventSchema,
    Equity: EquitySchema,
    FleetListing: FleetListingSchema,
  };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string, description: string) => ({
  description,
  content: { "application/json": { schema: ref(name) } },
});
const err = (description: string) => json("Error", description);
const text = (type: string, description: string) => ({
  description,
  content: { [type]: { schema: { type: "string" } } },
});

/** The answers every route may give besides its own (the guard's). */
const GUARDED = {
  "401": err("missing or wrong bearer token (a presented token is always checked)"),
  "403": err("on loopback, a Host header naming anything but a loopback address"),
};
const BODY = {
  "400": err("malformed JSON, a key named twice in one object, a wrong body, or a query string"),
  "413": err("body over 16 KiB"),
};
/** Every read of the API but /health (a probe may add a cache-buster) refuses a query string. */
const QUERY = { "400": err("a query string: no read takes parameters in its URL") };
const READ_SECURITY = [{}, { bearerAuth: [] }];
const WRITE_SECURITY = [{ bearerAuth: [] }];

function read(summary: string, ok: object, extra: Record<string, object> = {}) {
  return { get: { summary, security: READ_SECURITY, responses: { "200": ok, ...QUERY, ...GUARDED, ...extra } } };
}

function write(summary: string, body: string, required: boolean, ok: object, extra: Record<string, object>) {
  return {
    post: {
      summary,
      security: WRITE_SECURITY,
      requestBody: { required, content: { "application/json": { schema: ref(body) } } },
      responses: { "200": ok, ...GUARDED, ...BODY, ...extra },
    },
  };
}

const EVENTS_DESCRIPTION =
  "Server-Sent Events. Event names and their data (JSON): `transition` (TransitionRecord), `diagnostic` " +
  "(FeedDiagnostic), `account` (AccountRecord plus `at_ms`, coalesced per 20 ms flush), `control` " +
  "(ControlSnapshot, once per version), `flatten` (FlattenEvent: STARTED, then FINISHED with the report or FAILED with the error), " +
  "`reset` (reload state). Ids are `<epoch>-<seq>`; send `Last-Event-ID` to resume. A client with more " +
  "than 1 MiB unread is dropped.";

function events() {
  const byName = Object.fromEntries(Object.entries(EVENT_SCHEMAS).map(([event, schema]) => [event, ref(schema)]));
  return { ...text("text/event-stream", EVENTS_DESCRIPTION), "x-events": byName };
}

/** The console's files: public (no token), revalidated by ETag; the loopback Host check still applies. */
function consolePaths() {
  const file = (type: string, what: string) => ({
    get: {
      summary: what,
      security: [],
      responses: { "200": text(type, what), "304": { description: "not modified (ETag)" }, "403": GUARDED["403"] },
    },
  });
  return {
    "/": file("text/html", "the operator console's page"),
    "/console/app.js": file("text/javascript", "the console's script"),
    "/console/app.css": file("text/css", "the console's style"),
    "/console/favicon.svg": file("image/svg+xml", "the console's icon"),
  };
}

/** The routes that only read. */
function readPaths() {
  return {
    "/openapi.json": read("this document", {
      description: "OpenAPI 3.1",
      content: { "application/json": { schema: { type: "object" } } },
    }),
    "/health": {
      get: {
        summary: "whether serve can trade (never needs the token)",
        security: [],
        responses: {
          "200": json("Health", "able to trade"),
          "503": json("Health", "not able to trade, with reasons"),
          "403": GUARDED["403"],
        },
      },
    },
    "/status": read("the status document", json("StatusDocument", "everything, read live from its owner")),
    "/slots": read("every slot", {
      description: "slots in id order",
      content: { "application/json": { schema: { type: "array", items: ref("SlotRecord") } } },
    }),
    "/slots/{id}": {
      get: {
        summary: "one slot",
        security: READ_SECURITY,
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "integer", minimum: 0 } }],
        responses: {
          "200": json("SlotRecord", "the slot"),
          "400": err("id is not a non-negative integer, or a query string"),
          "404": err("no such slot: an integer past the last slot"),
          ...GUARDED,
        },
      },
    },
    "/metrics": read("Prometheus text exposition", text("text/plain", "counters and gauges")),
    "/events": read("the event stream", events(), {
      "503": err("too many event clients, or shutting down"),
    }),
    "/equity": read("the equity series behind the console's chart", json("Equity", "equity and drawdown over time")),
    "/fleet": read(
      "every kernel heartbeating into the cluster (as `dita-v2 fleet --json`)",
      json("FleetListing", "the kernels, each with its verdict"),
      {
        "404": err("this serve runs with the cluster off (DITA_V2_HAZELCAST=OFF): no fleet"),
        "503": err("the cluster could not be read"),
      },
    ),
  };
}

/** The routes that change something (and `GET /control`, which shares its path). */
function changePaths() {
  return {
    "/control": {
      ...read("the control snapshot", json("ControlSnapshot", "the current snapshot")),
      ...write(
        "change control keys",
        "ControlChange",
        true,
        json("ControlSnapshot", "applied: the new snapshot (version + 1)"),
        {
          "400": {
            description:
              "an unknown key, a bad value or a key fixed at start (ControlError); malformed JSON, a key named twice or an empty change (Error): nothing changed",
            content: { "application/json": { schema: { anyOf: [ref("ControlError"), ref("Error")] } } },
          },
        },
      ),
    },
    "/intents": write(
      "submit a strategy intent (ENTER, EXIT, CANCEL, MARK_PRICE)",
      "StrategyIntent",
      true,
      json("KernelOutcome", "accepted"),
      {
        "422": json(
          "RefusedOutcome",
          "refused at the edge (wrong source or shape, size off the step) or by the kernel",
        ),
        "429": json(
          "RefusedOutcome",
          "ENTER or EXIT refused for a rate: before the kernel, the venue adapter would not send an order now (RATE_LIMITED, an IP ban or a venue retry hint past the throttle's wait), or by the kernel's max_orders_per_minute (RISK_LIMIT, retryable); `Retry-After` in seconds",
        ),
        "503": err("shutting down: intake is closed"),
      },
    ),
    "/flatten": write(
      "HALT, cancel working orders, exit every position at market; answers per slot",
      "FlattenRequest",
      false,
      json("FlattenReport", "finished or its bound passed (`complete` says whether the venue is flat)"),
      {},
    ),
  };
}

export function openApiDocument(o: { slotCount: number; version: string }): Record<string, unknown> {
  const doc = {
    openapi: "3.1.0",
    info: {
      title: "DITAv2 HTTP API",
      version: o.version,
      description:
        "The execution kernel's HTTP API. On loopback, reads need no token and changes need `Authorization: Bearer <token>`; " +
        'beyond loopback every route but /health and the console\'s files needs it. Errors are `{"error": "..."}`.',
    },
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    paths: { ...consolePaths(), ...readPaths(), ...changePaths() },
    components: {
      schemas: components(o.slotCount),
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "the operator token" } },
    },
  };
  // TypeBox schemas carry symbol keys; the document is plain JSON.
  return JSON.parse(JSON.stringify(doc));
}

/** Routes (`GET /slots/:id` style) the document has no operation for. */
export function undocumentedRoutes(
  routes: ReadonlyArray<{ method: string; path: string }>,
  doc: Record<string, unknown>,
): string[] {
  const documented = doc.paths as Record<string, Record<string, unknown>>;
  return routes
    .filter((r) => r.method !== "ALL" && r.path !== "*" && r.path !== "/*")
    .filter((r) => documented[r.path.replace(/:(\w+)/g, "{$1}")]?.[r.method.toLowerCase()] === undefined)
    .map((r) => `${r.method} ${r.path}`);
}
