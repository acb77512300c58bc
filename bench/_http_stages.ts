/**
 * Where `POST /intents`' time goes, for bench/http_stages.ts: the runtime serve runs (bench/_stage_rig.ts:
 * journal on, real Zinc, the BingX adapter, bingx-sim behind the first-byte relay) with serve's HTTP
 * edge (`createHttp`: `POST /intents` on Bun's own router) on a loopback port of this process, and a
 * client writing each request in its own turn on a kept-alive connection (the adapter's transport,
 * HttpWire, as wrk writes). Stamped on the relay's clock at each hand-over: the request written; the
 * route's handler entered (Bun's HTTP parse, the loopback, this event loop's turn to it); the intent
 * handed to the runtime (`submitStrategy`: body read, JSON parse with the duplicate-key scan, the
 * intent's schema); the executor's dispatch of the accepted transition (order hold and size rules, the
 * kernel call, the state mirror, the journal's write-ahead); the adapter's submit; the signed request
 * handed to the transport; the first byte at the venue's socket. Medians per stage over market entries
 * and exits. (The client's answer is not timed: the sim, in this process, handles the order on the same
 * event loop before the client reads it, so its time would not be serve's.)
 *
 * One process holds client, server, runtime and adapter (one event loop): the request's first stage
 * has no process wake-up in it, which serve's figure (bench/clients.ts `http_own_turn`) has.
 *
 * Entry points: `httpStagesInChild(o)` (a bun process with serve's eager JIT tiers, as serve has them);
 * run as a script, it prints the stages as one JSON line.
 */

import { createHttp, type HttpDeps } from "../src/http/index.ts";
import { HttpWire } from "../src/venue/bingx/http_wire.ts";
import { gap50, inChild, type StageOptions, startStageRig, totals } from "./_stage_rig.ts";
import { placementPacer, realtimeNs } from "./_venue_probe.ts";

const WARMUP = 10;
const TOKEN = "bench-http-stages-token-0123456789";

export async function httpStageBreakdown(o: StageOptions) {
  const rig = await startStageRig(o, "http_stages");
  const { rt, probe, stamps: shared } = rig;
  const stamps = { handler: 0, runtime: 0 };
  const http = createHttp({
    slotCount: () => rt.b.kernel.slotCount,
    operatorToken: () => TOKEN,
    submitIntent: (intent) => {
      if (stamps.runtime === 0) stamps.runtime = realtimeNs();
      return rt.submitStrategy(intent);
    },
    refuseIntent: (refusal) => rt.refuseAtEdge("http", refusal),
    log: () => {},
  } as Partial<HttpDeps> as HttpDeps);
  const route = http.routes["/intents"]!.POST;
  http.routes["/intents"]!.POST = (req) => {
    if (stamps.handler === 0) stamps.handler = realtimeNs();
    return route(req);
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    routes: http.routes,
    fetch: http.fetch,
    maxRequestBodySize: 64 * 1024,
  });
  const loops = rt.runLoops();
  const url = `http://127.0.0.1:${server.port}/intents`;
  const wire = new HttpWire(`http://127.0.0.1:${server.port}`, { nowMs: Date.now });
  const headers = { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` };
  const rows: number[][] = [];
  const gap = o.backToBackMs;
  const pace = gap === undefined ? placementPacer() : () => Bun.sleep(gap);
  try {
    for (let i = 0; i < o.trades + WARMUP; i++) {
      for (const type of ["ENTER", "EXIT"] as const) {
        await pace();
        Object.assign(stamps, { handler: 0, runtime: 0 });
        rig.reset();
        const body = JSON.stringify(
          type === "ENTER"
            ? { type, slot_id: 0, trade_id: `h${i}`, asset: "BTC-USDT", side: "LONG", size: 0.001, leverage: 2 }
            : { type, slot_id: 0, size: 0.001, reason: "SIGNAL" },
        );
        const arrival = probe.nextOrder();
        const t0 = realtimeNs();
        const answer = wire.fetch(url, { method: "POST", headers, body });
        const a = await arrival;
        const res = await answer;
        if (res.status !== 200) throw new Error(`POST /intents answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
        if (i >= WARMUP) {
          rows.push([t0, stamps.handler, stamps.runtime, shared.dispatch, shared.submit, shared.fetch, a.firstByteNs]);
        }
        const want = type === "ENTER" ? "POSITION_OPEN" : "CLOSED";
        while (rt.b.kernel.slot(0).stage !== want) await Bun.sleep(1);
      }
    }
  } finally {
    server.stop(true);
    await rig.stop(loops);
  }
  return {
    n: rows.length,
    where: "client, HTTP edge, runtime, adapter, relay and sim in one bun process (serve's code and eager JIT tiers)",
    write_to_handler_http_parse_loopback: gap50(rows, 0),
    handler_to_runtime_body_json_schema: gap50(rows, 1),
    runtime_to_dispatch_rules_kernel_mirror_journal: gap50(rows, 2),
    dispatch_to_adapter_submit: gap50(rows, 3),
    adapter_submit_to_transport_rules_mark_sign: gap50(rows, 4),
    transport_to_first_byte_at_venue_encode_write_loopback: gap50(rows, 5),
    ...totals(rows),
  };
}

/** `httpStageBreakdown` in a bun process of its own started with serve's eager JIT tiers. */
export const httpStagesInChild = (o: StageOptions) =>
  inChild<Awaited<ReturnType<typeof httpStageBreakdown>>>(import.meta.path, o);

if (import.meta.main) {
  console.log(JSON.stringify(await httpStageBreakdown(JSON.parse(process.argv[2]!) as StageOptions)));
  process.exit(0);
}
