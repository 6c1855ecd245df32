// The pre-go-live call check (`npm run call-check -- <stack> --from <LINE IP> [--at <time>]`):
// reads what Twilio holds for the stack's SIP domain — the domain, the IP lists mapped to it for
// calls and their entries, its Request URL — with the project's Twilio client (the stand-in when
// twilio:apiBaseUrl / TWILIO_API_BASE_URL names it), then sends the Request URL the signed request
// Twilio would send for a LINE call from that address, and says whether Twilio would admit the
// call and what the caller would hear, naming the first thing that would stop it.
//
// With --at, the stack's call settings also answer for that time, through the webhook's own code
// in this tree (the deployed webhook answers by its own clock, so only "now" can be asked of it).
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { DOMParser, type Element } from "@xmldom/xmldom";
import { createHandler } from "../lambda/handler";
import { startLocalWebhook } from "../lambda/localAdapter";
import { LINE_API_BASE_URL } from "../lambda/notify/channels";
import { NOTIFY_ENV } from "../lambda/notify/settings";
import { apologyTwiml } from "../lambda/twiml";
import { openingAt } from "../model/businessHours";
import {
  type CallSettings,
  callSettingsEnvironment,
  parseCallSettings,
} from "../model/callSettings";
import { isIPv4, rangesOverlap } from "../model/lineIpAddresses";
import { projectKey } from "../model/project";
import { resolveTwilioSetting } from "../model/twilio";
import {
  hexUserToUser,
  type PostResult,
  postSignedTwilioForm,
  SAMPLE_LINE_USER_ID,
  sampleLineCall,
} from "../model/twilioRequest";
import { readSubaccount } from "../providers/twilioAccounts";
import { resolveTwilioSettings, twilioRestClient } from "../providers/twilioClient";
import type { ConfigSource } from "../stack/config";
import { configSource, encryptedValues, loadProjectDefaults, parseStackFile } from "./stackFile";
import { decryptStackSecrets, passphraseFrom } from "./stackSecrets";

/** Twilio gives up on a webhook after 15 s and plays the fallback URL's answer instead. */
export const TWILIO_WEBHOOK_TIMEOUT_MS = 15_000;

export interface CallCheckOptions {
  stack: string;
  /** The LINE SIP server address the call comes from. */
  from: string;
  /** Also answer for this instant with the stack's call settings (this tree's webhook code). */
  at?: Date;
  /** The LINE user ID to send in X-User-To-User (default: a sample ID no channel knows). */
  lineUserId?: string;
  /** The project directory holding Pulumi.yaml and Pulumi.<stack>.yaml. */
  root: string;
  env: NodeJS.ProcessEnv;
  /** Told each step as it starts (progress). */
  progress?: (step: string) => void;
}

export type StepOutcome = "ok" | "stop" | "note";

export interface CallCheckStep {
  step: string;
  outcome: StepOutcome;
  detail: string;
}

export interface CallCheckResult {
  steps: CallCheckStep[];
  /** Would Twilio admit the call and the webhook answer it with TwiML? */
  admitted: boolean;
  /** The first step that would stop the call, when one does. */
  stoppedAt?: CallCheckStep;
  /** What the caller hears now, from the deployed Request URL. */
  callerHears?: string;
}

/** What a TwiML answer does, in words: `says "…", then rings +81…`. */
export function describeTwiml(xml: string): string {
  const document = new DOMParser({
    onError: (level, message) => {
      throw new Error(`not well-formed XML (${level}): ${message}`);
    },
  }).parseFromString(xml, "text/xml");
  const root = document.documentElement;
  if (!root) throw new Error("no root element");
  if (root.tagName !== "Response") throw new Error(`<${root.tagName}> is not TwiML's <Response>`);
  const parts: string[] = [];
  for (let node = root.firstChild; node; node = node.nextSibling) {
    if (node.nodeType !== node.ELEMENT_NODE) continue;
    const verb = node as Element;
    const text = (verb.textContent ?? "").trim();
    switch (verb.tagName) {
      case "Say":
        parts.push(`says "${text.length > 60 ? `${text.slice(0, 57)}…` : text}"`);
        break;
      case "Dial": {
        const targets = Array.from(verb.getElementsByTagName("*")).map(
          (child) => `${child.tagName} ${(child.textContent ?? "").trim()}`,
        );
        parts.push(
          `rings ${targets.join(", ") || text} for ${verb.getAttribute("timeout") ?? "30"} s`,
        );
        break;
      }
      case "Record":
        parts.push(
          `records a voicemail after a beep (at most ${verb.getAttribute("maxLength") ?? "3600"} s)`,
        );
        break;
      case "Hangup":
        parts.push("hangs up");
        break;
      default:
        parts.push(`<${verb.tagName}>`);
    }
  }
  return parts.join(", then ") || "silence (an empty <Response>)";
}

