/**
 * The BingX adapter's contract rules (quantity step, price tick, minimums, max leverage, whether
 * the venue trades the contract), read at connect and again in the background every
 * `contractsRefreshMs` (config.ts; 10 minutes by default), one read at a time, never on the order
 * path: orders are checked against the rules held (contract_rules.ts).
 *
 * - A contract whose `status` is not 1 (_parse.ts), or that was listed and is gone from a later
 *   list, is held as `not_trading`: its orders are refused locally (NOT_TRADING), nothing sent.
 * - A change of a contract's step, tick, minimums, max leverage or status is said once, when the
 *   read that sees it is taken (LOCAL_RULE diagnostic, `details.rule` CONTRACT_CHANGED): a step the
 *   venue coarsened refuses an off-step size (OFF_STEP) instead of BingX truncating it silently.
 * - A failed background read (an error, or an answer with no readable contract) keeps the rules
 *   read before and says so once (`details.rule` CONTRACTS_REFRESH) until a read succeeds.
 * - Once a whole list (at most CONTRACTS_MAX entries) with a readable contract was taken, a symbol
 *   it does not name (readable or not) and no earlier list held is not listed (`listed` false; the
 *   strategy edges refuse its orders before the kernel). Before that (not connected, or connect
 *   failed before the read) `listed` is null. A later read adds what the venue listed since.
 *
 * Entry points: `ContractBook` (`load`, `get`, `known`, `listed`, `all`, `start`, `stop`, `refresh`).
 */

import type { ContractRules, VenueDiagnostic } from "../../contracts/venue.ts";
import { CONTRACTS_MAX, parseContracts } from "./_parse.ts";
import type { ListedContractRules } from "./contract_rules.ts";
import * as ep from "./endpoints.ts";
import type { BingxRestClient } from "./rest_client.ts";
import type { StreamTimers } from "./user_stream.ts";

const NO_LONGER_LISTED = "no longer listed in its contract list";

const WATCHED: ReadonlyArray<[keyof ContractRules, string]> = [
  ["quantity_step", "quantity step"],
  ["price_step", "price tick"],
  ["min_quantity", "minimum quantity"],
  ["min_notional", "minimum notional"],
  ["max_leverage", "max leverage"],
];

export class ContractBook {
  private readonly rules = new Map<string, ListedContractRules>();
  private timer: unknown = null;
  /** Bumped by start/stop: a read finishing for an older start arms nothing. */
  private generation = 0;
  private running = false;
  private failing = false;
  /** The symbols the last whole list named, its unreadable contracts' included. */
  private named: ReadonlySet<string> = new Set();
  /** A whole list with a readable contract was taken: a symbol in no list taken is not listed. */
  private whole = false;

  /** `intervalMs`: between background reads; `out`: where the changes and a failed read are said. */
  constructor(
    private readonly rest: Pick<BingxRestClient, "request">,
    private readonly timers: StreamTimers,
    private readonly intervalMs: number,
    private readonly out: { diag(d: VenueDiagnostic): void },
  ) {}

  /** GET contracts' `data` (the whole list). */
  private read(): Promise<unknown> {
    return this.rest.request(ep.contracts());
  }

  private diag(d: VenueDiagnostic): void {
    this.out.diag(d);
  }

  /** The rules held for `asset` (a copy), or null: no venue call. */
  known(asset: string): ContractRules | null {
    const r = this.rules.get(asset);
    return r === undefined ? null : { ...r };
  }

  /** Whether the venue lists `asset` (trading or not): null before a whole list was read. */
  listed(asset: string): boolean | null {
    return this.rules.has(asset) || this.named.has(asset) ? true : this.whole ? false : null;
  }

  all(): ReadonlyMap<string, ContractRules> {
    return this.rules;
  }

  /** The rules of `asset`, reading the list when none are held; throws when the venue lists no such contract. */
  async get(asset: string): Promise<ContractRules> {
    if (!this.rules.has(asset)) await this.load();
    const r = this.known(asset);
    if (!r) throw new Error(`Condition failed: ${asset} is not a listed contract`);
    return r;
  }

  /** Reads the list and takes it; a failed read throws (connect fails on it). */
  async load(): Promise<void> {
    const data = await this.read();
    this.take(parseContracts(data), data);
  }

  /** Reads the list again every interval until `stop()`. */
  start(): void {
    this.stop();
    this.running = true;
    this.arm(this.generation);
  }

  stop(): void {
    this.running = false;
    this.generation++;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /** One background read: a failure keeps the rules held and is said once until a read succeeds. */
  async refresh(): Promise<void> {
    try {
      const data = await this.read();
      const parsed = parseContracts(data);
      if (parsed.size === 0 && this.rules.size > 0) throw new Error("the answer holds no readable contract");
      this.failing = false;
      this.take(parsed, data);
    } catch (err) {
      if (this.failing || !this.running) return; // said once; nothing to say after close
      this.failing = true;
      this.diag({
        code: "LOCAL_RULE",
        message: `contract list refresh failed (${(err as Error).message}); keeping the rules read before, read again in ${this.intervalMs / 1000} s`,
        details: { rule: "CONTRACTS_REFRESH" },
      });
    }
  }

  private arm(generation: number): void {
    if (!this.running || generation !== this.generation) return;
    const handle = this.timers.setTimeout(() => {
      this.timer = null;
      void this.refresh().finally(() => this.arm(generation));
    }, this.intervalMs);
    (handle as { unref?: () => void } | null)?.unref?.(); // never keeps the process alive
    this.timer = handle;
  }

  /** Takes a read's readable rules (`parsed`) and, when `data` is one whole list, the symbols it names. */
  private take(parsed: Map<string, ListedContractRules>, data: unknown): void {
    if (parsed.size > 0 && Array.isArray(data) && data.length <= CONTRACTS_MAX) {
      const symbols = data.map((c: unknown) => (c as { symbol?: unknown } | null)?.symbol);
      this.named = new Set(symbols.filter((s): s is string => typeof s === "string"));
      this.whole = true;
    }
    for (const [asset, held] of this.rules) {
      if (!parsed.has(asset)) parsed.set(asset, { ...held, not_trading: NO_LONGER_LISTED });
    }
    for (const [asset, next] of parsed) {
      const held = this.rules.get(asset);
      if (held !== undefined) this.sayChange(held, next);
      this.rules.set(asset, next);
    }
  }

  private sayChange(held: ListedContractRules, next: ListedContractRules): void {
    const changes = WATCHED.filter(([k]) => held[k] !== next[k]).map(([k, name]) => `${name} ${held[k]} → ${next[k]}`);
    if (held.not_trading !== next.not_trading)
      changes.push(`${held.not_trading ?? "trading"} → ${next.not_trading ?? "trading"}`);
    if (changes.length === 0) return;
    this.diag({
      code: "LOCAL_RULE",
      message: `${next.asset} contract rules changed at the venue: ${changes.join(", ")}; orders are checked against the new rules`,
      details: { rule: "CONTRACT_CHANGED", asset: next.asset, before: { ...held }, after: { ...next } },
    });
  }
}
