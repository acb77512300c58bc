/**
 * `DitaClient`: a strategy process's connection to one DITAv2 kernel over Zinc shared memory (ffi/README.md):
 * push STRATEGY intents into the ring and wait for each one's outcome in the client's own lane of the outcomes
 * region; read slots, the account and the control snapshot; wait for state changes. Requires Bun and libzinc.
 *
 * Invariants: (1) `submit` resolves with the intent's EDGE or KERNEL outcome or throws one specific error
 * (RingFullError: nothing was written; OutcomeTimeoutError / OutcomeLostError: the intent may still take effect;
 * KernelRestartedError / KernelNotRunningError: reconcile from `slots()`; KernelRestartedError with nothing pushed
 * after a restart not yet `reconnect()`ed, KernelNotRunningError when the kernel's process is gone), never hangs past its timeout, and is OutcomeLostError at once when a later
 * intent's outcome came first (one client's outcomes keep its push order); (2) every wait (`outcome`,
 * `nextVenueOutcome`, `waitForChange`) ends by its own timeout (NaN: a RangeError at once), measured on the monotonic
 * clock (a wall-clock step changes nothing), checks the kernel's liveness every CHUNK_MS while nothing comes, and takes
 * an outcome as soon as it is published, however many other waits are pending (they share one futex wait, `_waits.ts`);
 * every `waitForChange` pending at a change answers it, and a change a kernel that restarted made (it mirrors as it
 * adopts the regions) is KernelRestartedError; (3) venue follow-ups (origin VENUE) and outcomes of earlier intents are
 * kept (bounded) for `nextVenueOutcome` (IntentRefusedError at once for a refused intent), and every outcome received
 * for `outcomesOf`; (4) a record that does not decode is counted (`corruptOutcomes`) and is CorruptRegionError to the
 * next wait for the intent its id names (one naming no intent of this client: to the wait that polled it, after the
 * poll's other records were kept); a sequence or lane head word >= 2^63 is CorruptRegionError (never taken as one); (5)
 * records of another generation of the lane are ignored (ffi/README.md §7); (6) reads are seqlock-stable (a kernel
 * mirroring all the while: StateBusyError after READ_BUSY_MS).
 *
 * Entry points: `DitaClient.connect(options)`, then `submit`, `push`, `outcome`, `nextVenueOutcome`, `outcomesOf`,
 * `slots`, `slot`, `account`, `state`, `control`, `waitForChange`, `ringDepth`, `checkKernel`, `reconnect`, `close`.
 */

import { type ClientInfo, type Connection, type ConnectOptions, type Handles, openConnection } from "./_connect.ts";
import { Inbox } from "./_inbox.ts";
import { checkBeforePush, checkKernel, liveKernel } from "./_kernel.ts";
import { READ_BUSY_MS, StateReads, type StateView } from "./_reads.ts";
import { checkTimeout, submitTimeout, Waiter } from "./_waits.ts";
import { checkRegion, laneHead, laneRead, readHeader, stateSeq, type ZincLib } from "./_zinc.ts";
import {
  ClientClosedError,
  CorruptRegionError,
  KernelNotRunningError,
  OutcomeLostError,
  OutcomeTimeoutError,
  RingFullError,
} from "./errors.ts";
import { encodeIntent, INTENT_BYTES, type Intent } from "./intents.ts";
import { OUTCOME_BYTES, type Outcome } from "./outcome.ts";
import type { Account, ControlSnapshot, Slot } from "./records.ts";

export { type ClientInfo, type ConnectOptions, READ_BUSY_MS, type StateView };

const CHUNK_MS = 100;
const POLL_MAX = 256;

export class DitaClient {
  private readonly rec = new Uint8Array(INTENT_BYTES);
  private readonly idBytes = new Uint8Array(8);
  private readonly pollBuf = new Uint8Array(POLL_MAX * OUTCOME_BYTES);
  private readonly lost = new BigUint64Array(1);
  private readonly inbox: Inbox;
  private readonly waiter: Waiter;
  private readonly stateWaiter: Waiter;
  private sequence = 0;
  private lostTotal = 0;
  /** The lane position every poll so far consumed (read or lost): a wait is for the head to pass it. */
  private readPos: number;
  private open = true;
  private stateSeen: number;