interface StackReading {
  source: ConfigSource;
  sipDomainName: string;
  call?: CallSettings;
  callProblems: string[];
  /** The stack's LINE channel access token, when set and readable (decrypted). */
  lineChannelAccessToken?: string;
}

function readStack(options: CallCheckOptions): StackReading {
  const file = path.join(options.root, `Pulumi.${options.stack}.yaml`);
  if (!existsSync(file)) {
    throw new Error(`${file} does not exist: name a stack with a Pulumi.<stack>.yaml here`);
  }
  const parsed = parseStackFile(readFileSync(file, "utf8"), file);
  const reading = decryptStackSecrets(
    encryptedValues(parsed.config),
    parsed.encryptionSalt,
    passphraseFrom(options.env),
  );
  const decrypted = "decrypted" in reading ? reading.decrypted : {};
  const source = configSource(
    options.stack,
    parsed.config,
    loadProjectDefaults(options.root),
    options.env,
    decrypted,
  );
  const raw = (key: string) => source.values[projectKey(key)];
  const { settings, problems } = parseCallSettings({
    raw: (name) => raw(name),
    label: (name) => projectKey(name),
  });
  const tokenKey = projectKey("lineChannelAccessToken");
  // A secret counts only once decrypted (else configSource holds a placeholder).
  const lineChannelAccessToken = source.secretKeys.has(tokenKey)
    ? decrypted[tokenKey]?.trim()
    : source.values[tokenKey]?.trim();
  return {
    source,
    sipDomainName: (raw("sipDomainName") ?? "").trim(),
    ...(lineChannelAccessToken ? { lineChannelAccessToken } : {}),
    ...(settings ? { call: settings } : {}),
    callProblems: problems,
  };
}

/** The caller's experience as the TwiML answer reads, or why there is none. */
function interpret(result: PostResult): { outcome: StepOutcome; detail: string } {
  if (result.status === 403) {
    return {
      outcome: "stop",
      detail:
        "403: the webhook refused the signature. It checks with another auth token than the account Twilio signs with (rotated token, or another account), or its PUBLIC_BASE_URL differs from the Request URL; Twilio would play the fallback URL's apology",
    };
  }
  if (result.status < 200 || result.status >= 300) {
    return {
      outcome: "stop",
      detail: `HTTP ${result.status}: Twilio plays the fallback URL's answer instead (${result.body.slice(0, 120).replace(/\s+/g, " ")})`,
    };
  }
  if (!/^(text|application)\/xml\b/.test(result.contentType)) {
    return {
      outcome: "stop",
      detail: `answered ${result.contentType || "without a content type"}, not TwiML: Twilio cannot play it`,
    };
  }
  let described: string;
  try {
    described = describeTwiml(result.body);
  } catch (error) {
    return { outcome: "stop", detail: `the TwiML is not usable: ${(error as Error).message}` };
  }
  if (result.body === apologyTwiml()) {
    return {
      outcome: "stop",
      detail: `the webhook answers with its apology (its settings are broken or it cannot read its auth token; its log says which): caller ${described}`,
    };
  }
  return { outcome: "ok", detail: `caller ${described}` };
}

