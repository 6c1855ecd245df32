// Which stacks a workflow run acts on: the job matrix for PR previews, deploys and drift checks.
import { stackNameOf } from "../../devkit/stackFile";

/**
 * Stacks CI never previews, deploys or drift-checks: `local` is the offline first-run stack that
 * points at the Twilio stand-in and webhook on the developer's own machine.
 */
export const STACKS_NOT_IN_CI = ["local"];

/** Paths that cannot change what any stack deploys (prefixes end in "/"). */
const NOT_DEPLOYED = [
  ".github/",
  ".ci/",
  "test/",
  "devkit/",
  "bench/",
  "docs/",
  ".gitignore",
  "biome.json",
  "vitest.config.mts",
];

function affectsNoStack(file: string): boolean {
  return (
    file.endsWith(".md") ||
    NOT_DEPLOYED.some((p) => (p.endsWith("/") ? file.startsWith(p) : file === p))
  );
}

/** Production last, so a deploy matrix run one at a time meets prod's reviewers after dev. */
export function deployOrder(stacks: Iterable<string>): string[] {
  const rank = (s: string) => (s === "prod" || s === "production" ? 1 : 0);
  return [...new Set(stacks)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Every stack CI runs, from the stack files present (`Pulumi.<stack>.yaml`). */
export function ciStacks(stackFiles: string[]): string[] {
  return deployOrder(
    stackFiles
      .map(stackNameOf)
      .filter((s): s is string => s !== undefined && !STACKS_NOT_IN_CI.includes(s)),
  );
}

/**
 * The stacks a change touches: a stack whose own file changed, or every stack when anything
 * that is deployed changed (the program, providers, webhook, Pulumi.yaml, dependencies, the
 * policy pack). Stacks whose file no longer exists are left out: there is nothing to run.
 */
export function touchedStacks(changedFiles: string[], stackFiles: string[]): string[] {
  const all = ciStacks(stackFiles);
  const touched = new Set<string>();
  for (const file of changedFiles) {
    const stack = file.includes("/") ? undefined : stackNameOf(file);
    if (stack !== undefined) touched.add(stack);
    else if (!affectsNoStack(file)) return all;
  }
  return all.filter((s) => touched.has(s));
}
