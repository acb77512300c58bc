/**
 * The adapter signs with Bun's keyed hasher; bingx-sim verifies with node:crypto's `createHmac`.
 * For any secret and payload (any Unicode, empty, longer than a SHA-256 block, which HMAC hashes
 * down first) both give the same lowercase hex, so the venue accepts every signature the adapter makes.
 */

import { expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { hmacSha256Hex } from "../../src/venue/bingx/index.ts";

const nodeHmac = (secret: string, payload: string) =>
  createHmac("sha256", secret).update(payload, "utf8").digest("hex");

test("the adapter's HMAC-SHA256 equals node:crypto's for any secret and payload", () => {
  const text = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: "binary", maxLength: 90 }),
    fc.string({ minLength: 64, maxLength: 300 }),
  );
  fc.assert(
    fc.property(text, text, (secret, payload) => {
      const hex = hmacSha256Hex(secret, payload);
      expect(hex).toMatch(/^[0-9a-f]{64}$/);
      expect(hex).toBe(nodeHmac(secret, payload));
    }),
    { numRuns: 2000 },
  );
});
