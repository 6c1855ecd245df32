// Twilio failures as the providers report them: Twilio's code and message, what to do about it,
// and the original `.status`/`.code` kept so callers can still tell "gone" (404) from the rest.

/** What the Twilio SDK throws: a RestException (status, code, moreInfo) or a network error. */
export interface TwilioApiError extends Error {
  status?: number;
  code?: number | string;
  moreInfo?: string;
  /** From a 429's Retry-After header, when Twilio sent one. */
  retryAfterMs?: number;
}

/** The advice for Twilio error codes a LINE setup runs into. */
export const TWILIO_ERROR_ADVICE: Record<number, string> = {
  20003:
    "check twilio:accountSid and twilio:authToken (or twilio:apiKey + twilio:apiSecret): the credentials were refused",
  20404: "the object does not exist (deleted outside Pulumi?); run `pulumi refresh`",
  20429: "Twilio is rate limiting this account; retry later or lower `pulumi up --parallel`",
  21232:
    "SIP domain names are unique across all of Twilio; choose another domainName, or set adopt: true if this account already owns it",
  21236:
    "the IP access control list is still mapped to a SIP domain; delete the IpAccessControlListMapping first (Pulumi does this when the mapping depends on the list)",
  21237:
    "an IP access control list holds at most 100 IP addresses; merge neighbouring addresses into CIDR ranges",
};

/**
 * The providers' error: a plain Error carrying Twilio's `status`, `code` and `moreInfo`. Not a
 * subclass: when a provider is serialized by value (stacks last updated before providers loaded
 * from the installed module), Pulumi's closure serializer rewrites `super(message)` of a class
 * extending Error into a call that leaves `message` unset, and the host would report "undefined".
 */
export interface TwilioProviderError extends Error {
  status?: number;
  code?: number | string;
  moreInfo?: string;
}

export function twilioProviderError(
  message: string,
  cause: TwilioApiError | undefined,
): TwilioProviderError {
  const error: TwilioProviderError = new Error(message);
  error.name = "TwilioProviderError";
  if (cause?.status !== undefined) error.status = cause.status;
  if (cause?.code !== undefined) error.code = cause.code;
  if (cause?.moreInfo !== undefined) error.moreInfo = cause.moreInfo;
  return error;
}

export function isTwilioProviderError(error: unknown): boolean {
  return error instanceof Error && error.name === "TwilioProviderError";
}

/** Connection-level failures worth retrying (the request may or may not have reached Twilio). */
const RETRYABLE_NETWORK_CODES = [
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
];

export function isNotFound(error: unknown): boolean {
  const e = error as TwilioApiError | undefined;
  return e?.status === 404 || e?.code === 20404;
}

/**
 * The result of `work`, or undefined when Twilio says the object is gone (404, e.g. deleted outside
 * Pulumi): a `read` then reports it gone, a `delete` counts it as done.
 */
export async function unlessGone<T>(work: Promise<T>): Promise<T | undefined> {
  try {
    return await work;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export function isRetryableTwilioError(error: unknown): boolean {
  const e = error as TwilioApiError | undefined;
  if (!e) return false;
  if (typeof e.status === "number") return e.status === 429 || e.status >= 500;
  if (typeof e.code === "string") return RETRYABLE_NETWORK_CODES.includes(e.code);
  return /socket hang up|network|ECONNRESET/i.test(e.message ?? "");
}

/** Turns a Twilio or network failure of `what` into one message that says what to do. */
export function toProviderError(
  what: string,
  error: TwilioApiError | undefined,
): TwilioProviderError {
  if (isTwilioProviderError(error)) return error as TwilioProviderError;
  if (typeof error?.status === "number") {
    const code = typeof error.code === "number" ? error.code : undefined;
    const advice =
      (code !== undefined ? TWILIO_ERROR_ADVICE[code] : undefined) ??
      (error.status === 401 ? TWILIO_ERROR_ADVICE[20003] : undefined) ??
      (error.status >= 500 || error.status === 429
        ? "Twilio kept failing after retries; try again shortly (status.twilio.com)"
        : undefined);
    const parts = [
      `Twilio refused to ${what}: ${error.message || "no message"}`,
      `(Twilio error ${code ?? "unknown"}, HTTP ${error.status})`,
    ];
    if (advice) parts.push(`— ${advice}.`);
    if (error.moreInfo) parts.push(`See ${error.moreInfo}`);
    return twilioProviderError(parts.join(" "), error);
  }
  const reason = error?.code
    ? `${error.code}: ${error.message}`
    : (error?.message ?? String(error));
  return twilioProviderError(
    `Could not ${what}: Twilio could not be reached (${reason}) — check the network, or twilio:apiBaseUrl if set.`,
    error,
  );
}

/** What a failed call got, in a few words: Twilio's status and code, or no answer at all. */
function failureSummary(error: TwilioApiError | undefined): string {
  if (typeof error?.status === "number") {
    return `got HTTP ${error.status}${error.code !== undefined ? ` (Twilio error ${error.code})` : ""}`;
  }
  return `got no answer (${error?.code ?? error?.message ?? "connection lost"})`;
}

/**
 * A create that may have happened although Pulumi cannot tell: an attempt failed in a way that may
 * have reached Twilio, and looking for the object afterwards failed too. Says that the object may
 * exist, where, and that the next `pulumi up` takes it over (every create looks for its object
 * first). Keeps the create's own `.status`/`.code`.
 */
export function mayExistError(
  what: string,
  object: string,
  accountSid: string,
  writeError: TwilioApiError | undefined,
  lookUpError: TwilioApiError | undefined,
): TwilioProviderError {
  return twilioProviderError(
    `Could not ${what}, nor tell whether Twilio did it: the last attempt ${failureSummary(writeError)}, ` +
      `then looking for it ${failureSummary(lookUpError)}. ` +
      `The ${object} may exist in Twilio account ${accountSid} without being in the Pulumi state: ` +
      "the next `pulumi up` looks for it first and takes it over instead of creating another. " +
      "Run it once Twilio answers again (status.twilio.com; if it could not be reached at all, " +
      "check the network, or twilio:apiBaseUrl if set).",
    writeError,
  );
}
