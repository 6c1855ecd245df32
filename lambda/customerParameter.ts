// What one customer's SSM parameter carries in the shared webhook (a platform stack's Lambda):
// its subaccount's auth token and its call settings, as one versioned JSON text. The customer
// stack writes it with `encodeCustomerParameter` and the webhook reads it with
// `decodeCustomerParameter`, both here; the settings travel in their environment form and are
// judged by the one call-settings contract (model/callSettings.ts), so a parameter carries exactly
// what a single stack's function environment carries, and a setting added to the contract later
// (business hours…) travels the same way without touching this file.
import {
  CALL_SETTINGS,
  type CallSettingName,
  type CallSettings,
  callSettingsEnvironment,
  largestSettings,
  parseCallSettings,
} from "../model/callSettings";
import { ACCOUNT_SID, AUTH_TOKEN } from "../model/twilio";

/** The format this webhook writes and understands; a parameter of another format is refused. */
export const CUSTOMER_PARAMETER_FORMAT = 1;

/** SSM's standard tier holds values up to 4 KB (4,096 bytes of UTF-8); advanced tier costs extra. */
export const SSM_STANDARD_VALUE_MAX_BYTES = 4096;

/** What a customer parameter holds once judged valid. */
export interface CustomerParameter {
  /** The subaccount the calls belong to (the parameter's name ends in it). */
  accountSid: string;
  /** The subaccount's auth token: Twilio signs the subaccount's webhook requests with it. */
  authToken: string;
  call: CallSettings;
}

/** The JSON text, field by field (the environment form of the call settings under `settings`). */
interface CustomerParameterText {
  format: number;
  accountSid: string;
  authToken: string;
  settings: Record<string, string>;
}

/** `<prefix>/<AccountSid>`: where the customer with this subaccount keeps its parameter. */
export function customerParameterName(prefix: string, accountSid: string): string {
  return `${prefix}/${accountSid}`;
}

/**
 * An SSM path prefix the platform may own: starts with "/", no trailing "/", SSM's name
 * characters only. Returns the problem, or undefined.
 */
export function customerParameterPrefixProblem(prefix: string): string | undefined {
  if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(prefix)) {
    return `"${prefix}" is not an SSM path prefix such as /line-call/platform/customers (a leading "/", segments of letters, digits, "_", ".", "-", no trailing "/")`;
  }
  return undefined;
}

export function encodeCustomerParameter(customer: CustomerParameter): string {
  const text: CustomerParameterText = {
    format: CUSTOMER_PARAMETER_FORMAT,
    accountSid: customer.accountSid,
    authToken: customer.authToken,
    settings: callSettingsEnvironment(customer.call),
  };
  return JSON.stringify(text);
}

/**
 * The problem with a customer parameter that would not fit SSM's standard tier, judged before
 * anything is created (the token is not known then: every auth token is 32 characters).
 */
export function customerParameterSizeProblem(
  accountSid: string,
  call: CallSettings,
  label: (name: CallSettingName) => string,
): string | undefined {
  const text = encodeCustomerParameter({ accountSid, authToken: "0".repeat(32), call });
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes <= SSM_STANDARD_VALUE_MAX_BYTES) return undefined;
  const largest = largestSettings(callSettingsEnvironment(call), label);
  return (
    `the customer's settings take ${bytes.toLocaleString("en-US")} bytes as its SSM parameter ` +
    `(UTF-8; a Japanese character is 3 bytes), and SSM's standard tier holds ` +
    `${SSM_STANDARD_VALUE_MAX_BYTES.toLocaleString("en-US")}: shorten the spoken texts ` +
    `(${largest}) by ${(bytes - SSM_STANDARD_VALUE_MAX_BYTES).toLocaleString("en-US")} bytes`
  );
}

export type DecodedCustomerParameter =
  | { customer: CustomerParameter }
  /** Each problem names the field and the fix; never a value (the token is among them). */
  | { problems: string[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Judges a parameter's text for the customer `accountSid`. Never throws. A parameter written
 * for another account (copied under the wrong name) is refused, so one customer's settings can
 * never answer another's calls.
 */
export function decodeCustomerParameter(
  text: string,
  accountSid: string,
): DecodedCustomerParameter {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problems: ["is not JSON"] };
  }
  if (!isRecord(parsed)) return { problems: ["is not a JSON object"] };
  if (parsed.format !== CUSTOMER_PARAMETER_FORMAT) {
    return {
      problems: [`format is not ${CUSTOMER_PARAMETER_FORMAT}: update the platform stack`],
    };
  }
  const problems: string[] = [];
  if (typeof parsed.accountSid !== "string" || !ACCOUNT_SID.test(parsed.accountSid)) {
    problems.push("accountSid is not an account SID");
  } else if (parsed.accountSid !== accountSid) {
    problems.push(`accountSid ${parsed.accountSid} is not the one in its name`);
  }
  if (typeof parsed.authToken !== "string" || !AUTH_TOKEN.test(parsed.authToken)) {
    problems.push("authToken is not an auth token");
  }
  const settings = parsed.settings;
  if (!isRecord(settings) || Object.values(settings).some((v) => typeof v !== "string")) {
    problems.push("settings is not an object of texts");
    return { problems };
  }
  const known = new Set<string>(Object.values(CALL_SETTINGS).map((spec) => spec.env));
  const unknown = Object.keys(settings).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    // A newer customer stack wrote a setting this webhook cannot honour (business hours …):
    // answering without it would be wrong, so the caller hears the apology until the platform
    // is updated.
    problems.push(`settings ${unknown} unknown to this webhook: update the platform stack`);
  }
  const call = parseCallSettings({
    raw: (name) => settings[CALL_SETTINGS[name].env] as string | undefined,
    label: (name) => `settings.${CALL_SETTINGS[name].env}`,
  });
  problems.push(...call.problems);
  if (problems.length > 0 || !call.settings) return { problems };
  return {
    customer: {
      accountSid,
      authToken: parsed.authToken as string,
      call: call.settings,
    },
  };
}
