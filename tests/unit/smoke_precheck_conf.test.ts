/**
 * The live smoke's supervisor precheck needs the supervisord config to be there. Its default,
 * `supervisor/dolphin-supervisord.conf`, is relative to the working directory: run from anywhere
 * else, a missing config read as "supervisord not reachable" and the precheck passed, so a smoke
 * could trade the account `dolphin:dita_v2` was trading. Now a live smoke with no config is refused
 * by the precheck (exit 3, one line naming the path looked at) before any request leaves; a sim
 * target needs none.
 */

import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SmokeOptions, supervisorPrecheck } from "../../src/launcher/smoke.ts";
import { CLI_MAIN } from "../_support/cli.ts";

const live = (conf: string): SmokeOptions => ({
  symbol: "TRX-USDT",
  pink: false,
  strategy: "pink",
  venueUrl: null,
  size: null,
  conf,
  waitMs: 20_000,
});

test("a live precheck whose supervisord config is missing refuses, without asking supervisord", () => {
  const asked: string[] = [];
  const r = supervisorPrecheck(
    live("supervisor/dolphin-supervisord.conf"),
    (conf) => {
      asked.push(conf);
      return null;
    },
    () => false,
  );
  expect(r.ok).toBe(false);
  expect(r.detail).toContain(`no supervisord config at ${join(process.cwd(), "supervisor/dolphin-supervisord.conf")}`);
  expect(r.detail).toContain("run from the project directory or give --conf PATH");
  expect(asked).toEqual([]);
});

test("a config that is there and a supervisord that does not answer passes; RUNNING refuses; a sim needs no config", () => {
  const here = () => true;
  expect(supervisorPrecheck(live("c.conf"), () => null, here).ok).toBe(true);
  expect(supervisorPrecheck(live("c.conf"), () => "RUNNING", here)).toMatchObject({ ok: false });
  const sim = { ...live("missing.conf"), venueUrl: "http://127.0.0.1:1" };
  expect(
    supervisorPrecheck(
      sim,
      () => "RUNNING",
      () => false,
    ),
  ).toEqual({
    ok: true,
    detail: "skipped: the sim is a private account",
  });
});

test("dita-v2 smoke run live outside the project directory exits 3 at the precheck and sends nothing", async () => {
  let requests = 0;
  const venue = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => {
      requests++;
      return new Response("{}");
    },
  });
  const cwd = mkdtempSync(join(tmpdir(), "dita-smoke-precheck-"));
  try {
    const p = Bun.spawn([process.execPath, CLI_MAIN, "smoke", "--symbol", "TRX-USDT"], {
      cwd,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: cwd,
        DITA_V2_STATE_DIR: join(cwd, "state"),
        BINGX_SMOKE_LIVE: "1",
        BINGX_API_KEY: "live-key-12345678",
        BINGX_API_SECRET: "live-secret-12345678",
        BINGX_BASE_URL: `http://127.0.0.1:${venue.port}`,
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, stdout, stderr] = await Promise.all([
      p.exited,
      new Response(p.stdout).text(),
      new Response(p.stderr).text(),
    ]);
    expect([code, stdout]).toEqual([3, ""]);
    expect(stderr.trim().split("\n")).toEqual([
      `dita-v2: precheck: no supervisord config at ${join(cwd, "supervisor/dolphin-supervisord.conf")}, so whether dolphin:dita_v2 trades this account cannot be checked; run from the project directory or give --conf PATH`,
    ]);
    expect(requests).toBe(0);
  } finally {
    venue.stop(true);
    rmSync(cwd, { recursive: true, force: true });
  }
}, 30_000);
