// The GitHub workflows: valid for GitHub (checked by action-validator, the npm workflow
// validator built on GitHub's published workflow schema), and wired the way the README says.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = path.resolve(__dirname, "../..");
const WORKFLOWS = path.join(ROOT, ".github/workflows");
const VALIDATOR = path.join(ROOT, "node_modules/.bin/action-validator");
const workflowFiles = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  name?: string;
  "runs-on"?: string;
  needs?: string | string[];
  if?: string;
  environment?: string;
  env?: Record<string, string>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  strategy?: { matrix: Record<string, unknown>; "max-parallel"?: number; "fail-fast"?: boolean };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

/** A GitHub expression as written in a workflow: gh("matrix.stack") is "${{ matrix.stack }}". */
const gh = (expression: string) => `\${{ ${expression} }}`;
const load = (file: string) =>
  parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
const steps = (workflow: Workflow) => Object.values(workflow.jobs).flatMap((job) => job.steps);
const pulumiStep = (job: Job) => {
  const step = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
  if (!step) throw new Error("job has no pulumi/actions step");
  return step;
};

function validate(file: string) {
  const result = spawnSync(VALIDATOR, [file], { encoding: "utf8", env: { ...process.env } });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("workflow files pass action-validator", () => {
  it("has the preview, deploy and drift workflows", () => {
    expect(workflowFiles.sort()).toEqual([
      "pulumi-deploy.yml",
      "pulumi-drift.yml",
      "pulumi-preview.yml",
    ]);
  });

  it.each(workflowFiles)("%s is valid", (file) => {
    const { status, output } = validate(path.join(WORKFLOWS, file));
    expect(output).toBe("");
    expect(status).toBe(0);
  });

  describe("and the validator rejects broken workflows", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "line-call-workflows-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const broken = (name: string, edit: (text: string) => string) => {
      const file = path.join(dir, name);
      const original = fs.readFileSync(path.join(WORKFLOWS, "pulumi-preview.yml"), "utf8");
      const text = edit(original);
      expect(text).not.toBe(original);
      fs.writeFileSync(file, text);
      return validate(file);
    };

    it("a job that needs a job which does not exist", () => {
      const { status, output } = broken("needs.yml", (t) =>
        t.replace("needs: stacks", "needs: stack"),
      );
      expect(status).not.toBe(0);
      expect(output).toMatch(/unresolved job stack/i);
    });

    it("a misspelt job key", () => {
      const { status, output } = broken("key.yml", (t) =>
        t.replace("timeout-minutes: 30", "timeout-minute: 30"),
      );
      expect(status).not.toBe(0);
      expect(output).toMatch(/timeout-minute/);
    });
  });
});

