/**
 * MockVenueAdapter: an in-process venue, deterministic from a seed, shaped like BingX (19-digit string order ids, the
 * client order id echoed, BingX statuses and reject codes). With no knobs it acknowledges and fully fills market
 * orders at its seeded price within milliseconds (setTimeout-scheduled); a limit the price crosses fills at that
 * price, others rest (on the tick) until `setPrice` crosses them, paying the maker fee then (taker otherwise). It
 * keeps hedge positions and the USDT wallet like the venue; working opening limits reserve margin until they fill or
 * are cancelled, an opening order beyond what is left is refused 101204 (`_refusals.ts`). Leverage is pushed to
 * `onLeverage` on a change (by anyone) and at connect, as BingX's stream does (`_leverage_pushes.ts`). Its contract list
 * is the assets it has a price for (`setPrice` adds one; `knownListed`): another's orders are refused 80014.
 *
 * Invariants: one order per client order id, lower-cased (the same order sent again answers its placement; another
 * is refused: `_refusals.ts`); cumulative filled size and fee only grow; venue state changes before any event about
 * it; a rejected request leaves no order behind.
 *
 * Bound: ORDERS_MAX orders; past it the oldest finished one is forgotten (`forgetOldestFinished`, never one that can
 * still fill); a new order is refused (80013) only when all of them are working.
 *
 * Entry points: `new MockVenueAdapter({ seed, clock, prices, balance?, knobs? })`, `setKnobs`, `clearKnobs`,
 * `setPrice`, `fills` and `allOrders` (the venue's own records, for auditors), plus the `VenueAdapter` interface.
 */

import type { Clock } from "../../contracts/clock.ts";
import { Rng } from "../../contracts/rng.ts";
import type {
  CancelResult,
  ContractRules,
  OrderRequest,
  PositionSide,
  SubmitResult,
  VenueAdapter,
  VenueBalance,
  VenueDiagnosticListener,
  VenueEvent,
  VenueEventListener,
  VenueLeverageListener,
  VenueOrderState,
  VenuePosition,
} from "../../contracts/venue.ts";
import { defaultRules } from "../bingx/contract_rules.ts";
import { Delivery } from "./_delivery.ts";
import { MockLedger } from "./_ledger.ts";
import { LeveragePushes } from "./_leverage_pushes.ts";
import { cancelOrder, crossesNow, fillOrder, restingCrossed } from "./_matching.ts";
import {
  cancelRejectEvent,
  forgetOldestFinished,
  isOpenOn,
  type MockOrder,
  newOrder,
  orderEvent,
  orderState,
  rejectEvent,
  uniqueOrderId,
} from "./_orders.ts";
import {
  cancelRefusal,
  clientIdRefusal,
  closeRefusal,
  type KnobCell,
  marginRefusal,
  placeRefusal,
  RateHold,
  type Refusal,
  ruleCheck,
  transportFailure,
} from "./_refusals.ts";
import { FillHistory, type MockFill } from "./fill_history.ts";
import { type MockKnobs, mergeKnobs, validateKnobs } from "./knobs.ts";

export interface MockVenueOptions {
  seed: number;
  clock: Clock;
  prices: Record<string, number>;
  balance?: number;
  knobs?: MockKnobs;
  rules?: Record<string, ContractRules>;
}

const ORDERS_MAX = 100_000;

export class MockVenueAdapter implements VenueAdapter {
  readonly name = "MOCK" as const;
  readonly seed: number;
  private knobState: MockKnobs;
  private readonly rng: Rng;
  private readonly clock: Clock;
  private readonly prices = new Map<string, number>();
  private readonly rules: Record<string, ContractRules>;
  private readonly orders = new Map<string, MockOrder>();
  private readonly ledger: MockLedger;
  private readonly delivery: Delivery;
  private readonly history = new FillHistory();
  private readonly diagListeners = new Set<VenueDiagnosticListener>();
  private readonly orderIds = new Set<string>();
  private readonly knobCell: KnobCell = { get: () => this.knobState, set: (k) => (this.knobState = k) };
  private readonly hold = new RateHold(() => this.clock.nowMs());
  private readonly leverage = new LeveragePushes(this.knobCell, () => (this.isConnected ? this.clock.nowMs() : null));
  private isConnected = false;
  private seq = 0;

