/**
 * deploy/supervisor/run-strategy.sh reads <env dir>/<ns>.env as KEY=value lines and gives the
 * kernel each value as written. Sourcing the file as shell code instead turned a ClickHouse
 * password with `$` or `&` into something else (`$word` expanded to nothing, `&` ran the rest as a
 * command) and the kernel got a wrong URL; a line that is no KEY=value is refused naming its line
 * number only (the line may hold a secret: supervisord keeps stderr in a log).
 */

import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const SCRIPT = resolve(import.meta.dir, "../../deploy/supervisor/run-strategy.sh");
const dir = mkdtempSync(join(tmpdir(), "dita-env-literal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exe = join(dir, "fake-dita-v2");
writeFileSync(exe, '#!/bin/sh\nprintf "%s\\n" "$DITA_V2_CLICKHOUSE_URL" "$BINGX_API_SECRET" "$DITA_V2_HTTP_PORT"\n');
chmodSync(exe, 0o755);

function run(ns: string, text: string) {
  const f = join(dir, `${ns}.env`);
  writeFileSync(f, text);
  chmodSync(f, 0o600);
  const r = Bun.spawnSync(["sh", SCRIPT, ns], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", DITA_V2_ENV_DIR: dir, DITA_V2_EXE: exe },
  });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

describe("run-strategy.sh env file values are taken literally", () => {
  test("a password with $, & and ; reaches the kernel as written; comments, blank lines and one pair of quotes are fine", () => {
    const r = run(
      "pink",
      [
        "# ClickHouse",
        "DITA_V2_CLICKHOUSE_URL=http://dita:pa$word&x;y@10.0.0.4:8123",
        "",
        "  # indented comment",
        'BINGX_API_SECRET="s3cr$t with space"',
        "DITA_V2_HTTP_PORT='7871'\r",
        "",
      ].join("\n"),
    );
    expect(r).toEqual({
      code: 0,
      out: "http://dita:pa$word&x;y@10.0.0.4:8123\ns3cr$t with space\n7871\n",
      err: "",
    });
  });

  test("a line that is no KEY=value is refused by its line number, without its text", () => {
    const r = run("blue", "DITA_V2_HTTP_PORT=7872\nhunter2-secret-line\n");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain("line 2");
    expect(r.err).not.toContain("hunter2");
  });
});
