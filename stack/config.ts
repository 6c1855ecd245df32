// Per-stack configuration (`Pulumi.<stack>.yaml`): every key the program reads, its defaults, and
// the validation that runs before any resource is declared. A bad value is reported together
// with every other problem, one line each naming the key and the fix, so an operator fixes the
// whole file in one go instead of one `pulumi up` per typo.
import * as pulumi from "@pulumi/pulumi";
import {
  DEFAULT_DIAL_TIMEOUT_SECONDS,
  DEFAULT_SAY_LANGUAGE,
  DEFAULT_UNAVAILABLE_MESSAGE,
  E164,
  MAX_DIAL_TIMEOUT_SECONDS,
  MIN_DIAL_TIMEOUT_SECONDS,
  SAY_LANGUAGE,
  SIP_URI,
} from "../lambda/config";
import { type LineIpAddress, parseLineIpAddresses } from "./lineIpAddresses";

export const PROJECT = "line-call";

/** How a project key is declared in Pulumi.yaml (kept equal to it by test/stack/config.test.ts). */
export interface ProjectKeySpec {
  /** The Pulumi.yaml type; absent where Pulumi.yaml cannot express it (a list of objects). */
  type?: "string" | "integer" | "boolean";
  default?: string | number | boolean;
}

/** Every `line-call:` key. A key not in this table is reported as a typo. */
export const PROJECT_KEYS = {
  sipDomainName: { type: "string" },
  lineIpAddresses: {},
  lineConnected: { type: "boolean", default: false },
  forwardTo: { type: "string" },
  callerId: { type: "string", default: "" },
  greeting: { type: "string", default: "" },
  language: { type: "string", default: DEFAULT_SAY_LANGUAGE },
  dialTimeout: { type: "integer", default: DEFAULT_DIAL_TIMEOUT_SECONDS },
  unavailableMessage: { type: "string", default: DEFAULT_UNAVAILABLE_MESSAGE },
  logRetentionDays: { type: "integer", default: 30 },
  webhookBaseUrl: { type: "string", default: "" },
  // Read by the policy pack (through scripts/policy-config.ts) and `npm run ip-diff`, not here.
  allowWideIpRanges: { type: "boolean", default: false },
  adoptExisting: { type: "boolean", default: false },
} as const satisfies Record<string, ProjectKeySpec>;

export type ProjectKey = keyof typeof PROJECT_KEYS;

export const TWILIO_KEYS = {
  accountSid: { config: "twilio:accountSid", env: "TWILIO_ACCOUNT_SID" },
  authToken: { config: "twilio:authToken", env: "TWILIO_AUTH_TOKEN" },
  apiKey: { config: "twilio:apiKey", env: "TWILIO_API_KEY" },
  apiSecret: { config: "twilio:apiSecret", env: "TWILIO_API_SECRET" },
  apiBaseUrl: { config: "twilio:apiBaseUrl", env: "TWILIO_API_BASE_URL" },
} as const;

/** Values CloudWatch Logs accepts for a log group's retention (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** Twilio's `<Dial timeout>` range in seconds (the webhook enforces the same). */
export const DIAL_TIMEOUT_RANGE = {
  min: MIN_DIAL_TIMEOUT_SECONDS,
  max: MAX_DIAL_TIMEOUT_SECONDS,
} as const;
/** Twilio's limit on the text of one `<Say>`. */
export const MAX_SAY_LENGTH = 4096;
/** Twilio's limit on a SIP domain's FriendlyName. */
export const MAX_DOMAIN_FRIENDLY_NAME_LENGTH = 64;

export type ForwardTarget = { kind: "number"; value: string } | { kind: "sip"; value: string };

