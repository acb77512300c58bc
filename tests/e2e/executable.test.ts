/**
 * The single executable as an operator meets it: a lone copy in an empty folder runs, `--help`
 * lists the commands, `once` prints one JSON document, bad configuration is one line naming the
 * variable, and the embedded native libraries unpack even when TMPDIR is missing, read-only or
 * noexec — or fail with one line naming every place tried.
 */

import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { requireExe, run, scratch } from "./_exe.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A lone copy of the executable; `outsideTmp` keeps it visible when a test hides /tmp. */
function loneCopy(outsideTmp = false): { dir: string; exe: string } {
  // /var/tmp, not the checkout: CI may clone under /tmp, which that test hides.
  const dir = outsideTmp ? mkdtempSync("/var/tmp/dita-e2e-lone-") : scratch("dita-lone-");
  dirs.push(dir);
  const exe = join(dir, "dita-v2");
  copyFileSync(requireExe(), exe);
  Bun.spawnSync(["chmod", "+x", exe]);
  return { dir, exe };
}

describe("dist/dita-v2", () => {
  test("--help lists every command", () => {
    const r = run(["--help"]);
    expect(r.code).toBe(0);
    for (const c of [
      "serve",
      "once",
      "status",
      "healthcheck",
      "intent",
      "control",
      "replay",
      "ctl",
      "sim",
      "verify-isolation",
    ]) {
      expect(r.stdout).toContain(c);
    }
  });

  test("a lone copy in an empty folder runs once and prints one JSON status document", () => {
    const { dir, exe } = loneCopy();
    const r = run(["once"], {}, dir, exe);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.slots).toHaveLength(8);
    expect(doc.slots[0]).toMatchObject({ slot_id: 0, stage: "IDLE" });
    expect(doc.account).toMatchObject({ capital: 10_000, trade_seq: 0 });
    expect(doc.control).toMatchObject({ mode: "NORMAL", backend: "MOCK", version: 1 });
    expect(doc.state_hash).toMatch(/^[0-9a-f]{16}$/);
  });

  test("bad configuration exits non-zero with one line naming the variable", () => {
    for (const [name, value] of [
      ["DITA_V2_SLOTS", "banana"],
      ["DITA_V2_VENUE", "NYSE"],
      ["DITA_V2_HTTP_PORT", "99999"],
      ["DITA_V2_RECONCILE_ON_RESTART", "yes"],
    ] as Array<[string, string]>) {
      const r = run(["once"], { [name]: value! }, scratch());
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(name);
      expect(r.stderr).not.toContain("    at ");
    }
  });

  test("an unknown command is one line and a non-zero exit", () => {
    const r = run(["launch-missiles"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("launch-missiles");
  });

  test("a missing TMPDIR falls back to a usable directory with a warning naming it", () => {
    const r = run(["once"], { TMPDIR: "/nonexistent/tmp" }, scratch());
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("TMPDIR=/nonexistent/tmp is not usable (does not exist)");
  });

  const inPrivateMounts = (script: string, env: Record<string, string>) =>
    Bun.spawnSync(["unshare", "-m", "--propagation", "private", "sh", "-c", script], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdout: "pipe",
      stderr: "pipe",
    });

  test("a read-only or noexec TMPDIR falls back with a warning naming why", () => {
    const { dir, exe } = loneCopy();
    for (const opt of ["ro", "noexec"]) {
      const mnt = join(dir, `mnt-${opt}`);
      const r = inPrivateMounts(
        `mkdir -p ${mnt} && mount -t tmpfs -o ${opt},size=64m tmpfs ${mnt} && cd ${dir} && ${exe} once`,
        { TMPDIR: mnt, HOME: dir },
      );
      expect(r.exitCode).toBe(0);
      expect(r.stderr.toString()).toContain(
        `TMPDIR=${mnt} is not usable (${opt === "ro" ? "read-only" : "mounted noexec"})`,
      );
    }
  });

  test("when no directory can host the libraries, one line names every place tried", () => {
    const { dir, exe } = loneCopy(true);
    const r = inPrivateMounts(`mount -t tmpfs -o noexec,size=64m tmpfs /tmp && cd ${dir} && ${exe} once`, {
      TMPDIR: "/tmp",
      DITA_V2_STATE_DIR: "/tmp/state",
      HOME: "/proc/no-home",
    });
    const err = r.stderr.toString().trim();
    expect(r.exitCode).not.toBe(0);
    expect(err.split("\n")).toHaveLength(1);
    expect(err).toContain("TMPDIR=/tmp is not usable (mounted noexec)");
    expect(err).toContain("DITA_V2_STATE_DIR=/tmp/state is not usable");
    expect(err).toContain("Set TMPDIR");
  });
});
