/**
 * HazelcastSink: slot, account, active-slot and control maps plus the reliable trade-event topic of
 * one namespace (names in `names.ts`).
 *
 * Map writes are compare-and-set on `(epoch, version)` (no EntryProcessor from JS): read the stored
 * raw JSON, skip if its stamp is newer (or equal, for puts), else `replace(key, old, new)` — or
 * `putIfAbsent` / `remove(key, old)` — retried at most CAS_TRIES times with a growing pause. Topic events are published
 * one by one in spool order; a failure returns the published prefix, so only the one in-flight event
 * can be repeated after an outage (events carry `row_id` for consumers to dedupe).
 * A client that shut itself down after a long outage is replaced on the next attempt.
 *
 * Image loss (`imageLost`): the control row (`DITA_V2_CONTROL_<NS>[control]`) is the sentinel. Every
 * projection writes it at start and nothing deletes it, so once this sink has written it, its absence
 * means the cluster lost what this projection wrote (a member restarted empty, a new cluster); so does
 * a reconnect the client reports as CHANGED_CLUSTER. `reconnected()` is true after every (re)connect
 * (a new client, CONNECTED, CHANGED_CLUSTER), so the outbox checks at once instead of at its next tick;
 * the first map write after a (re)connect also checks before writing (its batch may carry the control
 * row, which would put the sentinel back on an emptied cluster), and a check whose call fails stays due.
 * A stored row that is not JSON reads as epoch 0 without a version: the next write replaces it.
 * A call the client failed may still run on the member later (`lateMapWrites`): a `putIfAbsent` landing after
 * the newer delete of its key would bring the row back, so the outbox re-sends such keys for a while
 * (`_map_recheck.ts`).
 */
import type { HazelcastJsonValue } from "hazelcast-client";
import { loadedHazelcastLib } from "./_libs.ts";
import { type HazelcastConfig, type HzClient, hzRunning, newHzClient } from "./hz_client.ts";
import { CONTROL_KEY, namespaceNames } from "./names.ts";
import {
  errorText,
  isStaleWrite,
  type MapWrite,
  type OutRecord,
  type RecordKind,
  type Sink,
  stampOf,
  type WriteResult,
} from "./types.ts";

const CAS_TRIES = 16;
const PARALLEL = 32;
type CasResult = "applied" | "stale";

export class HazelcastSink implements Sink {
  readonly name = "hazelcast";
  readonly address: string;
  readonly takesMaps = true;
  readonly mirrorGated = true;
  /** A call the client failed may still run on the member: the outbox re-sends such keys for a while. */
  readonly lateMapWrites = true;
  private client: HzClient | null = null;
  private connecting: Promise<HzClient> | null = null;
  private readonly topicName: string;
  private readonly controlMap: string;
  /** This sink wrote the sentinel (control row) on the cluster it is connected to. */
  private sentinelWritten = false;
  /** A (re)connect no completed check has looked at yet: the sentinel must be checked before it is trusted. */
  private unchecked = false;
  private clusterChanged = false;
  /** Lifecycle events and new clients so far: a check clears the flags only if none came while it ran. */
  private connects = 0;
  /** A loss the check before a write found, not yet reported by `imageLost`. */
  private lostFound = false;

  /** `connectClient` builds a client (tests pass an in-memory double); the real one by default. */
  constructor(
    private readonly cfg: HazelcastConfig & { strategy: string },
    private readonly connectClient: typeof newHzClient = newHzClient,
  ) {
    this.address = cfg.addr;
    const names = namespaceNames(cfg.strategy);
    this.topicName = names.topic;
    this.controlMap = names.control;
  }

  reconnected(): boolean {
    return this.unchecked || this.lostFound;
  }

  async imageLost(): Promise<boolean> {
    const c = await this.ensure();
    const lost = (await this.sentinelGone(c)) || this.lostFound;
    this.lostFound = false;
    return lost;
  }

  /**
   * Whether the sentinel this sink wrote is gone (or the cluster changed). The reconnect flags are
   * cleared only once the check completed: a failed call leaves the check due, never forgotten.
   */
  private async sentinelGone(c: HzClient): Promise<boolean> {
    const seen = this.connects;
    let gone = false;
    if (this.sentinelWritten) {
      gone = this.clusterChanged;
      if (!gone) gone = !(await (await c.getMap<string, HazelcastJsonValue>(this.controlMap)).containsKey(CONTROL_KEY));
      if (gone) this.sentinelWritten = false;
    } // else: nothing of this projection's to lose yet
    if (this.connects === seen) {
      this.unchecked = false;
      this.clusterChanged = false;
    }
    return gone;
  }

