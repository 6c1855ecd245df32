// One corpus of call-setting values through every reader of the call-settings contract: the
// stack's config check (the program, `npm run validate`, `npm run ip-diff`), the webhook reading
// its environment, and the policy pack reading the webhook function's environment. Each must
// accept and refuse exactly the same values, so nothing `pulumi up` accepts is refused by the
// webhook later (where the caller would only hear the apology).
import { describe, expect, it } from "vitest";
import { readSettings } from "../../lambda/config";
import { decodeCustomerParameter, encodeCustomerParameter } from "../../lambda/customerParameter";
import {
  CALL_SETTINGS,
  type CallSettingName,
  callSettingsEnvironment,
  LAMBDA_ENVIRONMENT_MAX_BYTES,
} from "../../model/callSettings";
import { checkWebhookCallSettings } from "../../policy/rules";
import { validateConfig } from "../../stack/config";
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from "../support/programHarness";

type Values = Partial<Record<CallSettingName, string>>;

interface Case {
  what: string;
  values: Values;
  /** Accepted where the settings travel as the Lambda function's environment (4 KB in all). */
  onLambda: boolean;
  /** Accepted where they do not (a webhook on your own host). */
  elsewhere: boolean;
}

const NUMBER: Values = { forwardTo: "+81312345678", callerId: "+815012345678" };
const SIP: Values = { forwardTo: "sip:reception@pbx.example.com" };

/** Accepted or refused the same everywhere. */
function everywhere(what: string, values: Values, accepted: boolean): Case {
  return { what, values, onLambda: accepted, elsewhere: accepted };
}

const ascii = (n: number) => "a".repeat(n);
/** A businessHours value as the stack passes it (Pulumi hands an object over as JSON text). */
const hours = (value: Record<string, unknown>) => JSON.stringify(value);
const WEEKDAY_9_TO_6 = Object.fromEntries(
  ["mon", "tue", "wed", "thu", "fri"].map((day) => [day, ["09:00-18:00"]]),
);
const HOURS = hours({
  weekly: { ...WEEKDAY_9_TO_6, mon: ["09:00-12:00", "13:00-18:00"], sat: ["10:00-15:00"] },
  closed: ["12-29..01-03"],
});
const japanese = (n: number) => "あ".repeat(n);

