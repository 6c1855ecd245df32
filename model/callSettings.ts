// The call settings: where a LINE call rings and what the caller hears. This is their one home:
// one table names each setting (its stack config key, the environment variable the webhook reads
// it from, its Pulumi.yaml type and default), and one parser judges a set of raw values wherever
// they come from — the stack's config (the program, `npm run validate`, `npm run ip-diff`), the
// Lambda function's environment (the webhook itself, the policy pack) — so every reader accepts
// and refuses exactly the same values (test/model/callSettings.test.ts feeds them one corpus).
//
// Values travel as text (Pulumi passes config as strings, Lambda passes environment variables),
// so the parser takes text: a value is trimmed, and a blank one counts as not set (its default).

import { type BusinessHours, businessHoursText, parseBusinessHours } from "./businessHours";

/** Where `<Dial>` sends the call: a phone number (`<Number>`) or a PBX's SIP URI (`<Sip>`). */
export type ForwardTarget = { kind: "number" | "sip"; value: string };

export const E164 = /^\+[1-9]\d{4,14}$/;
// sip:user@host[:port][;params][?headers]; Twilio's <Sip> requires the user part.
export const SIP_URI = /^sip:[^\s@<>"]+@[^\s@<>"]+$/i;
// Twilio's <Say> languages look like ja-JP, cmn-CN, en-GB-WLS, or a bare code such as arb.
export const SAY_LANGUAGE = /^[a-z]{2,3}(-[A-Z]{2}(-[A-Z]{3})?)?$/;

export const DEFAULT_SAY_LANGUAGE = "ja-JP";
/** Twilio's own default ring time for `<Dial>`. */
export const DEFAULT_DIAL_TIMEOUT_SECONDS = 30;
export const MIN_DIAL_TIMEOUT_SECONDS = 5;
/** Twilio caps `<Dial timeout>` at 600 seconds. */
export const MAX_DIAL_TIMEOUT_SECONDS = 600;
export const DEFAULT_UNAVAILABLE_MESSAGE =
  "申し訳ございません。ただいま電話に出ることができません。しばらくしてから、おかけ直しください。";
/** Twilio's limit on the text of one `<Say>`, in characters. */
export const MAX_SAY_LENGTH = 4096;
export const DEFAULT_AFTER_HOURS_MESSAGE =
  "お電話ありがとうございます。ただいま営業時間外です。営業時間内に、あらためておかけ直しください。";
export const DEFAULT_VOICEMAIL_PROMPT =
  "発信音のあとに、お名前とご用件をお話しください。終わりましたら、そのまま電話をお切りください。";
export const DEFAULT_VOICEMAIL_MAX_SECONDS = 120;
export const MIN_VOICEMAIL_MAX_SECONDS = 5;
/** Twilio's `<Record maxLength>` default, and as long as a message to a business sensibly gets. */
export const MAX_VOICEMAIL_MAX_SECONDS = 3600;
/** Pushed to the caller on LINE after a missed call when `followUp` is on. */
export const DEFAULT_FOLLOW_UP_MESSAGE =
  "お電話ありがとうございました。ただいま電話に出ることができませんでした。ご用件をこのトークでお送りいただければ、担当者からご返信いたします。";
/** The LINE Messaging API's limit on one text message, in characters. */
export const MAX_LINE_TEXT_LENGTH = 5000;

/** How one setting is declared: Pulumi.yaml's type and default, and the webhook's variable. */
export interface CallSettingSpec {
  /** The environment variable the webhook reads it from. */
  env: string;
  /** Its type in Pulumi.yaml; absent for an object (Pulumi.yaml cannot type those). */
  type?: "string" | "integer" | "boolean";
  /** Used when the value is not set or blank; absent for a required or object setting. */
  default?: string | number | boolean;
}

