/**
 * BingxVenueAdapter: the `VenueAdapter` over BingX's USDT-M perpetual REST API and user-data stream. It owns one REST
 * client (signing, time offset, typed errors), one user stream (listen key, gzip frames, reconnect) and one order
 * tracker (event ids, cumulative fees per order; every fact goes to the kernel, which classifies duplicates and late
 * events). Working orders are remembered by client order id so that (a) stream frames, which carry the venue's spelling
 * of the id (BingX lower-cases it), map back to the kernel's id (after a restart also those of the orders the kernel's
 * slots name: `rememberClientIds`, _forgotten_orders.ts) and (b) after every (re)connect each working order is queried
 * by clientOrderID (one pass at a time; _catch_up.ts): no fill is missed across a stream gap. Ids differing only in
 * case are one BingX order: _working_orders.ts (a query by the second spelling reports the first's order under its id).
 *
 * Position mode: `connect()` reads the account's mode (GET /openApi/swap/v1/positionSide/dual) and works in it, never
 * switching it: hedge mode as LONG/SHORT orders, one-way mode as BOTH orders (exits reduce-only, leverage side BOTH).
 * One it cannot read fails `connect()` with one line; one changed meanwhile shows as venue rejects until the next.
 *
 * Contract rules: read at connect and every `contractsRefreshMs` (10 min) in the background, never on the order path
 * (_contracts_refresh.ts: a contract not trading refused locally, NOT_TRADING; a failed read keeps the last rules).
 * Leverage: set and read over REST (_leverage.ts); each ACCOUNT_CONFIG_UPDATE the stream pushes goes to `onLeverage`,
 * each ACCOUNT_UPDATE's positions to `onPositions`.
 *
 * Rate limits: every REST call passes one throttle (per account: this adapter) that keeps each endpoint group under
 * DITA_V2_BINGX_RATE_MARGIN of BingX's limit (per-IP limits divided by DITA_V2_BINGX_IP_SHARE, the clients sending
 * from this IP), orders before queries; `rateStats()` reports what it did, `orderHoldMs()` when it refuses orders.
 * Secrets appear only in the HMAC and the X-BX-APIKEY header; every message leaving this adapter is built from
 * method, path, codes and venue text passed through `redact`.
 *
 * Entry points: `new BingxVenueAdapter(config, options?)` plus the `VenueAdapter` interface.
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
  VenueEvent,
  VenueEventListener,
  VenueLeverageListener,
  VenueOrderState,
  VenuePosition,
  VenuePositionListener,
  VenueRateStats,
} from "../../contracts/venue.ts";
import type { BingxAdapterOptions } from "./_adapter_options.ts";
import { CatchUps, catchUp } from "./_catch_up.ts";
import { ContractBook } from "./_contracts_refresh.ts";
import { readVenueLeverage, setVenueLeverage } from "./_leverage.ts";
import { allMarksRequest, MarkCache } from "./_mark_cache.ts";
import { OrderTracker } from "./_order_tracker.ts";
import { Outlets } from "./_outlets.ts";
import { parseBalance, parseOrder, parseOrderList, parsePositions } from "./_parse.ts";
import { rehearseOrder, sampleOrder } from "./_placement.ts";
import { cancelOrder, type PositionMode, readPositionMode, type SubmitContext, submitOrder } from "./_submit.ts";
import { Throttle } from "./_throttle.ts";
import { WorkingOrders } from "./_working_orders.ts";
import { assertUrlsAllowed, type BingxConfig, contractsRefreshMs, DEFAULT_RATE_MARGIN } from "./config.ts";
import * as ep from "./endpoints.ts";
import { VenueRequestError } from "./errors.ts";
import type { FrameResult } from "./normalizer.ts";
import { BingxRestClient } from "./rest_client.ts";
import { realTimers, UserStream } from "./user_stream.ts";

export type { BingxAdapterOptions } from "./_adapter_options.ts";

/** The rate group and priority of a placement (POST trade/order), looked up once. */
const PLACE_RATE = ep.rateOf({ method: "POST", path: ep.PATHS.order });

export class BingxVenueAdapter implements VenueAdapter {
  readonly name = "BINGX" as const;
  private readonly rest: BingxRestClient;
  private readonly stream: UserStream;
  private readonly tracker: OrderTracker;
  private readonly rules: ContractBook;
  private readonly marks: MarkCache;
  private readonly working: WorkingOrders;
  private readonly catchUps: CatchUps;
  private readonly out: Outlets;
  private readonly ctx: SubmitContext;
  private mode: PositionMode | undefined;
  private seq = 0;
  /** The last order submitted: what `rehearseOrder` rehearses. */
  private lastOrder: OrderRequest | null = null;

