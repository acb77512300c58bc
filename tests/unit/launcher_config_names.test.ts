/**
 * Unknown DITA_V2_* variables (src/launcher/_config_names.ts): a misspelled name fails the start with
 * one line naming it and the closest known name (it used to be ignored, so a misspelled risk limit
 * started with the limit off); every name something in the repository reads is known, so the list
 * cannot drift: the scan below fails when src/ (or a client, script, bench, deploy or supervisor
 * file, or a test's `env.` read) reads a DITA_V2_* name the list lacks, and when the list holds a
 * name nothing mentions.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { RISK_LIMIT_RANGES } from "../../src/contracts/control.ts";
import { FLEET_MAP, LEASE_MAP } from "../../src/fleet/index.ts";
import { UnknownVariableError } from "../../src/launcher/_config_error.ts";
import { closestKnown, KNOWN_VARIABLES } from "../../src/launcher/_config_names.ts";
import { ConfigError, loadConfig } from "../../src/launcher/config.ts";
import { namespaceNames } from "../../src/projection/index.ts";

const ROOT = join(import.meta.dir, "..", "..");
const NAME_RE = /DITA_V2_[A-Z0-9_]+/g;

const refusal = (env: Record<string, string>): Error => {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as Error;
  }
  throw new Error("expected a ConfigError");
};

function filesUnder(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    if (name === "node_modules" || name === "__pycache__" || name === "target") return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Hazelcast object names (maps, topics) share the prefix; they are not environment variables. */
function isObjectName(name: string): boolean {
  if (name === FLEET_MAP || name === LEASE_MAP) return true;
  const families = Object.values(namespaceNames("x"))
    .map((n) => n.slice(0, -1))
    .filter((p) => p.startsWith("DITA_V2_"));
  return families.some(
    (p) => name === p.slice(0, -1) || (name.startsWith(p) && /^[A-Z0-9_]*$/.test(name.slice(p.length))),
  );
}

/** Every DITA_V2_* token in the product's code and tooling, with the file it appears in. */
function namesInRepository(): Map<string, string> {
  const found = new Map<string, string>();
  const dirs = ["src", "clients", "scripts", "bench", "supervisor", "deploy", ".ci"];
  for (const file of dirs.flatMap((d) => filesUnder(join(ROOT, d)))) {
    if (/\.(so|pyc|png|svg|wasm|node)$/.test(file)) continue;
    for (const m of readFileSync(file, "utf8").matchAll(NAME_RE)) found.set(m[0].replace(/_+$/, "_"), file);
  }
  for (const file of filesUnder(join(ROOT, "tests")).filter((f) => f.endsWith(".ts"))) {
    for (const m of readFileSync(file, "utf8").matchAll(/\benv(?:\.|\[")(DITA_V2_[A-Z0-9_]+)/g)) found.set(m[1]!, file);
  }
  return found;
}

describe("unknown DITA_V2_* variables", () => {
  test("a misspelled risk limit stops the start with one line naming it and the closest known name", () => {
    const e = refusal({ DITA_V2_MAX_LEVRAGE: "5" });
    expect(e).toBeInstanceOf(UnknownVariableError);
    expect(e.message).toBe("DITA_V2_MAX_LEVRAGE is not a DITAv2 variable (did you mean DITA_V2_MAX_LEVERAGE?)");
    expect(e.message).not.toContain("\n");
    expect(loadConfig({ DITA_V2_MAX_LEVERAGE: "5" }).limits.max_leverage).toBe(5);
  });

  test("an unknown name is refused even when empty; the first in sorted order is named", () => {
    expect(refusal({ DITA_V2_SLOT: "" }).message).toBe(
      "DITA_V2_SLOT is not a DITAv2 variable (did you mean DITA_V2_SLOTS?)",
    );
    expect(refusal({ DITA_V2_ZZZ: "1", DITA_V2_HTTP_PROT: "80" }).message).toStartWith("DITA_V2_HTTP_PROT is not");
  });

  test("hazelcast object names and other prefixes are not variables: DITA_V2_FLEET in the environment is refused", () => {
    expect(refusal({ DITA_V2_FLEET: "x" }).message).toStartWith("DITA_V2_FLEET is not a DITAv2 variable");
    expect(() => loadConfig({ PATH: "/bin", DITA_V2: "x", DITA_V3_SLOTS: "1", BINGX_API_KEY: "" })).not.toThrow();
  });

  test("variables read outside the launcher (venue, clients, deploy scripts, the test runner) are accepted", () => {
    const env = {
      DITA_V2_BINGX_RATE_MARGIN: "0.5",
      DITA_V2_ZINC_LIB: "/opt/dita/libzinc.so",
      DITA_V2_EXE: "/opt/dita/dita-v2",
      DITA_V2_ENV_DIR: "/etc/dita/env",
      DITA_V2_TEST: "1",
      DITA_V2_PROPERTY_RUNS: "10",
      DITA_V2_JIT: "DEFAULT",
    };
    expect(loadConfig(env).jit).toBe("DEFAULT");
  });

  test("the closest known name is the one fewest edits away", () => {
    expect(closestKnown("DITA_V2_HAZELCAST_ADR")).toBe("DITA_V2_HAZELCAST_ADDR");
    expect(closestKnown("DITA_V2_MAX_DRAWDOWN")).toBe("DITA_V2_MAX_DRAWDOWN_RATIO");
    expect(closestKnown("DITA_V2_OPERATOR_TOKEN")).toBe("DITA_V2_OPERATOR_TOKEN");
  });
});

describe("the list of known names follows the code", () => {
  const found = namesInRepository();

  test("every DITA_V2_* name the repository reads is known (or is a Hazelcast object name)", () => {
    const missing = [...found].filter(([name]) => !KNOWN_VARIABLES.has(name) && !isObjectName(name));
    expect(missing.map(([name, file]) => `${name} (${file.slice(ROOT.length + 1)})`)).toEqual([]);
  });

  test("every known name is read somewhere: a risk limit through RISK_LIMIT_RANGES, any other one by name", () => {
    const limits = Object.keys(RISK_LIMIT_RANGES).map((k) => `DITA_V2_${k.toUpperCase()}`);
    const stale = [...KNOWN_VARIABLES].filter((n) => !found.has(n) && !limits.includes(n));
    expect(stale).toEqual([]);
  });

  test("the scan sees names read outside src/launcher (it would miss nothing it is meant to catch)", () => {
    for (const name of ["DITA_V2_BINGX_RATE_MARGIN", "DITA_V2_ZINC_LIB", "DITA_V2_JIT", "DITA_V2_PROPERTY_RUNS"])
      expect(found.has(name)).toBe(true);
  });
});
