/**
 * The command line is checked before a command runs, because citty accepts what it does not
 * understand: `dita-v2 smoke --pink` once ran a plain smoke, `intent cancel 3 --slot 5` dropped the
 * `3`, and `--slot=5 --slot=6` took the last. `commandLineRefusal(root, argv)` answers one line
 * (exit 2) for the first of:
 *
 * - an option the resolved command does not declare (in its own spelling, kebab- or camel-case,
 *   an alias, or `--no-<boolean>`), naming the option and the command; a long option with one
 *   dash (`-dry-run`, which citty reads as the short flags d, r, y, u, n) is refused too;
 * - a boolean option with a value other than `=true`/`=false` (citty takes `--live=no` as true);
 * - `--version` or `-v` with a command (`dita-v2 intent cancel --slot 0 -v` once sent the cancel): it
 *   is given alone;
 * - an option given twice (in any of its spellings), naming it;
 * - a positional argument beyond what the command declares (most take none; a positional
 *   declared with `variadic: true` takes any number), naming the argument.
 *
 * A string option takes the next word as its value (`--size -1`, `--body -`), as citty does.
 *
 * Numbers: `decimalFlag(name, raw)` reads a numeric option as a decimal: optional `-`, digits, an
 * optional fraction and an optional exponent (`65000`, `0.01`, `1e-3`); hex, binary and octal
 * (`0x10`, `0b1`, `0o7`), empty text, spaces, `Infinity`, `NaN` and anything too large to be
 * finite are refused naming the option. `integerFlag(name, raw, lo, hi)`: digits only, in range.
 *
 * Entry points: `commandLineRefusal`, `unknownOption`, `decimalFlag`, `integerFlag`, `DECIMAL`.
 */

import type { ArgDef, ArgsDef, CommandDef } from "citty";
import { CliFailure } from "./_fail.ts";

type Lazy<T> = T | (() => T | Promise<T>);
const resolve = async <T>(v: Lazy<T> | undefined): Promise<T | undefined> =>
  typeof v === "function" ? await (v as () => T | Promise<T>)() : v;

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** One option as written: `--slot=5` is { flag: "--slot", name: "slot", inline: true }. */
interface OptionWord {
  raw: string;
  flag: string;
  name: string;
  inline: boolean;
}

/** The argv split against the command it resolves to. */
interface CommandLine {
  where: string;
  args: ArgsDef;
  hasSubCommands: boolean;
  options: OptionWord[];
  positionals: string[];
}

const isOption = (a: string) => a.startsWith("-") && a !== "-" && !/^-\d/.test(a);

async function subCommandsOf(cmd: CommandDef<ArgsDef>): Promise<Record<string, Lazy<CommandDef<ArgsDef>>>> {
  return (await resolve(cmd.subCommands as Lazy<Record<string, Lazy<CommandDef<ArgsDef>>>>)) ?? {};
}

/** Every spelling each declared option answers to, mapped to its declared name. */
function spellings(args: ArgsDef): Map<string, string> {
  const out = new Map<string, string>([
    ["help", "help"],
    ["h", "help"],
    ["version", "version"],
    ["v", "version"],
  ]);
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    for (const n of [name, kebab(name), camel(name)]) {
      out.set(n, name);
      if (def.type === "boolean") out.set(`no-${n}`, name);
    }
    const alias = (def as { alias?: string | string[] }).alias;
    for (const x of Array.isArray(alias) ? alias : alias ? [alias] : []) out.set(x, name);
  }
  return out;
}

/** Splits argv: the subcommand path (leading subcommand names), then options and positionals. */
async function splitCommandLine(root: CommandDef<ArgsDef>, argv: string[]): Promise<CommandLine> {
  let cmd = root;
  const path: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const subs = await subCommandsOf(cmd);
    const word = argv[i]!;
    if (isOption(word) || !Object.hasOwn(subs, word)) break;
    cmd = (await resolve(subs[word]))!;
    path.push(word);
  }
  const args = ((await resolve(cmd.args as Lazy<ArgsDef>)) ?? {}) as ArgsDef;
  const known = spellings(args);
  const line: CommandLine = {
    where: ["dita-v2", ...path].join(" "),
    args,
    hasSubCommands: Object.keys(await subCommandsOf(cmd)).length > 0,
    options: [],
    positionals: [],
  };
  for (; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") {
      line.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!isOption(word)) {
      line.positionals.push(word);
      continue;
    }
    const [flag, ...value] = word.split("=");
    const option = { raw: word, flag: flag!, name: flag!.replace(/^--?/, ""), inline: value.length > 0 };
    line.options.push(option);
    const def = args[known.get(option.name) ?? ""] as ArgDef | undefined;
    const takesValue = def?.type === "string" || def?.type === "enum";
    if (takesValue && !option.inline && !option.name.startsWith("no-")) i++; // the next word is its value
  }
  return line;
}

