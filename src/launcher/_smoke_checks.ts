/**
 * The smoke's checks of exchange truth and its waiting helpers: verify the venue is flat with no
 * open orders and the trade settled once, flatten after a failure, read the mark price, choose a
 * valid size from the contract rules, and poll with a bound.
 */

import type { SlotRecord } from "../contracts/records.ts";
import type { ContractRules } from "../contracts/venue.ts";
import type { Runtime } from "./runtime.ts";
import type { SmokeOptions } from "./smoke.ts";

const POLL_MS = 100;

export async function verifyTruth(rt: Runtime, symbol: string, seed: number): Promise<unknown> {
  const { venue, kernel } = rt.b;
  const position = longSize(await venue.positions(symbol), symbol);
  const open = await venue.openOrders(symbol);
  const account = kernel.account();
  const slot = kernel.slot(0);
  const balance = (await venue.balance()).balance;
  const expected = seed + slot.realized_pnl - slot.fees;
  const problems = [
    ...(position === 0 ? [] : [`venue position on ${symbol} is ${position}, not flat`]),
    ...(open.length === 0 ? [] : [`${open.length} open order(s) left at the venue`]),
    ...(account.trade_seq === 1 ? [] : [`kernel settled ${account.trade_seq} trades, expected 1`]),
    ...(near(account.capital, expected)
      ? []
      : [`kernel capital ${account.capital} != seed ${seed} + pnl ${slot.realized_pnl} - fees ${slot.fees}`]),
    ...(near(account.capital, balance) ? [] : [`kernel capital ${account.capital} != venue balance ${balance}`]),
  ];
  if (problems.length > 0) throw new Error(problems.join("; "));
  return {
    venue_position: position,
    open_orders: 0,
    trade_seq: account.trade_seq,
    capital: account.capital,
    venue_balance: balance,
  };
}

/** After a failure past the entry: ask the kernel to flatten, wait, and say what is left. */
export async function flatten(rt: Runtime, opts: SmokeOptions): Promise<string> {
  const { kernel, venue } = rt.b;
  const slot = kernel.slot(0);
  if (slot.stage === "POSITION_OPEN")
    rt.submitStrategy({ type: "EXIT", slot_id: 0, size: slot.size, reason: "SIGNAL" });
  else if (slot.stage === "ENTRY_WORKING" || slot.stage === "EXIT_WORKING")
    rt.submitStrategy({ type: "CANCEL", slot_id: 0 });
  const done = () => ["CLOSED", "IDLE"].includes(kernel.slot(0).stage);
  await until("flat", opts.waitMs, done, () => "").catch(() => {});
  const left = longSize(await venue.positions(opts.symbol).catch(() => []), opts.symbol);
  return `slot 0 ${kernel.slot(0).stage}; venue LONG ${opts.symbol} ${left}${left > 0 ? " (close it by hand)" : ""}`;
}

export async function markPrice(baseUrl: string, symbol: string): Promise<number> {
  const res = await fetch(`${baseUrl}/openApi/swap/v2/quote/premiumIndex?symbol=${encodeURIComponent(symbol)}`, {
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json().catch(() => null)) as { data?: { markPrice?: unknown } } | null;
  const mark = Number(body?.data?.markPrice);
  if (!(mark > 0)) throw new Error(`no mark price for ${symbol} (HTTP ${res.status})`);
  return mark;
}

/** The given size floored to the step and checked, or the smallest size the rules accept (+5% notional headroom). */
export function chooseSize(rules: ContractRules, mark: number, given: number | null): number {
  const step = rules.quantity_step;
  const decimals = Math.min(12, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)));
  const round = (x: number) => Number(x.toFixed(decimals));
  if (given !== null) {
    const sized = round(Math.floor(given / step + 1e-9) * step);
    if (sized < rules.min_quantity || sized * mark < rules.min_notional) {
      throw new Error(
        `size ${given} is below the minimum of ${rules.asset} (quantity ${rules.min_quantity}, notional ${rules.min_notional} USDT at mark ${mark})`,
      );
    }
    return sized;
  }
  const need = Math.max(rules.min_quantity, (rules.min_notional * 1.05) / mark);
  return round(Math.ceil(need / step - 1e-9) * step);
}

export async function until(what: string, waitMs: number, check: () => boolean, last: () => string): Promise<void> {
  for (let waited = 0; waited <= waitMs; waited += POLL_MS) {
    if (check()) return;
    await Bun.sleep(POLL_MS);
  }
  throw new Error(`${what} not reached within ${waitMs} ms (${last()})`);
}

export function describeSlot(s: SlotRecord): string {
  const order = s.stage === "EXIT_WORKING" ? s.exit_order : s.entry_order;
  return `slot ${s.stage}, order ${order?.status ?? "none"}`;
}

export function longSize(positions: Array<{ asset: string; side: string; size: number }>, symbol: string): number {
  return positions.find((p) => p.asset === symbol && p.side === "LONG")?.size ?? 0;
}

export function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
}
