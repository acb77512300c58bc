/**
 * Bench helpers for bench/zinc.ts and its peers: build libzinc and the futex floor with
 * ffi/Makefile, measure that floor, spawn a child bun process, run the kernel side of the round
 * trip (wait-or-poll, drain, publish), and drain a throughput run. Every loop is bounded.
 */

import { join } from "node:path";
import type { RealZincPlane } from "../src/zinc/index.ts";

export type RoundTripMode = "wait" | "hybrid" | "poll" | "yield";

export function ensureBuilt(root: string): string {
  const r = Bun.spawnSync(["make", "-s", "-C", join(root, "ffi")], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`make -C ffi failed: ${r.stderr.toString()}`);
  return join(root, "ffi/build/libzinc.so");
}

/** The plain-C futex ping-pong between two processes (ffi/build/bench_futex): the floor, in µs. */
export function futexFloor(root: string): { p50_us: number; p99_us: number } {
  const r = Bun.spawnSync([join(root, "ffi/build/bench_futex")], { stdout: "pipe" });
  const j = JSON.parse(r.stdout.toString().trim().split("\n").pop()!);
  return { p50_us: +(j.rtt_p50_ns / 1000).toFixed(2), p99_us: +(j.rtt_p99_ns / 1000).toFixed(2) };
}

export function spawnChild(root: string, script: string, args: string[]) {
  const p = Bun.spawn([process.execPath, join(root, script), ...args], {
    cwd: root,
    stdout: "pipe",
    stderr: "inherit",
  });
  return {
    output: async (): Promise<string> => {
      const text = await new Response(p.stdout).text();
      if ((await p.exited) !== 0) throw new Error(`${script} failed`);
      return text;
    },
  };
}

/** Kernel side: for each intent, publish slot 0 with the intent's id (u64 at offset 8). */
export async function consumeRoundTrips(plane: RealZincPlane, mode: RoundTripMode, n: number): Promise<void> {
  const slots = new Uint8Array(448);
  slots[4] = 1; // stage IDLE: a valid image for slot 0
  const dv = new DataView(slots.buffer);
  const dirty = new BigUint64Array([1n, 0n, 0n, 0n]);
  const account = new Uint8Array(96);
  let done = 0;
  let seq = plane.intentSeq();
  for (let guard = 0; done < n && guard < 500_000_000; guard++) {
    if (mode === "wait" || mode === "hybrid") seq = await plane.waitIntents(seq, 1000);
    else if (plane.intentSeq() === seq) {
      if (mode === "yield") await new Promise<void>((r) => setImmediate(r));
      continue;
    } else seq = plane.intentSeq();
    done += plane.drainIntents(64, (rec) => {
      dv.setBigUint64(8, new DataView(rec.buffer, rec.byteOffset).getBigUint64(8, true), true);
      plane.publishState(slots, dirty, account, 0n);
    });
  }
}

/** Drains until `n` records arrived (spinning; yields every 4096 empty polls). */
export async function drainUntil(plane: RealZincPlane, n: number): Promise<number> {
  let total = 0;
  let empty = 0;
  for (let guard = 0; total < n && guard < 100_000_000; guard++) {
    const got = plane.drainIntents(4096, () => undefined);
    total += got;
    empty = got === 0 ? empty + 1 : 0;
    if (empty > 4096) {
      empty = 0;
      await Bun.sleep(0);
    }
  }
  return total;
}
