/**
 * The Python strategy client as a package: `pip install clients/python` into a fresh virtual
 * environment works offline (an in-tree build backend, standard library only: nothing to fetch,
 * not even setuptools), and the package's
 * own unit tests (clients/python/tests: codecs, hostile bytes, the seam's mapping) pass against
 * the installed copy — each Python test is one test here, named after it. Python records encoded
 * by the client are byte-for-byte what the kernel's encoder writes for the same intents.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeInput } from "../../src/kernel/index.ts";

const ROOT = join(import.meta.dir, "../..");
const PKG = join(ROOT, "clients/python");
const TESTS = join(PKG, "tests");
const dir = mkdtempSync(join(tmpdir(), "dita-pyclient-"));
const venvPython = join(dir, "venv/bin/python");

function sh(cmd: string[], env: Record<string, string> = {}, cwd = dir): { code: number; out: string } {
  const r = Bun.spawnSync(cmd, {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: r.exitCode ?? -1, out: `${r.stdout.toString()}${r.stderr.toString()}` };
}

const LIST = `
import sys, unittest
suite = unittest.defaultTestLoader.discover(sys.argv[1])
def walk(s):
    for t in s:
        yield from (walk(t) if isinstance(t, unittest.TestSuite) else [t])
print("\\n".join(t.id() for t in walk(suite)))
`;

const RUN = `
import json, sys, traceback, unittest
suite = unittest.defaultTestLoader.discover(sys.argv[1])
results = {}
class R(unittest.TestResult):
    def addSuccess(self, t): results[t.id()] = "ok"
    def addFailure(self, t, e): results[t.id()] = "".join(traceback.format_exception(*e))[-1500:]
    def addError(self, t, e): results[t.id()] = "".join(traceback.format_exception(*e))[-1500:]
    def addSkip(self, t, why): results[t.id()] = "skipped: " + why
suite.run(R())
import dita_v2_client
print(json.dumps({"results": results, "package": dita_v2_client.__file__}))
`;

// The test ids, read from the source tree when this file loads (one test here per Python test).
const ids = sh(["python3", "-c", LIST, TESTS], { PYTHONPATH: PKG }).out.trim().split("\n").filter(Boolean);
let results: Record<string, string> = {};
let installedFrom = "";
let install = { code: -1, out: "" };

beforeAll(() => {
  install = sh(["python3", "-m", "venv", "--system-site-packages", join(dir, "venv")]);
  if (install.code === 0)
    install = sh([
      venvPython,
      "-m",
      "pip",
      "install",
      "--no-build-isolation",
      "--no-index",
      "--no-deps",
      "--quiet",
      PKG,
    ]);
  if (install.code !== 0) return;
  const run = sh([venvPython, "-c", RUN, TESTS]); // cwd is the scratch dir: the installed copy is imported
  const doc = JSON.parse(run.out.trim().split("\n").pop() ?? "{}") as {
    results?: Record<string, string>;
    package?: string;
  };
  results = doc.results ?? {};
  installedFrom = doc.package ?? run.out;
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("python dita_v2_client", () => {
  test("pip install clients/python into a fresh venv works offline, and the installed copy is what the tests import", () => {
    expect(install.out).not.toContain("ERROR");
    expect(install.code).toBe(0);
    expect(installedFrom).toContain(join(dir, "venv"));
    expect(ids.length).toBeGreaterThan(15);
  });

  for (const id of ids) {
    test(`python: ${id}`, () => {
      expect(results[id] ?? "did not run").toBe("ok");
    });
  }

  test("the records the Python client encodes are byte-for-byte the kernel encoder's", () => {
    const py = sh(
      [
        "python3",
        "-c",
        `
from dita_v2_client import *
out = bytearray(320)
for i in (Enter(3, "T-1_x", "BTC-USDT", "SHORT", 0.0123, 7), Enter(0, "L", "ETH-USDT", "LONG", 1, 1, price=3499.5),
          Exit(2, 0.5, "TP"), Exit(2, 0.25, "SL", price=70000), Cancel(5)):
    encode_intent(i, 1700000000123, 0, out)
    print(out.hex())
`,
      ],
      { PYTHONPATH: PKG },
    );
    const wire = [
      {
        type: "ENTER",
        slot_id: 3,
        trade_id: "T-1_x",
        asset: "BTC-USDT",
        side: "SHORT",
        size: 0.0123,
        price: null,
        leverage: 7,
      },
      {
        type: "ENTER",
        slot_id: 0,
        trade_id: "L",
        asset: "ETH-USDT",
        side: "LONG",
        size: 1,
        price: 3499.5,
        leverage: 1,
      },
      { type: "EXIT", slot_id: 2, size: 0.5, price: null, reason: "TP" },
      { type: "EXIT", slot_id: 2, size: 0.25, price: 70000, reason: "SL" },
      { type: "CANCEL", slot_id: 5 },
    ];
    const kernel = wire.map((w) => {
      const rec = new Uint8Array(320);
      expect(encodeInput({ ...w, now_ms: 1_700_000_000_123 }, rec, 0)).toBeNull();
      return Buffer.from(rec).toString("hex");
    });
    expect(py.out.trim().split("\n")).toEqual(kernel);
  });
});