const CORPUS: Case[] = [
  everywhere("a number with its caller ID", NUMBER, true),
  everywhere("a PBX", SIP, true),
  everywhere("a PBX over TLS", { forwardTo: "sip:reception@pbx.example.com;transport=tls" }, true),
  everywhere("a number with blanks around it", { ...NUMBER, forwardTo: "  +81312345678 " }, true),
  everywhere("the shortest E.164 number", { ...NUMBER, forwardTo: "+12345" }, true),
  everywhere("an E.164 number one digit short", { ...NUMBER, forwardTo: "+1234" }, false),
  everywhere(
    "an E.164 number with 16 digits",
    { ...NUMBER, forwardTo: "+8131234567890123" },
    false,
  ),
  everywhere("a domestic number", { ...NUMBER, forwardTo: "03-1234-5678" }, false),
  everywhere("an E.164 number with a leading 0", { ...NUMBER, forwardTo: "+0312345678" }, false),
  everywhere("a tel: URI", { ...NUMBER, forwardTo: "tel:+81312345678" }, false),
  everywhere("a SIP URI without a user", { forwardTo: "sip:pbx.example.com" }, false),
  everywhere("a sips: URI", { forwardTo: "sips:reception@pbx.example.com" }, false),
  everywhere("a SIP URI with a space", { forwardTo: "sip:front desk@pbx.example.com" }, false),
  everywhere("no forwardTo", { callerId: "+815012345678" }, false),
  everywhere("an empty forwardTo", { forwardTo: "" }, false),
  everywhere("a whitespace forwardTo", { forwardTo: " \t " }, false),
  everywhere("a number without caller ID", { forwardTo: "+81312345678" }, false),
  everywhere("a number with a blank caller ID", { ...NUMBER, callerId: "   " }, false),
  everywhere("a domestic caller ID", { ...NUMBER, callerId: "050-1234-5678" }, false),
  everywhere("a PBX with a caller ID", { ...SIP, callerId: "+815012345678" }, true),
  everywhere("a greeting with a vertical tab", { ...SIP, greeting: "hello\vworld" }, false),
  everywhere("a greeting with a NUL", { ...SIP, greeting: "hello\u0000world" }, false),
  everywhere("a greeting with U+FFFE", { ...SIP, greeting: "hello\ufffe" }, false),
  everywhere("a greeting with a bell", { ...SIP, greeting: "\u0007ring" }, false),
  everywhere(
    "a greeting on two lines with a tab",
    { ...SIP, greeting: "お電話\nありがとう\tございます" },
    true,
  ),
  everywhere("a whitespace greeting (none)", { ...SIP, greeting: "  \n " }, true),
  {
    what: "a greeting of 4,096 characters",
    values: { ...SIP, greeting: ascii(4096) },
    onLambda: false,
    elsewhere: true,
  },
  everywhere("a greeting of 4,097 characters", { ...SIP, greeting: ascii(4097) }, false),
  everywhere("3,000 ASCII characters of greeting", { ...SIP, greeting: ascii(3000) }, true),
  {
    what: "1,400 Japanese characters of greeting (4,200 bytes)",
    values: { ...SIP, greeting: japanese(1400) },
    onLambda: false,
    elsewhere: true,
  },
  {
    what: "two texts that fit alone but not together",
    values: { ...SIP, greeting: ascii(2100), unavailableMessage: ascii(2100) },
    onLambda: false,
    elsewhere: true,
  },
  everywhere(
    "an unavailable message with a form feed",
    { ...SIP, unavailableMessage: "a\fb" },
    false,
  ),
  everywhere(
    "an empty unavailable message (the default)",
    { ...SIP, unavailableMessage: "" },
    true,
  ),
  everywhere("ja-JP", { ...SIP, language: "ja-JP" }, true),
  everywhere("en-GB-WLS", { ...SIP, language: "en-GB-WLS" }, true),
  everywhere("a bare code", { ...SIP, language: "arb" }, true),
  everywhere("a language with blanks", { ...SIP, language: " en-US " }, true),
  everywhere("an empty language (the default)", { ...SIP, language: "" }, true),
  everywhere("ja_JP", { ...SIP, language: "ja_JP" }, false),
  everywhere("ja-jp", { ...SIP, language: "ja-jp" }, false),
  everywhere("Japanese", { ...SIP, language: "Japanese" }, false),
  everywhere("the shortest dial timeout", { ...SIP, dialTimeout: "5" }, true),
  everywhere("the longest dial timeout", { ...SIP, dialTimeout: "600" }, true),
  everywhere("a dial timeout with blanks", { ...SIP, dialTimeout: " 30 " }, true),
  everywhere("an empty dial timeout (the default)", { ...SIP, dialTimeout: "" }, true),
  everywhere("a dial timeout below the range", { ...SIP, dialTimeout: "4" }, false),
  everywhere("a dial timeout past the range", { ...SIP, dialTimeout: "601" }, false),
  everywhere("a negative dial timeout", { ...SIP, dialTimeout: "-5" }, false),
  everywhere("a decimal dial timeout", { ...SIP, dialTimeout: "30.0" }, false),
  everywhere("an exponent dial timeout", { ...SIP, dialTimeout: "3e1" }, false),
  everywhere("a hex dial timeout", { ...SIP, dialTimeout: "0x1E" }, false),
  everywhere("a dial timeout with a unit", { ...SIP, dialTimeout: "30s" }, false),
  // Business hours and voicemail (issue 20).
  everywhere("business hours unset (always open)", { ...SIP, businessHours: "" }, true),
  everywhere("business hours with two windows a day", { ...SIP, businessHours: HOURS }, true),
  everywhere(
    "business hours open to midnight, holidays open, a dated closure",
    {
      ...SIP,
      businessHours: hours({
        weekly: { fri: ["18:00-24:00"], sat: "00:00-02:00" },
        publicHolidays: "open",
        closed: ["2027-05-06", "2026-08-13..2026-08-16"],
      }),
    },
    true,
  ),
  everywhere(
    "business hours in another time zone",
    { ...SIP, businessHours: hours({ timeZone: "America/New_York", weekly: WEEKDAY_9_TO_6 }) },
    true,
  ),
  everywhere(
    "a window past midnight",
    { ...SIP, businessHours: hours({ weekly: { mon: ["22:00-02:00"] } }) },
    false,
  ),
  everywhere(
    "a window to 24:30",
    { ...SIP, businessHours: hours({ weekly: { mon: ["20:00-24:30"] } }) },
    false,
  ),
  everywhere(
    "a window without a leading zero",
    { ...SIP, businessHours: hours({ weekly: { mon: ["9:00-18:00"] } }) },
    false,
  ),
  everywhere(
    "overlapping windows",
    { ...SIP, businessHours: hours({ weekly: { mon: ["09:00-13:00", "12:00-18:00"] } }) },
    false,
  ),
  everywhere(
    "a misspelt day",
    { ...SIP, businessHours: hours({ weekly: { monday: ["09:00-18:00"] } }) },
    false,
  ),
  everywhere(
    "no opening window on any day",
    { ...SIP, businessHours: hours({ weekly: {} }) },
    false,
  ),
  everywhere(
    "an unknown time zone",
    { ...SIP, businessHours: hours({ timeZone: "Tokyo", weekly: WEEKDAY_9_TO_6 }) },
    false,
  ),
  everywhere(
    "a misspelt business-hours key",
    { ...SIP, businessHours: hours({ weekly: WEEKDAY_9_TO_6, holidays: "open" }) },
    false,
  ),
  everywhere(
    "publicHolidays neither closed nor open",
    { ...SIP, businessHours: hours({ weekly: WEEKDAY_9_TO_6, publicHolidays: "yes" }) },
    false,
  ),
  everywhere(
    "an unquoted date from a stack file, as the Pulumi CLI passes a YAML timestamp",
    {
      ...SIP,
      businessHours: hours({ weekly: WEEKDAY_9_TO_6, closed: ["2027-05-06 00:00:00 +0000 UTC"] }),
    },
    true,
  ),
  everywhere(
    "a timestamp that is not midnight",
    {
      ...SIP,
      businessHours: hours({ weekly: WEEKDAY_9_TO_6, closed: ["2027-05-06 09:00:00 +0000 UTC"] }),
    },
    false,
  ),
  everywhere(
    "a closed day that does not exist",
    { ...SIP, businessHours: hours({ weekly: WEEKDAY_9_TO_6, closed: ["02-30"] }) },
    false,
  ),
  everywhere(
    "a closed range mixing every-year and dated days",
    { ...SIP, businessHours: hours({ weekly: WEEKDAY_9_TO_6, closed: ["12-29..2027-01-03"] }) },
    false,
  ),
  everywhere(
    "a dated closed range ending before it starts",
    {
      ...SIP,
      businessHours: hours({ weekly: WEEKDAY_9_TO_6, closed: ["2027-01-03..2026-12-29"] }),
    },
    false,
  ),
  everywhere("business hours that are not an object", { ...SIP, businessHours: "9-18" }, false),
  {
    what: "business hours with 300 closed days (too large for the Lambda environment)",
    values: {
      ...SIP,
      businessHours: hours({
        weekly: WEEKDAY_9_TO_6,
        closed: Array.from({ length: 300 }, (_, i) =>
          new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10),
        ),
      }),
    },
    onLambda: false,
    elsewhere: true,
  },
  everywhere("voicemail on", { ...SIP, voicemail: "true" }, true),
  everywhere("voicemail off", { ...SIP, voicemail: " false " }, true),
  everywhere("an empty voicemail (the default, off)", { ...SIP, voicemail: "" }, true),
  everywhere("voicemail yes", { ...SIP, voicemail: "yes" }, false),
  everywhere("the shortest voicemail", { ...SIP, voicemailMaxSeconds: "5" }, true),
  everywhere("the longest voicemail", { ...SIP, voicemailMaxSeconds: "3600" }, true),
  everywhere("a voicemail too short", { ...SIP, voicemailMaxSeconds: "4" }, false),
  everywhere("a voicemail too long", { ...SIP, voicemailMaxSeconds: "3601" }, false),
  everywhere("a voicemail length in minutes", { ...SIP, voicemailMaxSeconds: "2m" }, false),
  everywhere(
    "an after-hours message with a form feed",
    { ...SIP, afterHoursMessage: "a\fb" },
    false,
  ),
  everywhere(
    "a voicemail prompt of 4,097 characters",
    { ...SIP, voicemailPrompt: ascii(4097) },
    false,
  ),
  everywhere("the follow-up on", { ...SIP, followUp: "true" }, true),
  everywhere("the follow-up with blanks", { ...SIP, followUp: " false " }, true),
  everywhere("an empty follow-up (the default, off)", { ...SIP, followUp: "" }, true),
  everywhere("a follow-up of yes", { ...SIP, followUp: "yes" }, false),
  everywhere("a follow-up of TRUE", { ...SIP, followUp: "TRUE" }, false),
  everywhere("a follow-up message", { ...SIP, followUpMessage: "折り返しご連絡します" }, true),
  everywhere("an empty follow-up message (the default)", { ...SIP, followUpMessage: "" }, true),
  {
    what: "a follow-up message of 5,000 characters",
    values: { ...SIP, followUpMessage: ascii(5000) },
    onLambda: false,
    elsewhere: true,
  },
  everywhere(
    "a follow-up message of 5,001 characters",
    { ...SIP, followUpMessage: ascii(5001) },
    false,
  ),
  {
    what: "1,400 Japanese characters of after-hours message",
    values: { ...SIP, afterHoursMessage: japanese(1400) },
    onLambda: false,
    elsewhere: true,
  },
];

