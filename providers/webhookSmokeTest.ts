// The post-deploy smoke test of the TwiML webhook, as a resource: `pulumi up` creates it only
// once a sample LINE call signed with the account's auth token comes back as TwiML that dials,
// and the same call unsigned is refused with 403. The SIP domain's Request URL waits for it, so a
// webhook that fails either check is never wired into live calls.
//
// A dynamic resource rather than a local command: it needs no resource plugin beyond the one the
// Twilio resources already use, the token comes from stack config through `configure` (never an
// input, an environment variable or the state), and the engine runs it like every other resource.
import * as pulumi from "@pulumi/pulumi";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
  type PostResult,
  postSignedTwilioForm,
  sampleLineCall,
  type TwilioParams,
} from "../model/twilioRequest";
import { checkInputs, diffInputs, type Props, type Schema, unchangedOutputs } from "./inputs";
import { installedProvider } from "./installed";
import { readSubaccount, SUBACCOUNT_KEY } from "./twilioAccounts";
import {
  configureTwilio,
  credentialsAccountSid,
  twilioAuthToken,
  twilioSettings,
} from "./twilioClient";

export interface SmokeTestOptions {
  voiceUrl: string;
  authToken: string;
  accountSid?: string;
  timeoutMs?: number;
  retryDelayMs?: number;
  /** Per request. */
  requestTimeoutMs?: number;
  /**
   * How long a signed call refused with 403 is retried (within timeoutMs); see
   * SIGNATURE_REFUSED_RETRY_MS.
   */
  signatureRefusedRetryMs?: number;
  /** Where the token came from, named in the advice when the webhook refuses its signature. */
  authTokenName?: string;
  log?: (line: string) => void;
}

/**
 * A signed call refused with 403 means the webhook checks signatures with another auth token
 * (or serves another URL). That rarely heals: a wrong or old token stays wrong for all 90 s. It
 * can heal in one case, right after a deploy that rotated the token: the function's configuration
 * changes with the token's version, and for some seconds Lambda may still answer from instances
 * started with the old token (each reads it once per cold start). Those are replaced within
 * seconds, so a 403 is retried this long, not until the timeout, and then reported as such.
 */
export const SIGNATURE_REFUSED_RETRY_MS = 15_000;

export interface SmokeTestResult {
  ok: boolean;
  attempts: number;
  /** One line: what passed, or what the last attempt got instead. */
  summary: string;
}

/** A sample LINE call (see model/twilioRequest.ts) addressed to the webhook under test. */
export function smokeTestCall(voiceUrl: string, accountSid?: string): TwilioParams {
  const { randomBytes } = require("node:crypto");
  const host = new URL(voiceUrl).hostname;
  return sampleLineCall({
    ...(accountSid ? { AccountSid: accountSid } : {}),
    CallSid: `CA${randomBytes(16).toString("hex")}`,
    SipCallId: `line-call-smoke-test-${randomBytes(8).toString("hex")}@${host}`,
  });
}

type Answer = PostResult;

/** One round's request: the sample call, signed with the token or not signed at all. */
function post(
  options: SmokeTestOptions,
  params: TwilioParams,
  signed: boolean,
  timeoutMs: number,
): Promise<Answer> {
  return postSignedTwilioForm({
    postUrl: options.voiceUrl,
    authToken: options.authToken,
    params,
    ...(signed ? {} : { signature: null }),
    headers: { "user-agent": "line-call-smoke-test" },
    timeoutMs,
  });
}

function describeAnswer(answer: Answer): string {
  const body = answer.body.replace(/\s+/g, " ").slice(0, 160);
  return `${answer.status} ${answer.contentType || "(no content-type)"} ${JSON.stringify(body)}`;
}

/**
 * Outside the stack's business hours the webhook answers with the after-hours message instead of
 * `<Dial>`: the settings were read and judged valid, so the deploy may go on; it names that
 * decision in a header, since the TwiML alone sounds like the apology for broken settings.
 */
function isAfterHoursAnswer(answer: Answer): boolean {
  return answer.decision.startsWith("after-hours-");
}

