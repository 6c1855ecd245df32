// The operator's day through the real `npm run tenants` command and the real Pulumi CLI against the
// Twilio stand-in, run by tenants.test.ts on the file backend and by tenantsPostgres.test.ts on a
// real PostgreSQL server: three customers up in one run, a second up changing nothing, an IP entry
// deleted out of band showing in drift for that customer only, status, and one customer destroyed.
import { existsSync } from "node:fs";
import * as path from "node:path";
import { expect, it } from "vitest";
import type { CustomerResult } from "../../devkit/tenants/operations";
import { BED_LINE_IPS, type OperatorBed, type OperatorRun } from "../../devkit/tenants/operatorBed";
import type { RunReport } from "../../devkit/tenants/runner";
import type { CustomerStatusRow } from "../../devkit/tenants/statusPage";

export const STEP = 240_000;
export const CUSTOMERS = ["acme", "bravo", "cafe"];

type Json = Record<string, unknown>;

export function report(run: OperatorRun): RunReport {
  try {
    return JSON.parse(run.stdout) as RunReport;
  } catch {
    throw new Error(`tenants printed no JSON report (exit ${run.code}):\n${run.output}`);
  }
}

export function byCustomer(run: OperatorRun): Record<string, CustomerResult> {
  return Object.fromEntries(report(run).results.map((r) => [r.customer, r]));
}

/** What changed, without the "same" count. */
export function changed(result: CustomerResult): Record<string, number> {
  return Object.fromEntries(
    Object.entries(result.changes).filter(([kind, n]) => kind !== "same" && (n ?? 0) > 0),
  ) as Record<string, number>;
}

/** The Twilio account a customer's resources live in: its subaccount. */
function accountOf(bed: OperatorBed, customer: string) {
  return bed.standin.account(bed.subaccountOf(customer));
}

/** The stand-in's SIP domain of a customer (its name is <customer>-line.sip.twilio.com). */
export function domainOf(bed: OperatorBed, customer: string): Json | undefined {
  return (accountOf(bed, customer).domains() as Json[]).find(
    (d) => d.domain_name === `${customer}-line.sip.twilio.com`,
  );
}

export function entriesOf(bed: OperatorBed, customer: string): Json[] {
  const account = accountOf(bed, customer);
  const list = (account.ipAccessControlLists() as Json[]).find(
    (l) => l.friendly_name === `line-call ${customer}: LINE SIP servers`,
  );
  return list ? (account.ipAddresses(list.sid as string) as Json[]) : [];
}

/** Each customer has exactly its declared connection in the stand-in: nothing missing, nothing twice. */
export function expectDeployed(bed: OperatorBed, customers: string[]): void {
  // (Customers of the bed not named here may exist too: each is checked in its own subaccount.)
  for (const customer of customers) {
    expect(domainOf(bed, customer), customer).toBeDefined();
    expect(accountOf(bed, customer).domains(), customer).toHaveLength(1);
    expect(
      entriesOf(bed, customer)
        .map((e) => e.ip_address)
        .sort(),
      customer,
    ).toEqual(BED_LINE_IPS);
    expect(accountOf(bed, customer).ipAddresses(), customer).toHaveLength(BED_LINE_IPS.length);
  }
  // Nothing in the parent account: the operator's credentials only reach into the subaccounts.
  expect(bed.standin.domains()).toEqual([]);
  expect(bed.standin.ipAddresses()).toEqual([]);
}

