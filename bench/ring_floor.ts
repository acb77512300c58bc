/**
 * The floor under "ring intent → the order's first byte at the venue", side by side in one run
 * (writes bench/results/ring_floor.json): the hops serve's ring path cannot avoid (a push into the
 * intents ring, the kernel side's wake-up, a drain, one HTTP request written to a loopback socket)
 * with nothing in between, so bench/clients.ts's figure for serve can be read against what the
 * host and the runtime charge before any of serve's own work. A producer process pushes an
 * intent every PERIOD_MS stamped with CLOCK_REALTIME: in C (ffi/bench_ring_floor.c), and on Bun
 * through the TypeScript client's producer (bench/_wake_producer.ts), as a strategy would; the
 * first byte is the relay's kernel receive timestamp (ffi/bench_first_byte.c, as in
 * bench/clients.ts). The kernel side, for each producer, in alternating rounds:
 *  - C, futex wait / C, busy spin: ffi/bench_ring_floor.c's consumer (no runtime at all);
 *  - Bun, asleep: this process, `RealZincPlane` as serve waits by default (doorbell, no spin);
 *  - Bun, SPIN: the same with serve's DITA_V2_RING_WAIT=SPIN (a 20 µs libzinc spin per turn);
 *  - Bun, one read per turn: the ring's sequence read once per event-loop turn, with no bound
 *    (serve's SPIN did this for 100k turns, ~150 ms, then slept), for the comparison;
 *  - C lane, futex wait / busy spin / warm 1 ms: ffi/bench_native_lane.c, the ceiling of a native order
 *    lane: the same hops plus the order path's own work in one C thread (the real kernel library
 *    applies an ENTER, its journal frame is written, the BingX-shaped request is HMAC-signed with
 *    the kernel's client order id), with its stages timed (`native_lane_stages_us`); "warm 1 ms"
 *    wakes every millisecond nothing came and rehearses that work off the books.
 *   bun bench/ring_floor.ts [INTENTS_PER_ROUND (100)] [ROUNDS (2)] [PERIOD_MS (150)]
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { OFF, RECORD_BYTES } from "../src/contracts/abi.ts";
import { encodeInput, nativeLibraryPath } from "../src/kernel/index.ts";
import { RealZincPlane } from "../src/zinc/index.ts";
import { BASE_S, startProbe } from "./_venue_probe.ts";
import { percentile } from "./http_load.ts";
import { ensureBuilt, futexFloor } from "./zinc_harness.ts";

const ROOT = join(import.meta.dir, "..");
const FLOOR = join(ROOT, "ffi/build/bench_ring_floor");
const LANE = join(ROOT, "ffi/build/bench_native_lane");
const perRound = Number(process.argv[2] ?? 100);
const rounds = Number(process.argv[3] ?? 2);
const periodMs = Number(process.argv[4] ?? 150);
const WARM = 5; // the first intents of a round meet freshly started processes
const libPath = ensureBuilt(ROOT);
const lane = Bun.spawnSync(["make", "-s", "-C", join(ROOT, "ffi"), "build/bench_native_lane"], { stderr: "pipe" });
if (lane.exitCode !== 0) throw new Error(`make build/bench_native_lane (needs libssl-dev): ${lane.stderr.toString()}`);
const VARIANTS = [
  "C, futex wait",
  "C, busy spin",
  "C lane, futex wait",
  "C lane, busy spin",
  "C lane, warm 1 ms",
  "Bun, asleep",
  "Bun, SPIN",
  "Bun, one read per turn",
] as const;
type Variant = (typeof VARIANTS)[number];
const PRODUCERS = ["C", "Bun"] as const;
type Producer = (typeof PRODUCERS)[number];

const upstream = Bun.serve({ port: 0, fetch: () => new Response("{}") });
const probe = await startProbe(Number(upstream.port));
const request = new TextEncoder().encode(
  "POST /openApi/swap/v2/trade/order?symbol=BTC-USDT&side=BUY&positionSide=LONG&type=MARKET&quantity=0.001" +
    "&timestamp=1700000000000&signature=0123456789abcdef0123456789abcdef HTTP/1.1\r\n" +
    "Host: 127.0.0.1\r\nX-BX-APIKEY: floor\r\nContent-Length: 0\r\n\r\n",
);
/** A push time (CLOCK_REALTIME ns since the epoch) on the relay's scale. */
const onProbeScale = (pushNs: bigint) => Number(pushNs - BigInt(BASE_S) * 1_000_000_000n);

