// `npx tsx scripts/drift-report.ts <stack> <exit-code> <preview-output-file> <issue-body-file>`:
// prints the drift check's verdict (clean, drift or error) for one stack's
// `pulumi preview --refresh --expect-no-changes`, and on drift writes the issue body.
// GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID and GITHUB_SHA name the run and commit.
import * as fs from "node:fs";
import { classifyPreview, driftIssueBody } from "./gitops/driftReport";

function main([stack, exitCode, outputFile, bodyFile]: string[]): number {
  if (!stack || !/^\d+$/.test(exitCode ?? "") || !outputFile || !bodyFile) {
    console.error(
      "usage: npx tsx scripts/drift-report.ts <stack> <exit-code> <preview-output-file> <issue-body-file>",
    );
    return 2;
  }
  const output = fs.readFileSync(outputFile, "utf8");
  const result = classifyPreview(Number(exitCode), output);
  if (result === "drift") {
    const env = process.env;
    const runUrl = `${env.GITHUB_SERVER_URL ?? "https://github.com"}/${env.GITHUB_REPOSITORY ?? "?"}/actions/runs/${env.GITHUB_RUN_ID ?? "?"}`;
    fs.writeFileSync(
      bodyFile,
      driftIssueBody({ stack, output, runUrl, commit: env.GITHUB_SHA ?? "unknown" }),
    );
  }
  process.stdout.write(`${result}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
