/**
 * The HTTP path's intent rate for bench/clients.ts: POST /intents (MARK_PRICE, the token sent)
 * for a few seconds with 32 keep-alive connections, by wrk with a POST script when wrk is present
 * (bench/http_load.ts installs it on Debian), else a Bun client with 32 concurrent fetch loops.
 * The tool used is recorded with the rate.
 *
 * Entry point: `httpIntentRate(url, token)`.
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureWrk } from "./http_load.ts";

const SECONDS = 5;
const CONNECTIONS = 32;
const BODY = JSON.stringify({ type: "MARK_PRICE", asset: "BTC-USDT", price: 65000 });

export async function httpIntentRate(url: string, token: string): Promise<{ intents_per_s: number; tool: string }> {
  const wrk = ensureWrk();
  if (wrk !== null) {
    const dir = mkdtempSync(join(tmpdir(), "dita-wrk-"));
    const script = join(dir, "post.lua");
    writeFileSync(
      script,
      `wrk.method = "POST"\nwrk.body = '${BODY}'\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer ${token}"\n`,
    );
    const r = spawnSync("wrk", ["-t1", `-c${CONNECTIONS}`, `-d${SECONDS}s`, "-s", script, `${url}/intents`], {
      encoding: "utf8",
      timeout: (SECONDS + 30) * 1000,
    });
    rmSync(dir, { recursive: true, force: true });
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout ?? "")?.[1]);
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(r.stdout ?? "")?.[1] ?? 0);
    if (rps > 0 && non2xx === 0) return { intents_per_s: Math.round(rps), tool: `${wrk}, ${CONNECTIONS} connections` };
  }
  let done = 0;
  const end = Bun.nanoseconds() + SECONDS * 1e9;
  const headers = { "Content-Type": "application/json", Authorization: `Bearer ${token}` };
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Bun.nanoseconds() < end) {
        const res = await fetch(`${url}/intents`, { method: "POST", headers, body: BODY });
        await res.arrayBuffer();
        if (res.status === 200) done++;
      }
    }),
  );
  return { intents_per_s: Math.round(done / SECONDS), tool: `bun fetch, ${CONNECTIONS} concurrent loops` };
}
