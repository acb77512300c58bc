/**
 * One process's view of a venue adapter. A chaos "restart" replaces the kernel and executor while
 * the venue lives on (the mock venue is an in-process object both processes share); the old
 * executor must stop receiving events, as a dead process would. `Gate` forwards every call to the
 * adapter and remembers the listeners it registered, so `retire()` detaches them all.
 *
 * Entry point: `new Gate(adapter)`, `retire()`.
 */

import type {
  CancelResult,
  ContractRules,
  OrderRequest,
  PositionSide,
  SubmitResult,
  VenueAdapter,
  VenueBalance,
  VenueDiagnosticListener,
  VenueEventListener,
  VenueLeverageListener,
  VenueOrderState,
  VenuePosition,
} from "../contracts/venue.ts";

export class Gate implements VenueAdapter {
  private readonly detach: (() => void)[] = [];

  constructor(readonly inner: VenueAdapter) {}

  get name(): "MOCK" | "BINGX" {
    return this.inner.name;
  }
  connect(): Promise<void> {
    return this.inner.connect();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  submit(order: OrderRequest): Promise<SubmitResult> {
    return this.inner.submit(order);
  }
  cancel(asset: string, clientOrderId: string): Promise<CancelResult> {
    return this.inner.cancel(asset, clientOrderId);
  }
  queryOrder(asset: string, clientOrderId: string, createdAtMs?: number): Promise<VenueOrderState | null> {
    return this.inner.queryOrder(asset, clientOrderId, createdAtMs);
  }
  openOrders(asset?: string): Promise<VenueOrderState[]> {
    return this.inner.openOrders(asset);
  }
  positions(asset?: string): Promise<VenuePosition[]> {
    return this.inner.positions(asset);
  }
  balance(): Promise<VenueBalance> {
    return this.inner.balance();
  }
  contractRules(asset: string): Promise<ContractRules> {
    return this.inner.contractRules(asset);
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
    return this.inner.setLeverage(asset, side, leverage);
  }
  leverageOf(asset: string): Promise<Record<PositionSide, number>> {
    return this.inner.leverageOf(asset);
  }
  connected(): boolean {
    return this.inner.connected();
  }
  onEvent(listener: VenueEventListener): () => void {
    const off = this.inner.onEvent(listener);
    this.detach.push(off);
    return off;
  }
  onDiagnostic(listener: VenueDiagnosticListener): () => void {
    const off = this.inner.onDiagnostic(listener);
    this.detach.push(off);
    return off;
  }
  onLeverage(listener: VenueLeverageListener): () => void {
    const off = this.inner.onLeverage(listener);
    this.detach.push(off);
    return off;
  }

  /** Detaches every listener registered through this gate. */
  retire(): void {
    for (const off of this.detach.splice(0)) off();
  }
}
