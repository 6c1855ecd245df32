// `npx tsx scripts/ci-stacks.ts all | changed <base-ref> | only <stack> [--customers] [--reasons]`
// and `npx tsx scripts/ci-stacks.ts shards`: the stacks a workflow acts on, as a JSON array for a
// job matrix (`fromJSON`). `changed` compares <base-ref>...HEAD; a base that is missing or not in
// this clone (first push of a branch, force push) means every stack. `only` checks that the stack
// is one CI runs.
//
// Without --customers: the stacks run one per job (pulumi/actions): the single stacks (dev, prod)
// and the platform stack. With --customers: the customer stacks (devkit/tenants/customers.ts),
// which `npm run tenants` runs together in one job. --reasons prints, instead of names, objects
// saying which changed file touched each stack ({stack, because, scope}). `shards` prints the
// nightly drift matrix for the customers present: [1, …, N].
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { projectStacks } from "../devkit/tenants/customers";
import {
  ciStacks,
  STACKS_NOT_IN_CI,
  shardMatrix,
  type TouchedStack,
  touchedStacksWithReasons,
} from "./gitops/ciStacks";

const USAGE =
  "usage: npx tsx scripts/ci-stacks.ts all | changed <base-ref> | only <stack> [--customers] [--reasons]\n" +
  "       npx tsx scripts/ci-stacks.ts shards";

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

function main(argv: string[]): number {
  const { values: flags, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { customers: { type: "boolean" }, reasons: { type: "boolean" } },
  });
  const [mode, argument] = positionals;
  const stackFiles = fs.readdirSync(".");
  const customers = new Set(
    projectStacks(".")
      .filter((s) => s.role === "customer")
      .map((s) => s.name),
  );
  if (mode === "shards") {
    process.stdout.write(`${JSON.stringify(shardMatrix(customers.size))}\n`);
    return 0;
  }
  // Customers go to `tenants` (--customers), every other stack to the per-stack jobs.
  const wanted = (stack: string) => customers.has(stack) === (flags.customers === true);
  const all = ciStacks(stackFiles).filter(wanted);
  let touched: TouchedStack[];
  if (mode === "all") {
    touched = all.map((stack) => ({ stack, because: "every stack", scope: "shared" }));
  } else if (mode === "changed" && argument !== undefined) {
    const files = changedFiles(argument);
    if (files === undefined) {
      console.error(`ci-stacks: cannot diff against ${argument}; using every stack`);
      touched = all.map((stack) => ({
        stack,
        because: `no diff from ${argument}`,
        scope: "shared",
      }));
    } else {
      touched = touchedStacksWithReasons(files, stackFiles).filter((t) => wanted(t.stack));
    }
  } else if (mode === "only" && argument !== undefined) {
    touched = all
      .filter((s) => s === argument)
      .map((stack) => ({ stack, because: "asked for by name", scope: "own" }));
    if (touched.length === 0) {
      console.error(
        `ci-stacks: no stack ${argument} for CI to run${flags.customers ? " as a customer" : ""} (it needs Pulumi.${argument}.yaml; ` +
          `${STACKS_NOT_IN_CI.join(", ")} never runs in CI` +
          (customers.has(argument) ? "; it is a customer: run it with --customers" : "") +
          ")",
      );
      return 1;
    }
  } else {
    console.error(USAGE);
    return 2;
  }
  const output = flags.reasons ? touched : touched.map((t) => t.stack);
  process.stdout.write(`${JSON.stringify(output)}\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`ci-stacks: ${(error as Error).message}\n${USAGE}`);
  process.exitCode = 2;
}
