// `--shard i/N`: the nightly drift matrix covers every customer exactly once, in even slices.
import { describe, expect, it } from "vitest";
import { parseShard, ShardError, shardOf } from "../../../devkit/tenants/shard";

const customers = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `customer-${String(i).padStart(3, "0")}` }));

describe("parseShard", () => {
  it("reads i/N", () => {
    expect(parseShard("1/1")).toEqual({ index: 1, count: 1 });
    expect(parseShard("3/4")).toEqual({ index: 3, count: 4 });
    expect(parseShard(" 2 / 10 ")).toEqual({ index: 2, count: 10 });
  });

  it.each(["0/4", "5/4", "1/0", "2", "a/b", "-1/3", "1.5/3", ""])(
    "refuses %j, naming the option and its form",
    (text) => {
      expect(() => parseShard(text)).toThrow(ShardError);
      expect(() => parseShard(text)).toThrow(/--shard takes i\/N with 1 ≤ i ≤ N/);
    },
  );
});

describe("shardOf", () => {
  it.each([
    [0, 3],
    [1, 4],
    [7, 3],
    [100, 4],
    [101, 8],
  ])("deals %i customers over %i shards: each exactly once, sizes within one", (n, count) => {
    const all = customers(n);
    const shards = Array.from({ length: count }, (_, i) =>
      shardOf(all, { index: i + 1, count }).map((c) => c.name),
    );
    expect(shards.flat().sort()).toEqual(all.map((c) => c.name).sort());
    const sizes = shards.map((s) => s.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it("does not depend on the order the customers come in", () => {
    const all = customers(10);
    const shuffled = [...all].reverse();
    expect(shardOf(shuffled, { index: 2, count: 3 })).toEqual(shardOf(all, { index: 2, count: 3 }));
    expect(shardOf(all, { index: 2, count: 3 }).map((c) => c.name)).toEqual([
      "customer-001",
      "customer-004",
      "customer-007",
    ]);
  });

  it("1/1 is everyone", () => {
    expect(shardOf(customers(5), parseShard("1/1"))).toHaveLength(5);
  });
});
