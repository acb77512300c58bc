/**
 * The two strategy clients agree: the same decision against the same slots and account plans the
 * same intents (sizes to the unit) or the same refusal code in the TypeScript seam
 * (clients/typescript/seam_plan.ts) and the Python seam (clients/python/dita_v2_client/seam.py),
 * `floorToStep` / `floor_to_step` floor the same number to the same size, and the same intent is
 * encoded into the same 320 bytes, or refused for the same field (sizes up to the kernel's 10^9
 * units, QTY_MAX_E8). Each case is run through both here: the Python side in one `python3`
 * process over the source tree.
 */

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import {
  type Decision,
  type DitaClient,
  encodeIntent,
  floorToStep,
  type Intent,
  InvalidIntentError,
  OutcomeTimeoutError,
  openLong,
  planDecision,
  Seam,
  type Slot,
} from "../../clients/typescript/index.ts";
import { blankSlot, seededAccount } from "../_support/client_fakes.ts";

const PKG = join(import.meta.dir, "../../clients/python");

interface SlotSpec {
  stage: Slot["stage"];
  asset?: string;
  size?: number;
  /** The exact units held (a decimal string of 1e-8 units), as the kernel's slot image carries them. */
  sizeE8?: string;
}
interface Case {
  name: string;
  decision: Decision;
  slots: SlotSpec[];
  equity?: number;
  steps?: Record<string, number>;
}
/** What a plan comes to: its intents (the fields both clients carry, a size as the exact 1e-8 units
 * it encodes to, or "refused") or its refusal code. */
type Planned = { intents: Array<Record<string, unknown>>; refusal: string | null };

const PY = `
import json, math, sys
from dataclasses import replace
from dita_v2_client import Account, Slot, plan_decision, floor_to_step, Enter, Exit, InvalidIntent
from decimal import Decimal
from dita_v2_client.intents import encode_intent, _qty
from dita_v2_client.seam import Open, ScaleOut, TakeProfit, StopLoss, CancelOrder, CloseAll

def num(v):
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(v, v) if isinstance(v, str) else v

BLANK = Slot(0, "IDLE", "", "", None, 0.0, 0.0, 0, False, 0, 0.0, 0.0, 0.0, 0.0, None, None, None, None, 0, 0)

def decision(d):
    a = {k: num(v) for k, v in d.items()}
    kind = a.pop("kind")
    if kind == "OPEN":
        return Open(a["side"], a["asset"], a["leverage"], a.get("size"), a.get("capitalFraction"),
                    a.get("referencePrice"), a.get("limitPrice"), a.get("slotId"), a.get("tradeId") or "t1")
    if kind == "SCALE_OUT":
        return ScaleOut(a["slotId"], a.get("fraction"), a.get("size"), a.get("limitPrice"))
    if kind == "TAKE_PROFIT":
        return TakeProfit(a["slotId"], a.get("size"), a.get("limitPrice"))
    if kind == "STOP_LOSS":
        return StopLoss(a["slotId"], a.get("size"))
    if kind == "CANCEL":
        return CancelOrder(a["slotId"])
    return CloseAll(a.get("reason", "SIGNAL"))

def intent(i):
    out = {"type": i.type, "slotId": i.slot_id}
    if hasattr(i, "size"):
        try:
            out["units"] = str(_qty(i.size))
        except InvalidIntent:
            out["units"] = "refused"
    for key, name in (("price", "price"), ("reason", "reason"), ("leverage", "leverage"),
                      ("side", "side"), ("asset", "asset")):
        if hasattr(i, key):
            out[name] = getattr(i, key)
    return out

answers = []
for c in json.load(sys.stdin):
    if "encode" in c:
        e = c["encode"]
        i = (Enter(e["slotId"], e["tradeId"], e["asset"], e["side"], num(e["size"]), e["leverage"], e.get("price"))
             if e["type"] == "ENTER" else Exit(e["slotId"], num(e["size"]), e["reason"], e.get("price")))
        out = bytearray(320)
        try:
            encode_intent(i, 1700000000000, 0x0001000200000003, out)
            answers.append(out.hex())
        except InvalidIntent as x:
            answers.append("refused " + x.field)
        continue
    if "floor" in c:
        size, step = (num(v) for v in c["floor"])
        try:
            answers.append(floor_to_step(size, step))
        except ValueError:
            answers.append("ValueError")
        continue
    slots = [replace(BLANK, slot_id=i, stage=s["stage"], trade_id="T" if s.get("size") else "",
                     asset=s.get("asset", ""), size=num(s.get("size", 0.0)), is_open=bool(s.get("size")),
                     size_e8=int(s["sizeE8"]) if "sizeE8" in s else None)
             for i, s in enumerate(c["slots"])]
    eq = num(c.get("equity", 10000.0))
    p = plan_decision(decision(c["decision"]), slots, Account(eq, eq, 0.0, 0.0, 0.0, 0.0, 0.0, eq, 0, 1, True),
                      {k: num(v) for k, v in c.get("steps", {}).items()}, lambda: "t1")
    answers.append({"intents": [intent(i) for i in p.intents], "refusal": p.refusal.code if p.refusal else None})
def clean(v):
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, list):
        return [clean(x) for x in v]
    return {k: clean(x) for k, x in v.items()} if isinstance(v, dict) else v
print(json.dumps(clean(answers)))
`;

