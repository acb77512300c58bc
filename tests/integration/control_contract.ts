/**
 * The contract shared by `InMemoryControlPlane` and `RealZincControlPlane` (plus their command
 * clients). `make` returns a fresh plane (4 slots, mailbox of 4, INITIAL published) and a client.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { ControlError, type ControlSnapshot } from "../../src/contracts/control.ts";
import { type ControlCommandClient, encodeCommand, type OperatorControlPlane } from "../../src/control/index.ts";
import { controlSnapshot } from "../_support/control.ts";

export const INITIAL: ControlSnapshot = controlSnapshot({ version: 1, active_slot_limit: 2 });
const NOW = 1_700_000_000_500;

export interface ControlPair {
  plane: OperatorControlPlane;
  client: ControlCommandClient;
}

export function controlContract(name: string, make: () => ControlPair, cleanup: () => void): void {
  describe(`ControlPlane contract: ${name}`, () => {
    let pair: ControlPair | null = null;
    const open = (): ControlPair => (pair = make());
    afterEach(() => {
      pair?.client.close();
      pair?.plane.close();
      pair = null;
      cleanup();
    });

    test("an accepted change yields a new versioned snapshot that waiters and clients see", async () => {
      const { plane, client } = open();
      const v0 = plane.snapshot().version;
      const waited = client.waitSnapshot(v0, 5000);
      const next = plane.apply({ mode: "DEBUG", active_slot_limit: 4 }, NOW);
      expect(next).toMatchObject({ version: v0 + 1, mode: "DEBUG", active_slot_limit: 4, updated_at_ms: NOW });
      expect(await waited).toEqual(next);
      expect(await plane.wait(v0, 5000)).toEqual(next);
      expect(client.snapshot()).toEqual(next);
    });

    test("unknown keys and values are rejected with ControlError naming the key, changing nothing", () => {
      const { plane } = open();
      const before = plane.snapshot();
      const refused = (change: Record<string, unknown>, key: string): void => {
        let err: unknown;
        try {
          plane.apply(change, NOW);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(ControlError);
        expect((err as ControlError).key).toBe(key);
      };
      refused({ turbo: true }, "turbo");
      refused({ mode: "TURBO" }, "mode");
      refused({ verbosity: 3 }, "verbosity");
      refused({ active_slot_limit: 5 }, "active_slot_limit");
      refused({ trace_transitions: "yes" }, "trace_transitions");
      expect(plane.snapshot()).toEqual(before);
    });

    test("wait resolves null at the timeout when the version does not change", async () => {
      const { plane } = open();
      expect(await plane.wait(plane.snapshot().version, 40)).toBeNull();
    });

    test("a command posted to the mailbox takes effect on poll and is answered APPLIED", async () => {
      const { plane, client } = open();
      const v0 = plane.snapshot().version;
      const seq = plane.seq();
      expect(client.post({ verbosity: "TRACE", mirror_to_hazelcast: true }, 7)).toBe("OK");
      expect(await plane.waitSeq(seq, 5000)).not.toBe(seq); // a post wakes the kernel side
      const results = plane.pollCommands(NOW);
      expect(results).toEqual([
        { requestId: 7, status: "APPLIED", key: "", message: `applied, version ${v0 + 1}`, version: v0 + 1 },
      ]);
      expect(client.snapshot()).toMatchObject({ version: v0 + 1, verbosity: "TRACE", mirror_to_hazelcast: true });
      expect(client.lastResult()).toEqual(results[0] ?? null);
    });

    test("a mailbox command with an unknown value is REJECTED naming the key and applies nothing", () => {
      const { plane, client } = open();
      const before = plane.snapshot();
      client.post({ backend: "KRAKEN" }, 8);
      expect(plane.pollCommands(NOW)).toMatchObject([
        { requestId: 8, status: "REJECTED", key: "backend", version: before.version },
      ]);
      expect(plane.snapshot()).toEqual(before);
    });

    test("garbage mailbox bytes are answered MALFORMED, apply nothing, and later commands still work", () => {
      const { plane, client } = open();
      const before = plane.snapshot();
      const garbage = Uint8Array.from({ length: 256 }, (_, i) => (i * 37 + 11) & 0xff);
      const badJson = encodeCommand({ mode: "DEBUG" }, 9);
      badJson[16] = 0x7b; // '{' kept, then break the JSON text
      badJson[17] = 0x7d;
      badJson[18] = 0x22;
      expect(client.postRaw(garbage)).toBe("OK");
      expect(client.postRaw(badJson)).toBe("OK");
      expect(client.postRaw(new Uint8Array(256))).toBe("OK");
      client.post({ mode: "DEBUG" }, 10);
      const results = plane.pollCommands(NOW);
      expect(results.map((r) => r.status)).toEqual(["MALFORMED", "MALFORMED", "MALFORMED", "APPLIED"]);
      expect(results[0]?.message).toMatch(/malformed mailbox command: kind \d+ is not 1/);
      expect(results[1]?.message).toMatch(/malformed mailbox command: json does not parse/);
      expect(plane.snapshot()).toMatchObject({ version: before.version + 1, mode: "DEBUG" });
    });

    test("a full mailbox answers FULL and loses nothing once polled", () => {
      const { plane, client } = open();
      for (let i = 0; i < 4; i++) expect(client.post({ active_slot_limit: 1 + (i % 4) }, i)).toBe("OK");
      expect(client.post({ mode: "DEBUG" }, 99)).toBe("FULL");
      expect(plane.pollCommands(NOW).map((r) => r.requestId)).toEqual([0, 1, 2, 3]);
      expect(client.post({ mode: "DEBUG" }, 100)).toBe("OK");
      expect(plane.pollCommands(NOW).map((r) => r.status)).toEqual(["APPLIED"]);
    });

    test("a change too large for one mailbox record is refused before it is posted", () => {
      const { client } = open();
      expect(() => client.post({ mode: "x".repeat(300) }, 1)).toThrow(ControlError);
    });
  });
}
