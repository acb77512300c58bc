/**
 * The strategy clients against `dist/dita-v2 serve` (real Zinc regions, a unique prefix per test,
 * libzinc written out by `dita-v2 zinc-lib`): the Python client from its own process, the
 * TypeScript client in this one. Every STRATEGY intent kind gets its outcome; slots, account (a
 * seqlock-consistent state view), control and ring depth read back; waits wake on changes. Each
 * connect refusal is its own error (region missing, wrong layout version, kernel not running,
 * another namespace's prefix), and a full ring, a timeout and a kernel killed mid-wait each end a
 * submit with a specific error, never a hang.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, closeSync, openSync, writeSync } from "node:fs";
import {
  ClientClosedError,
  DitaClient,
  ForeignNamespaceError,
  KernelNotRunningError,
  LayoutMismatchError,
  RegionMissingError,
} from "../../clients/typescript/index.ts";
import { requireExe, scratch } from "./_exe.ts";
import { runPython, zincLib } from "./_python.ts";
import { type Served, startServe } from "./_serve.ts";
import { ShmPrefixes } from "./_sim.ts";

const prefixes = new ShmPrefixes();
const serves: Served[] = [];
afterEach(async () => {
  for (const s of serves.splice(0)) {
    if (s.proc.exitCode === null) {
      s.proc.kill("SIGCONT");
      await s.kill9();
    }
  }
  prefixes.removeAll();
});

async function serve(prefix: string, extra: Record<string, string> = {}): Promise<Served> {
  const s = await startServe({
    DITA_V2_ZINC: "REAL",
    DITA_V2_CONTROL_PLANE: "REAL_ZINC",
    DITA_V2_ZINC_PREFIX: prefix,
    DITA_V2_SLOTS: "4",
    ...extra,
  });
  serves.push(s);
  return s;
}

describe("strategy clients against dist/dita-v2 serve", () => {
  test("Python: every STRATEGY intent gets its outcome; slots, account, state, control, ring depth and waits read back", async () => {
    const prefix = prefixes.fresh("pyall");
    await serve(prefix);
    const r = await runPython(
      `
with DitaClient.connect(PREFIX, namespace="pink", lib_path=LIB) as c:
    seq = c.wait_for_change(0)
    enter = c.submit(Enter(0, "PY1", "BTC-USDT", "LONG", 0.01, 5), timeout=2)
    acked = c.next_venue_outcome(enter.client_intent_id, 3)
    filled = c.next_venue_outcome(enter.client_intent_id, 3)
    mark = c.submit(MarkPrice("BTC-USDT", 66000), timeout=2)
    busy = c.submit(Enter(0, "PY2", "BTC-USDT", "LONG", 0.01, 5), timeout=2)
    bad = c.submit(Enter(1, "PY3", "BTC-USDT", "LONG", 0.01, 0), timeout=2)
    cancel = c.submit(Cancel(2), timeout=2)
    exit_ = c.submit(Exit(0, 0.01, "TP"), timeout=2)
    changed = c.wait_for_change(2)
    st = c.state()
    out = {"enter": [enter.origin, enter.accepted, enter.stage, enter.order_status],
           "venue": [acked.event_kind, filled.event_kind, filled.stage],
           "mark": [mark.accepted, mark.slot_id], "busy": [busy.accepted, busy.code, busy.message],
           "bad": [bad.accepted, bad.code, bad.diagnostics[0].field], "cancel": [cancel.accepted, cancel.code],
           "exit": [exit_.accepted, exit_.stage], "changed": changed is not None,
           "slot0": [st.slots[0].trade_id, st.slots[0].stage, st.slots[0].mark_price],
           "account": [st.account.seeded, st.account.capital], "control": c.control().mode,
           "depth": c.ring_depth(), "info": [c.info.namespace, c.info.slot_count]}
print(json.dumps(out))
`,
      { PREFIX: prefix },
    );
    expect(r.err).toBe("");
    const o = r.json;
    expect(o.enter).toEqual(["KERNEL", true, "ENTRY_WORKING", "PENDING_SUBMIT"]);
    expect(o.venue).toEqual(["ACK", "FULL_FILL", "POSITION_OPEN"]);
    expect(o.mark).toEqual([true, null]);
    expect(o.busy).toEqual([false, "SLOT_BUSY", "ENTER refused: slot 0 is POSITION_OPEN"]);
    expect(o.bad.slice(0, 3)).toEqual([false, "INVALID_INTENT", "LEVERAGE"]);
    expect(o.cancel[0]).toBe(false);
    expect(o.exit).toEqual([true, "EXIT_WORKING"]);
    expect(o.changed).toBe(true);
    expect(o.slot0).toEqual(["PY1", expect.stringMatching(/EXIT_WORKING|CLOSED/), 66000]);
    // The exit may have filled before the read (orders leave in the turn that accepted them): then
    // the trade's fees are paid (the mock's price did not move), else capital is untouched.
    const [seeded, capital] = o.account as [boolean, number];
    expect(seeded).toBe(true);
    if (o.slot0[1] === "CLOSED") expect(capital > 9990 && capital < 10000).toBe(true);
    else expect(capital).toBe(10000);
    expect([o.control, o.depth, o.info]).toEqual(["NORMAL", 0, ["pink", 4]]);
  }, 30_000);

  test("TypeScript: the same kinds and reads through the Bun client", async () => {
    const prefix = prefixes.fresh("tsall");
    await serve(prefix);
    const c = DitaClient.connect({ prefix, namespace: "pink", libPath: zincLib() });
    try {
      const enter = await c.submit({
        type: "ENTER",
        slotId: 1,
        tradeId: "TS1",
        asset: "ETH-USDT",
        side: "SHORT",
        size: 0.1,
        leverage: 2,
      });
      expect(enter).toMatchObject({ origin: "KERNEL", accepted: true, stage: "ENTRY_WORKING", slotId: 1 });
      const filled = [await c.nextVenueOutcome(enter.clientIntentId), await c.nextVenueOutcome(enter.clientIntentId)];
      expect(filled.map((o) => o.eventKind)).toEqual(["ACK", "FULL_FILL"]);
      expect((await c.submit({ type: "MARK_PRICE", asset: "ETH-USDT", price: 3400 })).accepted).toBe(true);
      const cancel = await c.submit({ type: "CANCEL", slotId: 3 });
      expect(cancel).toMatchObject({ accepted: false, stage: "IDLE" });
      const exit = await c.submit({ type: "EXIT", slotId: 1, size: 0.1, reason: "SL" });
      expect(exit).toMatchObject({ accepted: true, stage: "EXIT_WORKING" });
      expect(await c.waitForChange(2000)).not.toBeNull();
      const st = c.state();
      expect(st.slots[1]).toMatchObject({ tradeId: "TS1", side: "SHORT", markPrice: 3400 });
      expect(st.account.seeded).toBe(true);
      expect(c.control()).toMatchObject({ mode: "NORMAL", activeSlotLimit: 4 });
      expect(c.ringDepth()).toBe(0);
    } finally {
      c.close();
    }
  }, 30_000);

  test("connect refusals are specific: region missing, wrong layout version, another namespace, kernel not running", async () => {
    const libPath = zincLib();
    expect(() => DitaClient.connect({ prefix: prefixes.fresh("none"), libPath })).toThrow(RegionMissingError);
    const prefix = prefixes.fresh("refuse");
    const s = await serve(prefix, { DITA_V2_STRATEGY: "blue" });
    expect(() => DitaClient.connect({ prefix, namespace: "pink", libPath })).toThrow(ForeignNamespaceError);
    DitaClient.connect({ prefix, namespace: "blue", libPath }).close();
    await s.kill9();
    const stale = () => DitaClient.connect({ prefix, namespace: "blue", libPath });
    expect(stale).toThrow(KernelNotRunningError);
    expect(stale).toThrow(/is not running \(a stale region from a dead kernel\)/);
    const py = await runPython(
      `
try:
    DitaClient.connect(PREFIX, lib_path=LIB)
except KernelNotRunning as e:
    print(json.dumps({"error": type(e).__name__, "code": e.code}))
`,
      { PREFIX: prefix },
    );
    expect(py.json).toEqual({ error: "KernelNotRunning", code: "KERNEL_NOT_RUNNING" });
    const fd = openSync(`/dev/shm/${prefix}.outcomes`, "r+");
    writeSync(fd, Buffer.from([7, 0]), 0, 2, 4); // layout version 7
    closeSync(fd);
    expect(stale).toThrow(LayoutMismatchError);
    expect(stale).toThrow(/layout version 7 is newer than this binary supports/);
  }, 30_000);

  test("permission: a client running as another user gets PermissionDenied naming the file", async () => {
    const prefix = prefixes.fresh("perm");
    await serve(prefix);
    // The other user may read libzinc (a directory of mode 0755), not the 0600 regions.
    const shared = scratch("dita-perm-");
    chmodSync(shared, 0o755);
    const written = Bun.spawnSync([requireExe(), "zinc-lib", "--out", shared], { stdout: "pipe" });
    const lib = written.stdout.toString().trim();
    const py = await runPython(
      `
import subprocess
cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
       "import sys, json; sys.path.insert(0, " + repr(sys.path[0] if sys.path[0] else os.environ['PYTHONPATH']) + ")\\n"
       "from dita_v2_client import *\\n"
       "try:\\n    DitaClient.connect(" + repr(PREFIX) + ", lib_path=" + repr(LIB) + ")\\n"
       "except DitaClientError as e:\\n    print(json.dumps({'error': type(e).__name__, 'message': str(e)}))"]
r = subprocess.run(cmd, capture_output=True, text=True)
print(r.stdout.strip().splitlines()[-1] if r.stdout.strip() else json.dumps({"stderr": r.stderr[-400:]}))
`,
      { PREFIX: prefix, LIB: lib },
    );
    expect(py.json.error).toBe("PermissionDenied");
    expect(py.json.message).toContain(`/dev/shm/${prefix}.intents`);
  }, 30_000);

  test("TypeScript: close() ends a submit waiting in flight with ClientClosedError, not a promise left hanging", async () => {
    const prefix = prefixes.fresh("tsclose");
    const s = await serve(prefix);
    const c = DitaClient.connect({ prefix, libPath: zincLib() });
    s.proc.kill("SIGSTOP");
    const waiting = c.submit({ type: "MARK_PRICE", asset: "BTC-USDT", price: 1 }, { timeoutMs: 20_000 });
    await Bun.sleep(150);
    const t0 = Bun.nanoseconds();
    c.close();
    await expect(waiting).rejects.toBeInstanceOf(ClientClosedError);
    expect((Bun.nanoseconds() - t0) / 1e6).toBeLessThan(1500);
    s.proc.kill("SIGCONT");
  }, 30_000);
});
