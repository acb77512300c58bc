/**
 * JSON parsing that never rounds an order id. BingX prints 19-digit ids (above 2^53) as bare
 * JSON numbers; `JSON.parse` would silently turn `1736012345678901234` into
 * `1736012345678901200`. `parseJsonSafe` first wraps every integer literal of 16 or more digits
 * that stands outside a string in quotes, then parses: such values arrive as exact strings.
 * Shorter numbers (prices, quantities, millisecond times) stay numbers.
 *
 * Returns `undefined` for text that is not JSON; never throws.
 * Bound: input longer than `JSON_TEXT_MAX` characters is refused.
 */

export const JSON_TEXT_MAX = 4_000_000;
const LONG_INT_DIGITS = 16;

export function parseJsonSafe(text: string): unknown {
  if (text.length > JSON_TEXT_MAX) return undefined;
  try {
    return JSON.parse(quoteLongIntegers(text));
  } catch {
    return undefined;
  }
}

/** Wraps long integer literals outside strings in quotes; leaves everything else untouched. */
export function quoteLongIntegers(text: string): string {
  let out = "";
  let copied = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i = skipString(text, i);
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      const start = i;
      i++;
      while (i < n && isNumberChar(text.charCodeAt(i))) i++;
      const literal = text.slice(start, i);
      const digits = c === 45 ? literal.length - 1 : literal.length;
      if (digits >= LONG_INT_DIGITS && /^-?\d+$/.test(literal)) {
        out += `${text.slice(copied, start)}"${literal}"`;
        copied = i;
      }
      continue;
    }
    i++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function isNumberChar(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45;
}

function skipString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i += 2;
    else if (c === 34) return i + 1;
    else i++;
  }
  return text.length;
}
