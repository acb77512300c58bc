/**
 * Fakes for the TypeScript client's unit tests (clients/typescript), so each test reads as the
 * behaviour it proves: `fakeClient` (a real DitaClient over a fake libzinc, no regions), the fake
 * libzincs `FakeLane` / `AnsweringLane` (one outcome lane, ffi/README.md §7 poll and wait
 * semantics) and `QuietKernel` (blank state, a ring that counts pushes, no outcome ever), the record
 * builder `outcomeAt`, and the seam's data: `blankSlot`, `longSlot`, `seededAccount`.
 */

import type { Connection } from "../../clients/typescript/_connect.ts";
import { type Account, type ClientInfo, DitaClient, type Slot } from "../../clients/typescript/index.ts";
import { nativeLibraryPath } from "../../src/kernel/index.ts";

/** The region handles a fake client holds (no control region): a fake libzinc told apart by them. */
export const HANDLES = { intents: 1, state: 2, outcomes: 3 } as const;
/** The writer pid every fake region's header names: a live process (submit checks it exists before it pushes). */
export const KERNEL_PID = process.pid;
/** The pid of a kernel that adopted the regions after it: another live process (init when there is no parent). */
export const NEW_KERNEL_PID = process.ppid || 1;
/** The kernel generation a fake's header names and a fake client was connected to, unless a test says otherwise. */
export const KERNEL_GENERATION = 7;

/**
 * A DitaClient connected (as `DitaClient.connect` would leave it) to `lib`, a fake libzinc: the
 * HANDLES, lane 1 of generation 1 over one slot, writer KERNEL_PID of KERNEL_GENERATION, a wall
 * clock stopped at 1_700_000_000_000, state sequence 0; `o` overrides any of these.
 */
export function fakeClient(
  lib: object,
  o: Partial<ClientInfo> & Partial<Pick<Connection, "nowMs" | "monoMs" | "stateSeq">> = {},
): DitaClient {
  const { nowMs, monoMs, stateSeq, ...info } = o;
  const c: Connection = {
    lib: lib as Connection["lib"],
    libPath: nativeLibraryPath("zinc"),
    h: { ...HANDLES, control: null },
    info: {
      prefix: "fake",
      namespace: "pink",
      lane: 1,
      generation: 1,
      slotCount: 1,
      writerPid: KERNEL_PID,
      kernelGeneration: KERNEL_GENERATION,
      ...info,
    },
    spinUs: 0,
    nowMs: nowMs ?? (() => 1_700_000_000_000),
    ...(monoMs === undefined ? {} : { monoMs }),
    stateSeq: stateSeq ?? 0,
  };
  return new (DitaClient as unknown as new (c: Connection) => DitaClient)(c);
}

const ORIGIN_BYTE = { EDGE: 1, KERNEL: 2, VENUE: 3 } as const;

/**
 * A stable outcome record of a MARK_PRICE at lane `position` for intent `id` (now_ms 1, no
 * diagnostics): by default a KERNEL acceptance; `accepted` is the raw byte (0 or 1, or a broken
 * writer's other value).
 */
export function outcomeAt(
  position: number,
  id: bigint,
  o: { origin?: keyof typeof ORIGIN_BYTE; accepted?: number } = {},
): Uint8Array {
  const rec = new Uint8Array(256);
  const dv = new DataView(rec.buffer);
  dv.setBigUint64(0, BigInt(2 * (position + 1)), true); // the stable lock of that position
  dv.setBigUint64(8, id, true);
  dv.setBigUint64(16, 1n, true);
  dv.setUint32(32, 0xffff_ffff, true); // no slot
  rec.set([4, 0, ORIGIN_BYTE[o.origin ?? "KERNEL"], o.accepted ?? 1], 36); // kind MARK_PRICE, origin, accepted
  return rec;
}

/**
 * A fake libzinc of one outcome lane: the records at positions 0..head-1 (`records`), the client's
 * read position `read`. A poll hands over every unread record (up to `most`) after reporting lost
 * those written over (a lane `depth` records deep; by default nothing is), a wait answers the head
 * at once; the header names KERNEL_PID of `kernelGeneration`, always alive. Records come from the
 * test (`publish`) unless a subclass answers the intents the client pushes (`answerPush`).
 */
export class FakeLane {
  head = 0;
  read = 0;
  depth = Number.POSITIVE_INFINITY;
  readonly records = new Map<number, Uint8Array>();
  readonly kernelGeneration: number;
  /** The pid the header names as the writer: 0 a kernel that closed its regions, another a process that may be gone. */
  writerPid = KERNEL_PID;

  constructor(o: { kernelGeneration?: number; depth?: number } = {}) {
    this.kernelGeneration = o.kernelGeneration ?? KERNEL_GENERATION;
    if (o.depth !== undefined) this.depth = o.depth;
  }

  /** Writes the record `make` builds for the next position. */
  publish(make: (position: number) => Uint8Array): void {
    this.records.set(this.head, make(this.head));
    this.head++;
  }

  /** What the kernel does with an intent the client pushed: nothing here. */
  protected answerPush(_id: bigint): void {}

  protected poll(out: Uint8Array, most: number, lost: BigUint64Array): number {
    lost[0] = BigInt(Math.max(0, this.head - this.read - this.depth));
    this.read += Number(lost[0]);
    let n = 0;
    for (; this.read < this.head && n < most; n++, this.read++) out.set(this.records.get(this.read)!, n * 256);
    return n;
  }

