/**
 * Keeps the store in step with the server: the whole state from `GET /status` and
 * `GET /equity` at start and after every `reset` event; then the event stream (transitions and
 * diagnostics into the feed, the account and control as they change) with `GET /slots` fetched
 * after changes (at most every 150 ms), and the status document again at most once a second after
 * changes and every 5 s regardless, for what has no event (projection sinks, spool backlog, venue
 * connectivity, journal).
 *
 * Entry points: `startSync()`, `tokenChanged()`.
 */

import { api, storedToken } from "./_api.ts";
import { browserNowMs } from "./_clock.ts";
import { getState, note, pushEquity, pushFeed, update } from "./_store.ts";
import { openStream } from "./_stream.ts";
import type {
  AccountRecord,
  ControlSnapshot,
  EquityPoint,
  FeedDiagnostic,
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

export async function loadAll(): Promise<void> {
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
    account: s.account,
    control: s.control,
    equity: eq.error === null ? eq.body.points : [],
    loadError: null,
  });
  document.body.dataset.ready = "1";
  performance.mark("console-ready");
}

async function refreshStatus(): Promise<void> {
  const st = await api<StatusDocument>("/status");
  if (st.error !== null) return;
  // A control event may have overtaken this answer: keep the newer snapshot.
  const current = getState().control;
  const control = current !== null && current.version > st.body.control.version ? current : st.body.control;
  update({ status: st.body, control });
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
  switch (name) {
    case "reset":
      void loadAll();
      break;
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
      update({ account: a });
      pushEquity([a.at_ms, a.equity, a.drawdown]);
      refreshSlotsSoon();
      break;
    }
    case "control":
      update({ control: data as ControlSnapshot });
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
        link: { state: "live", attempt: 0, reason: "", reconnectedAt: reconnected ? browserNowMs() : null },
        authMessage: null,
      });
      if (reconnected) note("reconnected to serve", browserNowMs());
    },
    down: (attempt, reason) => {
      if (!wasDown) note(`lost the connection to serve: ${reason}`, browserNowMs());
      wasDown = true;
      update({ link: { state: "down", attempt, reason, reconnectedAt: null } });
    },
    unauthorized: (message) => update({ link: { ...getState().link, state: "auth" }, authMessage: message }),
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
