/**
 * The routes a browser uses besides the JSON API: the console's static files (`GET /`,
 * `GET /console/*`, revalidated by a content ETag), the event stream `GET /events`
 * (Server-Sent Events, resumable with `Last-Event-ID`) and `GET /equity` (the equity series
 * behind the console's chart).
 *
 * Entry point: `mountBrowserRoutes(app, deps, assets)`.
 */

import type { Hono } from "hono";
import { noQuery } from "./_body.ts";
import type { HttpDeps, StaticAsset } from "./deps.ts";

export function mountBrowserRoutes(app: Hono, deps: HttpDeps, assets: readonly StaticAsset[]): void {
  for (const a of assets) {
    const etag = `"${Bun.hash(a.body).toString(16)}"`;
    app.get(a.path, (c) => {
      const headers = { ETag: etag, "Cache-Control": "no-cache" };
      if (c.req.header("If-None-Match") === etag) return c.body(null, 304, headers);
      return c.body(a.body, 200, { ...headers, "Content-Type": a.contentType });
    });
  }
  const events = deps.events;
  if (events === undefined) return;
  const sseHeaders = { "Content-Type": "text/event-stream; charset=utf-8", "X-Accel-Buffering": "no" };
  app.get("/events", noQuery, (c) => {
    // hono answers HEAD with this handler and drops the body: a stream opened for it is never read
    // nor cancelled, and held one of the hub's client places until its unread pings reached the bound.
    if (c.req.method === "HEAD") return new Response(null, { headers: sseHeaders });
    const opened = events.open(c.req.header("Last-Event-ID") ?? null);
    if (!opened.ok) return c.json({ error: opened.error }, 503);
    // Bun closes a connection idle for 10 s; the stream's heartbeats keep it busy, and where the
    // server allows it, this request has no idle limit at all.
    (c.env as { timeout?: (req: Request, s: number) => void } | undefined)?.timeout?.(c.req.raw, 0);
    return new Response(opened.stream, { headers: sseHeaders });
  });
  app.get("/equity", noQuery, (c) => c.json(events.equity()));
}
