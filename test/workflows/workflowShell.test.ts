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
  ) => runStep(script, { STACKS, TYPECHECK, IP_DIFF, PREVIEW }).status;

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
