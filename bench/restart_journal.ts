/**
 * Restart and replay with a long journal, before and after journal segments, side by side in one
 * run (bench/results/restart_journal.json). For N = 1M and 10M inputs of a realistic stream
 * (`_journal_stream.ts`: 75 % marks, whole trades with fills on 8 slots), one live kernel journals
 * every input both ways at once: the single-file JSON-lines journal of earlier builds (before) and
 * the segmented journal (after; 64 MB segments, a snapshot at each rotation; frames of FRAME
 * inputs, as serve writes one per kernel call). Then, through the built executable, per round:
 *
 *  - before: `dita-v2 replay FILE.jsonl`, spawn to exit — the state from a full replay, which is
 *    what a restart from that journal costs (its peak RSS too);
 *  - after, restart: `dita-v2 serve` on a state dir holding the segments (hard links), spawn to
 *    its "serving" line — the real restart: the newest snapshot plus the tail, then recovery;
 *  - after, replay: `dita-v2 replay DIR` (newest snapshot plus the tail), spawn to exit;
 *  - after, everything: `dita-v2 replay DIR --from oldest` — all N inputs from the first snapshot:
 *    inputs/s over the whole process time, and its peak RSS (`/usr/bin/time`).
 *
 * Every replay must print the live kernel's state hash. Medians of ROUNDS rounds.
 *
 *   bun bench/restart_journal.ts [--sizes 1000000,10000000] [--rounds 3] [--frame 8]
 */

import { linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KernelInput } from "../src/contracts/index.ts";
import { ExecutionKernel, type InputJournal, JournalWriter, SegmentJournal } from "../src/kernel/index.ts";
import { journalStream } from "./_journal_stream.ts";

const arg = (name: string, d: string) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? d : process.argv[i + 1]!;
};
const SIZES = arg("--sizes", "1000000,10000000").split(",").map(Number);
const ROUNDS = Number(arg("--rounds", "3"));
const FRAME = Number(arg("--frame", "8"));
const SLOTS = 8;
const SEGMENT_MB = 64;
const EXE = join(import.meta.dir, "../dist/dita-v2");
const RUN = "0000000000bec000";
const base = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root" };

/** Both journals at once: every input the kernel accepted goes to each. */
class Tee implements InputJournal {
  constructor(
    private readonly a: InputJournal,
    private readonly b: InputJournal,
  ) {}
  input(input: KernelInput, accepted: boolean): void {
    this.a.input(input, accepted);
    this.b.input(input, accepted);
  }
  records(records: Uint8Array, accepted: Uint8Array): void {
    this.a.records(records, accepted);
    this.b.records(records, accepted);
  }
  restore(image: Uint8Array, nowMs: number, accepted: boolean): void {
    this.a.restore(image, nowMs, accepted);
    this.b.restore(image, nowMs, accepted);
  }
}

function generate(n: number, root: string) {
  const dir = join(root, "state", "journal");
  mkdirSync(dir, { recursive: true });
  const jsonl = join(root, "before.jsonl");
  const header = { slot_count: SLOTS, active_slot_limit: SLOTS, hung_order_ms: 30_000, run: RUN, strategy: "pink" };
  const old = new JournalWriter(jsonl, header);
  const seg = new SegmentJournal({
    dir,
    segmentBytes: SEGMENT_MB * 2 ** 20,
    keep: 10_000, // everything kept: the "--from oldest" replay reads all N inputs
    run: RUN,
    strategy: "pink",
    slotCount: SLOTS,
    activeSlotLimit: SLOTS,
    hungOrderMs: 30_000,
  });
  const kernel = ExecutionKernel.open({ slotCount: SLOTS, journal: new Tee(seg, old) });
  seg.begin(kernel, 1);
  const t0 = Bun.nanoseconds();
  let applied = 0;
  for (const chunk of journalStream(n, SLOTS)) {
    for (let i = 0; i < chunk.length; i += FRAME) {
      applied += kernel.applyBatch(chunk.slice(i, i + FRAME));
      seg.flush();
      old.flush();
    }
  }
  seg.close();
  old.close();
  const hash = kernel.stateHashHex();
  kernel.destroy();
  const files = readdirSync(dir);
  const segBytes = files.reduce((t, f) => t + statSync(join(dir, f)).size, 0);
  return {
    hash,
    applied,
    jsonl,
    dir,
    generate_s: (Bun.nanoseconds() - t0) / 1e9,
    segments: files.filter((f) => f.startsWith("segment")).length,
    journal_bytes: segBytes,
    jsonl_bytes: statSync(jsonl).size,
  };
}

