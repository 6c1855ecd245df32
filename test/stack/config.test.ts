// The stack config rules: every problem reported at once, each naming the key and the fix;
// Pulumi.yaml declares exactly the keys the program reads, with the same types and defaults; the
// example stacks are valid; and what the stack hands the webhook is what the webhook accepts.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { readSettings } from "../../lambda/config";
import { callSettingsEnvironment } from "../../model/callSettings";
import {
  type ConfigSource,
  PROJECT_KEYS,
  type ProjectKeySpec,
  readStackConfig,
  validateConfig,
} from "../../stack/config";
import {
  PROJECT_ROOT,
  stackFileConfig,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
} from "../support/programHarness";

const VALID: Record<string, unknown> = {
  "aws:region": "ap-northeast-1",
  "twilio:accountSid": TEST_ACCOUNT_SID,
  "twilio:authToken": TEST_AUTH_TOKEN,
  "line-call:sipDomainName": "acme-line.sip.twilio.com",
  "line-call:lineIpAddresses": [{ ip: "203.0.113.10" }, { ip: "203.0.113.11", label: "LINE 2" }],
  "line-call:forwardTo": "+81312345678",
  "line-call:callerId": "+815012345678",
};

/** A config source the way the CLI fills it: strings, lists as JSON. */
function source(
  config: Record<string, unknown>,
  options: { secretKeys?: string[]; env?: Record<string, string>; drop?: string[] } = {},
): ConfigSource {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (options.drop?.includes(key) || value === undefined) continue;
    values[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return {
    stack: "test",
    values,
    secretKeys: new Set(options.secretKeys ?? ["twilio:authToken", "twilio:apiSecret"]),
    env: options.env ?? {},
  };
}

function problems(
  overrides: Record<string, unknown>,
  options: Parameters<typeof source>[1] = {},
): string[] {
  return validateConfig(source({ ...VALID, ...overrides }, options)).errors;
}

describe("validateConfig", () => {
  it("accepts a complete config and fills the defaults Pulumi.yaml declares", () => {
    const { config, errors } = validateConfig(source(VALID));
    expect(errors).toEqual([]);
    expect(config).toMatchObject({
      sipDomainName: "acme-line.sip.twilio.com",
      lineConnected: false,
      call: {
        forwardTo: { kind: "number", value: "+81312345678" },
        language: "ja-JP",
        dialTimeout: 30,
      },
      logRetentionDays: 30,
      hasAuthToken: true,
    });
    expect(config?.call.greeting).toBeUndefined();
    expect(config?.webhookBaseUrl).toBeUndefined();
    expect(config?.lineIpAddresses.map((e) => e.resourceName)).toEqual([
      "line-ip-203.0.113.10-32",
      "line-ip-203.0.113.11-32",
    ]);
  });

  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      "a bad IP",
      { "line-call:lineIpAddresses": [{ ip: "203.0.113.300" }] },
      /lineIpAddresses\[0\]\.ip .*IPv4/,
    ],
    [
      "a duplicate IP",
      { "line-call:lineIpAddresses": [{ ip: "203.0.113.10" }, { ip: "203.0.113.10" }] },
      /lineIpAddresses\[1\] duplicates .*\[0\].*remove one/,
    ],
    [
      "more than 100 entries",
      {
        "line-call:lineIpAddresses": Array.from({ length: 101 }, (_, i) => ({
          ip: `10.0.${Math.floor(i / 200)}.${i}`,
        })),
      },
      /101 entries; Twilio allows at most 100/,
    ],
    ["no IP list", { "line-call:lineIpAddresses": undefined }, /lineIpAddresses is not set/],
    [
      "an IP list set as one plain string (pulumi config set lineIpAddresses 203.0.113.10)",
      { "line-call:lineIpAddresses": "203.0.113.10" },
      /lineIpAddresses must be a list .* plain string "203\.0\.113\.10" .*config set --path 'lineIpAddresses\[0\]\.ip' 203\.0\.113\.10/,
    ],
    [
      "a quoted cidrPrefixLength",
      { "line-call:lineIpAddresses": [{ ip: "203.0.113.10", cidrPrefixLength: "32" }] },
      /lineIpAddresses\[0\]\.cidrPrefixLength "32" is a quoted string: write the number without quotes/,
    ],
    [
      "a bare-string IP entry",
      { "line-call:lineIpAddresses": ["203.0.113.10"] },
      /lineIpAddresses\[0\] is the bare value "203\.0\.113\.10": write each entry as an object, - ip: 203\.0\.113\.10/,
    ],
    [
      "a bad E.164 forwardTo",
      { "line-call:forwardTo": "03-1234-5678" },
      /line-call:forwardTo "03-1234-5678" is neither .* e\.g\. \+81312345678/,
    ],
    [
      "a bad SIP forwardTo",
      { "line-call:forwardTo": "sip:pbx.example.com" },
      /line-call:forwardTo .* sip:user@host/,
    ],
    [
      "a SIP forwardTo the webhook would refuse (quote in the user part)",
      { "line-call:forwardTo": 'sip:"desk"@pbx.example.com' },
      /line-call:forwardTo .* sip:user@host/,
    ],
    ["no forwardTo", { "line-call:forwardTo": undefined }, /line-call:forwardTo is not set/],
    [
      "a missing callerId when forwarding to a number",
      { "line-call:callerId": undefined },
      /line-call:callerId is not set: forwarding to a phone number needs one of your Twilio numbers/,
    ],
    [
      "a callerId that is not E.164",
      { "line-call:callerId": "050-1234-5678" },
      /callerId .* \+815012345678/,
    ],
    ["no sipDomainName", { "line-call:sipDomainName": undefined }, /sipDomainName is not set/],
    [
      "a sipDomainName outside sip.twilio.com",
      { "line-call:sipDomainName": "acme-line" },
      /must end in \.sip\.twilio\.com, e\.g\. acme-line\.sip\.twilio\.com/,
    ],
    [
      "a sipDomainName with forbidden characters",
      { "line-call:sipDomainName": "acme_line.sip.twilio.com" },
      /letters, digits and "-"/,
    ],
    [
      "lineConnected not boolean",
      { "line-call:lineConnected": "yes" },
      /lineConnected must be true or false/,
    ],
    ["a dialTimeout out of range", { "line-call:dialTimeout": "2" }, /dialTimeout "2" .* 5 to 600/],
    ["a dialTimeout that is not a number", { "line-call:dialTimeout": "30s" }, /dialTimeout "30s"/],
    ["a bad language", { "line-call:language": "japanese" }, /language "japanese" .* ja-JP/],
    [
      "a too long greeting",
      { "line-call:greeting": "あ".repeat(4097) },
      /greeting is 4097 characters/,
    ],
    [
      "a retention CloudWatch does not offer",
      { "line-call:logRetentionDays": "10" },
      /logRetentionDays "10" .* one of 1, 3, 5, 7, 14, 30/,
    ],
    [
      "a plain-http webhookBaseUrl",
      { "line-call:webhookBaseUrl": "http://twiml.example.com" },
      /webhookBaseUrl .* must use https/,
    ],
    [
      "a webhookBaseUrl with a query",
      { "line-call:webhookBaseUrl": "https://twiml.example.com/?x=1" },
      /without query/,
    ],
    [
      "a relative webhookBaseUrl",
      { "line-call:webhookBaseUrl": "twiml/line" },
      /not an absolute URL/,
    ],
    [
      "a misspelt key",
      { "line-call:lineConected": "true" },
      /line-call:lineConected is not a line-call setting: did you mean line-call:lineConnected\?/,
    ],
    [
      "a misspelt Twilio key",
      { "twilio:acountSid": "AC0123456789abcdef0123456789abcdef" },
      /twilio:acountSid is not a twilio setting: did you mean twilio:accountSid\?/,
    ],
    ["no account SID", { "twilio:accountSid": undefined }, /twilio:accountSid is not set/],
    [
      "an API key as account SID",
      { "twilio:accountSid": `SK${"0".repeat(32)}` },
      /AC followed by 32 hex/,
    ],
    [
      "no auth token for the AWS-hosted webhook",
      { "twilio:authToken": undefined },
      /twilio:authToken is not set: the webhook checks every request's signature/,
    ],
    ["a malformed auth token", { "twilio:authToken": "not-a-token" }, /not a Twilio auth token/],
    [
      "an API key without secret",
      { "twilio:apiKey": `SK${"1".repeat(32)}` },
      /twilio:apiSecret is not set/,
    ],
    [
      "no AWS region",
      { "aws:region": undefined },
      /aws:region is not set: pulumi config set aws:region/,
    ],
    ["a bad AWS region", { "aws:region": "tokyo" }, /aws:region "tokyo"/],
  ];
  it.each(cases)("reports %s, naming the key and the fix", (_what, overrides, expected) => {
    const found = problems(overrides);
    expect(
      found.some((p) => expected.test(p)),
      found.join("\n"),
    ).toBe(true);
  });

  it("suggests the E.164 form of a Japanese domestic number", () => {
    expect(problems({ "line-call:forwardTo": "03-1234-5678" }).join("\n")).toContain(
      "+81312345678 for 03-1234-5678",
    );
  });

  it("refuses a secret stored in plaintext in the stack file", () => {
    expect(problems({}, { secretKeys: [] })).toContainEqual(
      expect.stringMatching(
        /twilio:authToken is stored in plaintext .* pulumi config set --secret twilio:authToken/,
      ),
    );
  });

  it("takes credentials and region from the environment as the providers and AWS do", () => {
    const { errors } = validateConfig(
      source(VALID, {
        drop: ["twilio:accountSid", "twilio:authToken", "aws:region"],
        env: {
          TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
          TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
          AWS_REGION: "ap-northeast-1",
        },
      }),
    );
    expect(errors).toEqual([]);
  });

  it("needs neither AWS nor an auth token when webhookBaseUrl names your own TwiML host", () => {
    const { config, errors } = validateConfig(
      source(
        {
          ...VALID,
          "line-call:webhookBaseUrl": "https://twiml.example.com/line/",
          "twilio:apiKey": `SK${"1".repeat(32)}`,
          "twilio:apiSecret": "secret",
        },
        { drop: ["aws:region", "twilio:authToken"] },
      ),
    );
    expect(errors).toEqual([]);
    expect(config?.webhookBaseUrl).toBe("https://twiml.example.com/line");
    expect(config?.hasAuthToken).toBe(false);
  });

  it("allows plain http only for a localhost webhook (local trials)", () => {
    expect(problems({ "line-call:webhookBaseUrl": "http://127.0.0.1:4011" })).toEqual([]);
  });

  it("does not need callerId when forwarding to a SIP URI", () => {
    expect(
      problems({
        "line-call:forwardTo": "sip:reception@pbx.example.com",
        "line-call:callerId": undefined,
      }),
    ).toEqual([]);
  });

  it("lists every problem in one error, before anything else happens", () => {
    const broken = source({
      ...VALID,
      "line-call:forwardTo": "0312345678",
      "line-call:callerId": undefined,
      "line-call:dialTimeout": "1",
      "line-call:lineIpAddresses": [{ ip: "203.0.113.10/32" }],
    });
    let caught: Error | undefined;
    try {
      readStackConfig(broken);
    } catch (error) {
      caught = error as Error;
    }
    expect(caught?.message).toMatch(/^Pulumi\.test\.yaml has 3 problems; nothing was changed:/);
    expect(caught?.message).toContain("line-call:forwardTo");
    expect(caught?.message).toContain("line-call:dialTimeout");
    expect(caught?.message).toContain("line-call:lineIpAddresses[0].ip");
  });
});

