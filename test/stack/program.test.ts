// The whole program (index.ts) under Pulumi's mocks, with stack config set as the CLI sets it:
// the resource graph per environment, the LINE-connected switch, IP list edits, validation before
// any resource, secrets, the shipped bundle, least-privilege IAM and bring-your-own-host mode.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ROUTES } from "../../lambda/contract";
import { SECRET_SIG, SPECIAL_SIG_KEY, UNKNOWN } from "../../model/pulumiEngine";
import { sipDomainProvider } from "../../providers";
import { buildLambdaBundle } from "../../stack/lambdaBundle";
import {
  MOCK_API_ENDPOINT,
  type ProgramRun,
  plaintextParts,
  type Registration,
  runProgram,
  SMOKE_TEST_RUN_TYPE,
  stackFileConfig,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
} from "../support/programHarness";

const T = {
  domain: "pulumi-nodejs:dynamic/twilio:SipDomain",
  list: "pulumi-nodejs:dynamic/twilio:IpAccessControlList",
  ip: "pulumi-nodejs:dynamic/twilio:IpAddress",
  mapping: "pulumi-nodejs:dynamic/twilio:IpAccessControlListMapping",
  smokeTest: SMOKE_TEST_RUN_TYPE,
  fn: "aws:lambda/function:Function",
  policy: "aws:iam/rolePolicy:RolePolicy",
  role: "aws:iam/role:Role",
  param: "aws:ssm/parameter:Parameter",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  api: "aws:apigatewayv2/api:Api",
  integration: "aws:apigatewayv2/integration:Integration",
  route: "aws:apigatewayv2/route:Route",
  stage: "aws:apigatewayv2/stage:Stage",
  permission: "aws:lambda/permission:Permission",
} as const;

const AWS_TYPES_IN_ORDER = [
  T.param,
  T.logGroup,
  T.role,
  T.policy,
  T.fn,
  T.api,
  T.integration,
  T.route,
  T.stage,
  T.permission,
];

function withToken(stack: string, overrides: Record<string, unknown> = {}) {
  return {
    stack,
    config: {
      ...stackFileConfig(stack),
      // What an operator fills in: the example files carry the placeholder SID.
      "twilio:accountSid": TEST_ACCOUNT_SID,
      "twilio:authToken": TEST_AUTH_TOKEN,
      ...overrides,
    },
    secretKeys: ["twilio:authToken"],
  };
}

/** Bring-your-own-host settings: the same Twilio side, no AWS (fast: no bundle build). */
function byo(overrides: Record<string, unknown> = {}, withAuthToken = true) {
  return {
    stack: "byo",
    config: {
      "twilio:accountSid": TEST_ACCOUNT_SID,
      ...(withAuthToken
        ? { "twilio:authToken": TEST_AUTH_TOKEN }
        : { "twilio:apiKey": `SK${"1".repeat(32)}`, "twilio:apiSecret": "s" }),
      "line-call:sipDomainName": "acme-line.sip.twilio.com",
      "line-call:forwardTo": "+81312345678",
      "line-call:callerId": "+815012345678",
      "line-call:webhookBaseUrl": "https://twiml.example.com/line",
      "line-call:lineIpAddresses": [{ ip: "203.0.113.10" }, { ip: "203.0.113.11" }],
      ...overrides,
    },
    secretKeys: ["twilio:authToken", "twilio:apiSecret"],
  };
}

function ipNames(run: ProgramRun): string[] {
  return run.byType(T.ip).map((r) => r.name);
}

function isSecretOnTheWire(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SPECIAL_SIG_KEY] === SECRET_SIG
  );
}

