/** Signer and safe JSON: the reference test vectors, the signed-vs-sent strings, exact ids. */

import { expect, test } from "bun:test";
import { parseJsonSafe, quoteLongIntegers } from "../../src/venue/bingx/_safe_json.ts";
import { canonicalParams, encodeParams, hmacSha256Hex, signJsonBody, signQuery } from "../../src/venue/bingx/index.ts";

const SECRET = "mheO6dR8ovSsxZQCOYEFCtelpuxcWGTfHw7te326y6jOwq5WpvFQ9JNljoTwBXZGv5It07m9RXSPpDQEK2w";

test("the signature matches the reference vectors (lowercase hex HMAC-SHA256)", () => {
  expect(hmacSha256Hex(SECRET, "recvWindow=0&symbol=BTC-USDT&timestamp=1696751141337")).toBe(
    "f8d883609dfd31c824feb4de865b071008dedb1d461451fa70847875c8e7a7a2",
  );
  expect(hmacSha256Hex(SECRET, "recvWindow=0&subAccountString=abc12345&timestamp=1696751141337")).toBe(
    "8d0d3ea9b592be3678c33332ab13e9102e093e67255921e15a581146c87c272f",
  );
});

test("query parameters are sorted a–z, signed raw, sent encoded in the same order, signature last", () => {
  const s = signQuery({ timestamp: 1696751141337, symbol: "BTC-USDT", recvWindow: 0 }, SECRET);
  expect(s.signed).toBe("recvWindow=0&symbol=BTC-USDT&timestamp=1696751141337");
  expect(s.signature).toBe("f8d883609dfd31c824feb4de865b071008dedb1d461451fa70847875c8e7a7a2");
  expect(s.query).toBe(`recvWindow=0&symbol=BTC-USDT&timestamp=1696751141337&signature=${s.signature}`);
  const spaced = signQuery({ note: "a b&c", timestamp: 1 }, SECRET);
  expect(spaced.signed).toBe("note=a b&c&timestamp=1");
  expect(spaced.query.startsWith("note=a%20b%26c&timestamp=1&signature=")).toBe(true);
});

test("a JSON body carries the same sorted fields plus the signature of the sorted raw string", () => {
  const b = signJsonBody({ timestamp: 1696751141337, symbol: "BTC-USDT", recvWindow: 0 }, SECRET);
  expect(JSON.parse(b.body)).toEqual({
    recvWindow: "0",
    symbol: "BTC-USDT",
    timestamp: "1696751141337",
    signature: "f8d883609dfd31c824feb4de865b071008dedb1d461451fa70847875c8e7a7a2",
  });
});

test("undefined parameters are left out and non-finite numbers are refused", () => {
  expect(canonicalParams({ b: 1, a: undefined, c: true })).toEqual([
    ["b", "1"],
    ["c", "true"],
  ]);
  expect(() => canonicalParams({ x: Number.NaN })).toThrow("Invariant");
  expect(encodeParams({ symbol: "BTC-USDT", z: "x y" })).toBe("symbol=BTC-USDT&z=x%20y");
});

test("19-digit ids survive parsing as exact strings; prices and times stay numbers", () => {
  const v = parseJsonSafe(
    '{"code":0,"data":{"order":{"orderId":1736012345678901234,"price":65000.5,"time":1700000000000,"msg":"id 1736012345678901234"}}}',
  ) as {
    data: { order: { orderId: string; price: number; time: number; msg: string } };
  };
  expect(v.data.order.orderId).toBe("1736012345678901234");
  expect(v.data.order.price).toBe(65000.5);
  expect(v.data.order.time).toBe(1700000000000);
  expect(v.data.order.msg).toBe("id 1736012345678901234");
  expect(quoteLongIntegers('{"a":"x\\"1234567890123456789","b":[-1234567890123456789]}')).toBe(
    '{"a":"x\\"1234567890123456789","b":["-1234567890123456789"]}',
  );
  expect(parseJsonSafe("not json")).toBeUndefined();
  expect(parseJsonSafe('{"a":')).toBeUndefined();
});
