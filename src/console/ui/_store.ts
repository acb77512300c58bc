/**
 * The console's state: one object replaced on every change, and the listeners that re-render.
 * Everything in it comes from the server (the status document, slots, account, equity series,
 * control snapshot, the live feed); the console computes nothing that the kernel owns.
 *
 * Invariants: the feed holds at most FEED_MAX items, newest first; the equity series at most
 * EQUITY_MAX points, in time order, at most one per EQUITY_SPACING_MS (as serve's).
 */

import type {
  AccountRecord,
  ControlSnapshot,
  EquityPoint,
  FeedItem,
  FlattenReport,
  FleetView,
  SlotRecord,
  StatusDocument,
  VenueCalls,
} from "./_types.ts";

export const FEED_MAX = 300;
export const EQUITY_MAX = 2000;
/** serve's equity series keeps one point per this many ms (`GET /equity` spacing_ms). */
export const EQUITY_SPACING_MS = 1000;

export type LinkState = "connecting" | "live" | "down" | "auth";

export interface ConsoleState {
  status: StatusDocument | null;
  slots: SlotRecord[];
  account: AccountRecord | null;
  control: ControlSnapshot | null;
  equity: EquityPoint[];
  feed: FeedItem[];
  link: { state: LinkState; attempt: number; reason: string; reconnectedAt: number | null };
  authMessage: string | null;
  hasToken: boolean;
  loadError: string | null;
  /** A flatten under way (from its STARTED event), null otherwise. */
  flattenRunning: { started_at_ms: number; slots_not_flat: number[] } | null;
  /** The last flatten's report (its FINISHED event, the answer, or the status document). */
  flattenReport: FlattenReport | null;
  /** Venue calls and rate-limit refusals from /metrics, when the status has no throttle view. */
  venueCalls: VenueCalls | null;
  /** The desk's kernels from `GET /fleet` (null until first read). */
  fleet: FleetView | null;
}

let state: ConsoleState = {
  status: null,
  slots: [],
  account: null,
  control: null,
  equity: [],
  feed: [],
  link: { state: "connecting", attempt: 0, reason: "", reconnectedAt: null },
  authMessage: null,
  hasToken: false,
  loadError: null,
  flattenRunning: null,
  flattenReport: null,
  venueCalls: null,
  fleet: null,
};
const listeners = new Set<() => void>();
let noteSeq = 0;

export function getState(): ConsoleState {
  return state;
}

export function update(patch: Partial<ConsoleState>): void {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function pushFeed(item: FeedItem): void {
  update({ feed: [item, ...state.feed].slice(0, FEED_MAX) });
}

export function note(text: string, atMs: number): void {
  pushFeed({ kind: "note", id: `note-${++noteSeq}`, text, at_ms: atMs });
}

/**
 * A live account's point, kept as serve's series keeps it (`GET /equity`): one point per
 * EQUITY_SPACING_MS (a newer value in the same interval replaces the last point), and a point
 * stamped before the last (serve's clock set back) replaces that point's values at its time.
 */
export function pushEquity(p: EquityPoint): void {
  const last = state.equity[state.equity.length - 1];
  const at = last !== undefined && p[0] < last[0] ? last[0] : p[0];
  const point: EquityPoint = [at, p[1], p[2]];
  const same = last !== undefined && Math.floor(last[0] / EQUITY_SPACING_MS) === Math.floor(at / EQUITY_SPACING_MS);
  const next = same ? [...state.equity.slice(0, -1), point] : [...state.equity, point];
  update({ equity: next.slice(-EQUITY_MAX) });
}
