/**
 * The live feed: transitions and diagnostics as the event stream delivers them, newest first,
 * with a filter by least severity (transitions and the console's own notes count as INFO).
 */

import { useState } from "preact/hooks";
import { clockTime } from "./_format.ts";
import { html } from "./_html.ts";
import type { FeedItem, Severity } from "./_types.ts";

const LEVELS: ReadonlyArray<Severity> = ["INFO", "WARNING", "ERROR", "CRITICAL"];

function severityOf(item: FeedItem): Severity {
  return item.kind === "diagnostic" ? item.d.severity : "INFO";
}

function line(item: FeedItem) {
  switch (item.kind) {
    case "transition": {
      const t = item.t;
      return html`<li key=${item.id} class="feed-item sev-INFO" data-kind="transition">
        <time>${clockTime(t.now_ms)}</time><span class="tag">transition</span>
        <span>slot ${t.slot_id}: ${t.from} → ${t.to} <small>(${t.trigger})</small></span>
      </li>`;
    }
    case "diagnostic": {
      const d = item.d;
      return html`<li key=${item.id} class=${`feed-item sev-${d.severity}`} data-kind="diagnostic" data-code=${d.code}>
        <time>${clockTime(d.now_ms)}</time><span class="tag">${d.severity}</span>
        <span><b>${d.code}</b>${d.slot_id === null ? "" : ` slot ${d.slot_id}`} <small>${d.source}</small> ${d.message}</span>
      </li>`;
    }
    case "note":
      return html`<li key=${item.id} class="feed-item sev-INFO note" data-kind="note">
        <time>${clockTime(item.at_ms)}</time><span class="tag">console</span><span>${item.text}</span>
      </li>`;
  }
}

export function Feed({ feed }: { feed: FeedItem[] }) {
  const [least, setLeast] = useState<Severity>("INFO");
  const floor = LEVELS.indexOf(least);
  const shown = feed.filter((i) => LEVELS.indexOf(severityOf(i)) >= floor);
  return html`<section class="panel feed">
    <h2>
      Live feed <small>${shown.length} of ${feed.length}</small>
      <label class="filter">
        severity ≥
        <select id="severity-filter" value=${least} onChange=${(e: Event) => setLeast((e.target as HTMLSelectElement).value as Severity)}>
          ${LEVELS.map((l) => html`<option value=${l}>${l}</option>`)}
        </select>
      </label>
    </h2>
    <ol id="feed">${shown.length ? shown.map(line) : html`<li class="muted">nothing yet</li>`}</ol>
  </section>`;
}
