/**
 * deploy/supervisor/run-strategy.sh: a strategy's state dir and Zinc prefix come from its own env
 * file (or its namespace), never from supervisord's environment. Every program of the host inherits
 * that environment: a DITA_V2_STATE_DIR exported in the shell that started supervisord (to point the
 * CLI at one strategy's token) once gave every kernel that one state dir, so blue restored pink's
 * journal; an exported DITA_V2_ZINC_PREFIX (the single-host setup exports one) gave them one set of
 * regions.
 */

import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const SCRIPT = resolve(import.meta.dir, "../../deploy/supervisor/run-strategy.sh");
const CHECKOUT = resolve(import.meta.dir, "../..");
const dir = mkdtempSync(join(tmpdir(), "dita-run-strategy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exe = join(dir, "fake-dita-v2");
// Prints the prefix as "unset" when the kernel would get none (config then takes dita_v2_<ns>).
const shellLine = 'echo "$1|$DITA_V2_STRATEGY|$DITA_V2_STATE_DIR|$' + '{DITA_V2_ZINC_PREFIX-unset}"';
writeFileSync(exe, `#!/bin/sh\n${shellLine}\n`);
chmodSync(exe, 0o755);

function envFile(ns: string, text: string): void {
  const f = join(dir, `${ns}.env`);
  writeFileSync(f, text);
  chmodSync(f, 0o600);
}

/** run-strategy.sh NS as supervisord would start it, with `inherited` in supervisord's environment. */
function start(ns: string, inherited: Record<string, string>): string {
  const r = Bun.spawnSync(["sh", SCRIPT, ns], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", DITA_V2_ENV_DIR: dir, DITA_V2_EXE: exe, ...inherited },
  });
  expect([r.exitCode, r.stderr.toString()]).toEqual([0, ""]);
  return r.stdout.toString().trim();
}

const shell = { DITA_V2_STATE_DIR: "/srv/desk/.dita-v2/fleet/pink", DITA_V2_ZINC_PREFIX: "dita_v2_pink" };

describe("run-strategy.sh ignores a state dir and Zinc prefix inherited from supervisord", () => {
  test("an env file naming neither: the namespace's own state dir, the default prefix", () => {
    envFile("blue", "DITA_V2_HTTP_PORT=7872\n");
    expect(start("blue", shell)).toBe(`serve|blue|${CHECKOUT}/.dita-v2/fleet/blue|unset`);
  });

  test("an env file naming them: the file's values", () => {
    envFile("green", "DITA_V2_STATE_DIR=/var/lib/dita/green\nDITA_V2_ZINC_PREFIX=dita_v2_green_a\n");
    expect(start("green", shell)).toBe("serve|green|/var/lib/dita/green|dita_v2_green_a");
  });
});
