// What Twilio posts to a SIP domain's Request URL for a LINE call, how it signs it, and the post
// itself. The bottom layer: the smoke-test provider, `npm run dev:webhook`, the tests and the
// bench all build and send their requests from here, so the webhook is always exercised as Twilio
// would call it.

export type TwilioParams = Record<string, string>;

/** A LINE user ID as LINE formats them ("U" + 32 hex digits); an example, not a real user. */
export const SAMPLE_LINE_USER_ID = "U4af4980629b2f9e1a9b6f7c3e2d1c0b9";

/** RFC 7433 hex form of a User-to-User value, as LINE sends it. */
export function hexUserToUser(value: string): string {
  return `${Buffer.from(value, "utf8").toString("hex")};encoding=hex`;
}

/**
 * The parameters Twilio posts to a SIP domain's Request URL for an incoming LINE call (documentation
 * addresses and example SIDs; shape as Twilio sends them).
 */
export function sampleLineCall(overrides: TwilioParams = {}): TwilioParams {
  return {
    AccountSid: "AC00000000000000000000000000000001",
    ApiVersion: "2010-04-01",
    CallSid: "CA7f0d3b8c1e2a4f5b6c7d8e9f0a1b2c3d",
    CallStatus: "ringing",
    CallToken: "",
    Called: "sip:0312345678@line-example.sip.twilio.com",
    Caller: "sip:line@203.0.113.10",
    Direction: "inbound",
    From: "sip:line@203.0.113.10",
    SipCallId: "4f1d6a2e-3b7c-4d8e-9f0a-1b2c3d4e5f60@203.0.113.10",
    SipDomain: "line-example.sip.twilio.com",
    SipDomainSid: "SD00000000000000000000000000000001",
    "SipHeader_X-User-To-User": hexUserToUser(SAMPLE_LINE_USER_ID),
    SipSourceIp: "203.0.113.10",
    To: "sip:0312345678@line-example.sip.twilio.com",
    ...overrides,
  };
}

/**
 * The `X-Twilio-Signature` Twilio would send, computed by the twilio package's own
 * `getExpectedTwilioSignature` (the function Twilio's helper libraries validate with). Required on
 * use, as a provider method requires its third-party modules (the providers bundle this file).
 */
export function twilioSignature(
  authToken: string,
  signedUrl: string,
  params: TwilioParams,
): string {
  const { getExpectedTwilioSignature } = require("twilio/lib/webhooks/webhooks");
  return getExpectedTwilioSignature(authToken, signedUrl, params);
}

export interface SignedPost {
  /** Where the request goes (the webhook's URL, or a local adapter's). */
  postUrl: string;
  /** The URL Twilio signs: the webhook URL as configured in Twilio. Defaults to postUrl. */
  signedUrl?: string;
  authToken: string;
  params: TwilioParams;
  /** Replace the computed signature (forgeries in tests); null sends no signature header. */
  signature?: string | null;
  /** Send this body instead of the encoded params (tampering tests). */
  body?: string;
  /** Extra or replaced headers (e.g. the user agent). */
  headers?: Record<string, string>;
  /** Give up on the request after this long. */
  timeoutMs?: number;
}

/**
 * The response header in which the webhook names its decision on a TwiML answer
 * (`forward-sip`, `after-hours-message`, …): Twilio ignores it; the smoke test reads it to tell an
 * after-hours answer from the apology for broken settings, which sound alike.
 */
export const WEBHOOK_DECISION_HEADER = "x-line-call-decision";

export interface PostResult {
  status: number;
  contentType: string;
  body: string;
  /** The webhook's WEBHOOK_DECISION_HEADER, "" when absent. */
  decision: string;
}

/** Posts a form the way Twilio posts to a webhook: url-encoded, signed unless told otherwise. */
export async function postSignedTwilioForm(post: SignedPost): Promise<PostResult> {
  const signature =
    post.signature === undefined
      ? twilioSignature(post.authToken, post.signedUrl ?? post.postUrl, post.params)
      : post.signature;
  const response = await fetch(post.postUrl, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "user-agent": "TwilioProxy/1.1",
      ...(signature === null ? {} : { "x-twilio-signature": signature }),
      ...post.headers,
    },
    body: post.body ?? new URLSearchParams(post.params).toString(),
    ...(post.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(post.timeoutMs) }),
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    body: await response.text(),
    decision: response.headers.get(WEBHOOK_DECISION_HEADER) ?? "",
  };
}
