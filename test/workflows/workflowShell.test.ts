// The workflows' shell steps, run as GitHub runs them (`bash -eo pipefail`, GITHUB_OUTPUT, the
// step's env), in this repository, with a stand-in `pulumi` on PATH where one is needed.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { TempGitRepo } from "../support/gitRepo";

const ROOT = path.resolve(__dirname, "../..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "line-call-steps-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The `run` of the step with this id (or, for steps without one, this name). */
function runOf(workflow: string, job: string, step: string): string {
  const parsed = parse(fs.readFileSync(path.join(ROOT, ".github/workflows", workflow), "utf8"));
  return parsed.jobs[job].steps.find(
    (s: { id?: string; name?: string }) => s.id === step || s.name === step,
  ).run;
}

let runs = 0;
function runStep(script: string, env: Record<string, string>, pathPrefix?: string, cwd = ROOT) {
  runs += 1;
  const output = path.join(tmp, `output-${runs}`);
  fs.writeFileSync(output, "");
  const file = path.join(tmp, `step-${runs}.sh`);
  fs.writeFileSync(file, script);
  const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      ...(pathPrefix ? { PATH: `${pathPrefix}:${process.env.PATH}` } : {}),
      GITHUB_OUTPUT: output,
      RUNNER_TEMP: tmp,
      ...env,
    },
  });
  const outputs = Object.fromEntries(
    fs
      .readFileSync(output, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(/=(.*)/s).slice(0, 2)),
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, outputs };
}

describe("deploy: choosing the stacks", () => {
  const script = runOf("pulumi-deploy.yml", "stacks", "select");

  it("deploys the one stack asked for by hand, and refuses one CI never deploys", () => {
    const prod = runStep(script, { GITHUB_EVENT_NAME: "workflow_dispatch", REQUESTED: "prod" });
    expect(prod.outputs.stacks).toBe('["prod"]');
    const local = runStep(script, { GITHUB_EVENT_NAME: "workflow_dispatch", REQUESTED: "local" });
    expect(local.status).not.toBe(0);
    expect(local.stderr).toMatch(/no stack local for CI to run/);
  });

  it("deploys every stack, prod last, on a branch's first push", () => {
    const push = runStep(script, {
      GITHUB_EVENT_NAME: "push",
      REQUESTED: "",
      BEFORE: "0000000000000000000000000000000000000000",
    });
    expect(push.status).toBe(0);
    expect(JSON.parse(push.outputs.stacks).at(-1)).toBe("prod");
    expect(JSON.parse(push.outputs.stacks)).not.toContain("local");
  });
});

describe("drift check: running the preview", () => {
  const script = runOf("pulumi-drift.yml", "drift", "preview");
  const bin = path.join(tmp, "bin");
  fs.mkdirSync(bin);
  // Stands in for the CLI: records its arguments, prints what it is told, exits as told.
  fs.writeFileSync(
    path.join(bin, "pulumi"),
    `#!/bin/sh
echo "$*" >> "$FAKE_PULUMI_CALLS"
[ "$1" = login ] && exit 0
cat "$FAKE_PULUMI_OUTPUT"
exit "$FAKE_PULUMI_EXIT"
`,
    { mode: 0o755 },
  );

  function drift(exit: number, output: string) {
    const calls = path.join(tmp, `calls-${runs + 1}`);
    const outputFile = path.join(tmp, `pulumi-output-${runs + 1}`);
    fs.writeFileSync(outputFile, output);
    fs.rmSync(path.join(tmp, "drift-issue.md"), { force: true });
    const result = runStep(
      script,
      {
        STACK: "prod",
        PULUMI_BACKEND_URL: "s3://acme-state?region=ap-northeast-1",
        FAKE_PULUMI_CALLS: calls,
        FAKE_PULUMI_OUTPUT: outputFile,
        FAKE_PULUMI_EXIT: String(exit),
      },
      bin,
    );
    return { ...result, calls: fs.readFileSync(calls, "utf8").trim().split("\n") };
  }

  it("logs in to the configured backend and previews the stack with refresh and no changes expected", () => {
    const { status, outputs, calls } = drift(0, "Resources:\n    15 unchanged\n");
    expect(status).toBe(0);
    expect(outputs.result).toBe("clean");
    expect(calls).toEqual([
      "login s3://acme-state?region=ap-northeast-1",
      "preview --stack prod --refresh --expect-no-changes --diff --non-interactive --color never",
    ]);
  });

  it("reports drift without failing the step, leaving the issue body for the next step", () => {
    const { status, outputs, stdout } = drift(
      255,
      '~ voiceUrl: "https://evil.example.com/voice" => ""\nerror: no changes were expected but changes were proposed\n',
    );
    expect(status).toBe(0);
    expect(outputs.result).toBe("drift");
    expect(stdout).toContain("evil.example.com");
    expect(fs.readFileSync(path.join(tmp, "drift-issue.md"), "utf8")).toContain("stack **prod**");
  });

  it("tells a failed preview (bad passphrase, no stack) from drift", () => {
    const { status, outputs } = drift(255, "error: failed to decrypt: incorrect passphrase\n");
    expect(status).toBe(0);
    expect(outputs.result).toBe("error");
    expect(fs.existsSync(path.join(tmp, "drift-issue.md"))).toBe(false);
  });
});