/** JSON with NaN and the infinities as strings (Python's are spelled "nan", "inf", "-inf"). */
const toJson = (v: unknown) =>
  JSON.stringify(v, (_k, x) => (typeof x === "number" && !Number.isFinite(x) ? String(x) : x));
const PY_SPELLING: Record<string, number> = { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, "-inf": -Infinity };

function python(cases: unknown[]): unknown[] {
  const r = Bun.spawnSync(["python3", "-c", PY], {
    env: { PATH: process.env.PATH ?? "", PYTHONPATH: PKG },
    stdin: new TextEncoder().encode(toJson(cases)),
    stdout: "pipe",
    stderr: "pipe",
  });
  if (r.exitCode !== 0) throw new Error(`python3 failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString(), (_k, x) => (typeof x === "string" && x in PY_SPELLING ? PY_SPELLING[x] : x));
}

function slotOf(s: SlotSpec, slotId: number): Slot {
  return blankSlot(slotId, {
    stage: s.stage,
    tradeId: s.size ? "T" : "",
    asset: s.asset ?? "",
    size: s.size ?? 0,
    ...(s.sizeE8 === undefined ? {} : { sizeE8: BigInt(s.sizeE8) }),
    isOpen: Boolean(s.size),
  });
}

/** The qty_e8 the encoder writes for an intent's size, as a decimal string, or "refused". */
function encodedUnits(i: Intent): string {
  const out = new Uint8Array(320);
  try {
    encodeIntent(i, 0, new Uint8Array(8), out);
  } catch (e) {
    if (e instanceof InvalidIntentError && e.field === "SIZE") return "refused";
    throw e;
  }
  return String(new DataView(out.buffer).getBigInt64(16, true));
}

function typescript(c: Case): Planned {
  const account = seededAccount(c.equity ?? 10_000);
  const p = planDecision(c.decision, {
    slots: c.slots.map(slotOf),
    account,
    steps: c.steps ?? {},
    nextTradeId: () => "t1",
  });
  const intents = p.intents.map((i: Intent) => {
    const { type, ...rest } = i as Intent & Record<string, unknown>;
    const out: Record<string, unknown> = { type, ...rest };
    delete out.tradeId;
    if ("price" in out) out.price = out.price ?? null;
    if ("size" in out) {
      out.units = encodedUnits(i);
      delete out.size;
      delete out.sizeE8;
    }
    return out;
  });
  return { intents, refusal: p.refusal?.code ?? null };
}

const pos = (asset: string, size: number): SlotSpec => ({ stage: "POSITION_OPEN", asset, size });
/** A position of exactly `units` of 1e-8 (above 2^53 units no double is every size). */
const held = (asset: string, units: bigint): SlotSpec => {
  const t = units.toString().padStart(9, "0");
  return { stage: "POSITION_OPEN", asset, size: Number(`${t.slice(0, -8)}.${t.slice(-8)}`), sizeE8: String(units) };
};
const idle: SlotSpec = { stage: "IDLE" };
const BTC = "BTC-USDT";

const CASES: Case[] = [
  {
    name: "a tenth of 0.7 at step 0.01 (0.7 × 0.1 is 0.06999999999999999 in floats)",
    decision: { kind: "SCALE_OUT", slotId: 0, fraction: 0.1 },
    slots: [pos(BTC, 0.7)],
    steps: { [BTC]: 0.01 },
  },
  {
    name: "0.7 of 0.005 at step 0.0001 (0.0034999999999999996 in floats)",
    decision: { kind: "SCALE_OUT", slotId: 0, fraction: 0.7 },
    slots: [pos(BTC, 0.005)],
    steps: { [BTC]: 0.0001 },
  },
  {
    name: "0.7 of equity 0.005 at leverage 1 and price 1, step 0.0001",
    decision: { kind: "OPEN", side: "LONG", asset: BTC, leverage: 1, capitalFraction: 0.7, referencePrice: 1 },
    slots: [idle],
    equity: 0.005,
    steps: { [BTC]: 0.0001 },
  },
  {
    name: "0.3 of equity 1000 at leverage 3 and price 0.9, no step",
    decision: { kind: "OPEN", side: "SHORT", asset: BTC, leverage: 3, capitalFraction: 0.3, referencePrice: 0.9 },
    slots: [idle],
    equity: 1000,
  },
  {
    name: "a step of 2.5e-8 (more than 8 decimals)",
    decision: { kind: "SCALE_OUT", slotId: 0, fraction: 1 },
    slots: [pos(BTC, 1)],
    steps: { [BTC]: 2.5e-8 },
  },
  {
    name: "a NaN leverage with a size",
    decision: { kind: "OPEN", side: "LONG", asset: BTC, leverage: Number.NaN, size: 0.01 },
    slots: [idle],
  },
  {
    name: "a fractional leverage with a size",
    decision: { kind: "OPEN", side: "LONG", asset: BTC, leverage: 2.5, size: 0.01 },
    slots: [idle],
  },
  {
    name: "a fractional leverage with a capital fraction",
    decision: { kind: "OPEN", side: "LONG", asset: BTC, leverage: 2.5, capitalFraction: 0.1, referencePrice: 100 },
    slots: [idle],
  },
  {
    name: "a NaN size when every slot holds a trade",
    decision: { kind: "OPEN", side: "LONG", asset: BTC, leverage: 2, size: Number.NaN },
    slots: [pos(BTC, 1)],
  },
  {
    name: "a NaN fraction of a slot that is not open",
    decision: { kind: "SCALE_OUT", slotId: 0, fraction: Number.NaN },
    slots: [idle],
  },
  {
    name: "an infinite size of a slot that does not exist",
    decision: { kind: "SCALE_OUT", slotId: 5, size: Number.POSITIVE_INFINITY },
    slots: [pos(BTC, 1)],
  },
  {
    name: "half of 18014398509481986 units (the double nearest the half is a unit more)",
    decision: { kind: "SCALE_OUT", slotId: 0, fraction: 0.5 },
    slots: [held("SHIB-USDT", 18_014_398_509_481_986n)],
  },
  {
    name: "0.9 of 12345678912345678 units at step 1",
    decision: { kind: "SCALE_OUT", slotId: 0, fraction: 0.9 },
    slots: [held("SHIB-USDT", 12_345_678_912_345_678n)],
    steps: { "SHIB-USDT": 1 },
  },
  {
    name: "all of 99999999999999999 units, and a close-all of them",
    decision: { kind: "SCALE_OUT", slotId: 0, fraction: 1 },
    slots: [held("SHIB-USDT", 99_999_999_999_999_999n)],
  },
  {
    name: "equity 123456.789 at price 0.0013 (94966760.769230769…, the double nearest is a unit less)",
    decision: {
      kind: "OPEN",
      side: "LONG",
      asset: "SHIB-USDT",
      leverage: 1,
      capitalFraction: 1,
      referencePrice: 0.0013,
    },
    slots: [idle],
    equity: 123_456.789,
  },
  {
    name: "a capital fraction beyond any double (equity 1e300 at price 1e-300)",
    decision: { kind: "OPEN", side: "LONG", asset: BTC, leverage: 1, capitalFraction: 1, referencePrice: 1e-300 },
    slots: [idle],
    equity: 1e300,
  },
  {
    name: "a ScaleOut of an explicit size off the step (0.00015 at step 0.0001)",
    decision: { kind: "SCALE_OUT", slotId: 0, size: 0.00015 },
    slots: [held(BTC, 30_000n)],
    steps: { [BTC]: 0.0001 },
  },
  {
    name: "a TakeProfit of a third (float residue) at step 0.0001",
    decision: { kind: "TAKE_PROFIT", slotId: 0, size: 1 / 3 },
    slots: [held(BTC, 100_000_000n)],
    steps: { [BTC]: 0.0001 },
  },
  {
    name: "a StopLoss of 0.7 - 0.4 (0.29999999999999993) at step 0.0001",
    decision: { kind: "STOP_LOSS", slotId: 0, size: 0.7 - 0.4 },
    slots: [held(BTC, 100_000_000n)],
    steps: { [BTC]: 0.0001 },
  },
  {
    name: "a StopLoss below one step",
    decision: { kind: "STOP_LOSS", slotId: 0, size: 0.00009 },
    slots: [held(BTC, 30_000n)],
    steps: { [BTC]: 0.0001 },
  },
  {
    name: "0.9 of a position off the step: the remainder would be dust, the whole position exits",
    decision: { kind: "SCALE_OUT", slotId: 0, fraction: 0.9 },
    slots: [held(BTC, 15_000n)],
    steps: { [BTC]: 0.0001 },
  },
  {
    name: "an explicit size above 2^53 units at step 1",
    decision: { kind: "SCALE_OUT", slotId: 0, size: 123_456_789.5 },
    slots: [held("SHIB-USDT", 20_000_000_000_000_000n)],
    steps: { "SHIB-USDT": 1 },
  },
  {
    name: "a TakeProfit of an explicit size with a NaN step",
    decision: { kind: "TAKE_PROFIT", slotId: 0, size: 0.5 },
    slots: [held(BTC, 100_000_000n)],
    steps: { [BTC]: Number.NaN },
  },
  {
    name: "close all over every stage",
    decision: { kind: "CLOSE_ALL", reason: "SL" },
    slots: [
      { stage: "ENTRY_WORKING" },
      pos(BTC, 0.29),
      { stage: "EXIT_WORKING" },
      { stage: "STALE_STATE_RECONCILING" },
      { stage: "CLOSED" },
      idle,
    ],
  },
];

const FLOORS: Array<[number, number | undefined]> = [
  [0.005 * 0.7, 0.0001],
  [0.7 * 0.1, 0.01],
  [1, 2.5e-8],
  [0.29, undefined],
  [7.5e-8, undefined],
  [8234.532, 0.0001],
];

describe("the TypeScript and Python seams plan the same intents for the same decision", () => {
  const answers = python(CASES.map((c) => JSON.parse(toJson(c))));
  CASES.forEach((c, i) => {
    test(c.name, () => {
      expect(typescript(c)).toEqual(answers[i] as Planned);
    });
  });
});

const ENCODES: Intent[] = [
  { type: "ENTER", slotId: 0, tradeId: "T1", asset: "SATS-USDT", side: "LONG", size: 100_000_000, leverage: 2 },
  { type: "ENTER", slotId: 1, tradeId: "T2", asset: "BTC-USDT", side: "SHORT", size: 0.29, price: 65_000, leverage: 5 },
  { type: "EXIT", slotId: 0, size: 123_456_789.5, reason: "TP", price: null },
  { type: "EXIT", slotId: 0, size: 1_000_000_000, reason: "SL", price: null },
  { type: "EXIT", slotId: 0, size: 1_000_000_000.00001, reason: "SL", price: null },
  { type: "EXIT", slotId: 0, size: 1_000_000_001, reason: "SIGNAL", price: null },
  { type: "EXIT", slotId: 0, size: 0.1 + 0.2, reason: "SIGNAL", price: null },
];

describe("the TypeScript and Python clients encode the same intent into the same record", () => {
  const answers = python(ENCODES.map((e) => ({ encode: JSON.parse(toJson(e)) })));
  ENCODES.forEach((intent, i) => {
    test(`${intent.type} of size ${"size" in intent ? intent.size : "-"}`, () => {
      const out = new Uint8Array(320);
      const id = new Uint8Array(8);
      new DataView(id.buffer).setBigUint64(0, 0x0001000200000003n, true);
      let got: string;
      try {
        encodeIntent(intent, 1_700_000_000_000, id, out);
        got = Buffer.from(out).toString("hex");
      } catch (e) {
        if (!(e instanceof InvalidIntentError)) throw e;
        got = `refused ${e.field}`;
      }
      expect(got).toBe(answers[i] as string);
    });
  });
});

/** Seeded draws (a fixed linear congruential sequence): the same cases on every run. */
function drawn(count: number): Case[] {
  let seed = 20_240_611;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const steps = [undefined, 1e-8, 0.0001, 0.001, 0.01, 0.1, 1, 10, 2.5e-8];
  const out: Case[] = [];
  for (let i = 0; i < count; i++) {
    const step = pick(steps);
    const fraction = Number((next() * pick([1, 0.1, 0.01])).toPrecision(pick([1, 2, 3, 17])));
    out.push(
      i % 2 === 0
        ? {
            name: `open ${i}`,
            decision: {
              kind: "OPEN",
              side: "LONG",
              asset: BTC,
              leverage: 1 + Math.floor(next() * 125),
              capitalFraction: fraction,
              referencePrice: Number((next() * pick([1, 100, 70_000, 1e-5])).toPrecision(pick([3, 6, 17]))),
            },
            slots: [idle],
            equity: Number((next() * pick([100, 10_000, 1e7])).toPrecision(pick([4, 8, 17]))),
            steps: step === undefined ? {} : { [BTC]: step },
          }
        : {
            name: `scale out ${i}`,
            decision: { kind: "SCALE_OUT", slotId: 0, fraction },
            slots: [pos(BTC, Number((next() * pick([1, 1000, 1e6])).toFixed(pick([0, 2, 4, 8]))))],
            steps: step === undefined ? {} : { [BTC]: step },
          },
    );
  }
  return out;
}

/** Seeded positions above 2^53 units and opens sized above them: scale-outs and opens in exact units. */
function drawnBig(count: number): Case[] {
  let seed = 19_700_101;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const steps = [undefined, 1e-8, 0.0001, 1, 2.5e-8];
  const out: Case[] = [];
  for (let i = 0; i < count; i++) {
    const step = pick(steps);
    const fraction = Number(next().toPrecision(pick([1, 2, 3, 17])));
    const units = 9_007_199_254_740_993n + BigInt(Math.floor(next() * 2 ** 30)) * BigInt(Math.floor(next() * 2 ** 26));
    out.push(
      i % 2 === 0
        ? {
            name: `big open ${i}`,
            decision: {
              kind: "OPEN",
              side: "SHORT",
              asset: "SHIB-USDT",
              leverage: 1 + Math.floor(next() * 125),
              capitalFraction: fraction,
              referencePrice: Number((next() * 1e-5).toPrecision(pick([3, 6, 17]))),
            },
            slots: [idle],
            equity: Number((next() * 10_000).toPrecision(pick([4, 8, 17]))),
            steps: step === undefined ? {} : { "SHIB-USDT": step },
          }
        : {
            name: `big scale out ${i}`,
            decision: { kind: "SCALE_OUT", slotId: 0, fraction },
            slots: [held("SHIB-USDT", units)],
            steps: step === undefined ? {} : { "SHIB-USDT": step },
          },
    );
  }
  return out;
}

test("seeded sizings above 2^53 units (opens and scale-outs) plan the same exact units in both seams", () => {
  const cases = drawnBig(1000);
  const answers = python(cases.map((c) => JSON.parse(toJson(c))));
  const differ = cases.filter((c, i) => !Bun.deepEquals(typescript(c), answers[i]));
  expect(differ.map((c) => toJson(c))).toEqual([]);
});

test("seeded fraction sizings (opens and scale-outs) plan the same sizes in both seams", () => {
  const cases = drawn(2000);
  const answers = python(cases.map((c) => JSON.parse(toJson(c))));
  const differ = cases.filter((c, i) => !Bun.deepEquals(typescript(c), answers[i]));
  expect(differ.map((c) => toJson(c))).toEqual([]);
});

describe("floorToStep and floor_to_step floor the same number to the same size", () => {
  const answers = python(FLOORS.map(([size, step]) => ({ floor: [size, step ?? null] })));
  FLOORS.forEach(([size, step], i) => {
    test(`${size} with step ${step ?? "1e-8"}`, () => {
      expect(floorToStep(size, step)).toBe(answers[i] as number);
    });
  });
});

/** Two opens without a trade id through each seam, its clock answering `ms`, against a kernel that never answers. */
const TRADE_IDS_PY = `
import json, sys
from dita_v2_client import Account, Seam, Slot, open_long
from dita_v2_client.client import StateView
from dita_v2_client.errors import OutcomeTimeout
BLANK = Slot(0, "IDLE", "", "", None, 0.0, 0.0, 0, False, 0, 0.0, 0.0, 0.0, 0.0, None, None, None, None, 0, 0)
class Client:
    def check_kernel(self): pass
    def state(self): return StateView((BLANK,), Account(1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0, 1, True), 0, 1)
    def push(self, intent): return 1
    def outcome(self, cid, timeout): raise OutcomeTimeout(cid, "no kernel")
out = []
for ms in json.load(sys.stdin):
    seam = Seam(Client(), now_ms=lambda: ms, timeout=0.0)
    out.append([seam.execute(open_long("BTC-USDT", 2, size=0.01)).steps[0].intent.trade_id for _ in range(2)])
print(json.dumps(out))
`;

test("both seams make the same trade ids from the same clock: <prefix>-<ms in base 36>-<n>", async () => {
  const clocks = [0, 42, 1_700_000_000_500, 1_700_000_000_500.9, 2 ** 53 - 1];
  const r = Bun.spawnSync(["python3", "-c", TRADE_IDS_PY], {
    env: { PATH: process.env.PATH ?? "", PYTHONPATH: PKG },
    stdin: new TextEncoder().encode(JSON.stringify(clocks)),
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(r.stderr.toString()).toBe("");
  const client = {
    checkKernel: () => {},
    state: () => ({ slots: [slotOf({ stage: "IDLE" }, 0)], account: seededAccount(1) }),
    push: () => 1n,
    outcome: async () => {
      throw new OutcomeTimeoutError(1n, "no kernel");
    },
  } as unknown as DitaClient;
  const ours = [];
  for (const ms of clocks) {
    const seam = new Seam(client, { nowMs: () => ms, timeoutMs: 0 });
    const ids = [];
    for (let n = 0; n < 2; n++) {
      const step = (await seam.execute(openLong("BTC-USDT", { size: 0.01, leverage: 2 }))).steps[0]!;
      ids.push(step.intent.type === "ENTER" ? step.intent.tradeId : "");
    }
    ours.push(ids);
  }
  expect(ours[2]).toEqual(["seam-loyw3vg4-1", "seam-loyw3vg4-2"]);
  expect(ours).toEqual(JSON.parse(r.stdout.toString()));
});