  constructor(opts: MockVenueOptions) {
    this.seed = opts.seed;
    this.rng = new Rng(opts.seed);
    this.clock = opts.clock;
    this.ledger = new MockLedger(opts.balance ?? 10_000, (asset) => this.prices.get(asset) ?? 0);
    this.delivery = new Delivery(this.rng, this.knobCell);
    this.knobState = validateKnobs(opts.knobs ?? {});
    for (const [asset, price] of Object.entries(opts.prices)) this.setPrice(asset, price); // no order yet to cross
    this.rules = { ...(opts.rules ?? {}) };
  }

  /** Merges knobs into the current ones; a knob set to `undefined` is switched off. */
  setKnobs(knobs: MockKnobs): void {
    this.knobState = mergeKnobs(this.knobState, knobs);
  }

  clearKnobs(): void {
    this.knobState = {};
  }

  setPrice(asset: string, price: number): void {
    if (!(Number.isFinite(price) && price > 0))
      throw new Error(`Condition failed: price for ${asset} must be positive, got ${price}`);
    this.prices.set(asset, price);
    for (const order of restingCrossed(this.orders.values(), asset, price))
      this.delivery.deliver(this.fill(order, order.request.price as number, true));
  }

  async connect(): Promise<void> {
    this.isConnected = true;
    this.delivery.open();
    this.leverage.atConnect(this.ledger);
  }

  async close(): Promise<void> {
    this.isConnected = false;
    this.delivery.close();
  }

  connected(): boolean {
    return this.isConnected;
  }

  async submit(order: OrderRequest): Promise<SubmitResult> {
    if (!this.isConnected) throw new Error("Invariant: MockVenueAdapter.submit before connect()");
    const failed = transportFailure(this.knobCell, "http_5xx");
    const result = failed ?? this.place(order);
    await this.delivery.answerDelay();
    if (result.status === "ACCEPTED") return transportFailure(this.knobCell, "drop_responses") ?? result;
    return result;
  }

  private place(request: OrderRequest): SubmitResult {
    const existing = this.orders.get(request.client_order_id.toLowerCase());
    if (existing) {
      const taken = clientIdRefusal(existing, request);
      return taken ? this.reject(request, taken) : { status: "ACCEPTED", venue_order_id: existing.venue_order_id };
    }
    const refused = placeRefusal(
      this.knobCell,
      this.hold,
      request,
      this.prices.has(request.asset),
      this.orders.size >= ORDERS_MAX && !forgetOldestFinished(this.orders, this.orderIds),
    );
    if (refused) return this.reject(request, refused);
    const price = this.prices.get(request.asset) as number;
    const rules = this.rules[request.asset] ?? defaultRules(request.asset);
    const check = ruleCheck(rules, request, price);
    if (!check.ok) {
      const details = { rule: check.rule, client_order_id: request.client_order_id };
      for (const l of [...this.diagListeners]) l({ code: "LOCAL_RULE", message: check.message, details });
      return this.reject(request, { reason: "VENUE", code: "LOCAL_RULE", message: check.message });
    }
    const held = this.ledger.held(request.asset, request.position_side);
    const fundsRefused =
      closeRefusal(this.orders.values(), request, check.size, held) ??
      marginRefusal(request, check, price, this.ledger);
    if (fundsRefused) return this.reject(request, fundsRefused);
    const id = uniqueOrderId(this.rng, this.orderIds);
    const order = newOrder(id, request, check, this.clock.nowMs(), this.knobState.hung === true);
    this.orders.set(request.client_order_id.toLowerCase(), order);
    this.ledger.track(order);
    if (order.hung) return { status: "ACCEPTED", venue_order_id: order.venue_order_id };
    const events: VenueEvent[] = [orderEvent(order, "ACK", { qty: 0, price: 0 }, this.clock.nowMs())];
    // A marketable limit takes the venue's price (as a taker), never worse than its limit.
    if (crossesNow(order, price)) events.push(...this.fill(order, price, false));
    this.delivery.deliver(events);
    return { status: "ACCEPTED", venue_order_id: order.venue_order_id };
  }

