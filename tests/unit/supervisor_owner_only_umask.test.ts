/**
 * Under supervisord the kernel runs with umask 077, and so does supervisord: a file something creates
 * under the state dir without a mode of its own (a library's, a later change's) and supervisord's logs
 * (serve's TRACE lines: orders, prices, sizes) are their owner's alone, like the files the code
 * creates 0600 itself. supervisord's default umask is 022 (files 0644, directories 0755). Checked
 * from the files: the main config (supervisor/dolphin-supervisord.conf) sets it for supervisord and
 * for dolphin:dita_v2, the fleet's (deploy/supervisor/supervisord.conf) for supervisord, and
 * run-strategy.sh sets it before it execs the kernel.
 */
import { expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dir, "../..");

/** `umask` of each `[section]` of an ini file that sets one: section name → value. */
function umasks(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  let section = "";
  for (const raw of readFileSync(file, "utf8").split("\n")) {
    const line = raw.trim();
    const head = /^\[([^\]]+)\]$/.exec(line);
    if (head) section = head[1]!;
    const m = /^umask\s*=\s*(\S+)/.exec(line);
    if (m) out[section] = m[1]!;
  }
  return out;
}

test("the main supervisord config runs supervisord and dolphin:dita_v2 with umask 077", () => {
  expect(umasks(join(REPO, "supervisor/dolphin-supervisord.conf"))).toEqual({
    supervisord: "077",
    "program:dita_v2": "077",
  });
});

test("the fleet's supervisord config runs supervisord with umask 077", () => {
  expect(umasks(join(REPO, "deploy/supervisor/supervisord.conf"))).toEqual({ supervisord: "077" });
});

test("run-strategy.sh execs the kernel with umask 077 whatever supervisord's umask", () => {
  const dir = mkdtempSync(join(tmpdir(), "dita-umask-"));
  try {
    const exe = join(dir, "fake-dita-v2");
    writeFileSync(exe, "#!/bin/sh\numask\n");
    chmodSync(exe, 0o755);
    writeFileSync(join(dir, "blue.env"), "DITA_V2_HTTP_PORT=7872\n", { mode: 0o600 });
    const r = Bun.spawnSync(
      ["sh", "-c", 'umask 022; exec sh "$0" blue', join(REPO, "deploy/supervisor/run-strategy.sh")],
      {
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", DITA_V2_ENV_DIR: dir, DITA_V2_EXE: exe },
      },
    );
    expect([r.exitCode, r.stdout.toString().trim()]).toEqual([0, "0077"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
