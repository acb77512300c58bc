/**
 * The capital checks of tests/_support/capital_trades.ts, made after every kernel input:
 *
 *  1. an input that closes no trade leaves capital and trade_seq bit for bit as they were;
 *  2. a settlement is one CLOSED transition of a trade the venue holds flat, trade_seq grows by one,
 *     and capital moves by that trade's exact net — dir × (exit notional − entry notional) − fees —
 *     within the double rounding of the figures it is made of (`tradeBound`);
 *  3. capital stays within the summed rounding bounds of the exact ledger, seed + Σ nets (1e-16);
 *  4. the venue's wallet (bingx-sim's account model) is the kernel's capital plus what its open
 *     trades already booked (realized − fees), within both sides' rounding, after every settlement;
 *  5. once every trade is done, the wallet is the exact ledger within its own rounding.
 * With averages reported to 8 decimals, each trade may also be off by its size × 1e-8 (the
 * reported averages' rounding, not the kernel's), and the bounds carry that.
 *
 * Entry points: `CapitalChecks`, `Stats`, `newStats`.
 */

import type { KernelInput } from "../../src/contracts/intents.ts";
import type { KernelOutcome } from "../../src/contracts/records.ts";
import type { ExecutionKernel } from "../../src/kernel/index.ts";
import type { Account } from "../../src/sim/accounts.ts";
import type { RunOptions } from "./capital_plans.ts";
import type { Trade } from "./capital_trades.ts";
import { E8, num } from "./decimals_e8.ts";

const EPS = 2 ** -52;
/** Roundings per money figure allowed for (generous: a fee booked twice is ~1e8 times more). */
const ROUNDINGS = 16;

/** What the runs measured, worst cases over every run (USDT). */
export interface Stats {
  trades: number;
  settlements: number;
  fills: number;
  inputs: number;
  /** |kernel capital − exact ledger| after a settlement. */
  driftMax: number;
  /** That drift over the rounding bound it was held to. */
  driftToBoundMax: number;
  /** |capital change − exact net| of one settlement. */
  tradeErrorMax: number;
  /** |final drift| / settlements of a run. */
  driftPerTradeMax: number;
  /** |wallet − (capital + open trades' booked)| after a settlement. */
  walletGapMax: number;
  /** |wallet − exact ledger| once flat. */
  walletDriftMax: number;
}

export function newStats(): Stats {
  return {
    ...{ trades: 0, settlements: 0, fills: 0, inputs: 0, driftMax: 0, driftToBoundMax: 0 },
    ...{ tradeErrorMax: 0, driftPerTradeMax: 0, walletGapMax: 0, walletDriftMax: 0 },
  };
}

/** A double as an integer of 1e-16 (exact to that digit: toFixed prints the double's own value). */
function e16(x: number): bigint {
  return BigInt(x.toFixed(16).replace(".", ""));
}

export class CapitalChecks {
  private exact16: bigint;
  private capital: number;
  private seq = 0;
  private bound: number;
  private walletBound: number;

  constructor(
    private readonly k: ExecutionKernel,
    private readonly wallet: Account,
    private readonly trades: readonly (Trade | null)[],
    private readonly o: RunOptions,
    private readonly stats: Stats,
  ) {
    this.exact16 = o.seedE8 * E8;
    this.capital = k.account().capital;
    this.bound = EPS * Math.abs(this.capital);
    this.walletBound = this.bound;
  }

  /** Rounding of one trade's figures: its notional and fees, plus, at 8 decimals, size × 1e-8. */
  private figuresBound(t: Trade): number {
    const scale = Number(t.entryN + t.exitN) / 1e16 + num(t.fees);
    return ROUNDINGS * EPS * scale + (this.o.avgDecimals === 8 ? Number(t.entryQ) / 1e16 : 0);
  }

  walletFill(q: bigint, p: bigint, fee: bigint): void {
    this.stats.fills++;
    const moved = 3 * (Number(q * p) / 1e16) + num(fee) + Math.abs(this.wallet.wallet);
    this.walletBound += ROUNDINGS * EPS * moved;
  }

