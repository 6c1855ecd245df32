/**
 * The shared webhook's customers (a platform stack's function, CUSTOMER_PARAMETER_PREFIX set):
 * the request's AccountSid names the customer, whose SSM parameter `<prefix>/<AccountSid>` holds
 * its subaccount's auth token and call settings (./customerParameter.ts). The handler validates
 * the signature with that token, so a request signed with customer A's token but claiming B's
 * AccountSid fails, and answers with that customer's settings only.
 *
 * Per warm instance, bounded (CUSTOMER_CACHE):
 *   - a customer's parameter is cached for `ttlMs`: a changed greeting or rotated token answers
 *     within that bound, with no redeploy (the read after it is made while the caller waits);
 *   - an AccountSid SSM has no parameter for is remembered as unknown for `ttlMs` too, in a map
 *     of at most `maxUnknown` entries (oldest dropped first);
 *   - SSM reads for accounts this instance has not yet found as customers draw on a token bucket
 *     (`lookups`), and a read that finds a customer gives its token back: a flood of made-up
 *     AccountSids, each new, costs at most `burst` reads and then `perSecond`, and the rest are
 *     refused (403) without a read, while real customers met for the first time (a fresh instance
 *     meeting hundreds) never empty it; customers found before are read again without drawing on
 *     it, so a flood cannot lock them out;
 *   - a parameter that exists but cannot be read (SSM failing, access denied) or is malformed gives
 *     that caller the apology and one error line naming the parameter, and is read again after the
 *     token's backoff (1 s doubling to 30 s), so a fix takes effect without a redeploy.
 */
import { ACCOUNT_SID } from "../model/twilio";
import { ssmRetryDelayMs } from "./authToken";
import {
  type CustomerParameter,
  customerParameterName,
  decodeCustomerParameter,
} from "./customerParameter";
import { type LogSink, writeLog } from "./log";
import { errorSummary, isParameterNotFound, type ReadSsmParameter } from "./ssm";

export const CUSTOMER_CACHE = {
  /** How long a customer's settings (or an account's absence) are served from memory. */
  ttlMs: 60_000,
  /** Customers kept per warm instance (least recently called dropped first). */
  maxCustomers: 2_000,
  /** Unknown or unreadable accounts remembered per warm instance (oldest dropped first). */
  maxUnknown: 10_000,
  /** SSM reads for accounts not yet found as customers: a bucket of `burst`, refilled per second. */
  lookups: { burst: 20, perSecond: 5 },
  /** At most one warning line per this long while lookups are being refused. */
  throttleReportMs: 60_000,
} as const;

export type CustomerLookup =
  | { kind: "customer"; customer: CustomerParameter; parameter: string }
  /** Refused with 403: nothing to check the signature with. */
  | { kind: "refused"; reason: "malformed-account-sid" | "unknown-account" | "lookup-throttled" }
  /** The caller hears the apology: the parameter exists (or may) but cannot be used now. */
  | { kind: "unavailable"; parameter: string };

export interface CustomerDirectory {
  lookup(accountSid: string | undefined): Promise<CustomerLookup>;
}

type NotCustomer =
  | { kind: "unknown"; until: number }
  | { kind: "unavailable"; until: number; failures: number; parameter: string };

/** A map that drops its oldest (least recently set) entry beyond `max`. */
function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}