/** Every call setting, by its stack config key (`line-call:<key>`). */
export const CALL_SETTINGS = {
  forwardTo: { env: "FORWARD_TO", type: "string" },
  callerId: { env: "CALLER_ID", type: "string", default: "" },
  greeting: { env: "GREETING", type: "string", default: "" },
  language: { env: "SAY_LANGUAGE", type: "string", default: DEFAULT_SAY_LANGUAGE },
  dialTimeout: { env: "DIAL_TIMEOUT", type: "integer", default: DEFAULT_DIAL_TIMEOUT_SECONDS },
  unavailableMessage: {
    env: "UNAVAILABLE_MESSAGE",
    type: "string",
    default: DEFAULT_UNAVAILABLE_MESSAGE,
  },
  // Unset (or the empty default Pulumi.yaml needs for an optional object key): always open, every
  // call is forwarded (the behaviour before business hours existed).
  businessHours: { env: "BUSINESS_HOURS", default: "" },
  afterHoursMessage: {
    env: "AFTER_HOURS_MESSAGE",
    type: "string",
    default: DEFAULT_AFTER_HOURS_MESSAGE,
  },
  voicemail: { env: "VOICEMAIL", type: "boolean", default: false },
  voicemailMaxSeconds: {
    env: "VOICEMAIL_MAX_SECONDS",
    type: "integer",
    default: DEFAULT_VOICEMAIL_MAX_SECONDS,
  },
  voicemailPrompt: { env: "VOICEMAIL_PROMPT", type: "string", default: DEFAULT_VOICEMAIL_PROMPT },
  followUp: { env: "FOLLOW_UP", type: "boolean", default: false },
  followUpMessage: { env: "FOLLOW_UP_MESSAGE", type: "string", default: DEFAULT_FOLLOW_UP_MESSAGE },
} as const satisfies Record<string, CallSettingSpec>;

export type CallSettingName = keyof typeof CALL_SETTINGS;
export const CALL_SETTING_NAMES = Object.keys(CALL_SETTINGS) as CallSettingName[];

export type CallSettingEnvName = (typeof CALL_SETTINGS)[CallSettingName]["env"];
/** The call settings as environment variables: what the stack gives the webhook. */
export type CallSettingsEnvironment = Record<CallSettingEnvName, string>;

/** The call settings once judged valid. */
export interface CallSettings {
  forwardTo: ForwardTarget;
  /** E.164 caller ID for the forwarded leg; Twilio requires it when dialing a phone number. */
  callerId?: string;
  /** Said before dialing; absent when not set. */
  greeting?: string;
  /** The `<Say>` language of the greeting and the unavailable message. */
  language: string;
  /** Seconds `<Dial>` rings before giving up. */
  dialTimeout: number;
  /** Said when the forwarded leg is busy, unanswered or failed. */
  unavailableMessage: string;
  /** When calls are forwarded; absent means always (every call is forwarded). */
  businessHours?: BusinessHours;
  /** Said outside business hours instead of forwarding. */
  afterHoursMessage: string;
  /** Whether callers who are not put through may leave a message (opt-in). */
  voicemail: boolean;
  /** The longest message a caller may leave, in seconds (`<Record maxLength>`). */
  voicemailMaxSeconds: number;
  /** Said before the beep, after the after-hours or unavailable message. */
  voicemailPrompt: string;
  /** After a missed call, push `followUpMessage` to the caller on LINE (needs a channel token). */
  followUp: boolean;
  /** The LINE text message of the follow-up. */
  followUpMessage: string;
}

/** A set of raw values, as one reader holds them, and how that reader names each setting. */
export interface CallSettingsInput {
  /** The value as text, or undefined when this reader has none. */
  raw(name: CallSettingName): string | undefined;
  /** The setting's name in messages: `line-call:greeting`, `GREETING`, … */
  label(name: CallSettingName): string;
}

export interface CallSettingsResult {
  /** Present only when every setting is valid. */
  settings?: CallSettings;
  /** One line per problem, each naming the setting and the fix. */
  problems: string[];
}

