/**
 * Which URL Twilio signed, and whether the X-Twilio-Signature matches it. The check itself is the
 * twilio package's own `validateRequest`, deep-imported: that module needs only node's crypto,
 * url and querystring, not the REST client behind `require("twilio")`.
 */
import { validateRequest } from "twilio/lib/webhooks/webhooks";
import type { FormParams } from "./form";

export interface PublicLocation {
  /** Scheme, host and any base path, without a trailing slash, e.g. https://abc.execute-api…com. */
  base: string;
  /** The route inside the webhook, e.g. /voice. */
  routePath: string;
}

/**
 * An HTTP API is only served over HTTPS, so Twilio called `https://{domainName}{rawPath}`; behind
 * a custom domain it called PUBLIC_BASE_URL + route instead. When the custom domain maps the API
 * under a base path (PUBLIC_BASE_URL=https://calls.example.com/line) that path may or may not
 * still be in rawPath, so it is stripped when present.
 */
export function publicLocation(
  domainName: string,
  rawPath: string,
  publicBaseUrl: string | undefined,
): PublicLocation {
  if (publicBaseUrl === undefined) return { base: `https://${domainName}`, routePath: rawPath };
  const basePath = new URL(publicBaseUrl).pathname.replace(/\/+$/, "");
  const routePath =
    basePath && rawPath.startsWith(`${basePath}/`) ? rawPath.slice(basePath.length) : rawPath;
  return { base: publicBaseUrl, routePath };
}

/** The full URL Twilio signed: base, route and the query string exactly as received. */
export function signedUrl(location: PublicLocation, rawQueryString: string | undefined): string {
  const query = rawQueryString ? `?${rawQueryString}` : "";
  return `${location.base}${location.routePath}${query}`;
}

/** True only for a request Twilio signed with this auth token for this URL and these parameters. */
export function isSignedByTwilio(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: FormParams,
): boolean {
  if (!signature) return false;
  try {
    return validateRequest(authToken, signature, url, params);
  } catch {
    // validateRequest re-parses the URL with `new URL()`; a Host header that makes no URL is
    // simply not what Twilio signed.
    return false;
  }
}
