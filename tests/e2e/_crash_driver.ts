/**
 * The crash-point story shared by the crash e2e files: "it never loses a fill or a row", through the
 * built executable. One bingx-sim process; `dist/dita-v2 serve` (DITA_V2_VENUE=BINGX, real Zinc,
 * ClickHouse REAL in its own database, DEBUG so every transition is a row, one state dir for every
 * start, DITA_V2_RECONCILE_ON_RESTART=1, live reconciliation every second (its minimum)). A seeded PRNG (printed
 * first as `CRASH_SEED=N`; the env variable CRASH_SEED replays one) drives the rounds: a driver
 * sends ENTERs (market and limit, LONG and SHORT, 2 assets), EXITs (market and limit, whole and
 * partial) and CANCELs on 4 slots while the sim's price moves (`/_sim/price`) so limits fill; at an
 * instant drawn uniformly over the round, serve is SIGKILLed (the price may move while it is down)
 * and started again on the same state dir, and the driver goes on against the new process.
 * `VenueWeather` (optional) sets the sim's fault knobs from the same PRNG: per round (e.g. latency of
 * every answer, PENDING holds) and per driver step (e.g. the next placement's answer dropped); the
 * weather stays as it is through the settle, so recovery and the flatten meet it too.
 * Just before each kill the story reads serve's `/status` `venue.inflight` (the executor's venue calls
 * out), logged in the story and kept in `CrashStory.inflightAtKills`.
 * Afterwards the intents stop, working orders are cancelled, and, at quiescence:
 *  1. every (asset, side)'s slot positions add up to the sim's position; no slot is left
 *     STALE_STATE_RECONCILING; after POST /flatten every slot is flat, and so is the sim;
 *  2. the kernel's capital equals the sim's wallet within 1e-6 (docs/architecture.md §3: capital is
 *     seeded from the wallet at each start, plus what still-open trades booked, then moved only by
 *     settlements; flat, that is the wallet);
 *  3. in the raw ClickHouse tables (no FINAL): no row id twice; the trades the kernel CLOSED (their
 *     transitions to CLOSED) are the trades with a CLOSE row, each with exactly one CLOSE and one OPEN
 *     row; every trade whose entry filled at the sim has its OPEN row with the sim's entry quantity,
 *     and a closed trade's exit rows (PARTIAL_EXIT, CLOSE) add up to the sim's fills of its exit orders;
 *  4. `dita-v2 replay` of the journal directory reproduces the live state hash, and rebuilding the
 *     journal's rows into the same database (`--project`) inserts none (no row was lost).
 * Logs of every start and the story are kept in the scratch dir printed with the seed; after a failure
 * also the state dir (journal, spools) and the live tables' rows (`<table>.jsonl`).
 *
 * Entry point: `describeCrashStory(options)` (one describe with the two tests above).
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import { type ClickHouseService, startClickHouse } from "../integration/_services.ts";
import { run, scratch } from "./_exe.ts";
import { eventually, type Served, startServe } from "./_serve.ts";
import { ShmPrefixes, type SimProc, type SimStateDoc, simSize, startSim } from "./_sim.ts";

const STEP_MS = 150;
const SLOTS = 4;
const ASSETS = {
  "BTC-USDT": { sizes: [0.001, 0.002, 0.003], step: 0.0001, tick: 0.1 },
  "ETH-USDT": { sizes: [0.02, 0.05, 0.1], step: 0.01, tick: 0.01 },
} as const;
type Asset = keyof typeof ASSETS;
type Side = "LONG" | "SHORT";
type Slot = { slot_id: number; stage: string; trade_id: string; asset: string; side: Side; size: number };
type Rand = () => number;
type FaultPatch = Record<string, unknown>;

/** The sim's fault knobs over the story, drawn from its PRNG (so one seed draws the same weather). */
export interface VenueWeather {
  /** The knobs for one round (and the settle after the last one). */
  round(rand: Rand): FaultPatch;
  /** Before one driver step: a patch, or null to leave the knobs alone. */
  step(rand: Rand): FaultPatch | null;
}

