/**
 * Bearer-token check for mutating endpoints, in constant time so the token cannot be guessed
 * byte by byte from response timing.
 */

import { timingSafeEqual } from "node:crypto";

export function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header?.startsWith("Bearer ")) return false;
  const given = Buffer.from(header.slice(7).trim());
  const want = Buffer.from(token);
  if (given.length !== want.length) {
    timingSafeEqual(want, want); // same work either way
    return false;
  }
  return timingSafeEqual(given, want);
}
