/**
 * `DitaClient`: a strategy process's connection to one DITAv2 kernel over Zinc shared memory
 * (ffi/README.md): push STRATEGY intents into the ring and wait for each one's outcome in the
 * client's own lane of the outcomes region; read slots, the account and the control snapshot;
 * wait for state changes. Requires Bun (bun:ffi) and libzinc.
 *
 * Invariants: (1) `submit` resolves with the intent's EDGE or KERNEL outcome or throws one
 * specific error (RingFullError: nothing was written; OutcomeTimeoutError / OutcomeLostError:
 * the intent may still take effect; KernelRestartedError / KernelNotRunningError: reconcile
 * from `slots()`), never hangs past its timeout; (2) venue follow-ups (origin VENUE) and outcomes
 * of earlier intents are kept (bounded) for `outcomesOf` / `nextVenueOutcome`; (3) records of
 * another generation of the lane are ignored (ffi/README.md §7); (4) reads are seqlock-stable.
 *
 * Entry points: `DitaClient.connect(options)`, then `submit`, `push`, `outcome`, `nextVenueOutcome`,
 * `outcomesOf`, `slots`, `slot`, `account`, `state`, `control`, `waitForChange`, `ringDepth`,
 * `reconnect`, `close`.
 */

import { Waiter } from "./_waits.ts";
import { loadZinc, openRegion, readHeader, resolveLibPath, type ZincLib } from "./_zinc.ts";
import {
  ClientClosedError,
  CorruptRegionError,
  ForeignNamespaceError,
  KernelNotRunningError,
  KernelRestartedError,
  LanesBusyError,
  OutcomeLostError,
  OutcomeTimeoutError,
  RegionMissingError,
  RingFullError,
} from "./errors.ts";
import { encodeIntent, INTENT_BYTES, type Intent } from "./intents.ts";
import { decodeOutcome, OUTCOME_BYTES, type Outcome } from "./outcome.ts";
import {
  ACCOUNT_BYTES,
  type Account,
  CONTROL_BYTES,
  type ControlSnapshot,
  decodeAccount,
  decodeControl,
  decodeSlot,
  SLOT_BYTES,
  type Slot,
} from "./records.ts";

export interface ConnectOptions {
  /** The kernel's DITA_V2_ZINC_PREFIX (default `dita_v2_<namespace>`). */
  prefix?: string;
  /** The strategy namespace this client trades for; a prefix of another namespace is refused. */
  namespace?: string;
  /** Path of libzinc.so (default: DITA_V2_ZINC_LIB). */
  libPath?: string;
  /** Busy-wait before sleeping on an outcome, µs (default 200, 0..10000). */
  spinUs?: number;
  /** The clock stamped into each record's now_ms (default Date.now). */
  nowMs?: () => number;
}

export interface ClientInfo {
  prefix: string;
  namespace: string;
  lane: number;
  generation: number;
  slotCount: number;
  writerPid: number;
  kernelGeneration: number;
}

export interface StateView {
  slots: Slot[];
  account: Account;
  stateHash: bigint;
  mirrorCount: number;
}

const INBOX_MAX = 4096;

/** A kernel whose control plane is in memory (DITA_V2_CONTROL_PLANE=MEMORY) has no control region. */
function optional(open: () => number): number | null {
  try {
    return open();
  } catch (e) {
    if (e instanceof RegionMissingError) return null;
    throw e;
  }
}

const CHUNK_MS = 100;
const POLL_MAX = 256;

export class DitaClient {
  private readonly rec = new Uint8Array(INTENT_BYTES);
  private readonly idBytes = new Uint8Array(8);
  private readonly pollBuf = new Uint8Array(POLL_MAX * OUTCOME_BYTES);
  private readonly lost = new BigUint64Array(1);
  private readonly inbox = new Map<bigint, Outcome[]>();
  private readonly waiter: Waiter;
  private readonly stateWaiter: Waiter;
  private sequence = 0;
  private lostTotal = 0;
  private open = true;
  private stateSeen: number;

  private constructor(
    private readonly lib: ZincLib,
    private readonly h: { intents: number; state: number; control: number | null; outcomes: number },
    readonly info: ClientInfo,
    private readonly spinUs: number,
    private readonly nowMs: () => number,
    libPath: string,
  ) {
    this.waiter = new Waiter(lib, libPath);
    this.stateWaiter = new Waiter(lib, libPath);
    this.stateSeen = Number(lib.zinc_seq(h.state));
  }

