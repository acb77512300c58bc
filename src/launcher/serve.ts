/**
 * `serve` mode: assemble, recover, then serve HTTP and the Zinc ring until SIGTERM/SIGINT.
 * On a signal: stop intake, bound in-flight venue calls, flush projection, publish the final
 * state (the Zinc state region is write-through, so it already holds it), exit 0 within 10 s
 * (`_serve_stop.ts`: the fleet's Hazelcast steps too are bounded, and the state dir always unlocked).
 * The event hub (`GET /events`) gets the runtime's outcomes and the venue's and projection's
 * diagnostics; the console's files are served from the executable. When DITA_V2_HTTP_HOST is not
 * a loopback address, every route but /health and the console's files needs the token.
 * Before recovery, rows a SIGKILLed predecessor had not spooled are re-projected from its journal
 * (`catchUp`), which then prunes the journal (never before: the prune could delete what it reads). Every log line, the status document and the metrics text leave through
 * `maskSecrets` (no credential is ever printed or served); every log line is one printable line (`serveLogLine`).
 * First of all the HTTP port is bound (a port in use stops the start before anything is touched;
 * until recovery is done every request answers 503 "starting"). Then, with the cluster on, the
 * account lease is taken (fleet_member.ts): a second kernel on one account stops here (its state
 * dir is created and locked first), before its journal is read or its projection or venue touched. Once serve
 * answers HTTP the kernel heartbeats into the fleet (`/status` → `fleet`, `GET /fleet`). From the end of
 * recovery until a stop signal, the stall watch (`_stall_watch.ts`, `/status` → `stall_watch`) ends the
 * process should its event loop stop turning for DITA_V2_STALL_MS, for its supervisor to restart it.
 */

import { consoleAssets } from "../console/index.ts";
import { printableLine } from "../contracts/printable.ts";
import { maskDeep, maskSecrets } from "../contracts/secrets.ts";
import { EventHub, type FeedDiagnostic } from "../events/index.ts";
import { createHttp, type HttpDeps, isLoopbackHost } from "../http/index.ts";
import { stopServe } from "./_serve_stop.ts";
import { type StallWatch, startStallWatch } from "./_stall_watch.ts";
import { buildBundle, makeStateDir } from "./bundle.ts";
import { httpOrigin, loadConfig, type RuntimeConfig } from "./config.ts";
import { type FleetMembership, joinFleet } from "./fleet_member.ts";
import { eagerJitEnv, jitInUse, reexecWith, runsCompiled } from "./jit_tiers.ts";
import { catchUp } from "./journal_projection.ts";
import { gauge, rateLines, slotStageLines } from "./metrics.ts";
import { newRunId } from "./run_id.ts";
import { Runtime } from "./runtime.ts";
import { lockStateDir } from "./state_dir_lock.ts";
import { health, statusDocument } from "./status.ts";
import { SystemClock } from "./system_clock.ts";
import { ensureOperatorToken } from "./token.ts";

/**
 * One line of serve's log: secrets masked, and one printable line (`printableLine`): a log line quotes what clients
 * and the venue sent (a refused intent's field name, a venue's message), and a newline there would forge a line.
 */
export function serveLogLine(line: string): string {
  return `[dita-v2] ${printableLine(maskSecrets(line))}`;
}

export async function runServe(env: Record<string, string | undefined>): Promise<number> {
  const config = loadConfig(env);
  // Before anything is opened: serve re-executes itself once with eager JIT tiers (jit_tiers.ts).
  const eager = eagerJitEnv(env, config.jit, runsCompiled());
  const notReexecuted = eager === null ? null : reexecWith(eager);
  const log = (line: string) => console.error(serveLogLine(line));
  if (notReexecuted !== null) log(notReexecuted);
  const clock = new SystemClock();
  const hub = new EventHub({ clock, epoch: (clock.nowMs() * 1000 + (process.pid % 1000)).toString(36), log });
  const ids = { run: newRunId(), epochMs: clock.nowMs() };
  // The port first: a port in use stops the start here, before the lease, the state dir, the
  // regions or the venue are touched. Until recovery is done every request answers 503 starting.
  const server = Bun.serve({
    hostname: config.http_host,
    port: config.http_port,
    routes: {},
    fetch: () => Response.json({ ok: false, reasons: ["starting: recovery not finished"] }, { status: 503 }),
    maxRequestBodySize: 64 * 1024,
    // A flatten answers when the venue confirmed (up to its bound): longer than Bun's 10 s default.
    idleTimeout: 255,
  });
  let fleet: FleetMembership;
  let rt: Runtime;
  let unlock = () => {};
  try {
    unlock = lockStateDir(makeStateDir(config.state_dir, log)); // one serve per state dir, before its journal is read
    fleet = await joinFleet(config, env, clock, log, ids);
  } catch (e) {
    unlock();
    server.stop(true);
    throw e;
  }
  try {
    rt = await startRuntime(config, env, clock, log, hub, ids);
  } catch (e) {
    server.stop(true);
    await fleet.leave(); // a start that failed gives the lease back at once
    unlock();
    throw e;
  }
  // From here on the event loop must keep turning: a stall ends the process for its supervisor to restart.
  const stall = startStallWatch(config.stall_ms, serveLogLine(""), log);
  const token = ensureOperatorToken(config.state_dir, config.operator_token);
  const exposed = !isLoopbackHost(config.http_host);
  const http = createHttp(httpDeps(rt, token, hub, fleet, stall, log), { exposed, assets: consoleAssets() });
  // POST /intents on Bun's own router: the order path (src/http/intents_route.ts).
  server.reload({ routes: http.routes, fetch: http.fetch });
  // Heard from before the "serving" line: a stop sent the moment serve says it serves is a clean one.
  const stopSignal = new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  log(
    `serving ${httpOrigin(config.http_host, server.port ?? config.http_port)} (strategy ${config.strategy}, venue ${config.venue}, zinc ${config.zinc}, jit ${jitInUse(env)})`,
  );
  if (exposed) log(`${config.http_host} is not a loopback address: every route but /health needs the token`);
  fleet.start(rt, httpOrigin(config.http_host, server.port ?? config.http_port));
  const loops = rt.runLoops();
  const signal = await stopSignal;
  stall?.stop(); // the stop has bounds of its own (_serve_stop.ts)
  await stopServe(signal, { fleet, runtime: rt, hub, server, loops, unlock, log });
  return 0;
}

