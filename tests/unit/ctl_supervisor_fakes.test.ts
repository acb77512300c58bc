/**
 * `dita-v2 ctl` (src/launcher/supervisor.ts) against fake `supervisorctl` and `supervisord`
 * executables put first on PATH: no supervisord runs. The fakes answer like supervisor 4.2 does
 * (`status` exits 4 and prints "... no such file" when the socket is absent, any other action 7;
 * `<name>: ERROR (no such process)` for a program the config lacks; `pid` prints supervisord's pid)
 * and record every call, so a test sees what ctl asked for. supervisord's pid is a real `sleep`
 * this file starts with a chosen environment: ctl compares the caller's environment with it.
 */

import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { supervisorCtl } from "../../src/launcher/supervisor.ts";

const dir = mkdtempSync(join(tmpdir(), "dita-ctl-fakes-"));
const bin = join(dir, "bin");
const conf = join(dir, "supervisor/dolphin-supervisord.conf");
mkdirSync(bin);
mkdirSync(join(dir, "supervisor"));
writeFileSync(conf, "; the fakes never read it\n");

const FAKE_CTL = `#!/bin/sh
d="$FAKE_SV_DIR"
[ "$1" = "-c" ] && shift 2
echo "supervisorctl $*" >> "$d/calls"
if [ ! -f "$d/up" ]; then
  echo "unix://$d/supervisor.sock no such file"
  [ "$1" = status ] && exit 4
  exit 7
fi
if [ "$1" = pid ]; then cat "$d/pid"; exit 0; fi
if [ ! -f "$d/state" ]; then
  echo "$2: ERROR (no such process)"
  [ "$1" = status ] && exit 4
  exit 1
fi
case "$1" in
  status) s=$(cat "$d/state"); echo "dolphin:dita_v2                  $s   fake"; [ "$s" = RUNNING ] && exit 0; exit 3 ;;
  tail) cat "$d/\${3:-stdout}.log" ;;
  start|restart) echo RUNNING > "$d/state"; echo "$2: started" ;;
  stop) echo STOPPED > "$d/state"; echo "$2: stopped" ;;
esac
`;
const FAKE_SUPERVISORD = `#!/bin/sh
d="$FAKE_SV_DIR"
echo "supervisord $*" >> "$d/calls"
env > "$d/supervisord.env"
touch "$d/up"
echo RUNNING > "$d/state"
`;
writeFileSync(join(bin, "supervisorctl"), FAKE_CTL);
writeFileSync(join(bin, "supervisord"), FAKE_SUPERVISORD);
chmodSync(join(bin, "supervisorctl"), 0o755);
chmodSync(join(bin, "supervisord"), 0o755);

const saved = { PATH: process.env.PATH, FAKE_SV_DIR: process.env.FAKE_SV_DIR };
process.env.PATH = `${bin}:${saved.PATH ?? "/usr/bin:/bin"}`;
process.env.FAKE_SV_DIR = dir;
const running: { kill(): void }[] = [];

afterAll(() => {
  for (const p of running) p.kill();
  process.env.PATH = saved.PATH;
  if (saved.FAKE_SV_DIR === undefined) delete process.env.FAKE_SV_DIR;
  else process.env.FAKE_SV_DIR = saved.FAKE_SV_DIR;
  rmSync(dir, { recursive: true, force: true });
});

const noSleep = async () => {};
const PATH_ONLY = { PATH: process.env.PATH };

beforeEach(() => {
  for (const f of ["calls", "up", "state", "pid", "supervisord.env"]) rmSync(join(dir, f), { force: true });
  writeFileSync(join(dir, "calls"), "");
});

const calls = () => readFileSync(join(dir, "calls"), "utf8");
const state = () => (existsSync(join(dir, "state")) ? readFileSync(join(dir, "state"), "utf8").trim() : null);

/** supervisord is up with `program` in that state, its process running with `env`. */
async function supervisordUp(program: string | null, env: Record<string, string>): Promise<void> {
  writeFileSync(join(dir, "up"), "");
  if (program !== null) writeFileSync(join(dir, "state"), `${program}\n`);
  // stdin/stderr not inherited: a process outliving a failed run must not hold the runner's pipes open
  const p = Bun.spawn(["sh", "-c", "echo up; exec sleep 600"], {
    env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "ignore",
  });
  running.push(p);
  const reader = p.stdout.getReader();
  await reader.read(); // the shell runs with `env` once it printed
  reader.releaseLock();
  writeFileSync(join(dir, "pid"), `${p.pid}\n`);
}

describe("ctl tail", () => {
  test("exits 4 (supervisord unreachable) when supervisord is not running, not supervisorctl's own 7", async () => {
    const r = await supervisorCtl("tail", conf, PATH_ONLY, noSleep, true);
    expect(r.code).toBe(4);
    expect(r.out).toContain("supervisord is not reachable");
  });

  test("prints the program's stderr log with exit 0 while supervisord runs", async () => {
    await supervisordUp("RUNNING", { DITA_V2_VENUE: "BINGX" });
    writeFileSync(join(dir, "stderr.log"), "[dita-v2] serving\n");
    expect(await supervisorCtl("tail", conf, PATH_ONLY, noSleep, true)).toEqual({
      code: 0,
      out: "[dita-v2] serving",
    });
    expect(calls()).toContain("supervisorctl tail dolphin:dita_v2 stderr");
  });
});

