/**
 * Bench: the operator console and the event stream, through the built `dist/dita-v2 serve` on
 * loopback (mock venue), in one run:
 *
 *   payload       bytes of the page, script and style serve answers (budget 300 kB).
 *   first_render  headless Chromium (/usr/bin/chromium, cache disabled): navigation start to the
 *                 console's `console-ready` mark (state loaded and rendered), median of LOADS
 *                 loads after WARM_LOADS warm-ups; DOMContentLoaded alongside.
 *   intents       POST /intents round trips (sequential, one keep-alive client), p50/p99, in
 *                 three conditions side by side, ROUNDS rounds each, interleaved: no event
 *                 client; a stalled client (a socket that requested /events and never reads:
 *                 the loopback socket buffers fill, then its 1 MiB queue, then the hub drops
 *                 it); a reading client (a console). One request in three is a MARK_PRICE on
 *                 the open position (account events, coalesced per 20 ms flush), two are a
 *                 refused CANCEL (one ~260-byte diagnostic event each: ~6 MB per round, enough
 *                 for the stalled client to be dropped in every round).
 *
 * Writes bench/results/console.json. Run: bun bench/console.ts (build first: npm run build).
 */

import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { percentile } from "./http_load.ts";

const ROOT = join(import.meta.dir, "..");
const EXE = join(ROOT, "dist/dita-v2");
const TOKEN = "bench-console-token-0123456789abcdef";
const WARM_LOADS = 2;
const LOADS = 9;
const ROUNDS = 3;
const REQUESTS = 36_000;
const round = (x: number, d = 3) => Number(x.toFixed(d));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (!existsSync(EXE)) throw new Error(`${EXE} is missing: run 'npm run build' first`);
const scratch = mkdtempSync(join(tmpdir(), "dita-bench-console-"));

async function startServe(): Promise<{ url: string; stop: () => Promise<number> }> {
  const proc = Bun.spawn([EXE, "serve"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/root",
      DITA_V2_SLOTS: "8",
      DITA_V2_OPERATOR_TOKEN: TOKEN,
      DITA_V2_HTTP_PORT: "0",
      DITA_V2_STATE_DIR: join(scratch, "serve"),
    },
    stdout: "ignore",
    stderr: "pipe",
  });
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  let err = "";
  for (let i = 0; i < 100; i++) {
    const { value, done } = await reader.read();
    if (done) break;
    err += new TextDecoder().decode(value);
    const url = /serving (http:\/\/\S+)/.exec(err)?.[1];
    if (url) {
      void (async () => {
        while (!(await reader.read()).done);
      })();
      const stop = () => {
        proc.kill("SIGTERM");
        return proc.exited;
      };
      return { url, stop };
    }
  }
  proc.kill("SIGKILL");
  throw new Error(`serve did not start: ${err}`);
}