export interface CrashStoryOptions {
  /** What the describe says the story is; the seed is appended. */
  title: string;
  /** Names the ClickHouse database (`e2e_<tag>_<seed>`) and the scratch dirs. */
  tag: string;
  seed: number;
  rounds: number;
  roundMs: number;
  weather?: VenueWeather;
  /** Extra checks on the story once it settled (e.g. how many kills found calls in flight). */
  afterStory?(story: CrashStory): void;
}

export interface CrashStory {
  /** `venue.inflight` read just before each kill (-1: the read failed). */
  inflightAtKills: number[];
  lines: string[];
}

/** mulberry32: a small seeded PRNG, so one seed draws the same story (timing aside). */
export function prng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const onGrid = (x: number, step: number) => Number((Math.round(x / step) * step).toFixed(8));
const working = (x: Slot) => x.stage === "ENTRY_WORKING" || x.stage === "EXIT_WORKING";
const openAt = (st: SimStateDoc) => st.orders.filter((o) => ["NEW", "PARTIALLY_FILLED", "PENDING"].includes(o.status));

/** Per (asset, side): what the slots hold against the sim's position. */
function positionsBySide(slots: Slot[], st: SimStateDoc) {
  const out: Record<string, { kernel: number; sim: number }> = {};
  for (const asset of Object.keys(ASSETS))
    for (const side of ["LONG", "SHORT"] as const) {
      const held = slots.filter((x) => x.asset === asset && x.side === side && x.stage !== "CLOSED");
      const kernel = onGrid(
        held.reduce((t, x) => t + x.size, 0),
        1e-8,
      );
      out[`${asset}/${side}`] = { kernel, sim: onGrid(simSize(st, asset, side), 1e-8) };
    }
  return out;
}