/** The stack's reading: a stack file with these call settings, hosting the webhook or not. */
function stackAccepts(values: Values, onLambda: boolean) {
  const config: Record<string, string> = {
    "twilio:accountSid": TEST_ACCOUNT_SID,
    "twilio:authToken": TEST_AUTH_TOKEN,
    "line-call:sipDomainName": "acme-line.sip.twilio.com",
    "line-call:lineIpAddresses": JSON.stringify([{ ip: "203.0.113.10" }]),
    ...(onLambda
      ? { "aws:region": "ap-northeast-1" }
      : { "line-call:webhookBaseUrl": "https://twiml.example.com/line" }),
  };
  for (const [name, value] of Object.entries(values)) config[`line-call:${name}`] = value;
  // The follow-up pushes with the channel token a stack hosting the webhook must hold.
  const followUp = onLambda && values.followUp?.trim() === "true";
  if (followUp) config["line-call:lineChannelAccessToken"] = "corpus-line-channel-token";
  return validateConfig({
    stack: "prod",
    values: config,
    secretKeys: new Set(["twilio:authToken", "line-call:lineChannelAccessToken"]),
    env: {},
  });
}

/** The same values as the webhook's environment variables. */
function asEnvironment(values: Values): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [
      CALL_SETTINGS[name as CallSettingName].env,
      value,
    ]),
  );
}

