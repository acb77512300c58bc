/**
 * Why the mock venue refuses a request, in BingX terms (code + message), decided from the knobs
 * and the order book. Counted knobs are consumed here, so one refusal uses one count.
 *
 * The contract rules are the BingX adapter's own (`ruleCheck`): a close of the whole position
 * (`closes_position`) skips the minimum quantity and notional there too.
 *
 * Entry points: `placeRefusal`, `cancelRefusal`, `ruleCheck`, `Refusal`.
 */

import type { ContractRules, OrderRequest } from "../../contracts/venue.ts";
import { applyContractRules, closesWholePosition, type RuleCheck } from "../bingx/contract_rules.ts";
import type { MockOrder } from "./_orders.ts";
import { consumeCount, type MockKnobs } from "./knobs.ts";

export interface Refusal {
  reason: "VENUE" | "RATE_LIMITED";
  code: string;
  message: string;
  retry_after_ms?: number;
}

export interface KnobCell {
  get(): MockKnobs;
  set(knobs: MockKnobs): void;
}

function rateLimited(cell: KnobCell): Refusal | null {
  const k = cell.get();
  if (!k.rate_limit) return null;
  cell.set(consumeCount(k, "rate_limit"));
  const out: Refusal = { reason: "RATE_LIMITED", code: "100410", message: "rate limited" };
  if (k.rate_limit.retry_after_ms !== undefined) out.retry_after_ms = k.rate_limit.retry_after_ms;
  return out;
}

export function placeRefusal(cell: KnobCell, request: OrderRequest, hasPrice: boolean, full: boolean): Refusal | null {
  const limited = rateLimited(cell);
  if (limited) return limited;
  const k = cell.get();
  if (k.reject) {
    cell.set(consumeCount(k, "reject"));
    return { reason: "VENUE", code: String(k.reject.code), message: k.reject.message };
  }
  if (!hasPrice) return { reason: "VENUE", code: "80014", message: `symbol ${request.asset} does not exist` };
  if (full) return { reason: "VENUE", code: "80013", message: "too many orders" };
  return null;
}

/** The adapter's contract rules for `request` at `price` (the mock's LOCAL_RULE refusals). */
export function ruleCheck(rules: ContractRules, request: OrderRequest, price: number): RuleCheck {
  const whole = closesWholePosition(request);
  return applyContractRules(rules, request.size, request.price, price, request.side, whole);
}

export function cancelRefusal(cell: KnobCell, order: MockOrder | undefined, asset: string): Refusal | null {
  const limited = rateLimited(cell);
  if (limited) return limited;
  if (!order || order.request.asset !== asset) return { reason: "VENUE", code: "80016", message: "order not exist" };
  if (order.status === "FILLED") return { reason: "VENUE", code: "80018", message: "order is already filled" };
  if (order.status !== "NEW" && order.status !== "PARTIALLY_FILLED") {
    return { reason: "VENUE", code: "80016", message: `order is ${order.status}` };
  }
  const knob = cell.get().cancel_reject;
  if (knob) {
    const custom = typeof knob === "object" ? knob : {};
    return {
      reason: "VENUE",
      code: String(custom.code ?? "80012"),
      message: custom.message ?? "cancel refused by scenario",
    };
  }
  return null;
}
