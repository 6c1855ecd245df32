// The post-deploy smoke test (providers/webhookSmokeTest.ts) against the real webhook handler
// served as an HTTP API would serve it, and against webhooks that must fail it; the provider that
// `pulumi up` runs it through; and the manual command line (scripts/smoke-test.ts).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type LocalWebhook, startLocalWebhook } from "../../lambda/localAdapter";
import { UNKNOWN } from "../../model/pulumiEngine";
import { runSmokeTest, webhookSmokeTestProvider } from "../../providers/webhookSmokeTest";
import { SMOKE_TEST_COMMAND, SMOKE_TEST_ENV } from "../../scripts/smoke-test";
import { runCommand } from "../support/command";
import { PROJECT_ROOT, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from "../support/programHarness";

const SETTINGS = {
  FORWARD_TO: "+81312345678",
  CALLER_ID: "+815012345678",
  SAY_LANGUAGE: "ja-JP",
  DIAL_TIMEOUT: "30",
};
const QUICK = { timeoutMs: 1_500, retryDelayMs: 300, requestTimeoutMs: 2_000 };

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** The webhook as deployed: signatures checked against its public base URL. */
async function webhook(env: Record<string, string>, port = 0): Promise<LocalWebhook> {
  // The public URL is only known once listening; the handler reads its env on the first request.
  const live: Record<string, string> = { ...env };
  const started = await startLocalWebhook({ port, env: live, log: () => {} });
  live.PUBLIC_BASE_URL = started.url;
  open.push(started);
  return started;
}

function plainServer(answer: (body: string) => { status: number; type: string; body: string }) {
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      const reply = answer(body);
      response.writeHead(reply.status, { "content-type": reply.type });
      response.end(reply.body);
    });
  });
  return new Promise<string>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      open.push({ close: () => new Promise((done) => server.close(() => done())) });
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