  zinc_ring_push = (_h: number, rec: Uint8Array) => {
    const id = new DataView(rec.buffer, rec.byteOffset).getBigUint64(304, true);
    this.answerPush(id);
    return 0;
  };
  zinc_outcome_poll = (_h: number, _lane: number, out: Uint8Array, most: number, lost: BigUint64Array) =>
    this.poll(out, most, lost);
  zinc_outcome_wait = (_h: number, _lane: number, _last: number) => this.head;
  zinc_outcome_lane_header = (_h: number, _lane: number, out: BigUint64Array) => {
    out[0] = BigInt(this.head);
    out[1] = BigInt(this.read);
    return 0;
  };
  zinc_header = (_h: number, out: Uint8Array) => {
    const dv = new DataView(out.buffer, out.byteOffset);
    dv.setUint32(8, this.writerPid, true);
    dv.setBigUint64(48, BigInt(this.kernelGeneration), true);
    return 0;
  };
  zinc_writer_alive = () => 1;
  zinc_check = () => 0;
  zinc_outcome_release = () => 0;
  zinc_close = () => 0;
}

/**
 * A FakeLane whose kernel answers every pushed intent at once with `answer(position, id)` (by
 * default a KERNEL acceptance), unless `silent`.
 */
export class AnsweringLane extends FakeLane {
  silent = false;
  private readonly answer: (position: number, id: bigint) => Uint8Array;

  constructor(
    o: { kernelGeneration?: number; depth?: number; answer?: (position: number, id: bigint) => Uint8Array } = {},
  ) {
    super(o);
    this.answer = o.answer ?? ((p, id) => outcomeAt(p, id));
  }

  protected override answerPush(id: bigint): void {
    if (!this.silent) this.publish((p) => this.answer(p, id));
  }
}

/**
 * A fake libzinc of a kernel that answers nothing: blank slots and account (mirror count 1), a
 * header naming `pid` of `generation` (alive while `alive`), an empty outcome lane, and a ring that
 * counts `pushes`.
 */
export class QuietKernel {
  pid = KERNEL_PID;
  generation = KERNEL_GENERATION;
  alive = true;
  pushes = 0;
  zinc_check = () => 0;
  zinc_state_read_slot = (_h: number, _i: number, out: Uint8Array) => {
    out.fill(0);
    return 0;
  };
  zinc_state_read_account = (_h: number, out: Uint8Array, pair: BigUint64Array) => {
    out.fill(0);
    pair[0] = 0n;
    pair[1] = 1n;
    return 0;
  };
  zinc_header = (_h: number, out: Uint8Array) => {
    const dv = new DataView(out.buffer, out.byteOffset);
    dv.setUint32(8, this.pid, true);
    dv.setBigUint64(48, BigInt(this.generation), true);
    return 0;
  };
  zinc_writer_alive = () => (this.alive ? 1 : 0);
  zinc_outcome_lane_header = (_h: number, _lane: number, out: BigUint64Array) => {
    out.fill(0n);
    return 0;
  };
  zinc_outcome_poll = (_h: number, _lane: number, _out: Uint8Array, _most: number, lost: BigUint64Array) => {
    lost[0] = 0n;
    return 0;
  };
  zinc_outcome_wait = (_h: number, _lane: number, last: number) => last;
  zinc_ring_push = () => {
    this.pushes++;
    return 0;
  };
  zinc_seq = () => 0;
  zinc_outcome_release = () => 0;
  zinc_close = () => 0;
}

/** An IDLE slot `slotId` as the client reads it (no trade, version 0), with `over` applied. */
export function blankSlot(slotId: number, over: Partial<Slot> = {}): Slot {
  return {
    slotId,
    stage: "IDLE",
    tradeId: "",
    asset: "",
    side: null,
    size: 0,
    entryPrice: 0,
    leverage: 0,
    isOpen: false,
    leg: 0,
    realizedPnl: 0,
    unrealizedPnl: 0,
    markPrice: 0,
    fees: 0,
    exitReason: null,
    staleReason: null,
    entryOrder: null,
    exitOrder: null,
    version: 0,
    updatedAtMs: 0,
    ...over,
  };
}

/** Slot `slotId` in `stage` holding trade `T<slotId>`: BTC-USDT LONG at 2x, `sizeE8` of it held (version 1). */
export function longSlot(slotId: number, stage: Slot["stage"], sizeE8 = 0n): Slot {
  return blankSlot(slotId, {
    stage,
    tradeId: `T${slotId}`,
    asset: "BTC-USDT",
    side: "LONG",
    size: Number(sizeE8) / 1e8,
    sizeE8,
    leverage: 2,
    isOpen: stage === "POSITION_OPEN",
    version: 1,
  });
}

/** An account of `equity` (all capital, nothing drawn down, no fees or PnL), seeded unless said. */
export const seededAccount = (equity = 10_000, seeded = true): Account => ({
  capital: equity,
  peakCapital: equity,
  drawdown: 0,
  drawdownRatio: 0,
  feesPaid: 0,
  realizedPnlTotal: 0,
  unrealizedPnl: 0,
  equity,
  tradeSeq: 0,
  version: 1,
  seeded,
});
