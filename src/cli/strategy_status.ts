/**
 * `dita-v2 strategy-status [--strategy NS | --prefix P] [--json] [--refusals N]`: what a strategy
 * needs to know, read straight from the Zinc regions (no HTTP, no role taken, nothing pushed), so
 * it works while serve's HTTP is down and after the kernel died (the regions then hold its last
 * belief): kernel liveness, slots, account, ring depth, outcome lanes, the most recent refusals
 * published to producers, and the control snapshot.
 *
 * A slot image or the account that cannot be read (torn by a kernel that died mid-write, or
 * failing validation) is shown as `unreadable` with the reason, beside everything else.
 *
 * Exit codes: 0 the kernel holding the regions is alive · 1 the regions exist but no live kernel
 * holds them (it died, or closed them cleanly) · 2 bad arguments (`--strategy` and `--prefix` both
 * given, too), libzinc cannot be unpacked or loaded (the reason), the regions are missing or
 * unreadable (the line names the file and why), or they belong to another namespace than the
 * strategy asked for (without `--prefix`). A prefix taken from DITA_V2_ZINC_PREFIX is named as
 * that variable in these lines, one given as `--prefix` as the option.
 */

import { defineCommand } from "citty";
import { type AccountRecord, type ControlSnapshot, INPUT_KINDS, OFF } from "../contracts/index.ts";
import { RealControlCommandClient } from "../control/index.ts";
import { decodeAccount, decodeSlot, NativeLoadError, nativeLibraryPath } from "../kernel/index.ts";
import { STRATEGY_RE } from "../projection/names.ts";
import { type DecodedOutcome, ZincError, ZincStateReader, ZincStatusReader } from "../zinc/index.ts";
import { CliFailure } from "./_fail.ts";
import { integerFlag } from "./_flags.ts";
import { type RefusalRow, type StatusDoc, type StatusSlot, statusText } from "./_status_text.ts";

/** One slot, read and decoded on its own: a torn or invalid image is that slot's `unreadable`. */
function slotOf(state: ZincStateReader, i: number): StatusSlot {
  try {
    const image = state.readSlot(i);
    if (image.every((b) => b === 0)) return { slot_id: i, stage: "IDLE", never_written: true };
    return decodeSlot(new DataView(image.buffer, image.byteOffset, image.byteLength), image, 0);
  } catch (e) {
    return { slot_id: i, unreadable: unreadable(e) };
  }
}

const unreadable = (e: unknown) => (e instanceof ZincError ? `${e.code}: ${e.message}` : (e as Error).message);

function accountOf(r: ZincStatusReader): StatusDoc["account"] {
  try {
    const acc = r.account();
    const account = checkedAccount(decodeAccount(new DataView(acc.account.buffer)), acc.account);
    return { ...account, state_hash: acc.stateHash.toString(16) };
  } catch (e) {
    return { unreadable: unreadable(e) };
  }
}

/** An amount no account holds: past it (or NaN) the bytes are no kernel's (the BingX adapter's own bound on a number). */
const AMOUNT_MAX = 1e15;

/** A plausible account: amounts within ±AMOUNT_MAX, whole counts, a 0/1 seeded flag (else unreadable, with the field). */
function checkedAccount(a: AccountRecord, image: Uint8Array): AccountRecord {
  const bad = Object.entries(a).find(([key, v]) =>
    key === "seeded"
      ? false
      : key === "trade_seq" || key === "version"
        ? !Number.isSafeInteger(v)
        : !(Math.abs(v as number) <= AMOUNT_MAX),
  );
  const seeded = image[OFF.AccountImage.seeded]!;
  if (bad === undefined && seeded <= 1) return a;
  const what = bad === undefined ? `seeded byte ${seeded}` : `${bad[0]} ${bad[1]}`;
  throw new Error(`the account image fails validation (${what}): a hostile or broken writer`);
}

