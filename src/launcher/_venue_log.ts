/**
 * The venue as the operator sees it at verbosity VERBOSE or TRACE: every request the launcher
 * makes of the adapter and its answer (or failure), every venue event and pushed leverage, is
 * logged, one line each, with anything that looks like a credential masked (api keys, secrets,
 * signatures, listen keys). At QUIET nothing is logged and the calls pass straight through. Works
 * for every adapter (it wraps the interface).
 *
 * Entry point: `new LoggedVenue(inner, verbose, log)`.
 */

import type {
  CancelResult,
  ContractRules,
  OrderRequest,
  PositionSide,
  RestoredOrder,
  SubmitResult,
  VenueAdapter,
  VenueBalance,
  VenueDiagnosticListener,
  VenueEventListener,
  VenueLeverageListener,
  VenueOrderState,
  VenuePosition,
  VenuePositionListener,
  VenueRateStats,
} from "../contracts/venue.ts";

const SECRET_KEY = /secret|signature|api_?key|listen_?key|password|token/i;
const LINE_MAX = 2000;

export class LoggedVenue implements VenueAdapter {
  /** The adapter's own rate-limit stats, when it keeps some (a read: not logged). */
  readonly rateStats?: () => VenueRateStats;
  readonly rehearseOrder?: () => void;
  /** The adapter's memory of the kernel's client ids at a restart, when it keeps one (nothing asked: not logged). */
  readonly rememberClientIds?: (orders: readonly RestoredOrder[]) => void;
  /** The adapter's position pushes, when it has some (BingX), logged in VERBOSE like a leverage push. */
  readonly onPositions?: (listener: VenuePositionListener) => () => void;

  constructor(
    readonly inner: VenueAdapter,
    private readonly verbose: () => boolean,
    private readonly log: (line: string) => void,
  ) {
    const stats = inner.rateStats?.bind(inner);
    if (stats !== undefined) this.rateStats = stats;
    const rehearse = inner.rehearseOrder?.bind(inner);
    if (rehearse !== undefined) this.rehearseOrder = rehearse;
    const remember = inner.rememberClientIds?.bind(inner);
    if (remember !== undefined) this.rememberClientIds = remember;
    const positions = inner.onPositions?.bind(inner);
    if (positions !== undefined)
      this.onPositions = (listener) =>
        positions((pushed) => {
          if (this.verbose()) this.log(`venue positions ${masked(pushed)}`);
          listener(pushed);
        });
  }

  get name(): "MOCK" | "BINGX" {
    return this.inner.name;
  }
  connect(): Promise<void> {
    return this.call("connect", [], () => this.inner.connect());
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  submit(order: OrderRequest): Promise<SubmitResult> {
    return this.call("submit", [order], () => this.inner.submit(order));
  }
  cancel(asset: string, clientOrderId: string): Promise<CancelResult> {
    return this.call("cancel", [asset, clientOrderId], () => this.inner.cancel(asset, clientOrderId));
  }
  queryOrder(asset: string, clientOrderId: string, createdAtMs?: number): Promise<VenueOrderState | null> {
    return this.call("queryOrder", [asset, clientOrderId], () =>
      this.inner.queryOrder(asset, clientOrderId, createdAtMs),
    );
  }
  openOrders(asset?: string): Promise<VenueOrderState[]> {
    return this.call("openOrders", [asset], () => this.inner.openOrders(asset));
  }
  positions(asset?: string): Promise<VenuePosition[]> {
    return this.call("positions", [asset], () => this.inner.positions(asset));
  }
  balance(): Promise<VenueBalance> {
    return this.call("balance", [], () => this.inner.balance());
  }
  contractRules(asset: string): Promise<ContractRules> {
    return this.call("contractRules", [asset], () => this.inner.contractRules(asset));
  }
  knownRules(asset: string): ContractRules | null {
    return this.inner.knownRules(asset);
  }
  knownListed(asset: string): boolean | null {
    return this.inner.knownListed(asset);
  }
  orderHoldMs(): number | null {
    return this.inner.orderHoldMs();
  }
  knownMark(asset: string): number | null {
    return this.inner.knownMark(asset);
  }
  setLeverage(asset: string, side: PositionSide, leverage: number): Promise<void> {
    return this.call("setLeverage", [asset, side, leverage], () => this.inner.setLeverage(asset, side, leverage));
  }
  leverageOf(asset: string): Promise<Record<PositionSide, number>> {
    return this.call("leverageOf", [asset], () => this.inner.leverageOf(asset));
  }
  onEvent(listener: VenueEventListener): () => void {
    return this.inner.onEvent((e) => {
      if (this.verbose()) this.log(`venue event ${masked(e)}`);
      listener(e);
    });
  }
  onDiagnostic(listener: VenueDiagnosticListener): () => void {
    return this.inner.onDiagnostic(listener);
  }
  onLeverage(listener: VenueLeverageListener): () => void {
    return this.inner.onLeverage((pushed) => {
      if (this.verbose()) this.log(`venue leverage ${masked(pushed)}`);
      listener(pushed);
    });
  }
  connected(): boolean {
    return this.inner.connected();
  }

  private async call<T>(op: string, args: unknown[], run: () => Promise<T>): Promise<T> {
    if (!this.verbose()) return run();
    this.log(`venue > ${op} ${masked(args.filter((a) => a !== undefined))}`);
    try {
      const answer = await run();
      this.log(`venue < ${op} ${masked(answer ?? null)}`);
      return answer;
    } catch (e) {
      this.log(`venue ! ${op} ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  }
}

/** JSON with credential-looking values replaced by "***", cut at LINE_MAX characters. */
export function masked(value: unknown): string {
  const text = JSON.stringify(value, (key, v) => (key !== "" && SECRET_KEY.test(key) && v !== null ? "***" : v));
  return text.length > LINE_MAX ? `${text.slice(0, LINE_MAX)}… (${text.length} chars)` : text;
}
