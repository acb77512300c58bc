/**
 * The fleet on the wire (src/fleet/README.md): `GET /fleet` (the same listing as
 * `dita-v2 fleet --json`) and the `fleet` part of serve's status document (its own heartbeat and
 * account lease), as JSON schemas (TypeBox). src/fleet pins its types equal to these at compile
 * time, so what serve answers, its type and what `GET /openapi.json` publishes cannot drift.
 *
 * Entry points: `FleetListingSchema`, `FleetStatusPartSchema`, `LeaseHolderSchema`.
 */

import { Type } from "@sinclair/typebox";
import { literals } from "./record_schemas.ts";

const strict = { additionalProperties: false } as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Count = Type.Integer({ minimum: 0 });
const Ms = Type.Integer({ minimum: 0, description: "milliseconds since the epoch" });

export const LeaseStateSchema = literals(["held", "pending", "lost", "off"] as const, { title: "LeaseState" });

export const LeaseHolderSchema = Type.Object(
  {
    namespace: Type.String(),
    host: Type.String(),
    pid: Count,
    run: Type.String(),
    epoch: Type.Integer({ description: "the holder's projection epoch (ms): its map writes carry the same" }),
    venue: Type.String(),
    acquired_at_ms: Ms,
  },
  { ...strict, title: "LeaseHolder", description: "The kernel holding an account lease" },
);

export const FleetEntrySchema = Type.Object(
  {
    namespace: Type.String(),
    host: Type.String(),
    pid: Count,
    version: Type.String(),
    run: Type.String({ description: "the kernel lifetime's id" }),
    health: Type.Object({ ok: Type.Boolean(), reasons: Type.Array(Type.String()) }, strict),
    trading_state: Type.String(),
    slots_in_use: Count,
    slot_count: Count,
    last_input_ms: Nullable(Type.Integer({ description: "the last kernel input other than the TICK" })),
    projection_backlog: Count,
    started_at_ms: Ms,
    heartbeat_at_ms: Ms,
    heartbeat_ms: Count,
    ttl_ms: Count,
    venue: Type.String(),
    account: Nullable(Type.String({ description: "first 16 hex digits of the lease key (a hash)" })),
    lease: LeaseStateSchema,
    identity: Type.Object(
      {
        http_url: Type.String(),
        state_dir: Type.String(),
        zinc_prefix: Nullable(Type.String()),
        clickhouse_database: Nullable(Type.String()),
        hazelcast_cluster: Type.String(),
      },
      { ...strict, description: "what two kernels must never share" },
    ),
    ip_share: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 64,
        description: "BINGX kernels: DITA_V2_BINGX_IP_SHARE, the BingX clients sharing this host's IP (absent: 1)",
      }),
    ),
  },
  { ...strict, title: "FleetEntry", description: "What one kernel says about itself in DITA_V2_FLEET" },
);

export const FleetKernelSchema = Type.Composite(
  [
    FleetEntrySchema,
    Type.Object({
      state: literals(["ok", "stale", "unhealthy"] as const),
      age_ms: Type.Integer({ description: "since its last heartbeat, by the reader's clock" }),
      why: Type.String({ description: "empty when ok" }),
    }),
  ],
  { ...strict, title: "FleetKernel" },
);

export const FleetListingSchema = Type.Object(
  {
    now_ms: Ms,
    kernels: Type.Array(FleetKernelSchema, { description: "sorted by namespace" }),
    malformed: Type.Array(Type.String(), { description: "entries that did not parse, one line each" }),
  },
  { ...strict, title: "FleetListing", description: "Every kernel heartbeating into the cluster" },
);

export const FleetStatusSchema = Type.Object(
  {
    namespace: Type.String(),
    ttl_ms: Count,
    heartbeat_ms: Count,
    heartbeats_ok: Count,
    heartbeats_failed: Count,
    last_ok_ms: Nullable(Ms),
    last_error: Nullable(Type.String()),
    lease: Type.Object(
      { state: LeaseStateSchema, account: Nullable(Type.String()), holder: Nullable(LeaseHolderSchema) },
      strict,
    ),
  },
  { ...strict, title: "FleetStatus", description: "This kernel's heartbeats and account lease" },
);

/** The status document's `fleet` (serve only): the agent's status, or why there is none. */
export const FleetStatusPartSchema = Type.Union(
  [FleetStatusSchema, Type.Object({ enabled: Type.Literal(false), why: Type.String() }, strict)],
  { title: "FleetStatusPart" },
);
