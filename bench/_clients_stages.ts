/**
 * Where the ring path's time goes, for bench/clients.ts: the runtime serve runs (`Runtime`,
 * journal on, real Zinc, the BingX adapter) built in this process, with bingx-sim behind the
 * first-byte relay, and the TypeScript client pushing intents. Each hand-over is stamped with
 * one clock (`realtimeNs`, the relay's): the push; the drain that took the record (the kernel
 * loop's wake-up); the executor's dispatch of the accepted transition (region checks, edge
 * checks, kernel call, the journal's write-ahead); the adapter's submit entered; the signed
 * request handed to the transport (contract rules, position mode and mark from memory, rate
 * token, signing); the first byte at the venue's socket (request bytes, socket write, loopback).
 * Medians per stage over market entries and exits. The order is written in the drain's own turn:
 * the projection, metrics and outcome publishing of the call run after it, outside these stages.
 * The drain → dispatch stage is also cut at its own hand-overs (`drain_to_dispatch_parts`): the
 * ring read, the records' edge checks, the kernel call, the state region's mirror, the journal's
 * entry encoding and its write-ahead (one write(2)); so is the transport (`transport_parts`: request
 * bytes and the exchange's set-up, then the socket write until the first byte), and the signing is
 * timed in the placement against the path warmer's rehearsals of it (`signing_us`).
 *
 * serve runs with eager JIT tiers (src/launcher/jit_tiers.ts), which a process can only get at
 * its start: `stagesInChild` runs this file as its own bun process with them, as serve has them.
 *
 * Entry points: `stagesInChild({ trades, key, secret, scratch })`; `stageBreakdown(same)`, in
 * this process (run as a script, it prints the stages as one JSON line).
 */

import { DitaClient } from "../clients/typescript/index.ts";
import type { StateMirror } from "../src/kernel/index.ts";
import { nativeLibraryPath } from "../src/kernel/index.ts";
import type { Runtime } from "../src/launcher/index.ts";
import { HttpWire } from "../src/venue/bingx/http_wire.ts";
import { gap50, inChild, p50, type StageOptions, startStageRig, totals } from "./_stage_rig.ts";
import { placementPacer, realtimeNs } from "./_venue_probe.ts";

const WARMUP = 10;

/** The hand-overs inside drain → dispatch, in order (each stamped once per placement). */
const PARTS = ["taken", "checked", "mirror", "mirrored", "encoded", "flush", "written"] as const;
type Part = (typeof PARTS)[number];

