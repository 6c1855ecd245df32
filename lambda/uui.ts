/**
 * The LINE user's ID arrives in a SIP User-to-User header, which Twilio hands to the webhook as a
 * `SipHeader_<name>` form parameter. LINE uses `X-User-To-User`; the standard `User-to-User`
 * (RFC 7433) is accepted too.
 */

/** Form parameters in the order they are looked up; compared case-insensitively (SIP header names are). */
export const LINE_USER_ID_PARAMETERS = ["SipHeader_X-User-To-User", "SipHeader_User-to-User"];

/** Longer values are not a LINE user ID (those are "U" + 32 hex digits) and are not passed on. */
export const MAX_LINE_USER_ID_LENGTH = 128;

export interface LineUserIdResult {
  lineUserId?: string;
  /** The parameter it came from, for the log. */
  source?: string;
  /** Why a present header could not be used; logged, the call is still forwarded. */
  problem?: string;
}

type Params = Readonly<Record<string, string | string[]>>;

const HEX = /^(?:[0-9a-f]{2})+$/i;
// C0/C1 controls and DEL: never part of an ID, and must not reach a SIP header.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function firstValue(value: string | string[]): string {
  return Array.isArray(value) ? (value[0] ?? "") : value;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1)
    : value;
}

/**
 * Decodes one User-to-User header value: `data;encoding=hex;purpose=…` is hex-decoded as UTF-8
 * (RFC 7433); other `;param`s are dropped; a value without `encoding=hex` is used as is.
 */
export function decodeUserToUser(raw: string): { value?: string; problem?: string } {
  const [rawData = "", ...params] = raw.split(";");
  const data = unquote(rawData.trim());
  const hexEncoded = params.some((param) => {
    const [name = "", value = ""] = param.split("=");
    return name.trim().toLowerCase() === "encoding" && value.trim().toLowerCase() === "hex";
  });
  let value = data;
  if (hexEncoded) {
    if (!HEX.test(data)) return { problem: "encoding=hex but the data is not whole hex octets" };
    try {
      value = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(data, "hex"));
    } catch {
      return { problem: "hex data is not UTF-8 text" };
    }
  }
  value = value.trim();
  if (!value) return { problem: "header is empty" };
  if (value.length > MAX_LINE_USER_ID_LENGTH) {
    return { problem: `longer than ${MAX_LINE_USER_ID_LENGTH} characters` };
  }
  if (CONTROL.test(value)) return { problem: "contains control characters" };
  return { value };
}

/** Finds and decodes the LINE user's ID among Twilio's form parameters. */
export function lineUserIdFrom(params: Params): LineUserIdResult {
  const byLowerName = new Map<string, string>();
  for (const name of Object.keys(params)) {
    const lower = name.toLowerCase();
    if (!byLowerName.has(lower)) byLowerName.set(lower, name);
  }
  let firstProblem: LineUserIdResult | undefined;
  for (const wanted of LINE_USER_ID_PARAMETERS) {
    const name = byLowerName.get(wanted.toLowerCase());
    const raw = name === undefined ? undefined : params[name];
    if (name === undefined || raw === undefined) continue;
    const { value, problem } = decodeUserToUser(firstValue(raw));
    if (value !== undefined) return { lineUserId: value, source: name };
    firstProblem ??= { source: name, problem: `${name}: ${problem}` };
  }
  return firstProblem ?? {};
}
