/**
 * The console's trading panel in a real headless Chromium against the built `dist/dita-v2 serve`
 * trading on bingx-sim: HALTED set from the console (through its confirmation) makes the kernel
 * refuse the next ENTER over HTTP with 422 TRADING_HALTED and turns the banner red; a risk limit
 * set from the console is the kernel's (an ENTER above it is refused with RISK_LIMIT); flatten
 * from the console leaves every slot flat and the sim flat, shows the per-slot answer, and the
 * console learns of the flatten from `GET /events` (STARTED, FINISHED) without a reload. The
 * status view shows live reconciliation and the last flatten. A screenshot of the panel with the
 * flatten's answer is written to .cache/artifacts/console-flatten.png.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { launchBrowser } from "./_browser.ts";
import { eventually, type Served, startServe } from "./_serve.ts";
import { type SimProc, simSize, startSim } from "./_sim.ts";

const ARTIFACTS = join(import.meta.dir, "../../.cache/artifacts");
let sim: SimProc;
let s: Served;
let browser: BrowserContext;
let page: Page;
const problems: string[] = [];
const within = (ms: number) => ({ timeout: ms });

beforeAll(async () => {
  sim = await startSim(53);
  s = await startServe({ ...sim.env, DITA_V2_SLOTS: "4", DITA_V2_RECONCILE_INTERVAL_MS: "1000" });
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(`${s.url}/`);
  await page.waitForSelector("body[data-ready='1']", within(5000));
  await page.fill("#token-input", s.token);
  await page.click("#token-submit");
  await page.waitForSelector("#trading-HALTED:not([disabled])", within(3000));
}, 30_000);

afterAll(async () => {
  await browser?.close();
  if (s.proc.exitCode === null) expect(await s.stop()).toBe(0);
  await sim.stop();
});

let trades = 0;
const enter = (slot: number, asset: string, size: number, leverage = 3) =>
  s.call("/intents", {
    body: { type: "ENTER", slot_id: slot, trade_id: `CT${++trades}`, asset, side: "LONG", size, price: null, leverage },
  });

/** Confirms the open dialog after checking it names what will happen. */
async function confirm(title: string, effect: string): Promise<void> {
  await page.locator("#confirm-title", { hasText: title }).waitFor(within(2000));
  expect(await page.locator("#confirm-effect").textContent()).toContain(effect);
  await page.click("#confirm-apply");
}

