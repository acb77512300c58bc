/**
 * Where the BingX adapter's output goes: event, diagnostic and pushed-leverage listeners, with every
 * diagnostic message and every thrown error scrubbed of the API key and secret (`redact`). An event
 * or leverage listener that throws does not stop delivery to the others; its error is re-raised
 * asynchronously.
 *
 * Entry points: `Outlets` (`emit`, `diag`, `leverage`, `clean`, `guard`, `whole`, `onEvent`,
 * `onDiagnostic`, `onLeverage`).
 */

import type {
  VenueDiagnostic,
  VenueDiagnosticListener,
  VenueEvent,
  VenueEventListener,
  VenueLeverage,
  VenueLeverageListener,
  VenuePositionListener,
  VenuePositionPush,
} from "../../contracts/venue.ts";
import { redact, VenueRequestError } from "./errors.ts";

export class Outlets {
  private readonly events = new Set<VenueEventListener>();
  private readonly diagnostics = new Set<VenueDiagnosticListener>();
  private readonly leverages = new Set<VenueLeverageListener>();
  private readonly positionPushes = new Set<VenuePositionListener>();

  constructor(private readonly secrets: readonly string[]) {}

  onEvent(listener: VenueEventListener): () => void {
    this.events.add(listener);
    return () => this.events.delete(listener);
  }

  onDiagnostic(listener: VenueDiagnosticListener): () => void {
    this.diagnostics.add(listener);
    return () => this.diagnostics.delete(listener);
  }

  onLeverage(listener: VenueLeverageListener): () => void {
    this.leverages.add(listener);
    return () => this.leverages.delete(listener);
  }

  onPositions(listener: VenuePositionListener): () => void {
    this.positionPushes.add(listener);
    return () => this.positionPushes.delete(listener);
  }

  /** Positions the stream pushed (ACCOUNT_UPDATE), to each listener. */
  positions(pushed: readonly VenuePositionPush[]): void {
    for (const l of [...this.positionPushes]) deliver(() => l(pushed.map((p) => ({ ...p }))));
  }

  emit(e: VenueEvent): void {
    for (const l of [...this.events]) deliver(() => l({ ...e }));
  }

  /** A leverage the stream pushed (ACCOUNT_CONFIG_UPDATE), to each listener. */
  leverage(pushed: VenueLeverage): void {
    for (const l of [...this.leverages]) deliver(() => l({ ...pushed }));
  }

  diag(d: VenueDiagnostic): void {
    const safe: VenueDiagnostic = { ...d, message: this.clean(d.message) };
    for (const l of [...this.diagnostics]) l(safe);
  }

  clean(text: string): string {
    return redact(text, this.secrets);
  }

  /**
   * A truth read's list (positions, open orders), or why it is not one whole: then a
   * MALFORMED_PAYLOAD diagnostic and a MALFORMED failure, never an empty or partial book.
   */
  whole<T>(read: T[] | string): T[] {
    if (typeof read !== "string") return read;
    this.diag({ code: "MALFORMED_PAYLOAD", message: `${read}: the read fails (never an empty or partial book)` });
    throw new VenueRequestError("MALFORMED", read);
  }

  /** Runs `fn`, re-throwing any error with secrets scrubbed from its message. */
  async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof VenueRequestError) {
        throw new VenueRequestError(err.kind, this.clean(err.message), err.code, err.http_status, err.retry_after_ms);
      }
      throw new Error(this.clean(err instanceof Error ? err.message : String(err)));
    }
  }
}

/** Runs one listener; one that throws is re-raised asynchronously, so the others still hear. */
function deliver(call: () => void): void {
  try {
    call();
  } catch (err) {
    queueMicrotask(() => {
      throw err;
    });
  }
}
