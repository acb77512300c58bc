/**
 * The Zinc plane through the built executable (`dist/dita-v2 serve`, DITA_V2_ZINC=REAL,
 * DITA_V2_CONTROL_PLANE=REAL_ZINC, a unique DITA_V2_ZINC_PREFIX per test), with every other
 * party a separate process:
 *  (a) a stdlib-only Python strategy encodes an ENTER by kernel/ABI.md, pushes it into the ring
 *      and watches the state region until the kernel applied it;
 *  (b) four bun producers push 2,000 records each while serve runs: each is applied exactly
 *      once, in its producer's order;
 *  (c) kill -9 mid-stream with a position open, restart on the same regions: the belief is
 *      restored as is (RECONCILE_ON_RESTART=0) or reconciled to the venue's truth (=1);
 *  (d) a control change posted through the control region applies before the next input,
 *      without restart, as a new snapshot version.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ZincStateReader } from "../../src/zinc/index.ts";
import { journalEntries } from "./_journal.ts";
import { eventually, type Served, startServe } from "./_serve.ts";
import { ShmPrefixes } from "./_sim.ts";

const ROOT = join(import.meta.dir, "../..");
const LIB = join(ROOT, "ffi/build/libzinc.so");
const FIXTURES = join(import.meta.dir, "fixtures");
const SLOTS = 4;

const prefixes = new ShmPrefixes();
const serves: Served[] = [];

afterEach(async () => {
  for (const s of serves.splice(0)) if (s.proc.exitCode === null) await s.kill9();
  prefixes.removeAll();
});

async function serve(prefix: string, extra: Record<string, string> = {}, stateDir?: string): Promise<Served> {
  const s = await startServe(
    {
      DITA_V2_ZINC: "REAL",
      DITA_V2_CONTROL_PLANE: "REAL_ZINC",
      DITA_V2_ZINC_PREFIX: prefix,
      DITA_V2_SLOTS: String(SLOTS),
      DITA_V2_MOCK_PRICES: "BTC-USDT=65000,ETH-USDT=3500",
      ...extra,
    },
    stateDir,
  );
  serves.push(s);
  return s;
}

/** Every journaled entry of every kernel lifetime in the state dir, in order. */
const journal = journalEntries;

