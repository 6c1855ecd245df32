import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CUSTOMERS_PER_SHARD,
  ciStacks,
  MAX_SHARDS,
  shardMatrix,
  touchedStacks,
  touchedStacksWithReasons,
} from "../../../scripts/gitops/ciStacks";
import { TempGitRepo } from "../../support/gitRepo";

const files = [
  "Pulumi.yaml",
  "Pulumi.prod.yaml",
  "Pulumi.dev.yaml",
  "Pulumi.local.yaml",
  "index.ts",
];

describe("the workflows' stack matrix", () => {
  it("runs every stack file except the offline local stack, prod last", () => {
    expect(ciStacks([...files, "Pulumi.staging.yml"])).toEqual(["dev", "staging", "prod"]);
  });

  it("previews only the stack whose config file changed", () => {
    expect(touchedStacks(["Pulumi.prod.yaml"], files)).toEqual(["prod"]);
    expect(touchedStacks(["Pulumi.local.yaml", "README.md"], files)).toEqual([]);
  });

  it("previews every stack when deployed code, Pulumi.yaml, dependencies or policy change", () => {
    for (const changed of [
      "index.ts",
      "providers/sipDomain.ts",
      "lambda/handler.ts",
      "Pulumi.yaml",
      "tsconfig.pulumi.json",
      "package-lock.json",
      "policy/rules.ts",
    ]) {
      expect(touchedStacks(["Pulumi.dev.yaml", changed], files)).toEqual(["dev", "prod"]);
    }
  });

  it("previews nothing for tests, docs, benchmarks and workflow edits", () => {
    expect(
      touchedStacks(
        ["test/policy/rules.test.ts", "docs/x.png", "bench/providers.ts", ".github/CODEOWNERS"],
        files,
      ),
    ).toEqual([]);
  });
});

describe("scripts/ci-stacks.ts on real history", () => {
  const repo = new TempGitRepo();
  let base: string;
  beforeAll(() => {
    base = repo.commit("base", {
      "Pulumi.yaml": "name: line-call\nruntime: nodejs\n",
      "Pulumi.dev.yaml": "config: {}\n",
      "Pulumi.prod.yaml": "config: {}\n",
      "Pulumi.local.yaml": "config: {}\n",
      "index.ts": "export {};\n",
    });
    repo.commit("change prod only", {
      "Pulumi.prod.yaml": "config:\n  line-call:lineConnected: true\n",
    });
  });
  afterAll(() => repo.remove());

  it("prints the touched stacks as a JSON matrix", () => {
    const { status, stdout } = repo.run("scripts/ci-stacks.ts", ["changed", base]);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual(["prod"]);
  });

  it("falls back to every stack when the base is unknown (a branch's first push)", () => {
    const zero = "0000000000000000000000000000000000000000";
    for (const args of [["changed", zero], ["changed", "deadbeef"], ["all"]]) {
      const { status, stdout } = repo.run("scripts/ci-stacks.ts", args);
      expect(status).toBe(0);
      expect(JSON.parse(stdout)).toEqual(["dev", "prod"]);
    }
  });

  it("writes the policy pack config from the stack's opt-in", () => {
    repo.write({ "Pulumi.dev.yaml": "config:\n  line-call:allowWideIpRanges: true\n" });
    const dev = repo.run("scripts/policy-config.ts", ["dev"]);
    expect(JSON.parse(dev.stdout)).toEqual({
      "line-ip-range-at-most-24": { allowWideIpRanges: true },
    });
    const prod = repo.run("scripts/policy-config.ts", ["prod"]);
    expect(JSON.parse(prod.stdout)).toEqual({
      "line-ip-range-at-most-24": { allowWideIpRanges: false },
    });
    expect(repo.run("scripts/policy-config.ts", ["nope"]).status).toBe(2);
  });
});

