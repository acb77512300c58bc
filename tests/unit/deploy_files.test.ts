/**
 * deploy/ is checked, not prose: the example supervisord programs are the template rendered for
 * their namespace; deploy/clickhouse/schema.sql holds exactly the statements the projection's
 * schema code runs; the deployed Hazelcast member config gives every map and ringbuffer the project
 * writes a synchronous backup, puts the account leases behind a split-brain quorum, and reads only
 * the per-host properties scripts/services/hazelcast.sh sets; run-strategy.sh refuses an env file
 * others can read and starts the kernel with its namespace and a state dir of its own.
 * (The e2e fleet tests start members and programs from these very files.)
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DEPLOY,
  EXAMPLES,
  programPath,
  renderProgram,
  renderSchema,
  SCHEMA_DATABASE,
} from "../../scripts/deploy_files.ts";
import { FLEET_MAP, LEASE_MAP } from "../../src/fleet/index.ts";
import { namespaceNames, schemaStatements } from "../../src/projection/index.ts";

describe("deploy/ files", () => {
  test("each example program (pink, blue, green) is the template rendered for its namespace", () => {
    for (const ns of EXAMPLES) {
      const text = readFileSync(programPath(ns), "utf8");
      expect(text).toBe(renderProgram(ns));
      expect(text).toContain(`[program:dita_v2_${ns}]`);
      expect(text).toContain(`command="%(here)s/../run-strategy.sh" ${ns}`);
      expect(text).not.toContain("@NS@");
    }
  });

  test("deploy/clickhouse/schema.sql holds exactly the statements the projection's schema code runs", () => {
    const sql = readFileSync(join(DEPLOY, "clickhouse/schema.sql"), "utf8");
    expect(sql).toBe(renderSchema());
    for (const stmt of schemaStatements(SCHEMA_DATABASE)) expect(sql).toContain(`${stmt};`);
  });

  test("the Hazelcast member config backs up every DITAv2 map and topic ringbuffer synchronously", () => {
    const yaml = readFileSync(join(DEPLOY, "hazelcast/hazelcast.yaml"), "utf8");
    const hz = (Bun.YAML.parse(yaml) as { hazelcast: Record<string, any> }).hazelcast;
    const n = namespaceNames("pink");
    const configOf = (section: Record<string, any>, name: string) => {
      const exact = section[name];
      if (exact !== undefined) return exact;
      const hits = Object.keys(section).filter((p) => p.includes("*") && wildcard(p, name));
      expect(hits.length).toBeGreaterThan(0); // no map may fall back to the default config unnoticed
      return section[hits.sort((a, b) => b.length - a.length)[0]!];
    };
    for (const map of [n.state, n.pnl, n.active, n.control, FLEET_MAP, LEASE_MAP]) {
      const c = configOf(hz.map, map);
      expect([map, c["backup-count"] >= 1, c["async-backup-count"]]).toEqual([map, true, 0]);
    }
    const rb = configOf(hz.ringbuffer, `_hz_rb_${n.topic}`);
    expect([rb["backup-count"] >= 1, rb["async-backup-count"]]).toEqual([true, 0]);
    expect(hz.map[LEASE_MAP]["split-brain-protection-ref"]).toBe("dita-lease-quorum");
    expect(hz["split-brain-protection"]["dita-lease-quorum"]).toMatchObject({
      enabled: `\${dita.hz.lease.quorum}`,
      "minimum-cluster-size": 2,
    });
    expect(hz.properties["hazelcast.shutdownhook.policy"]).toBe("GRACEFUL");
    const settings = yaml
      .split("\n")
      .filter((l) => !l.trimStart().startsWith("#"))
      .join("\n");
    const used = new Set([...settings.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]));
    const script = readFileSync(join(import.meta.dir, "../../scripts/services/hazelcast.sh"), "utf8");
    for (const p of used) expect(script).toContain(`-D${p}=`);
    expect([...used].sort()).toEqual([
      "dita.hz.cluster",
      "dita.hz.interface",
      "dita.hz.lease.quorum",
      "dita.hz.members",
      "dita.hz.port",
    ]);
  });

  test("run-strategy.sh refuses an env file others can read, and execs the kernel with its namespace and own state dir", () => {
    const dir = mkdtempSync(join(tmpdir(), "dita-deploy-"));
    try {
      const exe = join(dir, "fake-dita-v2");
      writeFileSync(exe, '#!/bin/sh\necho "$1 $DITA_V2_STRATEGY $DITA_V2_HTTP_PORT $DITA_V2_STATE_DIR"\n');
      chmodSync(exe, 0o755);
      const envFile = join(dir, "blue.env");
      writeFileSync(envFile, "DITA_V2_HTTP_PORT=7872\nDITA_V2_STRATEGY=pink\n");
      const run = (ns: string) =>
        Bun.spawnSync(["sh", join(DEPLOY, "supervisor/run-strategy.sh"), ns], {
          env: { PATH: process.env.PATH ?? "/usr/bin:/bin", DITA_V2_ENV_DIR: dir, DITA_V2_EXE: exe },
        });
      chmodSync(envFile, 0o644);
      const open = run("blue");
      expect([open.exitCode, open.stderr.toString().trim()]).toEqual([
        2,
        `run-strategy: ${envFile} is readable by others (mode 644): chmod 600 it`,
      ]);
      chmodSync(envFile, 0o600);
      const ok = run("blue");
      expect(ok.exitCode).toBe(0);
      // The program's namespace wins over the file; the state dir is the namespace's own.
      expect(ok.stdout.toString().trim()).toBe(
        `serve blue 7872 ${join(DEPLOY, "..")}/.dita-v2/fleet/blue`.replace(/\/deploy\/\.\./, ""),
      );
      const missing = run("green");
      expect([missing.exitCode, missing.stderr.toString()]).toEqual([
        2,
        `run-strategy: ${dir}/green.env not found (one env file per strategy)\n`,
      ]);
      expect(run("Bad!").exitCode).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Hazelcast's config-name wildcard: one `*` standing for any run of characters. */
function wildcard(pattern: string, name: string): boolean {
  const [pre, post] = pattern.split("*") as [string, string];
  return name.length >= pre.length + post.length && name.startsWith(pre) && name.endsWith(post);
}
