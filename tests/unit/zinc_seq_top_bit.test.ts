/**
 * A sequence word with bit 63 set (a stray or hostile write into /dev/shm; a real sequence needs
 * 292 years at 1e9 publishes a second to get there). libzinc returns sequences and lane heads as
 * int64, so such a word read as a negative number: 2^64 - 6 as ZINC_E_CORRUPT by accident, 2^63 as
 * an unknown code, and the lane head calls masked bit 63 off and passed the rest for a real head.
 * Every such call must answer ZINC_E_CORRUPT, zinc_check must name the file and the word
 * (ffi/README.md §9), and src/zinc must never take a negative answer for a sequence: CORRUPT naming
 * the word, also for a negative that is no ZINC_E_* code. The C cases compile the harness
 * ffi/tests/seq_top_bit.c (one process per case); the rest use real regions under a unique prefix.
 */

import { describe, expect, test } from "bun:test";
import { ZincError, ZincRegion } from "../../src/zinc/index.ts";
import { buildHarness, runHarnessCase } from "../_support/c_harness.ts";
import { writeU64 } from "../_support/files.ts";
import { zincRegionsPerTest } from "../_support/zinc_regions.ts";

const harness = buildHarness("seq_top_bit");
const runCase = (name: string) => runHarnessCase([harness, name, `dita_test_seq_top_bit_${name}_${process.pid}`]);

describe("libzinc (C)", () => {
  test("a region sequence word >= 2^63 (2^63, 2^64 - 6, 2^64 - 1): zinc_seq, zinc_wait and zinc_spin_wait answer CORRUPT, zinc_check names the word", () => {
    const r = runCase("region_seq");
    expect(r.out).not.toContain("FAIL");
    expect(r.code).toBe(0);
  });

  test("an outcome lane head >= 2^63: zinc_outcome_head and zinc_outcome_wait answer CORRUPT, not the head with bit 63 masked off", () => {
    const r = runCase("lane_head");
    expect(r.out).not.toContain("FAIL");
    expect(r.code).toBe(0);
  });
});

const regions = zincRegionsPerTest("seq_top_bit_ts");
const { libPath } = regions;
const plane = () => regions.plane();

function thrown(f: () => unknown): ZincError {
  try {
    f();
  } catch (e) {
    if (e instanceof ZincError) return e;
    throw e;
  }
  throw new Error("no error thrown");
}

describe("src/zinc", () => {
  test("ZincRegion.seq() on a sequence word of 2^63 or 2^64 - 6: CORRUPT naming the file and the word", () => {
    const { prefix } = plane();
    const path = `/dev/shm/${prefix}.state`;
    const r = ZincRegion.open({ libPath, prefix, kind: "state", recordCount: 0, writer: false });
    regions.cleanup(() => r.close());
    for (const word of [1n << 63n, (1n << 64n) - 6n]) {
      writeU64(path, 16, word);
      const e = thrown(() => r.seq());
      expect(e.code).toBe("CORRUPT");
      expect(e.message).toContain(path);
      expect(e.message).toContain("sequence word >= 2^63");
      expect(e.message).toContain(String(word));
    }
    writeU64(path, 16, 7n);
    expect(r.seq()).toBe(7);
  });

  test("ZincRegion.seq() when libzinc answers a negative that is no ZINC_E_* code (2^63 read as signed): CORRUPT naming the value, not ARG", () => {
    const { prefix } = plane();
    const r = ZincRegion.open({ libPath, prefix, kind: "state", recordCount: 0, writer: false });
    regions.cleanup(() => r.close());
    const lib = r.lib as { zinc_seq: (id: number) => number | bigint };
    const real = lib.zinc_seq;
    lib.zinc_seq = () => -(1n << 63n);
    regions.cleanup(() => {
      lib.zinc_seq = real;
    });
    const e = thrown(() => r.seq());
    expect(e.code).toBe("CORRUPT");
    expect(e.message).toContain("-9223372036854775808");
    expect(e.message).toContain(`/dev/shm/${prefix}.state`);
  });

  test("an outcome lane's head() on a head word >= 2^63: CORRUPT naming the word, not a ring-cell message", () => {
    const { prefix, plane: p } = plane();
    const lane = p.claimOutcomeLane();
    regions.cleanup(() => lane.release());
    const word = (1n << 64n) - 6n;
    writeU64(`/dev/shm/${prefix}.outcomes`, 128 + lane.lane * 64, word);
    const e = thrown(() => lane.head());
    expect(e.code).toBe("CORRUPT");
    expect(e.message).toContain("sequence word >= 2^63");
    expect(e.message).toContain(String(word));
    expect(e.message).not.toContain("ring cell");
  });

  test("the kernel's region check names a sequence word >= 2^63 (its waits see no change meanwhile)", async () => {
    const { prefix, plane: p } = plane();
    writeU64(`/dev/shm/${prefix}.intents`, 16, 1n << 63n);
    expect(await p.waitIntents(0, 0)).toBe(0);
    expect(p.checkRegions()).toContain("sequence word >= 2^63");
  });
});
