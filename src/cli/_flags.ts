/**
 * No flag is accepted that does nothing: citty ignores options a command does not declare, so
 * `dita-v2 smoke --pink` once ran a plain smoke. Before a command runs, every `--name` (and
 * `-x`) on the command line must be one the resolved command declares (in its own spelling,
 * kebab- or camel-case, an alias, or `--no-<boolean>`); otherwise one line names the option and
 * the command, exit 2.
 *
 * Entry point: `unknownOption(root, argv)`.
 */

import type { ArgsDef, CommandDef } from "citty";

type Lazy<T> = T | (() => T | Promise<T>);
const resolve = async <T>(v: Lazy<T> | undefined): Promise<T | undefined> =>
  typeof v === "function" ? await (v as () => T | Promise<T>)() : v;

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The first option the command does not declare, as one line; null when every option is known. */
export async function unknownOption(root: CommandDef<ArgsDef>, argv: string[]): Promise<string | null> {
  let cmd = root;
  const path: string[] = [];
  const options: string[] = [];
  for (const a of argv) {
    if (!a.startsWith("-")) {
      const subs = (await resolve(cmd.subCommands as Lazy<Record<string, Lazy<CommandDef<ArgsDef>>>>)) ?? {};
      const sub = subs[a] !== undefined ? await resolve(subs[a]) : undefined;
      if (sub !== undefined && options.length === 0) {
        cmd = sub;
        path.push(a);
      }
      continue;
    }
    if (a === "-" || /^-\d/.test(a)) continue; // stdin, or a negative number given as a value
    options.push(a);
  }
  const args = ((await resolve(cmd.args as Lazy<ArgsDef>)) ?? {}) as ArgsDef;
  const known = new Set(["help", "h", "version", "v"]);
  for (const [name, def] of Object.entries(args)) {
    for (const n of [name, kebab(name), camel(name)]) {
      known.add(n);
      if ((def as { type?: string }).type === "boolean") known.add(`no-${n}`);
    }
    const alias = (def as { alias?: string | string[] }).alias;
    for (const x of Array.isArray(alias) ? alias : alias ? [alias] : []) known.add(x);
  }
  for (const o of options) {
    const name = o.replace(/^--?/, "").split("=")[0]!;
    if (!known.has(name)) {
      const where = ["dita-v2", ...path].join(" ");
      return `unknown option ${o.split("=")[0]} for '${where}' (see ${where} --help)`;
    }
  }
  return null;
}