/** Bundle, catch-up and recovery: the runtime ready to serve. */
async function startRuntime(
  config: RuntimeConfig,
  env: Record<string, string | undefined>,
  clock: SystemClock,
  log: (line: string) => void,
  hub: EventHub,
  ids: { run: string; epochMs: number },
): Promise<Runtime> {
  const feed = (d: Omit<FeedDiagnostic, "now_ms">) => hub.diagnostic({ ...d, now_ms: clock.nowMs() });
  const bundle = await buildBundle(config, clock, env, {
    journal: true,
    ...ids,
    log,
    onProjectionDiagnostic: (d) => {
      log(`projection ${d.code}: ${d.message}`);
      feed({
        source: "projection",
        code: d.code,
        severity: d.severity,
        slot_id: null,
        message: d.message,
        details: d.details,
      });
    },
  });
  bundle.venue.onDiagnostic((d) =>
    feed({
      source: "venue",
      code: d.code,
      severity: "WARNING",
      slot_id: null,
      message: d.message,
      details: d.details ?? {},
    }),
  );
  const rt = new Runtime(bundle, log, hub);
  catchUp(bundle, log);
  const startedNs = bundle.clock.monoNs();
  const report = await rt.start();
  const tookMs = (Number(bundle.clock.monoNs() - startedNs) / 1e6).toFixed(1);
  log(
    `recovered in ${tookMs} ms: restored ${JSON.stringify(report.restored)}, reconciled ${JSON.stringify(report.reconciled)}, orphans ${report.orphans.length}, capital ${report.capital}`,
  );
  return rt;
}

function httpDeps(
  rt: Runtime,
  token: string,
  hub: EventHub,
  fleet: FleetMembership,
  stall: StallWatch | null,
  log: (l: string) => void,
): HttpDeps {
  const stallWatch = () => stall?.status() ?? { stall_ms: 0, running: false };
  return {
    health: () => health(rt),
    status: () =>
      maskDeep({ ...statusDocument(rt), events: hub.stats(), fleet: fleet.status(), stall_watch: stallWatch() }),
    slotCount: () => rt.b.kernel.slotCount,
    slot: (id) => rt.b.kernel.slot(id),
    slots: () => rt.b.kernel.slots(),
    metrics: () => maskSecrets(rt.metrics.render(liveGauges(rt))),
    submitIntent: (intent) => rt.submitStrategy(intent),
    refuseIntent: (refusal) => rt.refuseAtEdge("http", refusal),
    control: (change) => rt.applyControl(change),
    controlSnapshot: () => rt.b.control.snapshot(),
    flatten: (request) => rt.flattener.run(request),
    operatorToken: () => token,
    log,
    events: hub,
    ...(fleet.list !== undefined ? { fleet: fleet.list } : {}),
  };
}

function liveGauges(rt: Runtime): string[] {
  const account = rt.b.kernel.account();
  const projection = rt.b.projection.stats();
  return [
    ...slotStageLines(rt.b.kernel.slots()),
    ...gauge("dita_v2_capital", "Account capital", [["", account.capital]]),
    ...gauge("dita_v2_equity", "Account equity", [["", account.equity]]),
    ...gauge("dita_v2_trade_seq", "Settled trades", [["", account.trade_seq]]),
    ...gauge(
      "dita_v2_projection_backlog",
      "Projection records waiting, by sink",
      projection.sinks.map((s) => [`sink="${s.sink}"`, s.backlog_records]),
    ),
    ...gauge("dita_v2_venue_connected", "1 when the venue is connected", [["", rt.b.venue.connected() ? 1 : 0]]),
    ...rateLines(rt.b.venue.rateStats?.()),
  ];
}