  constructor(config: BingxConfig, options: BingxAdapterOptions = {}) {
    assertUrlsAllowed(config);
    const refreshMs = contractsRefreshMs(config); // a bad interval is refused before anything is built
    this.out = new Outlets([config.secret, config.apiKey]);
    this.tracker = new OrderTracker(options.streamFeeMode ?? "per_trade", (a) => this.rules.known(a)?.price_step);
    this.working = new WorkingOrders(this.tracker, () => Number(config.clock.monoNs() / 1_000_000n)); // never jumps
    const timers = options.timers ?? realTimers;
    const throttle = new Throttle({
      clock: config.clock,
      margin: config.rateMargin ?? DEFAULT_RATE_MARGIN,
      ipShare: config.ipShare ?? 1,
      sleep: (ms) => new Promise((resolve) => timers.setTimeout(resolve, ms)),
      ...options.throttle,
    });
    this.rest = new BingxRestClient({ ...config, fetch: options.fetch, throttle });
    this.rules = new ContractBook(this.rest, timers, refreshMs, this.out);
    this.marks = new MarkCache(
      () => this.rest.request(allMarksRequest()),
      () => config.clock.nowMs(),
      () => this.rest.venueNowMs(),
    );
    this.catchUps = new CatchUps(
      () => catchUp(this.working, this.rest, this.out, (st) => this.applyState(st)),
      (err) => this.out.diag({ code: "STREAM_GAP", message: `catch-up failed: ${(err as Error).message}` }),
    );
    this.stream = new UserStream({
      rest: this.rest,
      wsUrl: config.wsUrl,
      timers,
      ...options.stream,
      onFrame: (r) => this.onFrame(r),
      onDiagnostic: (d) => this.out.diag(d),
      onOpen: () => this.catchUps.request(),
    });
    this.ctx = {
      rest: this.rest,
      positionMode: async () => this.mode ?? (await this.loadMode()),
      positions: (asset) => this.positions(asset),
      rules: (asset) => this.contractRules(asset),
      knownMode: () => this.mode,
      knownRules: (asset) => this.knownRules(asset),
      markPrice: (asset) => this.marks.peek(asset),
      emit: (e) => this.out.emit(e),
      diag: (d) => this.out.diag(d),
      track: (cid, asset, opens, sentMs) => this.working.track(cid, asset, true, opens, sentMs),
      untrack: (cid) => this.working.untrack(cid),
      applyState: (s) => this.applyState(s),
      reportedCumulative: (id) => this.tracker.reported(id),
      nextSeq: () => ++this.seq,
      nowMs: () => this.rest.venueNowMs(),
      resolveDelaysMs: options.resolveDelaysMs ?? [0, 250, 1000],
      sleep: (ms) => new Promise((resolve) => timers.setTimeout(resolve, Math.min(ms, 10_000))),
    };
  }

  async connect(): Promise<void> {
    await this.out.guard(async () => {
      await this.rest.syncTime();
      await this.loadMode();
      await this.rules.load();
      await this.marks.refresh();
      await this.stream.start();
      this.rules.start();
    });
  }

  /** The account's position mode as last read (undefined before `connect()`). */
  positionMode(): PositionMode | undefined {
    return this.mode;
  }

  async close(): Promise<void> {
    this.rules.stop();
    await this.stream.stop();
    this.rest.close();
  }

  connected(): boolean {
    return this.stream.isOpen();
  }

  rateStats(): VenueRateStats {
    return this.rest.rateStats();
  }

  orderHoldMs(): number | null {
    return this.rest.refusedForMs(PLACE_RATE);
  }

  async submit(order: OrderRequest): Promise<SubmitResult> {
    // Judged before the placement: its own fill, reported by the stream, may refresh the mark first.
    this.lastOrder = order;
    const markWasStale = order.type === "MARKET" && this.marks.stale(order.asset);
    let venueOrderId = "";
    try {
      const result = await this.out.guard(() => submitOrder(this.ctx, order));
      if (result.status === "ACCEPTED") venueOrderId = result.venue_order_id;
      return result;
    } finally {
      this.working.placed(order.client_order_id, venueOrderId);
      if (markWasStale) void this.marks.refresh(); // off the order path: its mark was stale, all are read again
    }
  }

  rehearseOrder(): void {
    rehearseOrder(this.ctx, this.lastOrder ?? sampleOrder(this.rules.all()));
  }

  async cancel(asset: string, clientOrderId: string): Promise<CancelResult> {
    const venueOrderId = this.working.exact(clientOrderId)?.venue_order_id ?? "";
    return this.out.guard(() => cancelOrder(this.ctx, asset, clientOrderId, venueOrderId));
  }

