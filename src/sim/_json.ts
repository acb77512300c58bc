/**
 * Exact JSON text for BingX-shaped payloads. BingX emits 19-digit order ids as bare JSON numbers
 * (they exceed 2^53), so the sim writes JSON itself: a `JsonInt` value is printed as its decimal
 * digits, unquoted and unrounded. Incoming JSON bodies go through `parseJsonParams`, which keeps
 * every number's source text (so a big `orderId` and the signed payload stay exact).
 *
 * Entry points: `JsonInt`, `toJsonText(value)`, `parseJsonParams(text)`.
 * Invariant: `toJsonText` never emits a JSON number that JavaScript would round, except the ones
 * the caller passed as plain `number` (prices, quantities, times, all below 2^53).
 */

export class JsonInt {
  constructor(readonly digits: string) {
    if (!/^-?\d{1,40}$/.test(digits)) throw new Error(`Invariant: JsonInt needs decimal digits, got ${digits}`);
  }
}

const DEPTH_MAX = 32;

export function toJsonText(value: unknown, depth = 0): string {
  if (depth > DEPTH_MAX) throw new Error("Invariant: toJsonText nesting too deep");
  if (value instanceof JsonInt) return value.digits;
  if (value === null || value === undefined) return "null";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  if (typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => toJsonText(v, depth + 1)).join(",")}]`;
  if (typeof value === "object") {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      parts.push(`${JSON.stringify(k)}:${toJsonText(v, depth + 1)}`);
    }
    return `{${parts.join(",")}}`;
  }
  return "null";
}

/**
 * Parses a JSON object body into ordered string pairs, keeping each value's exact source text:
 * strings decoded, numbers and booleans as written, nested objects and arrays as the compact JSON
 * text the client sent (BingX takes `takeProfit`/`stopLoss` as JSON; the signature covers that
 * text, numbers unquoted). A key written twice gives two pairs. Null values are left out.
 * Returns null when the text is not a JSON object.
 */
export function parseJsonParams(text: string): [string, string][] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(quoteNumbers(text));
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return null;
  const pairs: [string, string][] = [];
  let i = skipSpace(text, text.indexOf("{") + 1);
  while (i < text.length && text[i] !== "}") {
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    const start = skipSpace(text, skipSpace(text, keyEnd) + 1);
    const end = valueEnd(text, start);
    const raw = text.slice(start, end).trim();
    if (raw.startsWith('"')) pairs.push([key, JSON.parse(raw) as string]);
    else if (raw !== "null") pairs.push([key, raw.startsWith("{") || raw.startsWith("[") ? compact(raw) : raw]);
    i = skipSpace(text, end);
    if (text[i] === ",") i = skipSpace(text, i + 1);
  }
  return pairs;
}

function skipSpace(text: string, at: number): number {
  let i = at;
  while (i < text.length && /\s/.test(text[i] as string)) i++;
  return i;
}

/** End (exclusive) of the JSON value starting at `start` in a valid object body. */
function valueEnd(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"') {
      i = stringEnd(text, i);
      if (depth === 0) return i;
      continue;
    }
    if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      if (depth === 0) return i;
      depth--;
      if (depth === 0) return i + 1;
    } else if (ch === "," && depth === 0) return i;
    i++;
  }
  return i;
}

/** JSON text without the whitespace outside strings. */
function compact(raw: string): string {
  let out = "";
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i] as string;
    if (ch === '"') {
      const end = stringEnd(raw, i);
      out += raw.slice(i, end);
      i = end;
    } else {
      if (!/\s/.test(ch)) out += ch;
      i++;
    }
  }
  return out;
}

/** Wraps every number literal outside strings in quotes so JSON.parse cannot round it. */
function quoteNumbers(text: string): string {
  let out = "";
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i] as string;
    if (ch === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (ch === "-" || (ch >= "0" && ch <= "9")) {
      let j = i + 1;
      while (j < n && /[0-9eE+\-.]/.test(text[j] as string)) j++;
      out += `"${text.slice(i, j)}"`;
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\\") i += 2;
    else if (ch === '"') return i + 1;
    else i++;
  }
  return text.length;
}