  static connect(o: ConnectOptions = {}): DitaClient {
    const libPath = resolveLibPath(o.libPath);
    const lib = loadZinc(libPath);
    const prefix = o.prefix ?? `dita_v2_${o.namespace ?? "pink"}`;
    const opened: number[] = [];
    const open = (kind: "intents" | "state" | "control" | "outcomes") => {
      const id = openRegion(lib, prefix, kind);
      opened.push(id);
      return id;
    };
    try {
      const h = {
        intents: open("intents"),
        state: open("state"),
        control: optional(() => open("control")),
        outcomes: open("outcomes"),
      };
      const state = readHeader(lib, h.state);
      if (lib.zinc_writer_alive(h.state) !== 1)
        throw new KernelNotRunningError(
          state.writerPid === 0
            ? `/dev/shm/${prefix}.state: no kernel holds the regions (its last writer closed them); start dita-v2 serve`
            : `/dev/shm/${prefix}.state: writer pid ${state.writerPid} is not running (a stale region from a dead kernel)`,
        );
      const ns = new Uint8Array(32);
      lib.zinc_outcome_namespace(h.outcomes, ns);
      const end = ns.indexOf(0);
      const namespace = new TextDecoder().decode(end < 0 ? ns : ns.subarray(0, end));
      if (o.namespace !== undefined && namespace !== "" && namespace !== o.namespace)
        throw new ForeignNamespaceError(
          `prefix '${prefix}' belongs to namespace '${namespace}', not '${o.namespace}': refusing to trade another strategy's slots`,
        );
      const gen = new Uint32Array(1);
      const lane = lib.zinc_outcome_claim(h.outcomes, gen);
      if (lane < 0)
        throw new LanesBusyError(`/dev/shm/${prefix}.outcomes: every outcome lane is held by a live producer`);
      const info: ClientInfo = {
        prefix,
        namespace,
        lane,
        generation: gen[0]!,
        slotCount: state.recordCount,
        writerPid: state.writerPid,
        kernelGeneration: state.generation,
      };
      const spin = Math.max(0, Math.min(10_000, Math.trunc(o.spinUs ?? 200)));
      return new DitaClient(lib, h, info, spin, o.nowMs ?? (() => Date.now()), libPath);
    } catch (e) {
      for (const id of opened) lib.zinc_close(id);
      throw e;
    }
  }

  /** The id the next intent gets: lane << 48 | generation << 32 | sequence. */
  private nextId(): bigint {
    this.sequence = (this.sequence + 1) >>> 0;
    const dv = new DataView(this.idBytes.buffer);
    dv.setUint32(0, this.sequence, true);
    dv.setUint16(4, this.info.generation, true);
    dv.setUint16(6, this.info.lane, true);
    return dv.getBigUint64(0, true);
  }

