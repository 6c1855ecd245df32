/**
 * The webhook's settings, read from the Lambda function's environment. Every problem is collected
 * (not just the first) so one log line tells the operator everything to fix at once.
 */

/** Where `<Dial>` sends the call: a phone number (`<Number>`) or a PBX's SIP URI (`<Sip>`). */
export type ForwardTarget = { kind: "number"; number: string } | { kind: "sip"; uri: string };

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

export const DEFAULT_SAY_LANGUAGE = "ja-JP";
/** Twilio's own default ring time for `<Dial>`. */
export const DEFAULT_DIAL_TIMEOUT_SECONDS = 30;
export const MIN_DIAL_TIMEOUT_SECONDS = 5;
/** Twilio caps `<Dial timeout>` at 600 seconds. */
export const MAX_DIAL_TIMEOUT_SECONDS = 600;
export const DEFAULT_UNAVAILABLE_MESSAGE =
  "申し訳ございません。ただいま電話に出ることができません。しばらくしてから、おかけ直しください。";

// Shared with the stack's config check (stack/config.ts), so a value `pulumi up` accepts is one
// the webhook accepts too.
export const E164 = /^\+[1-9]\d{4,14}$/;
// sip:user@host[:port][;params][?headers]; Twilio's <Sip> requires the user part.
export const SIP_URI = /^sip:[^\s@<>"]+@[^\s@<>"]+$/i;
// Twilio's <Say> languages look like ja-JP, cmn-CN, en-GB-WLS, or a bare code such as arb.
export const SAY_LANGUAGE = /^[a-z]{2,3}(-[A-Z]{2}(-[A-Z]{3})?)?$/;

// Characters outside XML 1.0's Char production: the TwiML builder refuses them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const NOT_XML_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function setting(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function parseForwardTarget(raw: string): ForwardTarget | undefined {
  if (E164.test(raw)) return { kind: "number", number: raw };
  if (SIP_URI.test(raw)) return { kind: "sip", uri: raw };
  return undefined;
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

  const rawBase = setting(env, "PUBLIC_BASE_URL");
  const publicBaseUrl = rawBase === undefined ? undefined : parsePublicBaseUrl(rawBase, problems);

  const rawForwardTo = setting(env, "FORWARD_TO");
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

  const callerId = setting(env, "CALLER_ID");
  if (callerId !== undefined && !E164.test(callerId)) {
    problems.push(
      `CALLER_ID "${callerId}" is not an E.164 number; use one of your Twilio numbers, e.g. +815012345678`,
    );
  } else if (callerId === undefined && forwardTo?.kind === "number") {
    problems.push(
      "CALLER_ID is not set; Twilio only forwards to a phone number with callerId set to one of your Twilio numbers (E.164)",
    );
  }

  const sayLanguage = setting(env, "SAY_LANGUAGE") ?? DEFAULT_SAY_LANGUAGE;
  if (!SAY_LANGUAGE.test(sayLanguage)) {
    problems.push(
      `SAY_LANGUAGE "${sayLanguage}" is not a <Say> language code such as ja-JP or en-US`,
    );
  }

  const rawTimeout = setting(env, "DIAL_TIMEOUT");
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

  const greeting = setting(env, "GREETING");
  const unavailableMessage = setting(env, "UNAVAILABLE_MESSAGE") ?? DEFAULT_UNAVAILABLE_MESSAGE;
  for (const [name, text] of [
    ["GREETING", greeting],
    ["UNAVAILABLE_MESSAGE", unavailableMessage],
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
