// Missed-call channels and alarms on AWS, under Pulumi's mocks: the SNS topic, its e-mail
// subscriptions, the secrets parameter and the CloudWatch alarms are declared only when the stack
// file configures them, and the function's role may publish to that topic and read that
// parameter only. The config checks of the new keys run through validateConfig (what the program,
// `npm run validate` and `npm run ip-diff` share).
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SECRET_SIG, SPECIAL_SIG_KEY } from "../../model/pulumiEngine";
import { validateConfig } from "../../stack/config";
import { configReadersPerFile } from "../support/bothConfigReaders";
import {
  PROJECT_ROOT,
  type ProgramRun,
  plaintextParts,
  runProgram,
  stackFileConfig,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
} from "../support/programHarness";
import { withConfigKey } from "../support/stackFileText";

const TOPIC = "aws:sns/topic:Topic";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const PARAM = "aws:ssm/parameter:Parameter";
const POLICY = "aws:iam/rolePolicy:RolePolicy";
const FN = "aws:lambda/function:Function";

const TOPIC_ARN = "arn:aws:sns:ap-northeast-1:123456789012:line-call-prod-missed-calls";
const SLACK_URL = "https://hooks.slack.com/services/T0LINECALL/B0NOTIFY/s3cr3tPathOfTheHook0001";
const LINE_TOKEN = "lineChannelAccessToken+s3cr3t/0001=";

function prod(overrides: Record<string, unknown> = {}, secretKeys: string[] = []) {
  return {
    stack: "prod",
    config: {
      ...stackFileConfig("prod"),
      "twilio:accountSid": TEST_ACCOUNT_SID,
      "twilio:authToken": TEST_AUTH_TOKEN,
      ...overrides,
    },
    secretKeys: ["twilio:authToken", ...secretKeys],
  };
}

const SECRETS = {
  "line-call:notifySlackWebhookUrl": SLACK_URL,
  "line-call:lineChannelAccessToken": LINE_TOKEN,
  "line-call:followUp": "true",
};
const SECRET_KEYS = ["line-call:notifySlackWebhookUrl", "line-call:lineChannelAccessToken"];

function statements(run: ProgramRun): { Sid: string; Action: unknown; Resource: unknown }[] {
  return JSON.parse(run.one(POLICY).inputs.policy as string).Statement;
}

function variables(run: ProgramRun): Record<string, string> {
  return (run.one(FN).inputs.environment as { variables: Record<string, string> }).variables;
}

