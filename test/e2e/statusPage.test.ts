// The status page end to end: `npm run tenants -- status --html` over customers the real CLI
// deployed against the stand-in (one connected, one waiting for LINE, one only created), opened
// in the machine's headless Chromium. The page must show each customer as the backend has it,
// filter by stage, log nothing to the console and fetch nothing. The screenshot stays in
// test-artifacts/status-page-e2e.png.
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { engineTestsEnabled } from "../../devkit/engine/cliStack";
import { type OperatorBed, startOperatorBed } from "../../devkit/tenants/operatorBed";
import { ARTIFACTS, launchChromium } from "../support/browser";

const enabled = engineTestsEnabled();
const LONG = 400_000;

describe.runIf(enabled)("tenants status --html, in a real browser", () => {
  let bed: OperatorBed;
  let browser: Browser;

  beforeAll(async () => {
    bed = await startOperatorBed();
    bed.addCustomers(["aoba", "kita", "minato"]);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await bed?.close();
  });

  const visible = (page: Page) =>
    page.$$eval("tbody tr[data-stage]", (rows) =>
      (rows as unknown as Array<{ hidden: boolean; dataset: Record<string, string> }>)
        .filter((r) => !r.hidden)
        .map((r) => `${r.dataset.customer}:${r.dataset.stage}`),
    );

  it(
    "shows every customer where the backend has it, and filters by stage",
    async () => {
      // kita is connected (LINE confirmed), aoba waits for LINE, minato is only a stack file.
      const kitaFile = path.join(bed.project, "Pulumi.kita.yaml");
      const kita = YAML.parse(fs.readFileSync(kitaFile, "utf8"));
      kita.config["line-call:lineConnected"] = "true";
      fs.writeFileSync(kitaFile, YAML.stringify(kita));
      const up = await bed.tenants(["up", "aoba", "kita", "--json"]);
      expect(up.code, up.output).toBe(0);
      const drift = await bed.tenants(["drift", "aoba"]);
      expect(drift.code, drift.output).toBe(0);

      const file = path.join(bed.dir, "status.html");
      const status = await bed.tenants(["status", "--html", file]);
      expect(status.code, status.output).toBe(0);
      expect(status.stdout).toContain("Wrote the status page of 3 customers");

      const context = await browser.newContext({ locale: "en-US" });
      const page = await context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
      });
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("request", (r) => requests.push(r.url()));
      try {
        const url = pathToFileURL(file).href;
        await page.goto(url);
        expect(await visible(page)).toEqual([
          "aoba:waiting-for-line",
          "kita:connected",
          "minato:created",
        ]);
        const row = (customer: string, col: string) =>
          page.locator(`tr[data-customer="${customer}"] td[data-col="${col}"]`).textContent();
        for (const customer of ["aoba", "kita"]) {
          // The Tokyo edge's URI first, as the runbook says to send it, then the global one.
          expect(await row(customer, "sip")).toBe(
            `sip:${customer}-line.sip.tokyo.twilio.comsip:${customer}-line.sip.twilio.com`,
          );
          expect(await row(customer, "subaccount")).toBe(bed.subaccountOf(customer));
          expect(await row(customer, "updated")).toContain("succeeded");
          expect(Number(await row(customer, "resources"))).toBeGreaterThanOrEqual(6);
        }
        expect(await row("aoba", "drift")).toContain("none");
        expect(await row("kita", "drift")).toContain("not checked");
        expect(await row("minato", "resources")).toBe("0");

        await page.selectOption("#stage-filter", "waiting-for-line");
        expect(await visible(page)).toEqual(["aoba:waiting-for-line"]);
        await page.selectOption("#stage-filter", "created");
        expect(await visible(page)).toEqual(["minato:created"]);
        await page.selectOption("#stage-filter", "all");
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({
          path: path.join(ARTIFACTS, "status-page-e2e.png"),
          fullPage: true,
        });

        expect(problems).toEqual([]);
        expect(requests).toEqual([url]);
      } finally {
        await context.close();
      }
    },
    LONG,
  );
});
