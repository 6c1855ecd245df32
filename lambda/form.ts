/**
 * Twilio posts `application/x-www-form-urlencoded` UTF-8 forms; API Gateway HTTP APIs hand them to
 * Lambda base64-encoded (`isBase64Encoded: true`). This parser is strict on purpose: anything that
 * is not such a form is answered 400 (or 413) before the signature is even computed.
 */

/**
 * Twilio's voice requests are a few KB even with many SIP headers; anything far larger is not
 * Twilio, and refusing it early keeps a flood of large posts cheap.
 */
export const MAX_FORM_BYTES = 64 * 1024;

/** Values as twilio's `validateRequest` expects them: repeated names become arrays. */
export type FormParams = Record<string, string | string[]>;

export type FormResult =
  | { ok: true; params: FormParams }
  | { ok: false; statusCode: 400 | 413; reason: string };

export interface FormRequest {
  body?: string;
  isBase64Encoded: boolean;
  headers: Readonly<Record<string, string | undefined>>;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const FORM_CONTENT_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;

/** A request header by its lower-case name (HTTP APIs lower-case them, but not every caller does). */
export function headerValue(headers: FormRequest["headers"], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

function decodeComponent(raw: string): string {
  // Throws URIError on a malformed escape or escapes that are not UTF-8.
  return decodeURIComponent(raw.replace(/\+/g, " "));
}

function fail(statusCode: 400 | 413, reason: string): FormResult {
  return { ok: false, statusCode, reason };
}

export function parseTwilioForm(request: FormRequest): FormResult {
  const contentType = headerValue(request.headers, "content-type") ?? "";
  if (!FORM_CONTENT_TYPE.test(contentType)) {
    return fail(400, "content-type is not application/x-www-form-urlencoded");
  }
  const charset = CHARSET.exec(contentType)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
    return fail(400, `charset ${charset} is not UTF-8`);
  }
  const raw = request.body ?? "";
  let bytes: Buffer;
  if (request.isBase64Encoded) {
    // Four base64 characters carry three bytes: refuse before decoding anything huge.
    if (raw.length > Math.ceil(MAX_FORM_BYTES / 3) * 4) return fail(413, "body too large");
    if (raw.length % 4 !== 0 || !BASE64.test(raw)) return fail(400, "body is not valid base64");
    bytes = Buffer.from(raw, "base64");
  } else {
    bytes = Buffer.from(raw, "utf8");
  }
  if (bytes.length > MAX_FORM_BYTES) return fail(413, "body too large");
  if (bytes.length === 0) return fail(400, "body is empty");

  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return fail(400, "body is not UTF-8");
  }

  const params: FormParams = Object.create(null);
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    let name: string;
    let value: string;
    try {
      name = decodeComponent(equals === -1 ? pair : pair.slice(0, equals));
      value = equals === -1 ? "" : decodeComponent(pair.slice(equals + 1));
    } catch {
      return fail(400, "body has a malformed percent-escape");
    }
    if (name === "") return fail(400, "body has a parameter without a name");
    const existing = params[name];
    if (existing === undefined) params[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[name] = [existing, value];
  }
  return { ok: true, params };
}

/** The first value of a parameter, for fields Twilio sends once (CallSid, From, …). */
export function param(params: FormParams, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}
