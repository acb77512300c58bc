/**
 * Keeps the store in step with the server: the whole state from `GET /status` and
 * `GET /equity` at start and after every `reset` event (past a fresh connection's first, the feed
 * notes the gap it leaves); then the event stream (transitions and diagnostics into the feed, the
 * account and control as they change; a reload keeps those that overtook its answer, by version)
 * with `GET /slots` fetched after changes (at most every 150 ms), and the status document again
 * at most once a second after changes and every 5 s regardless, for what has no event (projection
 * sinks, spool backlog, venue connectivity and request budget, journal, live reconciliation). A
 * flatten's STARTED and FINISHED events keep its progress and report current without polling; a
 * reloaded status ends a flatten shown running whose FINISHED never came (its report is there, or
 * its serve restarted).
 * A stored token the stream is refused with is dropped (rotated): the console reads on without it
 * where the server allows, and the token box asks for the current one.
 *
 * Entry points: `startSync()`, `tokenChanged()`.
 */

import { api, storedToken, storeToken } from "./_api.ts";
import { serverNowMs } from "./_clock.ts";
import { type ConsoleState, getState, note, pushEquity, pushFeed, update } from "./_store.ts";
import { openStream } from "./_stream.ts";
import type {
  AccountRecord,
  ControlSnapshot,
  EquityPoint,
  FeedDiagnostic,
  FlattenEvent,
  FlattenReport,
  FleetListing,
  SlotRecord,
  StatusDocument,
  TransitionRecord,
} from "./_types.ts";

const SLOTS_DEBOUNCE_MS = 150;
const STATUS_POLL_MS = 5000;
const STATUS_DEBOUNCE_MS = 1000;
let stream: ReturnType<typeof openStream> | null = null;
let slotsTimer: ReturnType<typeof setTimeout> | null = null;
let statusTimer: ReturnType<typeof setTimeout> | null = null;
let wasDown = false;
/** Events counted as they arrive, and the last account and control events with their count. */
const seen: { events: number; account: [number, AccountRecord] | null; control: [number, ControlSnapshot] | null } = {
  events: 0,
  account: null,
  control: null,
};

/**
 * What a load answered, unless an event that arrived after the load was asked (`since`) is newer
 * (a higher version: the same serve, a later change): the answer was on its way meanwhile.
 */
function fresher<T extends { version: number }>(loaded: T, event: [number, T] | null, since: number): T {
  if (event === null || event[0] <= since) return loaded;
  return loaded === null || event[1].version > loaded.version ? event[1] : loaded;
}

export async function loadAll(): Promise<void> {
  const since = seen.events;
  const [st, eq] = await Promise.all([api<StatusDocument>("/status"), api<{ points: EquityPoint[] }>("/equity")]);
  if (st.status === 401) {
    update({ link: { ...getState().link, state: "auth" }, authMessage: st.error });
    return;
  }
  if (st.error !== null) {
    update({ loadError: st.error });
    return;
  }
  const s = st.body;
  update({
    status: s,
    slots: s.slots,
    account: fresher(s.account, seen.account, since),
    control: fresher(s.control, seen.control, since),
    equity: eq.error === null ? eq.body.points : [],
    loadError: null,
    flattenReport: newerReport(s.flatten),
    flattenRunning: stillRunning(s),
  });
  // Transitions that overtook the answer may have changed slots it holds older: read them again.
  if (seen.events > since) refreshSlotsSoon();
  void refreshVenueCalls(s);
  void refreshFleet(s);
  document.body.dataset.ready = "1";
  performance.mark("console-ready");
}

async function refreshStatus(): Promise<void> {
  const st = await api<StatusDocument>("/status");
  // The status shown stops updating: the banner says so (what is shown may be stale) until a read succeeds.
  if (st.error !== null) {
    update({ loadError: st.error });
    return;
  }
  // A control event may have overtaken this answer: keep the newer snapshot.
  const current = getState().control;
  const control = current !== null && current.version > st.body.control.version ? current : st.body.control;
  update({
    status: st.body,
    loadError: null,
    control,
    flattenReport: newerReport(st.body.flatten),
    flattenRunning: stillRunning(st.body),
  });
  void refreshVenueCalls(st.body);
  void refreshFleet(st.body);
}

/**
 * The fleet listing with the status, read only when the status says this serve is in a fleet (no
 * request bound to fail otherwise); a 503 (cluster unreadable) keeps the server's reason.
 */
async function refreshFleet(s: StatusDocument): Promise<void> {
  if (s.fleet === undefined || "enabled" in s.fleet) {
    update({ fleet: { listing: null, error: `no fleet: ${s.fleet?.why ?? "this serve reports none"}` } });
    return;
  }
  const f = await api<FleetListing>("/fleet");
  update({ fleet: f.error === null ? { listing: f.body, error: null } : { listing: null, error: f.error } });
}

/** The later of the report the console holds and `r` (a status document may be older than an event). */
function newerReport(r: FlattenReport | null): FlattenReport | null {
  const held = getState().flattenReport;
  return held !== null && (r === null || held.finished_at_ms > r.finished_at_ms) ? held : r;
}

/**
 * The flatten shown running, unless the status says it is over: its report is there (its FINISHED
 * event may never arrive: the console fell behind the ring), or the serve that ran it is gone (a
 * later start). Both times are the server's clock.
 */
