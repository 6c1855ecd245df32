/**
 * The webhook's settings, read from the Lambda function's environment. Every problem is collected
 * (not just the first) so one log line tells the operator everything to fix at once. The names,
 * defaults and accepted forms are the contract in contract.ts.
 */
import {
  DEFAULT_DIAL_TIMEOUT_SECONDS,
  DEFAULT_SAY_LANGUAGE,
  DEFAULT_UNAVAILABLE_MESSAGE,
  E164,
  CALL_SETTINGS_ENV as ENV,
  type ForwardTarget,
  MAX_DIAL_TIMEOUT_SECONDS,
  MIN_DIAL_TIMEOUT_SECONDS,
  parseForwardTarget,
  SAY_LANGUAGE,
  WEBHOOK_ENV,
} from "./contract";

export interface CallSettings {
  forwardTo: ForwardTarget;
  /** E.164 caller ID for the forwarded leg; required by Twilio when dialing a phone number. */
  callerId?: string;
  /** Said before dialing; omitted when empty. */
  greeting?: string;
  sayLanguage: string;
  /** Seconds `<Dial>` rings before giving up. */
  dialTimeout: number;
  unavailableMessage: string;
}

export interface SettingsResult {
  /** Present only when every call setting is valid. */
  call?: CallSettings;
  /**
   * Base URL Twilio uses for this webhook when it is not the API's own domain (custom domains),
   * as configured but without trailing slashes: Twilio signs the URL exactly as configured.
   */
  publicBaseUrl?: string;
  /** Human-readable problems, each naming the variable and the fix. */
  problems: string[];
}

export type Env = Readonly<Record<string, string | undefined>>;

// Characters outside XML 1.0's Char production: the TwiML builder refuses them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const NOT_XML_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function setting(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function parsePublicBaseUrl(raw: string, problems: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(
      `PUBLIC_BASE_URL "${raw}" is not a URL; set it to the base Twilio calls, e.g. https://calls.example.com`,
    );
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    problems.push(`PUBLIC_BASE_URL must start with https:// (got "${raw}")`);
    return undefined;
  }
  if (url.search || url.hash) {
    problems.push(`PUBLIC_BASE_URL must not carry a query or fragment (got "${raw}")`);
    return undefined;
  }
  return raw.replace(/\/+$/, "");
}

/** Reads and validates every webhook setting except the auth token (see authToken.ts). */
export function readSettings(env: Env): SettingsResult {
  const problems: string[] = [];

  const rawBase = setting(env, WEBHOOK_ENV.publicBaseUrl);
  const publicBaseUrl = rawBase === undefined ? undefined : parsePublicBaseUrl(rawBase, problems);

  const rawForwardTo = setting(env, ENV.forwardTo);
  let forwardTo: ForwardTarget | undefined;
  if (rawForwardTo === undefined) {
    problems.push(
      "FORWARD_TO is not set; set it to the E.164 number (+81312345678) or SIP URI (sip:reception@pbx.example.com) that answers LINE calls",
    );
  } else {
    forwardTo = parseForwardTarget(rawForwardTo);
    if (!forwardTo) {
      problems.push(
        `FORWARD_TO "${rawForwardTo}" is neither an E.164 number (+81312345678) nor a sip: URI with a user part (sip:reception@pbx.example.com)`,
      );
    }
  }

  const callerId = setting(env, ENV.callerId);
  if (callerId !== undefined && !E164.test(callerId)) {
    problems.push(
      `CALLER_ID "${callerId}" is not an E.164 number; use one of your Twilio numbers, e.g. +815012345678`,
    );
  } else if (callerId === undefined && forwardTo?.kind === "number") {
    problems.push(
      "CALLER_ID is not set; Twilio only forwards to a phone number with callerId set to one of your Twilio numbers (E.164)",
    );
  }

  const sayLanguage = setting(env, ENV.sayLanguage) ?? DEFAULT_SAY_LANGUAGE;
  if (!SAY_LANGUAGE.test(sayLanguage)) {
    problems.push(
      `SAY_LANGUAGE "${sayLanguage}" is not a <Say> language code such as ja-JP or en-US`,
    );
  }

  const rawTimeout = setting(env, ENV.dialTimeout);
  const dialTimeout = rawTimeout === undefined ? DEFAULT_DIAL_TIMEOUT_SECONDS : Number(rawTimeout);
  if (
    !Number.isInteger(dialTimeout) ||
    dialTimeout < MIN_DIAL_TIMEOUT_SECONDS ||
    dialTimeout > MAX_DIAL_TIMEOUT_SECONDS
  ) {
    problems.push(
      `DIAL_TIMEOUT "${rawTimeout}" must be whole seconds from ${MIN_DIAL_TIMEOUT_SECONDS} to ${MAX_DIAL_TIMEOUT_SECONDS}`,
    );
  }

  const greeting = setting(env, ENV.greeting);
  const unavailableMessage = setting(env, ENV.unavailableMessage) ?? DEFAULT_UNAVAILABLE_MESSAGE;
  for (const [name, text] of [
    [ENV.greeting, greeting],
    [ENV.unavailableMessage, unavailableMessage],
  ] as const) {
    if (text !== undefined && NOT_XML_TEXT.test(text)) {
      problems.push(`${name} contains control characters that XML (and so TwiML) cannot carry`);
    }
  }

  if (problems.length > 0 || !forwardTo) return { publicBaseUrl, problems };
  return {
    call: { forwardTo, callerId, greeting, sayLanguage, dialTimeout, unavailableMessage },
    publicBaseUrl,
    problems,
  };
}