/** The policy pack's reading: the webhook function's inputs, as a deployed stack gives them. */
function policyAccepts(values: Values): boolean {
  const variables = {
    ...asEnvironment(values),
    TWILIO_AUTH_TOKEN_PARAMETER: "/line-call/prod/twilio-auth-token",
    TWILIO_AUTH_TOKEN_VERSION: "1",
  };
  return checkWebhookCallSettings({ environment: { variables } }).length === 0;
}

const CUSTOMER_SID = `AC${"a".repeat(32)}`;

/** The shared webhook's reading: the values as a customer parameter carries them. */
function customerParameterAccepts(values: Values): boolean {
  const text = JSON.stringify({
    format: 1,
    accountSid: CUSTOMER_SID,
    authToken: TEST_AUTH_TOKEN,
    settings: asEnvironment(values),
  });
  return "customer" in decodeCustomerParameter(text, CUSTOMER_SID);
}

describe("one corpus of call settings through every reader", () => {
  it.each(CORPUS)("$what", ({ values, onLambda, elsewhere }) => {
    const hosted = stackAccepts(values, true);
    const ownHost = stackAccepts(values, false);
    expect({
      stackOnLambda: hosted.errors.length === 0,
      policyPack: policyAccepts(values),
      stackElsewhere: ownHost.errors.length === 0,
      webhook: readSettings(asEnvironment(values)).problems.length === 0,
      sharedWebhook: customerParameterAccepts(values),
    }).toEqual({
      stackOnLambda: onLambda,
      policyPack: onLambda,
      stackElsewhere: elsewhere,
      webhook: elsewhere,
      // SSM's own 4 KB limit is judged by the customer stack before writing (customerRole.test.ts).
      sharedWebhook: elsewhere,
    });
    // What the stack accepts, it hands the webhook in a form the webhook reads back the same.
    if (ownHost.config) {
      const handed = readSettings(callSettingsEnvironment(ownHost.config.call));
      expect(handed.problems).toEqual([]);
      expect(handed.call).toEqual(ownHost.config.call);
      const parameter = encodeCustomerParameter({
        accountSid: CUSTOMER_SID,
        authToken: TEST_AUTH_TOKEN,
        call: ownHost.config.call,
      });
      expect(decodeCustomerParameter(parameter, CUSTOMER_SID)).toEqual({
        customer: {
          accountSid: CUSTOMER_SID,
          authToken: TEST_AUTH_TOKEN,
          call: ownHost.config.call,
        },
      });
    }
  });

  it("names the setting and the fix in every reader's own terms", () => {
    const greeting = { ...SIP, greeting: "hello\vworld" };
    expect(stackAccepts(greeting, true).errors).toEqual([
      expect.stringMatching(
        /^line-call:greeting contains the control character U\+000B at character 6/,
      ),
    ]);
    expect(readSettings(asEnvironment(greeting)).problems).toEqual([
      expect.stringMatching(/^GREETING contains the control character U\+000B/),
    ]);
  });

  it("lists every business-hours problem at once, each naming its place in the value", () => {
    const values = {
      ...SIP,
      businessHours: hours({
        timeZone: "Tokyo",
        weekly: { mon: ["22:00-02:00"], tue: ["09:00-18:00"] },
        closed: ["02-30"],
      }),
    };
    const expected = (label: string) => [
      expect.stringMatching(new RegExp(`^${label}\\.timeZone "Tokyo" is not an IANA time zone`)),
      expect.stringMatching(
        new RegExp(`^${label}\\.weekly\\.mon "22:00-02:00" ends before it starts.*"22:00-24:00"`),
      ),
      expect.stringMatching(new RegExp(`^${label}\\.closed "02-30" is not a date`)),
    ];
    expect(stackAccepts(values, true).errors).toEqual(expected("line-call:businessHours"));
    expect(readSettings(asEnvironment(values)).problems).toEqual(expected("BUSINESS_HOURS"));
  });

  it("says how many bytes the Lambda environment would take and which texts to shorten", () => {
    const [problem] = stackAccepts({ ...SIP, greeting: japanese(1400) }, true).errors;
    expect(problem).toMatch(/^the webhook's settings take [\d,]+ bytes/);
    expect(problem).toContain(`AWS allows ${LAMBDA_ENVIRONMENT_MAX_BYTES.toLocaleString("en-US")}`);
    expect(problem).toContain("line-call:greeting takes 4,200");
  });
});
