/**
 * The operator playbook (docs/operator-playbook.md) keeps up with the code: every diagnostic code
 * the kernel (DIAGNOSTIC_CODES), the venue adapters and the projection can raise has an entry
 * (`### CODE` with its severity and "What to do"), no entry names a code that does not exist, it
 * covers the operations the issue asks for, every link in it stays inside the repository, and the
 * README links to it. The venue and projection code lists are checked exhaustive by `tsc`.
 */

import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DIAGNOSTIC_CODES } from "../../src/contracts/records.ts";
import type { VenueDiagnostic } from "../../src/contracts/venue.ts";
import type { ProjectionDiagnostic } from "../../src/projection/index.ts";

const ROOT = join(import.meta.dir, "../..");
const PLAYBOOK = join(ROOT, "docs/operator-playbook.md");
const text = readFileSync(PLAYBOOK, "utf8");

// A code added to either union and missing here fails `tsc` (the object must name every member).
const VENUE_CODES: Record<VenueDiagnostic["code"], true> = {
  MALFORMED_PAYLOAD: true,
  STREAM_GAP: true,
  STREAM_RECONNECT: true,
  LOCAL_RULE: true,
  TIME_SYNC: true,
};
const PROJECTION_CODES: Record<ProjectionDiagnostic["code"], true> = {
  SPOOL_CORRUPT: true,
  SPOOL_FULL: true,
  SINK_DOWN: true,
  SINK_UP: true,
  SINK_DEGRADED: true,
  SINK_RESYNC: true,
  SCHEMA_NEWER: true,
  SPOOL_ROTATED: true,
};
const ALL_CODES = [...DIAGNOSTIC_CODES, ...Object.keys(VENUE_CODES), ...Object.keys(PROJECTION_CODES)];

/** `### CODE` entries of section 3 with their text. */
function entries(): Map<string, string> {
  const section = text.slice(text.indexOf("## 3. Diagnostic codes"), text.indexOf("## 4. Recovery"));
  const out = new Map<string, string>();
  for (const m of section.matchAll(/^### ([A-Z][A-Z_]+)\n([\s\S]*?)(?=^### |(?![\s\S]))/gm)) out.set(m[1]!, m[2]!);
  return out;
}

describe("docs/operator-playbook.md", () => {
  test("every diagnostic code (kernel, venue, projection) has an entry with its severity and what to do", () => {
    const e = entries();
    const missing = ALL_CODES.filter((c) => !e.has(c));
    expect(missing).toEqual([]);
    for (const code of ALL_CODES) {
      const body = e.get(code)!;
      expect(body, code).toMatch(/What\s+to\s+do:/);
      expect(body, code).toMatch(/^(INFO|WARNING|ERROR|CRITICAL|Reserved)\b/);
    }
  });

  test("no entry names a code that does not exist, and kernel severities match the kernel's", () => {
    expect([...entries().keys()].filter((c) => !ALL_CODES.includes(c))).toEqual([]);
    const critical = ["OVERFILL", "KERNEL_FAULT", "ORPHAN_POSITION", "ZINC_REGION_CORRUPT", "DRAWDOWN_LIMIT"];
    for (const code of critical) expect(entries().get(code), code).toStartWith("CRITICAL.");
  });

  test("covers start, stop, restart, halt, reduce, flatten, recovery, rotation, the console and the fleet", () => {
    for (const heading of [
      "## 1. Start, stop, restart (supervisord)",
      "## 2. Halt, reduce, flatten",
      "## 4. Recovery",
      "## 5. Rotating keys and the operator token",
      "## 6. Reading the console",
      "## 7. A desk on several hosts (the fleet)",
    ])
      expect(text).toContain(heading);
    for (const phrase of [
      "After a crash",
      "Lost `/dev/shm`",
      "Lost Hazelcast",
      "Lost one Hazelcast member of three",
      "Lost ClickHouse",
      "BingX keys",
      "Deploying three hosts",
      "The account lease",
      "Failover",
    ])
      expect(text).toContain(phrase);
  });

  test("every link stays inside the repository and points at a file that exists", () => {
    const links = [...text.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      expect(link, link).not.toMatch(/^[a-z]+:/);
      const target = resolve(dirname(PLAYBOOK), link.split("#")[0]!);
      expect(target.startsWith(`${ROOT}/`), link).toBe(true);
      expect(existsSync(target), link).toBe(true);
    }
    expect(text).not.toContain("shared/");
  });

  test("the README links to it", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain("](docs/operator-playbook.md)");
  });
});