describe("prod and dev stacks on AWS", () => {
  let prod: ProgramRun;
  let dev: ProgramRun;
  let connected: ProgramRun;
  const builds: string[] = [];

  beforeAll(async () => {
    // Spy on the bundle build the program runs, keeping the real one.
    vi.doMock("../../stack/lambdaBundle", async (importOriginal) => {
      const original = await importOriginal<typeof import("../../stack/lambdaBundle")>();
      return {
        ...original,
        buildLambdaBundle: async (...args: Parameters<typeof original.buildLambdaBundle>) => {
          const built = await original.buildLambdaBundle(...args);
          builds.push(built.outfile);
          return built;
        },
      };
    });
    prod = await runProgram(withToken("prod"));
    dev = await runProgram(withToken("dev"));
    connected = await runProgram(withToken("prod", { "line-call:lineConnected": "true" }));
    vi.doUnmock("../../stack/lambdaBundle");
  });

  it("declare the Twilio connection, the AWS webhook and the smoke test, and nothing else", () => {
    for (const run of [prod, dev]) {
      expect(run.error).toBeUndefined();
      const counts: Record<string, number> = {};
      for (const r of run.registrations) counts[r.type] = (counts[r.type] ?? 0) + 1;
      const ips = (
        stackFileConfig(run === prod ? "prod" : "dev")["line-call:lineIpAddresses"] as unknown[]
      ).length;
      expect(counts).toEqual({
        "line-call:twilio:LineSipConnection": 1,
        "line-call:aws:TwimlWebhook": 1,
        "line-call:test:WebhookSmokeTest": 1,
        [T.domain]: 1,
        [T.list]: 1,
        [T.ip]: ips,
        [T.mapping]: 1,
        [T.smokeTest]: 1,
        ...Object.fromEntries(
          AWS_TYPES_IN_ORDER.map((t) => [t, t === T.route ? Object.keys(ROUTES).length : 1]),
        ),
      });
    }
  });

  it("name each IP entry after its address, under the connection component", () => {
    expect(ipNames(prod)).toEqual([
      "line-ip-203.0.113.10-32",
      "line-ip-203.0.113.11-32",
      "line-ip-198.51.100.20-32",
    ]);
    const connection = prod.one("line-call:twilio:LineSipConnection");
    for (const type of [T.domain, T.list, T.ip, T.mapping]) {
      for (const r of prod.byType(type)) expect(r.parent).toContain("LineSipConnection::line");
    }
    expect(connection.parent).toBe("");
    const ip = prod.one(T.ip, "line-ip-203.0.113.10-32").inputs;
    expect(ip).toMatchObject({
      ipAddress: "203.0.113.10",
      cidrPrefixLength: 32,
      friendlyName: "LINE SIP 1",
    });
  });

  it("map the list to the domain only after every entry exists", () => {
    const mapping = prod.one(T.mapping);
    expect(mapping.propertyDependencies.domainSid).toEqual([prod.one(T.domain).urn]);
    expect(mapping.propertyDependencies.ipAccessControlListSid).toEqual([prod.one(T.list).urn]);
    for (const ip of prod.byType(T.ip)) expect(mapping.dependencies).toContain(ip.urn);
  });

  it("leave voiceUrl out until LINE is connected, and always set fallback and status URLs", () => {
    const domain = prod.one(T.domain).inputs;
    expect(domain).not.toHaveProperty("voiceUrl");
    expect(domain).toMatchObject({
      domainName: "acme-line.sip.twilio.com",
      voiceFallbackUrl: `${MOCK_API_ENDPOINT}/fallback`,
      voiceStatusCallbackUrl: `${MOCK_API_ENDPOINT}/status`,
      voiceFallbackMethod: "POST",
      voiceStatusCallbackMethod: "POST",
    });
    expect(prod.outputs.voiceUrl).toBe("");
    expect(prod.outputs.lineConnected).toBe(false);
    expect(prod.outputs.nextStep).toBe(
      `Send LINE the SIP URI sip:acme-line.sip.tokyo.twilio.com (Twilio's Tokyo edge, for callers in Japan; the global sip:acme-line.sip.twilio.com also works) and Account SID ${TEST_ACCOUNT_SID}; when LINE confirms the link, open a PR setting line-call:lineConnected to true in Pulumi.prod.yaml.`,
    );
  });

  it("set voiceUrl to the API endpoint + /voice once connected, after the smoke test passed", () => {
    const domain = connected.one(T.domain);
    expect(domain.inputs.voiceUrl).toBe(`${MOCK_API_ENDPOINT}/voice`);
    expect(domain.inputs.voiceFallbackUrl).toBe(`${MOCK_API_ENDPOINT}/fallback`);
    expect(domain.inputs.voiceStatusCallbackUrl).toBe(`${MOCK_API_ENDPOINT}/status`);
    const command = connected.one(T.smokeTest);
    // A data dependency: the domain's Request URL is not written until the smoke test passed.
    expect(domain.propertyDependencies.voiceUrl).toContain(command.urn);
    expect(domain.propertyDependencies.voiceFallbackUrl).not.toContain(command.urn);
    expect(connected.outputs.voiceUrl).toBe(`${MOCK_API_ENDPOINT}/voice`);
    expect(connected.outputs.nextStep).toMatch(
      /^Connected: LINE calls to sip:acme-line\.sip\.twilio\.com/,
    );
  });

  it("export exactly the outputs an operator needs", () => {
    expect(Object.keys(prod.outputs).sort()).toEqual(
      [
        "sipUri",
        "sipUriTokyo",
        "sipDomainSid",
        "accountSid",
        "webhookBaseUrl",
        "voiceUrl",
        "lineConnected",
        "lineIpAddresses",
        "nextStep",
      ].sort(),
    );
    expect(prod.outputs).toMatchObject({
      sipUri: "sip:acme-line.sip.twilio.com",
      sipUriTokyo: "sip:acme-line.sip.tokyo.twilio.com",
      sipDomainSid: expect.stringMatching(/^SD[0-9a-f]{32}$/),
      accountSid: TEST_ACCOUNT_SID,
      webhookBaseUrl: MOCK_API_ENDPOINT,
    });
    expect(prod.outputs.lineIpAddresses).toEqual([
      expect.objectContaining({
        ip: "203.0.113.10",
        cidrPrefixLength: 32,
        friendlyName: "LINE SIP 1",
      }),
      expect.objectContaining({ ip: "203.0.113.11" }),
      expect.objectContaining({ ip: "198.51.100.20" }),
    ]);
  });

  it("smoke-test the deployed /voice with the real token, rerunning when code, settings or URL change", () => {
    const command = prod.one(T.smokeTest);
    expect(command.inputs.voiceUrl).toBe(`${MOCK_API_ENDPOINT}/voice`);
    expect(command.inputs.accountSid).toMatch(/^AC[0-9a-f]{32}$/);
    // The token is read from stack config by the provider: it is no input at all.
    expect(JSON.stringify(command.wire)).not.toContain(TEST_AUTH_TOKEN);
    const triggers = JSON.parse(command.inputs.triggers as string) as string[];
    const shipped = readFileSync(builds[0]);
    const { createHash } = require("node:crypto") as typeof import("node:crypto");
    expect(triggers).toContain(createHash("sha256").update(shipped).digest("hex"));
    expect(triggers.some((t) => typeof t === "string" && t.includes("FORWARD_TO"))).toBe(true);
    // It waits for everything a request passes through.
    for (const type of [T.fn, T.stage, T.permission, T.integration, T.route]) {
      for (const r of prod.byType(type)) expect(command.dependencies).toContain(r.urn);
    }
    const devTriggers = JSON.parse(dev.one(T.smokeTest).inputs.triggers as string) as string[];
    expect(devTriggers).not.toEqual(triggers);
  });

  it("ship the bundle built from the current lambda/ source during the run", async () => {
    expect(builds.length).toBe(3);
    const code = prod.one(T.fn).wire.code as { assets: Record<string, { path: string }> };
    expect(Object.keys(code.assets)).toEqual(["index.js"]);
    expect(code.assets["index.js"].path).toBe(builds[0]);
    const fresh = await mkdtemp(path.join(tmpdir(), "line-call-bundle-"));
    try {
      const rebuilt = await buildLambdaBundle({ outdir: fresh });
      expect(readFileSync(code.assets["index.js"].path)).toEqual(readFileSync(rebuilt.outfile));
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it("run the function on nodejs24.x arm64, logging JSON to its own log group with retention", () => {
    const fn = prod.one(T.fn).inputs;
    expect(fn).toMatchObject({
      runtime: "nodejs24.x",
      architectures: ["arm64"],
      handler: "index.handler",
      loggingConfig: { logFormat: "JSON", logGroup: "webhook-logs-1a2b3c" },
    });
    expect(prod.one(T.logGroup).inputs.retentionInDays).toBe(90);
    expect(dev.one(T.logGroup).inputs.retentionInDays).toBe(14);
    const variables = (fn.environment as { variables: Record<string, string> }).variables;
    expect(variables).toMatchObject({
      FORWARD_TO: "+81312345678",
      CALLER_ID: "+815012345678",
      GREETING: "お電話ありがとうございます。担当者におつなぎします。",
      SAY_LANGUAGE: "ja-JP",
      DIAL_TIMEOUT: "30",
      TWILIO_AUTH_TOKEN_PARAMETER: "/line-call/prod/twilio-auth-token",
    });
    expect(variables.UNAVAILABLE_MESSAGE.length).toBeGreaterThan(0);
    expect(Object.values(variables)).not.toContain(TEST_AUTH_TOKEN);
    expect(
      (dev.one(T.fn).inputs.environment as { variables: Record<string, string> }).variables,
    ).toMatchObject({
      FORWARD_TO: "sip:reception@pbx.example.com",
      DIAL_TIMEOUT: "20",
    });
  });

  it("hand the function business hours and voicemail in their canonical form, and none when unset", async () => {
    const variablesOf = (run: ProgramRun) =>
      (run.one(T.fn).inputs.environment as { variables: Record<string, string> }).variables;
    // As the CLI passes an object from the stack file: JSON text, here with blanks and defaults left out.
    const hours = {
      weekly: { fri: ["13:00-18:00", "09:00-12:00"] },
      closed: ["12-29..01-03"],
    };
    const withHours = await runProgram(
      withToken("prod", {
        "line-call:businessHours": JSON.stringify(hours, null, 2),
        "line-call:voicemail": "true",
      }),
    );
    expect(variablesOf(withHours)).toMatchObject({
      BUSINESS_HOURS:
        '{"timeZone":"Asia/Tokyo","weekly":{"fri":["09:00-12:00","13:00-18:00"]},"closed":["12-29..01-03"]}',
      VOICEMAIL: "true",
      VOICEMAIL_MAX_SECONDS: "120",
    });
    expect(variablesOf(prod)).toMatchObject({ BUSINESS_HOURS: "", VOICEMAIL: "false" });
  });

  it("serve every route of the contract through an HTTP API with a throttled, auto-deployed $default stage", () => {
    expect(prod.one(T.api).inputs.protocolType).toBe("HTTP");
    expect(prod.one(T.integration).inputs).toMatchObject({
      integrationType: "AWS_PROXY",
      payloadFormatVersion: "2.0",
      integrationUri: expect.stringContaining("webhook-function"),
    });
    expect(
      prod
        .byType(T.route)
        .map((r) => r.inputs.routeKey)
        .sort(),
    ).toEqual([
      "POST /fallback",
      "POST /status",
      "POST /voice",
      "POST /voice/after-dial",
      "POST /voice/after-record",
      "POST /voicemail/recording-status",
    ]);
    expect(prod.one(T.stage).inputs).toMatchObject({
      name: "$default",
      autoDeploy: true,
      defaultRouteSettings: { throttlingRateLimit: 20, throttlingBurstLimit: 40 },
    });
    expect(prod.one(T.permission).inputs).toMatchObject({
      action: "lambda:InvokeFunction",
      principal: "apigateway.amazonaws.com",
      sourceArn: "arn:aws:execute-api:ap-northeast-1:123456789012:abc123defg/*/POST/*",
    });
  });

  it("keep the token in an SSM SecureString and let the role read that parameter and nothing else", () => {
    const param = prod.one(T.param);
    expect(param.inputs).toMatchObject({
      type: "SecureString",
      name: "/line-call/prod/twilio-auth-token",
    });
    expect(isSecretOnTheWire(param.wire.value)).toBe(true);
    expect((param.wire.value as { value: string }).value).toBe(TEST_AUTH_TOKEN);

    const role = prod.one(T.role).inputs;
    expect(JSON.parse(role.assumeRolePolicy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
        },
      ],
    });
    expect(role).not.toHaveProperty("managedPolicyArns");
    expect(
      prod.registrations.filter(
        (r) => r.type.startsWith("aws:iam/") && r.type !== T.role && r.type !== T.policy,
      ),
    ).toEqual([]);
    const policy = JSON.parse(prod.one(T.policy).inputs.policy as string);
    expect(policy.Statement).toEqual([
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: "arn:aws:logs:ap-northeast-1:123456789012:log-group:webhook-logs-1a2b3c:*",
      },
      {
        Sid: "ReadTwilioAuthToken",
        Effect: "Allow",
        Action: "ssm:GetParameter",
        Resource:
          "arn:aws:ssm:ap-northeast-1:123456789012:parameter/line-call/prod/twilio-auth-token",
      },
    ]);
    // The function may write logs only once that policy exists.
    expect(prod.one(T.fn).dependencies).toContain(prod.one(T.policy).urn);
  });

  it("never put the auth token in plaintext into any input, output or serialized provider", () => {
    for (const run of [prod, dev, connected]) {
      const providers = run.registrations.filter((r) => typeof r.inputs.__provider === "string");
      expect(providers.length).toBeGreaterThanOrEqual(4);
      for (const r of run.registrations) {
        expect(JSON.stringify(plaintextParts(r.wire)), `${r.type} ${r.name}`).not.toContain(
          TEST_AUTH_TOKEN,
        );
      }
      expect(JSON.stringify(run.outputs)).not.toContain(TEST_AUTH_TOKEN);
    }
  });
});

