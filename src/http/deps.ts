/**
 * What the HTTP layer needs from the runtime. The runtime implements it; tests may too. Keeping
 * this narrow keeps the hono app free of launcher details.
 */

import type { ControlSnapshot } from "../contracts/control.ts";
import type { FlattenReport, FlattenRequest } from "../contracts/flatten.ts";
import type { InputRefusal } from "../contracts/intent_parse.ts";
import type { StrategyIntent } from "../contracts/intents.ts";
import type { KernelOutcome, SlotRecord } from "../contracts/records.ts";
import type { StatusDocument } from "../contracts/status_schema.ts";

export interface HttpDeps {
  health(): { ok: boolean; reasons: string[] };
  status(): StatusDocument;
  slotCount(): number;
  slot(id: number): SlotRecord;
  slots(): SlotRecord[];
  metrics(): string;
  /** Applies a strategy intent parsed from the body; throws `IntakeClosedError` while shutting down. */
  submitIntent(intent: StrategyIntent): KernelOutcome;
  /** Reports a body the edge refused (wrong source or shape) and returns the outcome to answer with. */
  refuseIntent(refusal: InputRefusal): KernelOutcome;
  /** Applies a control change; throws ControlError for a bad key or value. */
  control(change: Record<string, unknown>): ControlSnapshot;
  controlSnapshot(): ControlSnapshot;
  /** Flattens everything (HALTED first) and answers per slot once the venue confirmed, or at the bound. */
  flatten(request: FlattenRequest): Promise<FlattenReport>;
  operatorToken(): string;
  countRequest?(route: string, status: number): void;
  /** A line in serve's log: why a route answered 500 (the client gets one line, the log the cause). */
  log?(line: string): void;
  /** `GET /fleet`: every kernel heartbeating into the cluster (src/fleet); absent (cluster off): 404. */
  fleet?(): Promise<unknown>;
  /** `GET /events` and `GET /equity`; absent: both answer 404. */
  events?: EventStreams;
}

/** The event stream the runtime offers (src/events implements it). */
export interface EventStreams {
  open(lastEventId: string | null): { ok: true; stream: ReadableStream<Uint8Array> } | { ok: false; error: string };
  equity(): unknown;
}

/** A file of the console, served without a token (it holds no state) and revalidated by ETag. */
export interface StaticAsset {
  path: string;
  contentType: string;
  body: string;
}

export class IntakeClosedError extends Error {
  override name = "IntakeClosedError";
}
