/**
 * supervisord splits a program's `command=` like a shell (shlex) after putting the config's
 * directory in for %(here)s, so an unquoted %(here)s breaks in a checkout whose path has a space
 * ("/srv/dita desk/"): the program is FATAL with "can't find command '/srv/dita'". Both configs,
 * supervisor/dolphin-supervisord.conf and the deploy programs (template and examples), are copied
 * into such a directory and parsed by supervisor's own code (the Python that runs the supervisord
 * on PATH): ServerOptions reads them and Subprocess.get_execv_args resolves each program's
 * command, as supervisord does at spawn. No supervisord is started.
 */

import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { POSTURE } from "../../src/launcher/supervisor.ts";

const REPO = resolve(import.meta.dir, "../..");
const root = join(mkdtempSync(join(tmpdir(), "dita-conf-")), "dita desk");
afterAll(() => rmSync(resolve(root, ".."), { recursive: true, force: true }));

/** The interpreter of the supervisord on PATH (its shebang), which has the supervisor package. */
function supervisorPython(): string {
  const sd = Bun.which("supervisord");
  if (sd === null) throw new Error("supervisord is not installed (scripts/services/supervisor.sh sv_install)");
  return readFileSync(sd, "utf8")
    .split("\n")[0]!
    .replace(/^#!\s*/, "")
    .split(/\s+/)[0]!;
}

const PARSE = `
import json, sys
from supervisor.options import ServerOptions
from supervisor.process import Subprocess
o = ServerOptions()
o.realize(args=["-c", sys.argv[1]])
out = {}
for g in o.process_group_configs:
    for pc in g.process_configs:
        try:
            out[pc.name] = Subprocess(pc).get_execv_args()[0]
        except Exception as e:
            out[pc.name] = "ERROR " + str(e)
print(json.dumps(out))
`;

/** Program name → the executable supervisord would run (or "ERROR ..."), the launcher's POSTURE in its environment. */
function commands(conf: string): Record<string, string> {
  const r = spawnSync(supervisorPython(), ["-c", PARSE, conf], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...POSTURE },
  });
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout);
}

function executable(path: string): void {
  writeFileSync(path, "#!/bin/sh\n");
  chmodSync(path, 0o755);
}

describe("supervisord configs in a checkout whose path has a space", () => {
  test("dolphin:dita_v2 runs <checkout>/dist/dita-v2", () => {
    mkdirSync(join(root, "supervisor"), { recursive: true });
    mkdirSync(join(root, "dist"), { recursive: true });
    mkdirSync(join(root, ".dita-v2/supervisor"), { recursive: true });
    cpSync(join(REPO, "supervisor/dolphin-supervisord.conf"), join(root, "supervisor/dolphin-supervisord.conf"));
    executable(join(root, "dist/dita-v2"));
    expect(commands(join(root, "supervisor/dolphin-supervisord.conf"))).toEqual({
      dita_v2: `${root}/supervisor/../dist/dita-v2`, // %(here)s/../dist/dita-v2, unnormalized
    });
  });

  test("every deploy program (the examples and the template rendered) runs <checkout>/deploy/supervisor/run-strategy.sh", () => {
    mkdirSync(join(root, "deploy"), { recursive: true });
    mkdirSync(join(root, ".dita-v2/fleet"), { recursive: true });
    cpSync(join(REPO, "deploy/supervisor"), join(root, "deploy/supervisor"), { recursive: true });
    const template = readFileSync(join(REPO, "deploy/supervisor/dita_v2.conf.template"), "utf8");
    writeFileSync(join(root, "deploy/supervisor/programs/dita_v2_teal.conf"), template.replaceAll("@NS@", "teal"));
    const script = `${root}/deploy/supervisor/programs/../run-strategy.sh`;
    expect(commands(join(root, "deploy/supervisor/supervisord.conf"))).toEqual({
      dita_v2_blue: script,
      dita_v2_green: script,
      dita_v2_pink: script,
      dita_v2_teal: script,
    });
  });
});
