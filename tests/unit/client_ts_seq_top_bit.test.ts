/**
 * The TypeScript client never takes a negative libzinc answer for a sequence or a lane head. libzinc
 * answers ZINC_E_CORRUPT (-6) for a sequence word >= 2^63 (a stray write into /dev/shm; ffi/README.md
 * §9), and an older one returned the word itself as int64, a negative number: `waitForChange`
 * returned it as "the new state sequence", and an outcome wait took it for a moved head and spun
 * until its timeout. Each is CorruptRegionError naming the file and the word instead.
 * Real regions under a unique prefix (this process plays the kernel through RealZincPlane).
 */

import { expect, test } from "bun:test";
import { CorruptRegionError } from "../../clients/typescript/index.ts";
import { writeU64 } from "../_support/files.ts";
import { zincRegionsPerTest } from "../_support/zinc_regions.ts";

const regions = zincRegionsPerTest("client_seq_top_bit");
const kernel = () => regions.plane({ namespace: "pink" });
const connect = regions.client;

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return null;
}

test("waitForChange on a state sequence word of 2^63 or 2^64 - 6: CorruptRegionError naming the file and the word, never a negative sequence", async () => {
  const { prefix } = kernel();
  const client = connect(prefix);
  const path = `/dev/shm/${prefix}.state`;
  for (const word of [1n << 63n, (1n << 64n) - 6n]) {
    writeU64(path, 16, word);
    const e = await rejection(client.waitForChange(0));
    expect(e).toBeInstanceOf(CorruptRegionError);
    expect((e as Error).message).toContain(path);
    expect((e as Error).message).toContain("sequence word >= 2^63");
    expect((e as Error).message).toContain(String(word));
  }
  writeU64(path, 16, 5n);
  expect(await client.waitForChange(0)).toBe(5); // a real sequence again: answered as before
});

test("connect on a state sequence word >= 2^63: CorruptRegionError before a lane is claimed, not a negative 'last seen' sequence", () => {
  const { prefix } = kernel();
  writeU64(`/dev/shm/${prefix}.state`, 16, 1n << 63n);
  expect(() => connect(prefix)).toThrow(CorruptRegionError);
  writeU64(`/dev/shm/${prefix}.state`, 16, 0n);
  expect(connect(prefix).info.lane).toBe(0); // the refused connect holds no lane
});

test("waitForChange when libzinc answers a negative that is no ZINC_E_* code (2^63 read as signed): CorruptRegionError naming the value", async () => {
  const { prefix } = kernel();
  const client = connect(prefix);
  const lib = (client as unknown as { lib: { zinc_seq: (id: number) => number | bigint } }).lib;
  const real = lib.zinc_seq;
  lib.zinc_seq = () => -(1n << 63n);
  regions.cleanup(() => {
    lib.zinc_seq = real;
  });
  const e = await rejection(client.waitForChange(0));
  expect(e).toBeInstanceOf(CorruptRegionError);
  expect((e as Error).message).toContain("-9223372036854775808");
  expect((e as Error).message).toContain("sequence word >= 2^63 (9223372036854775808)");
});

test("an outcome wait on a lane head word >= 2^63: CorruptRegionError naming the word, not a timeout after spinning", async () => {
  const { prefix } = kernel();
  const client = connect(prefix);
  const word = 1n << 63n;
  writeU64(`/dev/shm/${prefix}.outcomes`, 128 + client.info.lane * 64, word);
  const e = await rejection(client.outcome(1n, 300));
  expect(e).toBeInstanceOf(CorruptRegionError);
  expect((e as Error).message).toContain(`/dev/shm/${prefix}.outcomes`);
  expect((e as Error).message).toContain("sequence word >= 2^63");
});

test("outcomesOf on a lane head word >= 2^63: CorruptRegionError (libzinc's poll refuses it), not a silent drain", () => {
  const { prefix } = kernel();
  const client = connect(prefix);
  writeU64(`/dev/shm/${prefix}.outcomes`, 128 + client.info.lane * 64, 1n << 63n);
  expect(() => client.outcomesOf(1n)).toThrow("sequence word >= 2^63");
  writeU64(`/dev/shm/${prefix}.outcomes`, 128 + client.info.lane * 64, 0n);
  expect(client.outcomesOf(1n)).toEqual([]); // a real head again: nothing was counted lost
});
