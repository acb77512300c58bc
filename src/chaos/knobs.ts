/**
 * Fault knobs, drawn from the run's seed: each step gets its own draw, so a seed names a whole
 * fault schedule. They are written in bingx-sim's vocabulary (`SimFaults`); venue.ts translates
 * them for the mock venue. These knobs can fire — latency, dropped placement answers, 5xx, forced
 * rate limits (with and without the venue's hint), duplicated and reordered stream frames, stream
 * disconnects, fills in several legs, refused cancels — each with its own probability, and most
 * steps draw several at once. Never drawn: the canary skews, and bingx-sim's `pending_ms`,
 * `reject_orders` and `ip_ban` (a case may set them on bingx-sim; `noKnobs()` turns them off).
 *
 * Entry points: `drawKnobs(rng)`, `noKnobs()`, `describeKnobs(knobs)`.
 */

import type { Rng } from "../contracts/rng.ts";
import { defaultFaults } from "../sim/index.ts";
import type { ChaosKnobs } from "./venue.ts";

/** Probability that a knob is on in a step, in percent. */
const CHANCE = {
  latency: 25,
  drop: 20,
  http5xx: 15,
  rateLimit: 15,
  duplicate: 30,
  reorder: 30,
  disconnect: 15,
  legs: 50,
  cancelReject: 15,
};

const on = (rng: Rng, percent: number) => rng.int(1, 100) <= percent;

/** Every knob off: bingx-sim's own defaults, so a fault the sim gains is off here too. */
export function noKnobs(): ChaosKnobs {
  return defaultFaults();
}

export function drawKnobs(rng: Rng): ChaosKnobs {
  const k = noKnobs();
  if (on(rng, CHANCE.latency)) k.latency_ms = rng.int(1, 40);
  if (on(rng, CHANCE.drop)) k.drop_responses = rng.int(1, 2);
  if (on(rng, CHANCE.http5xx)) k.http_5xx = rng.int(1, 2);
  if (on(rng, CHANCE.rateLimit)) k.rate_limit = { count: 1, retry_hint: on(rng, 50) };
  k.duplicate_events = on(rng, CHANCE.duplicate);
  k.reorder_events = on(rng, CHANCE.reorder);
  if (on(rng, CHANCE.disconnect)) k.stream_disconnect = rng.int(1, 4);
  if (on(rng, CHANCE.legs)) k.partial_fill_legs = rng.int(2, 4);
  k.cancel_reject = on(rng, CHANCE.cancelReject);
  return k;
}

/** The knobs that are on, for the verdict (compact). */
export function describeKnobs(k: ChaosKnobs): string[] {
  const d = noKnobs();
  const out: string[] = [];
  for (const [key, value] of Object.entries(k)) {
    if (JSON.stringify(value) !== JSON.stringify(d[key as keyof ChaosKnobs]))
      out.push(`${key}=${JSON.stringify(value)}`);
  }
  return out;
}
