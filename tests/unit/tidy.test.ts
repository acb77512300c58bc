/**
 * Tidy: the source tree keeps its determinism and hygiene rules. Ambient time and
 * randomness appear only in allowlisted files (the launcher's SystemClock, the sim's entry
 * clock, the console's display clock, benchmarks, test runners); the kernel never reads a clock; nothing carries a fix-me
 * marker; no test is skipped silently; no TypeScript file grows past the size that means two
 * responsibilities.
 */

import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dir, "../..");

function files(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p, exts));
    else if (exts.some((x) => e.name.endsWith(x))) out.push(p);
  }
  return out;
}

// The console's browser clock shows ages only; nothing it sends depends on it.
const TIME_ALLOW = [
  /^src\/launcher\/system_clock\.ts$/,
  /^src\/sim\/system_clock\.ts$/,
  /^src\/console\/ui\/_clock\.ts$/,
];

describe("tidy", () => {
  test("no ambient clock or randomness in src outside the allowlisted clock files", () => {
    const offenders = files("src", [".ts"]).filter((f) => {
      if (TIME_ALLOW.some((re) => re.test(f))) return false;
      return /\bDate\.now\(|\bperformance\.now\(|\bMath\.random\(|new Date\(\)/.test(
        readFileSync(join(root, f), "utf8"),
      );
    });
    expect(offenders).toEqual([]);
  });

  test("the kernel reads no clock, no randomness and does no I/O (its tests may read ABI.md)", () => {
    const offenders = files("kernel/src", [".rs"])
      .filter((f) => !f.startsWith("kernel/src/tests/"))
      .filter((f) =>
        /std::time|SystemTime|Instant::now|std::fs|std::net|std::env|rand::/.test(readFileSync(join(root, f), "utf8")),
      );
    expect(offenders).toEqual([]);
  });

  test("nothing carries a fix-me marker", () => {
    const all = [...files("src", [".ts"]), ...files("kernel/src", [".rs"]), ...files("tests", [".ts"])];
    const marker = ["FIX", "ME"].join("");
    expect(all.filter((f) => readFileSync(join(root, f), "utf8").includes(marker))).toEqual([]);
  });

  test("no test is skipped or focused", () => {
    const pattern = new RegExp(["\\b(test|it|describe)\\.(sk", "ip|on", "ly|to", "do)\\("].join(""));
    expect(files("tests", [".ts"]).filter((f) => pattern.test(readFileSync(join(root, f), "utf8")))).toEqual([]);
  });

  // 300 lines as Biome formats them (120 columns): the former 260-line bound before wrapping.
  test("TypeScript source files stay small (at most 300 formatted lines)", () => {
    const big = files("src", [".ts"])
      .map((f) => [relative(root, join(root, f)), readFileSync(join(root, f), "utf8").split("\n").length] as const)
      .filter(([, n]) => n > 300);
    expect(big).toEqual([]);
  });

  test("every src folder has an index.ts public surface", () => {
    const dirs = readdirSync(join(root, "src"), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    const missing = dirs.filter((d) => {
      try {
        return !statSync(join(root, "src", d, "index.ts")).isFile();
      } catch {
        return true;
      }
    });
    expect(missing).toEqual([]);
  });
});
