/**
 * Typed errors of the BingX REST client. Every failure is classified into what the caller must
 * do next:
 * - `RATE_LIMIT`: HTTP 429 / 418 or code 109429 (BingX's rate-limit code since 2025-10-16; 100410
 *   before, still accepted); retry later (`retry_after_ms` when the venue hinted);
 * - `UNKNOWN`: the request may or may not have executed (timeout, dropped connection, HTTP 5xx,
 *   504, codes 100500 / 101500 / 80019 / 80012): resolve by query, never by resubmitting blindly. 80012
 *   ("service unavailable", also "network failed", "the current system is busy") is the venue not
 *   knowing itself (the reference's table: "maybe"); read as a refusal, an order it had placed was
 *   left at the venue unmanaged, its slot back to IDLE;
 * - `TIME_SYNC`: 100421, the clock offset must be refreshed (the request was refused unexecuted);
 * - `REJECT`: the venue refused it with a code; retrying unchanged will not help;
 * - `MALFORMED`: the answer could not be read (not JSON, no envelope); outcome unknown as well.
 *
 * Messages name the method, path, HTTP status and venue code/message: never the query string,
 * headers, API key or secret (`redact` runs over venue text as a second guard).
 */

import { maskSecrets } from "../../contracts/secrets.ts";

export type VenueErrorKind = "RATE_LIMIT" | "UNKNOWN" | "TIME_SYNC" | "REJECT" | "MALFORMED";

export const UNKNOWN_OUTCOME_CODES: ReadonlySet<number> = new Set([100500, 101500, 80019, 80012]);
export const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([109429, 100410]);
export const TIME_SYNC_CODE = 100421;
/** "Order does not exist": 109421 since BingX renamed its order codes, 80016 before (both read alike). */
const ORDER_ABSENT_CODES: ReadonlySet<number> = new Set([109421, 80016]);

export class VenueRequestError extends Error {
  constructor(
    readonly kind: VenueErrorKind,
    message: string,
    readonly code?: number,
    readonly http_status?: number,
    readonly retry_after_ms?: number,
  ) {
    super(message);
    this.name = "VenueRequestError";
  }

  /** The venue contract's mark of a rate-limit refusal (src/contracts/venue.ts `rateLimited`). */
  get rate_limited(): boolean {
    return this.kind === "RATE_LIMIT";
  }

  /** The venue answered that it has no such order (`ORDER_ABSENT_CODES`). */
  get orderAbsent(): boolean {
    return this.code !== undefined && ORDER_ABSENT_CODES.has(this.code);
  }

  /** True when the venue definitely did not execute the request. */
  get refused(): boolean {
    return this.kind === "REJECT" || this.kind === "RATE_LIMIT" || this.kind === "TIME_SYNC";
  }
}

export function classifyCode(code: number): VenueErrorKind {
  if (RATE_LIMIT_CODES.has(code)) return "RATE_LIMIT";
  if (UNKNOWN_OUTCOME_CODES.has(code)) return "UNKNOWN";
  if (code === TIME_SYNC_CODE) return "TIME_SYNC";
  return "REJECT";
}

/** Replaces every occurrence of each secret (length ≥ 4) with `***`: the process-wide `maskSecrets`. */
export function redact(text: string, secrets: readonly string[]): string {
  return maskSecrets(text, secrets);
}
