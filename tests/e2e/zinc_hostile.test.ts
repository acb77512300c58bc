/**
 * A Zinc region that stops matching its layout is hostile, through the built executable: after
 * its magic, layout version or record size is overwritten under a running serve, serve raises a
 * CRITICAL ZINC_REGION_CORRUPT (in /metrics and the log), stops consuming the ring (a record a
 * producer pushes afterwards is not applied), /health answers 503 saying why, and a restart
 * refuses the region with one line naming the file and the field.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { encodeInput, INPUT_SIZE } from "../../src/kernel/index.ts";
import { ZincIntentProducer } from "../../src/zinc/index.ts";
import { scratch } from "./_exe.ts";
import { eventually, type Served, startServe } from "./_serve.ts";
import { ShmPrefixes } from "./_sim.ts";

const LIB = join(import.meta.dir, "../../ffi/build/libzinc.so");
const prefixes = new ShmPrefixes();
const serves: Served[] = [];
afterEach(async () => {
  for (const s of serves.splice(0)) if (s.proc.exitCode === null) await s.kill9();
  prefixes.removeAll();
});

const env = (prefix: string) => ({ DITA_V2_ZINC: "REAL", DITA_V2_ZINC_PREFIX: prefix, DITA_V2_SLOTS: "4" });

function overwrite(path: string, offset: number, bytes: number[]): void {
  const fd = openSync(path, "r+");
  try {
    writeSync(fd, Buffer.from(bytes), 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

const mark = (price: number) => {
  const rec = new Uint8Array(INPUT_SIZE);
  encodeInput({ type: "MARK_PRICE", asset: "BTC-USDT", price, now_ms: 1_700_000_000_000 }, rec, 0);
  return rec;
};

describe("a corrupted Zinc header under a running serve", () => {
  for (const [field, offset, bytes, says, refused] of [
    ["magic", 0, [0x44, 0x45, 0x41, 0x44], 'magic is 0x44414544, not 0x434E495A "ZINC"', "wrong magic"],
    ["layout version", 4, [9, 0], "layout version is 9, not 1", "layout version 9 is newer"],
    ["record size", 24, [0x80, 0x01, 0, 0], "record size is 384, not 320", "record size 384, expected 320"],
  ] as const) {
    test(`an overwritten ${field}: CRITICAL diagnostic, the ring no longer consumed, /health 503, a restart refuses it`, async () => {
      const prefix = prefixes.fresh("hostile");
      const stateDir = scratch("dita-hostile-");
      const s = await startServe(env(prefix), stateDir);
      serves.push(s);
      const producer = ZincIntentProducer.open({ libPath: LIB, prefix });
      try {
        expect(producer.push(mark(100))).toBe("OK");
        await eventually("the first record applied", async () =>
          String((await s.call("/metrics")).body).includes('dita_v2_inputs_total{type="RING_RECORD"} 1'),
        );
        const path = `/dev/shm/${prefix}.intents`;
        overwrite(path, offset, [...bytes]);
        const health = await eventually("/health 503", async () => {
          const h = await s.call("/health");
          return h.status === 503 ? h.body : null;
        });
        const reason = health.reasons.find((r: string) => r.startsWith("zinc region corrupt"));
        expect(reason).toContain(path);
        expect(reason).toContain(says);
        expect(String((await s.call("/metrics")).body)).toContain(
          'dita_v2_diagnostics_total{code="ZINC_REGION_CORRUPT"} 1',
        );
        expect(s.stderr()).toContain("CRITICAL ZINC_REGION_CORRUPT");
        if (field === "record size") {
          // A producer that opened before the corruption can still push: the kernel reads nothing.
          expect(producer.push(mark(200))).toBe("OK");
          await Bun.sleep(600);
          expect(String((await s.call("/metrics")).body)).toContain('dita_v2_inputs_total{type="RING_RECORD"} 1');
        }
      } finally {
        producer.close();
      }
      await s.kill9();
      const again = Bun.spawnSync([join(import.meta.dir, "../../dist/dita-v2"), "serve"], {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "/root",
          DITA_V2_STATE_DIR: stateDir,
          DITA_V2_HTTP_PORT: "0",
          ...env(prefix),
        },
        stdout: "pipe",
        stderr: "pipe",
        timeout: 20_000,
      });
      expect(again.exitCode).not.toBe(0);
      const lines = again.stderr.toString().trim().split("\n");
      expect(lines.at(-1)).toContain(`/dev/shm/${prefix}.intents`);
      expect(lines.at(-1)).toContain(refused);
    }, 60_000);
  }
});
