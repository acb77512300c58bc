/**
 * Tidy, the structure: each src folder's `index.ts` is its public surface and re-exports no
 * internal (`_name.ts`) file; no file imports another folder's internal file; the folders import
 * each other without a cycle; the docs a user reads point at nothing outside the repository.
 */

import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = join(import.meta.dir, "../..");
const src = join(root, "src");

function walk(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name.startsWith(".") ? [] : walk(p, ext);
    return e.name.endsWith(ext) ? [p] : [];
  });
}

const sources = walk(src, ".ts");
const specifiers = (file: string) =>
  [...readFileSync(file, "utf8").matchAll(/(?:import|export)[^;]*?from\s+"([^"]+)"/g)].map((m) => m[1]!);
/** The top-level src folder a path belongs to ("kernel" for src/kernel/x.ts and src/kernel/a/b.ts). */
const folderOf = (abs: string) => relative(src, abs).split("/")[0]!;

describe("tidy: structure", () => {
  test("no index.ts re-exports an internal _ file", () => {
    const offenders = sources
      .filter((f) => f.endsWith("/index.ts"))
      .flatMap((f) =>
        specifiers(f)
          .filter((s) => /(^|\/)_[^/]+\.ts$/.test(s))
          .map((s) => `${relative(root, f)}: ${s}`),
      );
    expect(offenders).toEqual([]);
  });

  test("no file imports another folder's internal _ file", () => {
    const offenders = sources.flatMap((f) =>
      specifiers(f)
        .filter((s) => s.startsWith("."))
        .map((s) => resolve(dirname(f), s))
        .filter((target) => /\/_[^/]+\.ts$/.test(target) && target.startsWith(src) && folderOf(target) !== folderOf(f))
        .map((target) => `${relative(root, f)} -> ${relative(root, target)}`),
    );
    expect(offenders).toEqual([]);
  });

  test("the src folders import each other without a cycle", () => {
    const edges = new Map<string, Set<string>>();
    for (const f of sources) {
      for (const s of specifiers(f).filter((x) => x.startsWith("."))) {
        const target = resolve(dirname(f), s);
        if (!target.startsWith(`${src}/`) || folderOf(target) === folderOf(f)) continue;
        if (!edges.has(folderOf(f))) edges.set(folderOf(f), new Set());
        edges.get(folderOf(f))!.add(folderOf(target));
      }
    }
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      if (path.includes(node)) {
        cycles.push([...path.slice(path.indexOf(node)), node].join(" -> "));
        return;
      }
      for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
    };
    for (const node of edges.keys()) visit(node, []);
    expect([...new Set(cycles)]).toEqual([]);
  });

  test("the project's docs point at nothing outside the repository", () => {
    const docs = [
      ...walk(root, ".md").filter((f) => !f.includes("/node_modules/") && !f.includes("/dist/")),
      ...sources,
    ];
    const outside =
      /\.\.\/shared|shared\/(DESIGN|STYLE|reference|seed)|(?<![\w/])DESIGN\.md|STYLE\.md|reference\/services\.md|reference\/bingx-swap-api\.md/;
    const offenders = docs.filter((f) => outside.test(readFileSync(f, "utf8"))).map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });
});