describe("missed-call channels on AWS", () => {
  let plain: ProgramRun;
  let emails: ProgramRun;
  let secrets: ProgramRun;
  let alarms: ProgramRun;

  beforeAll(async () => {
    plain = await runProgram(prod());
    emails = await runProgram(
      prod({ "line-call:notifyEmails": "frontdesk@example.com, owner@example.jp" }),
    );
    secrets = await runProgram(prod(SECRETS, SECRET_KEYS));
    alarms = await runProgram(
      prod({ "line-call:notifyEmails": "frontdesk@example.com", "line-call:alarms": "true" }),
    );
  }, 120_000);

  it("declares nothing of them when nothing is configured", () => {
    expect(plain.error).toBeUndefined();
    for (const type of [TOPIC, SUBSCRIPTION, ALARM, "line-call:aws:MissedCallChannels"]) {
      expect(plain.byType(type)).toEqual([]);
    }
    expect(plain.byType(PARAM).map((r) => r.inputs.name)).toEqual([
      "/line-call/prod/twilio-auth-token",
    ]);
    expect(statements(plain).map((s) => s.Sid)).toEqual(["WriteOwnLogs", "ReadTwilioAuthToken"]);
    expect(Object.keys(variables(plain)).filter((name) => name.startsWith("NOTIFY_"))).toEqual([]);
  });

  it("notifyEmails: one topic, one e-mail subscription per address, publish on that topic only", () => {
    expect(emails.error).toBeUndefined();
    const topic = emails.one(TOPIC);
    expect(topic.inputs).toMatchObject({ name: "line-call-prod-missed-calls" });
    expect(
      emails
        .byType(SUBSCRIPTION)
        .map((r) => [r.inputs.topic, r.inputs.protocol, r.inputs.endpoint]),
    ).toEqual([
      [TOPIC_ARN, "email", "frontdesk@example.com"],
      [TOPIC_ARN, "email", "owner@example.jp"],
    ]);
    expect(statements(emails)).toContainEqual({
      Sid: "PublishMissedCalls",
      Effect: "Allow",
      Action: "sns:Publish",
      Resource: TOPIC_ARN,
    });
    expect(variables(emails).NOTIFY_TOPIC_ARN).toBe(TOPIC_ARN);
    expect(variables(emails)).not.toHaveProperty("NOTIFY_SECRETS_PARAMETER");
    expect(emails.byType(ALARM)).toEqual([]);
  });

  it("the Slack URL and LINE token: one SecureString, a secret on the wire, readable by the role only", () => {
    expect(secrets.error).toBeUndefined();
    expect(secrets.byType(TOPIC)).toEqual([]);
    const param = secrets
      .byType(PARAM)
      .find((r) => r.inputs.name === "/line-call/prod/notify-secrets");
    if (!param) throw new Error("no notify-secrets parameter");
    expect(param.inputs.type).toBe("SecureString");
    expect(param.wire.value).toMatchObject({ [SPECIAL_SIG_KEY]: SECRET_SIG });
    expect(JSON.parse((param.wire.value as { value: string }).value)).toEqual({
      slackWebhookUrl: SLACK_URL,
      lineChannelAccessToken: LINE_TOKEN,
    });
    expect(statements(secrets)).toContainEqual({
      Sid: "ReadNotifySecrets",
      Effect: "Allow",
      Action: "ssm:GetParameter",
      Resource: "arn:aws:ssm:ap-northeast-1:123456789012:parameter/line-call/prod/notify-secrets",
    });
    expect(variables(secrets)).toMatchObject({
      NOTIFY_SECRETS_PARAMETER: "/line-call/prod/notify-secrets",
      NOTIFY_SECRETS_VERSION: "1",
      FOLLOW_UP: "true",
    });
    // Never in plaintext: not in any input, the function's environment, or an output.
    for (const r of secrets.registrations) {
      const text = JSON.stringify(plaintextParts(r.wire));
      expect(text, `${r.type} ${r.name}`).not.toContain("s3cr3tPathOfTheHook0001");
      expect(text, `${r.type} ${r.name}`).not.toContain(LINE_TOKEN);
    }
    expect(JSON.stringify(secrets.outputs)).not.toContain(LINE_TOKEN);
  });

  it("alarms: function errors, throttles and API 5xx, each notifying the topic when raised and cleared", () => {
    expect(alarms.error).toBeUndefined();
    const declared = alarms.byType(ALARM).map((r) => ({
      namespace: r.inputs.namespace,
      metricName: r.inputs.metricName,
      dimensions: r.inputs.dimensions,
      actions: [r.inputs.alarmActions, r.inputs.okActions],
      threshold: [r.inputs.comparisonOperator, r.inputs.threshold, r.inputs.treatMissingData],
    }));
    const fn = { FunctionName: "webhook-function-1a2b3c" };
    const common = {
      actions: [[TOPIC_ARN], [TOPIC_ARN]],
      threshold: ["GreaterThanOrEqualToThreshold", 1, "notBreaching"],
    };
    // Registered as their inputs resolve, in no fixed order.
    expect(declared).toHaveLength(3);
    expect(declared).toEqual(
      expect.arrayContaining([
        { namespace: "AWS/Lambda", metricName: "Errors", dimensions: fn, ...common },
        { namespace: "AWS/Lambda", metricName: "Throttles", dimensions: fn, ...common },
        {
          namespace: "AWS/ApiGateway",
          metricName: "5xx",
          dimensions: { ApiId: "abc123defg" },
          ...common,
        },
      ]),
    );
  });
});

/** The config check of the new keys, as the program, validate and ip-diff run it. */
function problems(values: Record<string, string>, secretKeys: string[] = [], hosted = true) {
  return validateConfig({
    stack: "prod",
    values: {
      "twilio:accountSid": TEST_ACCOUNT_SID,
      "twilio:authToken": TEST_AUTH_TOKEN,
      "line-call:sipDomainName": "acme-line.sip.twilio.com",
      "line-call:lineIpAddresses": JSON.stringify([{ ip: "203.0.113.10" }]),
      "line-call:forwardTo": "sip:reception@pbx.example.com",
      ...(hosted
        ? { "aws:region": "ap-northeast-1" }
        : { "line-call:webhookBaseUrl": "https://twiml.example.com/line" }),
      ...values,
    },
    secretKeys: new Set(["twilio:authToken", ...secretKeys]),
    env: {},
  }).errors;
}