  takes(kind: RecordKind): boolean {
    return kind === "topic_event";
  }

  async connect(): Promise<void> {
    await this.ensure();
  }

  async writeMaps(writes: readonly MapWrite[]): Promise<{ applied: number; stale: number }> {
    const c = await this.ensure();
    // After a (re)connect, look before writing: a batch holding the control row would otherwise put the
    // sentinel back on an emptied cluster, and the next check would find the image intact.
    if (this.unchecked) this.lostFound = (await this.sentinelGone(c)) || this.lostFound;
    let applied = 0;
    let stale = 0;
    for (let i = 0; i < writes.length; i += PARALLEL) {
      const chunk = writes.slice(i, i + PARALLEL);
      // Settle every write before failing the batch: the outbox retries it, and a write of this batch
      // still in flight (an older row's putIfAbsent) must not land after the retry's newer write of its key.
      const results = await Promise.allSettled(chunk.map((w) => this.cas(c, w)));
      const failed = results.find((r) => r.status === "rejected");
      if (failed !== undefined) throw failed.reason;
      for (const r of results) (r as PromiseFulfilledResult<CasResult>).value === "applied" ? applied++ : stale++;
      // Applied or stale (a newer row is there), the control row now exists on this cluster.
      if (chunk.some((w) => w.map === this.controlMap && w.key === CONTROL_KEY && w.value !== null))
        this.sentinelWritten = true;
    }
    return { applied, stale };
  }

  async writeRecords(records: readonly OutRecord[]): Promise<WriteResult> {
    let written = 0;
    try {
      const c = await this.ensure();
      const topic = await c.getReliableTopic<HazelcastJsonValue>(this.topicName);
      for (const r of records) {
        await topic.publish(new (loadedHazelcastLib().HazelcastJsonValue)(JSON.stringify(r.row)));
        written++;
      }
      return { written };
    } catch (error) {
      return { written, error };
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.shutdown().catch(() => {});
  }

  private async ensure(): Promise<HzClient> {
    if (hzRunning(this.client)) return this.client;
    if (this.connecting) return this.connecting;
    const old = this.client as HzClient | null;
    this.client = null;
    if (old) void old.shutdown().catch(() => {});
    this.connecting = this.connectClient(this.cfg, true, [this.topicName], (state) => {
      if (state !== "CONNECTED" && state !== "CHANGED_CLUSTER") return;
      this.connects++;
      this.unchecked = true;
      if (state === "CHANGED_CLUSTER") this.clusterChanged = true;
    })
      .then((c) => {
        this.connects++;
        this.unchecked = true;
        this.client = c;
        return c;
      })
      .catch((e: unknown) => {
        throw new Error(
          `hazelcast sink: cannot connect to ${this.cfg.addr} (cluster "${this.cfg.cluster}"): ${errorText(e)}`,
        );
      })
      .finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async cas(c: HzClient, w: MapWrite): Promise<CasResult> {
    const m = await c.getMap<string, HazelcastJsonValue>(w.map);
    const next = w.value === null ? null : new (loadedHazelcastLib().HazelcastJsonValue)(JSON.stringify(w.value));
    for (let i = 0; i < CAS_TRIES; i++) {
      const cur = await m.get(w.key);
      if (cur === null) {
        if (next === null) return "stale";
        if ((await m.putIfAbsent(w.key, next)) === null) return "applied";
        continue;
      }
      if (isStaleWrite(stampOfJson(cur), w)) return "stale";
      if (next === null ? await m.remove(w.key, cur) : await m.replaceIfSame(w.key, cur, next)) return "applied";
      await new Promise((r) => setTimeout(r, i)); // lost a race with another writer: back off a little
    }
    throw new Error(`hazelcast sink: compare-and-set on ${w.map}[${w.key}] lost ${CAS_TRIES} times`);
  }
}

/**
 * The (epoch, version) of a stored row. A row that is not JSON (a hand edit, another tool) holds no
 * newer state: it reads as epoch 0 with no version, so any write replaces it. Throwing here would
 * fail the whole batch on every retry and, since map writes go first, stop the topic as well.
 */
function stampOfJson(v: HazelcastJsonValue | Record<string, unknown>): { epoch: number; version: number } {
  if (!(v instanceof loadedHazelcastLib().HazelcastJsonValue)) return stampOf(v);
  let row: unknown;
  try {
    row = JSON.parse(v.toString());
  } catch {
    return GARBLED_STAMP;
  }
  return row !== null && typeof row === "object" ? stampOf(row as Record<string, unknown>) : GARBLED_STAMP;
}

const GARBLED_STAMP = { epoch: 0, version: -1 };
