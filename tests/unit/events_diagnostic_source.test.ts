/**
 * The console's diagnostics feed says who raised each line: a diagnostic serve issues itself (an
 * edge refusal, a reconciliation finding such as ORPHAN_POSITION or VENUE_MISMATCH) is labelled
 * `launcher`, not `kernel`, so an operator does not look for a kernel input that never existed; an
 * input the kernel refused stays `kernel`.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/contracts/clock.ts";
import { buildBundle } from "../../src/launcher/bundle.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { Runtime } from "../../src/launcher/runtime.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { testHub } from "../_support/event_hub.ts";
import { SseReader } from "../_support/sse.ts";

const dirs: string[] = [];
const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.shutdown(1000);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("diagnostic sources on the event stream", () => {
  test("a diagnostic serve reports itself is labelled launcher; a kernel refusal stays kernel", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dita-evsrc-"));
    dirs.push(dir);
    const config = loadConfig({ DITA_V2_STATE_DIR: dir, DITA_V2_RECONCILE_INTERVAL_MS: "0" });
    const log = () => {};
    const bundle = await buildBundle(config, new SystemClock(), {}, { journal: true, log });
    const hub = testHub(new ManualClock());
    const rt = new Runtime(bundle, log, hub);
    runtimes.push(rt);
    await rt.start();
    const opened = hub.open(null);
    if (!opened.ok) throw new Error(opened.error);
    const c = new SseReader(opened.stream);
    rt.report({
      code: "ORPHAN_POSITION",
      severity: "CRITICAL",
      slot_id: null,
      message: "the venue holds 0.02 BTC-USDT LONG that no slot owns",
      details: {},
      input_index: 0,
      now_ms: 1,
    });
    const refused = rt.submitStrategy({ type: "CANCEL", slot_id: 0 });
    expect(refused.accepted).toBe(false);
    await c.until("both diagnostics", (f) => f.filter((x) => x.event === "diagnostic").length >= 2);
    const feed = c.frames.filter((f) => f.event === "diagnostic").map((f) => [f.data.code, f.data.source]);
    expect(feed).toEqual([
      ["ORPHAN_POSITION", "launcher"],
      [refused.diagnostics[0]!.code, "kernel"],
    ]);
    await c.cancel();
  });
});
