/**
 * The console's control state is the newest control snapshot. A control change can publish a
 * newer snapshot while it is being applied (the disk refuses the journal's write during the
 * change's CONFIGURE, and the journal guard halts trading: version n+1 HALTED is published
 * first, then the change's own version n). The event stream sends each control version at most
 * once and never one older than the last it sent, so the console's last `control` event is the
 * snapshot the kernel enforces, not the older one.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { ControlSnapshot } from "../../src/contracts/control.ts";
import { JournalWriteError } from "../../src/kernel/index.ts";
import { buildBundle } from "../../src/launcher/bundle.ts";
import { loadConfig } from "../../src/launcher/config.ts";
import { Runtime } from "../../src/launcher/runtime.ts";
import { SystemClock } from "../../src/launcher/system_clock.ts";
import { flushed, testHub } from "../_support/event_hub.ts";
import { SseReader } from "../_support/sse.ts";

const dirs: string[] = [];
const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.shutdown(1000);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("control events", () => {
  test("a snapshot older than the last one sent is not sent again (the console keeps the newest)", async () => {
    const h = testHub(new ManualClock());
    const opened = h.open(null);
    if (!opened.ok) throw new Error(opened.error);
    const c = new SseReader(opened.stream);
    const snap = { version: 2, trading_state: "ACTIVE" } as ControlSnapshot;
    h.onControl({ ...snap, version: 3, trading_state: "HALTED" });
    h.onControl(snap);
    h.onControl({ ...snap, version: 4, trading_state: "REDUCING" });
    await c.until("version 4", (f) => f.some((x) => x.event === "control" && x.data.version === 4));
    await flushed();
    expect(c.frames.filter((f) => f.event === "control").map((f) => f.data.version)).toEqual([3, 4]);
    await c.cancel();
  });

  test("a control change during which the journal halts trading leaves the console on the HALTED snapshot", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dita-evctl-"));
    dirs.push(dir);
    const config = loadConfig({ DITA_V2_STATE_DIR: dir, DITA_V2_RECONCILE_INTERVAL_MS: "0" });
    const lines: string[] = [];
    const bundle = await buildBundle(config, new SystemClock(), {}, { journal: true, log: (l) => lines.push(l) });
    const hub = testHub(new ManualClock());
    const rt = new Runtime(bundle, (l) => lines.push(l), hub);
    runtimes.push(rt);
    await rt.start();
    const opened = hub.open(null);
    if (!opened.ok) throw new Error(opened.error);
    const c = new SseReader(opened.stream);
    // The disk refuses the journal's writes from here on.
    const journal = bundle.journal!;
    journal.flush = () => {
      throw new JournalWriteError("journal write refused: ENOSPC (test)");
    };
    rt.applyControl({ max_leverage: 5 });
    const now = rt.b.control.snapshot();
    expect(now.trading_state).toBe("HALTED");
    expect(rt.b.kernel.config().trading_state).toBe("HALTED");
    await c.until("the HALTED control event", (f) =>
      f.some((x) => x.event === "control" && x.data.version === now.version),
    );
    await flushed();
    const controls = c.frames.filter((f) => f.event === "control");
    expect(controls.at(-1)!.data).toMatchObject({ version: now.version, trading_state: "HALTED" });
    await c.cancel();
  });
});