export function parseForwardTarget(raw: string): ForwardTarget | undefined {
  if (E164.test(raw)) return { kind: "number", value: raw };
  if (SIP_URI.test(raw)) return { kind: "sip", value: raw };
  return undefined;
}

/** Suggests the E.164 form of a Japanese domestic number such as 03-1234-5678. */
function e164Hint(value: string): string {
  const digits = value.replace(/[\s()-]/g, "");
  if (/^0\d{9,10}$/.test(digits)) return `, e.g. +81${digits.slice(1)} for ${value}`;
  return ", e.g. +81312345678";
}

// Characters outside XML 1.0's Char production, NUL among them: TwiML (XML) cannot carry them,
// and a NUL cannot even travel in an environment variable (the webhook would get the text up to it).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const NOT_XML_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/u;

/** The problem with a text the caller hears, or undefined. */
export function spokenTextProblem(text: string): string | undefined {
  const chars = [...text];
  const at = chars.findIndex((char) => NOT_XML_TEXT.test(char));
  if (at >= 0) {
    const code = chars[at].codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0");
    return (
      `contains the control character U+${code} at character ${at + 1}, which TwiML (XML) ` +
      "cannot carry: remove it (line breaks and tabs are fine)"
    );
  }
  if (chars.length > MAX_SAY_LENGTH) {
    return `is ${chars.length} characters; Twilio's <Say> takes at most ${MAX_SAY_LENGTH}: shorten it`;
  }
  return undefined;
}

/** The value trimmed, or undefined when it is not set or blank (then its default applies). */
function given(input: CallSettingsInput, name: CallSettingName): string | undefined {
  const value = input.raw(name)?.trim();
  return value ? value : undefined;
}

function withDefault(input: CallSettingsInput, name: CallSettingName): string {
  const spec: CallSettingSpec = CALL_SETTINGS[name];
  return given(input, name) ?? String(spec.default ?? "");
}

