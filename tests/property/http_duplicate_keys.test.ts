/**
 * `duplicateKey` against JSON.parse: any JSON text JSON.stringify writes (never a key twice) has
 * none, whatever its strings hold (quotes, backslashes, braces, escapes); the same text with one
 * object's key repeated, in any escaped spelling, names that key.
 */

import { expect, test } from "bun:test";
import fc from "fast-check";
import { duplicateKey } from "../../src/http/_body.ts";

const escapedSpelling = (key: string) =>
  `"${[...key].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")}"`;

test("stringified JSON has no duplicate key; a repeated key is found in any spelling", () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.string(), fc.boolean(), (value, key, escaped) => {
      const text = JSON.stringify(value);
      expect(duplicateKey(text)).toBeNull();
      const inner = JSON.stringify({ [key]: 1, nested: value });
      const spelling = escaped && key.length > 0 ? escapedSpelling(key) : JSON.stringify(key);
      const twice = `{"v":${text},"o":${inner.slice(0, -1)},${spelling}:2}}`;
      expect(JSON.parse(twice).o[key]).toBe(2);
      expect(duplicateKey(twice)).toBe(key);
    }),
    { numRuns: 500 },
  );
});
