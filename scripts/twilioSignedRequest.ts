/**
 * Plays Twilio's side of a webhook request: a form post signed with the twilio package's own
 * `getExpectedTwilioSignature` (the function Twilio's helper libraries use), so the webhook is
 * exercised exactly as Twilio would call it. Used by `npm run dev:webhook`, the tests and the bench.
 */
import { type TwilioParams, twilioSignature } from "../model/twilioRequest";

export {
  hexUserToUser,
  SAMPLE_LINE_USER_ID,
  sampleLineCall,
  type TwilioParams,
  twilioSignature,
} from "../model/twilioRequest";

export interface SignedPost {
  /** Where the request goes (the local adapter's URL + route). */
  postUrl: string;
  /** The URL Twilio signs: the webhook URL as configured in Twilio. Defaults to postUrl. */
  signedUrl?: string;
  authToken: string;
  params: TwilioParams;
  /** Replace the computed signature (forgeries in tests); null sends no signature header. */
  signature?: string | null;
  /** Send this body instead of the encoded params (tampering tests). */
  body?: string;
  headers?: Record<string, string>;
}

export interface PostResult {
  status: number;
  contentType: string;
  body: string;
}

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
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    body: await response.text(),
  };
}
