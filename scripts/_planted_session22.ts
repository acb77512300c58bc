/** Planted bugs fixed in the twenty-second session (2026-12-07): the Hazelcast client's cluster-view re-registration loop, the stall watch. */

import { p } from "./_planted_plant.ts";
import type { Plant } from "./_planted_sample.ts";

export const SESSION22_PLANTS: readonly Plant[] = [
  p(
    "hz-view-guard-not-installed",
    "fleet",
    "src/projection/_libs.ts",
    "  guardClusterViewListener((view as Record<string, unknown>).ClusterViewListenerService);",
    "  void view;",
    "hazelcast-client is loaded unguarded: a connection with a failed writer starves the event loop for good (a serve grew to 23 GB)",
  ),
  p(
    "hz-view-reregister-without-pause",
    "fleet",
    "src/projection/_hz_view_guard.ts",
    '    const timer = setTimeout(() => {\n      waiting.delete(this);\n      (original as ViewListener["tryRegisterToRandomConnection"]).call(this, old);\n    }, REGISTER_PAUSE_MS);',
    '    const timer = setTimeout(() => {}, 0);\n    waiting.delete(this);\n    (original as ViewListener["tryRegisterToRandomConnection"]).call(this, old);',
    "the cluster-view listener re-registers at once after a failure: every failed connection is tried again in one run of ticks",
  ),
  p(
    "hz-view-failed-writer-kept",
    "fleet",
    "src/projection/_hz_view_guard.ts",
    "  c.close(",
    "  void c.close, (",
    "an alive connection whose writer failed stays registered: the listener and every call keep choosing it",
  ),
  p(
    "hz-view-closed-registered-kept",
    "fleet",
    "src/projection/_hz_view_guard.ts",
    "      manager.onConnectionClose?.(c);",
    "      void manager;",
    "a connection closed while authenticating stays registered for ever: the listener keeps choosing it",
  ),
  p(
    "stall-late-checks-counted",
    "control",
    "src/launcher/_stall_worker.ts",
    "    if (elapsed > 2 * checkMs) return; // this thread did not run on time either: not the event loop's stall\n",
    "",
    "a process stopped as a whole (SIGSTOP, a paused VM) is SIGKILLed the moment it resumes, as if its event loop had stalled",
  ),
  p(
    "stall-beat-not-reset",
    "control",
    "src/launcher/_stall_worker.ts",
    "      stalled = 0;\n",
    "",
    "stretches of a turning event loop add up to a stall: a healthy serve is SIGKILLed",
  ),
  p(
    "stall-watch-not-started",
    "control",
    "src/launcher/serve.ts",
    'startStallWatch(config.stall_ms, serveLogLine(""), log)',
    'startStallWatch(0, serveLogLine(""), log)',
    "serve runs without its stall watch: an event loop stuck for good leaves every order and fill unhandled while the process looks alive",
  ),
];