describe("ctl start and restart while supervisord already runs", () => {
  const theirs = { DITA_V2_VENUE: "BINGX", BINGX_API_KEY: "old-key-0123", BINGX_API_SECRET: "old-secret-0123" };

  test("start refuses (exit 2) when this shell sets DITA_V2_VENUE or a BingX key otherwise than supervisord's environment, naming the variables but no value, and starts nothing", async () => {
    await supervisordUp("STOPPED", theirs);
    const mine = {
      ...PATH_ONLY,
      DITA_V2_VENUE: "MOCK",
      BINGX_API_KEY: "new-key-4567",
      BINGX_API_SECRET: theirs.BINGX_API_SECRET,
    };
    const r = await supervisorCtl("start", conf, mine, noSleep);
    expect(r.code).toBe(2);
    expect(r.out).toContain("BINGX_API_KEY, DITA_V2_VENUE");
    expect(r.out).toContain("shutdown");
    for (const secret of ["new-key-4567", "old-key-0123", "old-secret-0123", "MOCK"])
      expect(r.out).not.toContain(secret);
    expect(calls()).not.toMatch(/supervisorctl start|supervisord /);
    expect(state()).toBe("STOPPED");
  });

  test("restart refuses the same way and leaves the running program alone", async () => {
    await supervisordUp("RUNNING", theirs);
    const r = await supervisorCtl("restart", conf, { ...PATH_ONLY, DITA_V2_VENUE: "MOCK" }, noSleep);
    expect(r.code).toBe(2);
    expect(r.out).toContain("DITA_V2_VENUE");
    expect(calls()).not.toContain("supervisorctl restart");
  });

  test("start with the values supervisord already has (or without them) starts the program: exit 0", async () => {
    await supervisordUp("STOPPED", theirs);
    const r = await supervisorCtl("start", conf, { ...PATH_ONLY, BINGX_API_KEY: theirs.BINGX_API_KEY }, noSleep);
    expect(r).toEqual({ code: 0, out: "dolphin:dita_v2 RUNNING" });
    expect(calls()).toContain("supervisorctl start dolphin:dita_v2");
  });
});

describe("ctl against a supervisord whose config has no dolphin:dita_v2", () => {
  test("start says so (exit 2) and never launches a second supervisord", async () => {
    await supervisordUp(null, { DITA_V2_VENUE: "BINGX" });
    const r = await supervisorCtl("start", conf, PATH_ONLY, noSleep);
    expect(r.code).toBe(2);
    expect(r.out).toContain("has no program dolphin:dita_v2");
    expect(calls()).not.toContain("supervisord ");
  });

  test("status says so too instead of calling supervisord unreachable", async () => {
    await supervisordUp(null, { DITA_V2_VENUE: "BINGX" });
    const r = await supervisorCtl("status", conf, PATH_ONLY, noSleep);
    expect(r.code).toBe(2);
    expect(r.out).not.toContain("not reachable");
  });
});

describe("ctl start when supervisord is not running", () => {
  test("launches supervisord with the operator's explicit variables over the posture defaults, the defaults for the rest", async () => {
    const r = await supervisorCtl(
      "start",
      conf,
      { ...PATH_ONLY, DITA_V2_VENUE: "MOCK", DITA_V2_MODE: "PROD" },
      noSleep,
    );
    expect(r).toEqual({ code: 0, out: "dolphin:dita_v2 RUNNING" });
    const env = readFileSync(join(dir, "supervisord.env"), "utf8").split("\n");
    expect(env).toContain("DITA_V2_VENUE=MOCK");
    expect(env).toContain("DITA_V2_MODE=PROD");
    expect(env).toContain("DITA_V2_ZINC=REAL");
    expect(env).toContain("DITA_V2_VERBOSITY=TRACE");
  });

  test("prepares the state dir and supervisord's directory next to the config owner-only (0700) under umask 022, and tightens ones an earlier start left 0755", async () => {
    const state = join(dir, ".dita-v2");
    const modes = () => [state, join(state, "supervisor")].map((d) => (statSync(d).mode & 0o777).toString(8));
    const umask = process.umask(0o022);
    try {
      rmSync(state, { recursive: true, force: true });
      expect((await supervisorCtl("start", conf, PATH_ONLY, noSleep)).code).toBe(0);
      expect(modes()).toEqual(["700", "700"]);
      rmSync(join(dir, "up"));
      chmodSync(state, 0o755);
      chmodSync(join(state, "supervisor"), 0o755);
      expect((await supervisorCtl("start", conf, PATH_ONLY, noSleep)).code).toBe(0);
      expect(modes()).toEqual(["700", "700"]);
    } finally {
      process.umask(umask);
    }
  });

  test("stop exits 4 (unreachable) and status exits 4", async () => {
    expect((await supervisorCtl("stop", conf, PATH_ONLY, noSleep)).code).toBe(4);
    expect((await supervisorCtl("status", conf, PATH_ONLY, noSleep)).code).toBe(4);
  });
});
