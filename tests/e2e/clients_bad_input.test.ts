/**
 * Bad input at the strategy edge, through `dist/dita-v2 serve` and Python client processes: a
 * full ring, a timeout, a kernel killed mid-wait and a kernel restarted mid-wait each end in one
 * specific exception within bounded time (never a hang, never a silent loss); a producer that
 * never reads its outcomes loses only its own oldest ones while another producer loses none; a
 * dead producer's lane is taken over with a new generation and the dead producer's late outcome
 * never reaches the new owner; hostile bytes written into the outcomes region never crash a
 * client (it raises CorruptRegion or ignores the record) nor the kernel.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { requireExe } from "./_exe.ts";
import { finish, runPython, spawnPython } from "./_python.ts";
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

async function serve(prefix: string): Promise<Served> {
  const s = await startServe({ DITA_V2_ZINC: "REAL", DITA_V2_ZINC_PREFIX: prefix, DITA_V2_SLOTS: "4" }, undefined);
  serves.push(s);
  return s;
}

function status(prefix: string): any {
  const r = Bun.spawnSync([requireExe(), "strategy-status", "--prefix", prefix, "--json"], { stdout: "pipe" });
  return JSON.parse(r.stdout.toString());
}

describe("bad input at the strategy edge", () => {
  test("a full ring raises RingFull at once with nothing written; the kernel drains it all when it resumes", async () => {
    const prefix = prefixes.fresh("full");
    const s = await serve(prefix);
    s.proc.kill("SIGSTOP");
    const r = await runPython(
      `
c = DitaClient.connect(PREFIX, lib_path=LIB)
pushed = 0
t0 = time.monotonic()
try:
    while True:
        c.push(MarkPrice("BTC-USDT", 65000))
        pushed += 1
except RingFull as e:
    err = str(e)
print(json.dumps({"pushed": pushed, "depth": c.ring_depth(), "error": err, "s": time.monotonic() - t0}))
`,
      { PREFIX: prefix },
    );
    expect(r.json).toMatchObject({ pushed: 4096, depth: 4096 });
    expect(r.json.error).toContain("is full: nothing was written");
    s.proc.kill("SIGCONT");
    for (let i = 0; i < 100 && status(prefix).ring.depth !== 0; i++) await Bun.sleep(50);
    expect(status(prefix).ring).toMatchObject({ depth: 0, head: 4096 });
  }, 30_000);

  test("a timeout raises OutcomeTimeout after the timeout, and the outcome is still delivered once the kernel answers", async () => {
    const prefix = prefixes.fresh("timeout");
    const s = await serve(prefix);
    s.proc.kill("SIGSTOP");
    const py = spawnPython(
      `
c = DitaClient.connect(PREFIX, lib_path=LIB)
cid = c.push(MarkPrice("BTC-USDT", 65001))
t0 = time.monotonic()
try:
    c.outcome(cid, timeout=0.3)
except OutcomeTimeout as e:
    waited, name = time.monotonic() - t0, type(e).__name__
print("timed out", flush=True)
late = c.outcome(cid, timeout=10)
print(json.dumps({"error": name, "waited": waited, "late": [late.origin, late.accepted]}))
`,
      { PREFIX: prefix },
    );
    await py.until((l) => l === "timed out");
    s.proc.kill("SIGCONT");
    const r = await finish(py);
    expect(r.json.error).toBe("OutcomeTimeout");
    expect(r.json.waited).toBeGreaterThanOrEqual(0.3);
    expect(r.json.waited).toBeLessThan(1.5);
    expect(r.json.late).toEqual(["KERNEL", true]);
  }, 30_000);

  test("a kernel killed mid-wait raises KernelNotRunning within a wait chunk, not at the timeout", async () => {
    const prefix = prefixes.fresh("killed");
    const s = await serve(prefix);
    s.proc.kill("SIGSTOP");
    const py = spawnPython(
      `
c = DitaClient.connect(PREFIX, lib_path=LIB)
print("waiting", flush=True)
t0 = time.monotonic()
try:
    c.submit(MarkPrice("BTC-USDT", 65002), timeout=20)
except DitaClientError as e:
    print(json.dumps({"error": type(e).__name__, "after": time.monotonic() - t0, "message": str(e)}))
`,
      { PREFIX: prefix },
    );
    await py.until((l) => l === "waiting");
    await Bun.sleep(200);
    await s.kill9();
    const r = await finish(py);
    expect(r.json.error).toBe("KernelNotRunning");
    expect(r.json.after).toBeLessThan(3);
  }, 30_000);

  test("a kernel restarted mid-wait raises KernelRestarted; after reconnect() the same lane trades with the new kernel", async () => {
    const prefix = prefixes.fresh("restart");
    const first = await serve(prefix);
    const py = spawnPython(
      `
c = DitaClient.connect(PREFIX, lib_path=LIB)
lane = c.info.lane
print("connected", flush=True); sys.stdin.readline()
try:
    c.submit(MarkPrice("BTC-USDT", 65003), timeout=20)
except DitaClientError as e:
    first = type(e).__name__
print("raised", flush=True); sys.stdin.readline()
info = c.reconnect()
again = c.submit(Enter(0, "R2", "BTC-USDT", "LONG", 0.01, 2), timeout=5)
print(json.dumps({"first": first, "lane_kept": info.lane == lane, "again": [again.accepted, again.stage]}))
`,
      { PREFIX: prefix },
      "pipe",
    );
    await py.until((l) => l === "connected");
    await first.kill9();
    const second = await serve(prefix);
    second.proc.kill("SIGSTOP");
    py.send("go");
    await py.until((l) => l === "raised");
    second.proc.kill("SIGCONT");
    py.send("go");
    const r = await finish(py);
    expect(r.json).toEqual({ first: "KernelRestarted", lane_kept: true, again: [true, "ENTRY_WORKING"] });
  }, 40_000);

  test("a producer that never reads loses only its own oldest outcomes; another producer's lane loses nothing", async () => {
    const prefix = prefixes.fresh("deaf");
    await serve(prefix);
    const deaf = spawnPython(
      `
c = DitaClient.connect(PREFIX, lib_path=LIB)
for _ in range(6):
    c.push_many([MarkPrice("ETH-USDT", 3000.0 + i) for i in range(100)])
    time.sleep(0.02)
print(json.dumps({"lane": c.info.lane}), flush=True); sys.stdin.readline()
`,
      { PREFIX: prefix },
      "pipe",
    );
    const deafLane = JSON.parse(await deaf.until((l) => l.startsWith("{"))).lane;
    const reader = await runPython(
      `
c = DitaClient.connect(PREFIX, lib_path=LIB)
got = 0
for i in range(600):
    if c.submit(MarkPrice("BTC-USDT", 60000.0 + i), timeout=5).accepted:
        got += 1
print(json.dumps({"got": got, "lost": c._lost_total, "lane": c.info.lane}))
`,
      { PREFIX: prefix },
    );
    expect(reader.json).toMatchObject({ got: 600, lost: 0 });
    const lanes = status(prefix).outcomes.lanes_in_use;
    expect(lanes.find((l: any) => l.lane === deafLane)).toMatchObject({ overwritten: 600 - 256, unread: 600 });
    deaf.send("done");
    await finish(deaf);
  }, 40_000);

  test("a dead producer's lane is taken over with a new generation; its late outcome never reaches the new owner", async () => {
    const prefix = prefixes.fresh("takeover");
    const s = await serve(prefix);
    s.proc.kill("SIGSTOP");
    const dead = await runPython(
      `
c = DitaClient.connect(PREFIX, lib_path=LIB)
c.push(MarkPrice("BTC-USDT", 65004))
print(json.dumps({"lane": c.info.lane, "generation": c.info.generation}), flush=True)
os._exit(0)
`,
      { PREFIX: prefix },
    );
    const heir = spawnPython(
      `
c = DitaClient.connect(PREFIX, lib_path=LIB)
print(json.dumps({"lane": c.info.lane, "generation": c.info.generation}), flush=True); sys.stdin.readline()
time.sleep(0.3)
print(json.dumps({"received": len(c.outcomes_of(0)) + sum(len(v) for v in c._inbox.values())}))
`,
      { PREFIX: prefix },
      "pipe",
    );
    const took = JSON.parse(await heir.until((l) => l.startsWith("{")));
    expect(took).toEqual({ lane: dead.json.lane, generation: dead.json.generation + 1 });
    s.proc.kill("SIGCONT");
    heir.send("go");
    const r = await finish(heir);
    expect(r.json.received).toBe(0);
    expect(status(prefix).outcomes.unroutable).toBe(1);
  }, 30_000);

  test("hostile bytes in the outcomes region never crash a client: records that do not decode are counted (or CorruptRegion raised), and the kernel keeps serving", async () => {
    const prefix = prefixes.fresh("hostile");
    const s = await serve(prefix);
    const r = await runPython(
      `
import mmap, random, struct
rng = random.Random(20240611)
c = DitaClient.connect(PREFIX, lib_path=LIB)
lanes = c.info.lane + 1
f = open(f"/dev/shm/{PREFIX}.outcomes", "r+b"); m = mmap.mmap(f.fileno(), 0)
cells = 128 + 64 * struct.unpack_from("<I", m, 28)[0]
kinds = {}
MASK = (1 << 64) - 1
for i in range(400):
    lane = c.info.lane
    read = struct.unpack_from("<Q", m, 128 + lane * 64 + 8)[0]  # where the client's next poll starts
    cell = read % 256 if i % 3 == 0 else rng.randrange(256)  # every third: the very cell it reads next
    at = cells + (lane * 256 + cell) * 256
    m[at + 8:at + 256] = bytes(rng.getrandbits(8) for _ in range(248))
    if i % 3 == 0:
        struct.pack_into("<Q", m, at, (2 * (read + 1)) & MASK)  # claims to be the next record
        struct.pack_into("<Q", m, at + 8, (lane << 48) | (c.info.generation << 32) | rng.getrandbits(32))  # for us
        struct.pack_into("<Q", m, 128 + lane * 64, (read + 1) & MASK)  # and the head says it is published
    if i % 50 == 49:
        struct.pack_into("<Q", m, 128 + lane * 64 + 8, rng.getrandbits(64))  # a wild read position
    try:
        c.outcomes_of(1)
        kinds["ok"] = kinds.get("ok", 0) + 1
    except DitaClientError as e:
        kinds[type(e).__name__] = kinds.get(type(e).__name__, 0) + 1
kinds["corrupt_outcomes"] = c.corrupt_outcomes
print(json.dumps(kinds))
`,
      { PREFIX: prefix },
    );
    expect(r.code).toBe(0);
    expect(Object.keys(r.json).every((k) => ["ok", "CorruptRegion", "corrupt_outcomes"].includes(k))).toBe(true);
    // Each record decodes on its own: one that does not is counted, and raised by a wait for its intent.
    expect(r.json.corrupt_outcomes + (r.json.CorruptRegion ?? 0)).toBeGreaterThan(0);
    expect((await s.call("/health")).status).toBe(200);
  }, 30_000);
});
