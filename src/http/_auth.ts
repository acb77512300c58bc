/**
 * Bearer-token check for mutating endpoints, in constant time so the token cannot be guessed
 * byte by byte from response timing. The scheme name is case-insensitive (RFC 9110 §11.1:
 * `bearer`, `BEARER` and `Bearer` are one scheme), followed by one or more spaces.
 */

import { timingSafeEqual } from "node:crypto";

/** The credentials after a `Bearer` scheme (any case, then spaces), trimmed; null for another scheme. */
export function bearerCredentials(header: string | undefined): string | null {
  if (header === undefined || !/^bearer /i.test(header)) return null;
  return header.slice(7).trim();
}

export function bearerMatches(header: string | undefined, token: string): boolean {
  const credentials = bearerCredentials(header);
  if (credentials === null) return false;
  const given = Buffer.from(credentials);
  const want = Buffer.from(token);
  if (given.length !== want.length) {
    timingSafeEqual(want, want); // same work either way
    return false;
  }
  return timingSafeEqual(given, want);
}