/** The done-when steps of issue 19, in order, on `bed` (whose backend the caller chose). */
export function operatorDayTests(bed: () => OperatorBed): void {
  it(
    "tenants up --all brings up every customer in one run, and only the customers",
    async () => {
      const run = await bed().tenants(["up", "--all", "--parallel", "3", "--json"]);
      expect(run.code, run.output).toBe(0);
      const results = byCustomer(run);
      // Pulumi.local.yaml (a single stack) is in the project too: --all leaves it alone.
      expect(Object.keys(results).sort()).toEqual(CUSTOMERS);
      for (const customer of CUSTOMERS) {
        expect(results[customer].outcome).toBe("succeeded");
        expect(changed(results[customer]).create).toBeGreaterThanOrEqual(5);
      }
      expectDeployed(bed(), CUSTOMERS);
      // The progress view went to stderr with --json: a start and an end line per customer.
      for (const customer of CUSTOMERS) {
        expect(run.stderr).toContain(`${customer}: started`);
      }
    },
    STEP,
  );

  it(
    "a second tenants up changes nothing",
    async () => {
      const run = await bed().tenants(["up", "--all", "--parallel", "3", "--json"]);
      expect(run.code, run.output).toBe(0);
      for (const result of Object.values(byCustomer(run))) {
        expect(result.outcome).toBe("succeeded");
        expect(changed(result)).toEqual({});
      }
      expectDeployed(bed(), CUSTOMERS);
    },
    STEP,
  );

  it(
    "an IP entry deleted out of band shows in tenants drift for that customer only, exit non-zero",
    async () => {
      const [entry] = entriesOf(bed(), "bravo");
      bed().standin.remove("ipAddress", entry.sid as string);
      // The table a person reads (the same results as --json, which the other steps parse).
      const run = await bed().tenants(["drift", "--all", "--parallel", "3"]);
      expect(run.code, run.output).toBe(1);
      expect(run.stdout).toMatch(/^bravo\s+succeeded\s+create 1\s+[\d.]+ s\s+yes$/m);
      expect(run.stdout).toMatch(/^acme\s+succeeded\s+none\s+[\d.]+ s\s+no$/m);
      expect(run.stdout).toMatch(/^cafe\s+succeeded\s+none\s+[\d.]+ s\s+no$/m);
      expect(run.stdout).toContain("3 succeeded, 0 failed, 0 locked, 1 drifted");
      expect(run.stdout).toContain("bravo: DRIFTED (create 1)");
    },
    STEP,
  );

  it(
    "tenants status reads where each customer stands, drift included",
    async () => {
      const run = await bed().tenants(["status", "--json"]);
      expect(run.code, run.output).toBe(0);
      const rows = JSON.parse(run.stdout) as CustomerStatusRow[];
      expect(rows.map((r) => r.customer)).toEqual(CUSTOMERS);
      for (const row of rows) {
        expect(row).toMatchObject({
          sipUris: [
            `sip:${row.customer}-line.sip.tokyo.twilio.com`,
            `sip:${row.customer}-line.sip.twilio.com`,
          ],
          stage: "waiting-for-line",
          lastUpdate: { kind: "update", result: "succeeded" },
          drifted: row.customer === "bravo",
        });
        expect(row.subaccountSid).toMatch(/^AC[0-9a-f]{32}$/);
        expect(row.resourceCount).toBeGreaterThanOrEqual(6);
      }
    },
    STEP,
  );

  it(
    "tenants destroy asks first, then removes one customer only",
    async () => {
      const unconfirmed = await bed().tenants(["destroy", "bravo"]);
      expect(unconfirmed.code).toBe(2);
      expect(unconfirmed.stderr).toContain("--yes");
      expect(domainOf(bed(), "bravo")).toBeDefined();

      const run = await bed().tenants(["destroy", "bravo", "--yes", "--remove", "--json"]);
      expect(run.code, run.output).toBe(0);
      expect(Object.keys(byCustomer(run))).toEqual(["bravo"]);
      expect(changed(byCustomer(run).bravo).delete).toBeGreaterThanOrEqual(5);
      expect(domainOf(bed(), "bravo")).toBeUndefined();
      expect(entriesOf(bed(), "bravo")).toEqual([]);
      expectDeployed(bed(), ["acme", "cafe"]);
      // --remove took the stack and its file away: bravo is no longer a customer.
      expect(existsSync(path.join(bed().project, "Pulumi.bravo.yaml"))).toBe(false);
      const status = await bed().tenants(["status", "--json"]);
      expect((JSON.parse(status.stdout) as CustomerStatusRow[]).map((r) => r.customer)).toEqual([
        "acme",
        "cafe",
      ]);
    },
    STEP,
  );
}
