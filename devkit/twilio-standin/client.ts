// Ways for tests to talk to the stand-in: the official twilio SDK pointed at it, and plain HTTP
// for requests the SDK would never send.
import twilio from "twilio";
import type { TwilioStandin } from "./server";

/**
 * The official SDK with every REST call sent to the stand-in. The `api` domain (which serves
 * /2010-04-01) is created lazily with Twilio's base URL; replacing its `baseUrl` is the SDK's
 * own seam — `Domain.absoluteUrl` builds every request URL and every next-page URL from it.
 */
export function standinTwilioClient(
  standin: Pick<TwilioStandin, "url" | "accountSid" | "authToken">,
  credentials: { username?: string; password?: string } = {},
): twilio.Twilio {
  const client = twilio(
    credentials.username ?? standin.accountSid,
    credentials.password ?? standin.authToken,
    {
      accountSid: standin.accountSid,
    },
  );
  client.api.baseUrl = standin.url;
  return client;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown> | undefined;
}

/** One raw request, form-encoded as Twilio expects; `path` is relative to the account. */
export async function rawRequest(
  standin: Pick<TwilioStandin, "url" | "accountSid" | "authToken">,
  method: string,
  path: string,
  options: {
    form?: Record<string, string> | string;
    auth?: string | null;
    contentType?: string;
  } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = {};
  const auth =
    options.auth === undefined ? `${standin.accountSid}:${standin.authToken}` : options.auth;
  if (auth !== null) headers.Authorization = `Basic ${Buffer.from(auth).toString("base64")}`;
  let body: string | undefined;
  if (options.form !== undefined) {
    body =
      typeof options.form === "string"
        ? options.form
        : new URLSearchParams(options.form).toString();
    headers["Content-Type"] = options.contentType ?? "application/x-www-form-urlencoded";
  }
  const url = path.startsWith("/2010-04-01")
    ? `${standin.url}${path}`
    : `${standin.url}/2010-04-01/Accounts/${standin.accountSid}${path}`;
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}
