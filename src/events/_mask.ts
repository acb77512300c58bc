/**
 * Masking of what the event stream serves (serve.ts: nothing leaves the process unmasked). Only the
 * events whose data can carry venue or error text are masked — `diagnostic` (message, details: the
 * kernel's outcome of a venue event, the launcher's checks, the venue adapter, the projection) and
 * `flatten` (its report's details, its error); transitions, account and control hold ids, enums and
 * numbers. Their JSON text is masked once, when the event is framed (in the flush, never on the
 * kernel path) by the project's `maskSecrets` (registered secrets, URL passwords, signatures). A
 * diagnostic's message is masked as text first too, so a secret holding a character JSON escapes
 * (`"`, `\`) is still found there.
 *
 * Entry points: `maskedData`, `maskJson`.
 */

import { maskSecrets } from "../contracts/secrets.ts";

const MASKED_EVENTS = new Set(["diagnostic", "flatten"]);

/** The JSON masker for an event of this name, or null when its data carries no free text. */
export function maskJson(name: string): ((json: string) => string) | null {
  return MASKED_EVENTS.has(name) ? (json) => maskSecrets(json) : null;
}

/** The event's data with a diagnostic's message masked as text (the rest is masked in its JSON). */
export function maskedData(name: string, data: unknown): unknown {
  if (name !== "diagnostic" || typeof data !== "object" || data === null) return data;
  const message = (data as { message?: unknown }).message;
  return typeof message === "string" ? { ...data, message: maskSecrets(message) } : data;
}