describe("console trading panel (Chromium, bingx-sim)", () => {
  test("HALTED set from the console refuses the next ENTER with 422 TRADING_HALTED and turns the banner red", async () => {
    expect(await page.locator("#trading-banner").count()).toBe(0);
    await page.click("#trading-HALTED");
    await confirm(
      "Change trading_state from ACTIVE to HALTED?",
      "the kernel refuses every ENTER and EXIT (TRADING_HALTED); cancels still pass",
    );
    await page.waitForSelector("#confirm", { state: "detached", timeout: 3000 });
    expect((await s.call("/control")).body.trading_state).toBe("HALTED");
    const refused = await enter(0, "BTC-USDT", 0.01);
    expect(refused.status).toBe(422);
    expect(refused.body.diagnostics[0].code).toBe("TRADING_HALTED");
    await page.locator("#trading-banner.trading-HALTED", { hasText: "Trading is HALTED" }).waitFor(within(2000));
    await page.locator("#trading-pill.state-HALTED").waitFor(within(1000));
    await page.locator("#feed li[data-code='TRADING_HALTED']").waitFor(within(1000));
    expect(simSize(await sim.state(), "BTC-USDT")).toBe(0);
  });

  test("a risk limit set from the console is enforced by the kernel: an ENTER above it is refused with RISK_LIMIT", async () => {
    await page.click("#trading-ACTIVE");
    await confirm("Change trading_state from HALTED to ACTIVE?", "Strategies can open new trades");
    await page.waitForSelector("#trading-banner", { state: "detached", timeout: 3000 });
    await page.fill("#limit-max_leverage", "5");
    await page.click("#limit-max_leverage-set");
    await confirm("Change max_leverage from 0 to 5?", "refuses an ENTER with leverage above 5");
    await page.waitForSelector("#confirm", { state: "detached", timeout: 3000 });
    expect((await s.call("/control")).body.max_leverage).toBe(5);
    const tooHigh = await enter(0, "BTC-USDT", 0.01, 10);
    expect(tooHigh.status).toBe(422);
    expect(tooHigh.body.diagnostics[0]).toMatchObject({ code: "RISK_LIMIT", details: { limit: "max_leverage" } });
    await page.fill("#limit-max_leverage", "126");
    await page.click("#limit-max_leverage-set");
    await page.click("#confirm-apply");
    await page.locator("#confirm-error", { hasText: "max_leverage must be an integer 0..125" }).waitFor(within(2000));
    await page.click("#confirm-cancel");
    expect((await s.call("/control")).body.max_leverage).toBe(5);
    problems.length = 0; // Chromium logs the refused request (400) itself
  });

  test("flatten from the console flattens against bingx-sim: slots flat, sim flat, the per-slot answer shown", async () => {
    for (const [slot, asset, size] of [
      [0, "BTC-USDT", 0.01],
      [1, "ETH-USDT", 0.1],
      [2, "SOL-USDT", 1],
    ] as const)
      expect((await enter(slot, asset, size)).status).toBe(200);
    await eventually(
      "three positions open",
      async () => (await s.call("/slots")).body.filter((x: any) => x.stage === "POSITION_OPEN").length === 3,
      10_000,
    );
    await page.locator("tr[data-slot='2']", { hasText: "POSITION_OPEN" }).waitFor(within(3000));
    await page.click("#flatten-button");
    await confirm("Flatten everything now?", "every open position is exited at market");
    await page.locator("#flatten-verdict", { hasText: "Flat: the venue confirmed" }).waitFor(within(30_000));
    for (const slot of [0, 1, 2])
      expect(await page.locator(`#flatten-report tr[data-flatten-slot='${slot}']`).textContent()).toContain("CLOSED");
    for (const x of (await s.call("/slots")).body) expect(["IDLE", "CLOSED"]).toContain(x.stage);
    const truth = await sim.state();
    expect(truth.positions.filter((p) => p.positionAmt > 0)).toEqual([]);
    expect(truth.orders.filter((o) => o.status === "NEW" || o.status === "PARTIALLY_FILLED")).toEqual([]);
    expect((await s.call("/control")).body.trading_state).toBe("HALTED");
    await page.locator("#trading-banner.trading-HALTED").waitFor(within(2000));
    // The event stream told the console: STARTED and FINISHED notes, the status view's last flatten.
    await page
      .locator("#feed li[data-kind='note']", { hasText: "flatten started: 3 slots not flat" })
      .waitFor(within(2000));
    await page.locator("#feed li[data-kind='note']", { hasText: "flatten complete" }).waitFor(within(2000));
    await page.locator("#last-flatten", { hasText: "complete · 3 closed, 0 still open" }).waitFor(within(6000));
    expect(problems).toEqual([]);
  }, 60_000);

  test("the status view shows live reconciliation passes and the venue's request budget", async () => {
    await page.locator("#reconciliation", { hasText: "every 1 s" }).waitFor(within(2000));
    await eventually(
      "a reconciliation pass shown",
      async () =>
        /\d+ passes/.test((await page.locator("#reconciliation").textContent()) ?? "") &&
        !((await page.locator("#reconciliation").textContent()) ?? "").includes("no pass yet"),
      8000,
    );
    // The BingX adapter's throttle: requests sent so far, none refused, no 429 from the venue.
    await page
      .locator("#venue-budget", {
        hasText: /[1-9]\d* requests · \d+ waited .* 0 refused by the throttle · 0 venue 429s/,
      })
      .waitFor(within(6000));
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, "console-flatten.png");
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(20_000);
  }, 20_000);

  test("a flatten started elsewhere (POST /flatten) reaches every open console through the event stream, no reload", async () => {
    const other = await browser.newPage();
    try {
      await other.goto(`${s.url}/`);
      await other.waitForSelector("#link.link-live", within(5000));
      const before = await page.locator("#feed li[data-kind='note']", { hasText: "flatten complete" }).count();
      const r = await s.call("/flatten", { body: {} });
      expect(r.body.complete).toBe(true);
      await eventually(
        "a second flatten note on the first page",
        async () =>
          (await page.locator("#feed li[data-kind='note']", { hasText: "flatten complete" }).count()) > before,
        3000,
      );
      await other.locator("#last-flatten", { hasText: "complete" }).waitFor(within(3000));
    } finally {
      await other.close();
    }
  });
});
