/**
 * The TypeScript client's waits and lane bookkeeping against real Zinc regions in /dev/shm (a
 * unique prefix per test, removed after it; this process plays the kernel through RealZincPlane):
 * concurrent waits never queue behind each other — a submit is answered within its own timeout
 * while a long wait is pending, every one of N concurrent waits ends by its own deadline, and an
 * outcome published while others sleep is taken at once; deadlines are monotonic (a wall-clock
 * step neither stretches nor cuts a wait); `outcomesOf` lists outcomes already taken; a record
 * that does not decode loses none of the poll's other outcomes; `control()` after `close()` is
 * ClientClosedError.
 */

import { expect, test } from "bun:test";
import {
  ClientClosedError,
  CorruptRegionError,
  type Intent,
  OutcomeTimeoutError,
} from "../../clients/typescript/index.ts";
import { OutcomeBatch, ZincRegion } from "../../src/zinc/index.ts";
import { zincRegionsPerTest } from "../_support/zinc_regions.ts";

type Fact = { origin: "EDGE" | "KERNEL" | "VENUE"; event_kind?: number };

const regions = zincRegionsPerTest("client_waits");
const { libPath } = regions;

/** A kernel of our own: the plane (intents, state, outcomes) and a control region; `answer` drains the ring. */
function kernel() {
  const { prefix, plane } = regions.plane({ outcomeLanes: 4, namespace: "pink" });
  const control = ZincRegion.open({ libPath, prefix, kind: "control", recordCount: 64, writer: true });
  regions.cleanup(() => control.close());
  const batch = new OutcomeBatch(64);
  /** Answers each pushed intent with the outcomes `facts` gives; `patch` may rewrite the batch's bytes. */
  const answer = (facts: (id: bigint) => Fact[], patch?: (bytes: Uint8Array) => void) => {
    batch.clear();
    plane.drainIntents(64, (rec) => {
      const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
      const kind = dv.getUint16(0, true);
      for (const f of facts(dv.getBigUint64(304, true)))
        batch.add(rec.slice(304, 312), {
          origin: f.origin,
          now_ms: 1,
          input_kind: f.origin === "VENUE" ? 7 : kind,
          slot_id: 0,
          slot_version: 1,
          accepted: true,
          stage: 2,
          event_kind: f.event_kind ?? 0,
          order_status: 0,
          diagnostics: [],
        });
    });
    patch?.(batch.bytes);
    if (batch.count > 0) plane.publishOutcomes(batch.bytes, batch.count);
  };
  const client = regions.client(prefix);
  return { plane, answer, client };
}

const mark: Intent = { type: "MARK_PRICE", asset: "BTC-USDT", price: 65_000 };
const enter: Intent = {
  type: "ENTER",
  slotId: 0,
  tradeId: "T1",
  asset: "BTC-USDT",
  side: "LONG",
  size: 0.01,
  leverage: 5,
};
const since = (t0: number) => performance.now() - t0;

test("a submit is answered within its own timeout while another wait of the client is pending", async () => {
  const { answer, client } = kernel();
  const id = client.push(enter);
  answer(() => [{ origin: "KERNEL" }]);
  await client.outcome(id, 500);
  const fill = client.nextVenueOutcome(id, 3000).catch((e) => e); // no fill comes: it sleeps
  await Bun.sleep(5);
  const t0 = performance.now();
  setTimeout(() => answer(() => [{ origin: "KERNEL" }]), 1);
  const o = await client.submit(mark, { timeoutMs: 1000 });
  expect(o.origin).toBe("KERNEL");
  expect(since(t0)).toBeLessThan(300);
  client.close(); // the pending wait ends at once
  expect(await fill).toBeInstanceOf(ClientClosedError);
});