describe("bring your own TwiML host (webhookBaseUrl)", () => {
  it("declares no AWS resources and points the domain under that base", async () => {
    const run = await runProgram(byo({ "line-call:lineConnected": "true" }));
    expect(run.error).toBeUndefined();
    expect(run.registrations.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
    expect(run.one(T.domain).inputs).toMatchObject({
      voiceUrl: "https://twiml.example.com/line/voice",
      voiceFallbackUrl: "https://twiml.example.com/line/fallback",
      voiceStatusCallbackUrl: "https://twiml.example.com/line/status",
    });
    expect(run.outputs.webhookBaseUrl).toBe("https://twiml.example.com/line");
    // The smoke test still guards the Request URL.
    const command = run.one(T.smokeTest);
    expect(command.inputs.voiceUrl).toBe("https://twiml.example.com/line/voice");
    expect(command.inputs.triggers).toBe("[]");
    expect(run.one(T.domain).propertyDependencies.voiceUrl).toContain(command.urn);
  });

  it("in a preview where the smoke test has yet to run, shows the Request URL as computed", async () => {
    const run = await runProgram({
      ...byo({ "line-call:lineConnected": "true" }),
      preview: true,
      smokeTestPending: true,
    });
    expect(run.error).toBeUndefined();
    const domain = run.one(T.domain).wire;
    expect(domain.voiceUrl).toBe(UNKNOWN);
    expect(domain.voiceFallbackUrl).toBe("https://twiml.example.com/line/fallback");
  });

  it("adopts an existing domain and list only when adoptExisting is true", async () => {
    const plain = await runProgram(byo());
    const adopting = await runProgram(byo({ "line-call:adoptExisting": "true" }));
    for (const type of [T.domain, T.list]) {
      expect(plain.one(type).inputs.adopt).toBe(false);
      expect(adopting.one(type).inputs.adopt).toBe(true);
    }
  });

  it("reruns the smoke test when the URL changes", async () => {
    const a = await runProgram(byo());
    const b = await runProgram(byo({ "line-call:webhookBaseUrl": "https://twiml2.example.com" }));
    expect(a.one(T.smokeTest).inputs.voiceUrl).not.toEqual(b.one(T.smokeTest).inputs.voiceUrl);
  });

  it("works with API-key credentials and no auth token, without a smoke test", async () => {
    const run = await runProgram(byo({ "line-call:lineConnected": "true" }, false));
    expect(run.error).toBeUndefined();
    expect(run.byType(T.smokeTest)).toEqual([]);
    expect(run.one(T.domain).inputs.voiceUrl).toBe("https://twiml.example.com/line/voice");
  });

  it("keeps an auth token from TWILIO_AUTH_TOKEN secret too", async () => {
    const settings = byo({}, false);
    const run = await runProgram({ ...settings, env: { TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN } });
    expect(run.byType(T.smokeTest)).toHaveLength(1);
    for (const r of run.registrations) {
      expect(JSON.stringify(plaintextParts(r.wire))).not.toContain(TEST_AUTH_TOKEN);
    }
  });
});

describe("flipping lineConnected", () => {
  /** What the engine would hand the SipDomain provider: the program's inputs after its check. */
  async function checkedDomainInputs(run: ProgramRun) {
    const { __provider: _serialized, ...inputs } = run.one(T.domain).inputs;
    const checked = await sipDomainProvider.check?.({}, inputs);
    expect(checked?.failures ?? []).toEqual([]);
    return checked?.inputs as Record<string, unknown>;
  }

  it("back to false clears the Request URL in place and touches nothing else", async () => {
    const on = await checkedDomainInputs(
      await runProgram(byo({ "line-call:lineConnected": "true" })),
    );
    const off = await checkedDomainInputs(
      await runProgram(byo({ "line-call:lineConnected": "false" })),
    );
    expect(on.voiceUrl).toBe("https://twiml.example.com/line/voice");
    // Left out by the program, filled as "" by the provider: an update that clears it in Twilio.
    expect(off.voiceUrl).toBe("");
    expect({ ...off, voiceUrl: on.voiceUrl }).toEqual(on);
    const diff = await sipDomainProvider.diff?.("SD".padEnd(34, "0"), on, off);
    expect(diff).toMatchObject({ changes: true, replaces: [] });
  });
});

describe("editing the LINE IP list", () => {
  const ips = (...list: string[]) => ({ "line-call:lineIpAddresses": list.map((ip) => ({ ip })) });
  let base: ProgramRun;
  beforeAll(async () => {
    base = await runProgram(byo(ips("203.0.113.10", "203.0.113.11", "203.0.113.12")));
  });

  function entryInputs(run: ProgramRun): Map<string, Registration["inputs"]> {
    return new Map(run.byType(T.ip).map((r) => [r.name, r.inputs]));
  }

  function expectUntouched(before: ProgramRun, after: ProgramRun, names: string[]) {
    const a = entryInputs(before);
    const b = entryInputs(after);
    for (const name of names) expect(b.get(name), name).toEqual(a.get(name));
  }

  it("adding one address adds exactly that entry", async () => {
    const after = await runProgram(
      byo(ips("203.0.113.10", "203.0.113.11", "203.0.113.12", "198.51.100.5")),
    );
    expect(new Set(ipNames(after))).toEqual(new Set([...ipNames(base), "line-ip-198.51.100.5-32"]));
    expectUntouched(base, after, ipNames(base));
  });

  it("removing one address removes exactly that entry", async () => {
    const after = await runProgram(byo(ips("203.0.113.10", "203.0.113.12")));
    expect(new Set(ipNames(after))).toEqual(
      new Set(ipNames(base).filter((n) => n !== "line-ip-203.0.113.11-32")),
    );
    expectUntouched(base, after, ipNames(after));
  });

  it("reordering changes nothing", async () => {
    const after = await runProgram(byo(ips("203.0.113.12", "203.0.113.10", "203.0.113.11")));
    expect(new Set(ipNames(after))).toEqual(new Set(ipNames(base)));
    expectUntouched(base, after, ipNames(base));
  });

  it("a CIDR range and a label become the entry's prefix and friendly name", async () => {
    const run = await runProgram(
      byo({
        "line-call:lineIpAddresses": [
          { ip: "198.51.100.0", cidrPrefixLength: 24, label: "LINE range" },
        ],
      }),
    );
    expect(run.one(T.ip, "line-ip-198.51.100.0-24").inputs).toMatchObject({
      ipAddress: "198.51.100.0",
      cidrPrefixLength: 24,
      friendlyName: "LINE range",
    });
  });
});

describe("invalid configuration", () => {
  it("fails with every problem listed before a single resource is declared", async () => {
    const run = await runProgram(
      withToken("prod", {
        "line-call:forwardTo": "0312345678",
        "line-call:lineIpAddresses": [{ ip: "203.0.113.10" }, { ip: "203.0.113.10" }],
        "line-call:sipDomainName": "acme",
        "twilio:authToken": undefined,
      }),
    );
    expect(run.registrations).toEqual([]);
    expect(run.error?.message).toMatch(/^Pulumi\.prod\.yaml has 4 problems; nothing was changed:/);
    for (const key of [
      "line-call:forwardTo",
      "line-call:lineIpAddresses[1] duplicates",
      "line-call:sipDomainName",
      "twilio:authToken",
    ]) {
      expect(run.error?.message).toContain(key);
    }
  });
});

afterAll(() => {
  vi.resetModules();
});
