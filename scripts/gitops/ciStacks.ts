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

/** A stack a change touches, and the file that made it so (its own, or one every stack shares). */
export interface TouchedStack {
  stack: string;
  /** The first changed file that touches it, e.g. `Pulumi.acme.yaml`, `Pulumi.yaml`, `index.ts`. */
  because: string;
  /** Whether that file is the stack's own, or one every stack shares (program, Pulumi.yaml, …). */
  scope: "own" | "shared";
}

/**
 * The stacks a change touches, with why: a stack whose own file changed, or every stack when
 * anything that is deployed changed (the program, providers, webhook, Pulumi.yaml with the shared
 * LINE IP list, dependencies, the policy pack). Stacks whose file no longer exists are left out:
 * there is nothing to run.
 */
export function touchedStacksWithReasons(
  changedFiles: string[],
  stackFiles: string[],
): TouchedStack[] {
  const all = ciStacks(stackFiles);
  const own = new Map<string, string>();
  for (const file of changedFiles) {
    const stack = file.includes("/") ? undefined : stackNameOf(file);
    if (stack !== undefined) {
      if (!own.has(stack)) own.set(stack, file);
    } else if (!affectsNoStack(file)) {
      return all.map((s) => ({ stack: s, because: file, scope: "shared" }));
    }
  }
  return all
    .filter((s) => own.has(s))
    .map((s) => ({ stack: s, because: own.get(s) as string, scope: "own" }));
}

/** The stacks a change touches (touchedStacksWithReasons, names only). */
export function touchedStacks(changedFiles: string[], stackFiles: string[]): string[] {
  return touchedStacksWithReasons(changedFiles, stackFiles).map((t) => t.stack);
}

/** Customers one drift-check job covers at most before the matrix grows by a shard. */
export const CUSTOMERS_PER_SHARD = 25;
/** The matrix stops growing here: past it each shard takes more customers (GitHub bills jobs). */
export const MAX_SHARDS = 8;

/**
 * The nightly drift matrix for `customers` customer stacks: shard numbers 1…N, N the fewest
 * shards that keep each at CUSTOMERS_PER_SHARD or below, at most MAX_SHARDS; none for none. Each
 * job runs `tenants drift --all --shard <n>/N` (devkit/tenants/shard.ts deals the customers).
 */
export function shardMatrix(customers: number): number[] {
  const count = Math.min(MAX_SHARDS, Math.ceil(customers / CUSTOMERS_PER_SHARD));
  return Array.from({ length: count }, (_, i) => i + 1);
}
