/**
 * ClickHouseSink and strings JavaScript holds but ClickHouse cannot read back. A JS string may carry a
 * lone UTF-16 surrogate (a message cut at 40 characters through an emoji, a key a client sent): the
 * client's JSON.stringify writes it as `\ud83d` with no second half, and 18.16's JSON parser
 * (IO/ReadHelpers.cpp, parseJSONEscapeSequence) refuses the WHOLE insert: "Cannot parse escape
 * sequence: missing second part of surrogate pair" (code 26). The outbox re-sends the same batch for
 * ever, so one such diagnostic held back every row spooled behind it.
 *
 * The fake here is fixtures/fake_clickhouse.ts behind a proxy that refuses an insert the way 18.16
 * does when a JSON string holds a high surrogate not followed by a low one.
 */
import { afterEach, expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import { parseStrategyIntent, refusedOutcome } from "../../src/contracts/intent_parse.ts";
import { ClickHouseSink, type OutRecord } from "../../src/projection/index.ts";
import { type FakeClickHouse, startFakeClickHouse } from "./fixtures/fake_clickhouse.ts";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

/** True when `s` holds a high surrogate not followed by a low one (what 18.16 refuses in `\uXXXX`). */
function loneHigh(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const n = s.charCodeAt(i + 1);
      if (!(n >= 0xdc00 && n <= 0xdfff)) return true;
      i++;
    }
  }
  return false;
}

const strings = (v: unknown): string[] =>
  typeof v === "string" ? [v] : v !== null && typeof v === "object" ? Object.values(v).flatMap(strings) : [];

function strictServer(fake: FakeClickHouse) {
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      const body = await req.text();
      const sql = url.searchParams.get("query") ?? "";
      if (/^INSERT INTO/.test(sql)) {
        for (const line of body.split("\n"))
          if (line.trim() !== "" && strings(JSON.parse(line)).some(loneHigh))
            return new Response(
              "Code: 26, e.displayText() = DB::Exception: Cannot parse escape sequence: missing second part of surrogate pair\n",
              { status: 500, headers: { "X-ClickHouse-Exception-Code": "26" } },
            );
      }
      return fetch(`${fake.url}${url.pathname}${url.search}`, { method: req.method, body: body === "" ? null : body });
    },
  });
  return `http://127.0.0.1:${server.port}`;
}

function setup() {
  const fake = startFakeClickHouse();
  const url = strictServer(fake);
  const sink = new ClickHouseSink({ url, database: "dita", requestTimeoutMs: 5_000 }, new ManualClock());
  cleanup.push(
    () => sink.close(),
    () => fake.stop(),
  );
  return { fake, sink };
}

const diagnostic = (rowId: string, message: string): OutRecord => ({
  kind: "diagnostic",
  row: {
    row_id: rowId,
    strategy: "pink",
    run: "r1",
    seq: 1,
    input_index: 0,
    code: "INVALID_INTENT",
    severity: "ERROR",
    slot_id: null,
    message,
    details: "{}",
    now_ms: 1,
  },
});

test("an edge refusal's message can end in half an emoji (the lone surrogate is real)", () => {
  const r = parseStrategyIntent({ type: `${"a".repeat(38)}\u{1F600}` });
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(loneHigh(refusedOutcome(r.refusal, 1).diagnostics[0]!.message)).toBe(true);
});

test("a row with a lone surrogate is stored (as U+FFFD) and does not hold back its batch", async () => {
  const { fake, sink } = setup();
  const batch = [diagnostic("pink:r1:L0", `got "${"a".repeat(38)}\ud83d...`), diagnostic("pink:r1:L1", "ok \udc00")];
  let last = await sink.writeRecords(batch);
  for (let i = 0; i < 2 && last.error !== undefined; i++) last = await sink.writeRecords(batch); // outbox retries
  expect(last.error).toBeUndefined();
  expect(last.written).toBe(2);
  const rows = fake.rows("dita.dita_v2_diagnostics");
  expect(rows.map((r) => r.row_id)).toEqual(["pink:r1:L0", "pink:r1:L1"]);
  expect(rows.map((r) => r.message)).toEqual([`got "${"a".repeat(38)}\ufffd...`, "ok \ufffd"]);
});

test("a row id with a lone surrogate is looked up as it is stored: a re-sent batch adds no second copy", async () => {
  const { fake, sink } = setup();
  const batch = [diagnostic("pink:r1:\ud83dX", "m")];
  for (let i = 0; i < 3; i++) expect((await sink.writeRecords(batch)).error).toBeUndefined();
  expect(fake.rows("dita.dita_v2_diagnostics").map((r) => r.row_id)).toEqual(["pink:r1:\ufffdX"]);
});
