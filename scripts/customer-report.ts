// The workflows' reports on the customer stacks, from `npm run tenants -- … --json` output files:
//
//   npx tsx scripts/customer-report.ts preview|up <touched.json> <report.json> <out.md>
//     the pull request's one comment (preview) or the deploy's job summary (up): a row per
//     customer ci-stacks --customers --reasons listed; prints ok or failed.
//   npx tsx scripts/customer-report.ts drift <shards> <issue.md> [drift-report.json…]
//     the nightly drift issue over every shard's report (<shards> is how many there should be);
//     prints clean, drift or error, and writes the issue body on drift.
//
// GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID and GITHUB_SHA name the run and commit.
import * as fs from "node:fs";
import type { RunReport } from "../devkit/tenants/runner";
import type { TouchedStack } from "./gitops/ciStacks";
import {
  type CustomerRun,
  customerRunReport,
  customersDriftIssueBody,
  customersDriftResult,
  readRunReport,
} from "./gitops/customerReports";

const USAGE =
  "usage: npx tsx scripts/customer-report.ts preview|up <touched.json> <report.json> <out.md>\n" +
  "       npx tsx scripts/customer-report.ts drift <shards> <issue.md> [drift-report.json …]";

function runUrl(): string {
  const env = process.env;
  return `${env.GITHUB_SERVER_URL ?? "https://github.com"}/${env.GITHUB_REPOSITORY ?? "?"}/actions/runs/${env.GITHUB_RUN_ID ?? "?"}`;
}

function runReport(run: CustomerRun, [touchedFile, reportFile, out]: string[]): number {
  if (!touchedFile || !reportFile || !out) {
    console.error(USAGE);
    return 2;
  }
  const touched = JSON.parse(fs.readFileSync(touchedFile, "utf8")) as TouchedStack[];
  let report: RunReport | undefined;
  let problem: string | undefined;
  try {
    report = readRunReport(fs.readFileSync(reportFile, "utf8"), reportFile);
  } catch (error) {
    problem = (error as Error).message;
  }
  const { body, ok } = customerRunReport({
    run,
    touched,
    ...(report ? { report } : {}),
    ...(problem ? { problem } : {}),
    runUrl: runUrl(),
  });
  fs.writeFileSync(out, body);
  process.stdout.write(`${ok ? "ok" : "failed"}\n`);
  return 0;
}

function drift([shards, out, ...files]: string[]): number {
  if (!/^\d+$/.test(shards ?? "") || !out) {
    console.error(USAGE);
    return 2;
  }
  const reports: RunReport[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      reports.push(readRunReport(fs.readFileSync(file, "utf8"), file));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const missing = Number(shards) - files.length;
  if (missing > 0) {
    problems.push(`${missing} of ${shards} shards left no report (see their jobs)`);
  }
  const result = customersDriftResult(reports, problems);
  if (result === "drift") {
    fs.writeFileSync(
      out,
      customersDriftIssueBody({
        reports,
        problems,
        runUrl: runUrl(),
        commit: process.env.GITHUB_SHA ?? "unknown",
      }),
    );
  }
  for (const problem of problems) console.error(`customer-report: ${problem}`);
  process.stdout.write(`${result}\n`);
  return 0;
}

function main([mode, ...rest]: string[]): number {
  if (mode === "preview" || mode === "up") return runReport(mode, rest);
  if (mode === "drift") return drift(rest);
  console.error(USAGE);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
