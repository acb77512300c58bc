/**
 * FleetAgent: one kernel's membership of the fleet. Every `heartbeat_ms` (a third of `ttl_ms`, at a
 * fixed rate: start to start) it renews the account lease first and on its own (`_lease_keeper.ts`:
 * conditional renewal bounded by a sixth of the TTL, local fencing, halt while lost), then sets the
 * kernel's entry in `DITA_V2_FLEET` with a time to live of `ttl_ms` without holding up the next
 * renewal, so a kernel that dies drops out by itself and a slow fleet map never lets the lease lapse.
 * Between beats it wakes at the lease's local fence (no beat falls on it) to halt trading there.
 *
 * Invariants: the agent never blocks or stops the kernel. Its loop runs beside the serve loops, every
 * call is bounded by the client's timeouts, every failure is caught, and a failing cluster is logged
 * once when heartbeats start failing and once when they work again (not once per beat). While the
 * lease is lost (held by another kernel, or not renewed within TTL − a sixth of it) every beat calls
 * `onLeaseLost` (serve halts trading) until `halted` says trading is HALTED, and keeps trying to take
 * it back: should the other kernel go away, it is (trading stays as the operator left it).
 * A graceful stop removes the entry and gives the lease back; a SIGKILL leaves both to expire.
 *
 * Entry points: `new FleetAgent(opts)`, `start(fields?)`, `report(fields)`, `enforceLease()`, `leaseLeftMs()`, `beat()`,
 * `status()`, `list()`, `stopBeats()`, `leave()`.
 */

import type { Clock } from "../contracts/clock.ts";
import { jsonValue } from "../projection/index.ts";
import { LeaseKeeper, monoMs } from "./_lease_keeper.ts";
import { type FleetClient, jsonOf } from "./client.ts";
import { FLEET_MAP, type FleetEntry, heartbeatMsOf, type LeaseState } from "./entry.ts";
import type { AccountLease, LeaseHolder } from "./lease.ts";
import { type FleetListing, readFleet } from "./read.ts";

/** What the runtime tells the fleet at each heartbeat. */
export type KernelFields = Omit<
  FleetEntry,
  "namespace" | "host" | "pid" | "heartbeat_at_ms" | "heartbeat_ms" | "ttl_ms" | "account" | "lease"
>;

export interface FleetAgentOptions {
  client: FleetClient;
  namespace: string;
  host: string;
  pid: number;
  ttlMs: number;
  clock: Clock;
  log: (line: string) => void;
  /**
   * The lease taken at start (`held`, `sentAtMs`: when the acquire that took it was sent, by the
   * clock's monotonic time `monoNs` in ms; default the agent's construction), or one still to take (`pending`: the cluster was unreachable).
   */
  lease: { lease: AccountLease; state: "held" | "pending"; sentAtMs?: number } | null;
  /**
   * Halts trading (throws when it could not). Called at every beat while the lease is lost (held by
   * `holder`, or null: not renewed in time), until `halted` says trading is HALTED.
   */
  onLeaseLost: (holder: LeaseHolder | null) => void;
  /** Whether trading is HALTED now (default: unknown, so the halt is applied at every lost beat). */
  halted?: () => boolean;
  /** Waits `ms` or until `stop` aborts (default: a timer); tests drive the beats with a manual clock. */
  sleep?: (ms: number, stop: AbortSignal) => Promise<void>;
}

export interface FleetStatus {
  namespace: string;
  ttl_ms: number;
  heartbeat_ms: number;
  heartbeats_ok: number;
  heartbeats_failed: number;
  last_ok_ms: number | null;
  last_error: string | null;
  lease: { state: LeaseState; account: string | null; holder: LeaseHolder | null };
}

export class FleetAgent {
  readonly heartbeatMs: number;
  private fields: (() => KernelFields) | null = null;
  private readonly keeper: LeaseKeeper | null;
  private ok = 0;
  private failed = 0;
  private failingSince = 0;
  private lastOkMs: number | null = null;
  private lastError: string | null = null;
  private readonly stopper = new AbortController();
  private loop: Promise<void> | null = null;
  private entryInFlight: Promise<void> | null = null;

  constructor(private readonly o: FleetAgentOptions) {
    this.heartbeatMs = heartbeatMsOf(o.ttlMs);
    this.keeper = o.lease === null ? null : new LeaseKeeper(o, o.lease.lease, o.lease.state, o.lease.sentAtMs);
  }

  /**
   * Starts the beats at a fixed rate (start to start, every `heartbeatMs`): each renews the lease
   * first, on its own, then sets the entry without delaying the next renewal (an entry set still
   * under way skips the next one). `fields` (or a later `report`) supplies the entry; until then
   * beats renew the lease only.
   */
  start(fields?: () => KernelFields): void {
    if (this.loop !== null) throw new Error("Invariant: FleetAgent started twice");
    if (fields !== undefined) this.fields = fields;
    this.loop = (async () => {
      while (!this.stopper.signal.aborted) {
        const at = this.o.clock.nowMs();
        const startedMono = monoMs(this.o.clock);
        const leaseError = await this.leaseBeat();
        if (this.entryInFlight === null)
          this.entryInFlight = this.entryBeat(at, leaseError).finally(() => {
            this.entryInFlight = null;
          });
        await this.sleepUntil(startedMono + this.heartbeatMs);
      }
    })();
  }

