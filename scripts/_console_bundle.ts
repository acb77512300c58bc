/**
 * The console's browser bundle: `Bun.build` of src/console/ui/main.ts (preact, htm, uPlot and the
 * console's own code, minified) into dist/console/app.js and dist/console/app.css, which the
 * executable then embeds (src/console/assets.ts). The page, script and style together must stay
 * within the payload budget, or the build stops naming the sizes.
 *
 * Entry point: `bundleConsole(root)`.
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const BUDGET_BYTES = 300 * 1024; // PAYLOAD_BUDGET_BYTES in src/console/assets.ts

export async function bundleConsole(root: string): Promise<{ html: number; js: number; css: number }> {
  const result = await Bun.build({
    entrypoints: [join(root, "src/console/ui/main.ts")],
    target: "browser",
    format: "esm",
    minify: true,
    sourcemap: "none",
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    throw new Error("console bundle (Bun.build) failed");
  }
  const js = result.outputs.filter((o) => o.path.endsWith(".js"));
  const css = result.outputs.filter((o) => o.path.endsWith(".css"));
  if (js.length !== 1 || css.length !== 1)
    throw new Error(
      `console bundle: expected one .js and one .css, got ${result.outputs.map((o) => o.path).join(", ")}`,
    );
  const out = join(root, "dist/console");
  mkdirSync(out, { recursive: true });
  const jsText = await js[0]!.text();
  const cssText = await css[0]!.text();
  writeFileSync(join(out, "app.js"), jsText);
  writeFileSync(join(out, "app.css"), cssText);
  const sizes = {
    html: Buffer.byteLength(readFileSync(join(root, "src/console/ui/index.html"))),
    js: Buffer.byteLength(jsText),
    css: Buffer.byteLength(cssText),
  };
  const total = sizes.html + sizes.js + sizes.css;
  if (total > BUDGET_BYTES)
    throw new Error(
      `console bundle is ${total} bytes (html ${sizes.html}, js ${sizes.js}, css ${sizes.css}), over the ${BUDGET_BYTES}-byte budget`,
    );
  return sizes;
}
