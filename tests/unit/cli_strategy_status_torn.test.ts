/**
 * `dita-v2 strategy-status` on regions a dead (or hostile) writer left behind. It exists for the
 * moments everything else is down: a kernel killed while it mirrored its state leaves a seqlock
 * odd (libzinc answers TORN for that image), and a stray write can leave a slot image that fails
 * validation. One such image must be shown as unreadable, with everything else and the documented
 * exit code (1: no live kernel holds the regions), never turn the whole command into exit 2 with
 * a single line. And `--strategy NS` must not report another namespace's regions as NS's (exit 0)
 * because DITA_V2_ZINC_PREFIX in the environment names them: a namespace mismatch is exit 2. With
 * `--prefix`, DITA_V2_STRATEGY is not used, so a bad one must not refuse the command.
 * Real regions in /dev/shm under a unique prefix, removed after each test.
 */

import { describe, expect, test } from "bun:test";
import { strategyStatus, strategyStatusCommand } from "../../src/cli/strategy_status.ts";
import { runCli } from "../_support/cli.ts";
import { pokeFile, STATE_AT, u32le, u64le, zincRegionsPerTest } from "../_support/zinc_regions.ts";

const zinc = zincRegionsPerTest("status_torn");
const { libPath } = zinc;
const regions = (namespace = "pink") => zinc.plane({ slotCount: 3, namespace });

/** A pid no process has (kill answers ESRCH) as the state region's writer: the kernel is dead. */
function killWriter(prefix: string): void {
  pokeFile(`/dev/shm/${prefix}.state`, STATE_AT.writerPid, u32le(0x7ffffffe));
}
/** strategy-status in this process with `env` set for the run: its exit code, and what it printed then the error it threw. */
async function cli(rawArgs: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const r = await runCli(strategyStatusCommand, rawArgs, env);
  return { code: r.code, out: `${r.stdout}${r.message}` };
}

