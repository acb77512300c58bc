/**
 * The console's ages ("3 s", "last pass 2 s ago", heartbeat ages) are counted on serve's clock,
 * not the browser's: an operator whose laptop clock is off must not see a trade an hour old or a
 * kernel stale. Serve's time comes with every answer (its `Date` header); the console keeps the
 * offset between it and the browser's clock.
 *
 * The whole page (`App`) is rendered by preact into a minimal stand-in DOM, fed by the sync loop
 * against a stand-in serve whose clock is an hour behind the browser's.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { getState, update } from "../../src/console/ui/_store.ts";
import { SyncHarness, until } from "../_support/console_sync_harness.ts";
import { uiModule } from "../_support/console_vnode.ts";
import { controlSnapshot } from "../_support/control.ts";

/** Serve's clock: half a second into a second, so any estimate within its `Date` second rounds alike. */
const SERVER_NOW = 1_700_000_000_500;
const BROWSER_AHEAD_MS = 3_600_000;

class Node {
  parentNode: Node | null = null;
  childNodes: Node[] = [];
  attributes: Array<{ name: string; value: string }> = [];
  style = { setProperty() {} };
  constructor(
    readonly nodeType: number,
    readonly localName: string | undefined,
    public data = "",
    readonly ownerDocument: unknown = doc,
  ) {}
  get firstChild(): Node | null {
    return this.childNodes[0] ?? null;
  }
  get nextSibling(): Node | null {
    const siblings = this.parentNode?.childNodes ?? [];
    return siblings[siblings.indexOf(this) + 1] ?? null;
  }
  insertBefore(n: Node, ref: Node | null): Node {
    n.remove();
    n.parentNode = this;
    const at = ref === null ? -1 : this.childNodes.indexOf(ref);
    if (at < 0) this.childNodes.push(n);
    else this.childNodes.splice(at, 0, n);
    return n;
  }
  appendChild(n: Node): Node {
    return this.insertBefore(n, null);
  }
  removeChild(n: Node): Node {
    n.remove();
    return n;
  }
  remove(): void {
    if (this.parentNode === null) return;
    this.parentNode.childNodes.splice(this.parentNode.childNodes.indexOf(this), 1);
    this.parentNode = null;
  }
  setAttribute(name: string, value: unknown): void {
    this.removeAttribute(name);
    this.attributes.push({ name, value: String(value) });
  }
  removeAttribute(name: string): void {
    this.attributes = this.attributes.filter((a) => a.name !== name);
  }
  getAttribute(name: string): string | null {
    return this.attributes.find((a) => a.name === name)?.value ?? null;
  }
  addEventListener(): void {}
  removeEventListener(): void {}
  get text(): string {
    return this.nodeType === 3 ? this.data : this.childNodes.map((c) => c.text).join(" ");
  }
  find(pred: (n: Node) => boolean): Node[] {
    const here = pred(this) ? [this] : [];
    return [...here, ...this.childNodes.flatMap((c) => c.find(pred))];
  }
}

const doc = {
  createElementNS: (_ns: string, name: string) => new Node(1, name),
  createTextNode: (data: string) => new Node(3, undefined, String(data)),
};

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

function status() {
  const slot = {
    slot_id: 0,
    stage: "POSITION_OPEN",
    trade_id: "t-0",
    asset: "BTC-USDT",
    side: "LONG",
    entry_price: 65_000,
    size: 0.01,
    leverage: 1,
    is_open: true,
    leg: 0,
    realized_pnl: 0,
    unrealized_pnl: 0,
    mark_price: 65_000,
    fees: 0,
    exit_reason: null,
    stale_reason: null,
    entry_order: null,
    exit_order: null,
    version: 3,
    updated_at_ms: SERVER_NOW - 3_000,
  };
  return {
    version: "0.1.0",
    strategy: "pink",
    run: "r1",
    started_at_ms: SERVER_NOW - 60_000,
    control: controlSnapshot({ version: 1, active_slot_limit: 1, updated_at_ms: SERVER_NOW - 60_000 }),
    kernel: { slot_count: 1, faulted: false },
    slots: [slot],
    account: null,
    state_hash: "0123456789abcdef",
    venue: { name: "MOCK", connected: true, inflight: 0, throttle: null },
    projection: { strategy: "pink", degraded: false, backlog_records: 0, sinks: [] },
    journal: null,
    reconciliation: {
      interval_ms: 10_000,
      passes: 4,
      mismatches_total: 0,
      last_pass_at_ms: SERVER_NOW - 2_000,
      last_mismatches: [],
      last_error: null,
    },
    flatten: null,
    intake_open: true,
    fleet: { enabled: false, why: "no cluster" },
  };
}