describe("pull request: the ip-diff step", () => {
  const script = runOf("pulumi-preview.yml", "ip-diff", "diff");

  it("diffs against origin/<base branch>, records the exit code and whether to comment", () => {
    const origin = new TempGitRepo();
    const clone = new TempGitRepo();
    try {
      origin.commit("base", {
        // The npm script as package.json defines it, pointing at this repository's copy.
        "package.json": JSON.stringify({
          scripts: {
            "ip-diff": `${path.join(ROOT, "node_modules/.bin/tsx")} ${path.join(ROOT, "scripts/ip-diff.ts")}`,
          },
        }),
        "Pulumi.prod.yaml": "config:\n  line-call:lineIpAddresses:\n    - ip: 203.0.113.10\n",
      });
      clone.git("remote", "add", "origin", origin.dir);
      clone.git("fetch", "--quiet", "origin");
      clone.git("checkout", "--quiet", "-B", "pr", "origin/main");
      clone.write({
        "Pulumi.prod.yaml":
          "config:\n  line-call:lineIpAddresses:\n    - ip: 203.0.113.10\n    - ip: 203.0.113.256\n",
      });
      const result = runStep(script, { BASE_REF: "main" }, undefined, clone.dir);
      expect(result.status).toBe(0);
      expect(result.outputs).toEqual({ "exit-code": "1", noteworthy: "true" });
      const report = fs.readFileSync(path.join(clone.dir, "ip-diff.txt"), "utf8");
      expect(report).toContain("compared with origin/main");
      expect(report).toMatch(/! line-call:lineIpAddresses\[1\]\.ip "203\.0\.113\.256"/);
    } finally {
      origin.remove();
      clone.remove();
    }
  });
});

describe("pull request: the one check branch protection requires", () => {
  const script = runOf(
    "pulumi-preview.yml",
    "result",
    "The type check, every preview and the IP list review passed",
  );
  const verdict = (
    PREVIEW: string,
    IP_DIFF = "success",
    STACKS = "success",
    TYPECHECK = "success",
    CUSTOMERS = "skipped",
  ) => runStep(script, { STACKS, TYPECHECK, IP_DIFF, PREVIEW, CUSTOMERS }).status;

  it("fails when a customer preview failed, passes when none was needed", () => {
    expect(verdict("skipped", "success", "success", "success", "success")).toBe(0);
    expect(verdict("success", "success", "success", "success", "skipped")).toBe(0);
    expect(verdict("success", "success", "success", "success", "failure")).not.toBe(0);
    expect(verdict("skipped", "success", "success", "success", "cancelled")).not.toBe(0);
  });

  it("passes when the previews passed or none was needed, and fails otherwise", () => {
    expect(verdict("success")).toBe(0);
    expect(verdict("skipped")).toBe(0);
    expect(verdict("failure")).not.toBe(0);
    expect(verdict("cancelled")).not.toBe(0);
    expect(verdict("success", "failure")).not.toBe(0);
    expect(verdict("skipped", "success", "failure")).not.toBe(0);
  });

  it("fails on a type error, which the previews themselves no longer catch", () => {
    expect(verdict("success", "success", "success", "failure")).not.toBe(0);
    expect(verdict("skipped", "success", "success", "failure")).not.toBe(0);
    expect(verdict("skipped", "success", "success", "cancelled")).not.toBe(0);
  });
});

/**
 * A `npx` that stands in for `npx tsx scripts/tenants.ts …` (records the arguments, prints the
 * report it is given, exits as told) and runs every other npx command for real.
 */
