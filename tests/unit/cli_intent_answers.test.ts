/**
 * `dita-v2 intent`'s exit code for each answer serve can give, as README "Commands" documents:
 * 0 accepted (200), 3 refused (422, the outcome printed), and 1 for any other answer — a token
 * serve refused (401) or serve not taking intents (503: still starting, or shutting down) — with
 * one line naming the status, so a script never reads a refusal of the request as the kernel's.
 */

import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { runCommand } from "citty";
import { intentCommand } from "../../src/cli/intent.ts";

let answer = { status: 200, body: {} as unknown };
const server = Bun.serve({ port: 0, fetch: () => Response.json(answer.body, { status: answer.status }) });
const url = `http://127.0.0.1:${server.port}`;
afterAll(() => server.stop(true));

const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  process.exitCode = 0;
});

async function exitOf(status: number, body: unknown): Promise<{ code: number; message: string }> {
  answer = { status, body };
  process.env.DITA_V2_OPERATOR_TOKEN = "t".repeat(32);
  const printed = console.log;
  console.log = () => {};
  try {
    await runCommand(intentCommand, { rawArgs: ["cancel", "--slot", "0", "--url", url] });
    return { code: Number(process.exitCode ?? 0), message: "" };
  } catch (e) {
    return { code: (e as { exitCode?: number }).exitCode ?? 1, message: (e as Error).message };
  } finally {
    console.log = printed;
  }
}

describe("dita-v2 intent exit codes by serve's answer", () => {
  test("200 exits 0 and 422 exits 3 (the kernel's or the edge's refusal)", async () => {
    expect((await exitOf(200, { accepted: true })).code).toBe(0);
    expect((await exitOf(422, { accepted: false, diagnostics: [] })).code).toBe(3);
  });

  test("a refused token (401) exits 1 naming the status, not 3", async () => {
    const r = await exitOf(401, { error: "unauthorized" });
    expect(r).toEqual({ code: 1, message: expect.stringContaining("HTTP 401") });
  });

  test("serve not taking intents (503) exits 1 naming the status, not 3", async () => {
    const r = await exitOf(503, { error: "shutting down" });
    expect(r).toEqual({ code: 1, message: expect.stringContaining("HTTP 503") });
  });
});
