/**
 * Ring outcomes through a real runtime (kernel, executor, mock venue, in-memory Zinc plane):
 * every ring record that asks for an outcome gets exactly one in its producer's lane, in ring
 * order — accepted by the kernel, refused by the kernel, or refused at the edge — with the
 * slot's stage right after that record; the venue's later answers to the order an intent made
 * (ACK, fill, a RATE_LIMITED reject with the venue's retry hint) follow as VENUE outcomes; a
 * record that asks for none (generation 0) costs the lanes nothing.
 */

import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/contracts/index.ts";
import { encodeInput } from "../../src/kernel/index.ts";
import type { LoggedVenue } from "../../src/launcher/_venue_log.ts";
import { buildBundle, loadConfig, Runtime } from "../../src/launcher/index.ts";
import type { MockVenueAdapter } from "../../src/venue/index.ts";
import { type DecodedOutcome, decodeOutcome, type OutcomeLane } from "../../src/zinc/index.ts";

const dirs: string[] = [];
const runtimes: Runtime[] = [];

afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.shutdown(500);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function runtime(): Promise<Runtime> {
  const dir = mkdtempSync(join(tmpdir(), "dita-ring-outcomes-"));
  dirs.push(dir);
  const env = { DITA_V2_STATE_DIR: dir, DITA_V2_SLOTS: "4" };
  const rt = new Runtime(await buildBundle(loadConfig(env), new ManualClock(), env, { journal: false }), () => {});
  runtimes.push(rt);
  await rt.start();
  return rt;
}

function record(input: Record<string, unknown>, id: Uint8Array | null): Uint8Array {
  const rec = new Uint8Array(320);
  expect(encodeInput({ now_ms: 1_700_000_000_000, ...input }, rec, 0)).toBeNull();
  if (id !== null) rec.set(id, 304);
  return rec;
}

const enter = (slot: number, trade: string) => ({
  type: "ENTER",
  slot_id: slot,
  trade_id: trade,
  asset: "BTC-USDT",
  side: "LONG",
  size: 0.01,
  price: null,
  leverage: 5,
});

async function outcomes(lane: OutcomeLane, want: number, timeoutMs = 3000): Promise<DecodedOutcome[]> {
  const got: DecodedOutcome[] = [];
  for (let waited = 0; got.length < want && waited < timeoutMs; waited += 5) {
    const { records, lost } = lane.poll(64);
    expect(lost).toBe(0);
    got.push(...records.map(decodeOutcome));
    if (got.length < want) await Bun.sleep(5);
  }
  return got;
}

test("each ring record's outcome reaches its producer in ring order: applied, refused by the kernel, refused at the edge", async () => {
  const rt = await runtime();
  const lane = rt.b.zinc.claimOutcomeLane();
  rt.b.zinc.pushIntent(record(enter(0, "A"), lane.idBytes(1)));
  rt.b.zinc.pushIntent(record(enter(0, "B"), lane.idBytes(2))); // slot 0 is busy now
  rt.b.zinc.pushIntent(record({ type: "TICK" }, lane.idBytes(3))); // a SYSTEM kind: refused before the kernel
  expect(rt.drainRing()).toBe(3);
  const [a, b, c] = await outcomes(lane, 3);
  expect(a).toMatchObject({ origin: "KERNEL", accepted: true, slot_id: 0, stage: 2, input_kind: 1, order_status: 1 });
  expect(b).toMatchObject({ origin: "KERNEL", accepted: false, slot_id: 0, stage: 2 });
  expect(b!.diagnostics[0]!.code).toBe("SLOT_BUSY");
  expect(c).toMatchObject({ origin: "EDGE", accepted: false, input_kind: 5, diagnostic_count: 1 });
  expect(c!.diagnostics[0]).toMatchObject({ code: "INPUT_SOURCE_REFUSED", severity: "ERROR", field: "KIND" });
  expect(c!.message).toContain("TICK is a SYSTEM input");
  expect([a, b, c].map((o) => o!.client_intent_id & 0xffffffffn)).toEqual([1n, 2n, 3n]);
  lane.release();
});