const realNpx = spawnSync("bash", ["-c", "command -v npx"], { encoding: "utf8" }).stdout.trim();
const fakeNpxDir = path.join(tmp, "fake-npx");
fs.mkdirSync(fakeNpxDir);
fs.writeFileSync(
  path.join(fakeNpxDir, "npx"),
  `#!/bin/sh
if [ "$2" = scripts/tenants.ts ]; then
  shift 2
  echo "$*" >> "$FAKE_TENANTS_CALLS"
  cat "$FAKE_TENANTS_OUTPUT"
  exit "$FAKE_TENANTS_EXIT"
fi
exec "${realNpx}" "$@"
`,
  { mode: 0o755 },
);

function withFakeTenants(report: object | string, exit: number) {
  const calls = path.join(tmp, `tenants-calls-${runs + 1}`);
  const output = path.join(tmp, `tenants-output-${runs + 1}`);
  fs.writeFileSync(output, typeof report === "string" ? report : JSON.stringify(report));
  return {
    env: {
      FAKE_TENANTS_CALLS: calls,
      FAKE_TENANTS_OUTPUT: output,
      FAKE_TENANTS_EXIT: String(exit),
    },
    calls: () => fs.readFileSync(calls, "utf8").trim().split("\n"),
  };
}

const runReport = (operation: string, results: object[]) => ({
  operation,
  results,
  cancelled: false,
  parallel: 4,
  logDir: "/tmp/logs",
  durationMs: 5000,
});

describe("pull request: previewing the customers it touches", () => {
  const script = runOf("pulumi-preview.yml", "customers", "preview");
  const touched = JSON.stringify([
    { stack: "aoba", because: "Pulumi.yaml", scope: "shared" },
    { stack: "kita", because: "Pulumi.yaml", scope: "shared" },
  ]);

  it("runs one tenants preview over exactly those customers and writes the comment", () => {
    const tenants = withFakeTenants(
      runReport("preview", [
        {
          customer: "aoba",
          outcome: "succeeded",
          changes: { create: 1, same: 8 },
          durationMs: 2000,
        },
        { customer: "kita", outcome: "succeeded", changes: { same: 9 }, durationMs: 2000 },
      ]),
      0,
    );
    const result = runStep(script, { TOUCHED: touched, ...tenants.env }, fakeNpxDir);
    expect(result.status).toBe(0);
    expect(tenants.calls()).toEqual(["preview aoba kita --json"]);
    expect(result.outputs.result).toBe("ok");
    const comment = fs.readFileSync(path.join(tmp, "customers-comment.md"), "utf8");
    expect(comment).toContain("| aoba | `Pulumi.yaml` | ✅ succeeded | create 1 |");
  });

  it("records a failed customer for the next steps without stopping before the comment", () => {
    const tenants = withFakeTenants(
      runReport("preview", [
        { customer: "aoba", outcome: "failed", changes: {}, durationMs: 2000, error: "boom" },
        { customer: "kita", outcome: "succeeded", changes: {}, durationMs: 2000 },
      ]),
      1,
    );
    const result = runStep(script, { TOUCHED: touched, ...tenants.env }, fakeNpxDir);
    expect(result.status).toBe(0);
    expect(result.outputs.result).toBe("failed");
    expect(fs.readFileSync(path.join(tmp, "customers-comment.md"), "utf8")).toContain("boom");
  });

  it("fails the verdict when tenants printed no report at all", () => {
    const tenants = withFakeTenants("Error: PULUMI_BACKEND_URL is not a backend\n", 2);
    const result = runStep(script, { TOUCHED: touched, ...tenants.env }, fakeNpxDir);
    expect(result.outputs.result).toBe("failed");
  });
});

describe("drift check: a customer shard", () => {
  const script = runOf("pulumi-drift.yml", "customer-drift", "drift");

  it("runs tenants drift over its shard of every customer and keeps the report, drift or not", () => {
    const report = runReport("drift", [
      {
        customer: "kita",
        outcome: "succeeded",
        changes: { update: 1 },
        durationMs: 1,
        drift: true,
      },
    ]);
    const tenants = withFakeTenants(report, 1);
    const result = runStep(script, { SHARD: "2", SHARDS: "3", ...tenants.env }, fakeNpxDir);
    expect(result.status).toBe(0);
    expect(tenants.calls()).toEqual(["drift --all --shard 2/3 --json"]);
    expect(JSON.parse(fs.readFileSync(path.join(tmp, "drift/shard-2.json"), "utf8"))).toEqual(
      report,
    );
  });
});

