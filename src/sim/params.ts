/**
 * Request parameters as BingX reads them: the query string (in the order sent, values
 * percent-decoded) plus a JSON or form body. `Params` keeps the raw query text and the ordered
 * pairs, which the signature check needs, and offers validated getters that throw `SimError`
 * with BingX codes instead of letting bad input reach the engine. A parameter sent twice (in the
 * query, or in both query and body) answers 100400.
 *
 * Limits: at most 64 parameters, keys ≤ 64 chars, values ≤ 4096 chars, body ≤ 64 KiB.
 */

import { parseJsonParams } from "./_json.ts";
import { Code, fail } from "./errors.ts";

export const PARAMS_MAX = 64;
export const BODY_BYTES_MAX = 65_536;
const VALUE_CHARS_MAX = 4096;

export interface Params {
  /** Query text after "?", exactly as received. */
  rawQuery: string;
  query: [string, string][];
  body: [string, string][];
  bodyKind: "none" | "json" | "form";
  map: Map<string, string>;
}

export async function readParams(req: Request): Promise<Params> {
  const url = new URL(req.url);
  const rawQuery = url.search.startsWith("?") ? url.search.slice(1) : "";
  const query = splitQuery(rawQuery);
  let body: [string, string][] = [];
  let bodyKind: Params["bodyKind"] = "none";
  if (req.method !== "GET" && req.body) {
    const text = await req.text();
    if (text.length > BODY_BYTES_MAX) fail(Code.INVALID_ARGUMENTS, "body too large");
    const trimmed = text.trim();
    if (trimmed.length > 0) {
      const jsonType = (req.headers.get("Content-Type") ?? "").includes("json");
      if (jsonType || trimmed.startsWith("{") || trimmed.startsWith("[")) {
        const pairs = parseJsonParams(trimmed);
        if (!pairs) fail(Code.INVALID_ARGUMENTS, "body is not a JSON object");
        body = pairs;
        bodyKind = "json";
      } else {
        body = splitQuery(trimmed);
        bodyKind = "form";
      }
    }
  }
  if (query.length + body.length > PARAMS_MAX) fail(Code.INVALID_ARGUMENTS, "too many parameters");
  const map = new Map<string, string>();
  for (const [k, v] of [...query, ...body]) {
    if (k.length > 64 || v.length > VALUE_CHARS_MAX)
      fail(Code.INVALID_ARGUMENTS, `parameter ${k.slice(0, 64)} too long`);
    // Sent twice (query twice, or query and body), the venue's reading is a guess: refused.
    if (map.has(k)) fail(Code.INVALID_ARGUMENTS, `parameter ${k} sent more than once`);
    map.set(k, v);
  }
  return { rawQuery, query, body, bodyKind, map };
}

export function splitQuery(raw: string): [string, string][] {
  if (raw.length === 0) return [];
  const pairs: [string, string][] = [];
  for (const part of raw.split("&")) {
    if (part.length === 0) continue;
    const eq = part.indexOf("=");
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? "" : part.slice(eq + 1);
    pairs.push([decode(k), decode(v)]);
  }
  return pairs;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

export function str(p: Params, key: string, required: true): string;
export function str(p: Params, key: string, required?: false): string | undefined;
export function str(p: Params, key: string, required = false): string | undefined {
  const v = p.map.get(key);
  if (v === undefined || v === "") {
    if (required) fail(Code.INVALID_PARAMETER, `err: field ${key} is required`);
    return undefined;
  }
  return v;
}

/** A finite decimal number; refuses hex, exponents beyond ±1e12 and values outside (0, max]. */
export function positiveNumber(p: Params, key: string, required: boolean, max = 1e12): number | undefined {
  const v = required ? str(p, key, true) : str(p, key);
  if (v === undefined) return undefined;
  if (!/^\d{1,20}(\.\d{1,20})?$/.test(v))
    fail(Code.INVALID_PARAMETER, `err: field ${key} must be a positive decimal number`);
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > max) fail(Code.INVALID_PARAMETER, `err: field ${key} out of range`);
  return n;
}

export function oneOf<T extends string>(p: Params, key: string, allowed: readonly T[], fallback?: T): T {
  const v = str(p, key);
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    fail(Code.INVALID_PARAMETER, `err: field ${key} is required`);
  }
  const upper = v.toUpperCase() as T;
  if (!allowed.includes(upper) && !allowed.includes(v as T)) {
    fail(Code.INVALID_PARAMETER, `err: field ${key} must be one of ${allowed.join("|")}`);
  }
  return allowed.includes(v as T) ? (v as T) : upper;
}

/** An order id: 1 to 20 decimal digits, kept as a string (BingX ids exceed 2^53). */
export function orderIdParam(p: Params): string | undefined {
  const v = str(p, "orderId");
  if (v === undefined) return undefined;
  if (!/^\d{1,20}$/.test(v)) fail(Code.INVALID_PARAMETER, "err: field orderId must be an integer");
  return v.replace(/^0+(?=\d)/, "");
}

/** BingX lower-cases client order ids; accepts both spellings of the parameter name. */
export function clientIdParam(p: Params): string | undefined {
  const v = p.map.get("clientOrderID") ?? p.map.get("clientOrderId");
  if (v === undefined || v === "") return undefined;
  if (v.length > 40) fail(Code.INVALID_PARAMETER, "err: clientOrderId must be 1 to 40 characters");
  if (!/^[\x21-\x7e]+$/.test(v)) fail(Code.INVALID_PARAMETER, "err: clientOrderId has invalid characters");
  return v.toLowerCase();
}