  private reject(request: OrderRequest, detail: Refusal): SubmitResult {
    const event = rejectEvent(request, "REJECT", { ...detail, seq: ++this.seq }, this.clock.nowMs());
    this.delivery.deliver([event]);
    return { status: "REJECTED", event };
  }

  /** Fills `order` at `price`; `maker` for a resting limit the price crossed later (maker fee). */
  private fill(order: MockOrder, price: number, maker: boolean): VenueEvent[] {
    const rules = this.rules[order.request.asset] ?? defaultRules(order.request.asset);
    const feeBefore = order.fee;
    const legs = this.knobState.partial_fill_legs ?? 1;
    const events = fillOrder(order, price, rules.quantity_step, legs, this.clock.nowMs(), this.ledger, maker);
    this.history.record(order.request, events, feeBefore);
    return events;
  }

  /** Every execution, in the order the venue booked it (the fill history a venue reports). */
  fills(): MockFill[] {
    return this.history.all();
  }

  /** Every order the venue holds, open or finished, in placement order (open ones: `openOrders`). */
  allOrders(): VenueOrderState[] {
    return [...this.orders.values()].map(orderState);
  }

  knobs(): MockKnobs {
    return { ...this.knobState };
  }

  async cancel(asset: string, clientOrderId: string): Promise<CancelResult> {
    if (!this.isConnected) throw new Error("Invariant: MockVenueAdapter.cancel before connect()");
    const result = transportFailure(this.knobCell, "http_5xx") ?? this.cancelNow(asset, clientOrderId);
    await this.delivery.answerDelay();
    return result;
  }

  private cancelNow(asset: string, clientOrderId: string): CancelResult {
    const order = this.orders.get(clientOrderId.toLowerCase());
    const refusal = cancelRefusal(this.knobCell, order, asset);
    if (refusal) {
      const event = cancelRejectEvent(clientOrderId, asset, order, { ...refusal, seq: ++this.seq }, this.clock.nowMs());
      this.delivery.deliver([event]);
      return { status: "REJECTED", event };
    }
    this.delivery.deliver([cancelOrder(order as MockOrder, this.clock.nowMs(), this.ledger)]);
    return { status: "REQUESTED" };
  }

  async queryOrder(_asset: string, clientOrderId: string, _createdAtMs?: number): Promise<VenueOrderState | null> {
    const order = this.orders.get(clientOrderId.toLowerCase());
    return order ? orderState(order) : null;
  }

  async openOrders(asset?: string): Promise<VenueOrderState[]> {
    return [...this.orders.values()].filter((o) => isOpenOn(o, asset)).map(orderState);
  }

  async positions(asset?: string): Promise<VenuePosition[]> {
    return this.ledger.positions(asset);
  }

  async balance(): Promise<VenueBalance> {
    return this.ledger.balance();
  }

  async contractRules(asset: string): Promise<ContractRules> {
    return { ...(this.rules[asset] ?? defaultRules(asset)) };
  }

  orderHoldMs(): number | null {
    return this.hold.remainingMs();
  }

  knownRules(asset: string): ContractRules | null {
    return { ...(this.rules[asset] ?? defaultRules(asset)) };
  }

  knownListed(asset: string): boolean | null {
    return this.prices.has(asset);
  }

  knownMark(asset: string): number | null {
    return this.prices.get(asset) ?? null;
  }

  async setLeverage(asset: string, side: PositionSide, leverage: number): Promise<void> {
    this.leverage.set(this.ledger, asset, side, leverage, this.rules[asset] ?? defaultRules(asset));
  }

  /** What `setLeverage` stored per side (by the executor or by hand), else the default its positions report. */
  async leverageOf(asset: string): Promise<Record<PositionSide, number>> {
    return { LONG: this.ledger.leverage(asset, "LONG"), SHORT: this.ledger.leverage(asset, "SHORT") };
  }

  onLeverage(listener: VenueLeverageListener): () => void {
    return this.leverage.subscribe(listener);
  }

  onEvent(listener: VenueEventListener): () => void {
    return this.delivery.subscribe(listener);
  }

  onDiagnostic(listener: VenueDiagnosticListener): () => void {
    this.diagListeners.add(listener);
    return () => this.diagListeners.delete(listener);
  }
}
