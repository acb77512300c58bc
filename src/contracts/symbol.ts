/**
 * Contract symbols at the CLI edges: the venue's spelling is `BASE-QUOTE` (`TRX-USDT`); the
 * reference's spelling `BASEQUOTE` (`TRXUSDT`, quote USDT or USDC) is accepted and normalized to
 * it, the same way in every command and mode (a dry run shows what a real run sends). Anything
 * else is refused with one line. ASCII case is folded to upper case.
 *
 * Entry point: `normalizeSymbol(raw)`.
 */

const VENUE = /^[A-Z0-9]{1,20}-[A-Z0-9]{1,20}$/;
const JOINED = /^([A-Z0-9]{1,20}?)(USDT|USDC)$/;

export function normalizeSymbol(raw: string): { ok: true; symbol: string } | { ok: false; message: string } {
  // Fold ASCII only: toUpperCase turns some non-ASCII letters into ASCII ones ('ſol' → 'SOL').
  const s = raw.trim().replace(/[a-z]+/g, (x) => x.toUpperCase());
  if (VENUE.test(s)) return { ok: true, symbol: s };
  const m = JOINED.exec(s);
  if (m !== null && m[1]!.length > 0) return { ok: true, symbol: `${m[1]}-${m[2]}` };
  return { ok: false, message: `symbol must look like TRX-USDT (or TRXUSDT), got '${raw}'` };
}
