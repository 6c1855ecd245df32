// The Twilio account and credentials, read the way the providers resolve them (stack config
// first, then the Twilio SDK's environment variables): which account owns the domain, how the
// providers sign in, the auth token the webhook checks signatures with, and the subaccount the
// resources live in when the credentials are its parent's.
import {
  ACCOUNT_SID,
  API_KEY_SID,
  AUTH_TOKEN,
  accountSidProblem,
  TWILIO_SETTINGS as KEYS,
  PLACEHOLDER_ACCOUNT_SID,
  setSecretCommand,
} from "../../model/twilio";
import type { ConfigReader } from "./reader";

export interface TwilioCredentials {
  /** True when a Twilio auth token is available (config or environment) for the webhook. */
  hasAuthToken: boolean;
  /**
   * The customer's subaccount (`line-call:subaccountSid`): every Twilio resource lives in it, and
   * the twilio:* credentials are its parent's. Undefined: the credentials' own account.
   */
  subaccountSid?: string;
}

/**
 * `line-call:subaccountSid`: empty (unset) or an account SID other than twilio:accountSid. Whether
 * it really is a child of that account only Twilio can say (stack/subaccount.ts asks on each run).
 */
function readSubaccountSid(r: ConfigReader): string | undefined {
  const key = r.key("subaccountSid");
  const value = r.text("subaccountSid").trim();
  if (value === "") return undefined;
  if (value === PLACEHOLDER_ACCOUNT_SID || !ACCOUNT_SID.test(value)) {
    r.problem(
      `${key} ${JSON.stringify(value)} must be the customer's subaccount SID: AC followed by 32 hex ` +
        "digits (Twilio console → Admin → Subaccounts); " +
        `leave it unset to keep the resources in ${KEYS.accountSid.config}'s own account`,
    );
    return undefined;
  }
  if (value === r.twilio("accountSid")) {
    r.problem(
      `${key} is the same account as ${KEYS.accountSid.config} (${value}): with a subaccount, ` +
        `${KEYS.accountSid.config} and its credentials are the parent account's; set them to the ` +
        `parent, or remove ${key} to keep the resources in ${value} itself`,
    );
    return undefined;
  }
  return value;
}

/** Secrets must be stored encrypted: `pulumi config set --secret`. */
function checkSecretsEncrypted(r: ConfigReader): void {
  for (const name of ["authToken", "apiSecret"] as const) {
    const configKey = KEYS[name].config;
    if (r.source.values[configKey] !== undefined && !r.source.secretKeys.has(configKey)) {
      r.problem(
        `${configKey} is stored in plaintext in Pulumi.${r.source.stack}.yaml: remove it and set it again with ` +
          setSecretCommand(name),
      );
    }
  }
}

function checkAccountSid(r: ConfigReader): void {
  const accountSid = r.twilio("accountSid");
  if (!accountSid) {
    r.problem(
      `${KEYS.accountSid.config} is not set: pulumi config set ${KEYS.accountSid.config} AC… ` +
        `(the account or subaccount that owns the SIP domain; or set ${KEYS.accountSid.env})`,
    );
    return;
  }
  const problem = accountSidProblem(accountSid);
  if (problem) r.problem(`${KEYS.accountSid.config} ${problem}`);
}

/**
 * @param hostsWebhook the webhook this stack deploys checks signatures with the auth token, so
 *   it must be set even when the providers sign in with an API key (unless the resources live in
 *   a subaccount, whose token is read from Twilio).
 */
export function readTwilioCredentials(r: ConfigReader, hostsWebhook: boolean): TwilioCredentials {
  checkSecretsEncrypted(r);
  checkAccountSid(r);
  const subaccountSid = readSubaccountSid(r);
  // A subaccount's webhook checks signatures with the subaccount's own token, which the program
  // reads from Twilio with the parent's credentials (an API key does): twilio:authToken is then
  // only one way to sign in.
  const webhookNeedsToken = hostsWebhook && subaccountSid === undefined;
  const authToken = r.twilio("authToken");
  const apiKey = r.twilio("apiKey");
  const apiSecret = r.twilio("apiSecret");
  if (apiKey !== undefined && !API_KEY_SID.test(apiKey)) {
    r.problem(`${KEYS.apiKey.config} must be an API key SID: SK followed by 32 hex digits`);
  }
  if ((apiKey === undefined) !== (apiSecret === undefined)) {
    r.problem(
      apiKey === undefined
        ? `${KEYS.apiKey.config} is not set but ${KEYS.apiSecret.config} is: set both, or neither`
        : `${KEYS.apiSecret.config} is not set but ${KEYS.apiKey.config} is: ` +
            setSecretCommand("apiSecret"),
    );
  }
  if (authToken === undefined && webhookNeedsToken) {
    r.problem(
      `${KEYS.authToken.config} is not set: the webhook checks every request's signature with ` +
        `it. Run ${setSecretCommand("authToken")}, or set ${KEYS.authToken.env}`,
    );
  } else if (authToken === undefined && apiKey === undefined) {
    r.problem(
      `Twilio credentials are not set: ${setSecretCommand("authToken")}, ` +
        `or set ${KEYS.apiKey.config} and ${KEYS.apiSecret.config}`,
    );
  } else if (authToken !== undefined && !AUTH_TOKEN.test(authToken)) {
    r.problem(
      `${KEYS.authToken.config} is not a Twilio auth token (32 hex digits): copy it again ` +
        `from the Twilio console (Account info) and set it with ${setSecretCommand("authToken")}`,
    );
  }
  const apiBaseUrl = r.twilio("apiBaseUrl");
  if (apiBaseUrl !== undefined && !/^https?:\/\/[^/\s]+/.test(apiBaseUrl)) {
    r.problem(
      `${KEYS.apiBaseUrl.config} must be an absolute http(s) URL such as http://127.0.0.1:4010 ` +
        "(leave it unset for the real Twilio API)",
    );
  }
  return { hasAuthToken: authToken !== undefined, ...(subaccountSid ? { subaccountSid } : {}) };
}
