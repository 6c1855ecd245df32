// Twilio's own rules that more than one layer applies: SID shapes, name limits, the SIP domain-name
// rule and the one table of the Twilio settings (stack config key and environment variable). The
// program's config check, the providers' `check`, the policy pack and the stand-in all read them
// from here, so they cannot disagree about what Twilio accepts.

/** A Twilio SID: two letters naming the kind, then 32 hex digits. */
export function sidPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}[0-9a-fA-F]{32}$`);
}

export const ACCOUNT_SID = sidPattern("AC");
export const API_KEY_SID = sidPattern("SK");
/** An account's auth token: 32 hex digits. */
export const AUTH_TOKEN = /^[0-9a-fA-F]{32}$/;

/** The placeholder the example stack files carry until an operator puts the real SID in. */
export const PLACEHOLDER_ACCOUNT_SID = `AC${"0".repeat(32)}`;

/**
 * The problem with an account SID, or undefined when it has the right shape. The subject (the
 * key that holds it) is the caller's to add.
 */
export function accountSidProblem(value: string): string | undefined {
  if (value === PLACEHOLDER_ACCOUNT_SID) {
    return (
      "is still the placeholder AC000…: put in the SID of the account or subaccount that owns " +
      "the SIP domain (Twilio console → Account info)"
    );
  }
  if (!ACCOUNT_SID.test(value)) {
    return (
      "must be an account SID: AC followed by 32 hex digits (Twilio console → Account info); " +
      `an API key SID (SK…) goes in ${TWILIO_SETTINGS.apiKey.config}`
    );
  }
  return undefined;
}

/**
 * The Twilio settings: where each is read from (stack config first, then the environment variable
 * the Twilio SDK itself uses). The secret ones are set with `pulumi config set --secret`.
 */
export const TWILIO_SETTINGS = {
  accountSid: { config: "twilio:accountSid", env: "TWILIO_ACCOUNT_SID" },
  authToken: { config: "twilio:authToken", env: "TWILIO_AUTH_TOKEN" },
  apiKey: { config: "twilio:apiKey", env: "TWILIO_API_KEY" },
  apiSecret: { config: "twilio:apiSecret", env: "TWILIO_API_SECRET" },
  apiBaseUrl: { config: "twilio:apiBaseUrl", env: "TWILIO_API_BASE_URL" },
} as const;

export type TwilioSetting = keyof typeof TWILIO_SETTINGS;

/**
 * A Twilio setting as every reader resolves it (the config check, the providers, the smoke test):
 * the stack config's value unless it is blank, else the environment variable's unless that is
 * blank, else not set. So `twilio:accountSid: ""` in a stack file defers to TWILIO_ACCOUNT_SID
 * everywhere alike. Trimmed.
 */
export function resolveTwilioSetting(
  name: TwilioSetting,
  configValue: (key: string) => string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const { config, env: envName } = TWILIO_SETTINGS[name];
  for (const value of [configValue(config), env[envName]]) {
    const trimmed = value?.trim();
    if (trimmed) return trimmed;
  }
  return undefined;
}

/**
 * How to set a secret setting without the value landing in shell history: `pulumi config set
 * --secret <key>` prompts for it.
 */
export function setSecretCommand(name: TwilioSetting): string {
  return `pulumi config set --secret ${TWILIO_SETTINGS[name].config} (it prompts for the value)`;
}

export const SIP_DOMAIN_SUFFIX = ".sip.twilio.com";
/** A SIP domain's name is one DNS label (at most 63 characters) before the suffix. */
const SIP_DOMAIN_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Twilio's limit on a SIP domain's FriendlyName. */
export const MAX_SIP_DOMAIN_FRIENDLY_NAME_LENGTH = 64;
/** Twilio's limit on the FriendlyName of IP access control lists and their IP addresses. */
export const MAX_FRIENDLY_NAME_LENGTH = 255;
/** Twilio refuses more than 100 IP addresses in one access control list (error 21237). */
export const MAX_IPS_PER_LIST = 100;

/**
 * The problem with a SIP domain name, or undefined when Twilio accepts it: one label of
 * lower-case letters, digits and "-" (1–63 characters, not starting or ending with "-") before
 * `.sip.twilio.com`.
 */
export function sipDomainNameProblem(value: string): string | undefined {
  if (!value.endsWith(SIP_DOMAIN_SUFFIX)) {
    const suggestion = value.replace(/[^a-z0-9-]/gi, "-").toLowerCase() || "acme-line";
    return `must end in ${SIP_DOMAIN_SUFFIX}, e.g. ${suggestion}${SIP_DOMAIN_SUFFIX}`;
  }
  if (!SIP_DOMAIN_LABEL.test(value.slice(0, -SIP_DOMAIN_SUFFIX.length))) {
    return (
      'may use only lower-case letters, digits and "-" (1–63 characters, not starting or ending ' +
      `with "-") before ${SIP_DOMAIN_SUFFIX} (Twilio's rule), e.g. acme-line${SIP_DOMAIN_SUFFIX}`
    );
  }
  return undefined;
}
