/**
 * The clocks the console shows ages by ("12 s ago"). Every time the console shows is serve's
 * (slot, order, heartbeat, reconciliation times), so ages are counted on serve's clock: the
 * browser's clock plus the offset between the two, learnt from serve's answers (their HTTP `Date`
 * header, whole seconds). Each answer bounds the offset (serve's time at some moment between the
 * request and the answer); the bounds of successive answers narrow it, and an answer outside them
 * (either clock was stepped) starts over from that answer alone. Until the first answer the
 * browser's clock stands in. Display only: nothing the console sends depends on it.
 * (The tidy test allowlists this file.)
 */

/** serve's clock minus the browser's, within [lo, hi] ms; null before the first dated answer. */
let offset: { lo: number; hi: number } | null = null;

export function browserNowMs(): number {
  return Date.now();
}

/**
 * serve's clock read `serverLoMs..serverHiMs` at a moment the browser's read between `sentMs` and
 * `receivedMs`. A sample that contradicts itself (bounds reversed, not numbers) is ignored.
 */
export function observeServerTime(serverLoMs: number, serverHiMs: number, sentMs: number, receivedMs: number): void {
  const lo = serverLoMs - receivedMs;
  const hi = serverHiMs - sentMs;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) return;
  if (offset !== null && lo <= offset.hi && hi >= offset.lo)
    offset = { lo: Math.max(lo, offset.lo), hi: Math.min(hi, offset.hi) };
  else offset = { lo, hi };
}

/** An answer's HTTP `Date` header (serve's clock, whole seconds); absent or unreadable: nothing learnt. */
export function observeDateHeader(date: string | null, sentMs: number, receivedMs: number): void {
  const ms = date === null ? Number.NaN : Date.parse(date);
  if (Number.isFinite(ms)) observeServerTime(ms, ms + 999, sentMs, receivedMs);
}

/** Now by serve's clock, as well as the answers so far tell it. */
export function serverNowMs(): number {
  return browserNowMs() + (offset === null ? 0 : Math.round((offset.lo + offset.hi) / 2));
}
