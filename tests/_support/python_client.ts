/**
 * The Python strategy client, run from its source tree in one `python3` process for tests that
 * compare it with the TypeScript client: `script` reads JSON from stdin and prints JSON. Records go
 * in as hex strings (`hexOf`). A failing interpreter is an error carrying its stderr.
 */

import { join } from "node:path";

const PKG = join(import.meta.dir, "../../clients/python");

export const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

export function runPythonClient(script: string, input: unknown): unknown {
  const r = Bun.spawnSync(["python3", "-c", script], {
    env: { PATH: process.env.PATH ?? "", PYTHONPATH: PKG },
    stdin: new TextEncoder().encode(JSON.stringify(input)),
    stdout: "pipe",
    stderr: "pipe",
  });
  if (r.exitCode !== 0) throw new Error(`python3 failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString());
}
