/**
 * `dita_v2_slots{stage}` lists every stage, those with no slot at 0: with a stage's series absent
 * while no slot is in it, an alert such as `dita_v2_slots{stage="STALE_STATE_RECONCILING"} == 0`
 * or `dita_v2_slots{stage="IDLE"} == 0` (no free slot) could never see its value.
 */

import { expect, test } from "bun:test";
import { STAGES } from "../../src/contracts/records.ts";
import { slotStageLines } from "../../src/launcher/metrics.ts";

test("every stage has a sample, 0 where no slot is in it", () => {
  const lines = slotStageLines([{ stage: "IDLE" }, { stage: "IDLE" }, { stage: "POSITION_OPEN" }]);
  for (const stage of STAGES) expect(lines.some((l) => l.startsWith(`dita_v2_slots{stage="${stage}"} `))).toBe(true);
  expect(lines).toContain('dita_v2_slots{stage="IDLE"} 2');
  expect(lines).toContain('dita_v2_slots{stage="POSITION_OPEN"} 1');
  expect(lines).toContain('dita_v2_slots{stage="STALE_STATE_RECONCILING"} 0');
  expect(lines.filter((l) => l.startsWith("# TYPE dita_v2_slots gauge"))).toHaveLength(1);
});
