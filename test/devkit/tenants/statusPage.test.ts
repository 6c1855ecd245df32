// The status page (`tenants status --html`) opened in a real headless Chromium: its rows, the
// stage filter, sorting, both languages, no console error and no request beyond the file itself.
// The screenshot stays in test-artifacts/ for a person to look at.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CustomerStatusRow,
  customerStage,
  renderStatusPage,
  writeStatusPage,
} from "../../../devkit/tenants/statusPage";
import { ARTIFACTS, launchChromium } from "../../support/browser";

const ROWS: CustomerStatusRow[] = [
  {
    customer: "sakura-dental",
    subaccountSid: "AC11111111111111111111111111111111",
    sipUris: ["sip:sakura-dental-line.sip.twilio.com"],
    stage: "connected",
    lastUpdate: { time: "2026-12-04T21:30:00.000Z", result: "succeeded", kind: "update" },
    drifted: false,
    resourceCount: 9,
  },
  {
    customer: "aoba-clinic",
    subaccountSid: "AC22222222222222222222222222222222",
    sipUris: ["sip:aoba-clinic-line.sip.twilio.com"],
    stage: "waiting-for-line",
    lastUpdate: { time: "2026-12-05T01:00:00.000Z", result: "succeeded", kind: "update" },
    drifted: true,
    resourceCount: 7,
  },
  {
    customer: "minato-realty",
    subaccountSid: "AC33333333333333333333333333333333",
    sipUris: [],
    stage: "created",
    // A customer-supplied text must stay text: this would run if it were not escaped.
    error: "<img src=x onerror=\"console.error('escaped?')\"> stack locked by another update",
    resourceCount: 0,
  },
  {
    customer: "kita-hotel",
    subaccountSid: "AC44444444444444444444444444444444",
    sipUris: ["sip:kita-hotel-line.sip.twilio.com"],
    stage: "waiting-for-line",
    lastUpdate: { time: "2026-12-05T02:15:00.000Z", result: "failed", kind: "update" },
    resourceCount: 11,
  },
];

const GENERATED_AT = new Date("2026-12-05T03:00:00.000Z");

describe("customerStage", () => {
  it("is created until deployed, then waiting for LINE until lineConnected", () => {
    expect(customerStage({ deployed: false, lineConnected: false })).toBe("created");
    expect(customerStage({ deployed: false, lineConnected: true })).toBe("created");
    expect(customerStage({ deployed: true, lineConnected: false })).toBe("waiting-for-line");
    expect(customerStage({ deployed: true, lineConnected: true })).toBe("connected");
  });
});

describe("renderStatusPage", () => {
  const html = renderStatusPage(ROWS, { generatedAt: GENERATED_AT, backend: "file:///srv/state" });

  it("is self-contained: no external script, stylesheet, image or link, and a CSP forbidding fetches", () => {
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]*\s(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain("default-src 'none'");
  });

  it("escapes what comes from the stacks", () => {
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x onerror=");
  });
});

