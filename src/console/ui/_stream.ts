/**
 * `GET /events` read with fetch (EventSource cannot send the Authorization header an exposed
 * server needs): the SSE frames parsed as they arrive, the last id kept and sent back as
 * `Last-Event-ID` on reconnect. The loop reconnects by itself after an error, an end of stream
 * or 12 s of silence (the server pings every 5 s), waiting 0.5 s, 1 s, 2 s, then 4 s between
 * attempts; a 401 stops it until `restart()` (the operator must enter a token first).
 *
 * Entry point: `openStream(handlers)` → `{ restart, stop }`.
 */

import { authHeaders } from "./_api.ts";
import { browserNowMs, observeDateHeader } from "./_clock.ts";

export interface StreamHandlers {
  event(name: string, data: unknown, id: string): void;
  live(): void;
  down(attempt: number, reason: string): void;
  unauthorized(message: string): void;
}

const SILENCE_MS = 12_000;

export function openStream(h: StreamHandlers): { restart(): void; stop(): void } {
  let lastId: string | null = null;
  let stopped = false;
  let generation = 0;
  let abort: AbortController | null = null;

  async function connectOnce(): Promise<"again" | "auth"> {
    // This attempt's own controller and watchdog: cleared however it ends (a failed fetch too), so
    // it never aborts a later connection.
    const mine = new AbortController();
    abort = mine;
    let watchdog = setTimeout(() => mine.abort(), SILENCE_MS);
    try {
      const headers: Record<string, string> = { Accept: "text/event-stream", ...authHeaders() };
      if (lastId !== null) headers["Last-Event-ID"] = lastId;
      const sentMs = browserNowMs();
      const res = await fetch("/events", { headers, signal: mine.signal, cache: "no-store" });
      observeDateHeader(res.headers.get("Date"), sentMs, browserNowMs());
      if (res.status === 401) {
        const body = (await res.json().catch(() => null)) as { error?: string } | null;
        h.unauthorized(body?.error ?? "the server needs the operator token");
        return "auth";
      }
      if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}`);
      h.live();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error("the server ended the stream");
        clearTimeout(watchdog);
        watchdog = setTimeout(() => mine.abort(), SILENCE_MS);
        buffer += value.replace(/\r\n?/g, "\n");
        let cut = buffer.indexOf("\n\n");
        while (cut >= 0) {
          dispatch(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
          cut = buffer.indexOf("\n\n");
        }
      }
    } finally {
      clearTimeout(watchdog);
    }
  }

  function dispatch(block: string): void {
    let name = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line === "" || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") name = value;
      else if (field === "data") data.push(value);
      else if (field === "id") lastId = value;
    }
    if (data.length === 0) return;
    try {
      h.event(name, JSON.parse(data.join("\n")), lastId ?? "");
    } catch {
      // A frame that is not JSON is not ours: skip it rather than stop the stream.
    }
  }

  async function loop(mine: number): Promise<void> {
    let attempt = 0;
    while (!stopped && mine === generation) {
      let reason: string;
      try {
        if ((await connectOnce()) === "auth") return;
        reason = "the stream ended";
      } catch (e) {
        reason = (e as Error).name === "AbortError" ? "no data for 12 s" : (e as Error).message;
      }
      if (stopped || mine !== generation) return;
      attempt++;
      h.down(attempt, reason);
      await new Promise((r) => setTimeout(r, Math.min(4000, 500 * 2 ** Math.min(attempt - 1, 3))));
    }
  }

  void loop(generation);
  return {
    restart() {
      generation++;
      abort?.abort();
      void loop(generation);
    },
    stop() {
      stopped = true;
      abort?.abort();
    },
  };
}