/** The problem with one round (signed and unsigned), or undefined when both answered right. */
export function judge(
  signed: Answer,
  unsigned: Answer,
  authTokenName = "the auth token",
): string | undefined {
  if (signed.status === 403) {
    return (
      `a signed call got ${describeAnswer(signed)}: the webhook refused its signature. ` +
      `Check the auth token: ${authTokenName} must be the token the webhook validates with (the ` +
      "account's current auth token), and the URL the webhook's own …/voice URL"
    );
  }
  if (
    signed.status !== 200 ||
    !/xml/i.test(signed.contentType) ||
    !/<Response[\s>]/.test(signed.body)
  ) {
    return `a signed call got ${describeAnswer(signed)}, expected 200 TwiML`;
  }
  if (!/<Dial[\s>]/.test(signed.body) && !isAfterHoursAnswer(signed)) {
    return (
      `a signed call got TwiML without <Dial> (the webhook's apology for bad settings?): ` +
      `${describeAnswer(signed)}; see the function's log`
    );
  }
  if (unsigned.status !== 403) {
    return `an unsigned call got ${describeAnswer(unsigned)}, expected 403: the webhook must refuse unsigned requests`;
  }
  if (/<Response[\s>]/.test(unsigned.body)) {
    return "an unsigned call got TwiML with its 403: it must get no TwiML";
  }
  return undefined;
}

/** Signed and unsigned calls, retried until the timeout so a new API and function can come up. */
export async function runSmokeTest(options: SmokeTestOptions): Promise<SmokeTestResult> {
  const timeoutMs = options.timeoutMs ?? 90_000;
  const retryDelayMs = options.retryDelayMs ?? 3_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const refusedRetryMs = options.signatureRefusedRetryMs ?? SIGNATURE_REFUSED_RETRY_MS;
  const log = options.log ?? (() => {});
  const started = Date.now();
  const deadline = started + timeoutMs;
  let attempts = 0;
  let problem = "no attempt made";
  /** When the signed calls started being refused with 403 (undefined while they are not). */
  let refusedSince: number | undefined;
  for (;;) {
    attempts++;
    const params = smokeTestCall(options.voiceUrl, options.accountSid);
    try {
      const signed = await post(options, params, true, requestTimeoutMs);
      const unsigned = await post(options, params, false, requestTimeoutMs);
      const found = judge(signed, unsigned, options.authTokenName);
      refusedSince = signed.status === 403 ? (refusedSince ?? Date.now()) : undefined;
      if (!found) {
        return {
          ok: true,
          attempts,
          summary:
            `webhook smoke test passed: signed POST ${options.voiceUrl} → 200 TwiML ` +
            (isAfterHoursAnswer(signed)
              ? "with the after-hours message (outside business hours now: forwarding not exercised), "
              : "with <Dial>, ") +
            `unsigned → 403 (attempt ${attempts})`,
        };
      }
      problem = found;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      problem = `${options.voiceUrl} did not answer: ${(error as Error).message}${cause ? ` (${cause})` : ""}`;
      refusedSince = undefined;
    }
    if (Date.now() + retryDelayMs > deadline) break;
    if (refusedSince !== undefined && Date.now() + retryDelayMs > refusedSince + refusedRetryMs) {
      break;
    }
    const elapsed = Math.round((Date.now() - started) / 1000);
    log(
      `attempt ${attempts} (${elapsed} s of ${timeoutMs / 1000} s): ${problem}; retrying in ${retryDelayMs / 1000} s`,
    );
    await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
  }
  return {
    ok: false,
    attempts,
    summary: `webhook smoke test failed after ${attempts} attempts: ${problem}`,
  };
}

export const WEBHOOK_SMOKE_TEST_SCHEMA: Schema = {
  /** The deployed Request URL (`…/voice`). */
  voiceUrl: {
    kind: "url",
    required: true,
    example: "the webhook's …/voice URL",
  },
  /**
   * Sent as the sample call's AccountSid ("" = the example SID). A subaccount of the credentials'
   * account (line-call:subaccountSid) has the call signed with its own token, as Twilio signs it.
   */
  accountSid: { kind: "string", defaultValue: "" },
  /** What must rerun the test when it changes (bundle hash, settings, token version), as one string. */
  triggers: { kind: "string", defaultValue: "" },
  timeoutSeconds: {
    kind: "integer",
    defaultValue: 90,
    rule: (value: number) =>
      value >= 1 && value <= 900 ? undefined : "must be from 1 to 900 seconds",
  },
};

