/**
 * The console's sync loop (src/console/ui/_sync.ts) run in bun without a browser: sessionStorage,
 * `document.body` and fetch are stood in for, the serve answers (`/status`, `/equity`, ...) are
 * set by the test and `GET /events` answers with streams the test writes SSE frames into.
 *
 * Each harness imports its own `_sync` instance (`_store` is shared). `statusDoc` is a `/status`
 * answer to set.
 */

import { uiModule } from "./console_vnode.ts";

const encoder = new TextEncoder();

export interface SyncModule {
  startSync(): void;
  tokenChanged(): void;
}

/**
 * The `/status` document of run `run`, started at 1 000: trading ACTIVE (control version 1), no
 * slots, account or flatten, no venue throttle, fleet off; `over` replaces any field.
 */
export function statusDoc(run: string, over: Record<string, unknown> = {}) {
  return {
    run,
    started_at_ms: 1_000,
    slots: [],
    account: null,
    control: { version: 1, trading_state: "ACTIVE" },
    flatten: null,
    venue: { throttle: null },
    fleet: { enabled: false, why: "off" },
    ...over,
  };
}

export interface EventsAnswer {
  status: number;
  body?: unknown;
}

/** One `GET /events` the harness answered with a stream: frames go in with `send`. */
export interface OpenStream {
  authorization: string | null;
  send(event: string, id: string, data: unknown): void;
}

export class SyncHarness {
  readonly storage = new Map<string, string>();
  readonly requests: Array<{ path: string; authorization: string | null }> = [];
  readonly streams: OpenStream[] = [];
  /** What the next `GET /events` gets (a stream when empty). */
  readonly eventsAnswers: EventsAnswer[] = [];
  /** Answers by path: a JSON body, a text, or a function making the Response. */
  routes: Record<string, unknown> = { "/equity": { points: [] }, "/slots": [], "/metrics": "" };
  private saved: Record<string, unknown> = {};
  sync!: SyncModule;

  async start(): Promise<void> {
    const g = globalThis as Record<string, unknown>;
    this.saved = { sessionStorage: g.sessionStorage, document: g.document, fetch: g.fetch };
    const storage = this.storage;
    g.sessionStorage = {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
      removeItem: (k: string) => void storage.delete(k),
    };
    g.document = { body: { dataset: {} } };
    g.fetch = (path: string, init: FetchInit = {}) => this.answer(path, init);
    this.sync = await uiModule<SyncModule>(`_sync.ts?harness=${++instances}`);
    // startSync's 5 s status poll is not part of these tests: the sync is driven by events only.
    const setIntervalBefore = globalThis.setInterval;
    globalThis.setInterval = (() => 0) as unknown as typeof setInterval;
    try {
      this.sync.startSync();
    } finally {
      globalThis.setInterval = setIntervalBefore;
    }
  }

  /** Ends the sync loop (its next connection is refused) and puts the globals back. */
  async stop(): Promise<void> {
    this.storage.clear();
    this.eventsAnswers.push({ status: 401, body: { error: "stopped" } });
    this.sync.tokenChanged();
    await until(() => this.eventsAnswers.length === 0, "the sync loop stopped");
    const g = globalThis as Record<string, unknown>;
    for (const [name, value] of Object.entries(this.saved)) {
      if (value === undefined) delete g[name];
      else g[name] = value;
    }
  }

  private async answer(path: string, init: FetchInit): Promise<Response> {
    const authorization = init.headers?.Authorization ?? null;
    this.requests.push({ path, authorization });
    if (path === "/events") {
      const planned = this.eventsAnswers.shift();
      if (planned !== undefined) return Response.json(planned.body ?? null, { status: planned.status });
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({
        start: (c) => {
          controller = c;
        },
      });
      init.signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
      this.streams.push({
        authorization,
        send: (event, id, data) =>
          controller.enqueue(encoder.encode(`event: ${event}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`)),
      });
      return new Response(body, { headers: { "Content-Type": "text/event-stream" } });
    }
    if (!(path in this.routes)) return Response.json({ error: `no route GET ${path}` }, { status: 404 });
    const body = this.routes[path];
    if (typeof body === "function") return (body as () => Response)();
    return typeof body === "string" ? new Response(body) : Response.json(body);
  }
}

type FetchInit = { headers?: Record<string, string>; signal?: AbortSignal };

let instances = 0;

/** Waits (a bounded number of turns of the event loop) until `cond` holds. */
export async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(`never happened: ${what}`);
}