describe("the notification keys' checks", () => {
  it("accept one address, addresses separated by commas, or a JSON list", () => {
    for (const value of [
      '["a@example.com","b@example.co.jp"]',
      "a@example.com",
      "a@example.com, b@example.jp",
    ]) {
      expect(problems({ "line-call:notifyEmails": value }), value).toEqual([]);
    }
  });

  it("name each bad address, duplicate, and the limit", () => {
    expect(
      problems({ "line-call:notifyEmails": '["frontdesk", "a@example.com", "A@example.com"]' }),
    ).toEqual([
      'line-call:notifyEmails entry "frontdesk" is not an e-mail address such as frontdesk@example.com',
      "line-call:notifyEmails lists A@example.com twice: SNS would mail it once anyway",
    ]);
    const eleven = JSON.stringify(Array.from({ length: 11 }, (_, i) => `a${i}@example.com`));
    expect(problems({ "line-call:notifyEmails": eleven })).toEqual([
      expect.stringMatching(/lists 11 addresses; at most 10: give a mailing list's address/),
    ]);
  });

  it("refuse secrets stored in plaintext, without echoing them", () => {
    const found = problems(SECRETS);
    expect(found).toEqual([
      expect.stringMatching(
        /^line-call:notifySlackWebhookUrl is stored in plaintext .* pulumi config set --secret notifySlackWebhookUrl$/,
      ),
      expect.stringMatching(
        /^line-call:lineChannelAccessToken is stored in plaintext .* pulumi config set --secret lineChannelAccessToken$/,
      ),
    ]);
    expect(found.join("\n")).not.toContain("s3cr3t");
  });

  it("refuse a Slack URL that is not https or has no path, without echoing it", () => {
    const key = "line-call:notifySlackWebhookUrl";
    const http = problems({ [key]: "http://hooks.slack.com/services/T/B/s3cr3t" }, [key]);
    expect(http).toEqual([
      expect.stringMatching(/^line-call:notifySlackWebhookUrl is not an https:\/\/ URL/),
    ]);
    expect(http.join()).not.toContain("s3cr3t");
    expect(problems({ [key]: "https://hooks.slack.com" }, [key])).toEqual([
      expect.stringMatching(/has no path: an incoming webhook's URL ends in its secret path/),
    ]);
  });

  it("need e-mail subscribers for alarms and a LINE token for the follow-up", () => {
    expect(problems({ "line-call:alarms": "true", "line-call:followUp": "true" })).toEqual([
      expect.stringMatching(/^line-call:alarms is true but line-call:notifyEmails is empty/),
      expect.stringMatching(
        /^line-call:followUp is true but line-call:lineChannelAccessToken is not set/,
      ),
    ]);
    expect(problems({ "line-call:alarms": "maybe" })).toEqual([
      'line-call:alarms must be true or false, not "maybe"',
    ]);
  });

  it("need the webhook hosted by this stack", () => {
    expect(
      problems(
        { "line-call:notifyEmails": "a@example.com", "line-call:alarms": "true" },
        [],
        false,
      ),
    ).toEqual([
      expect.stringMatching(
        /^line-call:notifyEmails, line-call:alarms need the webhook hosted by this stack on AWS/,
      ),
    ]);
  });
});

describe("a customer of a platform's shared webhook", () => {
  it("is refused notification keys in both readers: the shared webhook never uses per-stack channels", () => {
    let text = readFileSync(path.join(PROJECT_ROOT, "Pulumi.prod.yaml"), "utf8").replace(
      /AC0{32}/,
      TEST_ACCOUNT_SID,
    );
    for (const [key, value] of Object.entries({
      "line-call:platformStack": "acme/line-call/platform",
      "line-call:subaccountSid": "ACfedcba9876543210fedcba9876543210",
      "line-call:callerId": undefined,
      "line-call:forwardTo": "sip:reception@pbx.acme.example.com",
      "line-call:notifyEmails": "frontdesk@acme.example.com",
    })) {
      text = withConfigKey(text, key, value);
    }
    const { byProgram, byStackCheck } = configReadersPerFile()("acme", text, {
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    });
    expect(byProgram).toEqual([
      expect.stringMatching(
        /^line-call:notifyEmails needs the webhook hosted by this stack on AWS, and this stack has none \(.*a customer of a platform's shared webhook/,
      ),
    ]);
    expect(byStackCheck).toEqual(byProgram);
  });
});
