// The webhook smoke test by hand (`pulumi up` runs the same test as a resource, see
// providers/webhookSmokeTest.ts):
//
//   SMOKE_TEST_VOICE_URL=https://…/voice TWILIO_AUTH_TOKEN=… npx tsx scripts/smoke-test.ts
//
// Sends a sample LINE call signed with the real auth token, which must come back as TwiML that
// dials, and the same call unsigned, which must be refused with 403. Retries until the timeout so
// a just-created API and function have time to come up (a refused signature only briefly: see
// SIGNATURE_REFUSED_RETRY_MS). Never prints the token or a signature.

import { TWILIO_SETTINGS } from "../model/twilio";
import { runSmokeTest } from "../providers/webhookSmokeTest";

/** Environment variables this script reads. */
export const SMOKE_TEST_ENV = {
  voiceUrl: "SMOKE_TEST_VOICE_URL",
  authToken: TWILIO_SETTINGS.authToken.env,
  accountSid: TWILIO_SETTINGS.accountSid.env,
  timeoutSeconds: "SMOKE_TEST_TIMEOUT_SECONDS",
} as const;

/** How to run it (relative, from the project directory; `npx --no` never downloads anything). */
export const SMOKE_TEST_COMMAND = "npx --no tsx scripts/smoke-test.ts";

async function main(): Promise<number> {
  const voiceUrl = process.env[SMOKE_TEST_ENV.voiceUrl]?.trim();
  const authToken = process.env[SMOKE_TEST_ENV.authToken]?.trim();
  if (!voiceUrl || !authToken) {
    console.error(
      `Set ${SMOKE_TEST_ENV.voiceUrl} (the webhook's …/voice URL) and ${SMOKE_TEST_ENV.authToken} (the account's auth token).`,
    );
    return 2;
  }
  const timeoutSeconds = Number(process.env[SMOKE_TEST_ENV.timeoutSeconds] ?? "90");
  const result = await runSmokeTest({
    voiceUrl,
    authToken,
    accountSid: process.env[SMOKE_TEST_ENV.accountSid]?.trim(),
    timeoutMs: (Number.isFinite(timeoutSeconds) ? timeoutSeconds : 90) * 1000,
    authTokenName: SMOKE_TEST_ENV.authToken,
    log: (line) => console.error(line),
  });
  (result.ok ? console.log : console.error)(result.summary);
  return result.ok ? 0 : 1;
}

if (require.main === module) {
  main().then((code) => process.exit(code));
}
