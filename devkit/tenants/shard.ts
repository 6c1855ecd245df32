// `--shard i/N`: one of N disjoint slices of the selected customers, so the nightly drift check can
// spread hundreds of customers over a job matrix (N jobs, shard 1/N … N/N) and still cover each
// customer exactly once. Customers are dealt round-robin in name order: shard sizes differ by at
// most one, and each shard is a fixed function of the customer list the commit holds.

export interface Shard {
  /** 1-based, as a job matrix counts. */
  index: number;
  count: number;
}

export class ShardError extends Error {}

/** Parses `i/N` (1 ≤ i ≤ N); throws naming the option and the form it takes. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = match ? Number(match[1]) : Number.NaN;
  const count = match ? Number(match[2]) : Number.NaN;
  if (!match || count < 1 || index < 1 || index > count) {
    throw new ShardError(
      `--shard takes i/N with 1 ≤ i ≤ N (e.g. --shard 2/4 for the second of four), got ${JSON.stringify(text)}`,
    );
  }
  return { index, count };
}

/** The customers of shard `index` of `count`: every `count`-th by name, starting at `index`. */
export function shardOf<T extends { name: string }>(customers: T[], shard: Shard): T[] {
  return [...customers]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .filter((_, position) => position % shard.count === shard.index - 1);
}