describe("runSmokeTest", () => {
  it("passes when a signed call gets TwiML that dials and an unsigned one gets 403", async () => {
    const hook = await webhook({ ...SETTINGS, TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN });
    const result = await runSmokeTest({
      voiceUrl: `${hook.url}/voice`,
      authToken: TEST_AUTH_TOKEN,
      accountSid: TEST_ACCOUNT_SID,
      ...QUICK,
    });
    expect(result).toMatchObject({ ok: true, attempts: 1 });
    expect(result.summary).toContain("signed POST");
  });

  it("fails when the webhook validates with another token (a signed call gets 403)", async () => {
    const hook = await webhook({
      ...SETTINGS,
      TWILIO_AUTH_TOKEN: "ffffffffffffffffffffffffffffffff",
    });
    const result = await runSmokeTest({
      voiceUrl: `${hook.url}/voice`,
      authToken: TEST_AUTH_TOKEN,
      ...QUICK,
    });
    expect(result.ok).toBe(false);
    expect(result.summary).toMatch(/a signed call got 403/);
    expect(result.attempts).toBeGreaterThan(1);
  });

  it("stops retrying a refused signature after a short grace and says to check the auth token", async () => {
    const hook = await webhook({
      ...SETTINGS,
      TWILIO_AUTH_TOKEN: "ffffffffffffffffffffffffffffffff",
    });
    const started = Date.now();
    const result = await runSmokeTest({
      voiceUrl: `${hook.url}/voice`,
      authToken: TEST_AUTH_TOKEN,
      timeoutMs: 60_000,
      retryDelayMs: 200,
      signatureRefusedRetryMs: 500,
      authTokenName: "TWILIO_AUTH_TOKEN",
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.ok).toBe(false);
    expect(result.attempts).toBeGreaterThan(1);
    expect(result.summary).toMatch(
      /a signed call got 403 .*the webhook refused its signature\. Check the auth token: TWILIO_AUTH_TOKEN must be the token the webhook validates with/,
    );
  });

  it("passes outside business hours, where the webhook answers with the after-hours message", async () => {
    // Closed every day of the year: whenever the test runs, it is after hours.
    const closedAllYear = { weekly: { mon: ["09:00-18:00"] }, closed: ["01-01..12-31"] };
    const hook = await webhook({
      ...SETTINGS,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      BUSINESS_HOURS: JSON.stringify(closedAllYear),
    });
    const result = await runSmokeTest({
      voiceUrl: `${hook.url}/voice`,
      authToken: TEST_AUTH_TOKEN,
      ...QUICK,
    });
    expect(result).toMatchObject({ ok: true, attempts: 1 });
    expect(result.summary).toContain("with the after-hours message (outside business hours now");
  });

  it("fails when the webhook's settings are broken (apology TwiML without <Dial>)", async () => {
    const hook = await webhook({ TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN });
    const result = await runSmokeTest({
      voiceUrl: `${hook.url}/voice`,
      authToken: TEST_AUTH_TOKEN,
      ...QUICK,
    });
    expect(result.ok).toBe(false);
    expect(result.summary).toMatch(/without <Dial>/);
  });

  it("fails when the webhook answers unsigned calls with TwiML", async () => {
    const url = await plainServer(() => ({
      status: 200,
      type: "text/xml",
      body: "<Response><Dial><Number>+81312345678</Number></Dial></Response>",
    }));
    const result = await runSmokeTest({
      voiceUrl: `${url}/voice`,
      authToken: TEST_AUTH_TOKEN,
      ...QUICK,
    });
    expect(result.ok).toBe(false);
    expect(result.summary).toMatch(/an unsigned call got 200 .* expected 403/);
  });

  it("fails when nothing answers", async () => {
    const url = await plainServer(() => ({ status: 200, type: "text/plain", body: "" }));
    await Promise.all(open.splice(0).map((s) => s.close()));
    const result = await runSmokeTest({
      voiceUrl: `${url}/voice`,
      authToken: TEST_AUTH_TOKEN,
      ...QUICK,
    });
    expect(result.ok).toBe(false);
    expect(result.summary).toMatch(/did not answer/);
  });

  it("keeps trying while a new deployment comes up", async () => {
    const probe = await plainServer(() => ({ status: 200, type: "text/plain", body: "" }));
    const port = Number(new URL(probe).port);
    await Promise.all(open.splice(0).map((s) => s.close()));
    const later = new Promise<LocalWebhook>((resolve) =>
      setTimeout(
        () => resolve(webhook({ ...SETTINGS, TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN }, port)),
        700,
      ),
    );
    const result = await runSmokeTest({
      voiceUrl: `http://127.0.0.1:${port}/voice`,
      authToken: TEST_AUTH_TOKEN,
      timeoutMs: 10_000,
      retryDelayMs: 300,
    });
    await later;
    expect(result.ok).toBe(true);
    expect(result.attempts).toBeGreaterThan(1);
  });
});

describe("the smoke-test provider", () => {
  // The provider reads the token the way `configure` hands it stack config.
  const configured = (token: string | undefined) =>
    webhookSmokeTestProvider.configure?.({
      config: { get: (key: string) => (key === "twilio:authToken" ? token : undefined) },
    } as never);

  it("creates only when the webhook passes, with the token from stack config", async () => {
    const good = await webhook({ ...SETTINGS, TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN });
    await configured(TEST_AUTH_TOKEN);
    const checked = await webhookSmokeTestProvider.check?.({}, { voiceUrl: `${good.url}/voice` });
    expect(checked?.failures).toBeUndefined();
    const created = await webhookSmokeTestProvider.create?.(checked?.inputs);
    expect(created?.outs).toMatchObject({ passed: true, attempts: 1, timeoutSeconds: 90 });
    expect(JSON.stringify(created)).not.toContain(TEST_AUTH_TOKEN);
  });

  it("fails a create against a webhook that validates with another token, saying what to check", async () => {
    const bad = await webhook({
      ...SETTINGS,
      TWILIO_AUTH_TOKEN: "ffffffffffffffffffffffffffffffff",
    });
    await configured(TEST_AUTH_TOKEN);
    await expect(
      webhookSmokeTestProvider.create?.({
        voiceUrl: `${bad.url}/voice`,
        accountSid: "",
        triggers: "",
        timeoutSeconds: 1,
      }),
    ).rejects.toThrow(/signed call got 403.*Check the auth token: twilio:authToken/);
  });

  it("names the key to set when no auth token is configured", async () => {
    const saved = process.env.TWILIO_AUTH_TOKEN;
    delete process.env.TWILIO_AUTH_TOKEN;
    await configured(undefined);
    await expect(
      webhookSmokeTestProvider.create?.({
        voiceUrl: "http://127.0.0.1:9/voice",
        accountSid: "",
        triggers: "",
        timeoutSeconds: 1,
      }),
    ).rejects.toThrow(/twilio:authToken/);
    if (saved !== undefined) process.env.TWILIO_AUTH_TOKEN = saved;
  });

  it("refuses a bad URL and timeout in check, and lets unknowns through", async () => {
    const bad = await webhookSmokeTestProvider.check?.(
      {},
      { voiceUrl: "ftp://x", timeoutSeconds: 0 },
    );
    expect(bad?.failures?.map((f) => f.property).sort()).toEqual(["timeoutSeconds", "voiceUrl"]);
    const unknown = UNKNOWN;
    const preview = await webhookSmokeTestProvider.check?.(
      {},
      { voiceUrl: unknown, accountSid: unknown, triggers: unknown, timeoutSeconds: unknown },
    );
    expect(preview?.failures).toBeUndefined();
    const diff = await webhookSmokeTestProvider.diff?.(
      "id",
      { voiceUrl: "http://a/voice", accountSid: "", triggers: "[]", timeoutSeconds: 90 },
      { voiceUrl: "http://a/voice", accountSid: "", triggers: unknown, timeoutSeconds: 90 },
    );
    expect(diff).toMatchObject({ changes: true, replaces: [] });
  });

  it("keeps what the last run stored on refresh, so the drift gate never reruns it", async () => {
    const props = { voiceUrl: "http://a/voice", passed: true };
    expect(await webhookSmokeTestProvider.read?.("smoke-test-1", props)).toEqual({
      id: "smoke-test-1",
      props,
    });
  });
});

/** Runs the manual command line as an operator would (`/bin/sh -c` in the project). */
function runCommandLine(env: Record<string, string>) {
  return runCommand("/bin/sh", ["-c", SMOKE_TEST_COMMAND], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
  });
}

