/**
 * Crash points inside the order path: the crash story of `_crash_driver.ts` (seeded trades on 4 slots,
 * `dist/dita-v2 serve` SIGKILLed at a drawn instant of each round and started again on the same state
 * dir; at quiescence slots equal the sim, capital equals the wallet, every fill has its ClickHouse rows
 * exactly once, the journal replays to the live state hash) with bingx-sim slow, so that a kill
 * typically finds orders in flight: journaled and not yet sent, sent and not yet answered, answered
 * and not yet filled. No product hook: only the sim's fault knobs (src/sim/README.md), drawn from the
 * story's PRNG each round and step:
 *  - `latency_ms` 200..600: every REST request waits that long before the sim executes it, so each
 *    placement, cancel and lookup is out for hundreds of ms (recovery's reads too);
 *  - `pending_ms` 0 or 300..1200 (every other round about): each placement is held PENDING that long,
 *    answered but not executed; its fill, and the fill's stream events, come that much later (the sim
 *    has no knob delaying the stream itself; a hold delays the events that matter, those of fills),
 *    and a hold may end while serve is down;
 *  - `drop_responses` 1 before about one driver step in eight: the next placement executes and its
 *    answer is lost (a 504 or a reset connection), which serve resolves by querying (DESIGN.md §7:
 *    "An unknown outcome (timeout) is resolved by querying, never by guessing").
 * The weather of the last round stays through the settle and the flatten. The story also reads serve's
 * `venue.inflight` just before each kill; at least half the kills must find calls out, else the story
 * no longer tests what it says. `CRASH_SEED` replays one seed, `CRASH_ROUNDS` changes the rounds.
 */

import { expect } from "bun:test";
import { describeCrashStory } from "./_crash_driver.ts";

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 6);

describeCrashStory({
  title: "SIGKILL at seeded instants while orders are in flight at a slow bingx-sim",
  tag: "crash_inflight",
  seed: Number(process.env.CRASH_SEED ?? 1),
  rounds: ROUNDS,
  roundMs: 4_000,
  weather: {
    round: (rand) => ({
      latency_ms: 200 + Math.floor(rand() * 400),
      pending_ms: rand() < 0.5 ? 0 : 300 + Math.floor(rand() * 900),
    }),
    step: (rand) => (rand() < 0.125 ? { drop_responses: 1 } : null),
  },
  afterStory: (story) => {
    const found = story.inflightAtKills.filter((n) => n > 0).length;
    expect({ kills: story.inflightAtKills.length, foundCallsOut: found >= Math.ceil(ROUNDS / 2) }).toEqual({
      kills: ROUNDS,
      foundCallsOut: true,
    });
  },
});