  /**
   * Waits for the next beat (monotonic ms), waking at the lease's fence when that comes first: no
   * beat falls on it, and past it the lease may expire at the member, so trading halts then.
   */
  private async sleepUntil(nextMono: number): Promise<void> {
    const sleep = this.o.sleep ?? sleepUnlessStopped;
    while (!this.stopper.signal.aborted) {
      const wait = Math.min(this.heartbeatMs, Math.max(0, nextMono - monoMs(this.o.clock)));
      const fenceIn = this.keeper?.msToFence() ?? null;
      if (fenceIn === null || fenceIn > wait) return sleep(wait, this.stopper.signal);
      await sleep(fenceIn, this.stopper.signal);
      this.enforceLease();
    }
  }

  /** The kernel's fields for the entry from now on (the beats may have started without them). */
  report(fields: () => KernelFields): void {
    this.fields = fields;
  }

  /**
   * How long the account is certainly still this kernel's (ms until the lease's local fence), 0 once
   * the lease is lost, null with no lease held (none configured, or still pending). Shutdown drains
   * its venue calls only within it: past the fence another kernel may hold the account.
   */
  leaseLeftMs(): number | null {
    if (this.keeper === null) return null;
    return this.keeper.state === "lost" ? 0 : this.keeper.msToFence(); // past the fence: 0
  }

  /** Applies the fence and the halt now when the lease is lost (as every beat does); never throws. */
  enforceLease(): void {
    this.keeper?.fence();
    this.keeper?.haltWhileLost();
  }

  /** One heartbeat: the lease, then the entry. Never throws. */
  async beat(): Promise<void> {
    const at = this.o.clock.nowMs();
    await this.entryBeat(at, await this.leaseBeat());
  }

  /** The lease step (renew, or take it); its failure, or null. Never throws. */
  private async leaseBeat(): Promise<unknown> {
    try {
      await this.keeper?.step();
      return null;
    } catch (e) {
      return e ?? new Error("lease step failed");
    }
  }

  /** Sets the entry; the beat counts as ok when it and the lease step both worked. Never throws. */
  private async entryBeat(at: number, leaseError: unknown): Promise<void> {
    let error = leaseError;
    try {
      if (this.fields !== null) {
        const entry: FleetEntry = {
          ...this.fields(),
          namespace: this.o.namespace,
          host: this.o.host,
          pid: this.o.pid,
          heartbeat_at_ms: at,
          heartbeat_ms: this.heartbeatMs,
          ttl_ms: this.o.ttlMs,
          account: this.o.lease === null ? null : this.o.lease.lease.key.slice(0, 16),
          lease: this.keeper?.state ?? "off",
        };
        await (await this.o.client.map(FLEET_MAP)).set(this.o.namespace, jsonValue({ ...entry }), this.o.ttlMs);
      }
    } catch (e) {
      error ??= e;
    }
    if (error === null) this.succeeded(at);
    else this.failedWith(error);
  }

  private succeeded(at: number): void {
    if (this.failingSince > 0) this.o.log(`fleet: heartbeat works again after ${this.failingSince} failed attempt(s)`);
    this.failingSince = 0;
    this.ok++;
    this.lastOkMs = at;
    this.lastError = null;
  }

  private failedWith(e: unknown): void {
    const text = (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 300);
    if (this.failingSince === 0)
      this.o.log(
        `fleet: heartbeat to hazelcast ${this.o.client.cfg.addr} failed: ${text} (serve goes on; logged again when it works)`,
      );
    this.failingSince++;
    this.failed++;
    this.lastError = text;
  }

  status(): FleetStatus {
    return {
      namespace: this.o.namespace,
      ttl_ms: this.o.ttlMs,
      heartbeat_ms: this.heartbeatMs,
      heartbeats_ok: this.ok,
      heartbeats_failed: this.failed,
      last_ok_ms: this.lastOkMs,
      last_error: this.lastError,
      lease: {
        state: this.keeper?.state ?? "off",
        account: this.o.lease === null ? null : this.o.lease.lease.key.slice(0, 16),
        holder: this.keeper?.holder() ?? null,
      },
    };
  }

  /** The whole fleet as this kernel's client reads it (`GET /fleet`). */
  async list(): Promise<FleetListing> {
    return readFleet(await this.o.client.ensure(), () => this.o.clock.nowMs());
  }

  /** Ends the loop once the beat under way (if any) is done; no beat reads the kernel afterwards. */
  async stopBeats(): Promise<void> {
    this.stopper.abort();
    await this.loop;
    await this.entryInFlight;
  }

  /** Graceful stop: beats end, the entry is removed and the lease given back (each call bounded). */
  async leave(): Promise<void> {
    await this.stopBeats();
    try {
      const m = await this.o.client.map(FLEET_MAP);
      const cur = await m.get(this.o.namespace);
      const mine = jsonOf(cur);
      if (cur !== null && mine?.pid === this.o.pid && mine.host === this.o.host) await m.remove(this.o.namespace, cur);
      if (this.keeper?.state === "held") await this.o.lease?.lease.release();
    } catch (e) {
      this.o.log(`fleet: could not leave cleanly (entry and lease expire by themselves): ${(e as Error).message}`);
    }
    await this.o.client.close();
  }
}

function sleepUnlessStopped(ms: number, stop: AbortSignal): Promise<void> {
  if (stop.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stop.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop.addEventListener("abort", done);
  });
}