/** Wall ms and peak RSS (MB) of one executable run; its stdout. */
function timed(args: string[]): { ms: number; rss_mb: number; out: string } {
  const t0 = Bun.nanoseconds();
  const r = Bun.spawnSync(["/usr/bin/time", "-f", "RSS_KB=%M", EXE, ...args], {
    env: base,
    stdout: "pipe",
    stderr: "pipe",
  });
  const ms = (Bun.nanoseconds() - t0) / 1e6;
  const err = r.stderr.toString();
  if (r.exitCode !== 0) throw new Error(`${args.join(" ")} failed: ${err.slice(-500)}`);
  const kb = Number(/RSS_KB=(\d+)/.exec(err)?.[1] ?? Number.NaN);
  return { ms, rss_mb: kb / 1024, out: r.stdout.toString().trim() };
}

/** `serve` on a copy (hard links) of the journal: spawn to its "serving" line. */
async function serveRestart(dir: string, scratch: string): Promise<{ ms: number; recovered: string }> {
  const state = mkdtempSync(join(scratch, "serve-"));
  mkdirSync(join(state, "journal"));
  for (const f of readdirSync(dir)) linkSync(join(dir, f), join(state, "journal", f));
  const t0 = Bun.nanoseconds();
  const proc = Bun.spawn([EXE, "serve"], {
    env: { ...base, DITA_V2_STATE_DIR: state, DITA_V2_HTTP_PORT: "0", DITA_V2_SLOTS: String(SLOTS) },
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`serve ended before serving: ${text.slice(-600)}`);
    text += new TextDecoder().decode(value);
    if (/serving http/.test(text)) break;
  }
  const ms = (Bun.nanoseconds() - t0) / 1e6;
  proc.kill("SIGTERM");
  await proc.exited;
  rmSync(state, { recursive: true, force: true });
  return { ms, recovered: /journal: recovered state \S+ from snapshot \d+ and \d+ input\(s\)/.exec(text)?.[0] ?? "" };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const r1 = (x: number) => Math.round(x * 10) / 10;

async function measure(n: number) {
  const root = mkdtempSync(join(tmpdir(), `dita-bench-journal-${n}-`));
  try {
    const g = generate(n, root);
    console.log(
      `${n} inputs: generated in ${g.generate_s.toFixed(1)} s: ${g.segments} segments, ${(g.journal_bytes / 2 ** 20).toFixed(0)} MiB; JSON lines ${(g.jsonl_bytes / 2 ** 20).toFixed(0)} MiB`,
    );
    const rounds: Array<Record<string, number | string>> = [];
    for (let r = 0; r < ROUNDS; r++) {
      const before = timed(["replay", g.jsonl]);
      const restart = await serveRestart(g.dir, root);
      const tail = timed(["replay", g.dir]);
      const all = timed(["replay", g.dir, "--from", "oldest"]);
      for (const [what, x] of [
        ["before", before],
        ["replay DIR", tail],
        ["replay DIR --from oldest", all],
      ] as const)
        if (x.out !== g.hash) throw new Error(`${what} printed ${x.out}, the live hash is ${g.hash}`);
      const row = {
        before_replay_jsonl_ms: r1(before.ms),
        before_peak_rss_mb: r1(before.rss_mb),
        after_serve_restart_ms: r1(restart.ms),
        after_replay_dir_ms: r1(tail.ms),
        after_replay_dir_peak_rss_mb: r1(tail.rss_mb),
        full_replay_dir_ms: r1(all.ms),
        full_replay_dir_inputs_per_s: Math.round(n / (all.ms / 1000)),
        full_replay_dir_peak_rss_mb: r1(all.rss_mb),
        serve_recovered: restart.recovered,
      };
      console.log(JSON.stringify(row));
      rounds.push(row);
    }
    const med = (k: string) => median(rounds.map((x) => x[k] as number));
    const ratio = (a: string, b: string) => Math.round((med(a) / med(b)) * 10) / 10;
    return {
      inputs: n,
      frame_inputs: FRAME,
      segments: g.segments,
      journal_mib: r1(g.journal_bytes / 2 ** 20),
      jsonl_mib: r1(g.jsonl_bytes / 2 ** 20),
      state_hash: g.hash,
      median: Object.fromEntries(
        Object.keys(rounds[0]!)
          .filter((k) => k !== "serve_recovered")
          .map((k) => [k, med(k)]),
      ),
      restart_speedup_before_over_after: ratio("before_replay_jsonl_ms", "after_serve_restart_ms"),
      rounds,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const results = [];
for (const n of SIZES) results.push(await measure(n));
const doc = {
  bench: "restart_journal",
  machine: {
    cores: navigator.hardwareConcurrency,
    bun: Bun.version,
    note: "shared 2-core VM: other workers ran alongside",
  },
  before:
    "dita-v2 replay FILE.jsonl of this build: the same JSON parse and apply as the restart path before segments, but streamed (the earlier reader read the whole file into memory first, so its peak RSS was higher than shown here)",
  after: "serve start to its serving line (newest snapshot plus tail, then recovery against the mock venue)",
  segment_mb: SEGMENT_MB,
  rounds: ROUNDS,
  results,
};
writeFileSync(join(import.meta.dir, "results/restart_journal.json"), `${JSON.stringify(doc, null, 2)}\n`);
for (const r of results) console.log(r.inputs, JSON.stringify(r.median));
