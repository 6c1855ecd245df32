// The Twilio client shared by the four providers: credentials from stack config (through the
// dynamic provider's `configure`), a per-host-process cap on concurrent Twilio calls, and retries
// with capped backoff.
//
// Everything a provider method touches here is reached through a global slot of the provider
// host process, never through module-level variables. Resources load their providers by reference
// from the installed module (installed.ts), where a module variable would merely be shared; but a
// provider serialized by value (a stack last updated before that, the bench's by-value form) takes
// its module state into the stack state, where a credential would be written out and a client
// cache or semaphore copied per resource. A global slot is right for both.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
  accountSidProblem,
  resolveTwilioSetting,
  setSecretCommand,
  TWILIO_SETTINGS,
  type TwilioSetting,
} from "../model/twilio";
import {
  isRetryableTwilioError,
  mayExistError,
  type TwilioApiError,
  toProviderError,
} from "./errors";
import type { FieldSpec, Props } from "./inputs";

/**
 * At most this many Twilio REST calls are in flight at once from one provider host process
 * (one `pulumi up`/`preview`, all four resource types together). Twilio's default account limit
 * on concurrent REST requests is 100; 50 leaves headroom for anything else using the account while
 * still letting the 50-odd IP entries of a LINE list be created side by side.
 */
export const MAX_CONCURRENT_TWILIO_CALLS = 50;
/** Attempts per call, including the first, for 429s, 5xx and dropped connections. */
export const MAX_ATTEMPTS = 6;
export const RETRY_BASE_DELAY_MS = 200;
export const RETRY_MAX_DELAY_MS = 5_000;

export interface TwilioSettings {
  /** The account (or subaccount) that owns the resources. */
  accountSid: string;
  /** Basic-auth user: the account SID, or an API key SID (SK…). */
  username: string;
  password: string;
  /** Where REST calls go instead of https://api.twilio.com (the stand-in, local trials). */
  apiBaseUrl?: string;
}

/** One Twilio setting's value, resolved by `resolveTwilioSetting`; undefined when not set. */
type SettingValue = (name: TwilioSetting) => string | undefined;

/**
 * Resolves the credentials from stack config and the environment. Throws one clear line naming
 * the key to set when something is missing.
 */
export function resolveTwilioSettings(value: SettingValue): TwilioSettings {
  const setWith = (name: TwilioSetting, secret = false) =>
    `set ${TWILIO_SETTINGS[name].config} (${secret ? setSecretCommand(name) : `pulumi config set ${TWILIO_SETTINGS[name].config} …`}) or ${TWILIO_SETTINGS[name].env}`;
  const accountSid = value("accountSid");
  const authToken = value("authToken");
  const apiKey = value("apiKey");
  const apiSecret = value("apiSecret");
  const apiBaseUrl = value("apiBaseUrl");
  if (!accountSid) {
    throw new Error(
      `Twilio account SID missing: ${setWith("accountSid")} to the account (AC…) that owns the SIP domain`,
    );
  }
  const sidProblem = accountSidProblem(accountSid);
  if (sidProblem) throw new Error(`${TWILIO_SETTINGS.accountSid.config} ${sidProblem}`);
  if (apiBaseUrl !== undefined && !/^https?:\/\/[^/]+/.test(apiBaseUrl)) {
    throw new Error(
      `${TWILIO_SETTINGS.apiBaseUrl.config} must be an absolute http(s) URL, e.g. http://127.0.0.1:4010`,
    );
  }
  const base = {
    accountSid,
    ...(apiBaseUrl ? { apiBaseUrl: apiBaseUrl.replace(/\/+$/, "") } : {}),
  };
  if (apiKey || apiSecret) {
    if (!apiKey)
      throw new Error(
        `Twilio API key missing: ${setWith("apiKey")} (SK…) to go with the API secret`,
      );
    if (!apiSecret) throw new Error(`Twilio API secret missing: ${setWith("apiSecret", true)}`);
    return { ...base, username: apiKey, password: apiSecret };
  }
  if (!authToken) {
    throw new Error(
      `Twilio credentials missing: ${setWith("authToken", true)}, or set ${TWILIO_SETTINGS.apiKey.config} and ${TWILIO_SETTINGS.apiSecret.config}`,
    );
  }
  return { ...base, username: accountSid, password: authToken };
}

