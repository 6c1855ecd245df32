// The smoke test for a customer in a subaccount: Twilio signs a subaccount's calls with the
// subaccount's own token, so the test signs with that token, read from the Twilio stand-in with the
// parent's credentials (as the stack holds them), never typed and never stored. Through the
// provider `pulumi up` runs and through the manual command line (scripts/smoke-test.ts).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type StandinAccount,
  startTwilioStandin,
  type TwilioStandin,
} from "../../devkit/twilio-standin/server";
import { type LocalWebhook, startLocalWebhook } from "../../lambda/localAdapter";
import { webhookSmokeTestProvider } from "../../providers/webhookSmokeTest";
import { SMOKE_TEST_COMMAND, SMOKE_TEST_ENV } from "../../scripts/smoke-test";
import { runCommand } from "../support/command";
import { PROJECT_ROOT } from "../support/programHarness";

const SETTINGS = {
  FORWARD_TO: "+81312345678",
  CALLER_ID: "+815012345678",
  SAY_LANGUAGE: "ja-JP",
  DIAL_TIMEOUT: "30",
};

let standin: TwilioStandin;
let customer: StandinAccount;
let foreign: StandinAccount;
beforeAll(async () => {
  standin = await startTwilioStandin();
  customer = standin.createSubaccount({ friendlyName: "customer" });
  foreign = standin.createSubaccount({}, standin.createMainAccount().sid);
});
afterAll(async () => {
  await standin.close();
});

const open: LocalWebhook[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
  expect(standin.validationErrors).toEqual([]);
});

/** The webhook as deployed for one account: it accepts only signatures made with `token`. */
async function webhookFor(token: string): Promise<LocalWebhook> {
  const env: Record<string, string> = { ...SETTINGS, TWILIO_AUTH_TOKEN: token };
  const started = await startLocalWebhook({ port: 0, env, log: () => {} });
  env.PUBLIC_BASE_URL = started.url;
  open.push(started);
  return started;
}

/** The parent's credentials as `configure` hands them from stack config. */
function configureAsParent() {
  const config: Record<string, string> = {
    "twilio:accountSid": standin.accountSid,
    "twilio:authToken": standin.authToken,
    "twilio:apiBaseUrl": standin.url,
  };
  return webhookSmokeTestProvider.configure?.({
    config: { get: (key: string) => config[key] },
  } as never);
}

const run = (voiceUrl: string, accountSid: string) =>
  webhookSmokeTestProvider.create?.({ voiceUrl, accountSid, triggers: "", timeoutSeconds: 1 });

describe("the smoke-test provider with a customer subaccount", () => {
  it("signs with the subaccount's token, read with the parent's credentials, and stores none", async () => {
    await configureAsParent();
    const subaccountWebhook = await webhookFor(customer.authToken);
    const created = await run(`${subaccountWebhook.url}/voice`, customer.sid);
    expect(created?.outs).toMatchObject({ passed: true, accountSid: customer.sid });
    const stored = JSON.stringify(created);
    expect(stored).not.toContain(customer.authToken);
    expect(stored).not.toContain(standin.authToken);

    // A webhook checking with the parent's token refuses the subaccount's signature, as it would
    // refuse Twilio's own requests for this customer.
    const parentWebhook = await webhookFor(standin.authToken);
    await expect(run(`${parentWebhook.url}/voice`, customer.sid)).rejects.toThrow(
      new RegExp(`signed call got 403.*the auth token of subaccount ${customer.sid}`),
    );
  });

  it("refuses another operator's subaccount, naming both SIDs", async () => {
    await configureAsParent();
    const anyWebhook = await webhookFor(foreign.authToken);
    await expect(run(`${anyWebhook.url}/voice`, foreign.sid)).rejects.toThrow(
      `line-call:subaccountSid ${foreign.sid} is not a subaccount of twilio:accountSid ${standin.accountSid}`,
    );
  });
});

/** The manual command line with only these variables from Twilio's (the operator's shell). */
function runCommandLine(env: Record<string, string>) {
  const shell = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("TWILIO_")),
  );
  return runCommand("/bin/sh", ["-c", SMOKE_TEST_COMMAND], {
    cwd: PROJECT_ROOT,
    env: { ...shell, ...env },
  });
}

describe(`the manual command line for a subaccount (${SMOKE_TEST_COMMAND})`, () => {
  const parentEnv = () => ({
    TWILIO_ACCOUNT_SID: standin.accountSid,
    TWILIO_AUTH_TOKEN: standin.authToken,
    TWILIO_API_BASE_URL: standin.url,
    [SMOKE_TEST_ENV.timeoutSeconds]: "2",
  });

  it("passes with the subaccount SID and the parent's credentials, printing no token", async () => {
    const subaccountWebhook = await webhookFor(customer.authToken);
    const passed = await runCommandLine({
      ...parentEnv(),
      [SMOKE_TEST_ENV.voiceUrl]: `${subaccountWebhook.url}/voice`,
      [SMOKE_TEST_ENV.subaccountSid]: customer.sid,
    });
    expect(passed.output).toContain("webhook smoke test passed");
    expect(passed.code).toBe(0);
    expect(passed.output).not.toContain(customer.authToken);
    expect(passed.output).not.toContain(standin.authToken);
  });

  it("stops with the reason when the subaccount is not the parent's", async () => {
    const anyWebhook = await webhookFor(foreign.authToken);
    const refused = await runCommandLine({
      ...parentEnv(),
      [SMOKE_TEST_ENV.voiceUrl]: `${anyWebhook.url}/voice`,
      [SMOKE_TEST_ENV.subaccountSid]: foreign.sid,
    });
    expect(refused.code).toBe(2);
    expect(refused.output).toContain(
      `SMOKE_TEST_SUBACCOUNT_SID ${foreign.sid} is not a subaccount of twilio:accountSid ${standin.accountSid}`,
    );
  });
});
