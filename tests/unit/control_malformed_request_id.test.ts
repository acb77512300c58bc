/**
 * A mailbox command whose header is a command's (kind JSON_CHANGE) but whose body is malformed
 * (JSON that does not parse, a length out of range, reserved bytes set) is answered MALFORMED under
 * ITS request id: its poster waits for the result of that id (ffi/README.md §6) and must learn
 * that the command was refused. Answered under id 0, the poster never saw an answer, and a
 * poster that uses id 0 read someone else's refusal as its own. A record that is not a command at
 * all (another kind) has no request id to trust: 0. Both planes, the real one in /dev/shm.
 */

import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, unlinkSync } from "node:fs";
import {
  type ControlCommandClient,
  encodeCommand,
  InMemoryControlPlane,
  type OperatorControlPlane,
  RealControlCommandClient,
  RealZincControlPlane,
} from "../../src/control/index.ts";
import { nativeLibraryPath } from "../../src/kernel/index.ts";
import { INITIAL } from "../integration/control_contract.ts";

const NOW = 1_700_000_000_500;
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanups.splice(0).reverse()) f();
});

function inMemory(): { plane: OperatorControlPlane; client: ControlCommandClient } {
  const plane = new InMemoryControlPlane(INITIAL, 4);
  return { plane, client: plane.client() };
}

function real(): { plane: OperatorControlPlane; client: ControlCommandClient } {
  const libPath = nativeLibraryPath("zinc");
  const prefix = `dita_test_ctl_malformed_id_${process.pid}`;
  const plane = RealZincControlPlane.open({ libPath, prefix, slotCount: 4, initial: INITIAL });
  const client = RealControlCommandClient.open({ libPath, prefix, slotCount: 4 });
  cleanups.push(() => {
    client.close();
    plane.close();
    if (existsSync(`/dev/shm/${prefix}.control`)) unlinkSync(`/dev/shm/${prefix}.control`);
  });
  return { plane, client };
}

for (const [name, open] of [
  ["InMemoryControlPlane", inMemory],
  ["RealZincControlPlane", real],
] as const) {
  describe(name, () => {
    test("a command record with a malformed body is answered MALFORMED under its own request id", () => {
      const { plane, client } = open();
      const badJson = encodeCommand({ mode: "DEBUG" }, 9);
      badJson[17] = 0x7d; // `{}` ... then the rest of the text: no longer JSON
      badJson[18] = 0x22;
      const badLength = encodeCommand({ mode: "DEBUG" }, 10);
      new DataView(badLength.buffer).setUint16(2, 241, true);
      const badReserved = encodeCommand({ mode: "DEBUG" }, 11);
      badReserved[8] = 1;
      for (const r of [badJson, badLength, badReserved]) expect(client.postRaw(r)).toBe("OK");
      const results = plane.pollCommands(NOW);
      expect(results.map((r) => [r.requestId, r.status])).toEqual([
        [9, "MALFORMED"],
        [10, "MALFORMED"],
        [11, "MALFORMED"],
      ]);
      expect(client.lastResult()).toMatchObject({ requestId: 11, status: "MALFORMED", key: "mailbox" });
      expect(plane.snapshot().version).toBe(INITIAL.version);
    });

    test("a record that is not a command (another kind) is answered MALFORMED under id 0", () => {
      const { plane, client } = open();
      const other = encodeCommand({ mode: "DEBUG" }, 12);
      new DataView(other.buffer).setUint16(0, 2, true);
      expect(client.postRaw(other)).toBe("OK");
      expect(plane.pollCommands(NOW)).toMatchObject([{ requestId: 0, status: "MALFORMED" }]);
    });
  });
}
