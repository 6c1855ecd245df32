// The three stack roles of one program under Pulumi's mocks (index.ts → stack/roles/): a platform
// stack declares the shared webhook and nothing of Twilio; a customer stack declares its Twilio
// resources in its subaccount (read from the Twilio stand-in with the parent's credentials) and
// one SecureString under the platform's prefix, found by StackReference; the IAM policy lets the
// shared function read that prefix and nothing else. A single stack's resources and outputs are
// held as before by program.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTwilioStandin, type TwilioStandin } from "../../devkit/twilio-standin/server";
import { ROUTES } from "../../lambda/contract";
import { decodeCustomerParameter } from "../../lambda/customerParameter";
import { SECRET_SIG, SPECIAL_SIG_KEY } from "../../model/pulumiEngine";
import {
  MOCK_API_ENDPOINT,
  MOCK_AWS,
  type ProgramRun,
  runProgram,
  SMOKE_TEST_RUN_TYPE,
} from "../support/programHarness";

const PLATFORM = "acme/line-call/platform";
const PREFIX = "/line-call/platform/customers";
const SUBACCOUNT = { sid: `AC${"5a".repeat(16)}`, authToken: "5b".repeat(16) };
const T = {
  param: "aws:ssm/parameter:Parameter",
  policy: "aws:iam/rolePolicy:RolePolicy",
  fn: "aws:lambda/function:Function",
  domain: "pulumi-nodejs:dynamic/twilio:SipDomain",
} as const;

/** Every type the run declared, with how many of each. */
function counts(run: ProgramRun): Record<string, number> {
  const result: Record<string, number> = {};
  for (const r of run.registrations) result[r.type] = (result[r.type] ?? 0) + 1;
  return result;
}

function isSecretOnTheWire(value: unknown): value is { value: string } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SPECIAL_SIG_KEY] === SECRET_SIG
  );
}

const AWS_WEBHOOK_TYPES = {
  "line-call:aws:TwimlWebhook": 1,
  "aws:cloudwatch/logGroup:LogGroup": 1,
  "aws:iam/role:Role": 1,
  "aws:iam/rolePolicy:RolePolicy": 1,
  "aws:lambda/function:Function": 1,
  "aws:apigatewayv2/api:Api": 1,
  "aws:apigatewayv2/integration:Integration": 1,
  "aws:apigatewayv2/route:Route": Object.keys(ROUTES).length,
  "aws:apigatewayv2/stage:Stage": 1,
  "aws:lambda/permission:Permission": 1,
};

describe("platform stack (line-call:role platform)", () => {
  let platform: ProgramRun;
  beforeAll(async () => {
    platform = await runProgram({
      stack: "platform",
      config: { "aws:region": "ap-northeast-1", "line-call:role": "platform" },
    });
  }, 60_000);

  it("declares the shared Lambda and HTTP API and nothing of Twilio: no parameter, no smoke test", () => {
    expect(platform.error).toBeUndefined();
    expect(counts(platform)).toEqual(AWS_WEBHOOK_TYPES);
    expect(platform.byType(SMOKE_TEST_RUN_TYPE)).toEqual([]);
  });

  it("gives the function only the customers' prefix, and outputs its base URL and the prefix", () => {
    expect(platform.one(T.fn).inputs.environment).toEqual({
      variables: { CUSTOMER_PARAMETER_PREFIX: PREFIX },
    });
    expect(platform.outputs).toEqual({
      role: "platform",
      webhookBaseUrl: MOCK_API_ENDPOINT,
      customerParameterPrefix: PREFIX,
      functionName: "webhook-function-1a2b3c",
      logGroupName: "webhook-logs-1a2b3c",
    });
  });

  it("lets the role read the parameters under the prefix, and nothing else", () => {
    const policy = JSON.parse(platform.one(T.policy).inputs.policy as string);
    const { accountId, region } = MOCK_AWS;
    expect(policy.Statement).toEqual([
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `arn:aws:logs:${region}:${accountId}:log-group:webhook-logs-1a2b3c:*`,
      },
      {
        Sid: "ReadCustomerParameters",
        Effect: "Allow",
        Action: "ssm:GetParameter",
        Resource: `arn:aws:ssm:${region}:${accountId}:parameter${PREFIX}/*`,
      },
    ]);
  });
});

