/**
 * FleetAgent: one kernel's membership of the fleet. Every `heartbeat_ms` (a third of `ttl_ms`) it
 * renews the account lease (when there is one) and sets the kernel's entry in `DITA_V2_FLEET` with a
 * time to live of `ttl_ms`, so a kernel that dies drops out by itself.
 *
 * Invariants: the agent never blocks or stops the kernel. Its loop runs beside the serve loops, every
 * call is bounded by the client's timeouts, every failure is caught, and a failing cluster is logged
 * once when heartbeats start failing and once when they work again (not once per beat). A lease found
 * held by another kernel is reported once through `onLeaseLost` (serve halts trading) and retried:
 * should the other kernel go away, the lease is taken back (trading stays as the operator left it).
 * A graceful stop removes the entry and gives the lease back; a SIGKILL leaves both to expire.
 *
 * Entry points: `new FleetAgent(opts)`, `start(fields)`, `beat()`, `status()`, `list()`, `stopBeats()`,
 * `leave()`.
 */

import type { Clock } from "../contracts/clock.ts";
import { jsonValue } from "../projection/index.ts";
import { type FleetClient, jsonOf } from "./client.ts";
import { FLEET_MAP, type FleetEntry, heartbeatMsOf, type LeaseState } from "./entry.ts";
import { type AccountLease, holderText, type LeaseHolder } from "./lease.ts";
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
  /** The lease taken at start (`held`), or one still to take (`pending`: the cluster was unreachable). */
  lease: { lease: AccountLease; state: "held" | "pending" } | null;
  onLeaseLost: (holder: LeaseHolder) => void;
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
  private leaseState: LeaseState;
  private otherHolder: LeaseHolder | null = null;
  private ok = 0;
  private failed = 0;
  private failingSince = 0;
  private lastOkMs: number | null = null;
  private lastError: string | null = null;
  private readonly stopper = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(private readonly o: FleetAgentOptions) {
    this.heartbeatMs = heartbeatMsOf(o.ttlMs);
    this.leaseState = o.lease === null ? "off" : o.lease.state;
  }

  start(fields: () => KernelFields): void {
    if (this.loop !== null) throw new Error("Invariant: FleetAgent started twice");
    this.fields = fields;
    this.loop = (async () => {
      while (!this.stopper.signal.aborted) {
        await this.beat();
        await sleepUnlessStopped(this.heartbeatMs, this.stopper.signal);
      }
    })();
  }

  /** One heartbeat: lease, then the entry. Never throws. */
  async beat(): Promise<void> {
    const at = this.o.clock.nowMs();
    try {
      await this.leaseStep();
      if (this.fields === null) return;
      const entry: FleetEntry = {
        ...this.fields(),
        namespace: this.o.namespace,
        host: this.o.host,
        pid: this.o.pid,
        heartbeat_at_ms: at,
        heartbeat_ms: this.heartbeatMs,
        ttl_ms: this.o.ttlMs,
        account: this.o.lease === null ? null : this.o.lease.lease.key.slice(0, 16),
        lease: this.leaseState,
      };
      await (await this.o.client.map(FLEET_MAP)).set(this.o.namespace, jsonValue({ ...entry }), this.o.ttlMs);
      this.succeeded(at);
    } catch (e) {
      this.failedWith(e);
    }
  }

  private async leaseStep(): Promise<void> {
    const l = this.o.lease?.lease;
    if (l === undefined) return;
    if (this.leaseState === "held") {
      const r = await l.renew();
      if (r.kind === "lost") return this.lost(r.holder);
      if (r.kind === "reacquired")
        this.o.log(`account lease: re-taken (it had expired or the cluster lost it; nobody else held it)`);
      return;
    }
    const d = await l.acquire();
    if (d.kind === "held") return this.lost(d.holder);
    const was = this.leaseState;
    this.leaseState = "held";
    this.otherHolder = null;
    this.o.log(
      was === "lost"
        ? "account lease: taken back (the other kernel is gone); trading stays as the operator left it"
        : "account lease: taken (the cluster answered again)",
    );
  }

  private lost(holder: LeaseHolder): void {
    const first = this.leaseState !== "lost";
    this.leaseState = "lost";
    this.otherHolder = holder;
    if (first) {
      this.o.log(`account lease: held by ${holderText(holder)}; two kernels on one account: trading HALTED`);
      this.o.onLeaseLost(holder);
    }
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
        state: this.leaseState,
        account: this.o.lease === null ? null : this.o.lease.lease.key.slice(0, 16),
        holder: this.leaseState === "lost" ? this.otherHolder : this.o.lease === null ? null : this.o.lease.lease.me,
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
  }

  /** Graceful stop: beats end, the entry is removed and the lease given back (each call bounded). */
  async leave(): Promise<void> {
    await this.stopBeats();
    try {
      const m = await this.o.client.map(FLEET_MAP);
      const cur = await m.get(this.o.namespace);
      const mine = jsonOf(cur);
      if (cur !== null && mine?.pid === this.o.pid && mine.host === this.o.host) await m.remove(this.o.namespace, cur);
      if (this.leaseState === "held") await this.o.lease?.lease.release();
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