export async function runCallCheck(options: CallCheckOptions): Promise<CallCheckResult> {
  const steps: CallCheckStep[] = [];
  const say = (step: string) => options.progress?.(step);
  const done = (
    step: string,
    outcome: StepOutcome,
    detail: string,
    extra: Partial<CallCheckResult> = {},
  ): CallCheckResult | undefined => {
    const entry = { step, outcome, detail };
    steps.push(entry);
    if (outcome !== "stop") return undefined;
    return { steps, admitted: false, stoppedAt: entry, ...extra };
  };

  if (!isIPv4(options.from)) {
    throw new Error(
      `--from ${options.from} is not an IPv4 address: give the LINE SIP server's address, e.g. 203.0.113.10`,
    );
  }
  say("stack file");
  const stack = readStack(options);
  if (!stack.sipDomainName) {
    throw new Error(`${projectKey("sipDomainName")} is not set in Pulumi.${options.stack}.yaml`);
  }

  say("Twilio account");
  const setting = (name: Parameters<typeof resolveTwilioSetting>[0]) =>
    resolveTwilioSetting(name, (key) => stack.source.values[key], options.env);
  const credentials = resolveTwilioSettings(setting);
  const subaccountSid = stack.source.values[projectKey("subaccountSid")]?.trim();
  let accountSid = credentials.accountSid;
  let signingToken = setting("authToken");
  if (subaccountSid) {
    const subaccount = await readSubaccount(credentials, subaccountSid, {
      subaccountKey: projectKey("subaccountSid"),
    });
    accountSid = subaccount.sid;
    signingToken = subaccount.authToken;
  }
  const sip = twilioRestClient(credentials).api.v2010.accounts(accountSid).sip;

  say("SIP domain");
  const domains: Record<string, unknown>[] = await sip.domains.list({ pageSize: 1000 });
  const domain = domains.find((d) => d.domainName === stack.sipDomainName);
  if (!domain) {
    return done(
      "SIP domain",
      "stop",
      `${stack.sipDomainName} does not exist in account ${accountSid}: LINE's INVITE finds no domain (run pulumi up --stack ${options.stack})`,
    ) as CallCheckResult;
  }
  done("SIP domain", "ok", `${stack.sipDomainName} (${domain.sid}) in account ${accountSid}`);

  say("IP lists");
  const mappings: Record<string, unknown>[] = await sip
    .domains(String(domain.sid))
    .auth.calls.ipAccessControlListMappings.list({ pageSize: 1000 });
  if (mappings.length === 0) {
    return done(
      "IP lists",
      "stop",
      "no IP access control list is mapped to the domain for calls: Twilio refuses every INVITE (403)",
    ) as CallCheckResult;
  }
  const matches: string[] = [];
  let entryCount = 0;
  for (const mapping of mappings) {
    const listSid = String(mapping.sid);
    const entries: Record<string, unknown>[] = await sip
      .ipAccessControlLists(listSid)
      .ipAddresses.list({ pageSize: 1000 });
    entryCount += entries.length;
    for (const entry of entries) {
      const range = {
        ip: String(entry.ipAddress),
        cidrPrefixLength: Number(entry.cidrPrefixLength ?? 32),
      };
      if (rangesOverlap({ ip: options.from, cidrPrefixLength: 32 }, range)) {
        matches.push(`${range.ip}/${range.cidrPrefixLength} in ${mapping.friendlyName ?? listSid}`);
      }
    }
  }
  if (matches.length === 0) {
    return done(
      "IP lists",
      "stop",
      `${options.from} is in none of the ${entryCount} entries of the ${mappings.length} mapped list(s): Twilio answers LINE's INVITE with 403 (add it to line-call:lineIpAddresses if LINE gave it to you)`,
    ) as CallCheckResult;
  }
  done("IP lists", "ok", `${options.from} is admitted by ${matches.join(", ")}`);

  say("Request URL");
  const voiceUrl = String(domain.voiceUrl ?? "").trim();
  if (!voiceUrl) {
    return done(
      "Request URL",
      "stop",
      "the domain's Request URL (voiceUrl) is empty: Twilio rejects the call. It is set once line-call:lineConnected is true and deployed",
    ) as CallCheckResult;
  }
  const method = String(domain.voiceMethod ?? "POST").toUpperCase();
  if (method !== "POST") {
    return done(
      "Request URL",
      "stop",
      `voiceMethod is ${method}; the webhook answers POST only`,
    ) as CallCheckResult;
  }
  done("Request URL", "ok", `POST ${voiceUrl}`);

  say("signed LINE call");
  if (!signingToken) {
    throw new Error(
      "no Twilio auth token to sign with: set twilio:authToken (and PULUMI_CONFIG_PASSPHRASE to read it) or TWILIO_AUTH_TOKEN",
    );
  }
  const params = sampleLineCall({
    AccountSid: accountSid,
    SipDomain: stack.sipDomainName,
    SipDomainSid: String(domain.sid),
    SipSourceIp: options.from,
    From: `sip:call-check@${options.from}`,
    Caller: `sip:call-check@${options.from}`,
    "SipHeader_X-User-To-User": hexUserToUser(options.lineUserId ?? SAMPLE_LINE_USER_ID),
  });
  let answer: PostResult;
  try {
    answer = await postSignedTwilioForm({
      postUrl: voiceUrl,
      authToken: signingToken,
      params,
      timeoutMs: TWILIO_WEBHOOK_TIMEOUT_MS,
    });
  } catch (error) {
    const cause = (error as Error).cause as Error | undefined;
    return done(
      "webhook answer",
      "stop",
      `${voiceUrl} could not be reached within Twilio's 15 s (${(error as Error).message}${cause ? `: ${cause.message}` : ""}): Twilio plays the fallback URL's answer`,
    ) as CallCheckResult;
  }
  const heard = interpret(answer);
  const stop = done("webhook answer", heard.outcome, heard.detail);
  if (stop) return stop;

  if (options.at) {
    say("at the given time");
    steps.push(await answerAt(options.at, stack, signingToken, params));
  }
  if (options.lineUserId) {
    say("LINE user ID");
    steps.push(await lineUserKnown(options.lineUserId, stack, options.env));
  }
  return { steps, admitted: true, callerHears: heard.detail };
}