  async queryOrder(asset: string, clientOrderId: string, createdAtMs?: number): Promise<VenueOrderState | null> {
    return this.out.guard(async () => {
      try {
        const s = parseOrder(await this.rest.request(ep.queryOrder(asset, clientOrderId)));
        if (!s) throw new VenueRequestError("MALFORMED", `query order ${clientOrderId}: answer unreadable`);
        const since = createdAtMs === undefined ? undefined : createdAtMs + this.rest.timeOffsetMs; // venue ms
        return { ...s, client_order_id: this.working.queried(clientOrderId, asset, s, since, this.mode) };
      } catch (err) {
        if (!(err instanceof VenueRequestError && err.orderAbsent)) throw err;
        this.working.forgetAbsent(clientOrderId); // the executor rejects it as ABSENT (no placement running)
        return null;
      }
    });
  }

  rememberClientIds(orders: readonly RestoredOrder[]): void {
    this.working.remember(orders, this.rest.timeOffsetMs);
  }

  async openOrders(asset?: string): Promise<VenueOrderState[]> {
    return this.out.guard(async () => {
      const orders = this.out.whole(parseOrderList(await this.rest.request(ep.openOrders(asset))));
      return orders.map((o) => ({ ...o, client_order_id: this.working.kernelIdOf(o) }));
    });
  }

  async positions(asset?: string): Promise<VenuePosition[]> {
    return this.out.guard(async () => {
      const positions = this.out.whole(parsePositions(await this.rest.request(ep.positions(asset))));
      return positions.filter((p) => asset === undefined || p.asset === asset);
    });
  }

  async balance(): Promise<VenueBalance> {
    return this.out.guard(async () => {
      const b = parseBalance(await this.rest.request(ep.balance()));
      if (!b) throw new VenueRequestError("MALFORMED", "balance: answer unreadable");
      return b;
    });
  }

  async contractRules(asset: string): Promise<ContractRules> {
    return this.out.guard(() => this.rules.get(asset));
  }

  /** The contract rules already read, or null (before connect, or an asset not listed). */
  knownRules(asset: string): ContractRules | null {
    return this.rules.known(asset);
  }

  knownListed(asset: string): boolean | null {
    return this.rules.listed(asset);
  }

  knownMark(asset: string): number | null {
    return this.marks.peek(asset) ?? null;
  }

  /** Checked against the contract's maximum and (one-way: one leverage per symbol) held positions first (_leverage.ts). */
  async setLeverage(asset: string, side: PositionSide, leverage: number): Promise<void> {
    await this.out.guard(() => setVenueLeverage(this.ctx, asset, side, leverage));
  }

  /** Read strictly (_leverage.ts): a value that is not a whole leverage within the contract's maximum is MALFORMED. */
  async leverageOf(asset: string): Promise<Record<PositionSide, number>> {
    return this.out.guard(() => readVenueLeverage(this.ctx, asset));
  }

  readonly onEvent = (listener: VenueEventListener) => this.out.onEvent(listener);
  readonly onDiagnostic = (listener: VenueDiagnosticListener) => this.out.onDiagnostic(listener);
  /** Each ACCOUNT_CONFIG_UPDATE the stream pushes, as read by the normalizer (a malformed one is a diagnostic). */
  readonly onLeverage = (listener: VenueLeverageListener) => this.out.onLeverage(listener);
  /** The positions each ACCOUNT_UPDATE pushes (`_account_update.ts`): a hint to reconcile at once. */
  readonly onPositions = (listener: VenuePositionListener) => this.out.onPositions(listener);

  private onFrame(r: FrameResult): void {
    if (r.type === "malformed") this.out.diag(r.diagnostic);
    if (r.type === "leverage") this.out.leverage(r.fact);
    if (r.type === "positions") this.out.positions(r.positions);
    if (r.type === "order") this.emitTracked(this.tracker.fromFact(r.fact, this.working.kernelIdOf(r.fact)));
  }

  private applyState(s: VenueOrderState): void {
    this.emitTracked(this.tracker.fromState(s, this.working.kernelIdOf(s)));
  }

  private emitTracked(e: VenueEvent): void {
    if (e.last_fill_size > 0) this.marks.set(e.asset, e.last_fill_price, e.venue_time_ms); // the stream feeds the marks
    if (this.tracker.hasEnded(e.venue_order_id)) this.working.untrack(e.client_order_id);
    this.out.emit(e);
  }

  private async loadMode(): Promise<PositionMode> {
    this.mode = await readPositionMode(this.rest, this.ctx.sleep);
    return this.mode;
  }
}