describe("workflows as documented", () => {
  const preview = load("pulumi-preview.yml");
  const deploy = load("pulumi-deploy.yml");
  const drift = load("pulumi-drift.yml");
  const all = { preview, deploy, drift };

  it("take Node from .node-version with the npm cache, install with npm ci, and pin the Pulumi CLI to the SDK", () => {
    for (const workflow of Object.values(all)) {
      const usingNode = Object.values(workflow.jobs).filter((job) =>
        job.steps.some((s) => /\bnpx |\bnpm /.test(s.run ?? "") || s.uses?.startsWith("pulumi/")),
      );
      expect(usingNode.length).toBeGreaterThan(1);
      for (const job of usingNode) {
        const node = job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
        expect(node?.with).toEqual({ "node-version-file": ".node-version", cache: "npm" });
        expect(job.steps.some((s) => s.run === "npm ci")).toBe(true);
      }
      for (const step of steps(workflow).filter((s) => s.uses?.startsWith("pulumi/actions@"))) {
        expect(step.with?.["pulumi-version"]).toBe(packageJson.dependencies["@pulumi/pulumi"]);
      }
    }
  });

  it("take the backend and secrets from repository settings, never from the files", () => {
    for (const job of [preview.jobs.preview, deploy.jobs.deploy, drift.jobs.drift]) {
      expect(job.env).toEqual({
        PULUMI_BACKEND_URL: gh("vars.PULUMI_BACKEND_URL"),
        PULUMI_ACCESS_TOKEN: gh("secrets.PULUMI_ACCESS_TOKEN"),
        PULUMI_CONFIG_PASSPHRASE: gh("secrets.PULUMI_CONFIG_PASSPHRASE"),
        TWILIO_AUTH_TOKEN: gh("secrets.TWILIO_AUTH_TOKEN"),
        HAS_AWS_ACCESS_KEY: gh("secrets.AWS_ACCESS_KEY_ID != ''"),
        ...(job === drift.jobs.drift ? { STACK: gh("matrix.stack") } : {}),
      });
      expect(job.permissions?.["id-token"]).toBe("write");
      const aws = job.steps.find((s) =>
        s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
      );
      expect(aws?.if).toContain("env.HAS_AWS_ACCESS_KEY == 'true'");
      expect(aws?.with).toMatchObject({
        "aws-access-key-id": gh("secrets.AWS_ACCESS_KEY_ID"),
        "aws-secret-access-key": gh("secrets.AWS_SECRET_ACCESS_KEY"),
      });
    }
    for (const step of [pulumiStep(preview.jobs.preview), pulumiStep(deploy.jobs.deploy)]) {
      expect(step.with?.["cloud-url"]).toBe(gh("vars.PULUMI_BACKEND_URL"));
      expect(step.with?.["secrets-provider"]).toBe(gh("vars.PULUMI_SECRETS_PROVIDER"));
    }
  });

  it("preview every touched stack on pull requests, commented on the PR, with the policy pack", () => {
    expect(Object.keys(preview.on)).toEqual(["pull_request"]);
    const job = preview.jobs.preview;
    expect(job.needs).toBe("stacks");
    expect(job.strategy?.matrix.stack).toBe(gh("fromJSON(needs.stacks.outputs.stacks)"));
    expect(preview.jobs.stacks.steps.at(-1)?.run).toContain("scripts/ci-stacks.ts changed");
    expect(pulumiStep(job).with).toMatchObject({
      command: "preview",
      "stack-name": gh("matrix.stack"),
      diff: true,
      "comment-on-pr": true,
      policyPacks: "policy",
      policyPackConfigs: `${gh("runner.temp")}/policy-config.json`,
    });
    expect(job.permissions?.["pull-requests"]).toBe("write");
  });

  it("sum the PR's jobs up in one check for branch protection", () => {
    expect(preview.jobs.result).toMatchObject({
      name: "Pulumi preview result",
      needs: ["stacks", "typecheck", "ip-diff", "preview", "customers"],
      if: "always()",
    });
  });

  it("fail the PR on a type error in a job of its own, since the previews run the program without type checking", () => {
    const job = preview.jobs.typecheck;
    expect(job.if).toBeUndefined();
    expect(job.steps.map((s) => s.run).filter(Boolean)).toEqual(["npm ci", "npm run typecheck"]);
  });

  it("post npm run ip-diff next to the preview and fail the PR on an invalid list", () => {
    const job = preview.jobs["ip-diff"];
    const diff = job.steps.find((s) => s.run?.includes("npm run --silent ip-diff"));
    expect(diff?.run).toContain('ip-diff -- "origin/$BASE_REF"');
    const comment = job.steps.find((s) => s.uses?.startsWith("actions/github-script@"));
    expect(comment?.with?.script).toContain("<!-- line-call:ip-diff -->");
    expect(job.steps.at(-1)?.if).toBe("steps.diff.outputs.exit-code != '0'");
  });

  it("deploy on push to main one stack at a time, each in its own environment", () => {
    expect(deploy.on.push).toEqual({ branches: ["main"] });
    expect(deploy.on).toHaveProperty("workflow_dispatch");
    const job = deploy.jobs.deploy;
    expect(job.environment).toBe(gh("matrix.stack"));
    expect(job.strategy).toMatchObject({ "max-parallel": 1, "fail-fast": true });
    expect(job.concurrency).toEqual({
      group: `pulumi-stack-${gh("matrix.stack")}`,
      "cancel-in-progress": false,
    });
    expect(pulumiStep(job).with).toMatchObject({
      command: "up",
      policyPacks: "policy",
      policyPackConfigs: `${gh("runner.temp")}/policy-config.json`,
    });
  });

  it("deploy nothing with a type error: every stack waits for npm run typecheck", () => {
    const runs = deploy.jobs.stacks.steps.map((s) => s.run ?? s.uses);
    expect(runs.indexOf("npm run typecheck")).toBeGreaterThan(runs.indexOf("npm ci"));
    expect(runs.indexOf("npm run typecheck")).toBeLessThan(
      deploy.jobs.stacks.steps.findIndex((s) => s.id === "select"),
    );
    expect(deploy.jobs.deploy.needs).toBe("stacks");
  });

  it("deploy with one run of the program per stack: pulumi/actions' up, no preview before it", () => {
    // pulumi/actions runs `up` through the Automation API, which passes --skip-preview: the
    // preview was shown on the PR. A refresh would not run the program, but none is asked for.
    const job = deploy.jobs.deploy;
    const pulumiSteps = job.steps.filter(
      (s) => s.uses?.startsWith("pulumi/") || /\bpulumi (up|preview)\b/.test(s.run ?? ""),
    );
    expect(pulumiSteps).toEqual([pulumiStep(job)]);
    expect(pulumiStep(job).with?.command).toBe("up");
    expect(pulumiStep(job).with?.refresh).toBeUndefined();
  });

  it("check drift nightly and on demand, sharing the deploy's per-stack lock, and file issues", () => {
    expect(Object.keys(drift.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    const job = drift.jobs.drift;
    expect(job.concurrency).toEqual(deploy.jobs.deploy.concurrency);
    expect(job.strategy?.["fail-fast"]).toBe(false);
    expect(job.permissions?.issues).toBe("write");
    const previewStep = job.steps.find((s) => s.id === "preview");
    expect(previewStep?.run).toMatch(
      /pulumi preview --stack "\$STACK" --refresh --expect-no-changes --diff/,
    );
    expect(previewStep?.run).toContain("scripts/drift-report.ts");
    const issue = job.steps.find((s) => s.uses?.startsWith("actions/github-script@"));
    expect(issue?.with?.script).toContain(`Drift detected in stack \${stack}`);
    expect(job.steps.at(-1)?.if).toBe("steps.preview.outputs.result != 'clean'");
  });

  it("run the customers through tenants: the ones a PR touches, then exactly those on merge", () => {
    const customerEnv = {
      PULUMI_BACKEND_URL: gh("vars.PULUMI_BACKEND_URL"),
      PULUMI_ACCESS_TOKEN: gh("secrets.PULUMI_ACCESS_TOKEN"),
      PULUMI_CONFIG_PASSPHRASE: gh("secrets.PULUMI_CONFIG_PASSPHRASE"),
      TWILIO_AUTH_TOKEN: gh("secrets.TWILIO_AUTH_TOKEN"),
      HAS_AWS_ACCESS_KEY: gh("secrets.AWS_ACCESS_KEY_ID != ''"),
      TOUCHED: gh("needs.stacks.outputs.customers"),
    };
    const onPr = preview.jobs.customers;
    expect(onPr.needs).toBe("stacks");
    expect(onPr.if).toContain("needs.stacks.outputs.customers != '[]'");
    expect(onPr.env).toEqual(customerEnv);
    expect(onPr.permissions).toMatchObject({ "pull-requests": "write", "id-token": "write" });
    expect(onPr.steps.find((s) => s.id === "preview")?.run).toContain(
      `npx tsx scripts/tenants.ts preview "$\{customers[@]}" --json`,
    );
    expect(preview.jobs.stacks.steps.at(-1)?.run).toContain(
      'scripts/ci-stacks.ts changed "origin/$BASE_REF" --customers --reasons',
    );

    const onMerge = deploy.jobs.customers;
    expect(onMerge.needs).toEqual(["stacks", "deploy"]);
    expect(onMerge.if).toContain("needs.deploy.result == 'skipped'");
    expect(onMerge.environment).toBe("customers");
    expect(onMerge.concurrency).toEqual({ group: "pulumi-customers", "cancel-in-progress": false });
    expect(onMerge.env).toEqual(customerEnv);
    expect(onMerge.steps.find((s) => s.id === "up")?.run).toContain(
      `npx tsx scripts/tenants.ts up "$\{customers[@]}" --json`,
    );
  });

  it("check every customer's drift nightly, sharded over a matrix, into one issue", () => {
    const shards = drift.jobs["customer-drift"];
    expect(shards.strategy?.matrix.shard).toBe(gh("fromJSON(needs.stacks.outputs.shards)"));
    expect(shards.strategy?.["fail-fast"]).toBe(false);
    expect(shards.env).toMatchObject({
      SHARD: gh("matrix.shard"),
      SHARDS: gh("strategy.job-total"),
    });
    expect(shards.steps.find((s) => s.id === "drift")?.run).toContain(
      'npx tsx scripts/tenants.ts drift --all --shard "$SHARD/$SHARDS" --json',
    );
    expect(drift.jobs.stacks.steps.at(-1)?.run).toContain("scripts/ci-stacks.ts shards");
    const issue = drift.jobs["customer-drift-issue"];
    expect(issue.needs).toEqual(["stacks", "customer-drift"]);
    expect(issue.if).toContain("always()");
    expect(issue.permissions?.issues).toBe("write");
    const script = issue.steps.find((s) => s.uses?.startsWith("actions/github-script@"));
    expect(script?.with?.script).toContain('"Drift detected in customer stacks"');
    expect(issue.steps.at(-1)?.if).toBe("steps.verdict.outputs.result != 'clean'");
  });

  it("only call scripts and npm scripts that exist", () => {
    const text = workflowFiles
      .map((f) => fs.readFileSync(path.join(WORKFLOWS, f), "utf8"))
      .join("\n");
    const scripts = [...text.matchAll(/npx tsx (scripts\/[\w./-]+\.ts)/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(3);
    for (const script of scripts) expect(fs.existsSync(path.join(ROOT, script))).toBe(true);
    for (const [, name] of text.matchAll(/npm run (?:--silent )?([\w:-]+)/g)) {
      expect(packageJson.scripts).toHaveProperty(name);
    }
    expect(fs.existsSync(path.join(ROOT, "policy/PulumiPolicy.yaml"))).toBe(true);
  });
});

describe("CODEOWNERS", () => {
  const rules = fs
    .readFileSync(path.join(ROOT, ".github/CODEOWNERS"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [pattern, ...owners] = line.split(/\s+/);
      return { pattern, owners };
    });

  /** GitHub's matching for the anchored patterns used here: `*` within a name, `dir/` below. */
  const owns = (pattern: string, file: string) => {
    const anchored = pattern.replace(/^\//, "");
    if (anchored.endsWith("/")) return file.startsWith(anchored);
    const regex = new RegExp(
      `^${anchored.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`,
    );
    return regex.test(file);
  };

  it("makes every stack config file, the policy pack and the workflows need an owner", () => {
    const stackFiles = fs.readdirSync(ROOT).filter((f) => /^Pulumi\..+\.ya?ml$/.test(f));
    expect(stackFiles.length).toBeGreaterThan(0);
    for (const file of [
      ...stackFiles,
      "Pulumi.staging.yaml",
      "policy/rules.ts",
      ".github/workflows/pulumi-deploy.yml",
    ]) {
      const rule = rules.filter((r) => owns(r.pattern, file)).at(-1);
      expect(rule?.owners.length, file).toBeGreaterThan(0);
      for (const owner of rule?.owners ?? []) expect(owner).toMatch(/^@[\w-]+(\/[\w-]+)?$/);
    }
    expect(rules.some((r) => owns(r.pattern, "index.ts"))).toBe(false);
  });
});
