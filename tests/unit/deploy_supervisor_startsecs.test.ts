/**
 * Every fleet program (deploy/supervisor/programs/*.conf, and the template they are rendered from)
 * waits at least as long before it counts a start as RUNNING as the main program
 * (supervisor/dolphin-supervisord.conf): its startsecs is longer than serve's slowest failing start
 * (a required projection sink that never answers), so such a start is a failed start, FATAL after
 * the retries. A shorter startsecs counts a serve that fails after 10 s as RUNNING and restarts it
 * for ever. Nor does one give up after fewer retries. No supervisord is started: the files are read.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dir, "../..");
const PROGRAMS = join(REPO, "deploy/supervisor/programs");
const TEMPLATE = join(REPO, "deploy/supervisor/dita_v2.conf.template");
const MAIN = join(REPO, "supervisor/dolphin-supervisord.conf");

/** `key` of every `[program:...]` section of an ini file: section name → value (null when unset). */
function programSetting(file: string, key: string): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  let section: string | null = null;
  for (const raw of readFileSync(file, "utf8").split("\n")) {
    const line = raw.trim();
    const head = /^\[program:([^\]]+)\]$/.exec(line);
    if (head) {
      section = head[1]!;
      out[section] = null;
    } else if (line.startsWith("[")) section = null;
    else if (section !== null) {
      const m = new RegExp(`^${key}\\s*=\\s*(\\S+)`).exec(line);
      if (m) out[section] = Number(m[1]);
    }
  }
  return out;
}

const files = () => [
  TEMPLATE,
  ...readdirSync(PROGRAMS)
    .filter((f) => f.endsWith(".conf"))
    .map((f) => join(PROGRAMS, f)),
];

describe("fleet programs' startsecs", () => {
  const main = programSetting(MAIN, "startsecs").dita_v2;

  test("the main program sets a startsecs (the bound every fleet program is held to)", () => {
    expect(Number.isInteger(main)).toBe(true);
    expect(main!).toBeGreaterThan(10); // serve's slowest failing start: a 10 s connect timeout
  });

  test("no fleet program or the template counts a start as RUNNING sooner than the main program does", () => {
    const found = files().flatMap((f) =>
      Object.entries(programSetting(f, "startsecs")).map(([p, secs]) => [f.slice(REPO.length + 1), p, secs]),
    );
    expect(found.length).toBeGreaterThanOrEqual(4); // the template and the three examples at least
    const short = found.filter(([, , secs]) => !(typeof secs === "number" && secs >= main!));
    expect(short).toEqual([]);
  });

  test("no fleet program or the template gives up on a failed start after fewer retries than the main program", () => {
    // More are fine: five retries (backoff 1+2+3+4+5 s) outlast a dead holder's 15 s account lease.
    const mainRetries = programSetting(MAIN, "startretries").dita_v2;
    expect(Number.isInteger(mainRetries)).toBe(true);
    const found = files().flatMap((f) =>
      Object.entries(programSetting(f, "startretries")).map(([p, n]) => [f.slice(REPO.length + 1), p, n]),
    );
    expect(found.filter(([, , n]) => !(typeof n === "number" && n >= mainRetries!))).toEqual([]);
  });
});
