/**
 * Mutation testing of the kernel with cargo-mutants (not part of `npm test`: hours on 2 cores).
 * It mutates the kernel's library source (operators, returns, match arms), rebuilds and runs the
 * kernel's own `cargo test --lib` per mutant, with a bounded timeout each, and reports which
 * mutants no test noticed. Writes bench/results/mutation_kernel.json.
 *
 *   cargo install cargo-mutants --locked
 *   bun bench/mutation_kernel.ts                 # copies kernel/ to a scratch dir and runs it
 *   bun bench/mutation_kernel.ts --from DIR      # only summarises DIR/mutants.out of an earlier run
 *
 * Score = caught / (caught + missed); a timeout (the mutant made the tests hang) counts as caught
 * in `score_with_timeouts`; unviable mutants (they do not compile) count in neither.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
export const COMMAND = "cargo mutants --timeout 60 --build-timeout 300 -j 1 --output OUT -- --lib";
const args = process.argv.slice(2);
const from = args.includes("--from") ? args[args.indexOf("--from") + 1] : undefined;

function lines(file: string): string[] {
  return existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
    : [];
}

function run(): string {
  const scratch = "/tmp/dita-kernel-mutants";
  mkdirSync(scratch, { recursive: true });
  const copy = Bun.spawnSync(["sh", "-c", `git -C "$0" archive HEAD kernel | tar -x -C "$1"`, root, scratch]);
  if (copy.exitCode !== 0) throw new Error(`copying kernel/ failed: ${copy.stderr.toString()}`);
  const out = join(scratch, "out");
  const cmd = COMMAND.replace("OUT", out).split(" ");
  const r = Bun.spawnSync(cmd, { cwd: join(scratch, "kernel"), stdout: "inherit", stderr: "inherit" });
  if (r.exitCode === null) throw new Error("cargo mutants did not finish");
  return out;
}

const dir = from ?? run();
const m = join(dir, "mutants.out");
const caught = lines(join(m, "caught.txt"));
const missed = lines(join(m, "missed.txt"));
const timeout = lines(join(m, "timeout.txt"));
const unviable = lines(join(m, "unviable.txt"));
const listed =
  lines(join(m, "mutants.json")).length > 0 ? JSON.parse(readFileSync(join(m, "mutants.json"), "utf8")) : [];
const commit = Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd: root }).stdout.toString().trim();
const tested = caught.length + missed.length + timeout.length + unviable.length;
const byFile: Record<string, number> = {};
for (const s of missed) {
  const file = s.split(":")[0]!;
  byFile[file] = (byFile[file] ?? 0) + 1;
}
const result = {
  tool: "cargo-mutants 27.1.0",
  command: COMMAND.replace("OUT", "<scratch>/out"),
  scope: "kernel/src (the library; #[cfg(test)] code is not mutated), tests: cargo test --lib (debug)",
  commit: from ? (process.env.MUTANTS_COMMIT ?? commit) : commit,
  mutants_listed: Array.isArray(listed) ? listed.length : null,
  mutants_tested: tested,
  complete: Array.isArray(listed) ? listed.length === tested : null,
  caught: caught.length,
  missed: missed.length,
  timeout: timeout.length,
  unviable: unviable.length,
  score: Number((caught.length / Math.max(1, caught.length + missed.length)).toFixed(3)),
  score_with_timeouts: Number(
    ((caught.length + timeout.length) / Math.max(1, caught.length + missed.length + timeout.length)).toFixed(3),
  ),
  survivors_by_file: byFile,
  survivors: missed,
  timeouts: timeout,
};
mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(join(root, "bench/results/mutation_kernel.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `kernel mutants: ${tested} tested, ${caught.length} caught, ${missed.length} missed, ${timeout.length} timeouts; score ${result.score}`,
);
