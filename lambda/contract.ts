// The webhook's settings contract: the environment variables it reads, the forwarding target they
// describe, their defaults and accepted forms, and the routes it serves. The stack imports this
// module (never the handler) to fill the Lambda function's environment and wire the SIP domain's
// URLs, so what `pulumi up` accepts is exactly what the webhook accepts.
import { TWILIO_SETTINGS } from "../model/twilio";

/** The call settings, each under the environment variable the webhook reads it from. */
export const CALL_SETTINGS_ENV = {
  forwardTo: "FORWARD_TO",
  callerId: "CALLER_ID",
  greeting: "GREETING",
  sayLanguage: "SAY_LANGUAGE",
  dialTimeout: "DIAL_TIMEOUT",
  unavailableMessage: "UNAVAILABLE_MESSAGE",
} as const;

/** The other variables: where the auth token comes from, and the public base URL. */
export const WEBHOOK_ENV = {
  ...CALL_SETTINGS_ENV,
  /** The URL Twilio calls when it is not the API's own (a custom domain); Twilio signs it. */
  publicBaseUrl: "PUBLIC_BASE_URL",
  /** The auth token itself (local runs and tests). */
  authToken: TWILIO_SETTINGS.authToken.env,
  /** The SSM SecureString holding the auth token (the deployed function). */
  authTokenParameter: "TWILIO_AUTH_TOKEN_PARAMETER",
  /**
   * The parameter's version. Not read by the handler: a new token version changes the function's
   * configuration, so no warm instance keeps validating with a token that was rotated away.
   */
  authTokenVersion: "TWILIO_AUTH_TOKEN_VERSION",
} as const;

export type CallSettingsEnvName = (typeof CALL_SETTINGS_ENV)[keyof typeof CALL_SETTINGS_ENV];
/** The call settings as environment variables (what the stack gives the function). */
export type CallSettingsEnvironment = Record<CallSettingsEnvName, string>;

/** Where `<Dial>` sends the call: a phone number (`<Number>`) or a PBX's SIP URI (`<Sip>`). */
export type ForwardTarget = { kind: "number" | "sip"; value: string };

export const DEFAULT_SAY_LANGUAGE = "ja-JP";
/** Twilio's own default ring time for `<Dial>`. */
export const DEFAULT_DIAL_TIMEOUT_SECONDS = 30;
export const MIN_DIAL_TIMEOUT_SECONDS = 5;
/** Twilio caps `<Dial timeout>` at 600 seconds. */
export const MAX_DIAL_TIMEOUT_SECONDS = 600;
export const DEFAULT_UNAVAILABLE_MESSAGE =
  "申し訳ございません。ただいま電話に出ることができません。しばらくしてから、おかけ直しください。";

export const E164 = /^\+[1-9]\d{4,14}$/;
// sip:user@host[:port][;params][?headers]; Twilio's <Sip> requires the user part.
export const SIP_URI = /^sip:[^\s@<>"]+@[^\s@<>"]+$/i;
// Twilio's <Say> languages look like ja-JP, cmn-CN, en-GB-WLS, or a bare code such as arb.
export const SAY_LANGUAGE = /^[a-z]{2,3}(-[A-Z]{2}(-[A-Z]{3})?)?$/;

export function parseForwardTarget(raw: string): ForwardTarget | undefined {
  if (E164.test(raw)) return { kind: "number", value: raw };
  if (SIP_URI.test(raw)) return { kind: "sip", value: raw };
  return undefined;
}

/** The webhook's routes, relative to its base URL. */
export const ROUTES = {
  /** The SIP domain's Request URL (voiceUrl). */
  voice: "/voice",
  /** `<Dial action>`: where Twilio reports how the forwarded leg ended. */
  afterDial: "/voice/after-dial",
  /** The SIP domain's fallback URL (voiceFallbackUrl). */
  fallback: "/fallback",
  /** The SIP domain's status callback URL (voiceStatusCallbackUrl). */
  status: "/status",
} as const;

export type RoutePath = (typeof ROUTES)[keyof typeof ROUTES];
