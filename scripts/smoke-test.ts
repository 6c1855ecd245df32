// Post-deploy smoke test of the TwiML webhook, run by the stack's `local.Command` during
// `pulumi up` (see stack/smokeTest.ts), or by hand:
//
//   SMOKE_TEST_VOICE_URL=https://…/voice TWILIO_AUTH_TOKEN=… npx tsx scripts/smoke-test.ts
//
// Sends a sample LINE call signed with the real auth token, which must come back as TwiML that
// dials, and the same call unsigned, which must be refused with 403. Retries until the timeout so
// a just-created API and function have time to come up. Never prints the token or a signature.
import { randomBytes } from "node:crypto";
import { sampleLineCall, type TwilioParams, twilioSignature } from "./twilioSignedRequest";

export interface SmokeTestOptions {
  voiceUrl: string;
  authToken: string;
  accountSid?: string;
  timeoutMs?: number;
  retryDelayMs?: number;
  /** Per request. */
  requestTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface SmokeTestResult {
  ok: boolean;
  attempts: number;
  /** One line: what passed, or what the last attempt got instead. */
  summary: string;
}

/** A sample LINE call (see twilioSignedRequest.ts) addressed to the webhook under test. */
export function smokeTestCall(voiceUrl: string, accountSid?: string): TwilioParams {
  const host = new URL(voiceUrl).hostname;
  return sampleLineCall({
    ...(accountSid ? { AccountSid: accountSid } : {}),
    CallSid: `CA${randomBytes(16).toString("hex")}`,
    SipCallId: `line-call-smoke-test-${randomBytes(8).toString("hex")}@${host}`,
  });
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

async function post(
  url: string,
  params: TwilioParams,
  signature: string | undefined,
  timeoutMs: number,
): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "user-agent": "line-call-smoke-test",
      ...(signature ? { "x-twilio-signature": signature } : {}),
    },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    body: await response.text(),
  };
}

function describe(answer: Answer): string {
  const body = answer.body.replace(/\s+/g, " ").slice(0, 160);
  return `${answer.status} ${answer.contentType || "(no content-type)"} ${JSON.stringify(body)}`;
}

/** The problem with one round (signed and unsigned), or undefined when both answered right. */
export function judge(signed: Answer, unsigned: Answer): string | undefined {
  if (
    signed.status !== 200 ||
    !/xml/i.test(signed.contentType) ||
    !/<Response[\s>]/.test(signed.body)
  ) {
    return `a signed call got ${describe(signed)}, expected 200 TwiML`;
  }
  if (!/<Dial[\s>]/.test(signed.body)) {
    return (
      `a signed call got TwiML without <Dial> (the webhook's apology for bad settings?): ` +
      `${describe(signed)}; see the function's log`
    );
  }
  if (unsigned.status !== 403) {
    return `an unsigned call got ${describe(unsigned)}, expected 403: the webhook must refuse unsigned requests`;
  }
  if (/<Response[\s>]/.test(unsigned.body)) {
    return "an unsigned call got TwiML with its 403: it must get no TwiML";
  }
  return undefined;
}

export async function runSmokeTest(options: SmokeTestOptions): Promise<SmokeTestResult> {
  const timeoutMs = options.timeoutMs ?? 90_000;
  const retryDelayMs = options.retryDelayMs ?? 3_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const log = options.log ?? (() => {});
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  let problem = "no attempt made";
  for (;;) {
    attempts++;
    const params = smokeTestCall(options.voiceUrl, options.accountSid);
    const signature = twilioSignature(options.authToken, options.voiceUrl, params);
    try {
      const signed = await post(options.voiceUrl, params, signature, requestTimeoutMs);
      const unsigned = await post(options.voiceUrl, params, undefined, requestTimeoutMs);
      const found = judge(signed, unsigned);
      if (!found) {
        return {
          ok: true,
          attempts,
          summary:
            `webhook smoke test passed: signed POST ${options.voiceUrl} → 200 TwiML with <Dial>, ` +
            `unsigned → 403 (attempt ${attempts})`,
        };
      }
      problem = found;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      problem = `${options.voiceUrl} did not answer: ${(error as Error).message}${cause ? ` (${cause})` : ""}`;
    }
    if (Date.now() + retryDelayMs > deadline) break;
    log(`attempt ${attempts}: ${problem}; retrying`);
    await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
  }
  return {
    ok: false,
    attempts,
    summary: `webhook smoke test failed after ${attempts} attempts: ${problem}`,
  };
}

async function main(): Promise<number> {
  const voiceUrl = process.env.SMOKE_TEST_VOICE_URL?.trim();
  const authToken = process.env.TWILIO_AUTH_TOKEN?.trim();
  if (!voiceUrl || !authToken) {
    console.error(
      "Set SMOKE_TEST_VOICE_URL (the webhook's …/voice URL) and TWILIO_AUTH_TOKEN (the account's auth token).",
    );
    return 2;
  }
  const timeoutSeconds = Number(process.env.SMOKE_TEST_TIMEOUT_SECONDS ?? "90");
  const result = await runSmokeTest({
    voiceUrl,
    authToken,
    accountSid: process.env.TWILIO_ACCOUNT_SID?.trim(),
    timeoutMs: (Number.isFinite(timeoutSeconds) ? timeoutSeconds : 90) * 1000,
    log: (line) => console.error(line),
  });
  (result.ok ? console.log : console.error)(result.summary);
  return result.ok ? 0 : 1;
}

if (require.main === module) {
  main().then((code) => process.exit(code));
}