describe("which customers a diff touches, and why", () => {
  const customerFiles = [...files, "Pulumi.aoba.yaml", "Pulumi.kita.yaml", "Pulumi.minato.yaml"];

  it("a customer's own stack file touches that customer only", () => {
    expect(
      touchedStacksWithReasons(["Pulumi.kita.yaml", "docs/tenants.md"], customerFiles),
    ).toEqual([{ stack: "kita", because: "Pulumi.kita.yaml", scope: "own" }]);
  });

  it("a new customer's file touches it; a deleted one is left out (nothing to run)", () => {
    const afterDelete = customerFiles.filter((f) => f !== "Pulumi.minato.yaml");
    expect(
      touchedStacks(["Pulumi.zen.yaml", "Pulumi.minato.yaml"], [...afterDelete, "Pulumi.zen.yaml"]),
    ).toEqual(["zen"]);
  });

  it("the shared LINE IP list (Pulumi.yaml) or the program touches every customer, saying which file", () => {
    for (const shared of [
      "Pulumi.yaml",
      "index.ts",
      "stack/config/domain.ts",
      "package-lock.json",
    ]) {
      const touched = touchedStacksWithReasons(["Pulumi.kita.yaml", shared], customerFiles);
      expect(touched.map((t) => t.stack)).toEqual(["aoba", "dev", "kita", "minato", "prod"]);
      expect(new Set(touched.map((t) => `${t.because} ${t.scope}`))).toEqual(
        new Set([`${shared} shared`]),
      );
    }
  });

  it("docs, tests and the workflows touch none", () => {
    expect(
      touchedStacksWithReasons(
        ["docs/ja/tenants.md", ".github/workflows/pulumi-drift.yml", "test/x.test.ts"],
        customerFiles,
      ),
    ).toEqual([]);
  });
});

describe("the nightly drift matrix", () => {
  it("grows a shard per CUSTOMERS_PER_SHARD customers, up to MAX_SHARDS", () => {
    expect(shardMatrix(0)).toEqual([]);
    expect(shardMatrix(1)).toEqual([1]);
    expect(shardMatrix(CUSTOMERS_PER_SHARD)).toEqual([1]);
    expect(shardMatrix(CUSTOMERS_PER_SHARD + 1)).toEqual([1, 2]);
    expect(shardMatrix(100)).toHaveLength(Math.ceil(100 / CUSTOMERS_PER_SHARD));
    expect(shardMatrix(10_000)).toHaveLength(MAX_SHARDS);
  });
});

describe("scripts/ci-stacks.ts with customer stacks", () => {
  const repo = new TempGitRepo();
  const customer = (sid: string) => `config:\n  line-call:subaccountSid: AC${sid.repeat(32)}\n`;
  let base: string;
  beforeAll(() => {
    base = repo.commit("base", {
      "Pulumi.yaml": "name: line-call\nruntime: nodejs\n",
      "Pulumi.prod.yaml": "config: {}\n",
      "Pulumi.aoba.yaml": customer("1"),
      "Pulumi.kita.yaml": customer("2"),
      "index.ts": "export {};\n",
    });
    repo.commit("change kita only", {
      "Pulumi.kita.yaml": `${customer("2")}  line-call:lineConnected: true\n`,
    });
  });
  afterAll(() => repo.remove());

  it("splits the customers (run by tenants) from the per-stack jobs", () => {
    expect(JSON.parse(repo.run("scripts/ci-stacks.ts", ["all"]).stdout)).toEqual(["prod"]);
    expect(JSON.parse(repo.run("scripts/ci-stacks.ts", ["all", "--customers"]).stdout)).toEqual([
      "aoba",
      "kita",
    ]);
    expect(JSON.parse(repo.run("scripts/ci-stacks.ts", ["changed", base]).stdout)).toEqual([]);
    expect(
      JSON.parse(
        repo.run("scripts/ci-stacks.ts", ["changed", base, "--customers", "--reasons"]).stdout,
      ),
    ).toEqual([{ stack: "kita", because: "Pulumi.kita.yaml", scope: "own" }]);
  });

  it("names a customer asked for by hand only with --customers", () => {
    expect(
      JSON.parse(repo.run("scripts/ci-stacks.ts", ["only", "aoba", "--customers"]).stdout),
    ).toEqual(["aoba"]);
    const single = repo.run("scripts/ci-stacks.ts", ["only", "aoba"]);
    expect(single.status).toBe(1);
    expect(single.stderr).toMatch(
      /no stack aoba for CI to run .*it is a customer: run it with --customers/,
    );
  });

  it("prints the drift matrix for the customers present", () => {
    expect(JSON.parse(repo.run("scripts/ci-stacks.ts", ["shards"]).stdout)).toEqual([1]);
  });
});
