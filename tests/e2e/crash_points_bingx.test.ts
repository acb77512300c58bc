/**
 * Crash points while BingX-protocol trades are in flight: "it never loses a fill or a row", through
 * the built executable. The story, its invariants and its logs are described in `_crash_driver.ts`:
 * a seeded driver trades on 4 slots against one bingx-sim process while `dist/dita-v2 serve` is
 * SIGKILLed at an instant drawn over each of ROUNDS rounds and started again on the same state dir;
 * at quiescence slots equal the sim, capital equals the wallet, every fill has its ClickHouse rows
 * exactly once and the journal replays to the live state hash. The venue here answers at once (no
 * fault knob), so most kills land between HTTP calls; crash_points_inflight_bingx.test.ts runs the
 * same story with the venue slow. `CRASH_SEED` replays one seed, `CRASH_ROUNDS` changes the rounds.
 */

import { describeCrashStory } from "./_crash_driver.ts";

describeCrashStory({
  title: "SIGKILL at seeded instants while trades are in flight at bingx-sim",
  tag: "crash",
  seed: Number(process.env.CRASH_SEED ?? 4), // 4 found the lifecycle memo missing at recovery (2 runs in 4)
  rounds: Number(process.env.CRASH_ROUNDS ?? 5),
  roundMs: 4_000,
});