async function post(url: string, body: unknown): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/intents`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
  });
  await res.arrayBuffer();
  return { ms: performance.now() - t0, status: res.status };
}

async function payload(url: string) {
  const bytes: Record<string, number> = {};
  for (const [name, path] of [
    ["html", "/"],
    ["js", "/console/app.js"],
    ["css", "/console/app.css"],
  ] as const)
    bytes[name] = (await (await fetch(`${url}${path}`)).arrayBuffer()).byteLength;
  const total = bytes.html! + bytes.js! + bytes.css!;
  return { ...bytes, total, budget: 300 * 1024, within_budget: total <= 300 * 1024 };
}

async function firstRender(url: string) {
  const ctx = await chromium.launchPersistentContext(mkdtempSync(join(scratch, "chromium-")), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const ready: number[] = [];
  const dcl: number[] = [];
  try {
    for (let i = 0; i < WARM_LOADS + LOADS; i++) {
      const page = await ctx.newPage();
      const cdp = await ctx.newCDPSession(page);
      await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
      await page.goto(`${url}/`);
      await page.waitForSelector("body[data-ready='1']", { timeout: 10_000 });
      const t = await page.evaluate(() => ({
        ready: performance.getEntriesByName("console-ready")[0]!.startTime,
        // Runs in the page: the browser's navigation entry (Bun's types do not know it).
        dcl: (performance as any).getEntriesByType("navigation")[0].domContentLoadedEventEnd as number,
      }));
      if (i >= WARM_LOADS) {
        ready.push(t.ready);
        dcl.push(t.dcl);
      }
      await page.close();
    }
  } finally {
    await ctx.close();
  }
  const s = [...ready].sort((a, b) => a - b);
  return {
    loads: LOADS,
    cache: "disabled",
    ready_ms_median: round(median(ready), 1),
    ready_ms_min: round(s[0]!, 1),
    ready_ms_max: round(s[s.length - 1]!, 1),
    dom_content_loaded_ms_median: round(median(dcl), 1),
  };
}

type Condition = "no_event_client" | "stalled_event_client" | "reading_event_client";

/** Opens the condition's event client; returns its closer. */
async function eventClient(url: string, c: Condition): Promise<() => Promise<void>> {
  if (c === "no_event_client") return async () => {};
  if (c === "stalled_event_client") {
    const sock: Socket = connect(Number(new URL(url).port), "127.0.0.1");
    await new Promise((resolve) => sock.once("connect", resolve));
    sock.write("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
    sock.pause();
    return async () => void sock.destroy();
  }
  const res = await fetch(`${url}/events`);
  const reader = res.body!.getReader();
  const pump = (async () => {
    while (!(await reader.read().catch(() => ({ done: true }))).done);
  })();
  return async () => {
    await reader.cancel().catch(() => {});
    await pump;
  };
}

async function events(url: string): Promise<{ clients: number; clients_dropped_total: number; last_seq: number }> {
  return ((await (await fetch(`${url}/status`)).json()) as any).events;
}

async function intentRound(url: string, c: Condition, offset: number) {
  const before = await events(url);
  const close = await eventClient(url, c);
  await Bun.sleep(100);
  const connected = (await events(url)).clients - before.clients;
  if (connected !== (c === "no_event_client" ? 0 : 1)) throw new Error(`${c}: ${connected} event clients connected`);
  const marks: number[] = [];
  const cancels: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    if (i % 3 === 0) {
      const r = await post(url, { type: "MARK_PRICE", asset: "BTC-USDT", price: 65_000 + ((offset + i) % 200) });
      if (r.status !== 200) throw new Error(`MARK_PRICE answered ${r.status}`);
      marks.push(r.ms);
    } else {
      const r = await post(url, { type: "CANCEL", slot_id: 7 });
      if (r.status !== 422) throw new Error(`CANCEL on an idle slot answered ${r.status}`);
      cancels.push(r.ms);
    }
  }
  const after = await events(url);
  await close();
  return {
    marks,
    cancels,
    dropped: after.clients_dropped_total - before.clients_dropped_total,
    events: after.last_seq - before.last_seq,
  };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50_ms: round(percentile(s, 0.5)), p99_ms: round(percentile(s, 0.99)) };
};

const serve = await startServe();
let result: Record<string, unknown>;
try {
  const enter = { type: "ENTER", slot_id: 0, trade_id: "B1", asset: "BTC-USDT", side: "LONG", size: 0.01 };
  await post(serve.url, { ...enter, price: null, leverage: 5 });
  const size = payload(serve.url);
  const render = await firstRender(serve.url);
  const conditions: Condition[] = ["no_event_client", "stalled_event_client", "reading_event_client"];
  const all = new Map(
    conditions.map((c) => [c, { marks: [] as number[], cancels: [] as number[], dropped: 0, events: 0 }]),
  );
  await intentRound(serve.url, "no_event_client", 0); // warm-up
  for (let r = 0; r < ROUNDS; r++)
    for (const c of conditions) {
      const got = await intentRound(serve.url, c, r * REQUESTS);
      const acc = all.get(c)!;
      acc.marks.push(...got.marks);
      acc.cancels.push(...got.cancels);
      acc.dropped += got.dropped;
      acc.events += got.events;
    }
  const intents = Object.fromEntries(
    conditions.map((c) => {
      const a = all.get(c)!;
      return [
        c,
        {
          all: stats([...a.marks, ...a.cancels]),
          mark_price: stats(a.marks),
          refused_cancel: stats(a.cancels),
          events_published: a.events,
          event_clients_dropped: a.dropped,
        },
      ];
    }),
  );
  result = {
    bench: "console",
    runtime: `bun ${Bun.version}`,
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? "unknown",
    payload: await size,
    first_render: render,
    intents: { requests_per_round: REQUESTS, rounds: ROUNDS, ...intents },
  };
} finally {
  await serve.stop();
}
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/console.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