/** The control snapshot when the running kernel writes the control region (`read`); else why it is not shown. */
function controlOf(r: ZincStatusReader, statePid: number, read: () => ControlSnapshot | null): StatusDoc["control"] {
  const pid = r.controlWriterPid;
  if (pid === null) return { unreadable: "no control region (DITA_V2_CONTROL_PLANE=MEMORY)" };
  if (typeof pid !== "number") return pid;
  if (pid !== statePid)
    return {
      unreadable: `the control region is another kernel process's (writer pid ${pid}, the state's ${statePid}): left from an earlier run; this kernel keeps its control plane in memory (DITA_V2_CONTROL_PLANE=MEMORY)`,
    };
  try {
    return read();
  } catch (e) {
    return { unreadable: (e as Error).message };
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
  let state: ZincStateReader | null = null;
  try {
    const st = ZincStateReader.open({ libPath, prefix });
    state = st;
    const headers = r.headers();
    const alive = r.writerAlive();
    const slotCount = st.slotCount;
    const outcomes = r.outcomes();
    const recent = r.recent(refusalsMax);
    const control = controlOf(r, headers.state.writerPid, () => {
      const c = RealControlCommandClient.open({ libPath, prefix, slotCount });
      try {
        return c.snapshot();
      } finally {
        c.close();
      }
    });
    return {
      prefix,
      namespace: r.namespace() || null,
      kernel: {
        alive,
        pid: headers.state.writerPid,
        generation: headers.state.generation,
        closed_cleanly: (headers.state.flags & 1) === 1,
      },
      slots: Array.from({ length: slotCount }, (_, i) => slotOf(st, i)),
      account: accountOf(r),
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
            owner_alive: l.ownerAlive,
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
    state?.close();
    r.close();
  }
}

/** libzinc's path; one that cannot be unpacked or loaded is exit 2 with the reason (1 means "no live kernel"). */
function zincLibPath(): string {
  try {
    return nativeLibraryPath("zinc");
  } catch (e) {
    if (e instanceof NativeLoadError) throw new CliFailure(e.message, 2);
    throw new CliFailure(`cannot load libzinc: ${(e as Error).message}`, 2);
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
    // Checked where it is used (no --prefix), naming where it came from.
    if (args.prefix === undefined && !STRATEGY_RE.test(strategy))
      throw new CliFailure(
        `${args.strategy === undefined ? "DITA_V2_STRATEGY" : "--strategy"} must match ${STRATEGY_RE.source}, got '${strategy}'`,
        2,
      );
    const fromEnv = args.prefix === undefined && process.env.DITA_V2_ZINC_PREFIX !== undefined;
    const prefix = args.prefix ?? process.env.DITA_V2_ZINC_PREFIX ?? `dita_v2_${strategy}`;
    // a prefix from the environment is named as that variable: the user typed no --prefix
    const named = fromEnv ? `DITA_V2_ZINC_PREFIX=${prefix}` : `prefix '${prefix}'`;
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix) || prefix.startsWith("."))
      throw new CliFailure(
        fromEnv
          ? `DITA_V2_ZINC_PREFIX must be 1..64 of [A-Za-z0-9_.-], not starting with '.', got '${prefix}'`
          : `--prefix must be 1..64 of [A-Za-z0-9_.-], not starting with '.' (as DITA_V2_ZINC_PREFIX), got '${prefix}'`,
        2,
      );
    const max = integerFlag("refusals", args.refusals, 0, 1000);
    let doc: StatusDoc;
    try {
      doc = strategyStatus(zincLibPath(), prefix, max);
    } catch (e) {
      if (e instanceof ZincError && /No such file/.test(e.message))
        throw new CliFailure(`${e.message} (no kernel has served ${named} with DITA_V2_ZINC=REAL)`, 2);
      if (e instanceof ZincError) throw new CliFailure(`${e.message} (${named})`, 2);
      throw e;
    }
    // Without --prefix the regions are the strategy's: another namespace's (DITA_V2_ZINC_PREFIX
    // naming them) must not be reported as this one's.
    if (args.prefix === undefined && doc.namespace !== null && doc.namespace !== strategy)
      throw new CliFailure(
        `the regions under ${named} belong to namespace '${doc.namespace}', not '${strategy}' (give --prefix ${prefix} to read them anyway)`,
        2,
      );
    const json = JSON.stringify(doc, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
    process.stdout.write(args.json ? `${json}\n` : statusText(doc));
    process.exitCode = doc.kernel.alive ? 0 : 1;
  },
});
