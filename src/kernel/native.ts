/**
 * Locates the two native libraries (kernel, zinc). In development they are the build outputs on
 * disk. In the compiled executable they are embedded files, which the dynamic loader cannot map
 * directly, so they are unpacked once into a private directory (mode 0700, owned by this user)
 * under the first usable of: $TMPDIR (or /tmp), <state dir>/lib, $HOME/.cache/dita-v2. File names
 * carry a content hash, so a stale or foreign copy is never loaded. A candidate that is missing,
 * read-only or mounted noexec is skipped with a warning naming it; when none works, one error
 * names every candidate and why it failed.
 *
 * Entry points: `loadNative(name, symbols)`, `nativeLibraryPath(name)`.
 */

import { dlopen, type FFIFunction } from "bun:ffi";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import zincLib from "../../ffi/build/libzinc.so" with { type: "file" };
import kernelLib from "../../kernel/target/release/libdita_kernel.so" with { type: "file" };

export type NativeName = "dita_kernel" | "zinc";
const EMBEDDED: Record<NativeName, string> = { dita_kernel: kernelLib, zinc: zincLib };
const chosen = new Map<NativeName, string>();
/** One symbol per library, enough for dlopen to prove the file loads (bun:ffi needs one). */
const PROBE: Record<NativeName, Record<string, FFIFunction>> = {
  dita_kernel: { dita_abi_describe: { args: [], returns: "cstring" } },
  zinc: { zinc_seq: { args: ["i32"], returns: "i64" } },
};
let unpackDir: string | null = null;

export class NativeLoadError extends Error {
  override name = "NativeLoadError";
}

/** True for a path inside the compiled executable's own file system (`bun build --compile`). */
export function inExecutable(path: string): boolean {
  return path.startsWith("/$bunfs/") || path.includes("/~BUN/");
}

function isEmbedded(path: string): boolean {
  return inExecutable(path) || !existsSync(path);
}

/** [label, directory, may we create it]: TMPDIR must exist; our own fallbacks may be created. */
function candidateDirs(env: Record<string, string | undefined>): Array<[label: string, dir: string, create: boolean]> {
  const out: Array<[string, string, boolean]> = [];
  if (env.TMPDIR) out.push([`TMPDIR=${env.TMPDIR}`, env.TMPDIR, false]);
  if (env.TMPDIR !== "/tmp") out.push(["/tmp", "/tmp", false]);
  const state = env.DITA_V2_STATE_DIR || ".dita-v2";
  out.push([`DITA_V2_STATE_DIR=${state}`, join(state, "lib"), true]);
  if (env.HOME) out.push([`$HOME/.cache (${env.HOME})`, join(env.HOME, ".cache"), true]);
  return out;
}

/** Writes the library into `<base>/dita-v2-<uid>/` and returns its path; throws with a reason. */
function unpackInto(base: string, create: boolean, name: NativeName, bytes: Uint8Array): string {
  if (create) mkdirSync(base, { recursive: true, mode: 0o700 });
  if (!existsSync(base)) throw new Error("does not exist");
  const uid = process.getuid?.() ?? 0;
  const dir = join(base, `dita-v2-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid) throw new Error(`${dir} is not a directory owned by uid ${uid}`);
  chmodSync(dir, 0o700);
  const digest = Bun.hash(bytes).toString(16);
  const file = join(dir, `lib${name}-${digest}.so`);
  if (existsSync(file) && Bun.hash(readFileSync(file)).toString(16) === digest) return file;
  // A temporary file of this call's own (two containers' pid 1 may share the directory): written
  // whole, then renamed over the name; removed when the write fails.
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    writeFileSync(tmp, bytes, { mode: 0o700, flag: "wx" });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return file;
}

function reason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/EROFS|read-only/i.test(msg)) return "read-only";
  if (/ENOENT/.test(msg)) return "does not exist";
  if (/EACCES|EPERM/.test(msg)) return "permission denied";
  if (/failed to map segment|operation not permitted/i.test(msg)) return "mounted noexec";
  return msg.split("\n")[0] ?? msg;
}

/** Opens a native library with the given symbols, unpacking it first when embedded. */
export function loadNative<S extends Record<string, FFIFunction>>(name: NativeName, symbols: S, env = process.env) {
  const embedded = EMBEDDED[name];
  if (!isEmbedded(embedded)) {
    chosen.set(name, embedded);
    return dlopen(embedded, symbols);
  }
  const bytes = readFileSync(embedded);
  const failures: string[] = [];
  const dirs = unpackDir ? [["previous choice", unpackDir, false] as [string, string, boolean]] : candidateDirs(env);
  for (const [label, dir, create] of dirs) {
    try {
      const path = unpackInto(dir, create, name, bytes);
      const lib = dlopen(path, symbols);
      if (failures.length > 0) console.error(`warning: ${failures.join("; ")}; native libraries unpacked under ${dir}`);
      unpackDir = dir;
      chosen.set(name, path);
      return lib;
    } catch (e) {
      failures.push(`${label} is not usable (${reason(e)})`);
    }
  }
  throw new NativeLoadError(
    `cannot unpack the embedded lib${name}.so: ${failures.join("; ")}. Set TMPDIR to a writable, exec-allowed directory.`,
  );
}

/** Path of a library usable by another dlopen (the Zinc plane), unpacking it when needed. */
export function nativeLibraryPath(name: NativeName, env = process.env): string {
  const known = chosen.get(name);
  if (known) return known;
  loadNative(name, PROBE[name], env).close();
  return chosen.get(name)!;
}
