/**
 * The console's files as the executable serves them: `GET /` (the page), `/console/app.js` and
 * `/console/app.css` (one bundle each, built from `ui/` by scripts/build.ts into dist/console/
 * before the executable is compiled) and `/console/favicon.svg`. All four are embedded in the
 * executable as text: the console loads nothing from the network.
 *
 * Invariant: the page, script and style together stay within PAYLOAD_BUDGET_BYTES (the build
 * refuses a larger bundle; a test checks what serve answers).
 *
 * Entry point: `consoleAssets()`.
 */

import appCss from "../../dist/console/app.css" with { type: "text" };
import appJs from "../../dist/console/app.js" with { type: "text" };
import favicon from "./ui/favicon.svg" with { type: "text" };
import page from "./ui/index.html" with { type: "text" };

export const PAYLOAD_BUDGET_BYTES = 300 * 1024;

export interface ConsoleAsset {
  path: string;
  contentType: string;
  body: string;
}

// Bun's types describe an .html import as an HTML bundle; imported `with { type: "text" }` it is
// the file's text.
const pageText = page as unknown as string;

export function consoleAssets(): ConsoleAsset[] {
  return [
    { path: "/", contentType: "text/html; charset=utf-8", body: pageText },
    { path: "/console/app.js", contentType: "text/javascript; charset=utf-8", body: appJs },
    { path: "/console/app.css", contentType: "text/css; charset=utf-8", body: appCss },
    { path: "/console/favicon.svg", contentType: "image/svg+xml", body: favicon },
  ];
}
