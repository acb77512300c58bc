/**
 * `dita-v2 zinc-lib` writes libzinc.so through a temporary file, then renames it into place. The
 * temporary file's name is its own: two writers sharing the directory with the same pid (two
 * containers, both pid 1) never write into or rename away each other's; and a write that fails
 * (here: a file size limit, EFBIG) is exit 2 naming the reason and leaves no `.tmp` behind.
 */

import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeZincLib } from "../../src/cli/zinc_lib.ts";
import { nativeLibraryPath } from "../../src/kernel/index.ts";
import { CLI_MAIN } from "../_support/cli.ts";

test("a same-pid writer's temporary file in the directory is neither written over nor renamed away", () => {
  const dir = mkdtempSync(join(tmpdir(), "zinc-lib-pid-"));
  try {
    const other = join(dir, `libzinc.so.${process.pid}.tmp`); // what a writer with this pid would use
    writeFileSync(other, "another container's libzinc, half written");
    expect(writeZincLib(dir)).toBe(join(dir, "libzinc.so"));
    expect(readFileSync(other, "utf8")).toBe("another container's libzinc, half written");
    expect(Buffer.compare(readFileSync(join(dir, "libzinc.so")), readFileSync(nativeLibraryPath("zinc")))).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(["libzinc.so", `libzinc.so.${process.pid}.tmp`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a write that fails (file size limit) is exit 2 naming EFBIG and leaves no temporary file", () => {
  const dir = mkdtempSync(join(tmpdir(), "zinc-lib-efbig-"));
  try {
    // 8 KiB: less than libzinc.so; SIGXFSZ ignored so the write fails with EFBIG instead of killing the process
    const script = `ulimit -f 8; trap '' XFSZ; exec "$0" "$1" zinc-lib --out "$2"`;
    const r = Bun.spawnSync(["bash", "-c", script, process.execPath, CLI_MAIN, dir], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" },
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.toString()).toContain(`cannot write ${join(dir, "libzinc.so")}: EFBIG`);
    expect(readdirSync(dir)).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
