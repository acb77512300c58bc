/**
 * A whole trade over HTTP through the built executable on the mock venue: enter, fill, mark, a
 * partial exit leg, the final exit, the account settled once; every refusal path with its status
 * code and diagnostic; SIGTERM exits 0; `replay` of the serve journal equals the live state hash.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { requireExe, run, scratch } from "./_exe.ts";
import { eventually, type Served, startServe } from "./_serve.ts";

let s: Served;
beforeAll(async () => {
  s = await startServe({ DITA_V2_SLOTS: "4", DITA_V2_MOCK_PRICES: "BTC-USDT=65000" });
});
afterAll(async () => {
  if (s.proc.exitCode === null) await s.stop();
});

const slot = async (id: number) => (await s.call(`/slots/${id}`)).body;

describe("serve over HTTP (mock venue)", () => {
  test("health is ok and status shows 4 idle slots and seeded capital", async () => {
    expect((await s.call("/health")).status).toBe(200);
    const st = (await s.call("/status")).body;
    expect(st.slots.map((x: { stage: string }) => x.stage)).toEqual(["IDLE", "IDLE", "IDLE", "IDLE"]);
    expect(st.account).toMatchObject({ capital: 10_000, seeded: true });
  });

  test("the stall watch runs inside the executable (its worker thread bundled and up), at its default bound", async () => {
    await eventually(
      "the stall watch's worker is up",
      async () => (await s.call("/status")).body.stall_watch.running,
      5_000,
    );
    expect((await s.call("/status")).body.stall_watch).toEqual({ stall_ms: 10_000, running: true });
  });

  test("a whole trade: enter, fill, mark, partial exit leg, final exit, settled once", async () => {
    const enter = await s.call("/intents", {
      body: {
        type: "ENTER",
        slot_id: 0,
        trade_id: "H1",
        asset: "BTC-USDT",
        side: "LONG",
        size: 0.02,
        price: null,
        leverage: 5,
      },
    });
    expect(enter.status).toBe(200);
    expect(enter.body.transitions[0]).toMatchObject({ from: "IDLE", to: "ENTRY_WORKING" });
    await eventually("entry filled", async () => (await slot(0)).stage === "POSITION_OPEN");
    const mark = await s.call("/intents", { body: { type: "MARK_PRICE", asset: "BTC-USDT", price: 65100 } });
    expect(mark.status).toBe(200);
    expect((await slot(0)).unrealized_pnl).toBeCloseTo(2, 9);
    expect((await s.call("/intents", { body: { type: "EXIT", slot_id: 0, size: 0.01, reason: "TP" } })).status).toBe(
      200,
    );
    await eventually(
      "first leg filled",
      async () => (await slot(0)).stage === "POSITION_OPEN" && (await slot(0)).size === 0.01,
    );
    expect(
      (await s.call("/intents", { body: { type: "EXIT", slot_id: 0, size: 0.01, reason: "SIGNAL" } })).status,
    ).toBe(200);
    await eventually("closed", async () => (await slot(0)).stage === "CLOSED");
    const account = (await s.call("/status")).body.account;
    expect(account.trade_seq).toBe(1);
    const fees = (await slot(0)).fees;
    expect(account.capital).toBeCloseTo(10_000 + (await slot(0)).realized_pnl - fees, 9);
  });

  test("no token is 401, a wrong token is 401, and nothing changes", async () => {
    const before = (await s.call("/status")).body.state_hash;
    expect((await s.call("/intents", { body: { type: "CANCEL", slot_id: 0 }, token: null })).status).toBe(401);
    expect((await s.call("/intents", { body: { type: "CANCEL", slot_id: 0 }, token: "x".repeat(43) })).status).toBe(
      401,
    );
    expect((await s.call("/status")).body.state_hash).toBe(before);
  });

  test("malformed JSON is 400 with a message; a non-object body is 400", async () => {
    const r = await s.call("/intents", { raw: "{not json" });
    expect(r.status).toBe(400);
    expect(r.body.error).toContain("malformed JSON");
    expect((await s.call("/intents", { raw: "[1,2]" })).status).toBe(400);
  });

  test("an oversized body is refused with 413", async () => {
    expect(
      (await s.call("/intents", { raw: JSON.stringify({ type: "MARK_PRICE", pad: "x".repeat(20_000) }) })).status,
    ).toBe(413);
  });

  test("bad numbers are 422 with INVALID_INTENT from the kernel", async () => {
    const r = await s.call("/intents", {
      body: { type: "ENTER", slot_id: 1, trade_id: "H2", asset: "BTC-USDT", side: "LONG", size: -3, leverage: 5 },
    });
    expect(r.status).toBe(422);
    expect(r.body.diagnostics[0]).toMatchObject({ code: "INVALID_INTENT", details: { field: "SIZE" } });
    const s2 = await s.call("/intents", {
      body: { type: "ENTER", slot_id: 1, trade_id: "H2", asset: "BTC-USDT", side: "LONG", size: "1e400", leverage: 5 },
    });
    expect(s2.status).toBe(422);
  });

  test("a busy slot is SLOT_BUSY and an invalid transition is INVALID_TRANSITION", async () => {
    await s.call("/intents", {
      body: {
        type: "ENTER",
        slot_id: 2,
        trade_id: "H3",
        asset: "BTC-USDT",
        side: "SHORT",
        size: 0.01,
        price: 70000,
        leverage: 2,
      },
    });
    const busy = await s.call("/intents", {
      body: { type: "ENTER", slot_id: 2, trade_id: "H4", asset: "BTC-USDT", side: "SHORT", size: 0.01, leverage: 2 },
    });
    expect([busy.status, busy.body.diagnostics[0].code]).toEqual([422, "SLOT_BUSY"]);
    const bad = await s.call("/intents", { body: { type: "EXIT", slot_id: 3, size: 0.01, reason: "SL" } });
    expect([bad.status, bad.body.diagnostics[0].code]).toEqual([422, "INVALID_TRANSITION"]);
  });

  test("slot ids out of range are 404 and garbage ids 400", async () => {
    expect((await s.call("/slots/4")).status).toBe(404);
    expect((await s.call("/slots/abc")).status).toBe(400);
  });

  test("control changes are versioned and bad values are 400 naming the key", async () => {
    const ok = await s.call("/control", { body: { mode: "DEBUG" } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ mode: "DEBUG", version: 2 });
    const bad = await s.call("/control", { body: { verbosity: "LOUD" } });
    expect([bad.status, bad.body.key]).toEqual([400, "verbosity"]);
  });

  test("with the cluster off there is no fleet: GET /fleet is 404 saying so, /status and the log say why", async () => {
    const f = await s.call("/fleet");
    expect(f).toEqual({ status: 404, body: { error: "no fleet: this serve runs with DITA_V2_HAZELCAST=OFF" } });
    expect((await s.call("/status")).body.fleet).toMatchObject({ enabled: false });
    expect(s.stderr()).toContain(
      "fleet: DITA_V2_HAZELCAST=OFF: no fleet heartbeat and no account lease (the guard against a second kernel on this account needs the cluster)",
    );
  });

  test("metrics expose inputs, transitions, diagnostics by code, stages and capital", async () => {
    const m = (await s.call("/metrics")).body as string;
    for (const needle of [
      'dita_v2_inputs_total{type="ENTER"}',
      'dita_v2_transitions_total{trigger="FULL_FILL"}',
      'dita_v2_diagnostics_total{code="SLOT_BUSY"}',
      'dita_v2_slots{stage="CLOSED"}',
      "dita_v2_capital",
    ]) {
      expect(m).toContain(needle);
    }
  });

  test("SIGTERM exits 0, and replaying the serve journal reproduces the live state hash", async () => {
    const live = (await s.call("/status")).body.state_hash;
    expect(await s.stop()).toBe(0);
    const r = run(["replay", join(s.stateDir, "journal")]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(live);
  });
});

describe("a stop right after start", () => {
  test("SIGTERM sent the moment serve prints its serving line is a clean stop (exit 0), every time", async () => {
    for (let i = 0; i < 8; i++) {
      const p = Bun.spawn([requireExe(), "serve"], {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "/root",
          DITA_V2_STATE_DIR: scratch("dita-stop-"),
          DITA_V2_HTTP_PORT: "0",
        },
        stdout: "ignore",
        stderr: "pipe",
      });
      const reader = (p.stderr as ReadableStream<Uint8Array>).getReader();
      let err = "";
      while (!err.includes("serving http")) {
        const { value, done } = await reader.read();
        if (done) break;
        err += new TextDecoder().decode(value);
      }
      p.kill("SIGTERM");
      for (let r = await reader.read(); !r.done; r = await reader.read()) err += new TextDecoder().decode(r.value);
      expect({ round: i, code: await p.exited }).toEqual({ round: i, code: 0 });
      expect(err).toContain("SIGTERM: stopping intake");
    }
  });
});

describe("a port in use", () => {
  test("stops the start with one line before the state dir, the regions or the venue are touched", async () => {
    const taken = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const dir = scratch("dita-port-");
    const prefix = `dita_e2e_port_${process.pid}`;
    try {
      const r = run(["serve"], {
        DITA_V2_STATE_DIR: dir,
        DITA_V2_HTTP_PORT: String(taken.port),
        DITA_V2_ZINC: "REAL",
        DITA_V2_ZINC_PREFIX: prefix,
      });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n")).toEqual([`dita-v2: Failed to start server. Is port ${taken.port} in use?`]);
      expect(readdirSync(dir)).toEqual([]); // no journal, spool or token written
      expect(readdirSync("/dev/shm").filter((f) => f.startsWith(prefix))).toEqual([]);
    } finally {
      taken.stop(true);
    }
  });
});

describe("a state dir in use", () => {
  test("a second serve on a running serve's state dir (another port, no regions, no cluster) exits 3 naming its pid", async () => {
    const first = await startServe({ DITA_V2_SLOTS: "2" });
    try {
      const r = run(["serve"], { DITA_V2_STATE_DIR: first.stateDir, DITA_V2_HTTP_PORT: "0" });
      expect(r.code).toBe(3);
      const lock = join(first.stateDir, "serve.lock");
      expect(r.stderr.trim().split("\n")).toEqual([
        expect.stringMatching(
          new RegExp(
            `^dita-v2: state dir ${first.stateDir} is in use by another serve \\(pid \\d+, ${lock}\\): one serve per state directory; stop that one or use another DITA_V2_STATE_DIR$`,
          ),
        ),
      ]);
      expect((await first.call("/health")).status).toBe(200); // the first one serves on
    } finally {
      await first.stop();
    }
  });
});
