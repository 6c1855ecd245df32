// `npx tsx scripts/ci-stacks.ts all` | `… changed <base-ref>`: the stacks a workflow acts on, as
// a JSON array for a job matrix (`fromJSON`). `changed` compares <base-ref>...HEAD; a base that
// is missing or not in this clone (first push of a branch, force push) means every stack.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { ciStacks, touchedStacks } from "./gitops/ciStacks";

const USAGE = "usage: npx tsx scripts/ci-stacks.ts all | changed <base-ref>";

function changedFiles(base: string): string[] | undefined {
  if (/^0*$/.test(base)) return undefined;
  try {
    return execFileSync("git", ["diff", "--name-only", "--no-renames", `${base}...HEAD`], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    })
      .split("\n")
      .filter(Boolean);
  } catch {
    return undefined;
  }
}

function main([mode, base]: string[]): number {
  const stackFiles = fs.readdirSync(".");
  let stacks: string[];
  if (mode === "all") stacks = ciStacks(stackFiles);
  else if (mode === "changed" && base !== undefined) {
    const files = changedFiles(base);
    if (files === undefined)
      console.error(`ci-stacks: cannot diff against ${base}; using every stack`);
    stacks = files === undefined ? ciStacks(stackFiles) : touchedStacks(files, stackFiles);
  } else {
    console.error(USAGE);
    return 2;
  }
  process.stdout.write(`${JSON.stringify(stacks)}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