function bunFixture(script: string, args: string[]) {
  return Bun.spawn([process.execPath, join(FIXTURES, script), ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
}

async function output(p: ReturnType<typeof Bun.spawn>): Promise<any> {
  const [code, out, err] = await Promise.all([
    p.exited,
    new Response(p.stdout as ReadableStream).text(),
    new Response(p.stderr as ReadableStream).text(),
  ]);
  if (code !== 0) throw new Error(`fixture exited ${code}: ${err.slice(-800)}`);
  return JSON.parse(out.trim().split("\n").pop()!);
}

async function openPosition(s: Served, slot: number, tradeId: string): Promise<void> {
  const r = await s.call("/intents", {
    body: {
      type: "ENTER",
      slot_id: slot,
      trade_id: tradeId,
      asset: "BTC-USDT",
      side: "LONG",
      size: 0.01,
      price: null,
      leverage: 5,
    },
  });
  expect(r.status).toBe(200);
  await eventually(`slot ${slot} open`, async () => (await s.call(`/slots/${slot}`)).body.stage === "POSITION_OPEN");
}

function metric(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(" ")[1]);
}

describe("Zinc through dist/dita-v2 serve", () => {
  test("a stdlib Python strategy pushes an ENTER by kernel/ABI.md and sees the kernel apply it in the state region", async () => {
    const prefix = prefixes.fresh("py");
    const s = await serve(prefix);
    const py = Bun.spawn(
      [
        "python3",
        join(FIXTURES, "py_strategy.py"),
        "enter",
        prefix,
        "0",
        "PY1",
        "BTC-USDT",
        "LONG",
        "0.02",
        "5",
        String(Date.now()),
        "10000",
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    const out = await output(py);
    expect(out.push).toBe("OK");
    expect(out.slot).toMatchObject({ slot_id: 0, trade_id: "PY1", asset: "BTC-USDT", side: 1, leverage: 5 });
    expect(["ENTRY_WORKING", "POSITION_OPEN"]).toContain(out.slot.stage);
    expect(out.slot.entry_order).toMatchObject({ present: 1, role: 1, intended_e8: 2_000_000 });
    const http = (await s.call("/slots/0")).body;
    expect(http).toMatchObject({ trade_id: "PY1", asset: "BTC-USDT", side: "LONG", leverage: 5 });
    expect(http.version).toBeGreaterThanOrEqual(out.slot.version);
    expect(http.entry_order.client_order_id).toBe(out.slot.entry_order.client_order_id);
    await eventually("the mock venue filled it", async () => (await s.call("/slots/0")).body.stage === "POSITION_OPEN");
    const ring = journal(s.stateDir).filter((l) => l.source === "ring");
    expect(ring).toHaveLength(1);
    const rec = ring[0]!.input!;
    expect([rec.kind, rec.slot_id ?? 0, rec.qty_e8]).toEqual(["ENTER", 0, 2_000_000]);
    expect(rec.trade_id).toBe("PY1");
    expect(await s.stop()).toBe(0);
  });

  test("a producer flooding the ring does not starve HTTP: /health keeps answering while it drains", async () => {
    const prefix = prefixes.fresh("flood");
    const s = await serve(prefix);
    const n = 1_000_000;
    const flood = bunFixture("ring_producer.ts", [LIB, prefix, "1", String(n), "ETH-USDT"]);
    let done = false;
    const exited = flood.exited.then(() => (done = true));
    const latencies: number[] = [];
    for (let i = 0; i < 2_000 && !done; i++) {
      const t0 = Bun.nanoseconds();
      expect((await s.call("/health")).status).toBe(200);
      latencies.push((Bun.nanoseconds() - t0) / 1e6);
      await Bun.sleep(5);
    }
    await exited;
    await eventually("ring drained", async () => (await s.call("/status")).body.zinc.ring.head === n, 30_000);
    latencies.sort((a, b) => a - b);
    expect(latencies.length).toBeGreaterThan(10); // health was really answered while records were flowing
    expect(latencies[latencies.length - 1]!).toBeLessThan(500);
    expect(await s.stop()).toBe(0);
  }, 60_000);

  test("4 producer processes x 2,000 records: each applied exactly once, in its producer's order", async () => {
    const prefix = prefixes.fresh("mp");
    const s = await serve(prefix);
    const n = 2_000;
    const producers = [0, 1, 2, 3].map((p) =>
      bunFixture("ring_producer.ts", [LIB, prefix, String(p + 1), String(n), "ETH-USDT"]),
    );
    const results = await Promise.all(producers.map(output));
    for (const r of results) expect(r).toMatchObject({ pushed: n, gave_up: false });
    await eventually(
      "ring drained",
      async () => {
        const ring = (await s.call("/status")).body.zinc.ring;
        return ring.head === 4 * n && ring.tail === 4 * n;
      },
      10_000,
    );
    const seen = new Map<number, number[]>();
    for (const l of journal(s.stateDir)) {
      if (l.source !== "ring") continue;
      expect(l.input!.kind).toBe("MARK_PRICE");
      const price = Number(l.input!.price) - 1000; // producer + n / 10 000 (fixtures/ring_producer.ts)
      const p = Math.floor(price);
      seen.set(p, [...(seen.get(p) ?? []), Math.round((price - p) * 10_000)]);
    }
    expect([...seen.keys()].sort()).toEqual([1, 2, 3, 4]);
    for (const [, order] of seen) expect(order).toEqual(Array.from({ length: n }, (_, i) => i)); // once each, in push order
    const m = (await s.call("/metrics")).body as string;
    expect(metric(m, "dita_v2_inputs_refused_total")).toBe(0);
    expect(metric(m, 'dita_v2_inputs_total{type="RING_RECORD"}')).toBe(4 * n); // counted per record, not per batch
    const live = (await s.call("/status")).body.state_hash;
    expect(await s.stop()).toBe(0);
    const dir = join(s.stateDir, "journal");
    const replay = Bun.spawnSync([join(ROOT, "dist/dita-v2"), "replay", dir], { stdout: "pipe", stderr: "pipe" });
    expect(replay.stdout.toString().trim()).toBe(live); // the kernel applied what the journal holds
  });

  test("kill -9 mid-stream, RECONCILE_ON_RESTART=0 restores the open slot as it was; =1 reconciles it to the new mock venue's flat truth (IDLE)", async () => {
    const prefix = prefixes.fresh("crash");
    const first = await serve(prefix);
    await openPosition(first, 0, "CR1");
    const stream = bunFixture("ring_producer.ts", [LIB, prefix, "1", "200000", "ETH-USDT"]);
    await eventually("stream under way", async () => (await first.call("/status")).body.zinc.ring.head > 500);
    await first.kill9();
    stream.kill(); // the producer we started; it would otherwise retry against a full ring
    await stream.exited;

    const reader = ZincStateReader.open({ libPath: LIB, prefix });
    const before = reader.readSlot(0);
    reader.close();
    const beforeDv = new DataView(before.buffer);
    expect(before[4]).toBe(3); // POSITION_OPEN, read from the dead kernel's region

    const asIs = await serve(prefix, { DITA_V2_RECONCILE_ON_RESTART: "0" });
    const restored = (await asIs.call("/slots/0")).body;
    expect(restored).toMatchObject({
      stage: "POSITION_OPEN",
      trade_id: "CR1",
      size: 0.01,
      entry_price: beforeDv.getFloat64(32, true),
    });
    expect(restored.version).toBe(Number(beforeDv.getBigUint64(8, true)) + 1); // the restore is itself one change
    const restoreLine = journal(asIs.stateDir).find((l) => l.type === "RESTORE_SLOT");
    expect(Buffer.from(restoreLine!.image_b64!, "base64").equals(Buffer.from(before))).toBe(true);
    expect((await asIs.call("/status")).body.recovery).toMatchObject({ restored: [0], reconciled: [] });
    const after = ZincStateReader.open({ libPath: LIB, prefix });
    const image = after.readSlot(0);
    after.close();
    const masked = (b: Uint8Array) => Buffer.concat([b.subarray(0, 8), b.subarray(24)]); // all but version and updated_at_ms
    expect(masked(image).equals(masked(before))).toBe(true);
    await asIs.kill9();

    const reconciled = await serve(prefix, { DITA_V2_RECONCILE_ON_RESTART: "1" });
    expect((await reconciled.call("/slots/0")).body).toMatchObject({ stage: "IDLE", size: 0 });
    const report = (await reconciled.call("/status")).body.recovery;
    expect(report.restored).toEqual([0]);
    expect(report.reconciled).toEqual([
      { slot_id: 0, from: "POSITION_OPEN", to: "IDLE", size_before: 0.01, size_after: 0 },
    ]);
    const inputs = journal(reconciled.stateDir).map((l) => l.type); // this lifetime's journal
    expect(inputs.slice(0, 3)).toEqual(["RESTORE_SLOT", "MARK_STALE", "RECONCILE"]);
    const m = (await reconciled.call("/metrics")).body as string;
    expect(metric(m, 'dita_v2_transitions_total{trigger="MARK_STALE"}')).toBe(1); // POSITION_OPEN -> STALE_STATE_RECONCILING
    expect(metric(m, 'dita_v2_transitions_total{trigger="RECONCILE"}')).toBe(1); // STALE_STATE_RECONCILING -> IDLE
    expect(await reconciled.stop()).toBe(0);
  }, 30_000);

  test("mode, verbosity and active_slot_limit posted through the control region apply before the next input, without restart", async () => {
    const prefix = prefixes.fresh("ctl");
    const s = await serve(prefix);
    const pid = s.proc.pid;
    await openPosition(s, 0, "C1");
    const before = (await s.call("/control")).body;
    expect(before).toMatchObject({ mode: "NORMAL", verbosity: "QUIET", active_slot_limit: SLOTS });
    const enter = {
      type: "ENTER",
      slot_id: 1,
      trade_id: "C2",
      asset: "BTC-USDT",
      side: "LONG",
      size: 0.01,
      price: null,
      leverage: 5,
      now_ms: Date.now(),
    };
    const change = { mode: "DEBUG", verbosity: "TRACE", active_slot_limit: 1 };
    const out = await output(
      bunFixture("control_then_enter.ts", [
        LIB,
        prefix,
        String(SLOTS),
        JSON.stringify(change),
        "77",
        JSON.stringify(enter),
      ]),
    );
    expect([out.post, out.push]).toEqual(["OK", "OK"]);
    expect(out.snapshot).toMatchObject({ ...change, version: before.version + 1 });
    expect(out.result).toMatchObject({ requestId: 77, status: "APPLIED", version: before.version + 1 });
    expect((await s.call("/control")).body).toMatchObject({ ...change, version: before.version + 1 });
    await eventually("the ENTER was drained", async () => (await s.call("/status")).body.zinc.ring.head === 1);
    const m = (await s.call("/metrics")).body as string;
    expect(metric(m, 'dita_v2_diagnostics_total{code="SLOT_LIMIT_REACHED"}')).toBe(1);
    expect((await s.call("/slots/1")).body.stage).toBe("IDLE");
    const types = journal(s.stateDir).map((l) => (l.source === "ring" ? `ring:${l.input!.kind}` : l.type));
    // The change landed before the ENTER: the kernel refused the ENTER (SLOT_LIMIT_REACHED), so it
    // is counted, not journaled, and the CONFIGURE is.
    expect(types).toContain("CONFIGURE");
    expect(types).not.toContain("ring:ENTER");
    expect((await s.call("/status")).body.journal.refused_not_journaled).toBe(1);
    expect(s.proc.pid).toBe(pid);
    expect(s.proc.exitCode).toBeNull();
    expect(await s.stop()).toBe(0);
  });
});
