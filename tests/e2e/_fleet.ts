/**
 * Helpers of the fleet e2e tests: a reader of one namespace's maps, the check that they hold exactly
 * what a kernel's `/status` says (every non-idle slot, its registry entry, the account, the control
 * row), a trade cycle through a serve's HTTP API, `dist/dita-v2 fleet` runs, and a serve start that
 * is expected to be refused (it must exit by itself, never hang).
 */

import { type HzClient, newHzClient } from "../../src/projection/index.ts";
import { requireExe } from "./_exe.ts";
import { eventually } from "./_serve.ts";

type Row = Record<string, any>;
type Caller = { call(path: string, init?: { body?: unknown }): Promise<{ status: number; body: any }> };

export async function reader(addr: string, cluster: string): Promise<HzClient> {
  return newHzClient({ addr, cluster }, false);
}

export async function mapsOf(c: HzClient, ns: string): Promise<Record<string, Record<string, Row>>> {
  const out: Record<string, Record<string, Row>> = {};
  for (const m of ["DOLPHIN_STATE", "DITA_V2_ACTIVE_SLOTS", "DOLPHIN_PNL", "DITA_V2_CONTROL"]) {
    const entries = await (await c.getMap<string, Row>(`${m}_${ns.toUpperCase()}`)).entrySet();
    out[m] = Object.fromEntries(entries.map(([k, v]) => [k, v]));
  }
  return out;
}

/** True when the namespace's maps hold exactly what the kernel's `/status` says (README "What is projected"). */
export async function mapsEqualStatus(c: HzClient, ns: string, s: Caller): Promise<boolean> {
  const st = (await s.call("/status")).body;
  const m = await mapsOf(c, ns);
  const strip = ({ strategy: _s, epoch: _e, ...rest }: Row) => rest;
  const slots = st.slots.filter((x: Row) => x.stage !== "IDLE");
  const active = slots.filter((x: Row) => x.stage !== "CLOSED").map((x: Row) => String(x.slot_id));
  const { updated_at_ms: _u, ...account } = strip(m.DOLPHIN_PNL!.account ?? {});
  return (
    Bun.deepEquals(Object.keys(m.DOLPHIN_STATE!).sort(), slots.map((x: Row) => String(x.slot_id)).sort()) &&
    slots.every((x: Row) => Bun.deepEquals(strip(m.DOLPHIN_STATE![String(x.slot_id)]!), x)) &&
    Bun.deepEquals(Object.keys(m.DITA_V2_ACTIVE_SLOTS!).sort(), active.sort()) &&
    Bun.deepEquals(account, st.account) &&
    Bun.deepEquals(strip(m.DITA_V2_CONTROL!.control ?? {}), st.control)
  );
}

let trades = 0;

/** One whole trade on `slot`: ENTER at market, wait POSITION_OPEN, EXIT, wait CLOSED. */
export async function tradeCycle(s: Caller, slot: number, asset: string, size: number): Promise<void> {
  const trade_id = `FT${++trades}`;
  const enter = await s.call("/intents", {
    body: { type: "ENTER", slot_id: slot, trade_id, asset, side: "LONG", size, price: null, leverage: 5 },
  });
  if (enter.status !== 200) throw new Error(`ENTER ${trade_id}: HTTP ${enter.status} ${JSON.stringify(enter.body)}`);
  await eventually(
    `${trade_id} open`,
    async () => (await s.call(`/slots/${slot}`)).body.stage === "POSITION_OPEN",
    10_000,
  );
  const exit = await s.call("/intents", { body: { type: "EXIT", slot_id: slot, size, reason: "TP" } });
  if (exit.status !== 200) throw new Error(`EXIT ${trade_id}: HTTP ${exit.status} ${JSON.stringify(exit.body)}`);
  await eventually(`${trade_id} closed`, async () => (await s.call(`/slots/${slot}`)).body.stage === "CLOSED", 10_000);
}

/** `dist/dita-v2 fleet ARGS` (non-blocking), its exit code and output. */
export async function fleetCli(
  args: string[],
  env: Record<string, string>,
  exe = requireExe(),
): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([exe, "fleet", ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => p.kill("SIGKILL"), 60_000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** `dist/dita-v2 serve` expected to be refused: it must exit by itself within `ms` (else it is killed and this throws). */
export async function refusedServe(
  env: Record<string, string>,
  ms = 20_000,
): Promise<{ code: number; stderr: string }> {
  const p = Bun.spawn([requireExe(), "serve"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/root",
      DITA_V2_HTTP_PORT: "0",
      ...env,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const stderr = new Response(p.stderr).text();
  const done = await Promise.race([p.exited, Bun.sleep(ms).then(() => null)]);
  if (done === null) {
    p.kill("SIGKILL");
    await p.exited;
    throw new Error(`serve was expected to be refused but is still running: ${(await stderr).slice(-600)}`);
  }
  return { code: done, stderr: await stderr };
}