  private readonly lib: ZincLib;
  private readonly h: Handles;
  readonly info: ClientInfo;
  private readonly spinUs: number;
  /** The clock stamped into each record's now_ms (ms); the seam's trade ids use it too. */
  readonly nowMs: () => number;
  private readonly reads: StateReads;

  private constructor(c: Connection) {
    this.lib = c.lib;
    this.h = c.h;
    this.info = c.info;
    this.spinUs = c.spinUs;
    this.nowMs = c.nowMs;
    this.inbox = new Inbox(c.info.lane, c.info.generation);
    this.waiter = new Waiter(c.lib, c.libPath);
    this.stateWaiter = new Waiter(c.lib, c.libPath);
    this.stateSeen = c.stateSeq;
    this.reads = new StateReads(c.lib, c.h, c.info, () => this.live(), c.monoMs);
    this.readPos = laneRead(c.lib, c.h.outcomes, c.info.lane, c.info.prefix);
  }

  static connect = (o: ConnectOptions = {}): DitaClient => new DitaClient(openConnection(o));

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
    checkRegion(this.lib, this.h.intents); // a ring cut short reads as zeros: a push there would vanish
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
    const timeoutMs = submitTimeout(options); // a bad timeout (or a bare number) pushes nothing
    if (this.open) checkBeforePush(this.lib, this.h.state, this.info); // nor a restart not reconnect()ed, nor a dead kernel
    return this.outcome(this.push(intent), timeoutMs);
  }

  /** The EDGE or KERNEL outcome of an intent `push` returned the id of. */
  outcome(id: bigint, timeoutMs = 1000): Promise<Outcome> {
    return this.awaitOutcome(id, timeoutMs, false);
  }

  /** The next VENUE outcome of an intent (ACK, fill, reject, ...) within the timeout. */
  nextVenueOutcome(id: bigint, timeoutMs = 5000): Promise<Outcome> {
    return this.awaitOutcome(id, timeoutMs, true);
  }

  /** Records of this client's lane that did not decode (a broken writer), as Python's `corrupt_outcomes`. */
  get corruptOutcomes(): number {
    return this.inbox.corrupt;
  }

  /** Every outcome received so far for an intent, including those `outcome` / `nextVenueOutcome` took. */
  outcomesOf(id: bigint): Outcome[] {
    this.drainLane();
    return this.inbox.all(id);
  }

  private async awaitOutcome(id: bigint, timeoutMs: number, venue: boolean): Promise<Outcome> {
    const deadline = performance.now() + checkTimeout(timeoutMs);
    const lostBefore = this.lostTotal;
    const lane = this.info.lane;
    let woke = false;
    for (;;) {
      // Woken with nothing to read: the lane's read word was rewritten under this client.
      if (this.drainLane() === 0 && woke) this.readPos = laneRead(this.lib, this.h.outcomes, lane, this.info.prefix);
      woke = false;
      const hit = this.inbox.take(id, (o) => (o.origin === "VENUE") === venue);
      if (hit !== null) return hit;
      if (venue) this.inbox.refused(id); // IntentRefusedError: a refused intent made no order to hear about
      if (!venue && this.inbox.passed(id)) {
        this.checkKernel(id); // a later intent's outcome came first: this one's never will
        throw new OutcomeLostError(
          id,
          `intent ${id} has no outcome and a later intent's came: its own was written over unread, dropped or taken already; read its slot`,
        );
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        this.checkKernel(id);
        if (this.lostTotal > lostBefore)
          throw new OutcomeLostError(
            id,
            `${this.lostTotal - lostBefore} outcomes of lane ${lane} were written over unread; intent ${id} had none within ${timeoutMs} ms: read its slot`,
          );
        throw new OutcomeTimeoutError(
          id,
          `no outcome for intent ${id} within ${timeoutMs} ms (it may still be applied)`,
        );
      }
      // Waits for the head to pass what this client read (an outcome published after the poll is behind it already).
      // A negative head is never taken: the spin's is CorruptRegionError, the Worker's a wake the next spin reads.
      const read = this.readPos;
      const spun = this.waiter.spinLane(this.h.outcomes, lane, read, this.spinUs);
      woke = laneHead(this.lib, this.h.outcomes, lane, this.info.prefix, spun) !== read;
      if (!woke) woke = (await this.waiter.lane(this.h.outcomes, lane, read, Math.min(left, CHUNK_MS))) !== read;
      this.live();
      if (!woke) this.checkKernel(id); // a whole chunk with nothing: is the kernel still there?
    }
  }

  /** Polls the lane into the inbox (records of another generation ignored); returns the positions consumed. */
  private drainLane(): number {
    this.live();
    let consumed = 0;
    let corrupt: CorruptRegionError | null = null;
    for (let round = 0; round < 64; round++) {
      this.lost[0] = 0n;
      const n = this.lib.zinc_outcome_poll(this.h.outcomes, this.info.lane, this.pollBuf, POLL_MAX, this.lost);
      if (n < 0)
        throw new CorruptRegionError(
          `/dev/shm/${this.info.prefix}.outcomes: lane ${this.info.lane} ${n === -6 ? "head: sequence word >= 2^63: corrupt region" : "is no longer ours"} (zinc error ${n})`,
        );
      const lost = Number(this.lost[0]);
      this.lostTotal += lost;
      this.readPos += n + lost; // the poll moved the lane's read position past all it copied or skipped
      consumed += n + lost;
      for (let i = 0; i < n; i++) {
        const rec = this.pollBuf.subarray(i * OUTCOME_BYTES, (i + 1) * OUTCOME_BYTES);
        const gen = rec[12]! | (rec[13]! << 8);
        if (gen !== this.info.generation) continue;
        const bad = this.inbox.file(rec.slice(), `/dev/shm/${this.info.prefix}.outcomes lane ${this.info.lane}`);
        corrupt ??= bad; // a record naming no intent of ours: this wait's (one of ours is its intent's wait's)
      }
      if (n < POLL_MAX) break;
    }
    // the records that decoded are kept before a corrupt one is reported: none is dropped with it
    if (corrupt !== null) throw corrupt;
    return consumed;
  }

  /** Throws when the kernel that owned the regions at connect is gone or was replaced (KernelNotRunningError,
   * KernelRestartedError): the pid and generation of the state region's header, as Python's `check_kernel`. */
  checkKernel(id: bigint | null = null): void {
    checkKernel(this.lib, this.h.state, this.info, id);
  }

  private live(): void {
    if (!this.open) throw new ClientClosedError();
  }

  slot(index: number): Slot {
    return this.reads.slot(index);
  }

  slots(): Slot[] {
    return this.reads.slots();
  }

  /** The account image, read under its seqlock (one consistent copy). */
  account(): Account {
    return this.reads.account();
  }

  /** Slots and account from one mirror call. */
  state(): StateView {
    return this.reads.state();
  }

  /** The control snapshot; null before the first one, or when the kernel keeps it in memory (DITA_V2_CONTROL_PLANE=MEMORY). */
  control(): ControlSnapshot | null {
    return this.reads.control();
  }

  /** Intents pushed and not yet drained by the kernel. */
  ringDepth(): number {
    return this.reads.ringDepth();
  }

  /** The new state sequence once the kernel mirrored a change since the last one seen, or null at the timeout. */
  async waitForChange(timeoutMs: number): Promise<number | null> {
    const deadline = performance.now() + checkTimeout(timeoutMs);
    const seen = this.stateSeen;
    for (;;) {
      this.live();
      const seq = stateSeq(this.lib, this.h.state, this.info.prefix);
      if (seq !== seen) {
        // a kernel that adopts the regions mirrors as it starts: that change is the restart (KernelRestartedError)
        if (readHeader(this.lib, this.h.state).generation !== this.info.kernelGeneration) this.checkKernel();
        this.stateSeen = seq;
        return seq;
      }
      this.checkKernel(null);
      const left = deadline - performance.now();
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
    const { header, alive } = liveKernel(this.lib, this.h.state);
    if (!alive)
      throw new KernelNotRunningError(
        `no kernel holds '${this.info.prefix}' yet (last writer pid ${header.writerPid})`,
      );
    this.info.kernelGeneration = header.generation;
    this.info.writerPid = header.writerPid;
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
