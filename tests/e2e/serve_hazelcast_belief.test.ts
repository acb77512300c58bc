/**
 * The last belief from Hazelcast when the Zinc state region is gone (docs/architecture.md §8), through the
 * built executable: a real Hazelcast member (tests/integration/_services.ts), bingx-sim as its own
 * process, `dist/dita-v2 serve` with DITA_V2_VENUE=BINGX, DITA_V2_HAZELCAST=REAL and Zinc REAL
 * under a unique prefix. A position is opened and a limit entry rests; once DOLPHIN_STATE_<NS>
 * shows both, serve is SIGKILLed, its /dev/shm files are deleted (a new machine), the entry fills
 * at the sim, and a fresh start reports belief_source "hazelcast", restores both slots and
 * reconciles them to the sim's truth; the trades then close and capital equals the sim's wallet.
 * With DITA_V2_RECONCILE_ON_RESTART=0 a Hazelcast belief is reconciled anyway. `readBelief` itself
 * prefers a surviving region, refuses rows of another strategy and malformed rows with one line
 * each, and answers "none" for an unreachable member within its timeouts. Last: the member is
 * killed and serve restarts with belief "none", one clear log line and no crash.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { readBelief } from "../../src/launcher/belief.ts";
import { hazelcastLib } from "../../src/projection/_libs.ts";
import { type HzClient, newHzClient } from "../../src/projection/hz_client.ts";
import { freePort, type HazelcastService, startHazelcast } from "../integration/_services.ts";
import { scratch } from "./_exe.ts";
import { eventually, type Served, startServe } from "./_serve.ts";
import { removeShm, ShmPrefixes, type SimProc, type SimStateDoc, simSize, startSim } from "./_sim.ts";

/** One strategy (namespace, so one DOLPHIN_STATE_<NS> map) per test: rows of one never meet another. */
const mapOf = (strategy: string) => `DOLPHIN_STATE_${strategy.toUpperCase()}`;
let hz: HazelcastService;
let sim: SimProc;
let client: HzClient | null = null;
const prefixes = new ShmPrefixes();
const serves: Served[] = [];

beforeAll(async () => {
  [hz, sim] = await Promise.all([startHazelcast("belief"), startSim(17)]);
  client = await newHzClient({ addr: hz.addr, cluster: hz.cluster }, false);
}, 120_000);

afterAll(async () => {
  for (const s of serves) if (s.proc.exitCode === null && !s.proc.killed) await s.kill9();
  await client?.shutdown().catch(() => {});
  await sim?.stop();
  await hz?.destroy();
  prefixes.removeAll();
  for (const s of serves) rmSync(s.stateDir, { recursive: true, force: true });
}, 60_000);

function shmFiles(prefix: string): string[] {
  return existsSync("/dev/shm")
    ? readdirSync("/dev/shm").filter((n) => n === prefix || n.startsWith(`${prefix}.`))
    : [];
}

async function serve(strategy: string, prefix: string, extra: Record<string, string> = {}): Promise<Served> {
  const s = await startServe(
    {
      ...sim.env,
      DITA_V2_ZINC: "REAL",
      DITA_V2_ZINC_PREFIX: prefix,
      DITA_V2_SLOTS: "4",
      DITA_V2_STRATEGY: strategy,
      DITA_V2_HAZELCAST: "REAL",
      DITA_V2_HAZELCAST_ADDR: hz.addr,
      DITA_V2_HAZELCAST_CLUSTER: hz.cluster,
      ...extra,
    },
    scratch("dita-hzb-"),
  );
  serves.push(s);
  return s;
}

async function row(strategy: string, slotId: number): Promise<Record<string, any> | null> {
  return (await (await client!.getMap<string, Record<string, any>>(mapOf(strategy))).get(String(slotId))) ?? null;
}

const slotOf = async (s: Served, id: number) => (await s.call(`/slots/${id}`)).body;
let trades = 0;
const enter = (s: Served, slot_id: number, asset: string, size: number, price: number | null = null) =>
  s.call("/intents", {
    body: { type: "ENTER", slot_id, trade_id: `HZ${++trades}`, asset, side: "LONG", size, price, leverage: 5 },
  });
const exit = (s: Served, slot_id: number, size: number) =>
  s.call("/intents", { body: { type: "EXIT", slot_id, size, reason: "SIGNAL" } });

function expectSlotEqualsSim(slot: { asset: string; size: number; entry_price: number }, state: SimStateDoc): void {
  const truth = simSize(state, slot.asset);
  expect(slot.size).toBeCloseTo(truth, 9);
  const pos = state.positions.find((p) => p.symbol === slot.asset && p.positionSide === "LONG");
  if (truth > 0) expect(slot.entry_price).toBeCloseTo(pos!.avgPrice, 6);
}

