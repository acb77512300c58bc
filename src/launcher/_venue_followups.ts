/**
 * The venue's answers to the orders ring intents made, for the intents' producers: as the kernel
 * accepts a ring batch, before its orders are sent, each accepted ENTER, EXIT or CANCEL that asked
 * for an outcome is remembered by the client order id of the order it made (or cancels); every
 * venue event for that order (ACK, fills, CANCEL_ACK, CANCEL_REJECT, REJECT — including
 * RATE_LIMITED with the venue's retry hint) is published as a VENUE outcome under the
 * client_intent_id of every intent that asked about it, until the order is finished (FILLED,
 * CANCELLED, REJECTED): a strategy's ENTER and a risk process's CANCEL of that order both hear its
 * fill and CANCEL_ACK; an intent id asked twice is published once. At most ASKERS_MAX (4) intents
 * per order: past it the first asker stays and the oldest later one is let go (it hears nothing
 * more of that order). A duplicate or stale delivery the kernel ignored is not published. Venue
 * events that come while the batch is sent (a synchronous refusal) are held and published right
 * after the batch's own outcomes (`hold`, `release`), so a producer reads KERNEL, then VENUE. An
 * order already finished when its intent is tracked is not remembered: nothing follows it. An
 * entry leaves when a venue event finishes its order. The memory is bounded (TRACKED_MAX orders):
 * an order the kernel ends with no venue event for it (a RECONCILE: live reconciliation found it
 * gone at the venue) leaves its entry behind, so at the bound every entry whose order its slot no
 * longer works (finished, or replaced) is let go first; only then the oldest, which serve's at
 * most 256 slots (two working orders each) never reach. The memory lives in the process: after a
 * restart it is empty, and orders placed before get no VENUE outcome (clients read the slot).
 *
 * Entry point: `VenueFollowups` (owned by `RingIntake`).
 */

import { EVENT_KINDS } from "../contracts/enums.ts";
import type { KernelOutcome } from "../contracts/records.ts";
import type { VenueEvent } from "../contracts/venue.ts";
import type { ExecutionKernel } from "../kernel/index.ts";
import { OutcomeBatch, type OutcomeFacts, type ZincPlane } from "../zinc/index.ts";
import { slotFacts } from "./_ring_outcomes.ts";

const TRACKED_MAX = 4096;
/** Intents remembered per order (the ENTER's producer, a risk process's CANCEL, ...). */
const ASKERS_MAX = 4;
const VENUE_EVENT_KIND = 7;
const FINISHED = new Set([4, 6, 7]); // OrderStatus FILLED, CANCELLED, REJECTED
const NOISE = new Set(["DUPLICATE_EVENT", "STALE_EVENT"]);
const ENTRY_ORDER = 80;
const EXIT_ORDER = 224;
const utf8 = new TextDecoder();

function orderId(image: Uint8Array, at: number): string {
  if (image[at] !== 1) return "";
  const raw = image.subarray(at + 96, at + 136);
  const end = raw.indexOf(0);
  return utf8.decode(end < 0 ? raw : raw.subarray(0, end));
}

function sameId(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 8; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class VenueFollowups {
  /** Per order client id: its slot and the client_intent_ids that asked about it, first asker first. */
  private readonly byOrder = new Map<string, { ids: Uint8Array[]; slot: number }>();
  private readonly batch = new OutcomeBatch(1);
  /** While a ring batch drains (`holding`): venue outcomes wait here, published after the batch's own. */
  private readonly held: Array<{ id: Uint8Array; facts: OutcomeFacts }> = [];
  private holding = false;

  constructor(
    private readonly zinc: ZincPlane,
    private readonly kernel: ExecutionKernel,
  ) {}

  get tracked(): number {
    return this.byOrder.size;
  }

  /** An accepted ENTER (1), EXIT (2) or CANCEL (3) on `slot` whose producer wants outcomes. */
  track(kind: number, slot: number, id: Uint8Array): void {
    const image = this.kernel.slotImage(slot);
    const stage = image[4];
    const at = kind === 2 || (kind === 3 && stage === 4) ? EXIT_ORDER : ENTRY_ORDER;
    const cid = orderId(image, at);
    // Finished already (the venue refused it while the batch was sent, before this track): no
    // event will follow, so an entry would stay until the bound evicts a live order's instead.
    if (cid === "" || FINISHED.has(image[at + 2]!)) return;
    const entry = this.byOrder.get(cid) ?? { ids: [], slot };
    this.byOrder.delete(cid); // re-set below: the most recently asked-about order is the newest
    this.byOrder.set(cid, entry);
    if (!entry.ids.some((known) => sameId(known, id))) {
      if (entry.ids.length >= ASKERS_MAX) entry.ids.splice(1, 1); // the first asker stays
      entry.ids.push(id.slice());
    }
    if (this.byOrder.size > TRACKED_MAX) this.evict();
  }

  /**
   * At the bound: lets go of every entry whose order its slot no longer works (no venue event will
   * finish it: nothing needs it), then, if still over, of the oldest. A live order's entry stays.
   */
  private evict(): void {
    for (const [cid, e] of this.byOrder) {
      const status = this.orderStatus(e.slot, cid);
      if (status === 0 || FINISHED.has(status)) this.byOrder.delete(cid);
    }
    if (this.byOrder.size > TRACKED_MAX) this.byOrder.delete(this.byOrder.keys().next().value!);
  }

  /** A venue event's kernel outcome: publishes it under every intent that asked about the order. */
  venue(event: VenueEvent, outcome: KernelOutcome, nowMs: number): void {
    const entry = this.byOrder.get(event.client_order_id);
    if (entry === undefined) return;
    if (!outcome.accepted && outcome.diagnostics.every((d) => NOISE.has(d.code))) return;
    const now = slotFacts(this.kernel.slotImage(entry.slot));
    const facts: OutcomeFacts = {
      origin: "VENUE",
      now_ms: nowMs,
      input_kind: VENUE_EVENT_KIND,
      slot_id: entry.slot,
      slot_version: now.version,
      accepted: outcome.accepted,
      stage: now.stage,
      event_kind: EVENT_KINDS.indexOf(event.kind) + 1,
      order_status: now.order_status,
      diagnostics: outcome.diagnostics,
    };
    for (const id of entry.ids) {
      if (this.holding) this.held.push({ id, facts });
      else this.publish(id, facts);
    }
    const status = this.orderStatus(entry.slot, event.client_order_id);
    if (status === 0 || FINISHED.has(status)) this.byOrder.delete(event.client_order_id);
  }

  /**
   * Holds venue outcomes while a ring batch drains: an order the venue refuses synchronously is
   * answered while the batch is sent, before the batch publishes its intents' own outcomes, and a
   * producer reads its KERNEL outcome first. `release` publishes what was held, in order.
   */
  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const h of this.held) this.publish(h.id, h.facts);
    this.held.length = 0;
  }

  private publish(id: Uint8Array, facts: OutcomeFacts): void {
    this.batch.clear();
    this.batch.add(id, facts);
    this.zinc.publishOutcomes(this.batch.bytes, 1);
  }

  /** The status of the slot's order with this client id (0 when the slot holds no such order). */
  private orderStatus(slot: number, cid: string): number {
    const image = this.kernel.slotImage(slot);
    if (orderId(image, ENTRY_ORDER) === cid) return image[ENTRY_ORDER + 2]!;
    if (orderId(image, EXIT_ORDER) === cid) return image[EXIT_ORDER + 2]!;
    return 0;
  }
}
