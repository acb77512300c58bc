/**
 * The fleet's projection side by side in one run: 1 vs 3 Hazelcast members (both clusters from
 * deploy/hazelcast/hazelcast.yaml, sync backups) and 1 vs 3 kernels (each its own process and
 * namespace, bench/_fleet_worker.ts, started together), the four combinations interleaved REPEATS
 * times. Per combination: the latency the projection adds to a kernel input (p50/p99 of `kernel.apply`
 * + `onOutcome` minus `kernel.apply` alone, medians over kernels and repeats) and the projection's
 * throughput (stream inputs, map writes and topic messages per second from the first input until the
 * cluster acknowledged the last, summed over the kernels running at once). Writes
 * bench/results/fleet.json.
 *
 * Map writes coalesce to the latest row per key between sink round trips, so their rate says how few
 * the cluster needed, not how many it could take; the topic (one message per lifecycle row) is what
 * the sink's time goes to. Each figure also lists its value per repeat (`per_repeat`), with the
 * machine's 1-minute load average when that repeat ended (the 2 vCPUs are shared: read it first).
 *
 *   bun bench/fleet.ts [TRADES (2000)] [ROUNDS (3)] [REPEATS (3)]
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { type HazelcastCluster, startHazelcastCluster } from "../tests/integration/_services.ts";

const TRADES = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 3);
const REPEATS = Number(process.argv[4] ?? 3);

interface WorkerResult {
  namespace: string;
  inputs: number;
  kernel_ns: { p50: number; p99: number };
  with_projection_ns: { p50: number; p99: number };
  flushed: boolean;
  drain_s: number;
  map_writes: number;
  topic_messages: number;
}

async function runKernels(hz: HazelcastCluster, kernels: number, tag: string): Promise<WorkerResult[]> {
  const procs = Array.from({ length: kernels }, (_, i) =>
    Bun.spawn(
      [
        process.execPath,
        join(import.meta.dir, "_fleet_worker.ts"),
        hz.addr,
        hz.cluster,
        `${tag}k${i}`,
        String(TRADES),
        String(ROUNDS),
      ],
      { stdout: "pipe", stderr: "inherit" },
    ),
  );
  const out = await Promise.all(procs.map(async (p) => [await new Response(p.stdout).text(), await p.exited] as const));
  return out.map(([text, code]) => {
    if (code !== 0) throw new Error(`fleet worker exited ${code}: ${text.slice(-400)}`);
    const r = JSON.parse(text.trim().split("\n").at(-1)!) as WorkerResult;
    if (!r.flushed) throw new Error(`worker ${r.namespace} did not drain`);
    return r;
  });
}

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const [one, three] = [await startHazelcastCluster(1, "benchfleet1"), await startHazelcastCluster(3, "benchfleet3")];
try {
  const combos = [
    { members: 1, kernels: 1, hz: one },
    { members: 3, kernels: 1, hz: three },
    { members: 1, kernels: 3, hz: one },
    { members: 3, kernels: 3, hz: three },
  ];
  const runs = new Map<string, WorkerResult[][]>();
  const loads = new Map<string, number[]>();
  for (let r = 0; r < REPEATS; r++)
    for (const c of combos) {
      const key = `${c.members}m${c.kernels}k`;
      const got = await runKernels(c.hz, c.kernels, `bf${key}r${r}`);
      runs.set(key, [...(runs.get(key) ?? []), got]);
      loads.set(key, [...(loads.get(key) ?? []), Math.round(loadavg()[0]! * 100) / 100]);
      console.error(
        `${key} repeat ${r + 1}: ${got.map((g) => `${g.namespace} ${(g.inputs / g.drain_s).toFixed(0)}/s`).join(", ")}`,
      );
    }
  const results = combos.map((c) => {
    const key = `${c.members}m${c.kernels}k`;
    const all = runs.get(key)!;
    const flat = all.flat();
    const addedBy = (ws: WorkerResult[], p: "p50" | "p99") =>
      med(ws.map((w) => w.with_projection_ns[p] - w.kernel_ns[p]));
    const added = (p: "p50" | "p99") => addedBy(flat, p);
    const rates = (f: (w: WorkerResult) => number) =>
      all.map((rep) => Math.round(rep.reduce((n, w) => n + f(w) / w.drain_s, 0)));
    const perSecond = (f: (w: WorkerResult) => number) => med(rates(f));
    return {
      members: c.members,
      kernels: c.kernels,
      kernel_apply_ns: { p50: med(flat.map((w) => w.kernel_ns.p50)), p99: med(flat.map((w) => w.kernel_ns.p99)) },
      added_by_projection_ns: { p50: added("p50"), p99: added("p99") },
      throughput: {
        inputs_per_s: Math.round(perSecond((w) => w.inputs)),
        map_writes_per_s: Math.round(perSecond((w) => w.map_writes)),
        topic_messages_per_s: Math.round(perSecond((w) => w.topic_messages)),
      },
      per_repeat: {
        added_p50_ns: all.map((rep) => addedBy(rep, "p50")),
        added_p99_ns: all.map((rep) => addedBy(rep, "p99")),
        inputs_per_s: rates((w) => w.inputs),
        topic_messages_per_s: rates((w) => w.topic_messages),
        load_avg_1m: loads.get(key)!,
      },
      runs: all,
    };
  });
  const result = {
    bench: "fleet",
    inputs_per_kernel: results[0]!.runs[0]![0]!.inputs,
    rounds: ROUNDS,
    repeats: REPEATS,
    results,
    bun: Bun.version,
  };
  mkdirSync(join(import.meta.dir, "results"), { recursive: true });
  writeFileSync(join(import.meta.dir, "results/fleet.json"), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    "members kernels | added p50/p99 ns (per repeat) | inputs/s (per repeat) | topic msgs/s | map writes/s | load",
  );
  for (const r of results) {
    const p = r.per_repeat;
    console.log(
      `${r.members} ${r.kernels} | ${r.added_by_projection_ns.p50}/${r.added_by_projection_ns.p99} (${p.added_p50_ns.join(",")} / ${p.added_p99_ns.join(",")}) | ${r.throughput.inputs_per_s} (${p.inputs_per_s.join(",")}) | ${r.throughput.topic_messages_per_s} | ${r.throughput.map_writes_per_s} | load ${p.load_avg_1m.join(",")}`,
    );
  }
} finally {
  await Promise.all([one.destroy(), three.destroy()]);
}