test("an outcome's stage is the slot's stage right after that record, not after the whole batch", async () => {
  const rt = await runtime();
  const lane = rt.b.zinc.claimOutcomeLane();
  rt.b.zinc.pushIntent(record({ type: "EXIT", slot_id: 1, size: 0.01, reason: "SIGNAL" }, lane.idBytes(1)));
  rt.b.zinc.pushIntent(record(enter(1, "S1"), lane.idBytes(2)));
  rt.drainRing();
  const [exit, entered] = await outcomes(lane, 2);
  expect(exit).toMatchObject({ accepted: false, stage: 1 }); // IDLE when the EXIT came, though ENTER followed
  expect(entered).toMatchObject({ accepted: true, stage: 2 });
  lane.release();
});

test("the venue's answers to the order an intent made follow as VENUE outcomes: ACK, then the fill", async () => {
  const rt = await runtime();
  const lane = rt.b.zinc.claimOutcomeLane();
  rt.b.zinc.pushIntent(record(enter(2, "V1"), lane.idBytes(9)));
  rt.drainRing();
  const got = await outcomes(lane, 3);
  expect(got[0]).toMatchObject({ origin: "KERNEL", accepted: true, stage: 2 });
  const venue = got.slice(1);
  expect(venue.every((o) => o.origin === "VENUE" && o.client_intent_id === got[0]!.client_intent_id)).toBe(true);
  expect(venue.at(-1)).toMatchObject({ event_kind: 3, stage: 3, order_status: 4 }); // FULL_FILL, POSITION_OPEN, FILLED
  lane.release();
});

test("a venue rate limit on the order an intent made reaches its producer with the venue's retry hint", async () => {
  const rt = await runtime();
  // The runtime wraps the adapter in its verbosity log; the knobs are the mock's own.
  ((rt.b.venue as LoggedVenue).inner as MockVenueAdapter).setKnobs({ rate_limit: { retry_after_ms: 1500, count: 1 } });
  const lane = rt.b.zinc.claimOutcomeLane();
  rt.b.zinc.pushIntent(record(enter(3, "R1"), lane.idBytes(4)));
  rt.drainRing();
  const [kernel, venue] = await outcomes(lane, 2);
  expect(kernel).toMatchObject({ origin: "KERNEL", accepted: true, stage: 2 });
  expect(venue).toMatchObject({ origin: "VENUE", event_kind: 6, stage: 1, order_status: 7 }); // REJECT → IDLE
  expect(venue!.diagnostics[0]).toMatchObject({ code: "RATE_LIMITED", retryable: true, retry_after_ms: 1500 });
  lane.release();
});

test("while a venue retry hint past the throttle's wait bound runs, a ring ENTER is refused before the kernel, RATE_LIMITED with the time left; after it, accepted", async () => {
  const rt = await runtime();
  ((rt.b.venue as LoggedVenue).inner as MockVenueAdapter).setKnobs({
    rate_limit: { retry_after_ms: 15_000, count: 1 },
  });
  const lane = rt.b.zinc.claimOutcomeLane();
  rt.b.zinc.pushIntent(record(enter(3, "H1"), lane.idBytes(5)));
  rt.drainRing();
  await outcomes(lane, 2); // accepted, then the venue's RATE_LIMITED reject: the hint starts
  rt.b.zinc.pushIntent(record(enter(2, "H2"), lane.idBytes(6)));
  rt.drainRing();
  const [held] = await outcomes(lane, 1);
  expect(held).toMatchObject({ origin: "EDGE", accepted: false, stage: 1 });
  expect(held!.diagnostics[0]).toMatchObject({ code: "RATE_LIMITED", retryable: true, retry_after_ms: 15_000 });
  expect(rt.b.kernel.slot(2).stage).toBe("IDLE");
  (rt.b.clock as ManualClock).advance(15_000);
  rt.b.zinc.pushIntent(record(enter(2, "H3"), lane.idBytes(7)));
  rt.drainRing();
  expect((await outcomes(lane, 1))[0]).toMatchObject({ origin: "KERNEL", accepted: true, stage: 2 });
  lane.release();
});

test("a ring record without an outcome id (generation 0) publishes nothing", async () => {
  const rt = await runtime();
  rt.b.zinc.pushIntent(record(enter(0, "N1"), null));
  rt.b.zinc.pushIntent(record({ type: "MARK_PRICE", asset: "BTC-USDT", price: 65000 }, null));
  expect(rt.drainRing()).toBe(2);
  await Bun.sleep(20);
  expect(rt.b.zinc.outcomeStats()).toMatchObject({ published: 0, unroutable: 0 });
});
