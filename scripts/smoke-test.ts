// The webhook smoke test by hand (`pulumi up` runs the same test as a resource, see
// providers/webhookSmokeTest.ts):
//
//   SMOKE_TEST_VOICE_URL=https://…/voice TWILIO_AUTH_TOKEN=… npx tsx scripts/smoke-test.ts
//
// Sends a sample LINE call signed with the real auth token, which must come back as TwiML that
// dials, and the same call unsigned, which must be refused with 403. Retries until the timeout so
// a just-created API and function have time to come up (a refused signature only briefly: see
// SIGNATURE_REFUSED_RETRY_MS). Never prints the token or a signature.
//
// For a customer in a subaccount (line-call:subaccountSid), set SMOKE_TEST_SUBACCOUNT_SID to it and
// the TWILIO_* variables to the parent's credentials, as the stack holds them: the subaccount's
// token, which Twilio signs its calls with, is read from Twilio with them, never typed.

import { resolveTwilioSetting, TWILIO_SETTINGS } from "../model/twilio";
import { readSubaccount } from "../providers/twilioAccounts";
import { resolveTwilioSettings } from "../providers/twilioClient";
import { runSmokeTest } from "../providers/webhookSmokeTest";

/** Environment variables this script reads. */
export const SMOKE_TEST_ENV = {
  voiceUrl: "SMOKE_TEST_VOICE_URL",
  authToken: TWILIO_SETTINGS.authToken.env,
  accountSid: TWILIO_SETTINGS.accountSid.env,
  subaccountSid: "SMOKE_TEST_SUBACCOUNT_SID",
  timeoutSeconds: "SMOKE_TEST_TIMEOUT_SECONDS",
} as const;

/** How to run it (relative, from the project directory; `npx --no` never downloads anything). */
export const SMOKE_TEST_COMMAND = "npx --no tsx scripts/smoke-test.ts";

const USAGE =
  `Set ${SMOKE_TEST_ENV.voiceUrl} (the webhook's …/voice URL) and ${SMOKE_TEST_ENV.authToken} (the account's auth token); ` +
  `for a customer in a subaccount, ${SMOKE_TEST_ENV.subaccountSid} and the parent's ${SMOKE_TEST_ENV.accountSid} and ${SMOKE_TEST_ENV.authToken} instead.`;

/** The token to sign with, the call's AccountSid, and what to call the token in advice. */
async function signing(
  env: NodeJS.ProcessEnv,
): Promise<{ authToken: string; accountSid?: string; name: string } | undefined> {
  const subaccountSid = env[SMOKE_TEST_ENV.subaccountSid]?.trim();
  if (!subaccountSid) {
    const authToken = env[SMOKE_TEST_ENV.authToken]?.trim();
    if (!authToken) return undefined;
    return {
      authToken,
      accountSid: env[SMOKE_TEST_ENV.accountSid]?.trim(),
      name: SMOKE_TEST_ENV.authToken,
    };
  }
  const settings = resolveTwilioSettings((name) =>
    resolveTwilioSetting(name, () => undefined, env),
  );
  const subaccount = await readSubaccount(settings, subaccountSid, {
    subaccountKey: SMOKE_TEST_ENV.subaccountSid,
  });
  return {
    authToken: subaccount.authToken,
    accountSid: subaccount.sid,
    name: `the auth token of subaccount ${subaccount.sid} (read from Twilio with ${SMOKE_TEST_ENV.accountSid}'s credentials)`,
  };
}

async function main(): Promise<number> {
  const voiceUrl = process.env[SMOKE_TEST_ENV.voiceUrl]?.trim();
  let signed: Awaited<ReturnType<typeof signing>>;
  try {
    signed = voiceUrl ? await signing(process.env) : undefined;
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  if (!voiceUrl || !signed) {
    console.error(USAGE);
    return 2;
  }
  const timeoutSeconds = Number(process.env[SMOKE_TEST_ENV.timeoutSeconds] ?? "90");
  const result = await runSmokeTest({
    voiceUrl,
    authToken: signed.authToken,
    accountSid: signed.accountSid,
    timeoutMs: (Number.isFinite(timeoutSeconds) ? timeoutSeconds : 90) * 1000,
    authTokenName: signed.name,
    log: (line) => console.error(line),
  });
  (result.ok ? console.log : console.error)(result.summary);
  return result.ok ? 0 : 1;
}

if (require.main === module) {
  main().then((code) => process.exit(code));
}
