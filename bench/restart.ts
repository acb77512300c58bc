/**
 * Restart time with open positions, through the built executable against bingx-sim with its
 * BingX-like rate limits: for N = 5, 8 and 64 open positions, serve is SIGKILLed and started
 * again on the same state; measured per round are the recovery alone (serve's own "recovered in
 * X ms" line: belief restored, the venue's positions read once, every slot reconciled, capital
 * seeded) and the wall time from spawn to serving HTTP. Side by side, in alternating rounds: serve
 * as it starts by default (eager JIT tiers: it re-executes itself once, src/launcher/jit_tiers.ts)
 * and with DITA_V2_JIT=DEFAULT. Medians of the rounds; every round in bench/results/restart.json.
 *
 *   bun bench/restart.ts [ROUNDS (3)]
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROUNDS = Number(process.argv[2] ?? 3);
const EXE = join(import.meta.dir, "../dist/dita-v2");
const ASSETS: Array<[string, number]> = [
  ["BTC-USDT", 0.001],
  ["ETH-USDT", 0.01],
  ["SOL-USDT", 0.1],
  ["DOGE-USDT", 100],
  ["TRX-USDT", 100],
];
const base = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root" };

/** Spawns a process and resolves with it once `pattern` appears on the stream (and the match). */
async function spawnUntil(cmd: string[], env: Record<string, string>, pattern: RegExp, stream: "stdout" | "stderr") {
  const proc = Bun.spawn(cmd, { env: { ...base, ...env }, stdout: "pipe", stderr: "pipe" });
  const reader = (proc[stream] as ReadableStream<Uint8Array>).getReader();
  let text = "";
  const t0 = Bun.nanoseconds();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${cmd.join(" ")} ended before ${pattern}: ${text.slice(-400)}`);
    text += new TextDecoder().decode(value);
    const m = pattern.exec(text);
    if (m) {
      void (async () => {
        for (;;) if ((await reader.read()).done) return; // keep draining so the child never blocks
      })();
      return { proc, match: m, text, ms: (Bun.nanoseconds() - t0) / 1e6 };
    }
  }
}

type Jit = "EAGER" | "DEFAULT";

async function round(n: number, seed: number, jit: Jit): Promise<{ recovery_ms: number; serving_ms: number }> {
  const sim = await spawnUntil(
    [EXE, "sim", "--port", "0", "--api-key", "bench-key-0001", "--secret", "bench-secret-0001", "--seed", String(seed)],
    {},
    /listening on (http:\/\/\S+) \(ws (ws:\/\/\S+)\)/,
    "stdout",
  );
  const stateDir = mkdtempSync(join(tmpdir(), "dita-bench-restart-"));
  const env = {
    DITA_V2_VENUE: "BINGX",
    BINGX_BASE_URL: sim.match[1]!,
    BINGX_WS_URL: sim.match[2]!,
    BINGX_API_KEY: "bench-key-0001",
    BINGX_API_SECRET: "bench-secret-0001",
    DITA_V2_ZINC: "REAL",
    DITA_V2_ZINC_PREFIX: `bench_restart_${process.pid}_${seed}`,
    DITA_V2_SLOTS: String(n),
    DITA_V2_STATE_DIR: stateDir,
    DITA_V2_HTTP_PORT: "0",
    DITA_V2_OPERATOR_TOKEN: "bench-token-0123456789",
    DITA_V2_JIT: jit,
  };
  try {
    const first = await spawnUntil([EXE, "serve"], env, /serving (http:\/\/\S+)/, "stderr");
    const url = first.match[1]!;
    const call = (path: string, body?: unknown) =>
      fetch(`${url}${path}`, {
        method: body ? "POST" : "GET",
        headers: { Authorization: `Bearer ${env.DITA_V2_OPERATOR_TOKEN}`, "Content-Type": "application/json" },
        body: body ? JSON.stringify(body) : undefined,
      }).then((r) => r.json());
    for (let slot = 0; slot < n; slot++) {
      const [asset, size] = ASSETS[slot % ASSETS.length]!;
      await call("/intents", {
        type: "ENTER",
        slot_id: slot,
        trade_id: `B${seed}x${slot}`,
        asset,
        side: "LONG",
        size,
        leverage: 2,
      });
      if (slot % 8 === 7) await Bun.sleep(1_000); // the sim's order budget is 10/s
    }
    for (let i = 0; i < 300; i++) {
      const slots = (await call("/slots")) as Array<{ stage: string }>;
      if (slots.every((s) => s.stage === "POSITION_OPEN")) break;
      await Bun.sleep(100);
    }
    await Bun.sleep(1_100); // the sim's one-second windows pass
    first.proc.kill("SIGKILL");
    await first.proc.exited;
    const again = await spawnUntil([EXE, "serve"], env, /recovered in ([\d.]+) ms[\s\S]*serving http/, "stderr");
    const reconciled = (/reconciled (\[.*?\]), orphans/.exec(again.text)?.[1] ?? "[]").split("slot_id").length - 1;
    if (reconciled !== n) throw new Error(`reconciled ${reconciled} of ${n}: ${again.text.slice(-600)}`);
    if (/429|rate limited/.test(again.text)) throw new Error(`the restart met a rate limit: ${again.text.slice(-600)}`);
    again.proc.kill("SIGTERM");
    await again.proc.exited;
    return { recovery_ms: Number(again.match[1]), serving_ms: Math.round(again.ms) };
  } finally {
    sim.proc.kill("SIGTERM");
    await sim.proc.exited;
    rmSync(stateDir, { recursive: true, force: true });
    for (const k of ["intents", "state", "control", "outcomes"])
      rmSync(`/dev/shm/${env.DITA_V2_ZINC_PREFIX}.${k}`, { force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<string, unknown> = {};
const summary = (rounds: Array<{ recovery_ms: number; serving_ms: number }>) => ({
  recovery_ms_median: median(rounds.map((x) => x.recovery_ms)),
  serving_ms_median: median(rounds.map((x) => x.serving_ms)),
  rounds,
});
for (const n of [5, 8, 64]) {
  const got: Record<Jit, Array<{ recovery_ms: number; serving_ms: number }>> = { EAGER: [], DEFAULT: [] };
  for (let r = 0; r < ROUNDS; r++)
    for (const jit of (r % 2 === 0 ? ["EAGER", "DEFAULT"] : ["DEFAULT", "EAGER"]) as Jit[])
      got[jit].push(await round(n, 100 * n + 10 * r + (jit === "EAGER" ? 0 : 1), jit));
  const eager = summary(got.EAGER);
  const plain = summary(got.DEFAULT);
  results[`positions_${n}`] = {
    ...eager,
    jit_default: plain,
    serving_ratio_eager_to_default: +(eager.serving_ms_median / plain.serving_ms_median).toFixed(2),
  };
  console.error(`restart with ${n} positions: ${JSON.stringify(results[`positions_${n}`])}`);
}
const out = { bench: "restart", machine: { cores: navigator.hardwareConcurrency, bun: Bun.version }, ...results };
mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results/restart.json"), `${JSON.stringify(out, null, 2)}\n`);
console.log(JSON.stringify(out, null, 2));