describe("strategy-status on regions a dead or hostile writer left", () => {
  test("a slot torn by a kernel that died mid-write is shown unreadable beside the rest; exit 1 (dead kernel), not 2", async () => {
    const { prefix } = regions();
    killWriter(prefix);
    pokeFile(`/dev/shm/${prefix}.state`, STATE_AT.slotLock(1), u64le(7n)); // odd: the writer died inside the copy

    const doc = strategyStatus(libPath, prefix, 10);
    expect(doc.kernel.alive).toBe(false);
    expect(doc.slots).toHaveLength(3);
    expect(doc.slots[0]).toMatchObject({ slot_id: 0, stage: "IDLE" });
    expect(doc.slots[1]).toMatchObject({ slot_id: 1, unreadable: expect.stringContaining("TORN") });
    expect(doc.slots[2]).toMatchObject({ slot_id: 2, stage: "IDLE" });

    const r = await cli(["--prefix", prefix, "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).slots[1].unreadable).toContain("do not trust it");
    const text = await cli(["--prefix", prefix]);
    expect(text.code).toBe(1);
    expect(text.out).toContain("NOT RUNNING");
    expect(text.out).toMatch(/1\s+UNREADABLE: .*TORN/);
  });

  test("an account torn by a kernel that died mid-mirror is shown unreadable; the slots are still shown; exit 1", async () => {
    const { prefix } = regions();
    killWriter(prefix);
    pokeFile(`/dev/shm/${prefix}.state`, STATE_AT.accountLock, u64le(9n));

    const doc = strategyStatus(libPath, prefix, 10);
    expect(doc.account).toMatchObject({ unreadable: expect.stringContaining("TORN") });
    expect(doc.slots).toHaveLength(3);

    const r = await cli(["--prefix", prefix, "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).account.unreadable).toContain("do not trust it");
    const text = await cli(["--prefix", prefix]);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/account\s+UNREADABLE: .*TORN/);
  });

  test("an account of hostile bytes is shown unreadable, never as amounts (an audit: equity -2.4e173, exit 0)", async () => {
    const { prefix } = regions();
    const garbage = new Uint8Array(96);
    const dv = new DataView(garbage.buffer);
    dv.setFloat64(56, Number.NaN, true); // equity
    garbage[80] = 7; // seeded is 0 or 1
    pokeFile(`/dev/shm/${prefix}.state`, STATE_AT.accountImage, garbage);

    const doc = strategyStatus(libPath, prefix, 10);
    expect(doc.account).toMatchObject({ unreadable: expect.stringContaining("fails validation (equity NaN)") });
    pokeFile(`/dev/shm/${prefix}.state`, STATE_AT.accountImage + 56, new Uint8Array(8)); // equity 0: the flag is left
    expect(strategyStatus(libPath, prefix, 10).account).toMatchObject({
      unreadable: expect.stringContaining("seeded byte 7"),
    });
    garbage[80] = 1;
    dv.setFloat64(56, -2.4e173, true); // finite, and no account's: what the audit saw printed
    pokeFile(`/dev/shm/${prefix}.state`, STATE_AT.accountImage, garbage);
    expect(strategyStatus(libPath, prefix, 10).account).toMatchObject({
      unreadable: expect.stringContaining("(equity -2.4e+173)"),
    });
    const text = await cli(["--prefix", prefix]);
    expect(text.out).toMatch(/account\s+UNREADABLE: the account image fails validation/);
  });

  test("a slot image that fails validation (slot_id of another slot) is shown unreadable; a live kernel still exits 0", async () => {
    const { prefix } = regions();
    const image = new Uint8Array(8);
    new DataView(image.buffer).setUint32(0, 7, true); // slot_id 7 in slot 2's entry
    image[4] = 1; // a valid stage
    pokeFile(`/dev/shm/${prefix}.state`, STATE_AT.slotImage(2), image);

    const doc = strategyStatus(libPath, prefix, 10);
    expect(doc.kernel.alive).toBe(true);
    expect(doc.slots[2]).toMatchObject({ slot_id: 2, unreadable: expect.stringContaining("slot_id 7") });

    const r = await cli(["--prefix", prefix, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).slots[0]).toMatchObject({ slot_id: 0, stage: "IDLE" });
  });
});

describe("strategy-status --strategy and the namespace the regions belong to", () => {
  test("--strategy blue while DITA_V2_ZINC_PREFIX names pink's regions: exit 2 naming both, not pink's status as blue's", async () => {
    const { prefix } = regions("pink");
    const r = await cli(["--strategy", "blue", "--json"], { DITA_V2_ZINC_PREFIX: prefix });
    expect(r.code).toBe(2);
    expect(r.out).toContain(`namespace 'pink'`);
    expect(r.out).toContain(`'blue'`);
    const env = await cli(["--json"], { DITA_V2_ZINC_PREFIX: prefix, DITA_V2_STRATEGY: "blue" });
    expect(env.code).toBe(2);
  });

  test("the same regions read as the namespace they belong to, or by --prefix alone, exit 0", async () => {
    const { prefix } = regions("pink");
    expect((await cli(["--strategy", "pink", "--json"], { DITA_V2_ZINC_PREFIX: prefix })).code).toBe(0);
    expect((await cli(["--prefix", prefix, "--json"], { DITA_V2_STRATEGY: "blue" })).code).toBe(0);
  });

  test("--prefix reads its regions whatever DITA_V2_STRATEGY holds (unused then): not refused as a bad --strategy", async () => {
    const { prefix } = regions("pink");
    const r = await cli(["--prefix", prefix, "--json"], { DITA_V2_STRATEGY: "Not-A-Namespace" });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).namespace).toBe("pink");
    const bad = await cli(["--json"], { DITA_V2_STRATEGY: "Not-A-Namespace" });
    expect([bad.code, bad.out]).toEqual([
      2,
      "DITA_V2_STRATEGY must match ^[a-z][a-z0-9_]{0,31}$, got 'Not-A-Namespace'",
    ]);
  });
});
