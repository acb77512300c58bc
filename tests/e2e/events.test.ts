/**
 * `GET /events` through the built executable on the mock venue: every transition of a whole
 * trade arrives in order (each `from` is the previous `to`, ids increase); a client that
 * reconnects with Last-Event-ID gets what it missed and no reset; a client that stops reading is
 * dropped and its connection closed while intents keep being answered; a serve restart answers
 * an old id with a reset.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { SseReader } from "../_support/sse.ts";
import { eventually, type Served, startServe } from "./_serve.ts";

let s: Served;
beforeAll(async () => {
  s = await startServe({ DITA_V2_SLOTS: "4", DITA_V2_MOCK_PRICES: "BTC-USDT=65000" });
});
afterAll(async () => {
  if (s.proc.exitCode === null) await s.stop();
});

async function events(lastId: string | null = null, served = s): Promise<SseReader> {
  const headers: Record<string, string> = { Accept: "text/event-stream" };
  if (lastId !== null) headers["Last-Event-ID"] = lastId;
  const res = await fetch(`${served.url}/events`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  return new SseReader(res.body!);
}

const stage = async (id: number) => (await s.call(`/slots/${id}`)).body.stage;

async function wholeTrade(slot: number, tradeId: string): Promise<void> {
  const enter = { type: "ENTER", slot_id: slot, trade_id: tradeId, asset: "BTC-USDT", side: "LONG", size: 0.01 };
  expect((await s.call("/intents", { body: { ...enter, price: null, leverage: 5 } })).status).toBe(200);
  await eventually("entry filled", async () => (await stage(slot)) === "POSITION_OPEN");
  expect((await s.call("/intents", { body: { type: "EXIT", slot_id: slot, size: 0.01, reason: "TP" } })).status).toBe(
    200,
  );
  await eventually("closed", async () => (await stage(slot)) === "CLOSED");
}

const seqOf = (id: string | null) => Number(id?.split("-")[1]);

describe("GET /events", () => {
  test("delivers every transition of a trade in order, each from the previous stage, with increasing ids", async () => {
    const r = await events();
    await r.until("the reset that starts a fresh stream", (f) => f.length >= 1);
    expect(r.frames[0]).toMatchObject({ event: "reset", data: { reason: "start" } });
    await wholeTrade(0, "E1");
    const frames = await r.until("CLOSED", (f) => f.some((x) => x.event === "transition" && x.data.to === "CLOSED"));
    const ts = frames.filter((f) => f.event === "transition" && f.data.slot_id === 0).map((f) => f.data);
    expect(ts[0]).toMatchObject({ from: "IDLE", to: "ENTRY_WORKING", trigger: "ENTER" });
    for (let i = 1; i < ts.length; i++) {
      expect(ts[i].from).toBe(ts[i - 1].to);
      expect(ts[i].version).toBeGreaterThan(ts[i - 1].version);
    }
    const path = ts.map((t) => t.to).filter((to, i, all) => i === 0 || to !== all[i - 1]);
    expect(path).toEqual(["ENTRY_WORKING", "POSITION_OPEN", "EXIT_WORKING", "CLOSED"]);
    const ids = frames.slice(1).map((f) => seqOf(f.id));
    expect(ids).toEqual(ids.map((_, i) => ids[0]! + i)); // no gap, no repeat
    expect(frames.some((f) => f.event === "account" && f.data.trade_seq === 1)).toBe(true);
    await r.cancel();
  });

  test("a client reconnecting with Last-Event-ID gets the transitions it missed and no reset", async () => {
    const first = await events();
    await first.until("reset", (f) => f.length >= 1);
    const lastId = first.frames[first.frames.length - 1]!.id;
    await first.cancel();
    await wholeTrade(1, "E2");
    const again = await events(lastId);
    const frames = await again.until("slot 1 CLOSED", (f) =>
      f.some((x) => x.event === "transition" && x.data.slot_id === 1 && x.data.to === "CLOSED"),
    );
    expect(frames.map((f) => f.event)).not.toContain("reset");
    expect(seqOf(frames[0]!.id)).toBe(seqOf(lastId) + 1);
    expect(frames.filter((f) => f.event === "transition")[0]!.data).toMatchObject({ slot_id: 1, to: "ENTRY_WORKING" });
    await again.cancel();
  });

  test("a client that stops reading is dropped and disconnected; intents keep being answered", async () => {
    const sock: Socket = connect(Number(new URL(s.url).port), "127.0.0.1");
    await new Promise((resolve) => sock.once("connect", resolve));
    sock.write("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
    sock.pause(); // never reads: the kernel socket buffers fill, then the server-side queue
    await eventually("the stalled client registered", async () => (await s.call("/status")).body.events.clients === 1);
    const closed = new Promise<void>((resolve) => sock.once("close", () => resolve()));
    let answered = 0;
    let sent = 0;
    const worker = async () => {
      // Each refused CANCEL yields one ~260-byte diagnostic event; ~6 MB fill loopback buffers and the 1 MiB bound.
      while (sent < 60_000 && (await s.call("/status")).body.events.clients_dropped_total === 0) {
        for (let i = 0; i < 250; i++, sent++) {
          const r = await s.call("/intents", { body: { type: "CANCEL", slot_id: 3 } });
          if (r.status === 422 && r.body.diagnostics[0].code === "INVALID_TRANSITION") answered++;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(answered).toBe(sent);
    const st = (await s.call("/status")).body.events;
    expect(st).toMatchObject({ clients: 0, clients_dropped_total: 1 });
    expect(s.stderr()).toMatch(/events: client \d+ dropped: \d+ bytes unread \(bound 1048576\)/);
    sock.resume(); // drain what the buffers held: the server closed the connection behind it
    await Promise.race([closed, Bun.sleep(10_000).then(() => Promise.reject(new Error("connection not closed")))]);
  }, 120_000);

  test("after a serve restart, an id from the old process is answered with a reset", async () => {
    const r = await events();
    await r.until("reset", (f) => f.length >= 1);
    const oldId = r.frames[0]!.id;
    await r.cancel();
    const other = await startServe({ DITA_V2_SLOTS: "2" });
    try {
      const again = await events(oldId, other);
      await again.until("reset", (f) => f.length >= 1);
      expect(again.frames[0]).toMatchObject({ event: "reset", data: { reason: "another server process (restarted)" } });
      await again.cancel();
    } finally {
      expect(await other.stop()).toBe(0);
    }
  });
});
