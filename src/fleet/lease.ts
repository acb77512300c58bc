/**
 * The account lease: at most one kernel trades one venue account. Two kernels on one BingX account
 * would fight over the same hedge positions (each would adopt, reconcile and exit the other's), so a
 * kernel takes the lease before its recovery touches the venue and keeps it by renewing it with
 * every heartbeat.
 *
 * Where: map `DITA_V2_ACCOUNT_LEASES`, key = SHA-256 (hex) of the account identity (`accountKey`:
 * for BingX the host and the API key, never stored or printed; for the mock venue the namespace),
 * value = the holder `{namespace, host, pid, run, epoch, venue, acquired_at_ms}` with a time to
 * live of `ttlMs`. A kernel that dies stops renewing and its lease expires by itself.
 *
 * Atomicity (no EntryProcessor from JS): acquisition is `putIfAbsent(key, me, ttl)`; renewal holds
 * the key's lock (`tryLock`, with a lease time so a dead renewer cannot wedge the key) while it reads
 * the value, checks it is still this kernel's (namespace, host, pid, run) and refreshes only the
 * entry's time to live (`setTtl`): Hazelcast makes every other client's mutation of a locked key
 * (`putIfAbsent`, `remove`, ...) wait for the unlock, so the entry refreshed is the one checked, the
 * value never changes and no renewal refreshes or overwrites another kernel's lease (see `renew`).
 * Acquire and release need no lock: their `putIfAbsent` and `remove(key, exact value)` are atomic
 * and wait while a renewal holds it. (A `replace` would also reset the entry's TTL to "forever", measured on 5.5.0: a
 * crash right after it would leave a lease that never expires.) Taking over a lease left by this
 * namespace's previous process on this host (its pid is gone: supervisord restarting a SIGKILLed
 * kernel must not wait out the TTL) is `remove(key, exact stored value)` then `putIfAbsent`.
 * Fencing: the holder carries the epoch and run of the projection's writes; a kernel that finds its
 * lease held by someone else at a renewal has lost it (`lost`) and the caller stops it trading (and
 * fences itself locally: src/fleet/_lease_keeper.ts).
 *
 * Entry points: `accountKey(parts)`, `decideLease(current, me, pidAlive)`, `new AccountLease(...)`.
 */

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { jsonValue } from "../projection/index.ts";
import { type FleetClient, jsonOf, type RawMap } from "./client.ts";
import { LEASE_MAP, renewalBudgetMsOf } from "./entry.ts";

export interface LeaseHolder {
  namespace: string;
  host: string;
  pid: number;
  run: string;
  /** The holder's projection epoch (ms): its map writes carry the same. */
  epoch: number;
  venue: string;
  acquired_at_ms: number;
}

export type LeaseDecision =
  | { kind: "free" }
  | { kind: "mine" }
  | { kind: "takeover"; previous: LeaseHolder }
  | { kind: "held"; holder: LeaseHolder };

/** The lease key of an account: SHA-256 of its identity parts (joined by a newline), hex. */
export function accountKey(parts: readonly string[]): string {
  if (parts.length === 0 || parts.some((p) => p.includes("\n")))
    throw new Error("Invariant: account identity parts are non-empty and hold no newline");
  return createHash("sha256").update(parts.join("\n")).digest("hex");
}

/**
 * What to do about the stored lease `current` (null: none). Rules, in order:
 *  1. none → free (take it);
 *  2. same namespace, host, pid and run → mine;
 *  3. same namespace and host, and that pid is gone → takeover (this namespace's dead predecessor);
 *  4. anything else → held (another kernel, here or elsewhere, is alive or may be).
 */
export function decideLease(
  current: LeaseHolder | null,
  me: LeaseHolder,
  pidAlive: (pid: number) => boolean,
): LeaseDecision {
  if (current === null) return { kind: "free" };
  if (sameKernel(current, me)) return { kind: "mine" };
  if (current.namespace === me.namespace && current.host === me.host && !pidAlive(current.pid))
    return { kind: "takeover", previous: current };
  return { kind: "held", holder: current };
}

export function sameKernel(a: LeaseHolder, b: LeaseHolder): boolean {
  return a.namespace === b.namespace && a.host === b.host && a.pid === b.pid && a.run === b.run;
}

/** The holder of a stored value, or a placeholder naming what was unreadable (it still holds the key). */
export function holderOf(raw: Record<string, unknown> | null): LeaseHolder {
  const s = (k: string) => (typeof raw?.[k] === "string" ? (raw[k] as string) : "?");
  const n = (k: string) => (Number.isSafeInteger(raw?.[k]) ? (raw?.[k] as number) : -1);
  return {
    namespace: s("namespace"),
    host: s("host"),
    pid: n("pid"),
    run: s("run"),
    epoch: n("epoch"),
    venue: s("venue"),
    acquired_at_ms: n("acquired_at_ms"),
  };
}

export function holderText(h: LeaseHolder): string {
  return `kernel ${h.namespace} on host ${h.host} (pid ${h.pid}, run ${h.run})`;
}

/**
 * Pid liveness on this host: signal 0 (EPERM means alive but not ours), and a zombie (killed, not yet
 * reaped by its parent: state `Z` in /proc/<pid>/stat) counts as gone.
 */