function unknownIn(line: CommandLine): string | null {
  const known = spellings(line.args);
  // citty reads `-dry-run` as the short flags d, r, y, u, n: the command would run without --dry-run.
  const dashed = line.options.find((x) => !x.flag.startsWith("--") && x.name.length > 1 && known.has(x.name));
  if (dashed)
    return `unknown option ${dashed.flag} for '${line.where}': a long option takes two dashes (-${dashed.flag})`;
  const o = line.options.find((x) => !known.has(x.name));
  return o ? `unknown option ${o.flag} for '${line.where}' (see ${line.where} --help)` : null;
}

/** citty takes `--live=no` (any value but false) as true, and `--no-live=x` as a new option. */
function booleanValueIn(line: CommandLine): string | null {
  const known = spellings(line.args);
  for (const o of line.options) {
    if (!o.inline || line.args[known.get(o.name) ?? ""]?.type !== "boolean") continue;
    const value = o.raw.slice(o.flag.length + 1);
    if (o.name.startsWith("no-") || (value !== "true" && value !== "false"))
      return `${o.raw.slice(0, 60)} is not a value the boolean ${o.flag} takes for '${line.where}': give it alone, or =true / =false`;
  }
  return null;
}

function repeatedIn(line: CommandLine): string | null {
  const known = spellings(line.args);
  const seen = new Set<string>();
  for (const o of line.options) {
    const name = known.get(o.name) ?? o.name;
    if (seen.has(name)) return `option --${kebab(name)} is given more than once for '${line.where}': give it once`;
    seen.add(name);
  }
  return null;
}

function strayIn(line: CommandLine): string | null {
  if (line.hasSubCommands) return null; // citty names an unknown subcommand itself
  const declared = Object.values(line.args).filter((d) => d.type === "positional");
  if (declared.some((d) => (d as { variadic?: boolean }).variadic === true)) return null;
  const stray = line.positionals[declared.length];
  if (stray === undefined) return null;
  const takes = declared.length === 0 ? "it takes no positional arguments" : `it takes ${declared.length}`;
  return `unexpected argument '${stray.slice(0, 40)}' for '${line.where}': ${takes} (see ${line.where} --help)`;
}

/** `--version`/`-v` prints the version alone (main.ts); with a command it would do nothing. */
function versionIn(line: CommandLine): string | null {
  const known = spellings(line.args);
  const given = line.options.some((o) => known.get(o.name) === "version");
  if (!given || Object.hasOwn(line.args, "version")) return null;
  return `--version is given alone (dita-v2 --version); with '${line.where}' it would do nothing`;
}

/** The first option the command does not declare, as one line; null when every option is known. */
export async function unknownOption(root: CommandDef<ArgsDef>, argv: string[]): Promise<string | null> {
  return unknownIn(await splitCommandLine(root, argv));
}

/** Why the command line is refused (undeclared or one-dash long option, a boolean's value, --version with a command, repeated option, stray argument), or null. */
export async function commandLineRefusal(root: CommandDef<ArgsDef>, argv: string[]): Promise<string | null> {
  const line = await splitCommandLine(root, argv);
  return unknownIn(line) ?? booleanValueIn(line) ?? versionIn(line) ?? repeatedIn(line) ?? strayIn(line);
}

/** A decimal as the CLI writes numbers (see the header); `control` reads its values with it too. */
export const DECIMAL = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** A numeric option written as a decimal (see the header); refused with one line naming it. */
export function decimalFlag(name: string, raw: string): number {
  const n = Number(raw);
  if (!DECIMAL.test(raw) || !Number.isFinite(n))
    throw new CliFailure(`--${name} must be a decimal number such as 0.01 or 65000, got '${raw.slice(0, 40)}'`, 2);
  return n;
}

/** An integer option in lo..hi, digits only. */
export function integerFlag(name: string, raw: string, lo: number, hi: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < lo || Number(raw) > hi)
    throw new CliFailure(`--${name} must be an integer ${lo}..${hi}, got '${raw.slice(0, 40)}'`, 2);
  return Number(raw);
}