  after(input: KernelInput, out: KernelOutcome): void {
    this.stats.inputs++;
    if (!out.accepted) throw new Error(`kernel refused ${JSON.stringify(input)}: ${JSON.stringify(out.diagnostics)}`);
    const acc = this.k.account();
    const closes = out.transitions.filter((t) => t.to === "CLOSED");
    if (closes.length === 0) {
      if (acc.capital === this.capital && acc.trade_seq === this.seq) return;
      throw new Error(
        `capital moved without a settlement: ${this.capital} → ${acc.capital} on ${JSON.stringify(input)}`,
      );
    }
    const t = closes.length === 1 ? this.trades[closes[0]!.slot_id] : null;
    if (t?.position !== 0n || t.exitQ !== t.entryQ || acc.trade_seq !== this.seq + 1)
      throw new Error(`a settlement of no flat trade, or not once: ${JSON.stringify({ closes, acc })}`);
    this.settled(t, acc.capital);
  }

  private settled(t: Trade, capital: number): void {
    const dir = t.plan.side === "LONG" || this.o.plant === "LEDGER_SHORT_AS_LONG" ? 1n : -1n;
    const net16 = dir * (t.exitN - t.entryN) - t.fees * E8;
    this.exact16 += net16;
    const tradeBound = this.figuresBound(t) + 2 * EPS * Math.abs(capital);
    this.bound += tradeBound;
    const s = this.stats;
    const tradeError = Math.abs(capital - this.capital - Number(net16) / 1e16);
    const drift = Number(e16(capital) - this.exact16) / 1e16;
    const where = `trade ${this.seq + 1} (${t.plan.side} ${num(t.entryQ)} ${t.market.asset}, fees ${num(t.fees)})`;
    if (tradeError > tradeBound)
      throw new Error(`${where} moved capital by ${capital - this.capital}, its exact net is ${Number(net16) / 1e16}`);
    if (Math.abs(drift) > this.bound)
      throw new Error(`after ${where} capital ${capital} is ${drift} from the exact ledger (bound ${this.bound})`);
    this.capital = capital;
    this.seq++;
    s.settlements++;
    s.tradeErrorMax = Math.max(s.tradeErrorMax, tradeError);
    s.driftMax = Math.max(s.driftMax, Math.abs(drift));
    s.driftToBoundMax = Math.max(s.driftToBoundMax, Math.abs(drift) / this.bound);
    this.checkWallet(capital, where);
  }

  /** The wallet against the kernel's capital plus what its open trades already booked. */
  private checkWallet(capital: number, where: string): void {
    let booked = 0;
    for (const slot of this.k.slots()) if (slot.is_open) booked += slot.realized_pnl - slot.fees;
    const open = this.trades.reduce((b, t) => (t && t.position > 0n ? b + this.figuresBound(t) : b), 0);
    const gap = Math.abs(this.wallet.wallet - (capital + booked));
    if (gap > this.bound + this.walletBound + open)
      throw new Error(
        `after ${where} the wallet ${this.wallet.wallet} is ${gap} from capital + booked ${capital + booked}`,
      );
    this.stats.walletGapMax = Math.max(this.stats.walletGapMax, gap);
  }

  /** Every trade done: no slot holds one, and the wallet is the exact ledger. */
  atEnd(): void {
    if (this.trades.some((t) => t !== null) || this.k.slots().some((s) => s.is_open))
      throw new Error("test setup: a trade is still open at the end of the run");
    const walletDrift = Math.abs(Number(e16(this.wallet.wallet) - this.exact16) / 1e16);
    if (walletDrift > this.walletBound)
      throw new Error(`the flat wallet ${this.wallet.wallet} is ${walletDrift} from the exact ledger`);
    const s = this.stats;
    s.walletDriftMax = Math.max(s.walletDriftMax, walletDrift);
    const drift = Math.abs(Number(e16(this.capital) - this.exact16) / 1e16);
    s.driftPerTradeMax = Math.max(s.driftPerTradeMax, drift / Math.max(1, this.seq));
  }
}
