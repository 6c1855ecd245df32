// The workflows' customer reports from `tenants --json` output: the PR's one comment with a row
// per customer, and the nightly drift verdict and issue over every shard.
import { describe, expect, it } from "vitest";
import type { CustomerResult } from "../../../devkit/tenants/operations";
import type { RunReport } from "../../../devkit/tenants/runner";
import type { TouchedStack } from "../../../scripts/gitops/ciStacks";
import {
  CUSTOMERS_DRIFT_MARKER,
  customerRunReport,
  customersDriftIssueBody,
  customersDriftResult,
  PREVIEW_COMMENT_MARKER,
  readRunReport,
} from "../../../scripts/gitops/customerReports";

const RUN = "https://github.com/acme/line-call/actions/runs/42";

function report(operation: RunReport["operation"], results: CustomerResult[]): RunReport {
  return {
    operation,
    results,
    cancelled: false,
    parallel: 4,
    logDir: "/tmp/logs",
    durationMs: 9000,
  };
}
const ok = (customer: string, changes = {}): CustomerResult => ({
  customer,
  outcome: "succeeded",
  changes,
  durationMs: 4200,
});

describe("readRunReport", () => {
  it("reads the JSON a tenants --json run printed, after whatever came before it", () => {
    const json = JSON.stringify(report("preview", [ok("aoba")]), null, 2);
    expect(readRunReport(json, "a.json").results).toHaveLength(1);
    expect(readRunReport(`> line-call tenants\nBuilding…\n${json}\n`, "a.json").operation).toBe(
      "preview",
    );
  });

  it("says what the file held when it is no report", () => {
    expect(() => readRunReport("", "a.json")).toThrow(
      "a.json holds no tenants --json report (it is empty)",
    );
    expect(() => readRunReport("Error: no backend\n", "b.json")).toThrow(
      "b.json holds no tenants --json report (it starts: Error: no backend)",
    );
  });
});

describe("the pull request's customer comment", () => {
  const own: TouchedStack[] = [
    { stack: "aoba", because: "Pulumi.aoba.yaml", scope: "own" },
    { stack: "kita", because: "Pulumi.kita.yaml", scope: "own" },
  ];

  it("has one row per touched customer, with why, the result and the changes", () => {
    const { body, ok: passed } = customerRunReport({
      run: "preview",
      touched: own,
      report: report("preview", [
        ok("aoba", { create: 1, delete: 1, same: 7 }),
        ok("kita", { same: 9 }),
      ]),
      runUrl: RUN,
    });
    expect(passed).toBe(true);
    expect(body.startsWith(PREVIEW_COMMENT_MARKER)).toBe(true);
    expect(body).toContain(
      "This pull request changes the stack files of 2 customers; only their previews run.",
    );
    expect(body).toContain("All 2 previews succeeded. Merging deploys exactly these customers.");
    expect(body).toContain(
      "| aoba | `Pulumi.aoba.yaml` | ✅ succeeded | create 1, delete 1 | 4.2 s |  |",
    );
    expect(body).toContain("| kita | `Pulumi.kita.yaml` | ✅ succeeded | none | 4.2 s |  |");
    expect(body).toContain(RUN);
  });

  it("says every customer is previewed when the shared list changes, and fails on any failure", () => {
    const shared: TouchedStack[] = ["aoba", "kita", "minato"].map((stack) => ({
      stack,
      because: "Pulumi.yaml",
      scope: "shared",
    }));
    const { body, ok: passed } = customerRunReport({
      run: "preview",
      touched: shared,
      report: report("preview", [
        ok("aoba", { create: 1 }),
        {
          customer: "kita",
          outcome: "failed",
          changes: {},
          durationMs: 3000,
          error: "a | b\nsecond",
        },
      ]),
      runUrl: RUN,
    });
    expect(passed).toBe(false);
    expect(body).toContain(
      "`Pulumi.yaml` (the shared LINE IP list and the project's settings): every customer's preview runs (3 customers)",
    );
    expect(body).toContain("**2 of 3 failed** (kita, minato)");
    expect(body).toContain("| kita | `Pulumi.yaml` | ❌ failed |  | 3.0 s | a \\| b second |");
    expect(body).toContain("| minato | `Pulumi.yaml` | not run | | | |");
  });

  it("fails with the reason when the preview left no report", () => {
    const { body, ok: passed } = customerRunReport({
      run: "preview",
      touched: own,
      problem: "p.json holds no tenants --json report (it is empty)",
      runUrl: RUN,
    });
    expect(passed).toBe(false);
    expect(body).toContain("**The previews could not run**: p.json holds no tenants --json report");
  });
});

describe("the nightly drift check over the shards", () => {
  const drifted: CustomerResult = { ...ok("kita", { update: 1, same: 8 }), drift: true };
  const clean = (c: string): CustomerResult => ({ ...ok(c), drift: false });

  it("is drift when any customer of any shard drifted, naming them in one issue", () => {
    const reports = [report("drift", [clean("aoba"), drifted]), report("drift", [clean("minato")])];
    expect(customersDriftResult(reports, [])).toBe("drift");
    const body = customersDriftIssueBody({
      reports,
      problems: [],
      runUrl: RUN,
      commit: "0123456789abcdef",
    });
    expect(body.startsWith(CUSTOMERS_DRIFT_MARKER)).toBe(true);
    expect(body).toContain("**1 of 3 customer stacks**");
    expect(body).toContain("`0123456789ab`");
    expect(body).toContain("| kita | update 1 |");
    expect(body).not.toContain("| aoba |");
    expect(body).not.toContain("Not checked");
  });

  it("is error, never clean, when a check could not run or a shard left no report", () => {
    const failed: CustomerResult = {
      customer: "zen",
      outcome: "locked",
      changes: {},
      durationMs: 10,
      error: "stack is locked",
    };
    expect(customersDriftResult([report("drift", [clean("aoba"), failed])], [])).toBe("error");
    expect(
      customersDriftResult([report("drift", [clean("aoba")])], ["1 of 2 shards left no report"]),
    ).toBe("error");
    expect(customersDriftResult([report("drift", [clean("aoba")]), report("drift", [])], [])).toBe(
      "clean",
    );
    const body = customersDriftIssueBody({
      reports: [report("drift", [drifted, failed])],
      problems: ["1 of 2 shards left no report (see their jobs)"],
      runUrl: RUN,
      commit: "abc",
    });
    expect(body).toContain("- zen: locked: stack is locked");
    expect(body).toContain("- 1 of 2 shards left no report (see their jobs)");
  });
});

describe("the deploy's job summary", () => {
  it("words the same rows as deploys", () => {
    const { body, ok: passed } = customerRunReport({
      run: "up",
      touched: [{ stack: "aoba", because: "Pulumi.aoba.yaml", scope: "own" }],
      report: report("up", [
        { customer: "aoba", outcome: "failed", changes: {}, durationMs: 1000, error: "boom" },
      ]),
      runUrl: RUN,
    });
    expect(passed).toBe(false);
    expect(body).toContain("### Customer deploys (`npm run tenants -- up`)");
    expect(body).toContain(
      "This push changes the stack files of 1 customer; only their deploys run.",
    );
    expect(body).toContain("**1 of 1 failed** (aoba): run `npm run tenants -- up <customer>`");
  });
});
