/**
 * The user-data WebSocket hub: every server frame is gzip-compressed (binary); the server sends
 * "Ping" every `pingIntervalMs` and expects "Pong" (three unanswered pings close the socket);
 * account events go to every socket opened with a valid listen key. Stream faults apply here:
 * `duplicate_events` (each frame twice), `reorder_events` (events of one order shuffled by the
 * seeded rng within one publish batch) and `stream_disconnect` (drop all sockets after n events;
 * the rest of that batch is lost, as on a real disconnect — clients catch up over REST).
 *
 * At connect, as BingX does, a new socket first hears what `connectEvents` says (the sim: the
 * account's leverage, one ACCOUNT_CONFIG_UPDATE per symbol whose leverage was set; core.ts). That
 * push goes to the new socket only, once, outside the stream faults: it neither counts toward
 * `stream_disconnect` nor is duplicated or reordered, so a fault's event count does not depend on
 * how often a client reconnected. BingX also repeats it every 5 s; the sim does not (README).
 *
 * Entry points: `StreamHub.publish(batch, faults)`, `expire(key, now)`, `websocketHandlers()`.
 */

import type { ServerWebSocket, WebSocketHandler } from "bun";
import type { Rng } from "../contracts/rng.ts";
import { toJsonText } from "./_json.ts";
import type { SimFaults } from "./types.ts";

export interface StreamEvent {
  /** Set on ORDER_TRADE_UPDATE so reordering only shuffles events of the same order. */
  orderId?: string;
  payload: Record<string, unknown>;
}

export interface SocketData {
  listenKey: string;
  missedPings: number;
  timer?: ReturnType<typeof setInterval>;
}

const MISSED_PINGS_MAX = 3;
export const SOCKETS_MAX = 64;

export class StreamHub {
  readonly sockets = new Set<ServerWebSocket<SocketData>>();
  sent = 0;

  constructor(
    private readonly rng: Rng,
    private readonly pingIntervalMs: number,
    /** What a new socket hears right after it opens (account state BingX pushes at connect). */
    private readonly connectEvents: () => StreamEvent[] = () => [],
  ) {}

  publish(batch: StreamEvent[], faults: SimFaults): void {
    const ordered = faults.reorder_events ? this.shuffleWithinOrders(batch) : batch;
    for (const event of ordered) {
      if (this.sockets.size === 0) return;
      const frame = gzipText(toJsonText(event.payload));
      const copies = faults.duplicate_events ? 2 : 1;
      for (const ws of this.sockets) for (let i = 0; i < copies; i++) ws.send(frame);
      this.sent++;
      if (faults.stream_disconnect > 0) {
        faults.stream_disconnect--;
        if (faults.stream_disconnect === 0) {
          this.dropAll();
          return;
        }
      }
    }
  }

  /** Sends `listenKeyExpired` to the sockets of a lapsed key, then closes them. */
  expire(key: string, nowMs: number): void {
    for (const ws of this.sockets) {
      if (ws.data.listenKey !== key) continue;
      ws.send(gzipText(toJsonText({ e: "listenKeyExpired", E: nowMs, listenKey: key })));
      ws.close(1000, "listenKeyExpired");
    }
  }

  closeKey(key: string): void {
    for (const ws of this.sockets) if (ws.data.listenKey === key) ws.close(1000, "listenKey closed");
  }

  dropAll(): void {
    for (const ws of [...this.sockets]) {
      this.forget(ws);
      ws.terminate();
    }
  }

  websocketHandlers(): WebSocketHandler<SocketData> {
    return {
      open: (ws) => {
        if (this.sockets.size >= SOCKETS_MAX) {
          ws.close(1013, "too many connections");
          return;
        }
        this.sockets.add(ws);
        ws.data.timer = setInterval(() => this.ping(ws), this.pingIntervalMs);
        for (const event of this.connectEvents()) {
          ws.send(gzipText(toJsonText(event.payload)));
          this.sent++;
        }
      },
      message: (ws, message) => {
        const text = typeof message === "string" ? message : gunzipOrText(message);
        if (text.trim() === "Pong") ws.data.missedPings = 0;
      },
      close: (ws) => this.forget(ws),
    };
  }

  private ping(ws: ServerWebSocket<SocketData>): void {
    if (ws.data.missedPings >= MISSED_PINGS_MAX) {
      this.forget(ws);
      ws.close(1000, "pong timeout");
      return;
    }
    ws.data.missedPings++;
    ws.send(gzipText("Ping"));
  }

  private forget(ws: ServerWebSocket<SocketData>): void {
    if (ws.data.timer) clearInterval(ws.data.timer);
    ws.data.timer = undefined;
    this.sockets.delete(ws);
  }

  private shuffleWithinOrders(batch: StreamEvent[]): StreamEvent[] {
    const out = [...batch];
    const slots = new Map<string, number[]>();
    out.forEach((e, i) => {
      if (e.orderId) slots.set(e.orderId, [...(slots.get(e.orderId) ?? []), i]);
    });
    for (const positions of slots.values()) {
      const events = positions.map((i) => out[i] as StreamEvent);
      for (let i = events.length - 1; i > 0; i--) {
        const j = this.rng.int(0, i);
        [events[i], events[j]] = [events[j] as StreamEvent, events[i] as StreamEvent];
      }
      for (const [k, slot] of positions.entries()) out[slot] = events[k] as StreamEvent;
    }
    return out;
  }
}

export function gzipText(text: string): Uint8Array {
  return Bun.gzipSync(new TextEncoder().encode(text));
}

function gunzipOrText(data: Buffer | ArrayBuffer | Uint8Array): string {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : Uint8Array.from(data);
  try {
    return new TextDecoder().decode(Bun.gunzipSync(bytes));
  } catch {
    return new TextDecoder().decode(bytes);
  }
}
