/**
 * The operator console in a real headless Chromium, served by the built `dist/dita-v2 serve` on
 * the mock venue: it loads without console errors and without a request leaving its origin; an
 * ENTER sent over HTTP shows in the slots table and the live feed within a second; a wrong token
 * is refused with a clear message and not kept; a control change applies only through its
 * confirmation; without a cluster the fleet panel says why (the fleet itself: fleet_cluster.test.ts);
 * the page says it lost serve and reconnects when serve restarts; on a server
 * exposed beyond loopback it shows no state until the token is entered. The run writes a
 * screenshot of the console with an open trade to .cache/artifacts/console.png.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { launchBrowser } from "./_browser.ts";
import { eventually, type Served, startServe } from "./_serve.ts";

const ARTIFACTS = join(import.meta.dir, "../../.cache/artifacts");
const ENV = { DITA_V2_SLOTS: "4", DITA_V2_MOCK_PRICES: "BTC-USDT=65000,ETH-USDT=3500" };
let s: Served;
let browser: BrowserContext;
let page: Page;
const problems: string[] = [];
const offOrigin: string[] = [];

beforeAll(async () => {
  s = await startServe(ENV);
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("request", (r) => {
    if (!r.url().startsWith(`${s.url}/`)) offOrigin.push(r.url());
  });
});
afterAll(async () => {
  await browser?.close();
  if (s.proc.exitCode === null) await s.stop();
});

const row = (slot: number) => page.locator(`tr[data-slot="${slot}"]`);
const within = (ms: number) => ({ timeout: ms });

describe("operator console (Chromium)", () => {
  test("loads with no console errors and no network request leaving the origin", async () => {
    const res = await page.goto(`${s.url}/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()["content-security-policy"]).toContain("default-src 'self'");
    await page.waitForSelector("body[data-ready='1']", within(5000));
    await page.waitForSelector("#link.link-live", within(5000));
    expect(await page.locator("#slots-table tbody tr").count()).toBe(4);
    expect(await page.locator("#account").textContent()).toContain("10,000.00");
    expect(await page.locator("#venue").textContent()).toContain("MOCK connected");
    expect(await page.locator("#fleet-why").textContent()).toMatch(/^no fleet: /); // no cluster, and no request bound to fail
    expect(problems).toEqual([]);
    expect(offOrigin).toEqual([]);
  });

  test("an ENTER through HTTP appears in the slots table and the live feed within a second", async () => {
    const enter = { type: "ENTER", slot_id: 0, trade_id: "C1", asset: "BTC-USDT", side: "LONG", size: 0.02 };
    expect((await s.call("/intents", { body: { ...enter, price: null, leverage: 5 } })).status).toBe(200);
    await row(0).getByText("C1").waitFor(within(1000));
    await page
      .locator("#feed li[data-kind='transition']", { hasText: "slot 0: IDLE → ENTRY_WORKING" })
      .waitFor(within(1000));
    const busy = await s.call("/intents", { body: { ...enter, trade_id: "C2", price: null, leverage: 5 } });
    expect(busy.status).toBe(422);
    const code = busy.body.diagnostics[0].code;
    await page.locator(`#feed li[data-kind='diagnostic'][data-code='${code}']`).waitFor(within(1000));
    await page.selectOption("#severity-filter", "WARNING");
    expect(await page.locator("#feed li[data-kind='transition']").count()).toBe(0);
    expect(await page.locator(`#feed li[data-code='${code}']`).count()).toBe(1);
    await page.selectOption("#severity-filter", "INFO");
    await row(0).getByText("POSITION_OPEN").waitFor(within(2000));
    expect(problems).toEqual([]);
  });

  test("a wrong token is refused with a clear message and is not kept", async () => {
    await page.fill("#token-input", "not-the-operator-token-0123");
    await page.click("#token-submit");
    await page.locator("#token-message", { hasText: "Token refused: wrong bearer token" }).waitFor(within(2000));
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.isDisabled("#control-verbosity")).toBe(true);
    // Chromium logs the refused check itself; nothing else went wrong.
    expect(problems).toEqual([
      "error: Failed to load resource: the server responded with a status of 401 (Unauthorized)",
    ]);
    problems.length = 0;
  });

  test("a control change from the console applies only through its confirmation", async () => {
    await page.fill("#token-input", s.token);
    await page.click("#token-submit");
    await page.waitForSelector("#token-state", within(2000));
    await page.waitForSelector("#control-verbosity:not([disabled])", within(2000));
    const before = (await s.call("/control")).body;
    expect(before.verbosity).toBe("QUIET");
    await page.selectOption("#control-verbosity", "TRACE");
    await page.locator("#confirm", { hasText: "Change verbosity from QUIET to TRACE?" }).waitFor(within(1000));
    await page.click("#confirm-cancel");
    expect((await s.call("/control")).body).toMatchObject({ verbosity: "QUIET", version: before.version });
    expect(await page.inputValue("#control-verbosity")).toBe("QUIET");
    await page.selectOption("#control-verbosity", "TRACE");
    await page.click("#confirm-apply");
    await page.waitForSelector("#confirm", { state: "detached", timeout: 2000 });
    expect((await s.call("/control")).body).toMatchObject({ verbosity: "TRACE", version: before.version + 1 });
    expect(await page.inputValue("#control-verbosity")).toBe("TRACE");
    await page.locator("#controls h2", { hasText: `version ${before.version + 1}` }).waitFor(within(1000));
    expect(problems).toEqual([]);
  });

  test("writes a screenshot of the console with an open trade to .cache/artifacts/console.png", async () => {
    expect((await s.call("/intents", { body: { type: "MARK_PRICE", asset: "BTC-USDT", price: 65_250 } })).status).toBe(
      200,
    );
    await row(0).getByText("+5.0000").waitFor(within(2000));
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, "console.png");
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(20_000);
  });

  test("says it lost serve, then reconnects and reloads state when serve restarts", async () => {
    const port = new URL(s.url).port;
    expect(await s.stop()).toBe(0); // SIGTERM with the console's stream open still exits 0
    await page.locator("#banner", { hasText: "Disconnected from serve" }).waitFor(within(5000));
    s = await startServe({ ...ENV, DITA_V2_HTTP_PORT: port }, s.stateDir);
    await page.locator("#banner", { hasText: "Reconnected to serve; state reloaded." }).waitFor(within(8000));
    await page.waitForSelector("#link.link-live", within(1000));
    // A fresh serve on the in-memory planes and mock venue starts flat: the table shows its state.
    await eventually("slot 0 reloaded as IDLE", async () => (await row(0).textContent())?.includes("IDLE"), 3000);
    expect(await page.locator("#feed li[data-kind='note']", { hasText: "reconnected to serve" }).count()).toBe(1);
  });

  test("beyond loopback it asks for the token first and shows the state once the token is accepted", async () => {
    const exposed = await startServe({ ...ENV, DITA_V2_HTTP_HOST: "0.0.0.0" });
    const other = await browser.newPage();
    try {
      await other.goto(exposed.url.replace("0.0.0.0", "127.0.0.1"));
      await other.locator("#banner", { hasText: "This server needs the operator token" }).waitFor(within(5000));
      expect(await other.locator("#slots-table tbody tr").count()).toBe(0);
      await other.fill("#token-input", exposed.token);
      await other.click("#token-submit");
      await other.waitForSelector("#link.link-live", within(5000));
      await other.waitForSelector("body[data-ready='1']", within(5000));
      expect(await other.locator("#slots-table tbody tr").count()).toBe(4);
    } finally {
      await other.close();
      expect(await exposed.stop()).toBe(0);
    }
  });
});
