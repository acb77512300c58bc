/**
 * `dita-v2 strategy-status` and `dita-v2 zinc-lib` through the built executable. Status reads the
 * regions only: it shows slots, account, ring depth, lanes and the recent refusals a producer was
 * told about (exit 0); it answers while serve's HTTP does not (serve stopped with SIGSTOP); after
 * kill -9 it shows the dead kernel's last belief and exits 1; with no regions, or bad arguments,
 * it exits 2 with one line; a slot torn by the killed kernel is shown UNREADABLE beside the rest;
 * `--strategy` of another namespace than the regions' is exit 2. zinc-lib writes the embedded library and prints its path; a directory
 * it cannot create exits 2.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { closeSync, existsSync, openSync, writeSync } from "node:fs";
import { run, scratch } from "./_exe.ts";
import { runPython } from "./_python.ts";
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

async function tradedServe(): Promise<{ s: Served; prefix: string }> {
  const prefix = prefixes.fresh("status");
  const s = await startServe({ DITA_V2_ZINC: "REAL", DITA_V2_ZINC_PREFIX: prefix, DITA_V2_SLOTS: "3" });
  serves.push(s);
  const r = await runPython(
    `
with DitaClient.connect(PREFIX, lib_path=LIB) as c:
    e = c.submit(Enter(1, "ST1", "BTC-USDT", "LONG", 0.01, 3))
    c.next_venue_outcome(e.client_intent_id, 3); c.next_venue_outcome(e.client_intent_id, 3)
    busy = c.submit(Enter(1, "ST2", "BTC-USDT", "LONG", 0.01, 3))
    edge = c.submit(Exit(2, 1, "SL"))
print(json.dumps({"busy": busy.code, "edge": edge.code}))
`,
    { PREFIX: prefix },
  );
  expect(r.json).toEqual({ busy: "SLOT_BUSY", edge: "INVALID_TRANSITION" });
  return { s, prefix };
}

describe("dita-v2 strategy-status", () => {
  test("shows slots, account, ring, lanes and the recent refusals from the regions alone; exit 0 while the kernel runs", async () => {
    const { prefix } = await tradedServe();
    const text = run(["strategy-status", "--prefix", prefix]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`strategy-status ${prefix} (namespace pink)`);
    expect(text.stdout).toMatch(/kernel\s+RUNNING pid \d+/);
    expect(text.stdout).toMatch(/1\s+POSITION_OPEN\s+ST1\s+BTC-USDT\s+LONG\s+0\.01/);
    expect(text.stdout).toContain("recent refusals (2)");
    expect(text.stdout).toContain("INVALID_TRANSITION EXIT refused: no transition from IDLE on EXIT (slot 2)");
    const json = run(["strategy-status", "--prefix", prefix, "--json", "--refusals", "1"]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.kernel).toMatchObject({ alive: true, closed_cleanly: false });
    expect(doc.slots[1]).toMatchObject({ stage: "POSITION_OPEN", trade_id: "ST1", size: 0.01 });
    expect(doc.account).toMatchObject({ seeded: true, capital: 10000 });
    expect(doc.ring).toMatchObject({ depth: 0, capacity: 4096, head: 3 });
    expect(doc.outcomes).toMatchObject({ published: 5, unroutable: 0, overwritten: 0, lanes: 64 });
    expect(doc.recent_refusals).toEqual([
      expect.objectContaining({ origin: "KERNEL", input_kind: "EXIT", slot_id: 2, code: "INVALID_TRANSITION" }),
    ]);
  }, 30_000);

  test("answers while serve's HTTP does not (serve stopped), and shows a dead kernel's last belief with exit 1", async () => {
    const { s, prefix } = await tradedServe();
    s.proc.kill("SIGSTOP");
    const http = await fetch(`${s.url}/health`, { signal: AbortSignal.timeout(300) }).catch((e: Error) => e.name);
    expect(http).toBe("TimeoutError");
    const stopped = run(["strategy-status", "--prefix", prefix, "--json"]);
    expect(stopped.code).toBe(0);
    expect(JSON.parse(stopped.stdout).slots[1].stage).toBe("POSITION_OPEN");
    s.proc.kill("SIGCONT");
    await s.kill9();
    const dead = run(["strategy-status", "--prefix", prefix]);
    expect(dead.code).toBe(1);
    expect(dead.stdout).toContain("NOT RUNNING");
    expect(dead.stdout).toContain("(dead: the regions hold its last belief)");
    expect(dead.stdout).toMatch(/POSITION_OPEN\s+ST1/);
  }, 30_000);

  test("a kernel killed mid-write (a slot's seqlock left odd): that slot is UNREADABLE, the rest is shown, exit 1", async () => {
    const { s, prefix } = await tradedServe();
    await s.kill9();
    const fd = openSync(`/dev/shm/${prefix}.state`, "r+");
    writeSync(fd, new Uint8Array(new BigUint64Array([5n]).buffer), 0, 8, 256 + 2 * 512); // slot 2's lock
    closeSync(fd);
    const dead = run(["strategy-status", "--prefix", prefix]);
    expect([dead.code, dead.stderr]).toEqual([1, ""]);
    expect(dead.stdout).toMatch(/POSITION_OPEN\s+ST1/);
    expect(dead.stdout).toMatch(/2\s+UNREADABLE: TORN/);
    const json = run(["strategy-status", "--prefix", prefix, "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).slots[2].unreadable).toContain("do not trust it");
  }, 30_000);

  test("--strategy of another namespace than the regions DITA_V2_ZINC_PREFIX names: exit 2 with one line", async () => {
    const { prefix } = await tradedServe();
    const r = run(["strategy-status", "--strategy", "blue", "--json"], { DITA_V2_ZINC_PREFIX: prefix });
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr.trim().split("\n")).toEqual([
      `dita-v2: the regions under DITA_V2_ZINC_PREFIX=${prefix} belong to namespace 'pink', not 'blue' (give --prefix ${prefix} to read them anyway)`,
    ]);
    expect(run(["strategy-status", "--json"], { DITA_V2_ZINC_PREFIX: prefix }).code).toBe(0);
  }, 30_000);

  test("no regions, or bad arguments, exit 2 with one line", () => {
    const none = run(["strategy-status", "--prefix", prefixes.fresh("nothing")]);
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split("\n")).toHaveLength(1);
    expect(none.stderr).toContain("no kernel has served prefix");
    expect(run(["strategy-status", "--strategy", "Not-A-Namespace"]).code).toBe(2);
    expect(run(["strategy-status", "--refusals", "-3"]).code).toBe(2);
    expect(run(["strategy-status", "--verbose"]).stderr).toContain(
      "unknown option --verbose for 'dita-v2 strategy-status'",
    );
  });
});

describe("dita-v2 zinc-lib", () => {
  test("writes the embedded libzinc and prints its path; an unusable directory exits 2", () => {
    const dir = scratch("dita-zinclib-");
    const r = run(["zinc-lib", "--out", `${dir}/lib`]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`${dir}/lib/libzinc.so`);
    expect(existsSync(r.stdout.trim())).toBe(true);
    expect(run(["zinc-lib", "--out", `${dir}/lib`]).stdout).toBe(r.stdout); // idempotent
    const bad = run(["zinc-lib", "--out", "/proc/version/lib"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("cannot write /proc/version/lib/libzinc.so");
  });
});