/** Judges a whole set of call settings; never throws, so every problem is reported at once. */
export function parseCallSettings(input: CallSettingsInput): CallSettingsResult {
  const problems: string[] = [];
  const label = (name: CallSettingName) => input.label(name);

  const forwardText = given(input, "forwardTo");
  const forwardTo = forwardText === undefined ? undefined : parseForwardTarget(forwardText);
  if (forwardText === undefined) {
    problems.push(
      `${label("forwardTo")} is not set: give the landline in E.164 form (e.g. +81312345678) ` +
        "or your PBX as a sip: URI (e.g. sip:reception@pbx.example.com)",
    );
  } else if (!forwardTo && /^sips?:/i.test(forwardText)) {
    problems.push(
      `${label("forwardTo")} "${forwardText}" is not a SIP URI Twilio can dial: write sip:user@host ` +
        "(add ;transport=tls for TLS), e.g. sip:reception@pbx.example.com",
    );
  } else if (!forwardTo) {
    problems.push(
      `${label("forwardTo")} "${forwardText}" is neither an E.164 number nor a sip: URI: ` +
        `write the number with + and country code${e164Hint(forwardText)}`,
    );
  }

  const callerId = given(input, "callerId");
  if (callerId === undefined) {
    if (forwardTo?.kind === "number") {
      problems.push(
        `${label("callerId")} is not set: forwarding to a phone number needs one of your Twilio ` +
          "numbers as caller ID, in E.164 form (e.g. +815012345678)",
      );
    }
  } else if (!E164.test(callerId)) {
    problems.push(
      `${label("callerId")} "${callerId}" must be one of your Twilio numbers in E.164 form` +
        e164Hint(callerId),
    );
  }

  const greeting = given(input, "greeting");
  const unavailableMessage = withDefault(input, "unavailableMessage");
  const afterHoursMessage = withDefault(input, "afterHoursMessage");
  const voicemailPrompt = withDefault(input, "voicemailPrompt");
  for (const [name, text] of [
    ["greeting", greeting],
    ["unavailableMessage", unavailableMessage],
    ["afterHoursMessage", afterHoursMessage],
    ["voicemailPrompt", voicemailPrompt],
  ] as const) {
    const problem = text === undefined ? undefined : spokenTextProblem(text);
    if (problem) problems.push(`${label(name)} ${problem}`);
  }

  const language = withDefault(input, "language");
  if (!SAY_LANGUAGE.test(language)) {
    problems.push(
      `${label("language")} "${language}" is not a <Say> language tag: use a form like ja-JP or en-US`,
    );
  }

  const timeoutText = withDefault(input, "dialTimeout");
  const dialTimeout = /^\d+$/.test(timeoutText) ? Number(timeoutText) : Number.NaN;
  if (!(dialTimeout >= MIN_DIAL_TIMEOUT_SECONDS && dialTimeout <= MAX_DIAL_TIMEOUT_SECONDS)) {
    problems.push(
      `${label("dialTimeout")} ${JSON.stringify(timeoutText)} must be a whole number of seconds ` +
        `from ${MIN_DIAL_TIMEOUT_SECONDS} to ${MAX_DIAL_TIMEOUT_SECONDS} (Twilio's <Dial timeout> range); 30 is usual`,
    );
  }

  const hoursText = given(input, "businessHours");
  const hours =
    hoursText === undefined ? undefined : parseBusinessHours(hoursText, label("businessHours"));
  if (hours) problems.push(...hours.problems);

  const voicemailText = withDefault(input, "voicemail");
  if (voicemailText !== "true" && voicemailText !== "false") {
    problems.push(
      `${label("voicemail")} must be true (callers who are not put through may leave a message) ` +
        `or false (the default), not ${JSON.stringify(voicemailText)}`,
    );
  }
  const maxSecondsText = withDefault(input, "voicemailMaxSeconds");
  const voicemailMaxSeconds = /^\d+$/.test(maxSecondsText) ? Number(maxSecondsText) : Number.NaN;
  if (
    !(
      voicemailMaxSeconds >= MIN_VOICEMAIL_MAX_SECONDS &&
      voicemailMaxSeconds <= MAX_VOICEMAIL_MAX_SECONDS
    )
  ) {
    problems.push(
      `${label("voicemailMaxSeconds")} ${JSON.stringify(maxSecondsText)} must be a whole number of ` +
        `seconds from ${MIN_VOICEMAIL_MAX_SECONDS} to ${MAX_VOICEMAIL_MAX_SECONDS} (<Record maxLength>); ` +
        `${DEFAULT_VOICEMAIL_MAX_SECONDS} is the default`,
    );
  }

  const followUpText = withDefault(input, "followUp");
  if (followUpText !== "true" && followUpText !== "false") {
    problems.push(
      `${label("followUp")} must be true (push followUpMessage to the caller on LINE after a ` +
        `missed call) or false (the default), not ${JSON.stringify(followUpText)}`,
    );
  }
  const followUpMessage = withDefault(input, "followUpMessage");
  const followUpLength = [...followUpMessage].length;
  if (followUpLength > MAX_LINE_TEXT_LENGTH) {
    problems.push(
      `${label("followUpMessage")} is ${followUpLength} characters; a LINE text message takes at ` +
        `most ${MAX_LINE_TEXT_LENGTH}: shorten it`,
    );
  }

  if (problems.length > 0 || !forwardTo) return { problems };
  return {
    problems,
    settings: {
      forwardTo,
      ...(callerId !== undefined ? { callerId } : {}),
      ...(greeting !== undefined ? { greeting } : {}),
      language,
      dialTimeout,
      unavailableMessage,
      ...(hours?.businessHours ? { businessHours: hours.businessHours } : {}),
      afterHoursMessage,
      voicemail: voicemailText === "true",
      voicemailMaxSeconds,
      voicemailPrompt,
      followUp: followUpText === "true",
      followUpMessage,
    },
  };
}

