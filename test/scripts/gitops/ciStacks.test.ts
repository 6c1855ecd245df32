import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ciStacks, touchedStacks } from "../../../scripts/gitops/ciStacks";
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