/** An answer of serve, dated (HTTP `Date`, whole seconds) by serve's clock. */
const dated = (body: unknown) => () => Response.json(body, { headers: { Date: new Date(SERVER_NOW).toUTCString() } });

type Preact = { render(vnode: unknown, parent: unknown): void };
const preact = (await import(["pre", "act"].join(""))) as Preact;
const { html } = await uiModule<{ html: (s: TemplateStringsArray, ...v: unknown[]) => unknown }>("_html.ts");
const { App } = await uiModule<{ App: () => unknown }>("app.ts");

let h: SyncHarness | null = null;
let root: Node | null = null;
const realNow = Date.now;

afterEach(async () => {
  if (root !== null) preact.render(null, root);
  root = null;
  await h?.stop();
  h = null;
  Date.now = realNow;
  update({ status: null, slots: [], control: null, flattenRunning: null, flattenReport: null });
});

async function page(): Promise<Node> {
  Date.now = () => SERVER_NOW + BROWSER_AHEAD_MS;
  h = new SyncHarness();
  h.routes["/status"] = dated(status());
  h.routes["/equity"] = dated({ points: [] });
  // A slots read (a sync loop's debounced refresh) answers the same slots.
  h.routes["/slots"] = dated(status().slots);
  await h.start();
  await until(() => h!.streams.length === 1, "the event stream opened");
  h.streams[0]!.send("reset", "e1-0", { reason: "a fresh connection" });
  await until(() => getState().status?.run === "r1", "the status loaded");
  root = new Node(1, "div");
  preact.render(html`<${App} />`, root);
  return root;
}

describe("console ages: counted on serve's clock, not the browser's", () => {
  test("a trade 3 s old on serve shows 3 s with the browser's clock an hour ahead", async () => {
    const r = await page();
    const row = r.find((n) => n.getAttribute("data-slot") === "0")[0]!;
    const ageCell = row.find((n) => n.getAttribute("data-label") === "age")[0]!;
    expect(squash(ageCell.text)).toBe("3 s");
  });

  test("the last reconciliation pass 2 s ago on serve shows 2 s ago", async () => {
    const r = await page();
    const cell = r.find((n) => n.getAttribute("id") === "reconciliation")[0]!;
    expect(squash(cell.text)).toContain("last pass 2 s ago");
  });
});

describe("console ages: the offset to serve's clock is learnt again when a clock steps", () => {
  test("the browser's clock corrected mid-session: the next answer puts the ages right", async () => {
    const r = await page();
    const { api } = await uiModule<{ api(path: string): Promise<unknown> }>("_api.ts");
    const { serverNowMs } = await uiModule<{ serverNowMs(): number }>("_clock.ts");
    Date.now = () => SERVER_NOW; // NTP stepped the laptop's clock back by the hour
    await api("/equity");
    expect(Math.abs(serverNowMs() - SERVER_NOW)).toBeLessThan(1_000);
    preact.render(html`<${App} />`, r);
    const row = r.find((n) => n.getAttribute("data-slot") === "0")[0]!;
    expect(squash(row.find((n) => n.getAttribute("data-label") === "age")[0]!.text)).toBe("3 s");
  });
});
