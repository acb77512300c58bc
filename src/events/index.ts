/** Public surface of the event stream: the hub the runtime feeds and `GET /events` reads. */
export type { EquityPoint } from "./equity.ts";
export type { DiagnosticSource, FeedDiagnostic } from "./feed.ts";
export { EventHub, type EventHubOptions, type OpenResult, type RuntimeEvents } from "./hub.ts";