describe("Pulumi.yaml", () => {
  const project = YAML.parse(readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as {
    name: string;
    runtime: { name: string };
    config: Record<string, { type?: string; description?: string; default?: unknown }>;
  };

  it("is the nodejs project line-call", () => {
    expect(project.name).toBe("line-call");
    expect(project.runtime.name).toBe("nodejs");
  });

  it("declares exactly the keys the program reads, with their types, defaults and a description", () => {
    expect(Object.keys(project.config).sort()).toEqual(Object.keys(PROJECT_KEYS).sort());
    for (const [name, spec] of Object.entries(PROJECT_KEYS) as Array<[string, ProjectKeySpec]>) {
      const declared = project.config[name];
      expect(declared.description?.length, name).toBeGreaterThan(20);
      expect(declared.type, name).toBe(spec.type);
      expect(declared.default, name).toEqual(spec.default);
    }
  });
});

describe("the example stacks", () => {
  for (const stack of ["prod", "dev"]) {
    it(`Pulumi.${stack}.yaml is valid once its account SID and auth token are set`, () => {
      const config = stackFileConfig(stack);
      expect(Object.keys(config)).not.toContain("twilio:authToken");
      const filledIn = { ...config, "twilio:authToken": TEST_AUTH_TOKEN };
      // Until the operator replaces the placeholder SID, that is the one problem.
      expect(validateConfig(source(filledIn)).errors).toEqual([
        expect.stringMatching(/^twilio:accountSid is still the placeholder AC000…: put in the SID/),
      ]);
      const { errors } = validateConfig(
        source({ ...filledIn, "twilio:accountSid": TEST_ACCOUNT_SID }),
      );
      expect(errors).toEqual([]);
    });

    it(`Pulumi.${stack}.yaml lists only documentation addresses (LINE supplies the real ones)`, () => {
      const ips = stackFileConfig(stack)["line-call:lineIpAddresses"] as Array<{ ip: string }>;
      for (const { ip } of ips) {
        expect(ip).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\./);
      }
    });
  }

  it("hand the webhook settings it accepts without a single problem", () => {
    for (const stack of ["prod", "dev"]) {
      const { config } = validateConfig(
        source({
          ...stackFileConfig(stack),
          "twilio:accountSid": TEST_ACCOUNT_SID,
          "twilio:authToken": TEST_AUTH_TOKEN,
        }),
      );
      if (!config) throw new Error(`Pulumi.${stack}.yaml is invalid`);
      const settings = readSettings(callSettingsEnvironment(config.call));
      expect(settings.problems).toEqual([]);
      expect(settings.call).toEqual(config.call);
    }
  });
});