/** Reads the settings from environment variables (the webhook's own reading). */
export function callSettingsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): CallSettingsInput {
  return {
    raw: (name) => env[CALL_SETTINGS[name].env],
    label: (name) => CALL_SETTINGS[name].env,
  };
}

/**
 * The settings as environment variables, in their canonical form (trimmed, defaults filled in, ""
 * for an unset caller ID, greeting or business hours, business hours as compact JSON): what the stack hands the webhook, read back to the same
 * settings by `callSettingsFromEnvironment`.
 */
export function callSettingsEnvironment(settings: CallSettings): CallSettingsEnvironment {
  const values: Record<CallSettingName, string> = {
    forwardTo: settings.forwardTo.value,
    callerId: settings.callerId ?? "",
    greeting: settings.greeting ?? "",
    language: settings.language,
    dialTimeout: String(settings.dialTimeout),
    unavailableMessage: settings.unavailableMessage,
    businessHours: settings.businessHours ? businessHoursText(settings.businessHours) : "",
    afterHoursMessage: settings.afterHoursMessage,
    voicemail: String(settings.voicemail),
    voicemailMaxSeconds: String(settings.voicemailMaxSeconds),
    voicemailPrompt: settings.voicemailPrompt,
    followUp: String(settings.followUp),
    followUpMessage: settings.followUpMessage,
  };
  return Object.fromEntries(
    CALL_SETTING_NAMES.map((name) => [CALL_SETTINGS[name].env, values[name]]),
  ) as CallSettingsEnvironment;
}

/**
 * AWS Lambda caps a function's environment at 4 KB in all: every variable's name and value,
 * counted in bytes (a Japanese character is 3 of them in UTF-8).
 */
export const LAMBDA_ENVIRONMENT_MAX_BYTES = 4096;

/**
 * Stands in for a value known only once deployed (the token parameter's version, a whole number)
 * when an environment's size is judged before: as long as such a value will ever be.
 */
export const UNKNOWN_ENVIRONMENT_VALUE = "9".repeat(10);

/** The bytes an environment takes against `LAMBDA_ENVIRONMENT_MAX_BYTES`. */
export function environmentBytes(env: Readonly<Record<string, string>>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(env)) {
    bytes += Buffer.byteLength(name, "utf8") + Buffer.byteLength(value, "utf8");
  }
  return bytes;
}

/**
 * The two largest settings of an environment, in bytes ("line-call:greeting takes 4,200, …"):
 * what an operator can shorten when the settings do not fit where they travel.
 */
export function largestSettings(
  env: Readonly<Record<string, string>>,
  label: (name: CallSettingName) => string,
): string {
  return CALL_SETTING_NAMES.map((name) => ({
    name,
    bytes: Buffer.byteLength(env[CALL_SETTINGS[name].env] ?? "", "utf8"),
  }))
    .filter((setting) => setting.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 2)
    .map((setting) => `${label(setting.name)} takes ${setting.bytes.toLocaleString("en-US")}`)
    .join(", ");
}

/**
 * The problem with a function environment that would not fit Lambda's 4 KB, or undefined. Names
 * the largest call settings, since those are what an operator can shorten.
 */
export function environmentSizeProblem(
  env: Readonly<Record<string, string>>,
  label: (name: CallSettingName) => string,
): string | undefined {
  const bytes = environmentBytes(env);
  if (bytes <= LAMBDA_ENVIRONMENT_MAX_BYTES) return undefined;
  const largest = largestSettings(env, label);
  return (
    `the webhook's settings take ${bytes.toLocaleString("en-US")} bytes as the Lambda function's ` +
    `environment (names and values, UTF-8; a Japanese character is 3 bytes), and AWS allows ` +
    `${LAMBDA_ENVIRONMENT_MAX_BYTES.toLocaleString("en-US")} in all: shorten the spoken texts ` +
    `(${largest}) by ${(bytes - LAMBDA_ENVIRONMENT_MAX_BYTES).toLocaleString("en-US")} bytes`
  );
}
