/**
 * A real headless Chromium for the console's tests, driven by playwright-core: Debian's
 * `chromium` at /usr/bin/chromium (`.ci/run` installs it), a fresh profile directory per
 * launch, and no background traffic (no sync, component updates, QUIC or first-run pages).
 * Without the browser the test fails naming the package; it is never skipped.
 */

import { existsSync } from "node:fs";
import { type BrowserContext, chromium } from "playwright-core";
import { scratch } from "./_exe.ts";

export const CHROMIUM = "/usr/bin/chromium";

export async function launchBrowser(viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`);
  return chromium.launchPersistentContext(scratch("dita-chromium-"), {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