/**
 * Runs the test with the configured auth token; throws its one-line summary when it fails. Each
 * failed attempt is reported as it happens on the provider's stderr, which the Pulumi CLI shows
 * live (on the stack's line) and again under Diagnostics: a webhook that is down or refusing is
 * visible at once, not only when the timeout ends the run.
 */
async function passOrThrow(inputs: Props): Promise<Props> {
  const accountSid = (inputs.accountSid as string) || undefined;
  const signing = await signingToken(accountSid);
  const result = await runSmokeTest({
    voiceUrl: inputs.voiceUrl as string,
    authToken: signing.authToken,
    accountSid,
    timeoutMs: (inputs.timeoutSeconds as number) * 1000,
    authTokenName: signing.name,
    log: (line) => process.stderr.write(`webhook smoke test ${line}\n`),
  });
  if (!result.ok) throw new Error(result.summary);
  return { ...inputs, passed: true, attempts: result.attempts, summary: result.summary };
}

/**
 * The token Twilio signs this account's calls with: the configured one for the credentials' own
 * account, or a subaccount's own, read from Twilio with the parent's credentials (never an input
 * or in the state).
 */
async function signingToken(
  accountSid: string | undefined,
): Promise<{ authToken: string; name: string }> {
  if (accountSid === undefined || accountSid === credentialsAccountSid()) {
    return { authToken: twilioAuthToken(), name: "twilio:authToken (or TWILIO_AUTH_TOKEN)" };
  }
  const subaccount = await readSubaccount(twilioSettings(), accountSid, {
    subaccountKey: SUBACCOUNT_KEY,
  });
  return {
    authToken: subaccount.authToken,
    name: `the auth token of subaccount ${accountSid} (read from Twilio with the parent's credentials)`,
  };
}

export const webhookSmokeTestProvider: dynamic.ResourceProvider = {
  configure: configureTwilio,

  async check(_olds: Props, news: Props) {
    return checkInputs(WEBHOOK_SMOKE_TEST_SCHEMA, news);
  },

  async diff(_id: string, olds: Props, news: Props) {
    // Every change reruns the test in place (update); nothing about it lives outside the state.
    return diffInputs(WEBHOOK_SMOKE_TEST_SCHEMA, olds, news);
  },

  async create(inputs: Props) {
    const { randomUUID } = require("node:crypto");
    return { id: `smoke-test-${randomUUID()}`, outs: await passOrThrow(inputs) };
  },

  async update(_id: string, olds: Props, news: Props) {
    // Only the stored provider moved (installed.ts): nothing to test again.
    const unchanged = unchangedOutputs(WEBHOOK_SMOKE_TEST_SCHEMA, olds, news);
    if (unchanged) return unchanged;
    return { outs: await passOrThrow(news) };
  },

  // Nothing to look up: a refresh keeps what the last passing run stored, so the drift gate
  // never reruns (or fails on) the test.
  async read(id: string, props: Props) {
    return { id, props };
  },

  async delete() {},
};

export interface WebhookSmokeTestRunArgs {
  voiceUrl: pulumi.Input<string>;
  accountSid?: pulumi.Input<string>;
  triggers?: pulumi.Input<string>;
  timeoutSeconds?: pulumi.Input<number>;
}

/** One passing run of the smoke test (the resource is created or updated only when it passes). */
export class WebhookSmokeTestRun extends pulumi.dynamic.Resource {
  declare readonly voiceUrl: pulumi.Output<string>;
  declare readonly passed: pulumi.Output<boolean>;
  declare readonly attempts: pulumi.Output<number>;
  declare readonly summary: pulumi.Output<string>;

  constructor(name: string, args: WebhookSmokeTestRunArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      // The installed module's object, so the state names it instead of holding its code.
      installedProvider("webhookSmokeTest"),
      name,
      { passed: undefined, attempts: undefined, summary: undefined, ...args },
      opts,
      "line-call",
      "WebhookSmokeTestRun",
    );
  }
}