/** SIGKILL, then the machine loses its state region: the /dev/shm files of the prefix are deleted. */
async function killAndWipe(s: Served, prefix: string): Promise<void> {
  await s.kill9();
  expect(shmFiles(prefix).length).toBeGreaterThan(0);
  removeShm(prefix);
  expect(shmFiles(prefix)).toEqual([]);
}

/** Exits every listed slot fully, waits for CLOSED, and checks the account against the sim. */
async function closeAll(s: Served, slots: Array<[number, number]>, tradeSeq: number): Promise<void> {
  for (const [id, size] of slots) expect((await exit(s, id, size)).status).toBe(200);
  await eventually(
    "closed",
    async () => {
      for (const [id] of slots) if ((await slotOf(s, id)).stage !== "CLOSED") return false;
      return true;
    },
    15_000,
  );
  const end = await sim.state();
  expect(end.positions).toEqual([]);
  const account = (await s.call("/status")).body.account;
  expect(account.trade_seq).toBe(tradeSeq);
  expect(account.capital).toBeCloseTo(end.balance.wallet, 6);
}

describe("serve restores its last belief from Hazelcast when the state region is gone", () => {
  test("SIGKILL + wiped /dev/shm: belief_source hazelcast, slots restored and reconciled to the sim, then the trades close", async () => {
    const [ns, prefix] = ["belief", prefixes.fresh("hzb")];
    const s1 = await serve(ns, prefix);
    expect((await enter(s1, 1, "BTC-USDT", 0.02)).status).toBe(200);
    expect((await enter(s1, 2, "ETH-USDT", 0.05, 3100)).status).toBe(200);
    await eventually("BTC entry filled", async () => (await slotOf(s1, 1)).stage === "POSITION_OPEN", 10_000);
    await eventually("ETH limit resting", async () => (await slotOf(s1, 2)).entry_order?.status === "ACKED", 10_000);
    await eventually(
      `${mapOf(ns)} shows both slots`,
      async () => {
        const [r1, r2] = [await row(ns, 1), await row(ns, 2)];
        return r1?.stage === "POSITION_OPEN" && r1.size === 0.02 && r2?.entry_order?.status === "ACKED";
      },
      10_000,
    );
    await killAndWipe(s1, prefix);
    await sim.setPrice("ETH-USDT", 3000); // the resting BUY 3100 fills while serve is down
    const truth = await sim.state();
    expect(simSize(truth, "ETH-USDT")).toBeCloseTo(0.05, 9);

    const s2 = await serve(ns, prefix);
    const status = (await s2.call("/status")).body;
    expect(status.recovery).toMatchObject({ belief_source: "hazelcast", restored: [1, 2], refused: [] });
    expect(status.recovery.reconciled).toEqual([
      { slot_id: 1, from: "POSITION_OPEN", to: "POSITION_OPEN", size_before: 0.02, size_after: 0.02 },
      { slot_id: 2, from: "ENTRY_WORKING", to: "POSITION_OPEN", size_before: 0, size_after: 0.05 },
    ]);
    for (const id of [1, 2]) expectSlotEqualsSim(status.slots[id], truth);
    expect(s2.stderr()).toContain(
      `belief: state region empty; read 2 row(s) of ${mapOf(ns)} from hazelcast ${hz.addr}`,
    );
    await closeAll(
      s2,
      [
        [1, 0.02],
        [2, 0.05],
      ],
      2,
    );
    expect(await s2.stop()).toBe(0);
  }, 90_000);

  test("with DITA_V2_RECONCILE_ON_RESTART=0 a Hazelcast belief is reconciled anyway (it is older than a region)", async () => {
    const [ns, prefix] = ["belief_r0", prefixes.fresh("hzb0")];
    const s1 = await serve(ns, prefix, { DITA_V2_RECONCILE_ON_RESTART: "0" });
    expect((await enter(s1, 0, "SOL-USDT", 1, 140)).status).toBe(200);
    await eventually(
      `${mapOf(ns)} shows the resting SOL entry`,
      async () => (await row(ns, 0))?.entry_order?.status === "ACKED",
      10_000,
    );
    await killAndWipe(s1, prefix);
    await sim.setPrice("SOL-USDT", 130);
    const truth = await sim.state();

    const s2 = await serve(ns, prefix, { DITA_V2_RECONCILE_ON_RESTART: "0" });
    const status = (await s2.call("/status")).body;
    expect(status.control.reconcile_on_restart).toBe(false);
    expect(status.recovery).toMatchObject({ belief_source: "hazelcast", restored: [0], refused: [] });
    expect(status.recovery.reconciled).toEqual([
      { slot_id: 0, from: "ENTRY_WORKING", to: "POSITION_OPEN", size_before: 0, size_after: 1 },
    ]);
    expectSlotEqualsSim(status.slots[0], truth);
    expect(s2.stderr()).toContain(
      "belief from hazelcast: reconciling with the venue although DITA_V2_RECONCILE_ON_RESTART=0",
    );
    await closeAll(s2, [[0, 1]], 1);
    expect(await s2.stop()).toBe(0);
  }, 60_000);

  test("readBelief: a surviving region wins; foreign and malformed rows are refused one line each; an unreachable member is 'none'", async () => {
    const { HazelcastJsonValue } = await hazelcastLib();
    const m = await client!.getMap<string, unknown>("DOLPHIN_STATE_ROWS");
    const good = { ...(await row("belief", 1))!, slot_id: 0, strategy: "rows", epoch: 1 };
    await m.set("0", new HazelcastJsonValue(JSON.stringify({ ...good, strategy: "blue" })));
    await m.set("1", new HazelcastJsonValue(JSON.stringify({ ...good, slot_id: 1, stage: "OPENISH" })));
    await m.set("2", new HazelcastJsonValue(JSON.stringify({ ...good, slot_id: 3 })));
    await m.set("3", new HazelcastJsonValue(JSON.stringify({ ...good, slot_id: 3 })));
    const lines: string[] = [];
    const zero = [new Uint8Array(448), new Uint8Array(448), new Uint8Array(448), new Uint8Array(448)];
    const inputs = {
      zincImages: zero,
      slots: 4,
      strategy: "rows",
      hazelcast: { addr: hz.addr, cluster: hz.cluster },
      log: (l: string) => lines.push(l),
    };
    const belief = await readBelief(inputs);
    expect(belief.source).toBe("hazelcast");
    expect(belief.images.map((b) => b.some((x) => x !== 0))).toEqual([false, false, false, true]);
    expect(lines.filter((l) => l.includes("refused"))).toEqual([
      'belief: DOLPHIN_STATE_ROWS[0] refused: row of strategy "blue", this process is "rows"',
      'belief: DOLPHIN_STATE_ROWS[1] refused: slot record stage must be one of IDLE|ENTRY_WORKING|POSITION_OPEN|EXIT_WORKING|CLOSED|STALE_STATE_RECONCILING, got "OPENISH"',
      "belief: DOLPHIN_STATE_ROWS[2] refused: row names slot_id 3",
    ]);

    const survivor: Uint8Array[] = [...zero];
    survivor[2] = belief.images[3]!;
    expect(
      await readBelief({ ...inputs, zincImages: survivor, hazelcast: { addr: "127.0.0.1:1", cluster: "x" } }),
    ).toEqual({ source: "zinc", images: survivor });

    lines.length = 0;
    const addr = `127.0.0.1:${await freePort()}`;
    const t0 = performance.now();
    const none = await readBelief({ ...inputs, hazelcast: { addr, cluster: "ci" }, timeoutMs: 1_000 });
    expect(performance.now() - t0).toBeLessThan(6_000);
    expect(none.source).toBe("none");
    expect(none.images.every((b) => b.every((x) => x === 0))).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith(`belief: state region empty and hazelcast ${addr} (cluster "ci") unreachable: `);
  }, 30_000);

  test("member unreachable at restart: serve starts with belief 'none' and one clear log line, no crash", async () => {
    const [ns, prefix] = ["belief_down", prefixes.fresh("hzbdown")];
    const s1 = await serve(ns, prefix);
    expect((await enter(s1, 3, "BTC-USDT", 0.01)).status).toBe(200);
    await eventually(
      `${mapOf(ns)} shows slot 3 open`,
      async () => (await row(ns, 3))?.stage === "POSITION_OPEN",
      10_000,
    );
    await killAndWipe(s1, prefix);
    await client!.shutdown().catch(() => {});
    client = null;
    await hz.kill();

    const s2 = await serve(ns, prefix);
    const status = (await s2.call("/status")).body;
    expect(status.recovery).toMatchObject({ belief_source: "none", restored: [], reconciled: [], refused: [] });
    expect(status.slots.every((s: { stage: string }) => s.stage === "IDLE")).toBe(true);
    const belief = s2
      .stderr()
      .split("\n")
      .filter((l) => l.includes("belief:"));
    expect(belief).toHaveLength(1);
    expect(belief[0]).toContain(
      `belief: state region empty and hazelcast ${hz.addr} (cluster "belief") unreachable at start: `,
    );
    expect(belief[0]).toContain("starting with no belief (venue positions are not adopted)");
    expect((await s2.call("/health")).status).toBe(200);
    expect(await s2.stop()).toBe(0);
  }, 60_000);
});
