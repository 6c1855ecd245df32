// The policy pack through the real CLI, as the preview workflow runs it (`pulumi preview
// --policy-pack policy`): mandatory rules stop the preview with their messages.
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
        "line-call:lineIpAddresses": [{ ip: "10.0.0.0", cidrPrefixLength: 8, label: "too wide" }],
      });
      const result = await preview();
      expect(result.code).not.toBe(0);
      expect(result.output).toContain("10.0.0.0/8 admits 16,777,216 addresses");
      expect(result.output).toContain("line-call:allowWideIpRanges");
      expect(stack.standin.ipAddresses()).toEqual([]);
    },
    LONG,
  );
});
