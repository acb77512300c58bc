/**
 * The example strategies (clients/python/examples/scale_out_strategy.py and its TypeScript twin,
 * run as docs/strategy-guide.md §7 shows) answer the mistakes a strategy author makes first — a
 * `--prefix` no kernel serves, a `--lib` that is not there, a `--price-url` that does not answer or
 * has no mark price for `--asset` — with one line naming what is wrong and exit 2 ("bad
 * arguments", as their headers say), before anything is pushed. They ended in a Python traceback
 * (a KeyError for an unknown asset) or a Bun stack trace, exit 1 ("a decision was refused").
 */

import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { nativeLibraryPath } from "../../src/kernel/index.ts";

const ROOT = join(import.meta.dir, "../..");
const PY_PKG = join(ROOT, "clients/python");
const EXAMPLES = {
  python: ["python3", join(PY_PKG, "examples/scale_out_strategy.py")],
  typescript: [process.execPath, join(ROOT, "clients/typescript/examples/scale_out_strategy.ts")],
} as const;

// A venue's mark-price endpoint: BTC-USDT has a mark, anything else the venue's refusal.
let venue: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  venue = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req) =>
      new URL(req.url).searchParams.get("symbol") === "BTC-USDT"
        ? Response.json({ code: 0, msg: "", data: { symbol: "BTC-USDT", markPrice: "65000" } })
        : Response.json({ code: 80014, msg: "Invalid parameters, err: symbol does not exist", data: {} }),
  });
});
afterAll(() => {
  venue.stop(true);
});

/** Spawned, not spawnSync: the mark-price server above answers from this process's event loop. */
async function runExample(which: keyof typeof EXAMPLES, args: string[]) {
  const p = Bun.spawn([...EXAMPLES[which], ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", PYTHONPATH: PY_PKG },
    stdout: "pipe",
    stderr: "pipe",
    timeout: 30_000,
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  return { code, stdout, stderr };
}

const name = { python: "scale_out_strategy.py", typescript: "scale_out_strategy.ts" } as const;

for (const which of ["python", "typescript"] as const) {
  test(`${which}: each bad argument is one line naming it, exit 2, nothing else printed`, async () => {
    const price = `http://127.0.0.1:${venue.port}`;
    const lib = nativeLibraryPath("zinc");
    for (const [args, says] of [
      [
        ["--prefix", "walk_missing_prefix", "--lib", lib, "--price-url", price],
        "walk_missing_prefix.intents does not exist",
      ],
      [
        ["--prefix", "walk_missing_prefix", "--lib", "/nonexistent/libzinc.so", "--price-url", price],
        "libzinc not found at /nonexistent/libzinc.so",
      ],
      [
        ["--prefix", "p", "--lib", lib, "--price-url", "http://127.0.0.1:9"],
        "--price-url http://127.0.0.1:9 gave no mark price for BTC-USDT (",
      ],
      [
        ["--prefix", "p", "--lib", lib, "--price-url", price, "--asset", "NOPE-USDT"],
        `--price-url ${price} gave no mark price for NOPE-USDT (answered `,
      ],
    ] as const) {
      const r = await runExample(which, [...args]);
      expect([args, r.code, r.stdout]).toEqual([args, 2, ""]);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(r.stderr).toStartWith(`${name[which]}: `);
      expect(r.stderr).toContain(says);
    }
  }, 60_000);
}
