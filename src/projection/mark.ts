/**
 * The projected mark: `<stateDir>/spool/projected.mark` holds `{"run","seq"}`, the kernel lifetime
 * whose rows the spools hold and the highest journal seq whose rows are all in them. The projection
 * rewrites it after each drain, once the drained rows were appended to every spool; the launcher
 * reads it at start to re-project, from the journal, what a SIGKILL lost between an input and the
 * spool append (the inputs of run `run` after `seq`, and every later run's journal in full).
 *
 * Invariant: when the mark says (run, seq), every row of run `run` from inputs ≤ seq is in every
 * spool (or already acknowledged by its sink). So once a spool refused a row (SPOOL_FULL) the
 * projection stops writing the mark (create.ts): catch-up then rebuilds from the last true mark.
 * It is one fixed-size pwrite at offset 0 of a file kept open (no rename): a SIGKILL cannot tear it,
 * and it costs one syscall per drain that built rows. Like the spools, it is 0600 in a 0700 directory.
 *
 * Entry points: `ProjectedMark.open(stateDir, run)`, `.write(seq)`, `readProjectedMark(stateDir)`.
 */
import { closeSync, existsSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { RUN_ID_RE } from "../contracts/records.ts";
import { openOwnerOnly, ownerOnlyDir } from "./_spool_file.ts";

const MARK_BYTES = 96;

export interface Mark {
  run: string;
  seq: number;
}

export function markPath(stateDir: string): string {
  return join(stateDir, "spool", "projected.mark");
}

export class ProjectedMark {
  private fd: number | null;
  private last = -1;
  private readonly buf = Buffer.alloc(MARK_BYTES);

  private constructor(
    path: string,
    private readonly run: string,
  ) {
    // Opened without truncation: the previous run's mark stays readable until this run writes its own.
    this.fd = openOwnerOnly(path, existsSync(path) ? "r+" : "w"); // 0600 whatever the umask
  }

  static open(stateDir: string, run: string): ProjectedMark {
    if (!RUN_ID_RE.test(run)) throw new Error(`Condition failed: run id must match ${RUN_ID_RE.source}, got ${run}`);
    ownerOnlyDir(join(stateDir, "spool"));
    return new ProjectedMark(markPath(stateDir), run);
  }

  /** Records that every row of this run from inputs ≤ seq is spooled (a lower or equal seq is ignored). */
  write(seq: number): void {
    if (this.fd === null || seq <= this.last) return;
    this.last = seq;
    const text = JSON.stringify({ run: this.run, seq });
    this.buf.fill(0x20);
    this.buf.write(text, 0, "utf8");
    this.buf[MARK_BYTES - 1] = 0x0a;
    writeSync(this.fd, this.buf, 0, MARK_BYTES, 0);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** The mark a previous run left, or null (none, or unreadable: then nothing is caught up). */
export function readProjectedMark(stateDir: string): Mark | null {
  const path = markPath(stateDir);
  if (!existsSync(path)) return null;
  try {
    const m = JSON.parse(readFileSync(path, "utf8").trim()) as Partial<Mark>;
    if (typeof m.run !== "string" || !RUN_ID_RE.test(m.run)) return null;
    if (typeof m.seq !== "number" || !Number.isSafeInteger(m.seq) || m.seq < 0) return null;
    return { run: m.run, seq: m.seq };
  } catch {
    return null;
  }
}
