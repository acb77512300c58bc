/** Public surface of the event stream: the hub the runtime feeds and `GET /events` reads. */
export type { EquityPoint } from "./equity.ts";
export {
  type DiagnosticSource,
  EventHub,
  type EventHubOptions,
  type FeedDiagnostic,
  type OpenResult,
  type RuntimeEvents,
} from "./hub.ts";
