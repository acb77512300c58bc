/**
 * `dita-v2 chaos` as an operator runs it: the matrix by name, `--list`, and `--live`, which runs
 * only the cases marked safe for a demo account and refuses any other with one line before it
 * contacts anything. The live run is exercised against a bingx-sim standing in for the demo host
 * (BINGX_SMOKE_LIVE=1, keys, BINGX_BASE_URL): the harness cannot tell, and the sim keeps BingX's
 * own rate limits, which a live run must live with.
 */

import { expect, test } from "bun:test";
import { resolve } from "node:path";
import { type CaseVerdict, liveSafeCases, MATRIX } from "../../src/chaos/index.ts";
import { startBingxSim } from "../../src/sim/index.ts";

const MAIN = resolve(import.meta.dir, "../../src/cli/main.ts");
const NO_LIVE = { BINGX_SMOKE_LIVE: "", BINGX_API_KEY: "", BINGX_API_SECRET: "" };

async function chaos(args: string[], env: Record<string, string> = {}, killMs = 60_000) {
  const p = Bun.spawn([process.execPath, MAIN, "chaos", ...args], {
    env: { ...process.env, ...NO_LIVE, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => p.kill("SIGKILL"), killMs);
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  clearTimeout(timer);
  return {
    lines: out
      .trim()
      .split("\n")
      .filter((l) => l !== ""),
    err: err.trim(),
    code,
  };
}

test("`chaos --list` names every matrix case with its live-safe flag", async () => {
  const r = await chaos(["--list"]);
  expect(r.code).toBe(0);
  expect(r.lines.map((l) => l.split("\t")[0])).toEqual(MATRIX.map((c) => c.name));
  expect(r.lines.filter((l) => l.split("\t")[1] === "live-safe")).toHaveLength(liveSafeCases().length);
});

test("`chaos --live --case venue-5xx-burst` is refused with one line naming the live-safe cases, before anything runs", async () => {
  const r = await chaos(["--live", "--case", "venue-5xx-burst"]);
  expect(r.code).toBe(2);
  expect(r.lines).toEqual([]);
  expect(r.err.split("\n")).toHaveLength(1);
  expect(r.err).toContain("case venue-5xx-burst is not safe for a demo account");
  expect(r.err).toContain(liveSafeCases()[0]!.name);
});

test("`chaos --live` without BINGX_SMOKE_LIVE=1 is refused with one line", async () => {
  const r = await chaos(["--live"]);
  expect([r.code, r.lines]).toEqual([2, []]);
  expect(r.err).toContain("BINGX_SMOKE_LIVE=1");
});

test("an unknown case, --case without --matrix, and a bad --venue are refused with exit 2", async () => {
  for (const args of [
    ["--matrix", "--case", "no-such-case"],
    ["--case", "rapid-entry-exit"],
    ["--matrix", "--venue", "moon"],
  ]) {
    const r = await chaos(args);
    expect([args, r.code, r.err.split("\n").length]).toEqual([args, 2, 1]);
  }
});

test("`chaos --matrix --case rapid-entry-exit --venue mock` prints its SEED first, then a clean verdict, exit 0", async () => {
  const r = await chaos(["--matrix", "--case", "rapid-entry-exit", "--venue", "mock"]);
  expect(r.lines[0]).toBe("SEED=1000 case=rapid-entry-exit venue=mock");
  expect(JSON.parse(r.lines[1]!)).toMatchObject({ case: "rapid-entry-exit", venue: "mock", seed: 1000, clean: true });
  expect(r.code).toBe(0);
});

test("`chaos --live` runs every live-safe case and no other against a BingX-protocol venue with BingX's rate limits", async () => {
  const key = "liveKeyAAAAbbbbCCCC0123";
  const secret = "liveSecretZZZZyyyy98765";
  const sim = await startBingxSim({
    port: 0,
    apiKey: key,
    secret,
    seed: 3,
    prices: { "BTC-USDT": 65_000, "ETH-USDT": 3_200 },
  });
  try {
    const env = {
      BINGX_SMOKE_LIVE: "1",
      BINGX_API_KEY: key,
      BINGX_API_SECRET: secret,
      BINGX_BASE_URL: sim.url,
      BINGX_WS_URL: sim.wsUrl,
    };
    const r = await chaos(["--live"], env, 110_000);
    const verdicts = r.lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as CaseVerdict);
    for (const v of verdicts) if (!v.clean) console.log(JSON.stringify(v.findings));
    expect(r.lines[0]).toStartWith("SEED=");
    expect(verdicts.map((v) => v.case)).toEqual(liveSafeCases().map((c) => c.name));
    expect(verdicts.every((v) => v.venue === "live" && v.clean)).toBe(true);
    expect(r.code).toBe(0);
    expect(sim.state().faults).toMatchObject({ http_5xx: 0, drop_responses: 0, fill_price_skew: 0 });
    expect(sim.state().positions).toEqual([]);
  } finally {
    await sim.stop();
  }
}, 120_000);