describe("drift check: the verdict over every shard", () => {
  const script = runOf("pulumi-drift.yml", "customer-drift-issue", "verdict");
  const shardFile = (n: number, results: object[]) => {
    fs.mkdirSync(path.join(tmp, "drift"), { recursive: true });
    fs.writeFileSync(
      path.join(tmp, `drift/shard-${n}.json`),
      JSON.stringify(runReport("drift", results)),
    );
  };
  const clean = (customer: string) => ({
    customer,
    outcome: "succeeded",
    changes: {},
    durationMs: 1,
    drift: false,
  });

  it("is clean only when every shard reported clean, drift when any customer drifted", () => {
    fs.rmSync(path.join(tmp, "drift"), { recursive: true, force: true });
    shardFile(1, [clean("aoba")]);
    expect(runStep(script, { SHARDS: "[1,2]" }).outputs.result).toBe("error");
    shardFile(2, [clean("kita")]);
    expect(runStep(script, { SHARDS: "[1,2]" }).outputs.result).toBe("clean");
    shardFile(2, [{ ...clean("kita"), drift: true, changes: { delete: 1 } }]);
    const drifted = runStep(script, { SHARDS: "[1,2]" });
    expect(drifted.outputs.result).toBe("drift");
    expect(fs.readFileSync(path.join(tmp, "customers-drift-issue.md"), "utf8")).toContain(
      "| kita | delete 1 |",
    );
  });

  it("is error when no shard left a report", () => {
    fs.rmSync(path.join(tmp, "drift"), { recursive: true, force: true });
    expect(runStep(script, { SHARDS: "[1,2,3]" }).outputs.result).toBe("error");
  });
});

describe("deploy: choosing the customers", () => {
  const script = runOf("pulumi-deploy.yml", "stacks", "select");
  const repo = new TempGitRepo();
  // The project's code, linked: the step runs ci-stacks.ts from the checkout.
  for (const entry of [
    "scripts",
    "devkit",
    "model",
    "stack",
    "policy",
    "lambda",
    "providers",
    "node_modules",
    "package.json",
    "tsconfig.json",
  ]) {
    fs.symlinkSync(path.join(ROOT, entry), path.join(repo.dir, entry));
  }
  fs.writeFileSync(path.join(repo.dir, ".gitignore"), "*\n!Pulumi*.yaml\n!.gitignore\n");
  const customer = (digit: string) => `config:\n  line-call:subaccountSid: AC${digit.repeat(32)}\n`;
  const base = repo.commit("base", {
    "Pulumi.yaml": "name: line-call\nruntime: nodejs\n",
    "Pulumi.prod.yaml": "config: {}\n",
    "Pulumi.aoba.yaml": customer("1"),
    "Pulumi.kita.yaml": customer("2"),
  });
  repo.commit("kita connected", {
    "Pulumi.kita.yaml": `${customer("2")}  line-call:lineConnected: true\n`,
  });
  afterAll(() => repo.remove());
  const select = (env: Record<string, string>) =>
    runStep(
      script,
      { GITHUB_EVENT_NAME: "push", REQUESTED: "", BEFORE: base, ...env },
      undefined,
      repo.dir,
    );

  it("deploys exactly the customers a push touches, with why", () => {
    const push = select({});
    expect(push.status).toBe(0);
    expect(JSON.parse(push.outputs.stacks)).toEqual([]);
    expect(JSON.parse(push.outputs.customers)).toEqual([
      { stack: "kita", because: "Pulumi.kita.yaml", scope: "own" },
    ]);
  });

  it("sends a customer asked for by hand to tenants, and any other stack to its own job", () => {
    const aoba = select({ GITHUB_EVENT_NAME: "workflow_dispatch", REQUESTED: "aoba" });
    expect(JSON.parse(aoba.outputs.customers).map((t: { stack: string }) => t.stack)).toEqual([
      "aoba",
    ]);
    expect(aoba.outputs.stacks).toBe("[]");
    const prod = select({ GITHUB_EVENT_NAME: "workflow_dispatch", REQUESTED: "prod" });
    expect(prod.outputs).toMatchObject({ stacks: '["prod"]', customers: "[]" });
    const all = select({ GITHUB_EVENT_NAME: "workflow_dispatch" });
    expect(JSON.parse(all.outputs.customers)).toHaveLength(2);
    expect(all.outputs.stacks).toBe('["prod"]');
  });
});