describe("the status page in headless Chromium", () => {
  let browser: Browser;
  let dir: string;
  let url: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "line-call-status-page-"));
    const file = writeStatusPage(path.join(dir, "status.html"), ROWS, {
      generatedAt: GENERATED_AT,
      backend: "file:///srv/state",
    });
    url = pathToFileURL(file).href;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Opens the page in a fresh context, recording console errors, page errors and requests. */
  async function open(locale: string) {
    const context = await browser.newContext({ locale, viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") {
        problems.push(`${message.type()}: ${message.text()}`);
      }
    });
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(url);
    return { page, problems, requests, close: () => context.close() };
  }

  /** A DOM element as far as these page functions read it (the project has no DOM typings). */
  type Row = { hidden: boolean; dataset: Record<string, string> };
  const visibleCustomers = (page: Page) =>
    page.$$eval("tbody tr[data-stage]", (rows) =>
      (rows as unknown as Row[]).filter((r) => !r.hidden).map((r) => r.dataset.customer),
    );
  // The text as shown, without the hidden language: what a reader sees, not the DOM's text.
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is exactly what is under test
  const shown = async (locator: Locator) => (await locator.innerText()).trim();
  const text = (page: Page, selector: string) => shown(page.locator(selector));

  it("shows a row per customer, filters by stage, sorts, and logs nothing", async () => {
    const { page, problems, requests, close } = await open("en-US");
    try {
      expect(await visibleCustomers(page)).toEqual([
        "aoba-clinic",
        "kita-hotel",
        "minato-realty",
        "sakura-dental",
      ]);
      const sakura = page.locator('tr[data-customer="sakura-dental"]');
      expect(await shown(sakura.locator('td[data-col="subaccount"]'))).toBe(
        "AC11111111111111111111111111111111",
      );
      expect(await shown(sakura.locator('td[data-col="sip"]'))).toBe(
        "sip:sakura-dental-line.sip.twilio.com",
      );
      expect(await shown(sakura.locator('td[data-col="stage"]'))).toBe("Connected");
      expect(await shown(sakura.locator('td[data-col="updated"]'))).toBe(
        "2026-12-04 21:30 UTC succeeded update",
      );
      expect(await shown(sakura.locator('td[data-col="resources"]'))).toBe("9");
      const aoba = page.locator('tr[data-customer="aoba-clinic"]');
      expect(await shown(aoba.locator('td[data-col="drift"]'))).toBe("drifted");
      expect(await shown(aoba.locator('td[data-col="stage"]'))).toBe("Waiting for LINE");
      const minato = page.locator('tr[data-customer="minato-realty"]');
      expect(await shown(minato.locator(".error"))).toContain("<img src=x onerror=");
      expect(await shown(minato.locator('td[data-col="updated"]'))).toBe("never");
      expect(await text(page, "#drifted")).toBe("1");
      expect(await text(page, "#failed")).toBe("1");

      await page.selectOption("#stage-filter", "waiting-for-line");
      expect(await visibleCustomers(page)).toEqual(["aoba-clinic", "kita-hotel"]);
      expect(await text(page, "#shown")).toBe("2");
      await page.selectOption("#stage-filter", "created");
      expect(await visibleCustomers(page)).toEqual(["minato-realty"]);
      await page.selectOption("#stage-filter", "connected");
      expect(await visibleCustomers(page)).toEqual(["sakura-dental"]);
      await page.selectOption("#stage-filter", "all");
      expect(await text(page, "#shown")).toBe("4");

      const resources = page.locator('th[data-key="resources"] button');
      await resources.click();
      expect(await visibleCustomers(page)).toEqual([
        "minato-realty",
        "aoba-clinic",
        "sakura-dental",
        "kita-hotel",
      ]);
      await resources.click();
      expect(await visibleCustomers(page)).toEqual([
        "kita-hotel",
        "sakura-dental",
        "aoba-clinic",
        "minato-realty",
      ]);
      // Stage sorts in the order customers pass through, not alphabetically.
      await page.locator('th[data-key="stage"] button').click();
      expect(await visibleCustomers(page)).toEqual([
        "minato-realty",
        "aoba-clinic",
        "kita-hotel",
        "sakura-dental",
      ]);
      // The filter still applies to the sorted rows.
      await page.selectOption("#stage-filter", "waiting-for-line");
      expect(await visibleCustomers(page)).toEqual(["aoba-clinic", "kita-hotel"]);

      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
    } finally {
      await close();
    }
  });

  it("reads in Japanese on a Japanese browser and switches to English and back", async () => {
    const { page, problems, close } = await open("ja-JP");
    try {
      expect(await page.getAttribute("html", "lang")).toBe("ja");
      expect(await text(page, 'th[data-key="stage"]')).toBe("段階");
      const aoba = page.locator('tr[data-customer="aoba-clinic"]');
      expect(await shown(aoba.locator('td[data-col="stage"]'))).toBe("LINE の接続待ち");
      // The customer's clock: 01:00 UTC is 10:00 in Japan.
      expect(await shown(aoba.locator('td[data-col="updated"]'))).toBe(
        "2026-12-05 10:00 JST 成功 update",
      );
      expect(await shown(aoba.locator('td[data-col="drift"]'))).toBe("あり");
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, "status-page-ja.png"), fullPage: true });

      await page.click("#lang");
      expect(await page.getAttribute("html", "lang")).toBe("en");
      expect(await text(page, 'th[data-key="stage"]')).toBe("Stage");
      expect(await shown(aoba.locator('td[data-col="stage"]'))).toBe("Waiting for LINE");
      await page.screenshot({ path: path.join(ARTIFACTS, "status-page-en.png"), fullPage: true });
      await page.click("#lang");
      expect(await text(page, 'th[data-key="stage"]')).toBe("段階");
      expect(problems).toEqual([]);
      expect(fs.statSync(path.join(ARTIFACTS, "status-page-ja.png")).size).toBeGreaterThan(5_000);
    } finally {
      await close();
    }
  });

  it("says so when no customer is in the chosen stage", async () => {
    const empty = path.join(dir, "one.html");
    writeStatusPage(empty, [ROWS[0]], { generatedAt: GENERATED_AT });
    const context = await browser.newContext({ locale: "en-US" });
    const page = await context.newPage();
    try {
      await page.goto(pathToFileURL(empty).href);
      expect(await page.locator("#no-match").isVisible()).toBe(false);
      await page.selectOption("#stage-filter", "created");
      expect(await page.locator("#no-match").isVisible()).toBe(true);
      expect(await text(page, "#shown")).toBe("0");
    } finally {
      await context.close();
    }
  });
});
