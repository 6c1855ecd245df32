// `npm run local`: the stand-in and the webhook start where Pulumi.local.yaml says, agree on the
// token and the signed URL (the stack's smoke test passes against them), and the program reads
// Pulumi.local.yaml as a no-AWS stack pointed at them.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../devkit/freePort";
import { type LocalStack, localStackConfig, startLocalStack } from "../../devkit/localStack";
import { runSmokeTest } from "../../providers/webhookSmokeTest";
import {
  PROJECT_ROOT,
  runProgram,
  SMOKE_TEST_RUN_TYPE,
  stackFileConfig,
} from "../support/programHarness";

describe("npm run local", () => {
  let dir: string;
  let local: LocalStack;

  beforeAll(async () => {
    // The real Pulumi.local.yaml, moved to free ports so the test never collides with a trial.
    dir = await mkdtemp(path.join(tmpdir(), "line-call-local-"));
    const [standinPort, webhookPort] = [await freePort(), await freePort()];
    const original = await readFile(path.join(PROJECT_ROOT, "Pulumi.local.yaml"), "utf8");
    await writeFile(
      path.join(dir, "Pulumi.local.yaml"),
      original.replace(":4010", `:${standinPort}`).replace(":4011", `:${webhookPort}`),
    );
    local = await startLocalStack({ root: dir, log: () => {} });
  });

  afterAll(async () => {
    await local?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps its state in a file backend in the project folder", () => {
    expect(local.pulumiEnv.PULUMI_BACKEND_URL).toBe(`file://${dir}`);
    expect(local.pulumiEnv.PULUMI_CONFIG_PASSPHRASE).toBeTruthy();
  });

  it("serves the Twilio stand-in for the stack's account and token", async () => {
    const { values } = localStackConfig(dir);
    const response = await fetch(
      `${values["twilio:apiBaseUrl"]}/2010-04-01/Accounts/${values["twilio:accountSid"]}/SIP/Domains.json`,
      {
        headers: {
          authorization: `Basic ${Buffer.from(`${values["twilio:accountSid"]}:${local.authToken}`).toString("base64")}`,
        },
      },
    );
    expect(response.status).toBe(200);
    expect(((await response.json()) as { domains: unknown[] }).domains).toEqual([]);
  });

  it("serves the webhook so that the stack's smoke test passes against it", async () => {
    const result = await runSmokeTest({
      voiceUrl: `${local.config.webhookBaseUrl}/voice`,
      authToken: local.authToken,
      timeoutMs: 2_000,
    });
    expect(result.summary).toContain("passed");
  });

  it("Pulumi.local.yaml makes the program a no-AWS stack aimed at them", async () => {
    const run = await runProgram({
      stack: "local",
      config: { ...stackFileConfig("local"), "twilio:authToken": local.authToken },
      secretKeys: ["twilio:authToken"],
    });
    expect(run.error).toBeUndefined();
    expect(run.registrations.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
    const domain = run.one("pulumi-nodejs:dynamic/twilio:SipDomain").inputs;
    expect(domain.voiceFallbackUrl).toBe("http://127.0.0.1:4011/fallback");
    expect(run.one(SMOKE_TEST_RUN_TYPE).inputs.voiceUrl).toBe("http://127.0.0.1:4011/voice");
  });
});