  /** Pushes one intent without waiting; returns its client_intent_id (its outcomes still arrive). */
  push(intent: Intent): bigint {
    this.live();
    const id = this.nextId();
    encodeIntent(intent, this.nowMs(), this.idBytes, this.rec);
    let rc = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      rc = this.lib.zinc_ring_push(this.h.intents, this.rec, INTENT_BYTES);
      if (rc === 0) return id;
      if (rc !== -5 && rc !== -7) break; // ABANDONED / CONTENDED: nothing delivered, push again
    }
    if (rc === 1) throw new RingFullError(`/dev/shm/${this.info.prefix}.intents is full: nothing was written; retry`);
    throw new CorruptRegionError(`/dev/shm/${this.info.prefix}.intents: push failed (zinc error ${rc})`);
  }

  /** Pushes `intent` and resolves its EDGE or KERNEL outcome (see the invariants above). */
  async submit(intent: Intent, options: { timeoutMs?: number } = {}): Promise<Outcome> {
    return this.outcome(this.push(intent), options.timeoutMs ?? 1000);
  }

  /** The EDGE or KERNEL outcome of an intent `push` returned the id of. */
  outcome(id: bigint, timeoutMs = 1000): Promise<Outcome> {
    return this.awaitOutcome(id, timeoutMs, (o) => o.origin !== "VENUE");
  }

  /** The next VENUE outcome of an intent (ACK, fill, reject, ...) within the timeout. */
  nextVenueOutcome(id: bigint, timeoutMs = 5000): Promise<Outcome> {
    return this.awaitOutcome(id, timeoutMs, (o) => o.origin === "VENUE");
  }

  /** Every outcome received so far for an intent (kept for the last INBOX_MAX intents). */
  outcomesOf(id: bigint): Outcome[] {
    this.drainLane();
    return [...(this.inbox.get(id) ?? [])];
  }

  private take(id: bigint, match: (o: Outcome) => boolean): Outcome | null {
    const list = this.inbox.get(id);
    const at = list?.findIndex(match) ?? -1;
    if (list === undefined || at < 0) return null;
    const [hit] = list.splice(at, 1);
    if (list.length === 0) this.inbox.delete(id);
    return hit!;
  }

  private async awaitOutcome(id: bigint, timeoutMs: number, match: (o: Outcome) => boolean): Promise<Outcome> {
    const deadline = Date.now() + timeoutMs;
    const lostBefore = this.lostTotal;
    for (;;) {
      this.drainLane();
      const hit = this.take(id, match);
      if (hit !== null) return hit;
      this.checkKernel(id);
      const left = deadline - Date.now();
      if (left <= 0) {
        if (this.lostTotal > lostBefore)
          throw new OutcomeLostError(
            id,
            `${this.lostTotal - lostBefore} outcomes of lane ${this.info.lane} were written over unread; intent ${id} had none within ${timeoutMs} ms: read its slot`,
          );
        throw new OutcomeTimeoutError(
          id,
          `no outcome for intent ${id} within ${timeoutMs} ms (it may still be applied)`,
        );
      }
      const head = Number(this.lib.zinc_outcome_head(this.h.outcomes, this.info.lane));
      if (this.waiter.spinLane(this.h.outcomes, this.info.lane, head, this.spinUs) !== head) continue;
      await this.waiter.lane(this.h.outcomes, this.info.lane, head, Math.min(left, CHUNK_MS));
      this.live();
    }
  }

  /** Polls the lane into the inbox; records of another generation are ignored. */
  private drainLane(): void {
    this.live();
    for (let round = 0; round < 64; round++) {
      this.lost[0] = 0n;
      const n = this.lib.zinc_outcome_poll(this.h.outcomes, this.info.lane, this.pollBuf, POLL_MAX, this.lost);
      if (n < 0)
        throw new CorruptRegionError(
          `/dev/shm/${this.info.prefix}.outcomes: lane ${this.info.lane} is no longer ours (zinc error ${n})`,
        );
      this.lostTotal += Number(this.lost[0]);
      for (let i = 0; i < n; i++) {
        const rec = this.pollBuf.subarray(i * OUTCOME_BYTES, (i + 1) * OUTCOME_BYTES);
        const gen = rec[12]! | (rec[13]! << 8);
        if (gen !== this.info.generation) continue;
        const o = decodeOutcome(rec.slice());
        const list = this.inbox.get(o.clientIntentId);
        if (list === undefined) this.inbox.set(o.clientIntentId, [o]);
        else list.push(o);
        if (this.inbox.size > INBOX_MAX) this.inbox.delete(this.inbox.keys().next().value!);
      }
      if (n < POLL_MAX) return;
    }
  }

  /** Throws when the kernel that owned the regions at connect is gone or was replaced. */
  private checkKernel(id: bigint | null): void {
    const now = readHeader(this.lib, this.h.outcomes);
    const state = readHeader(this.lib, this.h.state);
    if (state.generation !== this.info.kernelGeneration)
      throw new KernelRestartedError(
        id,
        `the kernel of '${this.info.prefix}' restarted (pid ${this.info.writerPid} → ${state.writerPid}); reconcile from slots()`,
      );
    if (this.lib.zinc_writer_alive(this.h.outcomes) !== 1 || now.writerPid === 0)
      throw new KernelNotRunningError(
        `the kernel of '${this.info.prefix}' (pid ${this.info.writerPid}) is not running; no outcome will come until one adopts the regions`,
      );
  }

  private live(): void {
    if (!this.open) throw new ClientClosedError();
  }

  private readImage(read: (out: Uint8Array) => number, size: number, what: string): Uint8Array {
    const out = new Uint8Array(size);
    for (let attempt = 0; attempt < 8; attempt++) {
      const rc = read(out);
      if (rc === 0) return out;
      if (rc === -9) throw new KernelNotRunningError(`${what} was torn by a kernel that died mid-write`);
      if (rc !== 1) throw new CorruptRegionError(`${what}: zinc error ${rc}`);
    }
    throw new CorruptRegionError(`${what}: the seqlock did not stabilise`);
  }

  slot(index: number): Slot {
    this.live();
    if (!Number.isInteger(index) || index < 0 || index >= this.info.slotCount)
      throw new RangeError(`slot ${index} is outside 0..${this.info.slotCount - 1}`);
    const img = this.readImage(
      (o) => this.lib.zinc_state_read_slot(this.h.state, index, o),
      SLOT_BYTES,
      `slot ${index}`,
    );
    return decodeSlot(img, index);
  }

  slots(): Slot[] {
    return Array.from({ length: this.info.slotCount }, (_, i) => this.slot(i));
  }

  private accountRaw(): { account: Account; stateHash: bigint; mirrorCount: number } {
    this.live();
    const pair = new BigUint64Array(2);
    const img = this.readImage(
      (o) => this.lib.zinc_state_read_account(this.h.state, o, pair),
      ACCOUNT_BYTES,
      "account",
    );
    return { account: decodeAccount(img), stateHash: pair[0]!, mirrorCount: Number(pair[1]) };
  }

  /** The account image, read under its seqlock (one consistent copy). */
  account(): Account {
    return this.accountRaw().account;
  }

  /** Slots and account from one mirror call: re-read while the kernel mirrored in between. */
  state(): StateView {
    for (let attempt = 0; attempt < 100; attempt++) {
      const before = this.accountRaw();
      const slots = this.slots();
      const after = this.accountRaw();
      if (after.mirrorCount === before.mirrorCount) return { slots, ...after };
    }
    throw new CorruptRegionError("the state kept changing: no consistent view in 100 tries");
  }

  /** The control snapshot; null before the first one, or with no control region (DITA_V2_CONTROL_PLANE=MEMORY). */
  control(): ControlSnapshot | null {
    const control = this.h.control;
    if (control === null) return null;
    const img = this.readImage(
      (o) => this.lib.zinc_control_read(control, 0, o, CONTROL_BYTES),
      CONTROL_BYTES,
      "control",
    );
    return decodeControl(img);
  }

  /** Intents pushed and not yet drained by the kernel. */
  ringDepth(): number {
    this.live();
    const out = new BigUint64Array(4);
    this.lib.zinc_ring_stats(this.h.intents, out);
    return Number(out[1]! - out[0]!);
  }

  /** Resolves with the new state sequence when the kernel mirrored a change, or null at the timeout. */
  async waitForChange(timeoutMs: number): Promise<number | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.live();
      const seq = Number(this.lib.zinc_seq(this.h.state));
      if (seq !== this.stateSeen) {
        this.stateSeen = seq;
        return seq;
      }
      this.checkKernel(null);
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await this.stateWaiter.seq(this.h.state, seq, Math.min(left, CHUNK_MS));
    }
  }

  /**
   * After a KernelRestartedError: accepts the kernel that now holds the regions (it adopted them;
   * this client's lane survives). Throws KernelNotRunningError while no kernel holds them.
   */
  reconnect(): ClientInfo {
    this.live();
    const state = readHeader(this.lib, this.h.state);
    if (this.lib.zinc_writer_alive(this.h.state) !== 1 || state.writerPid === 0)
      throw new KernelNotRunningError(`no kernel holds '${this.info.prefix}' yet (last writer pid ${state.writerPid})`);
    this.info.kernelGeneration = state.generation;
    this.info.writerPid = state.writerPid;
    return { ...this.info };
  }

  /** Releases the lane and the regions. Idempotent. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.lib.zinc_outcome_release(this.h.outcomes, this.info.lane, this.info.generation);
    for (const id of Object.values(this.h)) if (id !== null) this.lib.zinc_close(id);
    this.waiter.close();
    this.stateWaiter.close();
  }
}
