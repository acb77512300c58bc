/**
 * The console's changes to the server, each run only from a confirmation: a control key through
 * `POST /control`, and flatten through `POST /flatten`. A refusal comes back as the text the
 * dialog shows; an applied change updates the store at once (the event stream confirms it; a newer
 * snapshot it already brought is kept). A flatten the server failed (5xx) is no longer shown
 * running: no FINISHED event follows it.
 */

import { api } from "./_api.ts";
import { serverNowMs } from "./_clock.ts";
import { getState, note, update } from "./_store.ts";
import type { ControlSnapshot, FlattenReport } from "./_types.ts";

/** The console waits this long for the venue to confirm a flatten (the server's default). */
export const FLATTEN_TIMEOUT_MS = 30_000;

function refusal(status: number, error: string): string {
  return status === 401 ? `Refused by the server: ${error}` : `Not applied: ${error}`;
}

export async function sendControl(key: string, from: string, to: unknown): Promise<string | null> {
  const r = await api<ControlSnapshot>("/control", { body: { [key]: to } });
  if (r.error !== null) return refusal(r.status, r.error);
  // The event stream may have brought a newer snapshot while the answer was on its way: keep it.
  const shown = getState().control;
  if (shown === null || shown.version < r.body.version) update({ control: r.body });
  note(`control ${key}: ${from} → ${String(to)} (version ${r.body.version})`, serverNowMs());
  return null;
}

export async function sendFlatten(): Promise<string | null> {
  const r = await api<FlattenReport>("/flatten", { body: { timeout_ms: FLATTEN_TIMEOUT_MS } });
  // A 5xx: the flatten this request ran or joined failed; no FINISHED event will come for it.
  if (r.status >= 500) update({ flattenRunning: null });
  if (r.error !== null) return refusal(r.status, r.error);
  update({ flattenReport: r.body, flattenRunning: null });
  return null;
}
