/**
 * One line of the console's diagnostics feed (`event: diagnostic` on `GET /events`), whatever
 * raised it: the kernel (an input's outcome), the launcher (serve's own checks: an edge refusal,
 * a reconciliation finding), the venue adapter or the projection.
 */

import type { Severity } from "../contracts/records.ts";

export type DiagnosticSource = "kernel" | "launcher" | "venue" | "projection";

export interface FeedDiagnostic {
  source: DiagnosticSource;
  code: string;
  severity: Severity;
  slot_id: number | null;
  message: string;
  details: Record<string, unknown>;
  now_ms: number;
}