export function customerDirectory(options: {
  prefix: string;
  read: ReadSsmParameter;
  sink: LogSink;
  now?: () => number;
}): CustomerDirectory {
  const { prefix, read, sink } = options;
  const now = options.now ?? Date.now;
  const customers = new Map<
    string,
    { customer: CustomerParameter; parameter: string; until: number }
  >();
  /**
   * Accounts found as customers once: their reads never draw on the bucket. Bounded by the
   * parameters under the prefix (only a parameter that decodes for its account gets in).
   */
  const everFound = new Set<string>();
  const notCustomers = new Map<string, NotCustomer>();
  const inFlight = new Map<string, Promise<CustomerLookup>>();
  const bucket: { tokens: number; at: number } = {
    tokens: CUSTOMER_CACHE.lookups.burst,
    at: now(),
  };
  const counts = { ssmReads: 0, refused: 0 };
  let lastReportAt: number | undefined;

  const takeLookup = (): boolean => {
    const t = now();
    const { burst, perSecond } = CUSTOMER_CACHE.lookups;
    bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * perSecond);
    bucket.at = t;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };

  const reportThrottled = () => {
    counts.refused += 1;
    const t = now();
    if (lastReportAt !== undefined && t - lastReportAt < CUSTOMER_CACHE.throttleReportMs) return;
    writeLog(sink, {
      level: "warn",
      msg: "account lookups throttled",
      refused: counts.refused,
      ssmReads: counts.ssmReads,
    });
    counts.refused = 0;
    lastReportAt = t;
  };

  const unavailable = (accountSid: string, parameter: string, problem: string): CustomerLookup => {
    const previous = notCustomers.get(accountSid);
    const failures = (previous?.kind === "unavailable" ? previous.failures : 0) + 1;
    const retryInMs = ssmRetryDelayMs(failures);
    customers.delete(accountSid);
    writeLog(sink, {
      level: "error",
      msg: "customer parameter unusable",
      parameter,
      problem,
      failures,
      retryInMs,
    });
    setBounded(
      notCustomers,
      accountSid,
      { kind: "unavailable", until: now() + retryInMs, failures, parameter },
      CUSTOMER_CACHE.maxUnknown,
    );
    return { kind: "unavailable", parameter };
  };

  /** `drewLookup`: this read took a token from the bucket, given back if it finds a customer. */
  const load = async (accountSid: string, drewLookup: boolean): Promise<CustomerLookup> => {
    const parameter = customerParameterName(prefix, accountSid);
    counts.ssmReads += 1;
    let text: string;
    try {
      const stored = await read(parameter);
      if (stored.type !== undefined && stored.type !== "SecureString") {
        return unavailable(accountSid, parameter, `is a ${stored.type}, not a SecureString`);
      }
      text = stored.value;
    } catch (error) {
      if (isParameterNotFound(error)) {
        customers.delete(accountSid);
        setBounded(
          notCustomers,
          accountSid,
          { kind: "unknown", until: now() + CUSTOMER_CACHE.ttlMs },
          CUSTOMER_CACHE.maxUnknown,
        );
        return { kind: "refused", reason: "unknown-account" };
      }
      return unavailable(accountSid, parameter, `could not be read (${errorSummary(error)})`);
    }
    const decoded = decodeCustomerParameter(text, accountSid);
    if ("problems" in decoded)
      return unavailable(accountSid, parameter, decoded.problems.join("; "));
    everFound.add(accountSid);
    if (drewLookup) {
      bucket.tokens = Math.min(CUSTOMER_CACHE.lookups.burst, bucket.tokens + 1);
    }
    notCustomers.delete(accountSid);
    const entry = { customer: decoded.customer, parameter, until: now() + CUSTOMER_CACHE.ttlMs };
    setBounded(customers, accountSid, entry, CUSTOMER_CACHE.maxCustomers);
    return { kind: "customer", customer: decoded.customer, parameter };
  };

  return {
    lookup: async (accountSid) => {
      if (accountSid === undefined || !ACCOUNT_SID.test(accountSid)) {
        return { kind: "refused", reason: "malformed-account-sid" };
      }
      const t = now();
      const cached = customers.get(accountSid);
      if (cached && t < cached.until) {
        setBounded(customers, accountSid, cached, CUSTOMER_CACHE.maxCustomers);
        return { kind: "customer", customer: cached.customer, parameter: cached.parameter };
      }
      const remembered = notCustomers.get(accountSid);
      if (remembered && t < remembered.until) {
        return remembered.kind === "unknown"
          ? { kind: "refused", reason: "unknown-account" }
          : { kind: "unavailable", parameter: remembered.parameter };
      }
      const pending = inFlight.get(accountSid);
      if (pending) return pending;
      const drewLookup = !everFound.has(accountSid);
      if (drewLookup && !takeLookup()) {
        reportThrottled();
        return { kind: "refused", reason: "lookup-throttled" };
      }
      const loading = load(accountSid, drewLookup).finally(() => inFlight.delete(accountSid));
      inFlight.set(accountSid, loading);
      return loading;
    },
  };
}