/**
 * Whether the stack's Messaging API channel knows the user ID (LINE's profile endpoint): the
 * follow-up reaches only such a user. Never prints the token.
 */
async function lineUserKnown(
  lineUserId: string,
  stack: StackReading,
  env: NodeJS.ProcessEnv,
): Promise<CallCheckStep> {
  const step = "LINE user ID";
  const token = env[NOTIFY_ENV.lineChannelAccessToken]?.trim() || stack.lineChannelAccessToken;
  if (!token) {
    return {
      step,
      outcome: "note",
      detail: `not asked: no LINE channel access token (set ${NOTIFY_ENV.lineChannelAccessToken}, or PULUMI_CONFIG_PASSPHRASE to read line-call:lineChannelAccessToken)`,
    };
  }
  const base = (env[NOTIFY_ENV.lineApiBaseUrl]?.trim() || LINE_API_BASE_URL).replace(/\/+$/, "");
  try {
    const response = await fetch(`${base}/v2/bot/profile/${encodeURIComponent(lineUserId)}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (response.ok) {
      const profile = (await response.json()) as { displayName?: string };
      return {
        step,
        outcome: "ok",
        detail: `${lineUserId} is known to the channel (display name "${profile.displayName ?? ""}"): the follow-up reaches this caller`,
      };
    }
    await response.body?.cancel();
    return {
      step,
      outcome: "note",
      detail:
        response.status === 404
          ? `${lineUserId} is not known to the channel (404): another provider's ID, or not a friend; the follow-up would not reach this caller, so leave followUp off until LINE's X-User-To-User and the channel match`
          : `LINE answered ${response.status} for the profile (401: the channel access token is wrong or expired)`,
    };
  } catch (error) {
    return {
      step,
      outcome: "note",
      detail: `LINE could not be asked: ${(error as Error).message}`,
    };
  }
}

/** What this tree's webhook answers with the stack's call settings at `at`. */
async function answerAt(
  at: Date,
  stack: StackReading,
  token: string,
  params: Record<string, string>,
): Promise<CallCheckStep> {
  const step = `at ${at.toISOString()}`;
  if (!stack.call) {
    return {
      step,
      outcome: "note",
      detail: `the stack's call settings do not parse: ${stack.callProblems.join("; ")}`,
    };
  }
  const opening = stack.call.businessHours ? openingAt(stack.call.businessHours, at) : undefined;
  const webhook = await startLocalWebhook({
    env: { ...callSettingsEnvironment(stack.call), TWILIO_AUTH_TOKEN: token },
    handler: createHandler({
      env: { ...callSettingsEnvironment(stack.call), TWILIO_AUTH_TOKEN: token },
      now: () => at,
      log: () => {},
      // No delivery: this answer is computed here, not by the deployed webhook.
      reportMissedCall: async () => {},
    }),
  });
  try {
    const result = await postSignedTwilioForm({
      postUrl: `${webhook.url}/voice`,
      signedUrl: `${webhook.publicBaseUrl}/voice`,
      authToken: token,
      params,
    });
    const heard = interpret(result);
    const hours = opening
      ? opening.open
        ? `open at ${opening.local.iso}`
        : `closed at ${opening.local.iso} (${opening.closedBecause})`
      : "no businessHours: always open";
    return {
      step,
      outcome: "note",
      detail: `${hours}; with the stack's settings the caller ${heard.detail.replace(/^caller /, "")}`,
    };
  } finally {
    await webhook.close();
  }
}
