/**
 * BingX's ACCOUNT_UPDATE (reference: `a.B` balances, `a.P` positions with `s` symbol, `pa` amount, `ps`
 * side), read for its positions only: a `positions` fact (`VenuePositionPush[]`), the adapter's
 * `onPositions` hint that a position changed (a fill, a liquidation or ADL, a close on the exchange's
 * page). A hedge account's `ps` LONG or SHORT gives that side's size (`pa`, its magnitude); a one-way
 * account's `BOTH` is the net position: positive a LONG of that size, negative a SHORT, and the other
 * side 0. An update with no account or no position list (balances only: a funding fee, a transfer) is
 * ignored; an account that is not an object, a list that is not one, more than `POSITIONS_MAX` entries, or an entry without a symbol, a number for `pa` or
 * a known `ps` is one MALFORMED_PAYLOAD naming the fields, the whole frame dropped: a hint read wrong
 * would only cost a pass, but one read half is no hint at all.
 *
 * Entry point: `accountUpdate(body, malformed)`.
 */

import type { PositionSide, VenuePositionPush } from "../../contracts/venue.ts";
import { isRecord, num, text } from "./_values.ts";

/** More positions than any account here holds in one update: a frame claiming more is not read. */
const POSITIONS_MAX = 256;

type Read<M> = { type: "positions"; positions: VenuePositionPush[] } | { type: "ignored"; event: string } | M;

export function accountUpdate<M>(
  body: Record<string, unknown>,
  malformed: (message: string, details?: Record<string, unknown>) => M,
): Read<M> {
  const a = body.a;
  if (a === undefined) return { type: "ignored", event: "ACCOUNT_UPDATE" };
  if (!isRecord(a)) return malformed("ACCOUNT_UPDATE whose account `a` is not an object");
  if (a.P === undefined || (Array.isArray(a.P) && a.P.length === 0))
    return { type: "ignored", event: "ACCOUNT_UPDATE" };
  if (!Array.isArray(a.P) || a.P.length > POSITIONS_MAX)
    return malformed(`ACCOUNT_UPDATE positions \`a.P\` is not a list of at most ${POSITIONS_MAX}`);
  const positions: VenuePositionPush[] = [];
  for (const [i, p] of a.P.entries()) {
    const entry = isRecord(p) ? p : {};
    const asset = text(entry.s, 40);
    const amount = num(entry.pa);
    const side = entry.ps === "LONG" || entry.ps === "SHORT" || entry.ps === "BOTH" ? entry.ps : undefined;
    const missing = [!asset && "s", amount === undefined && "pa", side === undefined && "ps"].filter(Boolean);
    if (missing.length > 0 || asset === undefined || amount === undefined || side === undefined)
      return malformed(`ACCOUNT_UPDATE position ${i} with missing or invalid fields: ${missing.join(", ")}`, {
        fields: missing,
        symbol: asset ?? null,
      });
    positions.push(...sidesOf(asset, side, amount));
  }
  return { type: "positions", positions };
}

/** The sides one entry speaks for: its own (hedge), or both (one-way: the net amount's side, the other 0). */
function sidesOf(asset: string, side: PositionSide | "BOTH", amount: number): VenuePositionPush[] {
  if (side !== "BOTH") return [{ asset, side, size: Math.abs(amount) }];
  return [
    { asset, side: "LONG", size: Math.max(amount, 0) },
    { asset, side: "SHORT", size: Math.max(-amount, 0) },
  ];
}