/** What the provider host process keeps between calls (lives on globalThis, see top of file). */
interface HostState {
  config?: dynamic.ConfigureRequest["config"];
  settings?: TwilioSettings;
  client?: unknown;
  inFlight: number;
  waiting: Array<() => void>;
  /** Read-only calls in flight, by what they read, for callers that may share one (`sharedRead`). */
  reads?: Map<string, Promise<unknown>>;
  /** SIDs of the objects this host process itself created (`noteCreatedHere`). */
  createdHere?: Set<string>;
}

const HOST_STATE_KEY = "__lineCallTwilioHostState";

function hostState(): HostState {
  const slots = globalThis as unknown as Record<string, HostState | undefined>;
  let state = slots[HOST_STATE_KEY];
  if (!state) {
    state = { inFlight: 0, waiting: [] };
    slots[HOST_STATE_KEY] = state;
  }
  return state;
}

/**
 * The providers' `configure`: remembers the stack config for this host process. Credentials are
 * resolved on first use, so `check` and `diff` (which never call Twilio) work without them.
 */
export async function configureTwilio(req: dynamic.ConfigureRequest): Promise<void> {
  const state = hostState();
  state.config = req.config;
  state.settings = undefined;
  state.client = undefined;
}

/** A setting from the stack config `configure` received, else the environment (`resolveTwilioSetting`). */
function configuredValue(name: TwilioSetting): string | undefined {
  return resolveTwilioSetting(name, (key) => hostState().config?.get(key), process.env);
}

export function twilioSettings(): TwilioSettings {
  const state = hostState();
  if (!state.settings) state.settings = resolveTwilioSettings(configuredValue);
  return state.settings;
}

/**
 * The account of the credentials (twilio:accountSid), or undefined when it is not set: what an
 * unset `accountSid` of a resource means. Never throws, so `diff` works without credentials.
 */
export function credentialsAccountSid(): string | undefined {
  return configuredValue("accountSid");
}

/**
 * Every resource's `accountSid`: the account whose path the object lives under
 * (`/Accounts/{AccountSid}/SIP/…`). Unset, the credentials' own account, as before the field
 * existed, so a stack made then has no diff; a parent's credentials may name a subaccount. Moving
 * an object to another account replaces it. Read, update and delete use the account the state
 * records (Twilio's `account_sid` of the object), so they reach it wherever it was created.
 */
export const ACCOUNT_SID_FIELD = {
  kind: "sid",
  sidPrefix: "AC",
  replaces: true,
  inPath: true,
  whenUnset: credentialsAccountSid,
} as const satisfies FieldSpec;

/**
 * The account of a resource's inputs or stored state (`accountSid`), or undefined for the
 * credentials' own account.
 */
export function accountOf(props: Props): string | undefined {
  const sid = props.accountSid;
  return typeof sid === "string" && sid !== "" ? sid : undefined;
}

/**
 * The account's auth token, which Twilio signs webhook requests with (API key credentials cannot
 * sign them). Throws naming the key when it is not set.
 */
export function twilioAuthToken(): string {
  const token = configuredValue("authToken");
  if (!token) {
    throw new Error(
      `Twilio auth token missing: set ${TWILIO_SETTINGS.authToken.config} (${setSecretCommand("authToken")}) or ${TWILIO_SETTINGS.authToken.env}; webhook requests are signed with it`,
    );
  }
  return token;
}

/** The slice of the Twilio SDK the providers use: the v2010 account's SIP resources. */
// biome-ignore lint/suspicious/noExplicitAny: the SDK's generated types are reached through require()
export type TwilioSip = any;

/** An account's `sip` resources (the credentials' own unless given), from one client per host process. */
export function sipApi(accountSid?: string): TwilioSip {
  const state = hostState();
  const settings = twilioSettings();
  state.client ??= twilioRestClient(settings);
  // biome-ignore lint/suspicious/noExplicitAny: see TwilioSip
  return (state.client as any).api.v2010.accounts(accountSid ?? settings.accountSid).sip;
}

/** A Twilio SDK client signed in with `settings`, its REST calls sent to `apiBaseUrl` when set. */
// biome-ignore lint/suspicious/noExplicitAny: see TwilioSip
export function twilioRestClient(settings: TwilioSettings): any {
  // Required on use, the dynamic-provider rule: a provider serialized by value must not capture
  // the SDK (see the top of this file).
  const twilio = require("twilio");
  const client = twilio(settings.username, settings.password, {
    accountSid: settings.accountSid,
    httpClient: retryAfterAwareHttpClient(),
  });
  if (settings.apiBaseUrl) client.api.baseUrl = settings.apiBaseUrl;
  return client;
}

