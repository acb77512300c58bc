/**
 * The pipelined batch path's guarantees to the caller: the kernel is never touched by TypeScript
 * while the apply thread owns it (a re-entrant call gets a clear KernelError, and the kernel is
 * usable afterwards), a fault on the apply thread latches the kernel like any other fault, and
 * destroy() stops the thread.
 */

import { type Pointer, ptr } from "bun:ffi";
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { KernelInput } from "../../src/contracts/index.ts";
import { loadKernelLib } from "../../src/kernel/_kernel_ffi.ts";
import { ApplyPipeline } from "../../src/kernel/_pipeline.ts";
import { ExecutionKernel, encodeInput, INPUT_SIZE, KernelError } from "../../src/kernel/index.ts";
import { kernelsPerTest, openPosition, T0 } from "../_support/kernel.ts";

const kernel = kernelsPerTest({ slots: 4 });
const marks = (n: number, from = 0): KernelInput[] =>
  Array.from({ length: n }, (_, i) => ({
    type: "MARK_PRICE",
    asset: "BTC-USDT",
    price: 100 + (i % 7),
    now_ms: T0 + 1_000 + from + i,
  }));

/** A mark whose `type` getter runs `call` first: caller code running while the pipeline encodes. */
function reentrant(call: () => void, now: number): KernelInput {
  return {
    get type(): "MARK_PRICE" {
      call();
      return "MARK_PRICE";
    },
    asset: "BTC-USDT",
    price: 100,
    now_ms: now,
  } as KernelInput;
}

/** Threads of this process named by the kernel's apply thread. */
function applyThreads(): number {
  return readdirSync("/proc/self/task").filter((t) => {
    try {
      return readFileSync(`/proc/self/task/${t}/comm`, "utf8").trim() === "dita-apply";
    } catch {
      return false; // the thread ended while listing
    }
  }).length;
}

test("a call into the kernel from caller code during a pipelined batch is refused by name, and the kernel stays usable", () => {
  const k = kernel();
  openPosition(k, 0, 1, 100);
  // Input 1500 is read while the first 1024-input chunk is in flight.
  const inputs = [...marks(1499), reentrant(() => k.slot(0), T0 + 1_500), ...marks(1500, 2_000)];
  expect(() => k.applyBatch(inputs)).toThrow(KernelError);
  expect(k.slot(0).mark_price).toBe(100 + (1023 % 7)); // exactly the chunk in flight was applied
  expect(() => k.applyBatch([reentrant(() => k.slot(0), T0 + 4_000)])).toThrow(
    "ExecutionKernel is applying a batch: call it after applyBatch returns",
  );
  expect(k.slot(0).stage).toBe("POSITION_OPEN");
  expect(k.applyBatch(marks(3000, 5_000))).toBe(3000);
});

test("an input whose getter throws stops a pipelined batch with that error; the chunk in flight is applied, the kernel stays usable", () => {
  const k = kernel();
  openPosition(k, 0, 1, 100);
  const hostile = {
    get type(): string {
      throw new Error("hostile getter");
    },
    now_ms: T0 + 9_999,
  };
  const inputs = [...marks(1500), hostile as unknown as KernelInput, ...marks(10, 5_000)];
  expect(() => k.applyBatch(inputs)).toThrow("hostile getter");
  expect(k.slot(0).mark_price).toBe(100 + (1023 % 7)); // the first 1024 marks were in flight
  expect(k.applyBatch(marks(3, 6_000))).toBe(3);
});

test("destroy() from caller code during a pipelined batch is refused and frees nothing", () => {
  const k = kernel();
  expect(() => k.applyBatch([reentrant(() => k.destroy(), T0 + 1)])).toThrow(
    "ExecutionKernel.destroy() inside applyBatch: destroy it after applyBatch returns",
  );
  expect(k.applyBatch(marks(5))).toBe(5);
});

test("a kernel fault on the apply thread latches the kernel read-only: later chunks apply nothing, reads keep working", () => {
  const k = kernel();
  openPosition(k, 0, 1, 100);
  const before = k.stateHash();
  k.armFaultDrill();
  expect(k.applyBatch(marks(2500))).toBe(0);
  expect(k.faulted()).toBe(true);
  expect(k.stateHash()).toBe(before);
  expect(k.slot(0)).toMatchObject({ stage: "POSITION_OPEN", size: 1 });
});

