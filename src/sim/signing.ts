/**
 * Verifies a private request the way BingX does: header `X-BX-APIKEY`, a `timestamp` within
 * `recvWindow` (default 5000 ms) of the sim clock, and `signature` = lowercase hex
 * HMAC-SHA256(secret, parameter string), compared as exact text (upper-case hex answers 100001).
 * This implementation deliberately shares no code with the adapter's signer: both are checked
 * against the reference test vector.
 *
 * Accepted parameter strings (any match passes; all exclude `signature`, and each covers every
 * parameter of the request, query and body alike, as BingX signs "all api parameters"):
 *  - a request with parameters in a JSON body: all parameters sorted a–z, and nothing else (BingX: "sort and
 *    concatenate all api parameters (a-z) (sorting required)");
 *  - any other request, signed in the order sent ("without sorting"): query then form-body
 *    parameters with values decoded (ccxt signs raw values), or, with no body parameters, the
 *    query text exactly as sent before `&signature=` (clients that sign the encoded query).
 * So a query sent unsorted but signed sorted, a JSON body signed unsorted, and body parameters
 * left out of a query-only signature all answer 100001, as at BingX.
 * Check order: apiKey (100413), signature present (100412), timestamp present and numeric
 * (100421), signature value (100001), timestamp window (100421).
 */

import { createHmac, timingSafeEqual } from "node:crypto";
import { Code, fail } from "./errors.ts";
import type { Params } from "./params.ts";

export const RECV_WINDOW_DEFAULT_MS = 5000;
const RECV_WINDOW_MAX_MS = 60_000;
/** How far ahead of the server a client timestamp may be (BingX/Binance style). */
const FUTURE_SLACK_MS = 1000;

export interface Credentials {
  apiKey: string;
  secret: string;
}

export function hmacHex(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload, "utf8").digest("hex");
}

export function verifyRequest(req: Request, p: Params, creds: Credentials, nowMs: number): void {
  const key = req.headers.get("X-BX-APIKEY");
  if (!key || !sameText(key, creds.apiKey)) fail(Code.INCORRECT_API_KEY);
  const signature = p.map.get("signature");
  if (!signature) fail(Code.NULL_SIGNATURE);
  const tsText = p.map.get("timestamp");
  if (!tsText || !/^\d{1,16}$/.test(tsText)) fail(Code.TIMESTAMP_MISMATCH);
  // Exact text: BingX's signature is lowercase hex; the same digest in capitals is another string.
  const matched = candidates(p).some((payload) => sameText(hmacHex(creds.secret, payload), signature));
  if (!matched) fail(Code.SIGNATURE_MISMATCH);
  checkWindow(Number(tsText), p.map.get("recvWindow"), nowMs);
}

function checkWindow(ts: number, recvText: string | undefined, nowMs: number): void {
  let window = RECV_WINDOW_DEFAULT_MS;
  if (recvText !== undefined && recvText !== "") {
    if (!/^\d{1,9}$/.test(recvText)) fail(Code.INVALID_PARAMETER, "err: recvWindow must be an integer");
    const asked = Number(recvText);
    if (asked > 0) window = Math.min(asked, RECV_WINDOW_MAX_MS);
  }
  if (ts > nowMs + FUTURE_SLACK_MS || nowMs - ts > window) {
    fail(Code.TIMESTAMP_MISMATCH, `server time ${nowMs}, request timestamp ${ts}, recvWindow ${window}`);
  }
}

function candidates(p: Params): string[] {
  const noSig = (pairs: [string, string][]) => pairs.filter(([k]) => k !== "signature");
  const join = (pairs: [string, string][]) => pairs.map(([k, v]) => `${k}=${v}`).join("&");
  const all = noSig([...p.query, ...p.body]);
  const bodyParams = noSig(p.body).length;
  if (p.bodyKind === "json" && bodyParams > 0) return [join(all.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))];
  const out = [join(all)];
  const at = p.rawQuery.indexOf("signature=");
  if (at >= 0 && bodyParams === 0) {
    const before = p.rawQuery.slice(0, at).replace(/&$/, "");
    const after = p.rawQuery.slice(at).split("&").slice(1).join("&");
    out.push([before, after].filter((s) => s.length > 0).join("&"));
  }
  return out;
}

function sameText(a: string, b: string): boolean {
  const ba = Buffer.from(a, "utf8");
  const bb = Buffer.from(b, "utf8");
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