function stillRunning(s: StatusDocument): ConsoleState["flattenRunning"] {
  const r = getState().flattenRunning;
  if (r === null || s.started_at_ms > r.started_at_ms) return null;
  return s.flatten !== null && s.flatten.started_at_ms >= r.started_at_ms ? null : r;
}

/**
 * Without the adapter's own throttle view in the status, the request budget is read from
 * /metrics: venue calls made and RATE_LIMITED refusals seen.
 */
async function refreshVenueCalls(s: StatusDocument): Promise<void> {
  if (s.venue.throttle !== null && s.venue.throttle !== undefined) return;
  const m = await api<string>("/metrics", { text: true });
  if (m.error !== null) return;
  const sum = (re: RegExp) => [...m.body.matchAll(re)].reduce((n, x) => n + Number(x[1]), 0);
  update({
    venueCalls: {
      calls: sum(/^dita_v2_venue_latency_ms_count\{[^}]*\} (\d+)$/gm),
      rate_limited: sum(/^dita_v2_diagnostics_total\{code="RATE_LIMITED"\} (\d+)$/gm),
    },
  });
}

function onFlatten(e: FlattenEvent): void {
  if (e.phase === "STARTED") {
    update({ flattenRunning: { started_at_ms: e.started_at_ms, slots_not_flat: e.slots_not_flat } });
    note(`flatten started: ${e.slots_not_flat.length} slots not flat; trading HALTED`, serverNowMs());
    return;
  }
  if (e.phase === "FAILED") {
    update({ flattenRunning: null });
    note(`flatten FAILED: ${e.error}; trading stays HALTED`, serverNowMs());
    return;
  }
  const r = e.report;
  const open = r.slots.filter((x) => x.result === "STILL_OPEN").length;
  update({ flattenRunning: null, flattenReport: r });
  note(`flatten ${r.complete ? "complete: the venue is flat" : `INCOMPLETE: ${open} slots still open`}`, serverNowMs());
  refreshSlotsSoon();
}

function refreshSlotsSoon(): void {
  if (statusTimer === null) {
    statusTimer = setTimeout(() => {
      statusTimer = null;
      void refreshStatus();
    }, STATUS_DEBOUNCE_MS);
  }
  if (slotsTimer !== null) return;
  slotsTimer = setTimeout(async () => {
    slotsTimer = null;
    const r = await api<SlotRecord[]>("/slots");
    if (r.error === null) update({ slots: r.body });
  }, SLOTS_DEBOUNCE_MS);
}

function onEvent(name: string, data: unknown, id: string): void {
  seen.events++;
  switch (name) {
    case "reset": {
      // Past a fresh connection's first one, a reset means events never reached this console.
      const reason = (data as { reason?: unknown } | null)?.reason;
      if (reason !== "start")
        note(`live feed gap (events did not reach this console): ${String(reason)}; state reloaded`, serverNowMs());
      void loadAll();
      break;
    }
    case "transition": {
      const t = data as TransitionRecord;
      pushFeed({ kind: "transition", id, t });
      refreshSlotsSoon();
      break;
    }
    case "diagnostic": {
      const d = data as FeedDiagnostic;
      pushFeed({ kind: "diagnostic", id, d });
      if (d.slot_id !== null) refreshSlotsSoon();
      break;
    }
    case "account": {
      const a = data as AccountRecord & { at_ms: number };
      seen.account = [seen.events, a];
      update({ account: a });
      pushEquity([a.at_ms, a.equity, a.drawdown]);
      refreshSlotsSoon();
      break;
    }
    case "control":
      seen.control = [seen.events, data as ControlSnapshot];
      update({ control: data as ControlSnapshot });
      break;
    case "flatten":
      onFlatten(data as FlattenEvent);
      break;
  }
}

function connect(): void {
  stream = openStream({
    event: onEvent,
    live: () => {
      const reconnected = wasDown;
      wasDown = false;
      update({
        link: { state: "live", attempt: 0, reason: "", reconnectedAt: reconnected ? serverNowMs() : null },
        authMessage: null,
      });
      if (reconnected) note("reconnected to serve", serverNowMs());
    },
    down: (attempt, reason) => {
      if (!wasDown) note(`lost the connection to serve: ${reason}`, serverNowMs());
      wasDown = true;
      update({ link: { state: "down", attempt, reason, reconnectedAt: null } });
    },
    unauthorized: (message) => {
      if (storedToken() !== null) {
        // The token this tab kept is refused (rotated on a restart): drop it, read on without it.
        storeToken(null);
        update({ hasToken: false });
        note(`the stored operator token was refused (${message}); enter the current one`, serverNowMs());
        stream?.restart();
        return;
      }
      update({ link: { ...getState().link, state: "auth" }, authMessage: message });
    },
  });
}

export function startSync(): void {
  update({ hasToken: storedToken() !== null });
  connect();
  setInterval(() => {
    if (getState().link.state === "live") void refreshStatus();
  }, STATUS_POLL_MS);
}

/** After the operator entered or forgot the token: reconnect with it and load everything again. */
export function tokenChanged(): void {
  update({ hasToken: storedToken() !== null });
  stream?.restart();
}