/** The validated settings the program is built from. */
export interface LineCallConfig {
  stack: string;
  sipDomainName: string;
  lineIpAddresses: LineIpAddress[];
  lineConnected: boolean;
  forwardTo: ForwardTarget;
  /** Empty when not set (allowed only when forwarding to a SIP URI). */
  callerId: string;
  greeting: string;
  language: string;
  dialTimeout: number;
  unavailableMessage: string;
  logRetentionDays: number;
  /** Set: bring-your-own TwiML host, no AWS resources. Without trailing slash. */
  webhookBaseUrl?: string;
  /** Take over a SIP domain (and list) that already exist under the same names. */
  adoptExisting: boolean;
  /** True when a Twilio auth token is available (config or environment) for the webhook. */
  hasAuthToken: boolean;
}

/** Where raw values come from: the stack config as the CLI passes it, and the environment. */
export interface ConfigSource {
  stack: string;
  /** Every config key the stack sets, `namespace:key`, values as the CLI passes them (strings). */
  values: Record<string, string>;
  secretKeys: ReadonlySet<string>;
  env: Record<string, string | undefined>;
}

export class ConfigError extends pulumi.RunError {
  constructor(
    readonly problems: string[],
    stack: string,
  ) {
    super(
      `Pulumi.${stack}.yaml has ${problems.length} problem${problems.length === 1 ? "" : "s"}; ` +
        `nothing was changed:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

const SIP_DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.sip\.twilio\.com$/;
const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const API_KEY_SID = /^SK[0-9a-fA-F]{32}$/;
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

function key(name: string): string {
  return `${PROJECT}:${name}`;
}

/** Levenshtein distance, for "did you mean" on misspelt keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** Suggests the E.164 form of a Japanese domestic number such as 03-1234-5678. */
function e164Hint(value: string): string {
  const digits = value.replace(/[\s()-]/g, "");
  if (/^0\d{9,10}$/.test(digits)) return `, e.g. +81${digits.slice(1)} for ${value}`;
  return ", e.g. +81312345678";
}

function isLocalHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "127.0.0.1" || hostname === "[::1]";
}

/**
 * Validates the whole configuration. Never throws: returns every problem, so the caller can
 * report them together.
 */
export function validateConfig(source: ConfigSource): {
  config?: LineCallConfig;
  errors: string[];
} {
  const errors: string[] = [];
  const { values, env, stack } = source;
  const raw = (name: ProjectKey): string | undefined => values[key(name)];
  const configFile = `Pulumi.${stack}.yaml`;

  for (const fullKey of Object.keys(values)) {
    if (!fullKey.startsWith(`${PROJECT}:`)) continue;
    const name = fullKey.slice(PROJECT.length + 1);
    if (name in PROJECT_KEYS) continue;
    const closest = Object.keys(PROJECT_KEYS)
      .map((known) => ({ known, d: distance(name.toLowerCase(), known.toLowerCase()) }))
      .sort((x, y) => x.d - y.d)[0];
    errors.push(
      `${fullKey} is not a line-call setting: ` +
        (closest.d <= 3
          ? `did you mean ${key(closest.known)}?`
          : `remove it (known keys: ${Object.keys(PROJECT_KEYS).join(", ")})`),
    );
  }

  const text = (name: ProjectKey): string => {
    const value = raw(name);
    if (value !== undefined) return value;
    const fallback = (PROJECT_KEYS[name] as ProjectKeySpec).default;
    return fallback === undefined ? "" : String(fallback);
  };

  const boolean = (name: ProjectKey): boolean => {
    const value = text(name).trim();
    if (value === "true" || value === "false") return value === "true";
    errors.push(`${key(name)} must be true or false, not ${JSON.stringify(value)}`);
    return false;
  };

  const integer = (name: ProjectKey): number | undefined => {
    const value = text(name).trim();
    return /^-?\d+$/.test(value) ? Number(value) : undefined;
  };

  // sipDomainName
  const sipDomainName = text("sipDomainName").trim();
  if (sipDomainName === "") {
    errors.push(
      `${key("sipDomainName")} is not set: choose a unique name such as acme-line.sip.twilio.com ` +
        `(pulumi config set sipDomainName acme-line.sip.twilio.com)`,
    );
  } else if (!sipDomainName.endsWith(".sip.twilio.com")) {
    errors.push(
      `${key("sipDomainName")} "${sipDomainName}" must end in .sip.twilio.com, e.g. ` +
        `${sipDomainName.replace(/[^a-z0-9-]/gi, "-").toLowerCase()}.sip.twilio.com`,
    );
  } else if (!SIP_DOMAIN.test(sipDomainName)) {
    errors.push(
      `${key("sipDomainName")} "${sipDomainName}" may use only lower-case letters, digits and "-" ` +
        "before .sip.twilio.com (Twilio's rule), e.g. acme-line.sip.twilio.com",
    );
  }

  // lineIpAddresses (the shared rules also used by the policy pack and `npm run ip-diff`)
  let ipList: unknown;
  const ipText = raw("lineIpAddresses");
  if (ipText !== undefined) {
    try {
      ipList = JSON.parse(ipText);
    } catch {
      // A plain string is what `pulumi config set lineIpAddresses 203.0.113.10` leaves behind.
      ipList = ipText;
    }
  }
  const ips = parseLineIpAddresses(ipList, key("lineIpAddresses"));
  errors.push(...ips.errors);

  const lineConnected = boolean("lineConnected");
  const adoptExisting = boolean("adoptExisting");
  boolean("allowWideIpRanges"); // only its form here; the policy pack applies it

  // forwardTo / callerId
  const forwardText = text("forwardTo").trim();
  let forwardTo: ForwardTarget | undefined;
  if (forwardText === "") {
    errors.push(
      `${key("forwardTo")} is not set: give the landline in E.164 form (e.g. +81312345678) ` +
        "or your PBX as a sip: URI (e.g. sip:reception@pbx.example.com)",
    );
  } else if (E164.test(forwardText)) {
    forwardTo = { kind: "number", value: forwardText };
  } else if (SIP_URI.test(forwardText)) {
    forwardTo = { kind: "sip", value: forwardText };
  } else if (/^sips?:/i.test(forwardText)) {
    errors.push(
      `${key("forwardTo")} "${forwardText}" is not a SIP URI Twilio can dial: write sip:user@host ` +
        "(add ;transport=tls for TLS), e.g. sip:reception@pbx.example.com",
    );
  } else {
    errors.push(
      `${key("forwardTo")} "${forwardText}" is neither an E.164 number nor a sip: URI: ` +
        `write the number with + and country code${e164Hint(forwardText)}`,
    );
  }
  const callerId = text("callerId").trim();
  if (callerId === "") {
    if (forwardTo?.kind === "number") {
      errors.push(
        `${key("callerId")} is not set: forwarding to a phone number needs one of your Twilio ` +
          "numbers as caller ID (pulumi config set callerId +815012345678)",
      );
    }
  } else if (!E164.test(callerId)) {
    errors.push(
      `${key("callerId")} "${callerId}" must be one of your Twilio numbers in E.164 form` +
        e164Hint(callerId),
    );
  }

  // The words Twilio says
  const greeting = text("greeting");
  const unavailableMessage = text("unavailableMessage");
  for (const [name, value] of [
    ["greeting", greeting],
    ["unavailableMessage", unavailableMessage],
  ] as const) {
    if (value.length > MAX_SAY_LENGTH) {
      errors.push(
        `${key(name)} is ${value.length} characters; Twilio's <Say> takes at most ${MAX_SAY_LENGTH}: shorten it`,
      );
    }
  }
  const language = text("language").trim();
  if (!SAY_LANGUAGE.test(language)) {
    errors.push(
      `${key("language")} "${language}" is not a <Say> language tag: use a form like ja-JP or en-US`,
    );
  }

  const dialTimeout = integer("dialTimeout");
  if (
    dialTimeout === undefined ||
    dialTimeout < DIAL_TIMEOUT_RANGE.min ||
    dialTimeout > DIAL_TIMEOUT_RANGE.max
  ) {
    errors.push(
      `${key("dialTimeout")} ${JSON.stringify(text("dialTimeout"))} must be a whole number of seconds ` +
        `from ${DIAL_TIMEOUT_RANGE.min} to ${DIAL_TIMEOUT_RANGE.max} (Twilio's <Dial timeout> range); 30 is usual`,
    );
  }

  const logRetentionDays = integer("logRetentionDays");
  if (
    logRetentionDays === undefined ||
    !(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)
  ) {
    errors.push(
      `${key("logRetentionDays")} ${JSON.stringify(text("logRetentionDays"))} is not a retention ` +
        `CloudWatch Logs offers: use one of ${LOG_RETENTION_DAYS.join(", ")}`,
    );
  }

  // webhookBaseUrl: bring your own TwiML host
  let webhookBaseUrl: string | undefined;
  const baseText = text("webhookBaseUrl").trim();
  if (baseText !== "") {
    let url: URL | undefined;
    try {
      url = new URL(baseText);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
      errors.push(
        `${key("webhookBaseUrl")} "${baseText}" is not an absolute URL: write e.g. https://twiml.example.com/line ` +
          "(or leave it unset to deploy the webhook on AWS)",
      );
    } else if (url.protocol === "http:" && !isLocalHost(url.hostname)) {
      errors.push(
        `${key("webhookBaseUrl")} "${baseText}" must use https: Twilio posts caller details to it ` +
          "(plain http is accepted only for localhost trials)",
      );
    } else if (url.search !== "" || url.hash !== "" || url.username !== "") {
      errors.push(
        `${key("webhookBaseUrl")} "${baseText}" must be a plain base URL without query, fragment or ` +
          "credentials: the routes /voice, /fallback and /status are appended to it",
      );
    } else {
      webhookBaseUrl = baseText.replace(/\/+$/, "");
    }
  }

  // Twilio credentials: config first, then the environment (as the providers resolve them).
  const twilio = (name: keyof typeof TWILIO_KEYS): string | undefined => {
    const { config, env: envName } = TWILIO_KEYS[name];
    const value = values[config] ?? env[envName];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };
  for (const name of ["authToken", "apiSecret"] as const) {
    const configKey = TWILIO_KEYS[name].config;
    if (values[configKey] !== undefined && !source.secretKeys.has(configKey)) {
      errors.push(
        `${configKey} is stored in plaintext in ${configFile}: remove it and set it again with ` +
          `pulumi config set --secret ${configKey} <value>`,
      );
    }
  }
  const accountSid = twilio("accountSid");
  if (!accountSid) {
    errors.push(
      `${TWILIO_KEYS.accountSid.config} is not set: pulumi config set ${TWILIO_KEYS.accountSid.config} AC… ` +
        `(the account or subaccount that owns the SIP domain; or set ${TWILIO_KEYS.accountSid.env})`,
    );
  } else if (!ACCOUNT_SID.test(accountSid)) {
    errors.push(
      `${TWILIO_KEYS.accountSid.config} must be an account SID: AC followed by 32 hex digits ` +
        "(Twilio console → Account info); an API key SID (SK…) goes in twilio:apiKey",
    );
  }
  const authToken = twilio("authToken");
  const apiKey = twilio("apiKey");
  const apiSecret = twilio("apiSecret");
  if (apiKey !== undefined && !API_KEY_SID.test(apiKey)) {
    errors.push(
      `${TWILIO_KEYS.apiKey.config} must be an API key SID: SK followed by 32 hex digits`,
    );
  }
  if ((apiKey === undefined) !== (apiSecret === undefined)) {
    errors.push(
      apiKey === undefined
        ? `${TWILIO_KEYS.apiKey.config} is not set but twilio:apiSecret is: set both, or neither`
        : `${TWILIO_KEYS.apiSecret.config} is not set but twilio:apiKey is: ` +
            `pulumi config set --secret ${TWILIO_KEYS.apiSecret.config} <secret>`,
    );
  }
  if (authToken === undefined && webhookBaseUrl === undefined) {
    errors.push(
      `${TWILIO_KEYS.authToken.config} is not set: the webhook checks every request's signature with ` +
        `it. Run pulumi config set --secret ${TWILIO_KEYS.authToken.config} <token> (or set ${TWILIO_KEYS.authToken.env})`,
    );
  } else if (authToken === undefined && apiKey === undefined) {
    errors.push(
      `Twilio credentials are not set: pulumi config set --secret ${TWILIO_KEYS.authToken.config} <token>, ` +
        "or set twilio:apiKey and twilio:apiSecret",
    );
  } else if (authToken !== undefined && !/^[0-9a-fA-F]{32}$/.test(authToken)) {
    errors.push(
      `${TWILIO_KEYS.authToken.config} is not a Twilio auth token (32 hex digits): copy it again ` +
        "from the Twilio console (Account info) and set it with pulumi config set --secret",
    );
  }
  const apiBaseUrl = twilio("apiBaseUrl");
  if (apiBaseUrl !== undefined && !/^https?:\/\/[^/\s]+/.test(apiBaseUrl)) {
    errors.push(
      `${TWILIO_KEYS.apiBaseUrl.config} must be an absolute http(s) URL such as http://127.0.0.1:4010 ` +
        "(leave it unset for the real Twilio API)",
    );
  }

  // AWS is only needed when this stack hosts the webhook itself.
  if (webhookBaseUrl === undefined && baseText === "") {
    const region = values["aws:region"] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) {
      errors.push(
        "aws:region is not set: pulumi config set aws:region ap-northeast-1 (or set line-call:webhookBaseUrl " +
          "to use your own TwiML host and no AWS at all)",
      );
    } else if (!AWS_REGION.test(region)) {
      errors.push(`aws:region "${region}" is not an AWS region name such as ap-northeast-1`);
    }
  }

  if (
    errors.length > 0 ||
    !forwardTo ||
    dialTimeout === undefined ||
    logRetentionDays === undefined
  ) {
    return { errors };
  }
  return {
    errors,
    config: {
      stack,
      sipDomainName,
      lineIpAddresses: ips.entries,
      lineConnected,
      forwardTo,
      callerId,
      greeting,
      language,
      dialTimeout,
      unavailableMessage,
      logRetentionDays,
      ...(webhookBaseUrl ? { webhookBaseUrl } : {}),
      adoptExisting,
      hasAuthToken: authToken !== undefined,
    },
  };
}

