// A customer's subaccount as its parent reads it: `GET /2010-04-01/Accounts/{Sid}.json` with the
// parent's credentials, which Twilio answers with the subaccount's auth token. Twilio signs the
// webhook requests of a subaccount's calls with that token, so it is what the webhook checks and
// the smoke test signs with; reading it on every run means nobody copies it and a rotated token is
// picked up by the next run. One home for the read and its checks: the program
// (stack/subaccount.ts), the smoke test resource and scripts/smoke-test.ts all call it.
import { projectKey } from "../model/project";
import { TWILIO_SETTINGS } from "../model/twilio";
import { isRetryableTwilioError, type TwilioApiError, toProviderError } from "./errors";
import { MAX_ATTEMPTS, retryDelayMs, type TwilioSettings, twilioRestClient } from "./twilioClient";

export interface Subaccount {
  sid: string;
  /** The parent: the account whose credentials read it. */
  ownerAccountSid: string;
  friendlyName: string;
  /** The subaccount's auth token. A secret: never log it or put it in plain state. */
  authToken: string;
}

export interface ReadSubaccountOptions {
  /** Where the subaccount SID was set, named in messages, e.g. `line-call:subaccountSid`. */
  subaccountKey: string;
}

const PARENT_KEY = TWILIO_SETTINGS.accountSid.config;
/** The stack setting that names a customer's subaccount (stack/config/twilio.ts reads it). */
export const SUBACCOUNT_KEY = projectKey("subaccountSid");

/**
 * Reads subaccount `subaccountSid` with the parent credentials of `settings` and checks that it
 * is an active child of `settings.accountSid`. Throws one message naming both SIDs and the fix
 * otherwise (before anything is created: callers run it first).
 */
export async function readSubaccount(
  settings: TwilioSettings,
  subaccountSid: string,
  options: ReadSubaccountOptions,
): Promise<Subaccount> {
  const parent = settings.accountSid;
  const { subaccountKey } = options;
  const notChild = `${subaccountKey} ${subaccountSid} is not a subaccount of ${PARENT_KEY} ${parent}`;
  const fix =
    `set ${subaccountKey} to one of ${parent}'s subaccounts (Twilio console → Admin → Subaccounts), ` +
    `or ${PARENT_KEY} and its credentials to ${subaccountSid}'s parent account`;
  let account: Record<string, unknown>;
  try {
    account = await withRetries(() =>
      twilioRestClient(settings).api.v2010.accounts(subaccountSid).fetch(),
    );
  } catch (error) {
    const e = error as TwilioApiError;
    if (e.status === 404 || e.code === 20404) {
      throw new Error(
        `${notChild}: asked with ${parent}'s credentials, Twilio answers that there is no such account (HTTP 404, error 20404). Nothing was created; ${fix}.`,
      );
    }
    throw toProviderError(
      `read subaccount ${subaccountSid} (${subaccountKey}) with the credentials of ${PARENT_KEY} ${parent}`,
      e,
    );
  }
  const owner = String(account.ownerAccountSid ?? "");
  if (owner !== parent || account.sid !== subaccountSid) {
    throw new Error(
      `${notChild}: its parent is ${owner || "not given"}. Nothing was created; ${fix}.`,
    );
  }
  if (account.status !== "active") {
    throw new Error(
      `Subaccount ${subaccountSid} (${subaccountKey}) of ${parent} is ${String(account.status)}: Twilio does not serve its calls. Reactivate it in the Twilio console (Admin → Subaccounts), or set ${subaccountKey} to an active one. Nothing was created.`,
    );
  }
  const authToken = account.authToken;
  if (typeof authToken !== "string" || authToken === "") {
    throw new Error(
      `Twilio did not give ${PARENT_KEY} ${parent}'s credentials the auth token of subaccount ${subaccountSid} (${subaccountKey}), which its calls are signed with: sign in with the parent's auth token (twilio:authToken) or a main API key of the parent. Nothing was created.`,
    );
  }
  return {
    sid: subaccountSid,
    ownerAccountSid: owner,
    friendlyName: String(account.friendlyName ?? ""),
    authToken,
  };
}

/** Retries a read on 429s, 5xx and dropped connections, as every provider call is retried. */
async function withRetries<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!isRetryableTwilioError(error) || attempt >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt - 1, error)));
    }
  }
}
