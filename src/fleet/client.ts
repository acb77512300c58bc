/**
 * The fleet's own Hazelcast client (separate from the projection's sink, so a heartbeat never
 * waits behind map writes and the sink never behind a heartbeat). Connected on first use, every
 * call bounded by `timeoutMs`; a client that shut itself down after an outage is replaced on the
 * next use. Values are read raw (NO_DESERIALIZATION) so a conditional remove compares the exact
 * stored bytes.
 *
 * `firstConnectMs` bounds only the first connection attempt (serve's start: a cluster that does not
 * answer quickly leaves the lease pending rather than delaying the start; refused connections fail
 * at once anyway); later attempts get `timeoutMs`.
 *
 * Entry point: `new FleetClient(cfg, timeoutMs, firstConnectMs?)`, `.map(name)`, `.close()`.
 */

import type { HazelcastJsonValue, IMap } from "hazelcast-client";
import { type HazelcastConfig, type HzClient, hzRunning, newHzClient } from "../projection/index.ts";

export type RawMap = IMap<string, HazelcastJsonValue>;

export class FleetClient {
  private client: HzClient | null = null;
  private connecting: Promise<HzClient> | null = null;
  private attempts = 0;

  constructor(
    readonly cfg: HazelcastConfig,
    private readonly timeoutMs: number,
    private readonly firstConnectMs = timeoutMs,
  ) {
    if (!(timeoutMs >= 500 && firstConnectMs >= 500))
      throw new Error(`Invariant: fleet client timeouts must be >= 500 ms, got ${timeoutMs}/${firstConnectMs}`);
  }

  async ensure(): Promise<HzClient> {
    if (hzRunning(this.client)) return this.client;
    if (this.connecting !== null) return this.connecting;
    const old = this.client as HzClient | null;
    this.client = null;
    if (old !== null) void old.shutdown().catch(() => {});
    const t = this.timeoutMs;
    const connectMs = this.attempts++ === 0 ? this.firstConnectMs : t;
    this.connecting = newHzClient({ ...this.cfg, connectTimeoutMs: connectMs, invocationTimeoutMs: t }, true)
      .then((c) => {
        this.client = c;
        return c;
      })
      .finally(() => {
        this.connecting = null;
      });
    return this.connecting;
  }

  async map(name: string): Promise<RawMap> {
    return (await this.ensure()).getMap<string, HazelcastJsonValue>(name);
  }

  async close(): Promise<void> {
    const pending = this.connecting;
    const c = this.client;
    this.client = null;
    if (c !== null) await c.shutdown().catch(() => {});
    // A connect still under way is shut down as soon as it finishes.
    if (pending !== null) void pending.then((x) => x.shutdown()).catch(() => {});
  }
}

/** A stored raw value as a plain object, or null when it is not a JSON object. */
export function jsonOf(v: HazelcastJsonValue | null): Record<string, unknown> | null {
  if (v === null) return null;
  try {
    const o = JSON.parse(v.toString()) as unknown;
    return typeof o === "object" && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