test("every one of N concurrent waits ends by its own deadline, whatever the others wait for", async () => {
  const { client } = kernel();
  const t0 = performance.now();
  const timeouts = [3000, 3000, 3000, 50, 100, 150, 200, 300, 400];
  const waits = timeouts.map((ms) =>
    client.outcome(client.push(mark), ms).then(
      () => ({ ms, error: null as unknown, at: since(t0) }),
      (error: unknown) => ({ ms, error, at: since(t0) }),
    ),
  );
  const short = await Promise.all(waits.slice(3));
  for (const w of short) {
    expect(w.error).toBeInstanceOf(OutcomeTimeoutError);
    expect(w.at).toBeGreaterThanOrEqual(w.ms - 1);
    expect(w.at).toBeLessThan(w.ms + 80);
  }
  client.close();
  for (const w of await Promise.all(waits.slice(0, 3))) expect(w.error).toBeInstanceOf(ClientClosedError);
});

test("an outcome published while other waits sleep is taken at once", async () => {
  const { answer, client } = kernel();
  const others = Array.from({ length: 8 }, () => client.outcome(client.push(mark), 3000).catch((e) => e));
  const id = client.push(mark);
  const t0 = performance.now();
  const mine = client.outcome(id, 2000);
  setTimeout(() => answer((x) => (x === id ? [{ origin: "KERNEL" }] : [])), 10);
  expect((await mine).clientIntentId).toBe(id);
  expect(since(t0)).toBeLessThan(200);
  client.close();
  await Promise.all(others);
});

test("a wall-clock step neither stretches nor cuts a wait: deadlines are monotonic", async () => {
  const { client } = kernel();
  const realNow = Date.now;
  try {
    for (const step of [-3000, 3000]) {
      let calls = 0;
      Date.now = () => realNow() + (++calls > 1 ? step : 0); // NTP steps the clock right after the wait starts
      let t0 = performance.now();
      await expect(client.outcome(client.push(mark), 200)).rejects.toBeInstanceOf(OutcomeTimeoutError);
      expect(since(t0)).toBeGreaterThanOrEqual(199);
      expect(since(t0)).toBeLessThan(600);
      calls = 0;
      t0 = performance.now();
      expect(await client.waitForChange(200)).toBeNull();
      expect(since(t0)).toBeGreaterThanOrEqual(199);
      expect(since(t0)).toBeLessThan(600);
    }
  } finally {
    Date.now = realNow;
  }
});

test("outcomesOf lists every outcome received, including those outcome() and nextVenueOutcome() took", async () => {
  const { answer, client } = kernel();
  const id = client.push(enter);
  answer(() => [{ origin: "KERNEL" }, { origin: "VENUE", event_kind: 1 }, { origin: "VENUE", event_kind: 3 }]);
  expect((await client.outcome(id, 500)).origin).toBe("KERNEL");
  expect((await client.nextVenueOutcome(id, 500)).eventKind).toBe("ACK");
  expect(client.outcomesOf(id).map((o) => `${o.origin}/${o.eventKind}`)).toEqual([
    "KERNEL/null",
    "VENUE/ACK",
    "VENUE/FULL_FILL",
  ]);
  expect((await client.nextVenueOutcome(id, 500)).eventKind).toBe("FULL_FILL"); // still there to take
});

test("a record that does not decode is a CorruptRegionError, and the poll's other outcomes are kept", async () => {
  const { answer, client } = kernel();
  const bad = client.push(mark);
  const good = client.push(mark);
  answer(
    () => [{ origin: "KERNEL" }],
    (bytes) => {
      bytes[38] = 9; // the first record's origin is outside EDGE/KERNEL/VENUE
    },
  );
  await expect(client.outcome(bad, 500)).rejects.toBeInstanceOf(CorruptRegionError);
  expect((await client.outcome(good, 500)).clientIntentId).toBe(good);
});

test("control() after close() is ClientClosedError, like every other read", () => {
  const { client } = kernel();
  expect(client.control()).toBeNull(); // the region exists; no snapshot yet
  client.close();
  expect(() => client.control()).toThrow(ClientClosedError);
  expect(() => client.account()).toThrow(ClientClosedError);
});