/** The stack config exactly as the Pulumi CLI handed it to this program. */
export function currentConfigSource(): ConfigSource {
  const values = pulumi.runtime.allConfig();
  // isConfigSecret is not in the SDK's typings, but it is how Config.get knows a key is secret.
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
  const secretKeys = new Set(
    Object.keys(values).filter((k) => runtime.isConfigSecret?.(k) ?? false),
  );
  return { stack: pulumi.getStack(), values, secretKeys, env: process.env };
}

/** Reads and validates the stack config; throws one error listing every problem. */
export function readStackConfig(source: ConfigSource = currentConfigSource()): LineCallConfig {
  const { config, errors } = validateConfig(source);
  if (!config) throw new ConfigError(errors, source.stack);
  return config;
}

/**
 * The Twilio auth token as a Pulumi secret: from `twilio:authToken` (always a secret there) or,
 * failing that, TWILIO_AUTH_TOKEN, wrapped so it is encrypted wherever it lands in the state.
 */
export function twilioAuthToken(
  source: ConfigSource = currentConfigSource(),
): pulumi.Output<string> {
  const fromConfig = new pulumi.Config("twilio").getSecret("authToken");
  const fromEnv = source.env[TWILIO_KEYS.authToken.env] ?? "";
  return pulumi.secret(
    pulumi
      .output(fromConfig)
      .apply((value) => (value && value.trim() !== "" ? value : fromEnv).trim()),
  );
}

/** The account SID as the providers resolve it (config first, then TWILIO_ACCOUNT_SID). */
export function twilioAccountSid(source: ConfigSource = currentConfigSource()): string {
  return (
    source.values[TWILIO_KEYS.accountSid.config] ??
    source.env[TWILIO_KEYS.accountSid.env] ??
    ""
  ).trim();
}
