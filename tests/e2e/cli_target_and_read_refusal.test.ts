/**
 * Which serve the operator CLI talks to, and what its exit code says when that serve does not
 * answer the read: through the built executable, against a stub HTTP server in this process (no
 * serve, no cluster). The stub plays the local serve at DITA_V2_HTTP_PORT and counts requests.
 *
 * - An empty `--url` (`--url "$KERNEL_URL"` with the variable unset, or `--url` last on the line)
 *   is refused (exit 2) before anything is sent: it once fell back to DITA_V2_HTTP_HOST/PORT, so a
 *   flatten or `trading_state=ACTIVE` meant for a remote kernel reached the local one.
 * - `dita-v2 control` (the read) exits non-zero when serve answers anything but 200 (401 token
 *   refused, 503 still starting): it once printed the error body and exited 0.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { EXE, requireExe } from "./_exe.ts";

const seen: string[] = [];
let answer = { status: 200, body: {} as unknown };
let server: ReturnType<typeof Bun.serve>;

beforeAll(() => {
  requireExe();
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      seen.push(`${req.method} ${new URL(req.url).pathname}`);
      return Response.json(answer.body, { status: answer.status });
    },
  });
});
afterAll(() => server.stop(true));

/** Runs the executable without blocking this process (the stub must keep answering). */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([EXE, ...args], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/root",
      DITA_V2_OPERATOR_TOKEN: "cli-target-test-token-0123456789",
      DITA_V2_HTTP_HOST: "127.0.0.1",
      DITA_V2_HTTP_PORT: String(server.port),
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code: await p.exited, stdout, stderr };
}

describe("an empty --url is refused, never the local default", () => {
  const cases: string[][] = [
    ["flatten", "--url", ""],
    ["flatten", "--url"],
    ["control", "trading_state=ACTIVE", "--url", ""],
    ["control", "trading_state=HALTED", "--url="],
    ["healthcheck", "--url", ""],
    ["status", "--url", " "],
    ["intent", "cancel", "--slot", "0", "--url", ""],
  ];
  for (const args of cases)
    test(`dita-v2 ${JSON.stringify(args)} exits 2 and sends nothing`, async () => {
      answer = { status: 200, body: { complete: true, trading_state: "HALTED", slots: [] } };
      seen.length = 0;
      const r = await cli(...args);
      expect([r.code, r.stdout, r.stderr.trim(), seen]).toEqual([
        2,
        "",
        "dita-v2: --url is empty: give the base URL of a running serve (http://HOST:PORT), or leave --url out to use DITA_V2_HTTP_HOST/PORT",
        [],
      ]);
    });

  test("without --url the default (DITA_V2_HTTP_HOST/PORT) is still used", async () => {
    answer = { status: 200, body: { status: "ok" } };
    seen.length = 0;
    const r = await cli("healthcheck");
    expect([r.code, r.stdout.trim(), seen]).toEqual([0, "healthy", ["GET /health"]]);
  });
});

describe("dita-v2 control (the read) exits non-zero unless serve answered the snapshot", () => {
  for (const [status, body] of [
    [401, { error: "operator token required" }],
    [503, { ok: false, reasons: ["starting: recovery not finished"] }],
  ] as const)
    test(`HTTP ${status}: exit 1, one line naming it, nothing on stdout`, async () => {
      answer = { status, body };
      const r = await cli("control", "--url", `http://127.0.0.1:${server.port}`);
      expect([r.code, r.stdout]).toEqual([1, ""]);
      expect(r.stderr.trim()).toBe(`dita-v2: control answered HTTP ${status}: ${JSON.stringify(body)}`);
    });

  test("HTTP 200: the snapshot on stdout, exit 0", async () => {
    answer = { status: 200, body: { version: 3, trading_state: "HALTED" } };
    const r = await cli("control", "--url", `http://127.0.0.1:${server.port}/`);
    expect([r.code, JSON.parse(r.stdout)]).toEqual([0, { version: 3, trading_state: "HALTED" }]);
  });
});
