/**
 * The last belief a start adopts before it asks the venue for the truth (docs/architecture.md §8).
 *
 *  - "journal": the journal held a usable snapshot: the kernel already holds the state it and the
 *    segments after it lead to (`journal_start.ts`), seen-event and finished-order memory included.
 *    It is as new as the state region (both are written before an answer leaves), and more complete.
 *  - "zinc": any slot image in the Zinc state region is non-zero: the region survived (a restart
 *    on the same machine); it is write-through, so it is the newest belief there is.
 *  - "hazelcast": the region is gone (new machine, /dev/shm wiped, DITA_V2_ZINC=MEMORY) and
 *    DITA_V2_HAZELCAST=REAL: the DOLPHIN_STATE_<NS> rows of slots 0..slots-1 are read (bounded
 *    timeouts), checked (strategy, slot id, shape) and encoded back into slot images.
 *  - "none": neither; or the member is unreachable (one log line, never a crash).
 *
 * A Hazelcast belief is older than the region's: rows are written asynchronously and only for
 * venue-confirmed states (an intent the venue had not yet acknowledged is missing), and the seen-event
 * and finished-order memory of the kernel is not in it. That is why the caller always reconciles a
 * Hazelcast belief with the venue, even with DITA_V2_RECONCILE_ON_RESTART=0 (runtime.ts): sizes and
 * working orders come from the venue. An order the belief does not know at all (placed, never
 * acknowledged before the kill) is not adopted; its later events are UNKNOWN_ORDER (ERROR) for the operator.
 *
 * Entry point: `readBelief(inputs)`.
 */

import { ABI } from "../contracts/abi.ts";
import type { SlotRecord } from "../contracts/records.ts";
import { encodeSlotImage } from "../kernel/index.ts";
import { type HazelcastConfig, type HzClient, newHzClient } from "../projection/hz_client.ts";
import { namespaceNames } from "../projection/index.ts";

export type BeliefSource = "journal" | "zinc" | "hazelcast" | "none";

export interface Belief {
  source: BeliefSource;
  /** One image per slot id (all-zero = nothing to adopt); none for "journal" (the kernel holds it). */
  images: Uint8Array[];
}

export interface BeliefInputs {
  /** The kernel was restored from the journal at start. */
  fromJournal?: boolean;
  zincImages: readonly Uint8Array[];
  slots: number;
  strategy: string;
  /** Address, cluster and optional credentials (the projection's). */
  hazelcast: Pick<HazelcastConfig, "addr" | "cluster" | "user" | "password"> | null;
  /** Set when the projection already failed to reach the member at this start (its error). */
  hazelcastDown?: string | null;
  timeoutMs?: number;
  log: (line: string) => void;
}

const DEFAULT_TIMEOUT_MS = 3_000;

export async function readBelief(inp: BeliefInputs): Promise<Belief> {
  if (inp.fromJournal === true) return { source: "journal", images: [] };
  if (inp.zincImages.some((image) => image.some((b) => b !== 0)))
    return { source: "zinc", images: [...inp.zincImages] };
  const empty: Uint8Array[] = Array.from({ length: inp.slots }, () => new Uint8Array(ABI.SlotImage.size));
  const hz = inp.hazelcast;
  if (hz === null) return { source: "none", images: empty };
  const where = `hazelcast ${hz.addr} (cluster "${hz.cluster}")`;
  const none = (why: string): Belief => {
    inp.log(
      `belief: state region empty and ${where} ${why}: starting with no belief (venue positions are not adopted)`,
    );
    return { source: "none", images: empty };
  };
  if (inp.hazelcastDown) return none(`unreachable at start: ${inp.hazelcastDown}`);
  const map = namespaceNames(inp.strategy).state;
  let rows: Map<number, unknown>;
  try {
    rows = await readRows(hz, map, inp.slots, inp.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  } catch (e) {
    return none(`unreachable: ${(e as Error).message ?? String(e)}`);
  }
  const adopted: number[] = [];
  for (const [slotId, row] of rows) {
    const image = checkedImage(row, slotId, inp.strategy, (why) =>
      inp.log(`belief: ${map}[${slotId}] refused: ${why}`),
    );
    if (image === null) continue;
    empty[slotId] = image;
    adopted.push(slotId);
  }
  inp.log(
    `belief: state region empty; read ${rows.size} row(s) of ${map} from ${where}, adopting slots ${JSON.stringify(adopted)}`,
  );
  return { source: "hazelcast", images: empty };
}

/** One row → its slot image, or null (with one `refuse` line) when it is not this namespace's slot. */
function checkedImage(
  row: unknown,
  slotId: number,
  strategy: string,
  refuse: (why: string) => void,
): Uint8Array | null {
  if (typeof row !== "object" || row === null || Array.isArray(row)) {
    refuse(`not a JSON object (${typeof row})`);
    return null;
  }
  const { strategy: owner, epoch: _epoch, ...record } = row as Record<string, unknown>;
  if (owner !== strategy) {
    refuse(`row of strategy ${JSON.stringify(owner)}, this process is ${JSON.stringify(strategy)}`);
    return null;
  }
  if (record.slot_id !== slotId) {
    refuse(`row names slot_id ${JSON.stringify(record.slot_id)}`);
    return null;
  }
  try {
    return encodeSlotImage(record as unknown as SlotRecord);
  } catch (e) {
    refuse((e as Error).message);
    return null;
  }
}

/** Reads keys "0".."slots-1" of `map`; everything bounded by `timeoutMs` (connect, call, whole read). */
async function readRows(
  hz: Pick<HazelcastConfig, "addr" | "cluster" | "user" | "password">,
  map: string,
  slots: number,
  timeoutMs: number,
): Promise<Map<number, unknown>> {
  const connecting = newHzClient({ ...hz, connectTimeoutMs: timeoutMs, invocationTimeoutMs: timeoutMs }, false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${2 * timeoutMs} ms`)), 2 * timeoutMs);
  });
  const read = async (): Promise<Map<number, unknown>> => {
    const client: HzClient = await connecting;
    const m = await client.getMap<string, unknown>(map);
    const entries = await m.getAll(Array.from({ length: slots }, (_, i) => String(i)));
    const rows = new Map<number, unknown>();
    for (const [key, value] of entries) rows.set(Number(key), parseMaybe(value));
    return new Map([...rows].sort((a, b) => a[0] - b[0]));
  };
  try {
    return await Promise.race([read(), deadline]);
  } finally {
    clearTimeout(timer);
    // A client that connects after the deadline is shut down as soon as it exists.
    void connecting.then((c) => c.shutdown()).catch(() => {});
  }
}

/** Rows are stored as HazelcastJsonValue; the default policy parses them, a string is parsed here. */
function parseMaybe(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