export async function stageBreakdown(o: StageOptions) {
  const rig = await startStageRig(o, "stages");
  const { rt, probe, prefix, rest, stamps: shared } = rig;
  const stamps = { drain: 0 };
  // Armed by the push; stamped from the drain that read the pushed record on.
  const part: Partial<Record<Part, number>> = {};
  let armed = false;
  const stamp = (k: Part) => {
    if (armed && (k === "taken" || part.taken !== undefined) && part[k] === undefined) part[k] = realtimeNs();
  };
  wrapParts(rt, stamp);
  // Signing (parameters, HMAC, URL) timed in the placement and in the path warmer's rehearsals
  // between placements: the same code, run ~1 ms apart or after the rest of the path.
  const signUs = { path: [] as number[], rehearsed: [] as number[] };
  const build = rest.buildRequest.bind(rest);
  rest.buildRequest = (req, nowMs) => {
    const t = realtimeNs();
    const out = build(req, nowMs);
    if (req.method === "POST" && req.path.endsWith("/trade/order"))
      (armed ? signUs.path : signUs.rehearsed).push((realtimeNs() - t) / 1000);
    return out;
  };
  // The transport's socket write entered (HttpWire's one write per request).
  const wire = HttpWire.prototype as unknown as { writeRest: (...a: unknown[]) => void };
  const writeRest = wire.writeRest;
  let written = 0;
  wire.writeRest = function (this: unknown, ...a: unknown[]) {
    if (armed && written === 0) written = realtimeNs();
    writeRest.apply(this, a);
  };
  const drain = rt.drainRing.bind(rt);
  rt.drainRing = () => {
    const t = realtimeNs();
    const n = drain();
    if (n > 0 && stamps.drain === 0) stamps.drain = t;
    return n;
  };
  const loops = rt.runLoops();
  const client = DitaClient.connect({ prefix, libPath: nativeLibraryPath("zinc") });
  const rows: number[][] = [];
  const parts: number[][] = [];
  const wireRows: number[][] = [];
  const gap = o.backToBackMs;
  const pace = gap === undefined ? placementPacer() : () => Bun.sleep(gap);
  try {
    for (let i = 0; i < o.trades + WARMUP; i++) {
      for (const type of ["ENTER", "EXIT"] as const) {
        await pace();
        stamps.drain = 0;
        rig.reset();
        for (const k of PARTS) delete part[k];
        written = 0;
        armed = true;
        const arrival = probe.nextOrder();
        const t0 = realtimeNs();
        if (type === "ENTER")
          client.push({
            type,
            slotId: 0,
            tradeId: `st${i}`,
            asset: "BTC-USDT",
            side: "LONG",
            size: 0.001,
            leverage: 2,
          });
        else client.push({ type, slotId: 0, size: 0.001, reason: "SIGNAL" });
        const a = await arrival;
        armed = false;
        if (i >= WARMUP) {
          rows.push([t0, stamps.drain, shared.dispatch, shared.submit, shared.fetch, a.firstByteNs]);
          parts.push([stamps.drain, ...PARTS.map((k) => part[k] ?? Number.NaN), shared.dispatch]);
          wireRows.push([shared.fetch, written, a.firstByteNs]);
        }
        while (client.slot(0).stage !== (type === "ENTER" ? "POSITION_OPEN" : "CLOSED"))
          await client.waitForChange(100);
      }
    }
  } finally {
    client.close();
    await rig.stop(loops);
  }
  return {
    n: rows.length,
    where:
      "runtime, client, adapter, relay and sim in one bun process (serve's code and eager JIT tiers, one event loop)",
    push_to_drain_wakeup: gap50(rows, 0),
    drain_to_dispatch_kernel_outcome_journal: gap50(rows, 1),
    drain_to_dispatch_parts: {
      region_checks_control_sync_ring_read: gap50(parts, 0),
      record_edge_checks_size_rules_outcome_note: gap50(parts, 1),
      kernel_call: gap50(parts, 2),
      state_region_mirror: gap50(parts, 3),
      journal_entry_encode: gap50(parts, 4),
      outcome_read: gap50(parts, 5),
      journal_write_ahead_one_write: gap50(parts, 6),
      to_dispatch: gap50(parts, 7),
    },
    dispatch_to_adapter_submit: gap50(rows, 2),
    adapter_submit_to_transport_rules_mark_sign: gap50(rows, 3),
    transport_to_first_byte_at_venue_encode_write_loopback: gap50(rows, 4),
    transport_parts: {
      request_bytes_and_exchange: gap50(wireRows, 0),
      socket_write_call_to_first_byte: gap50(wireRows, 1),
    },
    signing_us: {
      in_the_placement_p50: p50(signUs.path),
      rehearsed_by_the_path_warmer_p50: p50(signUs.rehearsed),
      rehearsals: signUs.rehearsed.length,
    },
    ...totals(rows),
  };
}

/**
 * Stamps the hand-overs inside drain → dispatch: the first record read off the ring, the records
 * checked (the kernel's batch built), the state mirror entered and left, the journal's entries
 * encoded, its write-ahead entered and left. Each wraps the runtime's own object in place.
 */
function wrapParts(rt: Runtime, stamp: (k: Part) => void): void {
  const zinc = rt.b.zinc;
  const drainIntents = zinc.drainIntents.bind(zinc);
  let first = true;
  zinc.drainIntents = (max, onRecord) => {
    first = true;
    const n = drainIntents(max, (rec) => {
      if (first) stamp("taken");
      first = false;
      onRecord(rec);
    });
    if (n > 0) stamp("checked");
    return n;
  };
  const mirror = (rt.b.kernel as unknown as { mirror: StateMirror }).mirror;
  const publish = mirror.publishState.bind(mirror);
  mirror.publishState = (...a) => {
    stamp("mirror");
    publish(...a);
    stamp("mirrored");
  };
  const journal = rt.b.journal!;
  const records = journal.records.bind(journal);
  journal.records = (r, accepted) => {
    records(r, accepted);
    stamp("encoded");
  };
  const flush = journal.flush.bind(journal);
  journal.flush = (durable) => {
    stamp("flush");
    flush(durable);
    stamp("written");
  };
}

/** `stageBreakdown` in a bun process of its own started with serve's eager JIT tiers. */
export const stagesInChild = (o: StageOptions) =>
  inChild<Awaited<ReturnType<typeof stageBreakdown>>>(import.meta.path, o);

if (import.meta.main) {
  console.log(JSON.stringify(await stageBreakdown(JSON.parse(process.argv[2]!) as StageOptions)));
  process.exit(0);
}