/**
 * The SDK's own HTTP client (keep-alive: a busy `pulumi up` opens many calls at once), except that
 * a 429 is thrown here with Twilio's `Retry-After` attached, which the SDK's error would drop.
 */
function retryAfterAwareHttpClient() {
  const RequestClient = require("twilio/lib/base/RequestClient");
  const RestException = require("twilio/lib/base/RestException").default;
  const inner = new RequestClient({ keepAlive: true });
  return {
    async request(opts: unknown) {
      const response = await inner.request(opts);
      if (response.statusCode === 429) {
        const error = new RestException(response);
        const seconds = Number(response.headers?.["retry-after"]);
        if (Number.isFinite(seconds) && seconds > 0) error.retryAfterMs = seconds * 1000;
        throw error;
      }
      return response;
    },
  };
}

/** Runs fn once a slot under MAX_CONCURRENT_TWILIO_CALLS is free. */
export async function withCallSlot<T>(fn: () => Promise<T>): Promise<T> {
  const state = hostState();
  if (state.inFlight >= MAX_CONCURRENT_TWILIO_CALLS) {
    await new Promise<void>((resolve) => state.waiting.push(resolve));
  } else {
    state.inFlight++;
  }
  try {
    return await fn();
  } finally {
    const next = state.waiting.shift();
    // The slot passes straight to the next waiter, so inFlight only drops when nobody waits.
    if (next) next();
    else state.inFlight--;
  }
}

/** Twilio's Retry-After is honoured up to this long per wait. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** The wait before retry number attempt+1: capped exponential backoff, or Twilio's Retry-After. */
export function retryDelayMs(attempt: number, error?: unknown): number {
  const capped = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** attempt);
  // Jitter keeps a burst of resources that all hit a 429 from retrying in lockstep.
  const backoff = capped / 2 + Math.random() * (capped / 2);
  const retryAfter = (error as TwilioApiError | undefined)?.retryAfterMs;
  return retryAfter ? Math.min(MAX_RETRY_AFTER_MS, Math.max(backoff, retryAfter)) : backoff;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How a create finds what it may have made: for a call that is not idempotent. */
export interface ExistingObject<T> {
  /** The object the call creates, and where, e.g. `IP address 203.0.113.10/32 in AL…`. */
  object: string;
  /** Finds it by its natural key; undefined when Twilio does not hold it. */
  lookUp: (sip: TwilioSip) => Promise<T | undefined>;
}

export interface CallOptions<T> {
  /**
   * For creates: after every failure that may have happened on Twilio's side (a dropped connection
   * or a 5xx), the last attempt's included, the object is looked up, as persistently as the create
   * itself, before anything else. When it is found, that is the result and nothing is created
   * twice; when the look-up itself keeps failing, the call fails saying the object may exist.
   */
  findExisting?: ExistingObject<T>;
  /** The account whose path the call goes under; the credentials' own when undefined. */
  accountSid?: string;
}

/**
 * One Twilio operation: runs under the concurrency cap, retries 429/5xx/dropped connections with
 * capped exponential backoff, and turns the final failure into an error that says what to do.
 * `what` names the operation for messages, e.g. `create IP address 203.0.113.10/32`.
 */
export async function twilioCall<T>(
  what: string,
  call: (sip: TwilioSip) => Promise<T>,
  options: CallOptions<T> = {},
): Promise<T> {
  const sip = sipApi(options.accountSid);
  const existing = options.findExisting;
  let lastError: unknown;
  for (let attempt = 1; ; attempt++) {
    try {
      return await withCallSlot(() => call(sip));
    } catch (error) {
      lastError = error;
    }
    const retryable = isRetryableTwilioError(lastError);
    const retry = retryable && attempt < MAX_ATTEMPTS;
    // The last attempt too may have done the work (a lost response): its look-up is what lets a
    // create that did happen be returned and recorded rather than left untracked.
    const lookAgain = existing !== undefined && retryable && mayHaveReachedTwilio(lastError);
    if (!retry && !lookAgain) break;
    await sleep(retryDelayMs(attempt - 1, lastError));
    if (existing && lookAgain) {
      const found = await lookUpAfterPossibleWrite(what, existing, lastError, options.accountSid);
      if (found !== undefined) return found;
    }
    if (!retry) break;
  }
  throw toProviderError(what, lastError as TwilioApiError);
}

