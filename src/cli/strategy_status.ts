/**
 * `dita-v2 strategy-status [--strategy NS | --prefix P] [--json] [--refusals N]`: what a strategy
 * needs to know, read straight from the Zinc regions (no HTTP, no role taken, nothing pushed), so
 * it works while serve's HTTP is down and after the kernel died (the regions then hold its last
 * belief): kernel liveness, slots, account, ring depth, outcome lanes, the most recent refusals
 * published to producers, and the control snapshot.
 *
 * Exit codes: 0 the kernel holding the regions is alive · 1 the regions exist but no live kernel
 * holds them (it died, or closed them cleanly) · 2 bad arguments (`--strategy` and `--prefix` both
 * given, too), or the regions are missing or unreadable (the line names the file and why).
 */

import { defineCommand } from "citty";
import { INPUT_KINDS } from "../contracts/index.ts";
import { RealControlCommandClient } from "../control/index.ts";
import { decodeAccount, decodeSlot, nativeLibraryPath } from "../kernel/index.ts";
import { STRATEGY_RE } from "../projection/names.ts";
import { type DecodedOutcome, ZincError, ZincStatusReader } from "../zinc/index.ts";
import { CliFailure } from "./_fail.ts";
import { integerFlag } from "./_flags.ts";
import { type RefusalRow, type StatusDoc, type StatusSlot, statusText } from "./_status_text.ts";

function slotOf(image: Uint8Array, i: number): StatusSlot {
  if (image.every((b) => b === 0)) return { slot_id: i, stage: "IDLE", never_written: true };
  try {
    return decodeSlot(new DataView(image.buffer, image.byteOffset, image.byteLength), image, 0);
  } catch (e) {
    return { slot_id: i, unreadable: (e as Error).message };
  }
}

function refusal(o: DecodedOutcome & { lane: number }): RefusalRow {
  return {
    lane: o.lane,
    client_intent_id: o.client_intent_id.toString(),
    now_ms: o.now_ms,
    origin: o.origin,
    input_kind: INPUT_KINDS[o.input_kind - 1] ?? o.input_kind,
    slot_id: o.slot_id,
    code: o.diagnostics[0]?.code ?? null,
    retry_after_ms: o.diagnostics[0]?.retry_after_ms ?? null,
    message: o.message,
  };
}

export function strategyStatus(libPath: string, prefix: string, refusalsMax: number): StatusDoc {
  const r = ZincStatusReader.open({ libPath, prefix });
  try {
    const headers = r.headers();
    const alive = r.writerAlive();
    const images = r.slotImages();
    const acc = r.account();
    const outcomes = r.outcomes();
    const recent = r.recent(refusalsMax);
    let control: StatusDoc["control"] = r.hasControl
      ? null
      : { unreadable: "no control region (DITA_V2_CONTROL_PLANE=MEMORY)" };
    if (r.hasControl)
      try {
        const c = RealControlCommandClient.open({ libPath, prefix, slotCount: images.length });
        control = c.snapshot();
        c.close();
      } catch (e) {
        control = { unreadable: (e as Error).message };
      }
    return {
      prefix,
      namespace: r.namespace() || null,
      kernel: {
        alive,
        pid: headers.state.writerPid,
        generation: headers.state.generation,
        closed_cleanly: (headers.state.flags & 1) === 1,
      },
      slots: images.map(slotOf),
      account: { ...decodeAccount(new DataView(acc.account.buffer)), state_hash: acc.stateHash.toString(16) },
      ring: r.ring(),
      outcomes: {
        published: outcomes.published,
        unroutable: outcomes.unroutable,
        overwritten: outcomes.overwritten,
        lanes: outcomes.lanes,
        lanes_owned: outcomes.lanesOwned,
        lanes_in_use: outcomes.laneHeaders
          .filter((l) => l.ownerPid !== 0)
          .map((l) => ({
            lane: l.lane,
            owner_pid: l.ownerPid,
            generation: l.generation,
            head: l.head,
            unread: l.head - l.read,
            overwritten: l.overwritten,
          })),
        undecodable: recent.undecodable,
      },
      recent_refusals: recent.refusals.map(refusal),
      control,
    };
  } finally {
    r.close();
  }
}

export const strategyStatusCommand = defineCommand({
  meta: {
    name: "strategy-status",
    description: "Slots, account, ring depth, recent refusals and kernel liveness, read from the Zinc regions",
  },
  args: {
    strategy: { type: "string", description: "namespace (default DITA_V2_STRATEGY or pink)" },
    prefix: { type: "string", description: "Zinc prefix (default DITA_V2_ZINC_PREFIX or dita_v2_<strategy>)" },
    json: { type: "boolean", default: false, description: "one JSON document on stdout" },
    refusals: { type: "string", default: "10", description: "how many recent refusals to show" },
  },
  run({ args }) {
    if (args.strategy !== undefined && args.prefix !== undefined)
      throw new CliFailure("give --strategy or --prefix, not both (the prefix names the regions)", 2);
    const strategy = args.strategy ?? process.env.DITA_V2_STRATEGY ?? "pink";
    if (!STRATEGY_RE.test(strategy))
      throw new CliFailure(`--strategy must match ${STRATEGY_RE.source}, got '${strategy}'`, 2);
    const prefix = args.prefix ?? process.env.DITA_V2_ZINC_PREFIX ?? `dita_v2_${strategy}`;
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix) || prefix.startsWith("."))
      throw new CliFailure(`--prefix must be 1..64 of [A-Za-z0-9_.-] (as DITA_V2_ZINC_PREFIX), got '${prefix}'`, 2);
    const max = integerFlag("refusals", args.refusals, 0, 1000);
    let doc: StatusDoc;
    try {
      doc = strategyStatus(nativeLibraryPath("zinc"), prefix, max);
    } catch (e) {
      if (e instanceof ZincError && /No such file/.test(e.message))
        throw new CliFailure(`${e.message} (no kernel has served prefix '${prefix}' with DITA_V2_ZINC=REAL)`, 2);
      if (e instanceof ZincError) throw new CliFailure(e.message, 2);
      throw e;
    }
    const json = JSON.stringify(doc, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
    process.stdout.write(args.json ? `${json}\n` : statusText(doc));
    process.exitCode = doc.kernel.alive ? 0 : 1;
  },
});