function produce(prefix: string, by: Producer) {
  const args = [prefix, String(perRound), String(periodMs)];
  const cmd =
    by === "C"
      ? [FLOOR, "produce", ...args]
      : [process.execPath, join(import.meta.dir, "_wake_producer.ts"), libPath, ...args, "realtime"];
  return Bun.spawn(cmd, { stderr: "inherit" });
}

/** A C consumer's output once it is ready, the producer started and both exited. */
async function readConsumer(
  consumer: Bun.Subprocess<"ignore", "pipe", "inherit">,
  prefix: string,
  by: Producer,
  what: string,
): Promise<string> {
  const lines = consumer.stdout.getReader();
  let text = "";
  while (!text.includes("ready\n")) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`${what} did not start: run 'make -C ffi'`);
    text += new TextDecoder().decode(value);
  }
  const producer = produce(prefix, by);
  for (let r = await lines.read(); !r.done; r = await lines.read()) text += new TextDecoder().decode(r.value);
  if ((await consumer.exited) !== 0 || (await producer.exited) !== 0) throw new Error(`${what} failed`);
  return text;
}

async function cRound(prefix: string, mode: "wait" | "spin", by: Producer): Promise<number[]> {
  const arrivals = Array.from({ length: perRound }, () => probe.nextOrder());
  const consumer = Bun.spawn([FLOOR, "consume", prefix, String(probe.port), String(perRound), mode], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const text = await readConsumer(consumer, prefix, by, `C floor (${mode})`);
  const pushes = text.split("\n").slice(1, -1).map(BigInt);
  const firsts = await Promise.all(arrivals);
  return firsts.map((a, i) => (a.firstByteNs - onProbeScale(pushes[i]!)) / 1000);
}

/** The lane's kernel inputs: capital and a mark, then one MARKET entry per intent (slot i, trade id L<i>). */
const SETUP = [
  { type: "SEED_CAPITAL", capital: 1_000_000, now_ms: 1 },
  { type: "MARK_PRICE", asset: "BTC-USDT", price: 64_000, now_ms: 1 },
];
const laneDir = mkdtempSync(join(tmpdir(), "dita-lane-"));
const templates = join(laneDir, "templates.bin");
{
  const inputs = [
    ...SETUP,
    ...Array.from({ length: perRound }, (_, i) => ({
      type: "ENTER",
      slot_id: i,
      trade_id: `L${i}`,
      asset: "BTC-USDT",
      side: "LONG",
      size: 0.001,
      price: null,
      leverage: 5,
      now_ms: 1,
    })),
  ];
  const bytes = new Uint8Array(inputs.length * RECORD_BYTES.input);
  inputs.forEach((input, i) => {
    const refused = encodeInput(input, bytes, i * RECORD_BYTES.input);
    if (refused) throw new Error(`lane template ${i}: ${JSON.stringify(refused)}`);
  });
  writeFileSync(templates, bytes);
}
const LAYOUT = [
  SETUP.length,
  OFF.InputRecord.now_ms,
  RECORD_BYTES.slot,
  OFF.SlotImage.entry_order + OFF.OrderImage.client_order_id,
].join(",");
const LANE_STAGES = [
  "push_to_drained",
  "kernel_apply",
  "journal_frame_write",
  "request_sign",
  "socket_write",
  "signed_to_first_byte_at_venue",
] as const;
const laneStages = new Map<string, number[][]>();

async function laneRound(prefix: string, variant: Variant, by: Producer): Promise<number[]> {
  const arrivals = Array.from({ length: perRound }, () => probe.nextOrder());
  const mode = variant === "C lane, busy spin" ? "spin" : variant === "C lane, warm 1 ms" ? "warm" : "wait";
  const journal = join(laneDir, `${prefix}.journal`);
  const args = [nativeLibraryPath("dita_kernel"), prefix, String(probe.port), String(perRound), mode];
  const consumer = Bun.spawn([LANE, ...args, templates, journal, LAYOUT], { stdout: "pipe", stderr: "inherit" });
  const text = await readConsumer(consumer, prefix, by, `C lane (${mode})`);
  rmSync(journal, { force: true });
  const rows = text
    .split("\n")
    .slice(1, -1)
    .map((line) => line.split(" ").map(BigInt));
  const firsts = await Promise.all(arrivals);
  const stages = laneStages.get(`${by}/${variant}`) ?? LANE_STAGES.map(() => []);
  rows.forEach((r, i) => {
    if (i < WARM) return;
    // Columns: push, drained, applied, journaled, signed, written; the last stage is measured from
    // "signed" to the relay's first byte (the write call returns only after the byte landed).
    const last = LANE_STAGES.length - 1;
    for (let k = 0; k < last; k++) stages[k]!.push(Number(r[k + 1]! - r[k]!) / 1000);
    stages[last]!.push((firsts[i]!.firstByteNs - onProbeScale(r[last - 1]!)) / 1000);
  });
  laneStages.set(`${by}/${variant}`, stages);
  return firsts.map((a, i) => (a.firstByteNs - onProbeScale(rows[i]![0]!)) / 1000);
}

async function bunRound(prefix: string, variant: Variant, by: Producer): Promise<number[]> {
  const plane = RealZincPlane.open({
    libPath,
    prefix,
    slotCount: 1,
    ringCapacity: 4096,
    waitSpinUs: 0,
    ...(variant === "Bun, SPIN" ? { waitSpinTurns: 100_000 } : {}),
  });
  const socket = await Bun.connect({ hostname: "127.0.0.1", port: probe.port, socket: { data() {} } });
  const producer = produce(prefix, by);
  const lat: number[] = [];
  let seq = plane.intentSeq();
  try {
    while (lat.length < perRound) {
      if (variant === "Bun, one read per turn")
        while (plane.intentSeq() === seq) await new Promise<void>((resolve) => setImmediate(resolve));
      else await plane.waitIntents(seq, 1000);
      seq = plane.intentSeq();
      const sent: Array<{ push: bigint; arrival: ReturnType<typeof probe.nextOrder> }> = [];
      plane.drainIntents(64, (rec) => {
        sent.push({ push: new DataView(rec.buffer, rec.byteOffset).getBigUint64(8, true), arrival: probe.nextOrder() });
        socket.write(request);
      });
      for (const s of sent) lat.push(((await s.arrival).firstByteNs - onProbeScale(s.push)) / 1000);
    }
  } finally {
    socket.end();
    await producer.exited;
    plane.close();
  }
  return lat;
}

const got = new Map<string, number[]>();
for (let r = 0; r < rounds; r++) {
  for (const by of PRODUCERS)
    for (const v of r % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
      const prefix = `dita_bench_floor_${r}_${by}_${VARIANTS.indexOf(v)}_${process.pid}`;
      const lat = v.startsWith("C,")
        ? await cRound(prefix, v === "C, busy spin" ? "spin" : "wait", by)
        : v.startsWith("C lane")
          ? await laneRound(prefix, v, by)
          : await bunRound(prefix, v, by);
      got.set(`${by}/${v}`, [...(got.get(`${by}/${v}`) ?? []), ...lat.slice(WARM)]);
      for (const k of ["intents", "state", "outcomes", "bell"]) rmSync(`/dev/shm/${prefix}.${k}`, { force: true });
    }
}
probe.stop();
upstream.stop(true);

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50_us: +percentile(s, 0.5).toFixed(1), p99_us: +percentile(s, 0.99).toFixed(1) };
};
const byProducer = (by: Producer) => Object.fromEntries(VARIANTS.map((v) => [v, stats(got.get(`${by}/${v}`)!)]));
const rows = { C: byProducer("C"), Bun: byProducer("Bun") };
const overCWait = (by: Producer) =>
  Object.fromEntries(VARIANTS.map((v) => [v, +(rows[by][v]!.p50_us / rows[by]["C, futex wait"]!.p50_us).toFixed(2)]));
const result = {
  bench: "ring_floor",
  runtime: `bun ${Bun.version}`,
  context: { load_average_1_5_15: loadavg().map((x) => +x.toFixed(2)), c_futex_pingpong_floor: futexFloor(ROOT) },
  setup: { intents_per_round: perRound, rounds, period_ms: periodMs, warm_up_per_round: WARM },
  push_to_first_byte_at_venue_us: { producer_c: rows.C, producer_bun: rows.Bun },
  p50_over_c_futex_wait: { producer_c: overCWait("C"), producer_bun: overCWait("Bun") },
  native_lane_stages_us: Object.fromEntries(
    [...laneStages].map(([key, stages]) => [
      key,
      Object.fromEntries(LANE_STAGES.map((n, k) => [n, stats(stages[k]!)])),
    ]),
  ),
};
rmSync(laneDir, { recursive: true, force: true });
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/ring_floor.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
process.exit(0);
