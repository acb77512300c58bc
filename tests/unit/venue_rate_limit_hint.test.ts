/**
 * The venue's rate-limit hint, from the HTTP header to the kernel's RATE_LIMITED diagnostic, with
 * no service: `Retry-After` is in seconds (RFC 9110) and must become milliseconds (a hint read in
 * the wrong unit retries 1000× too early and meets the limit again); BingX's
 * `X-RateLimit-Requests-Expire` is an epoch-ms instant or a duration in ms; a rate-limited read at
 * start waits what the venue asked; and a rate-limited placement reaches the kernel as RATE_LIMITED
 * with `retry_after_ms` when hinted, else `release_eta: "few minutes"`.
 */

import { expect, test } from "bun:test";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { DiagnosticRecord } from "../../src/contracts/records.ts";
import { readWithRateLimitWaits } from "../../src/launcher/_venue_reads.ts";
import { Executor } from "../../src/launcher/executor.ts";
import { BingxRestClient, endpoints as ep, retryAfterMs, VenueRequestError } from "../../src/venue/bingx/index.ts";
import { MockVenueAdapter } from "../../src/venue/index.ts";
import { freshKernel, T0 } from "../_support/kernel.ts";

const NOW = 1_700_000_000_000;
const h = (o: Record<string, string>) => new Headers(o);

test("Retry-After is seconds: 2 → 2000 ms, 0 → 0 ms, 120 → 120000 ms", () => {
  expect(retryAfterMs(h({ "Retry-After": "2" }), NOW)).toBe(2_000);
  expect(retryAfterMs(h({ "Retry-After": "0" }), NOW)).toBe(0);
  expect(retryAfterMs(h({ "Retry-After": " 120 " }), NOW)).toBe(120_000);
});

test("X-RateLimit-Requests-Expire: an epoch-ms instant gives the time left, a small number is a duration in ms", () => {
  expect(retryAfterMs(h({ "X-RateLimit-Requests-Expire": String(NOW + 1_500) }), NOW)).toBe(1_500);
  expect(retryAfterMs(h({ "X-RateLimit-Requests-Expire": String(NOW - 50) }), NOW)).toBe(0);
  expect(retryAfterMs(h({ "X-RateLimit-Requests-Expire": "800" }), NOW)).toBe(800);
});

test("the BingX expiry header wins over Retry-After when both are sent", () => {
  expect(retryAfterMs(h({ "X-RateLimit-Requests-Expire": "700", "Retry-After": "9" }), NOW)).toBe(700);
});

test("an unusable hint is no hint: an HTTP date, a negative, a fraction, junk, an absurd length", () => {
  for (const v of ["Wed, 21 Oct 2015 07:28:00 GMT", "-1", "1.5", "soon", "1".repeat(20), ""])
    expect(retryAfterMs(h({ "Retry-After": v }), NOW)).toBeUndefined();
  expect(retryAfterMs(h({ "X-RateLimit-Requests-Expire": "-5" }), NOW)).toBeUndefined();
  expect(retryAfterMs(h({}), NOW)).toBeUndefined();
});

function restAnswering(status: number, headers: Record<string, string>, body = '{"code":100410,"msg":"limit"}') {
  return new BingxRestClient({
    apiKey: "unitApiKey0123456789",
    secret: "unitSecretABCDEFGHIJ0123",
    baseUrl: "http://127.0.0.1:1",
    recvWindowMs: 5000,
    clock: new ManualClock(NOW),
    timeoutMs: 50,
    fetch: async () => new Response(body, { status, headers }),
  });
}

async function failure(p: Promise<unknown>): Promise<VenueRequestError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  if (!(e instanceof VenueRequestError)) throw new Error(`expected a VenueRequestError, got ${String(e)}`);
  return e;
}

test("HTTP 429 with Retry-After: 3 is a RATE_LIMIT error carrying retry_after_ms 3000", async () => {
  const e = await failure(restAnswering(429, { "Retry-After": "3" }).request(ep.balance()));
  expect([e.kind, e.retry_after_ms]).toEqual(["RATE_LIMIT", 3_000]);
});

test("code 100410 in a 200 answer with Retry-After: 1 carries retry_after_ms 1000; other refusals carry none", async () => {
  const limited = await failure(restAnswering(200, { "Retry-After": "1" }).request(ep.balance()));
  expect([limited.kind, limited.retry_after_ms]).toEqual(["RATE_LIMIT", 1_000]);
  const refused = await failure(
    restAnswering(200, { "Retry-After": "1" }, '{"code":80014,"msg":"bad"}').request(ep.balance()),
  );
  expect(refused.kind).not.toBe("RATE_LIMIT");
  expect(refused.retry_after_ms).toBeUndefined();
});

test("a rate-limited read at start waits exactly the venue's hint (2 s from Retry-After: 2), then succeeds", async () => {
  const rest = restAnswering(429, { "Retry-After": "2" });
  const slept: number[] = [];
  const lines: string[] = [];
  let calls = 0;
  const value = await readWithRateLimitWaits(
    "balance",
    async () => {
      if (calls++ === 0) await rest.request(ep.balance());
      return 42;
    },
    (l) => lines.push(l),
    { sleep: async (ms) => void slept.push(ms) },
  );
  expect(value).toBe(42);
  expect(slept).toEqual([2_000]);
  expect(lines[0]).toContain("hint 2000 ms");
});

async function rateLimitedEntry(hintMs: number | undefined): Promise<DiagnosticRecord> {
  const clock = new ManualClock(T0);
  const venue = new MockVenueAdapter({ seed: 1, clock, prices: { "BTC-USDT": 65_000 } });
  await venue.connect();
  venue.setKnobs({ rate_limit: hintMs === undefined ? { count: 1 } : { count: 1, retry_after_ms: hintMs } });
  const kernel = freshKernel();
  const seen: DiagnosticRecord[] = [];
  const ex = new Executor(kernel, venue, clock, { afterApply: (_i, o) => seen.push(...o.diagnostics) });
  const enter = { type: "ENTER", slot_id: 0, trade_id: "RL1", asset: "BTC-USDT", side: "LONG", size: 0.001 } as const;
  ex.submitStrategy({ ...enter, price: null, leverage: 2 });
  await ex.drain(1_000);
  await Bun.sleep(5);
  kernel.destroy();
  const d = seen.find((x) => x.code === "RATE_LIMITED");
  if (!d) throw new Error(`no RATE_LIMITED among ${JSON.stringify(seen.map((x) => x.code))}`);
  return d;
}

test("a rate-limited placement with the venue's hint is RATE_LIMITED (WARNING, retryable) with that retry_after_ms", async () => {
  const d = await rateLimitedEntry(1_500);
  expect(d).toMatchObject({ severity: "WARNING", slot_id: 0, details: { retryable: true, retry_after_ms: 1_500 } });
});

test("a rate-limited placement without a hint is RATE_LIMITED with release_eta 'few minutes' and no retry_after_ms", async () => {
  const d = await rateLimitedEntry(undefined);
  expect(d.details).toMatchObject({ retryable: true, release_eta: "few minutes" });
  expect(d.details.retry_after_ms).toBeUndefined();
});

test("a venue hint of 0 ms (retry now) reaches the kernel as retry_after_ms 0, not as 'few minutes'", async () => {
  const d = await rateLimitedEntry(0);
  expect(d.details.retry_after_ms).toBe(0);
  expect(d.details.release_eta).toBeUndefined();
});
