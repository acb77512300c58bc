/**
 * `dita-v2 strategy-status` exit codes say what is wrong: 1 is only "the regions exist but no live
 * kernel holds them". A libzinc that cannot be unpacked or loaded (NativeLoadError, as in a compiled
 * executable whose TMPDIR candidates all fail) is exit 2 with the reason. A prefix that came from
 * DITA_V2_ZINC_PREFIX (no `--prefix`) is named as that variable in every refusal about it: the
 * user did not type `--prefix`, and must learn which setting to fix.
 */

import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { strategyStatusCommand } from "../../src/cli/strategy_status.ts";
import { cliRefusal, spawnCli } from "../_support/cli.ts";

const PRELOAD = resolve(import.meta.dir, "fixtures/unloadable_libzinc_preload.ts");
const saved = { prefix: process.env.DITA_V2_ZINC_PREFIX, strategy: process.env.DITA_V2_STRATEGY };

afterEach(() => {
  for (const [k, v] of [
    ["DITA_V2_ZINC_PREFIX", saved.prefix],
    ["DITA_V2_STRATEGY", saved.strategy],
  ] as const)
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
});

const refusal = (rawArgs: string[]) => cliRefusal(strategyStatusCommand, rawArgs);

test("a libzinc that cannot be unpacked or loaded is exit 2 with the reason, not 1 (no live kernel)", () => {
  const dir = mkdtempSync(join(tmpdir(), "status-native-"));
  const bytes = `not a shared library ${dir}\n`;
  const lib = join(dir, "libzinc.so");
  writeFileSync(lib, bytes);
  // /tmp is always one of native.ts's candidates: remove the copy it unpacked there (named by this content's hash)
  const uidDir = `/tmp/dita-v2-${process.getuid?.() ?? 0}`;
  const unpacked = join(uidDir, `libzinc-${Bun.hash(new TextEncoder().encode(bytes)).toString(16)}.so`);
  try {
    const r = spawnCli(["strategy-status"], {
      preload: PRELOAD,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: dir,
        TMPDIR: dir,
        DITA_V2_STATE_DIR: dir,
        UNLOADABLE_LIBZINC: lib,
      },
    });
    expect(r.stderr).toContain("cannot unpack the embedded libzinc.so");
    expect(r.code).toBe(2);
  } finally {
    rmSync(unpacked, { force: true });
    try {
      rmdirSync(uidDir); // only when empty (this test created it)
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a DITA_V2_ZINC_PREFIX that breaks the prefix rule is refused naming DITA_V2_ZINC_PREFIX, not --prefix", async () => {
  process.env.DITA_V2_ZINC_PREFIX = "no/slashes";
  delete process.env.DITA_V2_STRATEGY;
  const r = await refusal([]);
  expect(r.code).toBe(2);
  expect(r.message).toBe(
    "DITA_V2_ZINC_PREFIX must be 1..64 of [A-Za-z0-9_.-], not starting with '.', got 'no/slashes'",
  );
  const typed = await refusal(["--prefix", "no/slashes"]);
  expect(typed.message).toStartWith("--prefix must be 1..64 of [A-Za-z0-9_.-]");
});

test("regions missing under a prefix from DITA_V2_ZINC_PREFIX are exit 2 naming DITA_V2_ZINC_PREFIX", async () => {
  process.env.DITA_V2_ZINC_PREFIX = "h49_status_no_such_prefix";
  delete process.env.DITA_V2_STRATEGY;
  const r = await refusal([]);
  expect(r.code).toBe(2);
  expect(r.message).toContain("DITA_V2_ZINC_PREFIX=h49_status_no_such_prefix");
});
