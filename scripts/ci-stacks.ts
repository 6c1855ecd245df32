// `npx tsx scripts/ci-stacks.ts all | changed <base-ref> | only <stack>`: the stacks a workflow
// acts on, as a JSON array for a job matrix (`fromJSON`). `changed` compares <base-ref>...HEAD; a
// base that is missing or not in this clone (first push of a branch, force push) means every
// stack. `only` checks that the stack is one CI deploys.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { ciStacks, STACKS_NOT_IN_CI, touchedStacks } from "./gitops/ciStacks";

const USAGE = "usage: npx tsx scripts/ci-stacks.ts all | changed <base-ref> | only <stack>";

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

function main([mode, argument]: string[]): number {
  const all = ciStacks(fs.readdirSync("."));
  let stacks: string[];
  if (mode === "all") {
    stacks = all;
  } else if (mode === "changed" && argument !== undefined) {
    const files = changedFiles(argument);
    if (files === undefined) {
      console.error(`ci-stacks: cannot diff against ${argument}; using every stack`);
    }
    stacks = files === undefined ? all : touchedStacks(files, fs.readdirSync("."));
  } else if (mode === "only" && argument !== undefined) {
    stacks = all.filter((s) => s === argument);
    if (stacks.length === 0) {
      console.error(
        `ci-stacks: no stack ${argument} for CI to run (it needs Pulumi.${argument}.yaml; ` +
          `${STACKS_NOT_IN_CI.join(", ")} never runs in CI)`,
      );
      return 1;
    }
  } else {
    console.error(USAGE);
    return 2;
  }
  process.stdout.write(`${JSON.stringify(stacks)}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
