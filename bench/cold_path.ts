/**
 * How much slower a step of the order path runs after it sat idle, on this host. Two steps, each
 * timed (a) back to back, (b) after 50 ms asleep, (c) after 50 ms asleep in which it also ran once
 * a millisecond (what the path warmer does, src/launcher/_path_warmer.ts):
 *  - the BingX adapter's signing of one order's parameters (`hmacSha256Hex`), user space only;
 *  - one journal-sized write(2) appended to a file (the journal's write-ahead is one such write per
 *    drain, src/kernel/segment_writer.ts): a system call, with the host kernel's code and data.
 * Medians and p90 over ROUNDS samples each, all in one run; writes bench/results/cold_path.json.
 *
 *   bun bench/cold_path.ts [ROUNDS (60)]
 */

import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { hmacSha256Hex } from "../src/venue/bingx/index.ts";
import { percentile } from "./http_load.ts";

const ROUNDS = Number(process.argv[2] ?? 60);
const SECRET = "benchColdPathSecretZZZZyyyy98765";
const PAYLOAD =
  "clientOrderID=abc123&positionSide=LONG&quantity=0.001&recvWindow=5000&side=BUY&symbol=BTC-USDT&timestamp=1733380000000&type=MARKET";
/** About one journal frame holding one ring record: its 24-byte header, the entry's tag, 320 bytes. */
const ENTRY = Buffer.alloc(352, "j");

const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50_us: Number(percentile(s, 0.5).toFixed(2)), p90_us: Number(percentile(s, 0.9).toFixed(2)) };
};

async function coldness(step: () => void) {
  const timed = () => {
    const t0 = Bun.nanoseconds();
    step();
    return (Bun.nanoseconds() - t0) / 1000;
  };
  for (let i = 0; i < 20_000; i++) step(); // every tier of the JIT reached before any sample
  const hot: number[] = [];
  for (let i = 0; i < ROUNDS * 100; i++) hot.push(timed());
  const idle: number[] = [];
  const warmed: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    await Bun.sleep(50);
    idle.push(timed());
    for (let k = 0; k < 50; k++) {
      await Bun.sleep(1);
      step();
    }
    warmed.push(timed());
  }
  return { back_to_back: summary(hot), after_50ms_idle: summary(idle), after_50ms_run_once_per_ms: summary(warmed) };
}

const dir = mkdtempSync(join(tmpdir(), "dita-cold-path-"));
const fd = openSync(join(dir, "journal-like"), "a");
let written = 0;
const hmac = await coldness(() => hmacSha256Hex(SECRET, PAYLOAD));
const write = await coldness(() => {
  written += writeSync(fd, ENTRY);
});
closeSync(fd);
rmSync(dir, { recursive: true, force: true });
const result = {
  bench: "cold_path",
  runtime: `bun ${Bun.version}`,
  load_average_1_5_15: loadavg().map((x) => Number(x.toFixed(2))),
  hmac: { what: "hmacSha256Hex of one order's parameters (the BingX adapter's signing)", ...hmac },
  journal_write: {
    what: `one ${ENTRY.length}-byte write(2) appended to a file under ${tmpdir()} (the journal's write-ahead)`,
    bytes_written: written,
    ...write,
  },
};
mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results/cold_path.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