export function describeCrashStory(o: CrashStoryOptions): void {
  const { seed: SEED, rounds: ROUNDS, roundMs: ROUND_MS } = o;
  const DB = `e2e_${o.tag}_${SEED}`;
  console.log(`CRASH_SEED=${SEED}`);
  const rand = prng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const logDir = scratch(`dita-${o.tag}-${SEED}-`);
  console.log(`crash logs: ${logDir}`);

  let ch: ClickHouseService;
  let q: ClickHouseClient;
  let sim: SimProc;
  const prefixes = new ShmPrefixes();
  const prefix = prefixes.fresh(o.tag);
  const stateDir = scratch(`dita-${o.tag}-state-`);
  const served: Served[] = [];
  const marks = new Map<Asset, number>();
  const entered: string[] = [];
  const story: CrashStory = { inflightAtKills: [], lines: [] };
  const say = (line: string) => story.lines.push(line);
  let passed = false; // both tests passed: the evidence (state dir, live rows) need not be kept

  /** After a failure: the state dir (journal, spools, marks) and the live tables' rows into the log dir. */
  async function keepEvidence(): Promise<void> {
    try {
      cpSync(stateDir, join(logDir, "state"), { recursive: true });
      for (const table of ["dita_v2_transitions", "dita_v2_diagnostics", "trade_events"])
        writeFileSync(
          join(logDir, `${table}.jsonl`),
          (await rows<Record<string, unknown>>(`SELECT * FROM ${DB}.${table}`))
            .map((r) => JSON.stringify(r))
            .join("\n"),
        );
    } catch (e) {
      console.log(`evidence not all kept: ${(e as Error).message}`);
    }
  }

  beforeAll(async () => {
    [ch, sim] = await Promise.all([startClickHouse(), startSim(SEED)]);
    q = createClient({ url: ch.url, request_timeout: 10_000, log: { level: ClickHouseLogLevel.OFF } });
    const prices = (await sim.state()) as unknown as { prices: Record<string, number> };
    for (const a of Object.keys(ASSETS) as Asset[]) marks.set(a, prices.prices[a]!);
  }, 120_000);

  afterAll(async () => {
    for (const [i, s] of served.entries()) writeFileSync(join(logDir, `serve-${i}.log`), s.stderr());
    writeFileSync(join(logDir, "story.txt"), story.lines.join("\n"));
    for (const s of served) if (s.proc.exitCode === null) await s.kill9();
    if (!passed) await keepEvidence();
    await q?.close();
    await ch?.destroy();
    await sim?.stop();
    prefixes.removeAll();
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  const env = (db = DB) => ({
    ...sim.env,
    DITA_V2_SLOTS: String(SLOTS),
    DITA_V2_STRATEGY: "crash",
    DITA_V2_MODE: "DEBUG",
    DITA_V2_ZINC: "REAL",
    DITA_V2_ZINC_PREFIX: prefix,
    DITA_V2_CLICKHOUSE: "REAL",
    DITA_V2_CLICKHOUSE_URL: ch.url,
    DITA_V2_CLICKHOUSE_DATABASE: db,
    DITA_V2_RECONCILE_ON_RESTART: "1",
    DITA_V2_RECONCILE_INTERVAL_MS: "1000",
  });

  async function start(): Promise<Served> {
    const s = await startServe(env(), stateDir, 30_000);
    served.push(s);
    return s;
  }

  async function rows<T>(query: string): Promise<T[]> {
    return (await q.query({ query, format: "JSONEachRow" })).json<T>();
  }

  async function setFaults(patch: FaultPatch | null): Promise<void> {
    if (patch === null) return;
    say(`faults ${JSON.stringify(patch)}`);
    await sim.faults(patch);
  }

  /** Moves one asset's price by up to ±0.25%, on its tick. */
  async function movePrice(): Promise<void> {
    const asset = pick(Object.keys(ASSETS) as Asset[]);
    const next = onGrid(marks.get(asset)! * (1 + (rand() * 2 - 1) * 0.0025), ASSETS[asset].tick);
    marks.set(asset, next);
    say(`price ${asset} ${next}`);
    await sim.setPrice(asset, next);
  }

  /** A limit price `away` from the mark: below it for a buy, above it for a sell. */
  function limit(asset: Asset, buy: boolean): number | null {
    if (rand() < 0.5) return null;
    const away = 0.0005 + rand() * 0.0025;
    return onGrid(marks.get(asset)! * (buy ? 1 - away : 1 + away), ASSETS[asset].tick);
  }

  /** One intent for a drawn slot, chosen by its stage (an invalid one is simply refused). */
  function intentFor(slot: Slot): Record<string, unknown> | null {
    const id = slot.slot_id;
    if (slot.stage === "IDLE" || slot.stage === "CLOSED") {
      const asset = pick(Object.keys(ASSETS) as Asset[]);
      const side = pick(["LONG", "SHORT"] as const);
      const trade_id = `c${SEED}t${entered.length}`;
      entered.push(trade_id);
      const [size, price] = [pick(ASSETS[asset].sizes), limit(asset, side === "LONG")];
      return { type: "ENTER", slot_id: id, trade_id, asset, side, size, price, leverage: 5 };
    }
    if (slot.stage === "POSITION_OPEN") {
      const rule = ASSETS[slot.asset as Asset];
      const half = onGrid(Math.floor(slot.size / 2 / rule.step) * rule.step, rule.step);
      const size = rand() < 0.5 && half >= rule.sizes[0]! / 2 ? half : slot.size;
      const price = limit(slot.asset as Asset, slot.side === "SHORT");
      return { type: "EXIT", slot_id: id, size, price, reason: "SIGNAL" };
    }
    if ((slot.stage === "ENTRY_WORKING" || slot.stage === "EXIT_WORKING") && rand() < 0.35)
      return { type: "CANCEL", slot_id: id };
    return null;
  }

  /** Drives `s` until `untilMs` (sim-independent wall time); a call cut by the kill is simply lost. */
  async function drive(s: Served, untilMs: number): Promise<void> {
    while (performance.now() < untilMs && s.proc.exitCode === null) {
      try {
        if (o.weather) await setFaults(o.weather.step(rand));
        if (rand() < 0.35) await movePrice();
        const slots = (await s.call("/slots")).body as Slot[];
        const body = intentFor(pick(slots));
        if (body) {
          const r = await s.call("/intents", { body });
          say(`${JSON.stringify(body)} -> ${r.status}`);
        }
      } catch (e) {
        say(`call cut: ${(e as Error).message.split("\n")[0]}`);
      }
      await Bun.sleep(STEP_MS * (0.5 + rand()));
    }
  }

  /** Reads how many venue calls serve has out, then SIGKILLs it. */
  async function killCounting(s: Served, r: number): Promise<void> {
    let inflight = -1;
    try {
      inflight = Number((await s.call("/status")).body.venue.inflight);
    } catch {
      // serve busy or gone: the kill goes on, the count is unknown
    }
    await s.kill9();
    story.inflightAtKills.push(inflight);
    say(`round ${r}: killed with ${inflight} venue calls in flight`);
  }

  /** Rounds of trading, each ended by a SIGKILL and a start; then the last start trades on uninterrupted. */
  async function crashRounds(): Promise<Served> {
    let s = await start();
    for (let r = 0; r < ROUNDS; r++) {
      if (o.weather) await setFaults(o.weather.round(rand));
      const killAtMs = rand() * ROUND_MS;
      say(`round ${r}: kill at ${killAtMs.toFixed(0)} ms`);
      const t0 = performance.now();
      const kill = Bun.sleep(killAtMs).then(() => killCounting(s, r));
      await drive(s, t0 + killAtMs);
      await kill;
      if (rand() < 0.5) await movePrice(); // a limit may fill while serve is down
      s = await start();
      say(`round ${r}: restarted: ${JSON.stringify((await s.call("/status")).body.recovery)}`);
    }
    await drive(s, performance.now() + ROUND_MS);
    return s;
  }

  /** Checks 1 and 2 (see the header); stops serve; returns the live state hash. */
  async function settleAndFlatten(s: Served): Promise<string> {
    await eventually(
      "no working order, no stale slot, nothing open at the sim but what the slots hold",
      async () => {
        const slots = (await s.call("/slots")).body as Slot[];
        for (const x of slots.filter(working))
          await s.call("/intents", { body: { type: "CANCEL", slot_id: x.slot_id } });
        const busy = slots.some((x) => working(x) || x.stage === "STALE_STATE_RECONCILING");
        return !busy && openAt(await sim.state()).length === 0;
      },
      30_000,
    );
    await Bun.sleep(2_500); // a few live-reconciliation passes over the quiet book
    const slots = (await s.call("/slots")).body as Slot[];
    const bySide = positionsBySide(slots, await sim.state());
    for (const [key, v] of Object.entries(bySide)) expect({ key, held: v.kernel }).toEqual({ key, held: v.sim });
    expect(slots.filter((x) => x.stage === "STALE_STATE_RECONCILING")).toEqual([]);

    const flat = await s.call("/flatten", { body: {} });
    expect(flat.status).toBe(200);
    await eventually(
      "flat at the kernel and at the sim",
      async () => {
        const st = await sim.state();
        const ss = (await s.call("/slots")).body as Slot[];
        return st.positions.length === 0 && openAt(st).length === 0 && ss.every((x) => x.size === 0 && !working(x));
      },
      30_000,
    );
    await eventually(
      "projection drained",
      async () => (await s.call("/status")).body.projection.backlog_records === 0,
      20_000,
    );
    const status = (await s.call("/status")).body;
    const wallet = (await sim.state()).balance.wallet;
    expect(Math.abs(status.account.capital - wallet)).toBeLessThan(1e-6);
    expect(await s.stop()).toBe(0);
    return status.state_hash;
  }

  /** Check 3 (see the header), on the raw tables. */
  async function checkRows(): Promise<void> {
    for (const table of ["dita_v2_transitions", "dita_v2_diagnostics", "trade_events"]) {
      const twice = await rows<{ row_id: string; n: string }>(
        `SELECT row_id, count() AS n FROM ${DB}.${table} GROUP BY row_id HAVING n > 1 LIMIT 5`,
      );
      expect({ table, twice }).toEqual({ table, twice: [] });
    }
    const closedByKernel = (
      await rows<{ trade_id: string }>(
        `SELECT DISTINCT trade_id FROM ${DB}.dita_v2_transitions WHERE to_stage = 'CLOSED' ORDER BY trade_id`,
      )
    ).map((x) => x.trade_id);
    const events = await rows<{ trade_id: string; event_type: string; fill_size: number }>(
      `SELECT trade_id, event_type, fill_size FROM ${DB}.trade_events ORDER BY trade_id, seq`,
    );
    const withClose = [...new Set(events.filter((e) => e.event_type === "CLOSE").map((e) => e.trade_id))].sort();
    expect(withClose).toEqual(closedByKernel);
    const fills = (await sim.state()) as unknown as { fills: Array<{ clientOrderId: string; qty: number }> };
    const filled = (cid: (c: string) => boolean) =>
      onGrid(
        fills.fills.filter((f) => cid(f.clientOrderId.toLowerCase())).reduce((t, f) => t + f.qty, 0),
        1e-8,
      );
    const problems: string[] = [];
    for (const trade of entered) {
      const mine = events.filter((e) => e.trade_id === trade);
      const count = (t: string) => mine.filter((e) => e.event_type === t).length;
      const entryFilled = filled((c) => c === `${trade.toLowerCase()}-e`);
      const exitFilled = filled((c) => c.startsWith(`${trade.toLowerCase()}-x`));
      const open = mine.find((e) => e.event_type === "OPEN");
      const exitRows = onGrid(
        mine.filter((e) => e.event_type !== "OPEN").reduce((t, e) => t + e.fill_size, 0),
        1e-8,
      );
      const closed = closedByKernel.includes(trade);
      if (closed && (count("CLOSE") !== 1 || count("OPEN") !== 1))
        problems.push(`${trade}: closed with ${count("OPEN")} OPEN and ${count("CLOSE")} CLOSE rows`);
      if (entryFilled > 0 && open === undefined) problems.push(`${trade}: entry filled ${entryFilled}, no OPEN row`);
      if (open !== undefined && onGrid(open.fill_size, 1e-8) !== entryFilled)
        problems.push(`${trade}: OPEN fill ${open.fill_size}, the sim filled its entry ${entryFilled}`);
      if (closed && exitRows !== exitFilled)
        problems.push(`${trade}: exit rows add up to ${exitRows}, the sim filled its exits ${exitFilled}`);
    }
    expect(problems).toEqual([]);
  }

  describe(`${o.title} (CRASH_SEED=${SEED})`, () => {
    let hash = "";

    test("after the crashes, slots equal the sim, capital equals the wallet, and every fill has its rows once", async () => {
      const s = await crashRounds();
      hash = await settleAndFlatten(s);
      await checkRows();
      o.afterStory?.(story);
    }, 240_000);

    test("the journal replays to the live state hash, and rebuilds no row the tables lack", async () => {
      expect(hash).not.toBe("");
      const dir = join(stateDir, "journal");
      const replayed = run(["replay", dir]);
      expect(replayed.code).toBe(0);
      expect(replayed.stdout.trim()).toBe(hash);
      // Every row the journal projects is in the live tables: rebuilt into an empty database, none
      // is missing from the live one (which holds more: refusals and the launcher's own diagnostics).
      const fresh = `${DB}_rebuilt`;
      const into = run(["replay", dir, "--project"], env(fresh));
      expect(into.code).toBe(0);
      for (const table of ["dita_v2_transitions", "dita_v2_diagnostics", "trade_events"]) {
        const missing = await rows<{ row_id: string }>(
          `SELECT row_id FROM ${fresh}.${table} WHERE row_id NOT IN (SELECT row_id FROM ${DB}.${table}) ORDER BY row_id LIMIT 10`,
        );
        expect({ table, missing }).toEqual({ table, missing: [] });
      }
      const again = run(["replay", dir, "--project"], env());
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ rows_inserted: 0 });
      passed = true;
    }, 120_000);
  });
}