test("inputs the encoder refuses are skipped and the rest applied, as on the sequential path", () => {
  const k = kernel();
  const inputs: KernelInput[] = [
    ...marks(1500),
    { type: "MARK_PRICE", asset: "x".repeat(99), price: 1, now_ms: T0 + 9_000 },
    { type: "TICK", now_ms: -1 },
    ...marks(1500, 3_000),
  ];
  expect(k.applyBatch(inputs)).toBe(3000);
});

test("destroy() stops the kernel's apply thread", () => {
  const base = applyThreads();
  const k = kernel();
  k.applyBatch(marks(10));
  expect(applyThreads()).toBe(base + 1);
  k.destroy();
  expect(applyThreads()).toBe(base);
});

test("when the apply thread falls behind, stretches run on the calling thread, then the thread again: same state, each input encoded once", () => {
  const plain: KernelInput[] = [{ type: "SEED_CAPITAL", capital: 10_000, now_ms: T0 }, ...marks(250_000)];
  const reads = new Uint32Array(plain.length);
  // Each input counts the reads of its `type`: the encoder reads it exactly once per encoding.
  const inputs = plain.map((x, i) => {
    const { type, ...rest } = x;
    return Object.defineProperty({ ...rest }, "type", {
      enumerable: true,
      get: () => {
        reads[i]!++;
        return type;
      },
    }) as KernelInput;
  });
  const reference = ExecutionKernel.open({ slotCount: 4, applyThread: false });
  reference.applyBatch(plain);
  const lib = loadKernelLib();
  const h = lib.dita_kernel_new(4, 4, 30_000) as Pointer;
  const pipeline = ApplyPipeline.start(lib, h)!;
  const record = new Uint8Array(INPUT_SIZE);
  const stretches: Array<[number, number]> = [];
  const onCallingThread = (from: number, to: number) => {
    stretches.push([from, to]);
    for (const x of inputs.slice(from, to)) {
      if (encodeInput(x, record, 0) === null) lib.dita_kernel_apply(h, ptr(record));
    }
    return to - from;
  };
  // Every chunk is a window, and waiting "longer than -1 × encoding" always holds: after two
  // chunks on the thread, each chunk it takes is followed by a stretch on the calling thread of
  // 64, 128, 256, ... chunks.
  const accepted = pipeline.run(inputs, () => false, onCallingThread, { windowNs: 0, waitShare: -1 });
  const K = 1024;
  expect(stretches).toEqual([
    [2 * K, 66 * K],
    [67 * K, 195 * K],
    [196 * K, inputs.length],
  ]);
  expect(pipeline.fallbacks).toBe(3);
  expect(accepted).toBe(inputs.length);
  expect(reads.every((n) => n === 1)).toBe(true);
  expect(BigInt.asUintN(64, BigInt(lib.dita_kernel_state_hash(h)))).toBe(reference.stateHash());
  pipeline.free();
  lib.dita_kernel_free(h);
  reference.destroy();
});

test("with one CPU available (affinity) no apply thread starts and applyBatch runs on the calling thread", () => {
  const root = join(import.meta.dir, "../..");
  const script = `
    const { ExecutionKernel } = await import(${JSON.stringify(join(root, "src/kernel/index.ts"))});
    const inputs = [{ type: "SEED_CAPITAL", capital: 10000, now_ms: 1 }, ...Array.from({ length: 3000 }, (_, i) => ({ type: "MARK_PRICE", asset: "BTC-USDT", price: 100 + (i % 7), now_ms: 2 + i }))];
    const k = ExecutionKernel.open({ slotCount: 4 });
    const accepted = k.applyBatch(inputs);
    const threads = require("node:fs").readdirSync("/proc/self/task").filter((t) => { try { return require("node:fs").readFileSync("/proc/self/task/" + t + "/comm", "utf8").trim() === "dita-apply"; } catch { return false; } }).length;
    console.log(JSON.stringify({ accepted, threads, hash: k.stateHashHex() }));`;
  const run = (cmd: string[]) => {
    const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed: ${r.stderr.toString()}`);
    return JSON.parse(r.stdout.toString().trim().split("\n").at(-1)!);
  };
  const oneCpu = run(["taskset", "-c", "0", process.execPath, "-e", script]);
  const allCpus = run([process.execPath, "-e", script]);
  expect(oneCpu.threads).toBe(0);
  expect(allCpus.threads).toBe(navigator.hardwareConcurrency >= 2 ? 1 : 0);
  expect(oneCpu).toMatchObject({ accepted: 3001, hash: allCpus.hash });
});