/**
 * The look-up after an attempt that may have reached Twilio: a Twilio call of its own (retried,
 * under the cap). Failing, it never reads as "not found": the object may well exist, so the
 * create fails saying so, and that the next `pulumi up` (whose create looks first) takes it over.
 */
async function lookUpAfterPossibleWrite<T>(
  what: string,
  existing: ExistingObject<T>,
  writeError: unknown,
  accountSid: string | undefined,
): Promise<T | undefined> {
  try {
    return await twilioCall(
      `look up ${existing.object} (to tell whether ${what} happened)`,
      existing.lookUp,
      { accountSid },
    );
  } catch (lookUpError) {
    throw mayExistError(
      what,
      existing.object,
      accountSid ?? twilioSettings().accountSid,
      writeError as TwilioApiError,
      lookUpError as TwilioApiError,
    );
  }
}

/**
 * Runs a read-only call, or joins the same read already in flight in this host process: the IP
 * entries of one list, created side by side, all look their list up before creating, and one
 * listing answers them all (one Twilio call instead of fifty, each returning up to the whole
 * list). Only a read *in flight* is joined, never a finished one, so what it returns is never
 * older than the moment the caller asked.
 */
export function sharedRead<T>(key: string, read: () => Promise<T>): Promise<T> {
  const state = hostState();
  state.reads ??= new Map();
  const reads = state.reads;
  const inFlight = reads.get(key);
  if (inFlight) return inFlight as Promise<T>;
  const started = read().finally(() => reads.delete(key));
  reads.set(key, started);
  return started;
}

/**
 * Records that this host process created an object itself, answered by Twilio: a list created
 * so started empty, and only this process's creates (which look again after any attempt that may
 * have reached Twilio) can have added to it since. Lost with the process, so after a crash the
 * next run looks everything up again.
 */
export function noteCreatedHere(sid: string): void {
  const state = hostState();
  state.createdHere ??= new Set();
  state.createdHere.add(sid);
}

export function createdHere(sid: string): boolean {
  return hostState().createdHere?.has(sid) ?? false;
}

/**
 * Forgets that this process created the object: a create into it failed, so it may now hold
 * something no confirmed create put there, and later creates into it must look first again.
 */
export function forgetCreatedHere(sid: string): void {
  hostState().createdHere?.delete(sid);
}

export interface CreateSteps<T> {
  /** Finds the object by its natural key (e.g. an IP entry's address and prefix in its list). */
  lookUp: (sip: TwilioSip) => Promise<T | undefined>;
  /**
   * The same look-up for the first look before creating, allowed to share a read in flight with
   * other creates (`sharedRead`). Never used after a failed attempt: a read that started before
   * that attempt could miss what it left behind.
   */
  firstLookUp?: (sip: TwilioSip) => Promise<T | undefined>;
  create: (sip: TwilioSip) => Promise<T>;
  /**
   * Turns an object the look-up found before creating into the result (updating it to the
   * declared settings if need be), or throws when it must not be taken over.
   */
  adopt: (found: T) => Promise<T>;
}

/**
 * A create that never leaves an object Twilio has and Pulumi does not track. It looks first: an
 * object found then is one a failed or interrupted create left behind (Twilio wrote it, Pulumi
 * never heard back; `pulumi refresh --clear-pending-creates` forgets it), so it is adopted rather
 * than duplicated. The create itself looks again between retries and after its last failed
 * attempt, whenever the failure may have reached Twilio. `what` names the object, e.g.
 * `IP address 203.0.113.10/32 in AL…`.
 */
export async function createOrAdopt<T>(
  what: string,
  steps: CreateSteps<T>,
  accountSid?: string,
): Promise<T> {
  const found = await twilioCall(
    `look up ${what} before creating it`,
    steps.firstLookUp ?? steps.lookUp,
    { accountSid },
  );
  if (found !== undefined) return steps.adopt(found);
  return twilioCall(`create ${what}`, steps.create, {
    findExisting: { object: what, lookUp: steps.lookUp },
    accountSid,
  });
}

/** A 429 is refused before anything happens; a 5xx or a dropped connection may have done the work. */
function mayHaveReachedTwilio(error: unknown): boolean {
  return (error as TwilioApiError | undefined)?.status !== 429;
}
