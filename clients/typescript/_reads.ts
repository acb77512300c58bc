/**
 * What a client reads from the state and control regions: seqlock-stable copies of slot images,
 * the account (with the state hash and the mirror count, read under one lock), a view of every
 * slot and the account from one kernel mirror call, the control snapshot, the ring's depth. A
 * torn image (its writer died mid-copy) is KernelNotRunningError; a kernel that keeps mirroring
 * is retried for READ_BUSY_MS, then StateBusyError (contention, not corruption); anything else
 * unreadable is CorruptRegionError; every read of a closed client is ClientClosedError.
 *
 * Entry point: `StateReads` (owned by `DitaClient`).
 */

import type { ClientInfo, Handles } from "./_connect.ts";
import { checkRegion, readHeader, type ZincLib } from "./_zinc.ts";
import { CorruptRegionError, KernelNotRunningError, StateBusyError } from "./errors.ts";
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

export interface StateView {
  slots: Slot[];
  account: Account;
  stateHash: bigint;
  mirrorCount: number;
}

/** How long a read retries while the kernel keeps mirroring (then StateBusyError), ms. */
export const READ_BUSY_MS = 500;
/** A read tries at least this often, however the clock moved. */
const READ_TRIES_MIN = 8;

export class StateReads {
  constructor(
    private readonly lib: ZincLib,
    private readonly h: Handles,
    private readonly info: ClientInfo,
    private readonly live: () => void,
    private readonly monoMs: () => number = () => performance.now(),
  ) {}

  /** Whether a read tried `tries` times may try again: READ_TRIES_MIN times, then until the deadline. */
  private again(deadline: number, tries: number): boolean {
    return tries < READ_TRIES_MIN || this.monoMs() < deadline;
  }

  private readImage(read: (out: Uint8Array) => number, size: number, what: string, region = this.h.state): Uint8Array {
    checkRegion(this.lib, region); // a truncated region reads as zeros: CorruptRegionError, not an IDLE slot
    const out = new Uint8Array(size);
    const deadline = this.monoMs() + READ_BUSY_MS;
    for (let tries = 1; ; tries++) {
      const rc = read(out);
      if (rc === 0) return out;
      if (rc === -9) throw new KernelNotRunningError(`${what} was torn by a kernel that died mid-write`);
      if (rc !== 1) throw new CorruptRegionError(`${what}: zinc error ${rc}`);
      if (!this.again(deadline, tries))
        throw new StateBusyError(
          `${what}: the kernel mirrored throughout ${tries} seqlock reads (${READ_BUSY_MS} ms); no torn bytes, retry`,
        );
    }
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

  accountRaw(): { account: Account; stateHash: bigint; mirrorCount: number } {
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

  /** Slots and account from one mirror call: re-read while the kernel mirrored in between, for READ_BUSY_MS. */
  state(): StateView {
    const deadline = this.monoMs() + READ_BUSY_MS;
    for (let tries = 1; ; tries++) {
      const before = this.accountRaw();
      const slots = this.slots();
      const after = this.accountRaw();
      if (after.mirrorCount === before.mirrorCount) return { slots, ...after };
      if (!this.again(deadline, tries))
        throw new StateBusyError(
          `the kernel mirrored during each of ${tries} reads of the state (${READ_BUSY_MS} ms): no consistent view yet, retry`,
        );
    }
  }

  /**
   * The control snapshot; null before the first one, or when the kernel keeps its control plane in
   * memory (DITA_V2_CONTROL_PLANE=MEMORY): no control region, or one another kernel process wrote (its
   * writer pid is not the state region's: left from an earlier run).
   */
  control(): ControlSnapshot | null {
    this.live();
    const control = this.h.control;
    if (control === null) return null;
    if (readHeader(this.lib, control).writerPid !== readHeader(this.lib, this.h.state).writerPid) return null;
    const img = this.readImage(
      (o) => this.lib.zinc_control_read(control, 0, o, CONTROL_BYTES),
      CONTROL_BYTES,
      "control",
      control,
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
}