describe("customer stack (line-call:platformStack)", () => {
  let twilio: TwilioStandin;
  let customer: ProgramRun;
  let connected: ProgramRun;

  const customerConfig = (lineConnected: boolean) => ({
    stack: "acme-dental",
    config: {
      "twilio:accountSid": twilio.accountSid,
      "twilio:authToken": twilio.authToken,
      "twilio:apiBaseUrl": twilio.url,
      "aws:region": "ap-northeast-1",
      "line-call:platformStack": PLATFORM,
      "line-call:subaccountSid": SUBACCOUNT.sid,
      "line-call:sipDomainName": "acme-dental-line.sip.twilio.com",
      "line-call:forwardTo": "sip:reception@pbx.acme-dental.example.com",
      "line-call:greeting": "アクメ歯科でございます。",
      "line-call:lineIpAddresses": [{ ip: "203.0.113.10" }, { ip: "203.0.113.11" }],
      "line-call:lineConnected": String(lineConnected),
    },
    secretKeys: ["twilio:authToken"],
    stackReferences: {
      [PLATFORM]: { webhookBaseUrl: MOCK_API_ENDPOINT, customerParameterPrefix: PREFIX },
    },
  });

  beforeAll(async () => {
    twilio = await startTwilioStandin({ port: 0, subaccounts: [SUBACCOUNT] });
    customer = await runProgram(customerConfig(false));
    connected = await runProgram(customerConfig(true));
  }, 60_000);
  afterAll(async () => {
    await twilio?.close();
  });

  it("declares its Twilio resources in the subaccount and one SSM parameter: no Lambda, API, role or smoke test", () => {
    for (const run of [customer, connected]) {
      expect(run.error).toBeUndefined();
      expect(counts(run)).toEqual({
        "line-call:twilio:LineSipConnection": 1,
        "pulumi-nodejs:dynamic/twilio:SipDomain": 1,
        "pulumi-nodejs:dynamic/twilio:IpAccessControlList": 1,
        "pulumi-nodejs:dynamic/twilio:IpAddress": 2,
        "pulumi-nodejs:dynamic/twilio:IpAccessControlListMapping": 1,
        [T.param]: 1,
      });
      for (const r of run.registrations.filter((x) =>
        x.type.startsWith("pulumi-nodejs:dynamic/twilio:"),
      )) {
        expect(r.inputs.accountSid, r.name).toBe(SUBACCOUNT.sid);
      }
    }
  });

  it("writes a SecureString under the platform's prefix, named for the subaccount, holding its token and settings", () => {
    const param = customer.one(T.param);
    expect(param.inputs).toMatchObject({
      type: "SecureString",
      name: `${PREFIX}/${SUBACCOUNT.sid}`,
    });
    expect(isSecretOnTheWire(param.wire.value)).toBe(true);
    const text = (param.wire.value as { value: string }).value;
    const decoded = decodeCustomerParameter(text, SUBACCOUNT.sid);
    expect(decoded).toMatchObject({
      customer: {
        accountSid: SUBACCOUNT.sid,
        authToken: SUBACCOUNT.authToken,
        call: {
          forwardTo: { kind: "sip", value: "sip:reception@pbx.acme-dental.example.com" },
          greeting: "アクメ歯科でございます。",
        },
      },
    });
    // Nowhere in plaintext: not in any input, output or the parameter's description.
    const plaintext = JSON.stringify(
      customer.registrations.map((r) => ({ ...r.wire, value: "[checked above]" })),
    );
    expect(plaintext).not.toContain(SUBACCOUNT.authToken);
    expect(JSON.stringify(customer.outputs)).not.toContain(SUBACCOUNT.authToken);
  });

  it("points the Request URL at the platform's webhook once lineConnected, after the parameter is written", () => {
    expect(customer.one(T.domain).inputs).not.toHaveProperty("voiceUrl");
    const domain = connected.one(T.domain);
    expect(domain.inputs).toMatchObject({
      voiceUrl: `${MOCK_API_ENDPOINT}/voice`,
      voiceFallbackUrl: `${MOCK_API_ENDPOINT}/fallback`,
      voiceStatusCallbackUrl: `${MOCK_API_ENDPOINT}/status`,
    });
    expect(domain.propertyDependencies.voiceUrl).toContain(connected.one(T.param).urn);
    expect(connected.outputs).toMatchObject({
      role: "customer",
      platformStack: PLATFORM,
      customerParameterName: `${PREFIX}/${SUBACCOUNT.sid}`,
      webhookBaseUrl: MOCK_API_ENDPOINT,
      voiceUrl: `${MOCK_API_ENDPOINT}/voice`,
      accountSid: SUBACCOUNT.sid,
    });
  });
});
