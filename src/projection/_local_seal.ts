/**
 * The local sink's sealed files (local.ts). The local file is the destination of a serve without
 * servers and nothing drains it, so kept whole it grew until the spool's cap refused the newest rows
 * (SPOOL_FULL, CRITICAL, after weeks on defaults). Once it holds `segmentBytes` of its own (beyond what
 * its last seal carried over) it is sealed: moved whole to `<spool dir>/local-sealed/<n>.spool` (n = 1,
 * 2, …, eight digits; never reused: one above the highest there, across restarts), and a new
 * `local.spool` (generation + 1) starts with the latest write of every map key, so the active file alone
 * holds each key's latest value. At most `keep` sealed files stay: beyond that the oldest is deleted
 * (retention, as the journal's DITA_V2_JOURNAL_KEEP), and the sink says which.
 *
 * Crash safety (`sealLocalFile`): the new file is written to `local.spool.tmp` and fsynced; then
 * `local.spool` is renamed into the sealed directory, the tmp renamed to `local.spool`, and both
 * directories fsynced. A crash before the first rename leaves the file as it was (the tmp is ignored and
 * overwritten later); between the two, no `local.spool`: the spool starts a fresh one, and the sealed file
 * still holds the latest map writes, read before the active file by `readLocalSpool`, so each key's latest
 * write is still the last one read. Records are in exactly one file, in order across them.
 *
 * Entry points: `SealedFiles.open(spoolDir)`, `next()`, `took(n)`, `prune(keep)`, `sealedPaths(spoolDir)`.
 */

import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fsyncDir, ownerOnlyDir } from "./_spool_file.ts";

const SEALED_DIR = "local-sealed";
const SEALED_RE = /^(\d{8})\.spool$/;

/** The file name of sealed file `n`. */
const sealedName = (n: number) => `${String(n).padStart(8, "0")}.spool`;

/** Sealed file indices in `dir`, ascending (other files there are left alone). */
function indicesIn(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => SEALED_RE.exec(f)?.[1])
    .filter((d): d is string => d !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

const sizeOf = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

export class SealedFiles {
  /** The sealed files' numbers, ascending; null while the directory could not be listed. */
  private held: number[] | null = null;
  /** The bytes of the files in `held` (read when each was listed or sealed). */
  private heldBytes = 0;

  private constructor(readonly dir: string) {}

  /**
   * The sealed directory of `spoolDir` and the files in it (the directory is made at the first seal).
   * One that cannot be listed (not a directory, no permission) is no failure here: `next` throws, so no
   * seal is made while the numbers taken are unknown (one could overwrite a sealed file), and lists again.
   */
  static open(spoolDir: string): SealedFiles {
    const files = new SealedFiles(join(spoolDir, SEALED_DIR));
    try {
      files.list();
    } catch {
      files.held = null;
    }
    return files;
  }

  /** Sealed files held now. */
  get count(): number {
    return this.held?.length ?? 0;
  }

  /** Their bytes on disk (0 while the directory could not be listed). */
  get bytes(): number {
    return this.heldBytes;
  }

  /** Lists the directory (throws when it cannot be listed). */
  private list(): number[] {
    const held = indicesIn(this.dir);
    this.heldBytes = held.reduce((n, i) => n + sizeOf(join(this.dir, sealedName(i))), 0);
    this.held = held;
    return held;
  }

  /** The path the next seal moves the local file to: one above the highest index held here (the directory made 0700). */
  next(): { n: number; path: string } {
    ownerOnlyDir(this.dir);
    const held = this.held ?? this.list();
    const n = (held.at(-1) ?? 0) + 1;
    return { n, path: join(this.dir, sealedName(n)) };
  }

  /** Seal `n` is in place. */
  took(n: number): void {
    if (this.held === null) return;
    this.held.push(n);
    this.heldBytes += sizeOf(join(this.dir, sealedName(n)));
  }

  /** Deletes the oldest sealed files beyond `keep`; returns their names and sizes. */
  prune(keep: number): { file: string; bytes: number }[] {
    const gone: { file: string; bytes: number }[] = [];
    if (this.held === null) return gone;
    while (this.held.length > keep) {
      const path = join(this.dir, sealedName(this.held[0]!));
      const bytes = sizeOf(path);
      rmSync(path, { force: true });
      gone.push({ file: path, bytes });
      this.held.shift();
      this.heldBytes -= bytes;
    }
    if (gone.length > 0) fsyncDir(this.dir);
    return gone;
  }
}

/** The local sink's sealed files under `spoolDir`, oldest first (read before `local.spool`: `readLocalSpool`). */
export function sealedPaths(spoolDir: string): string[] {
  const dir = join(spoolDir, SEALED_DIR);
  return indicesIn(dir).map((n) => join(dir, sealedName(n)));
}
