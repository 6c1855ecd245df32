// `npm run ip-diff -- <base-ref> [stack…]`: per stack, the LINE IP entries added, removed and
// changed between <base-ref> and the working tree, and every value in the working tree's files
// that the program's own validation (or the policy pack) would refuse. A stack's list is its own
// (Pulumi.<stack>.yaml) or, when it has none, the shared list in Pulumi.yaml, each side read
// with its own Pulumi.yaml: a change to the shared list shows once, and in every stack it reaches.
// Exit 0 when every stack file is valid, 1 when one is not, 2 on usage errors.
// Run it from the Pulumi project directory (where Pulumi.yaml is).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import {
  loadProjectDefaults,
  parseProjectDefaults,
  parseStackFile,
  type StackConfig,
  stackNameOf,
} from "../devkit/stackFile";
import {
  formatReviews,
  hasSharedList,
  type ProjectValues,
  reviewSharedList,
  reviewStack,
  type StackSnapshot,
} from "./gitops/ipListReview";

const USAGE = "usage: npm run ip-diff -- <base-ref> [stack ...]   (e.g. origin/main)";

function git(args: string[]): string {
  return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A file at <ref>, relative to the current directory; undefined when it did not exist there. */
function showAtRef(ref: string, file: string): string | undefined {
  try {
    return git(["show", `${ref}:./${file}`]);
  } catch {
    return undefined;
  }
}

function stackFilesAtRef(ref: string): string[] {
  try {
    return git(["ls-tree", "--name-only", `${ref}:./`])
      .split("\n")
      .filter(stackNameOf);
  } catch {
    return []; // the project directory did not exist at <ref>
  }
}

function snapshot(text: string | undefined, fileName: string): StackSnapshot | undefined {
  if (text === undefined) return undefined;
  try {
    return parseStackFile(text, fileName);
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Pulumi.yaml's values at <ref>; none when it was missing or unreadable there. */
function projectValuesAtRef(ref: string): StackConfig {
  try {
    return parseProjectDefaults(showAtRef(ref, "Pulumi.yaml"));
  } catch {
    return {}; // its own problems are not this change's
  }
}

function main(argv: string[]): number {
  const [baseRef, ...only] = argv;
  if (!baseRef || baseRef.startsWith("-")) {
    console.error(USAGE);
    return 2;
  }
  try {
    git(["rev-parse", "--verify", "--quiet", `${baseRef}^{commit}`]);
  } catch {
    console.error(
      `ip-diff: ${baseRef} is not a commit here; fetch it first (git fetch origin main) \n${USAGE}`,
    );
    return 2;
  }
  const files = new Set([
    ...stackFilesAtRef(baseRef),
    ...fs.readdirSync(".").filter((name) => stackNameOf(name) !== undefined),
  ]);
  const stacks = [...files]
    .map((file) => ({ file, stack: stackNameOf(file) as string }))
    .filter(({ stack }) => only.length === 0 || only.includes(stack))
    .sort((a, b) => a.stack.localeCompare(b.stack));
  for (const name of only) {
    if (!stacks.some((s) => s.stack === name)) {
      console.error(`ip-diff: no Pulumi.${name}.yaml at ${baseRef} or in the working tree`);
      return 2;
    }
  }
  const projects: ProjectValues = {
    base: projectValuesAtRef(baseRef),
    head: loadProjectDefaults(),
  };
  const reviews = stacks.map(({ file, stack }) =>
    reviewStack(
      stack,
      snapshot(showAtRef(baseRef, file), file),
      snapshot(fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined, file),
      projects,
    ),
  );
  const shared = hasSharedList(projects) ? reviewSharedList(projects, reviews) : undefined;
  process.stdout.write(formatReviews(reviews, baseRef, shared));
  return reviews.some((r) => r.errors.length > 0) ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`ip-diff: ${(error as Error).message}`);
  process.exitCode = 2;
}
