/**
 * Scenario knobs of the mock venue. Every knob is off by default; `validateKnobs` refuses
 * nonsense (negative latency, zero legs) with a `Condition failed:` error so a chaos run cannot
 * configure an impossible venue. Knobs with a `count` apply to that many requests and then
 * switch themselves off; without a count they stay on until changed with `setKnobs`. The
 * transport faults (`http_5xx`, `drop_responses`, `stream_drop`) let chaos runs give the mock the
 * failures bingx-sim injects over HTTP and WebSocket.
 */

export interface MockKnobs {
  /** Refuse new orders with this venue code and message. */
  reject?: { code: string | number; message: string; count?: number };
  /** Fill market orders (and crossed limits) in this many legs instead of one. */
  partial_fill_legs?: number;
  /** Refuse cancels (the order keeps working). */
  cancel_reject?: boolean | { code?: string | number; message?: string };
  /** Accept orders and then never report anything about them (no ACK, no fill). */
  hung?: boolean;
  /** Refuse requests as rate limited; `retry_after_ms` is the venue's hint when present. */
  rate_limit?: { retry_after_ms?: number; count?: number };
  /** Deliver every event twice. */
  duplicate_delivery?: boolean;
  /** Deliver the events of one venue action in a seeded shuffled order. */
  reordered_delivery?: boolean;
  /** Delay of every answer and every delivery, in milliseconds. */
  latency_ms?: number;
  /** Fail the next `count` place/cancel calls before they execute, as a venue 5xx does (outcome UNKNOWN). */
  http_5xx?: { count: number };
  /** Execute the next `count` placements but lose their answers (outcome UNKNOWN; the order exists). */
  drop_responses?: { count: number };
  /** A stream that drops mid-fill: `after` more events are delivered, the rest of that batch is lost. */
  stream_drop?: { after: number };
}

const LATENCY_MAX_MS = 60_000;
const LEGS_MAX = 100;
const COUNT_MAX = 1_000_000;

export function validateKnobs(knobs: MockKnobs): MockKnobs {
  const k = { ...knobs };
  if (
    k.latency_ms !== undefined &&
    !(Number.isFinite(k.latency_ms) && k.latency_ms >= 0 && k.latency_ms <= LATENCY_MAX_MS)
  ) {
    throw new Error(`Condition failed: latency_ms must be within 0..${LATENCY_MAX_MS}, got ${k.latency_ms}`);
  }
  if (
    k.partial_fill_legs !== undefined &&
    !(Number.isInteger(k.partial_fill_legs) && k.partial_fill_legs >= 1 && k.partial_fill_legs <= LEGS_MAX)
  ) {
    throw new Error(
      `Condition failed: partial_fill_legs must be an integer within 1..${LEGS_MAX}, got ${k.partial_fill_legs}`,
    );
  }
  for (const key of ["http_5xx", "drop_responses"] as const) {
    const n = k[key]?.count;
    if (n !== undefined && !(Number.isInteger(n) && n >= 1 && n <= COUNT_MAX))
      throw new Error(`Condition failed: ${key}.count must be an integer within 1..${COUNT_MAX}, got ${n}`);
  }
  const after = k.stream_drop?.after;
  if (after !== undefined && !(Number.isInteger(after) && after >= 0 && after <= COUNT_MAX))
    throw new Error(`Condition failed: stream_drop.after must be an integer within 0..${COUNT_MAX}, got ${after}`);
  const hint = k.rate_limit?.retry_after_ms;
  if (hint !== undefined && !(Number.isFinite(hint) && hint >= 0)) {
    throw new Error(`Condition failed: rate_limit.retry_after_ms must be >= 0, got ${hint}`);
  }
  return k;
}

/** `patch` merged into `current` (a knob set to `undefined` is switched off), validated. */
export function mergeKnobs(current: MockKnobs, patch: MockKnobs): MockKnobs {
  const merged: MockKnobs = { ...current, ...patch };
  for (const key of Object.keys(merged) as (keyof MockKnobs)[]) if (merged[key] === undefined) delete merged[key];
  return validateKnobs(merged);
}

/** Consumes one use of a counted knob; returns the knobs left after this request. */
export function consumeCount<K extends "reject" | "rate_limit" | "http_5xx" | "drop_responses">(
  knobs: MockKnobs,
  key: K,
): MockKnobs {
  const knob = knobs[key];
  if (!knob || knob.count === undefined) return knobs;
  if (knob.count <= 1) {
    const rest = { ...knobs };
    delete rest[key];
    return rest;
  }
  return { ...knobs, [key]: { ...knob, count: knob.count - 1 } };
}