export function pidAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch (e) {
    // Gone in between, or no /proc at all (then signal 0 is all there is).
    return (e as NodeJS.ErrnoException).code !== "ENOENT" || existsSync("/proc/self/stat") === false;
  }
}

const TRIES = 4;

/** A bound on a sequence of calls: each must answer before `budgetMs` from `bounded`'s call; `done` ends it. */
function bounded(budgetMs: number): { bound: <T>(p: Promise<T>) => Promise<T>; done: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`account lease: renewal took over ${budgetMs} ms; retried at the next beat`)),
      budgetMs,
    );
  });
  expired.catch(() => {});
  return { bound: (p) => Promise.race([p, expired]), done: () => clearTimeout(timer) };
}

export class AccountLease {
  constructor(
    private readonly client: FleetClient,
    readonly key: string,
    readonly me: LeaseHolder,
    readonly ttlMs: number,
    private readonly alive: (pid: number) => boolean = pidAlive,
  ) {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error("Invariant: lease key is a SHA-256 hex digest");
  }

  /** Takes the lease (free, or this namespace's dead predecessor's); `held` names who has it. */
  async acquire(): Promise<LeaseDecision> {
    const m = await this.client.map(LEASE_MAP);
    for (let i = 0; i < TRIES; i++) {
      const cur = await m.get(this.key);
      const d = decideLease(cur === null ? null : holderOf(jsonOf(cur)), this.me, this.alive);
      if (d.kind === "held" || d.kind === "mine") return d;
      if (d.kind === "takeover" && cur !== null && (await m.remove(this.key, cur)) !== true) continue;
      if ((await m.putIfAbsent(this.key, jsonValue({ ...this.me }), this.ttlMs)) === null) return d;
    }
    throw new Error(`account lease: lost ${TRIES} races for the lease; try again`);
  }

  /**
   * Keeps the lease, conditionally: `held` (TTL refreshed), `reacquired` (it had expired or the
   * cluster lost it, and nobody else took it), or `lost` with the kernel that holds it now. Throws
   * (the renewal failed, nothing is claimed) when the key's lock is busy or the whole renewal did
   * not answer within `budgetMs` (default `renewalBudgetMsOf(ttlMs)`, a sixth of the TTL).
   *
   * Under the key's lock (`tryLock(key, 0, 2 × budgetMs)`): get → check it is this kernel's →
   * `setTtl` (or `putIfAbsent` when it is gone) → `unlock`. While this client holds the lock, every
   * other client's mutation of the key (`putIfAbsent`, `remove`, `set`, `setTtl`, ...) waits on the
   * member, so the entry refreshed is the one checked. A result is reported only when the last call
   * answered within `budgetMs` of sending `tryLock`: the member granted the lock after that send
   * and ran the call before answering, so it ran within `budgetMs` of the grant, well inside the
   * lock's lease time (`2 × budgetMs`, which frees the key should this kernel die mid-renewal).
   * A `tryLock` granted after the renewal gave up is unlocked as soon as it answers.
   */
  async renew(
    budgetMs = renewalBudgetMsOf(this.ttlMs),
  ): Promise<{ kind: "held" | "reacquired" } | { kind: "lost"; holder: LeaseHolder }> {
    if (!(budgetMs >= 1)) throw new Error(`Invariant: renewal budget must be >= 1 ms, got ${budgetMs}`);
    const { bound, done } = bounded(budgetMs);
    try {
      const m = await bound(this.client.map(LEASE_MAP));
      const locking = m.tryLock(this.key, 0, 2 * budgetMs);
      const locked = await bound(locking).catch((e: unknown) => {
        // A grant answered after the renewal gave up gets its own unlock (the lock is reentrant per
        // client: left held, this client's next renewals would re-enter it and keep it held).
        void locking.then((ok) => (ok ? m.unlock(this.key) : undefined)).catch(() => {});
        throw e;
      });
      if (!locked)
        throw new Error("account lease: the lease key is locked by another client; renewal retried at the next beat");
      try {
        return await this.renewLocked(m, bound);
      } finally {
        // Sent even when the budget ran out; a lock whose unlock was lost frees itself after its lease time.
        await bound(m.unlock(this.key)).catch(() => {});
      }
    } finally {
      done();
    }
  }

  private async renewLocked(
    m: RawMap,
    bound: <T>(p: Promise<T>) => Promise<T>,
  ): Promise<{ kind: "held" | "reacquired" } | { kind: "lost"; holder: LeaseHolder }> {
    const cur = await bound(m.get(this.key));
    if (cur !== null) {
      const holder = holderOf(jsonOf(cur));
      if (!sameKernel(holder, this.me)) return { kind: "lost", holder };
      if (await bound(m.setTtl(this.key, this.ttlMs))) return { kind: "held" };
    }
    // Gone (expired, or the cluster lost it): nobody else can put it while the lock is ours.
    const prev = await bound(m.putIfAbsent(this.key, jsonValue({ ...this.me }), this.ttlMs));
    if (prev === null) return { kind: "reacquired" };
    return { kind: "lost", holder: holderOf(jsonOf(prev)) };
  }

  /** Gives the lease back (graceful stop): removes it only while it is still this kernel's. */
  async release(): Promise<boolean> {
    const m = await this.client.map(LEASE_MAP);
    const cur = await m.get(this.key);
    if (cur === null || !sameKernel(holderOf(jsonOf(cur)), this.me)) return false;
    return (await m.remove(this.key, cur)) === true;
  }
}
