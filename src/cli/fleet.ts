/**
 * `dita-v2 fleet`: the kernels heartbeating into the Hazelcast cluster (map DITA_V2_FLEET), as a
 * table or `--json`, each marked ok, STALE (a heartbeat missed, not yet expired) or UNHEALTHY.
 * Exit 0 when every kernel listed is ok and no entry is malformed, 1 otherwise (each malformed entry
 * named by key on a line of its own, the good kernels still listed; likewise one line per host
 * running more BingX kernels than one of them declares in DITA_V2_BINGX_IP_SHARE, on stderr with
 * --json), 2 when the cluster is off or unreachable, or the configuration cannot be read.
 *
 * `--verify-isolation` runs the isolation checklist over every namespace seen in the cluster and
 * prints every item with its verdict (src/fleet/checklist.ts); `--save FILE` keeps this observation
 * as a baseline, `--baseline FILE [--changed ns,...]` compares with one taken before the namespaces
 * named in `--changed` were restarted. Exit 0 when no item fails, 1 when one does, 2 as above.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { defineCommand } from "citty";
import {
  checklist,
  checklistOk,
  type Observation,
  observeDesk,
  parseObservation,
  readFleet,
  withFleetClient,
} from "../fleet/index.ts";
import { hazelcastOf, type RuntimeConfig } from "../launcher/config.ts";
import { SystemClock } from "../launcher/system_clock.ts";
import { cliConfig } from "./_client.ts";
import { CliFailure, oneLine } from "./_fail.ts";
import { checklistLines, fleetReport } from "./_fleet_text.ts";

export const fleetCommand = defineCommand({
  meta: {
    name: "fleet",
    description: "List the kernels heartbeating into the Hazelcast cluster; --verify-isolation checks every namespace",
  },
  args: {
    json: { type: "boolean", default: false, description: "print JSON instead of a table" },
    "verify-isolation": { type: "boolean", default: false, description: "run the isolation checklist" },
    save: { type: "string", description: "with --verify-isolation: write this observation to FILE (a baseline)" },
    baseline: { type: "string", description: "with --verify-isolation: compare with the observation in FILE" },
    changed: { type: "string", default: "", description: "namespaces restarted since the baseline, e.g. pink" },
  },
  async run({ args }) {
    const c = cliConfig();
    if (c.hazelcast === "OFF")
      throw new CliFailure("fleet needs the cluster: set DITA_V2_HAZELCAST=REAL and DITA_V2_HAZELCAST_ADDR", 2);
    const clock = new SystemClock();
    if (args["verify-isolation"]) return verify(c, () => clock.nowMs(), args);
    if (args.save !== undefined || args.baseline !== undefined || args.changed !== "")
      throw new CliFailure("--save, --baseline and --changed go with --verify-isolation", 2);
    const f = await withFleetClient(hazelcastOf(c), 5_000, (cl) => readFleet(cl, () => clock.nowMs())).catch((e) => {
      throw new CliFailure(`cannot read the fleet from hazelcast ${c.hazelcast_addr}: ${oneLine(e)}`, 2);
    });
    const report = fleetReport(f, args.json);
    for (const line of report.lines) console.log(line);
    if (args.json) for (const line of report.warnings) console.error(line); // the table has them already
    process.exitCode = report.exitCode;
  },
});

async function verify(
  c: RuntimeConfig,
  clockMs: () => number,
  args: { json: boolean; save?: string; baseline?: string; changed: string },
): Promise<void> {
  const base = args.baseline === undefined ? null : readBaseline(args.baseline);
  const changed = new Set(
    args.changed
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const obs = await observeDesk({
    hazelcast: hazelcastOf(c),
    clickhouse: c.clickhouse === "REAL" ? { url: c.clickhouse_url, database: c.clickhouse_database } : null,
    clockMs,
  }).catch((e) => {
    throw new CliFailure(`cannot observe the desk: ${oneLine(e)}`, 2);
  });
  const unknown = [...changed].filter((ns) => obs.namespaces[ns] === undefined && base?.namespaces[ns] === undefined);
  if (unknown.length > 0) throw new CliFailure(`--changed names namespaces never seen: ${unknown.join(", ")}`, 2);
  const items = checklist(obs, base, changed);
  if (args.save !== undefined) writeFileSync(args.save, `${JSON.stringify(obs, null, 2)}\n`, { mode: 0o600 });
  if (args.json) console.log(JSON.stringify({ checklist: items, observation: obs }, null, 2));
  else {
    console.log(`namespaces seen: ${Object.keys(obs.namespaces).join(", ") || "none"}`);
    for (const line of checklistLines(items)) console.log(line);
    console.log(checklistOk(items) ? "isolation: ok" : "isolation: FAIL");
  }
  process.exitCode = checklistOk(items) ? 0 : 1;
}

function readBaseline(file: string): Observation {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new CliFailure(`--baseline ${file}: ${oneLine(e)}`, 2);
  }
  const p = parseObservation(text);
  if (!p.ok) throw new CliFailure(`--baseline ${file}: ${p.error}`, 2);
  return p.value;
}
