// The policy pack through the real CLI, as the preview workflow runs it (`pulumi preview
// --policy-pack policy`): mandatory rules stop the preview with their messages. The CLI built
// here starts the pack through a launcher (devkit/policyPackLauncher.ts); so does the documented
// `npm run policy-preview`, tested last with the stack's policy config.
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEngineStack,
  type EngineStack,
  engineTestsEnabled,
  expectSuccess,
  policyPackArgument,
} from "../../devkit/engine/cliStack";

const enabled = engineTestsEnabled();
const LONG = 300_000;
const run = promisify(execFile);

describe.runIf(enabled)("pulumi preview --policy-pack policy", () => {
  let stack: EngineStack;
  beforeAll(async () => {
    stack = await createEngineStack("policy");
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  const preview = () => stack.pulumi(["preview", "--policy-pack", policyPackArgument(stack)]);

  it(
    "refuses the local stack's plain-HTTP webhook, naming the field",
    async () => {
      const result = await preview();
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/\[mandatory\]\s+sip-domain-webhooks-https/);
      expect(result.output).toMatch(
        /voiceFallbackUrl "http:\/\/127\.0\.0\.1:\d+\/fallback" uses http/,
      );
    },
    LONG,
  );

  it(
    "passes the same stack with an HTTPS webhook",
    async () => {
      stack.writeConfig({
        ...stack.readConfig(),
        "line-call:webhookBaseUrl": "https://twiml.example.com/line",
      });
      const result = expectSuccess(await preview(), "preview with the policy pack");
      expect(result.output).toMatch(/line-call@v0\.1\.0/);
    },
    LONG,
  );

  it(
    "refuses a /8 entry with the rule's message, before anything reaches Twilio",
    async () => {
      stack.writeConfig({
        ...stack.readConfig(),
        "line-call:lineIpAddresses": [{ ip: "11.0.0.0", cidrPrefixLength: 8, label: "too wide" }],
      });
      const result = await preview();
      expect(result.code).not.toBe(0);
      expect(result.output).toContain("11.0.0.0/8 admits 16,777,216 addresses");
      expect(result.output).toContain("line-call:allowWideIpRanges");
      expect(stack.standin.ipAddresses()).toEqual([]);
    },
    LONG,
  );

  it(
    "npm run policy-preview hands the stack's opt-in for wide ranges to the pack",
    async () => {
      const script = (config: Record<string, unknown>) => {
        stack.writeConfig(config);
        const tsx = path.join(stack.project, "node_modules", "tsx", "dist", "cli.mjs");
        const argv = [tsx, "scripts/policy-preview.ts", stack.name, "--non-interactive"];
        return run(process.execPath, argv, {
          cwd: stack.project,
          env: { ...process.env, ...stack.env },
        }).then(
          ({ stdout, stderr }) => ({ code: 0, output: `${stdout}\n${stderr}` }),
          (error: { code: number; stdout: string; stderr: string }) => ({
            code: error.code,
            output: `${error.stdout}\n${error.stderr}`,
          }),
        );
      };
      const wide = stack.readConfig();
      const refused = await script({ ...wide, "line-call:allowWideIpRanges": false });
      expect(refused.code, refused.output).not.toBe(0);
      expect(refused.output).toContain("11.0.0.0/8 admits 16,777,216 addresses");
      const allowed = await script({ ...wide, "line-call:allowWideIpRanges": true });
      expect(allowed.code, allowed.output).toBe(0);
      expect(allowed.output).toMatch(/line-call@v0\.1\.0/);
      expect(allowed.output).toMatch(/--policy-pack-config \S+policy-config\.json/);
    },
    LONG,
  );
});
