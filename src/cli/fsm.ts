/** `dita-v2 fsm`: print the kernel's transition table as the kernel exports it. */

import { defineCommand } from "citty";
import { ExecutionKernel } from "../kernel/index.ts";

export const fsmCommand = defineCommand({
  meta: { name: "fsm", description: "Print the kernel's transition table (from FROM INPUT GUARD TO EFFECT)" },
  run() {
    const k = ExecutionKernel.open({ slotCount: 1 });
    process.stdout.write(k.fsmTable());
    k.destroy();
  },
});
