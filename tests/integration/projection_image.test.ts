/**
 * The runtime's projection path (`slotImage`: slot images copied on the hot path, decoded at the
 * drain) projects exactly what the decoded-record path (`slots` + `marks`) does: the real kernel on
 * the mixed bench stream (entries, fills, marks, two-leg exits, refused inputs), DEBUG journal and
 * mirror_to_hazelcast switched on and off along the way, a mirror-gated sink and a plain one. Run once
 * yielding to the event loop often (timer/microtask drains) and once never yielding (the buffer
 * fills: synchronous drains inside onOutcome). No server needed.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelStream } from "../../bench/_kernel_stream.ts";
import { ManualClock } from "../../src/contracts/clock.ts";
import type { ControlSnapshot } from "../../src/contracts/control.ts";
import { RISK_LIMITS_OFF } from "../../src/contracts/control.ts";
import { ExecutionKernel } from "../../src/kernel/index.ts";
import { CallbackSink, createProjection } from "../../src/projection/index.ts";

const stream = kernelStream(800, 8);
for (let i = 50; i < stream.length; i += 97)
  stream.splice(i, 0, { type: "EXIT", slot_id: 7, size: 5, price: null, reason: "TP", now_ms: 1 });

function controlAt(i: number): ControlSnapshot {
  const v = Math.floor(i / 7000) + 1; // 1 DEBUG, 2 DEBUG with the mirror off, 3 NORMAL
  return {
    version: v,
    mode: v % 3 === 0 ? "NORMAL" : "DEBUG",
    verbosity: "QUIET",
    backend: "MOCK",
    debug_clickhouse_enabled: true,
    trace_transitions: false,
    mirror_to_hazelcast: v % 4 !== 2,
    reconcile_on_restart: true,
    active_slot_limit: 8,
    trading_state: "ACTIVE",
    ...RISK_LIMITS_OFF,
    updated_at_ms: 1_700_000_000_000,
  };
}

/** A CallbackSink that mirror_to_hazelcast switches off, as it does Hazelcast. */
function gatedSink(name: string): CallbackSink {
  const s = new CallbackSink({ name });
  Object.defineProperty(s, "mirrorGated", { value: true });
  return s;
}

async function project(path: "slotImage" | "slots", yieldEvery: number) {
  const stateDir = mkdtempSync(join(tmpdir(), "proj-image-"));
  const plain = new CallbackSink({ name: "plain" });
  const gated = gatedSink("gated");
  const p = await createProjection({
    run: "t1",
    strategy: "pink",
    stateDir,
    clock: new ManualClock(1_700_000_000_000),
    required: true,
    onDiagnostic: () => {},
    sinks: [plain, gated],
    tuning: { delayMs: 1 },
  });
  const k = ExecutionKernel.open({ slotCount: 8 });
  const slotImage = (id: number) => k.slotImage(id);
  try {
    for (let i = 0; i < stream.length; i++) {
      const o = k.apply(stream[i]!);
      const common = {
        transitions: o.transitions,
        diagnostics: o.diagnostics,
        account: k.account(),
        control: controlAt(i),
        journalSeq: i + 1,
      };
      if (path === "slotImage") p.onOutcome({ ...common, slotImage });
      else p.onOutcome({ ...common, slots: (id) => k.slot(id), marks: (id) => k.slotMark(id) });
      if (yieldEvery > 0 && i % yieldEvery === yieldEvery - 1) await Bun.sleep(0);
    }
    expect(await p.flush(30_000)).toBe(true);
  } finally {
    await p.close();
    k.destroy();
    rmSync(stateDir, { recursive: true, force: true });
  }
  const image = (s: CallbackSink) => [...s.image].map(([m, kv]) => [m, [...kv].sort()]).sort();
  return { plain: plain.records, gated: gated.records, plainImage: image(plain), gatedImage: image(gated) };
}

test("slot images copied on the hot path project exactly what decoded slot records do", async () => {
  const want = await project("slots", 64);
  expect(want.plain.filter((r) => r.kind === "trade_event")).toHaveLength(800 * 5); // OPEN, three exit fills that leave a position, CLOSE
  expect(want.gated.length).toBeLessThan(want.plain.length); // the mirror switch was off for a while
  expect(await project("slotImage", 64)).toEqual(want);
  expect(await project("slotImage", 0)).toEqual(want);
}, 60_000);