describe(`the manual command line (${SMOKE_TEST_COMMAND})`, () => {
  it("exits 0 on a good webhook and 1 on a bad one, never printing the token", async () => {
    const good = await webhook({ ...SETTINGS, TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN });
    const passed = await runCommandLine({
      [SMOKE_TEST_ENV.voiceUrl]: `${good.url}/voice`,
      [SMOKE_TEST_ENV.authToken]: TEST_AUTH_TOKEN,
      [SMOKE_TEST_ENV.timeoutSeconds]: "2",
    });
    expect(passed.output).toContain("webhook smoke test passed");
    expect(passed.code).toBe(0);

    const bad = await webhook({
      ...SETTINGS,
      TWILIO_AUTH_TOKEN: "ffffffffffffffffffffffffffffffff",
    });
    const failed = await runCommandLine({
      [SMOKE_TEST_ENV.voiceUrl]: `${bad.url}/voice`,
      [SMOKE_TEST_ENV.authToken]: TEST_AUTH_TOKEN,
      [SMOKE_TEST_ENV.timeoutSeconds]: "1",
    });
    expect(failed.code).toBe(1);
    expect(failed.output).toContain("webhook smoke test failed");
    expect(failed.output).toContain("Check the auth token: TWILIO_AUTH_TOKEN must be");
    for (const output of [passed.output, failed.output])
      expect(output).not.toContain(TEST_AUTH_TOKEN);
  });
});
