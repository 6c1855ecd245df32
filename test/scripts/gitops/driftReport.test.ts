import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  classifyPreview,
  driftIssueBody,
  driftIssueTitle,
  MAX_LOG_CHARS,
} from "../../../scripts/gitops/driftReport";

// What `pulumi preview --refresh --expect-no-changes --diff` prints when someone edited the
// SIP domain's Request URL in the Twilio console.
const DRIFTED = `Previewing update (prod):
  pulumi:pulumi:Stack: (same)
    [urn=urn:pulumi:prod::line-call::pulumi:pulumi:Stack::line-call-prod]
    ~ pulumi-nodejs:dynamic/twilio:SipDomain: (update)
        [urn=urn:pulumi:prod::line-call::line-call:twilio:LineSipConnection$pulumi-nodejs:dynamic/twilio:SipDomain::line-domain]
      ~ voiceUrl: "https://evil.example.com/voice" => ""
Resources:
    ~ 1 to update
    14 unchanged

error: no changes were expected for preview but changes were proposed
`;

describe("drift verdict", () => {
  it("is clean on exit 0, drift on proposed changes (old and new CLI wording), error otherwise", () => {
    expect(classifyPreview(0, "Resources:\n    15 unchanged\n")).toBe("clean");
    expect(classifyPreview(255, DRIFTED)).toBe("drift");
    expect(
      classifyPreview(255, "error: no changes were expected but changes were proposed\n"),
    ).toBe("drift");
    expect(classifyPreview(255, "error: failed to decrypt: incorrect passphrase\n")).toBe("error");
  });
});

describe("drift issue", () => {
  const body = driftIssueBody({
    stack: "prod",
    output: `\u001b[31m${DRIFTED}\u001b[0m`,
    runUrl: "https://github.com/acme/line-call/actions/runs/42",
    commit: "0123456789abcdef0123",
  });

  it("names the stack, the run, the commit and what to do, with the diff uncoloured", () => {
    expect(driftIssueTitle("prod")).toBe("Drift detected in stack prod");
    expect(body).toContain("<!-- line-call:drift stack=prod -->");
    expect(body).toContain("stack **prod**");
    expect(body).toContain("`0123456789ab`");
    expect(body).toContain("Run: https://github.com/acme/line-call/actions/runs/42");
    expect(body).toContain("pulumi up --stack prod");
    expect(body).toContain("```diff\nPreviewing update (prod):");
    expect(body).toContain('~ voiceUrl: "https://evil.example.com/voice" => ""');
    expect(body).not.toContain("\u001b");
  });

  it("keeps the end of a log too long for a GitHub issue", () => {
    const long = `${"x".repeat(MAX_LOG_CHARS)}\n${DRIFTED}`;
    const trimmed = driftIssueBody({ stack: "dev", output: long, runUrl: "u", commit: "c" });
    expect(trimmed.length).toBeLessThan(65_536);
    expect(trimmed).toMatch(/the first [\d,]+ characters are cut/);
    expect(trimmed).toContain("error: no changes were expected for preview");
  });
});

describe("scripts/drift-report.ts", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "line-call-drift-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = (exitCode: string, output: string) => {
    const outputFile = path.join(dir, "preview.txt");
    const bodyFile = path.join(dir, `issue-${exitCode}.md`);
    fs.writeFileSync(outputFile, output);
    const result = spawnSync(
      path.resolve(__dirname, "../../../node_modules/.bin/tsx"),
      [
        path.resolve(__dirname, "../../../scripts/drift-report.ts"),
        "prod",
        exitCode,
        outputFile,
        bodyFile,
      ],
      {
        encoding: "utf8",
        env: {
          ...process.env,
          GITHUB_SERVER_URL: "https://github.com",
          GITHUB_REPOSITORY: "acme/line-call",
          GITHUB_RUN_ID: "42",
          GITHUB_SHA: "0123456789abcdef",
        },
      },
    );
    return { ...result, bodyFile };
  };

  it("prints drift and writes the issue body for the workflow to post", () => {
    const { status, stdout, bodyFile } = run("255", DRIFTED);
    expect(status).toBe(0);
    expect(stdout).toBe("drift\n");
    expect(fs.readFileSync(bodyFile, "utf8")).toContain(
      "Run: https://github.com/acme/line-call/actions/runs/42",
    );
  });

  it("prints clean or error and writes no body", () => {
    const clean = run("0", "Resources:\n    15 unchanged\n");
    expect(clean.stdout).toBe("clean\n");
    expect(fs.existsSync(clean.bodyFile)).toBe(false);
    expect(run("1", "error: could not find stack\n").stdout).toBe("error\n");
  });
});
