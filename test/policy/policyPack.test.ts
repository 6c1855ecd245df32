// The pack as `pulumi preview --policy-pack policy` runs it: booted by Pulumi's own runner,
// configured and queried over the Analyzer protocol with engine-shaped resources.
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../model/pulumiEngine";
import {
  IP_ACCESS_CONTROL_LIST_MAPPING_TYPE,
  IP_ACCESS_CONTROL_LIST_TYPE,
  IP_ADDRESS_TYPE,
  LAMBDA_FUNCTION_TYPE,
  POLICY_NAMES,
  SIP_DOMAIN_TYPE,
} from "../../policy/rules";
import { policyConfigFor } from "../../scripts/gitops/policyConfig";
import { type EngineResource, urnOf, usePolicyPack } from "../support/policyPackHost";

const PROVIDER = { __provider: "exports.handler = __f0;" };
const wideEntry: EngineResource = {
  type: IP_ADDRESS_TYPE,
  name: "line-ip-198.51.0.0-16",
  properties: {
    ...PROVIDER,
    ipAccessControlListSid: UNKNOWN,
    ipAddress: "198.51.0.0",
    cidrPrefixLength: 16,
    friendlyName: "LINE range",
  },
  propertyDependencies: { ipAccessControlListSid: [urnOf(IP_ACCESS_CONTROL_LIST_TYPE, "line")] },
};

/** A first preview of the stack: every SID is still unknown; references are dependencies. */
function previewStack(options: { mapping: boolean }): EngineResource[] {
  const domainUrn = urnOf(SIP_DOMAIN_TYPE, "line");
  const listUrn = urnOf(IP_ACCESS_CONTROL_LIST_TYPE, "line");
  return [
    {
      type: SIP_DOMAIN_TYPE,
      name: "line",
      properties: {
        ...PROVIDER,
        domainName: "acme-line.sip.twilio.com",
        voiceFallbackUrl: UNKNOWN,
        voiceStatusCallbackUrl: UNKNOWN,
      },
    },
    { type: IP_ACCESS_CONTROL_LIST_TYPE, name: "line", properties: { friendlyName: "LINE" } },
    {
      type: IP_ADDRESS_TYPE,
      name: "line-ip-203.0.113.10-32",
      properties: {
        ...PROVIDER,
        ipAccessControlListSid: UNKNOWN,
        ipAddress: "203.0.113.10",
        cidrPrefixLength: 32,
        friendlyName: "203.0.113.10/32",
      },
      propertyDependencies: { ipAccessControlListSid: [listUrn] },
    },
    ...(options.mapping
      ? [
          {
            type: IP_ACCESS_CONTROL_LIST_MAPPING_TYPE,
            name: "line",
            properties: { ...PROVIDER, domainSid: UNKNOWN, ipAccessControlListSid: UNKNOWN },
            propertyDependencies: {
              domainSid: [domainUrn],
              ipAccessControlListSid: [listUrn],
            },
          },
        ]
      : []),
  ];
}

describe("policy pack under Pulumi's policy runner", () => {
  const host = usePolicyPack();

  it("declares the rules as mandatory, with the opt-in as policy config", async () => {
    const info = await host().info();
    expect(info.name).toBe("line-call");
    expect(info.policies.map((p) => p.name).sort()).toEqual(Object.values(POLICY_NAMES).sort());
    expect(new Set(info.policies.map((p) => p.enforcementLevel))).toEqual(new Set(["mandatory"]));
    expect(info.policies.find((p) => p.name === POLICY_NAMES.ipRangeWidth)?.configSchema).toEqual({
      allowWideIpRanges: { type: "boolean", default: false },
    });
  });

  it("refuses a /16 entry by default and accepts it once the stack's opt-in is configured", async () => {
    // Resource-level diagnostics carry no URN: the engine attaches the resource it analysed.
    expect(await host().analyze(wideEntry)).toEqual([
      expect.objectContaining({
        policyName: POLICY_NAMES.ipRangeWidth,
        enforcementLevel: "mandatory",
        message: expect.stringContaining("\n198.51.0.0/16 admits 65,536 addresses"),
      }),
    ]);
    // The file scripts/policy-config.ts writes from the stack's line-call:allowWideIpRanges.
    await host().configure(policyConfigFor({ "line-call:allowWideIpRanges": true }));
    expect(await host().analyze(wideEntry)).toEqual([]);
    await host().configure(policyConfigFor({ "line-call:allowWideIpRanges": false }));
    expect(await host().analyze(wideEntry)).toHaveLength(1);
  });

  it("refuses a plain-HTTP voiceUrl and passes unknown URLs during preview", async () => {
    const domain = previewStack({ mapping: true })[0];
    expect(await host().analyze(domain)).toEqual([]);
    const http = await host().analyze({
      ...domain,
      properties: { ...domain.properties, voiceUrl: "http://hooks.example.com/voice" },
    });
    expect(http).toEqual([
      expect.objectContaining({
        policyName: POLICY_NAMES.httpsWebhooks,
        enforcementLevel: "mandatory",
        message: expect.stringMatching(/\nvoiceUrl .* uses http/),
      }),
    ]);
  });

  it("passes a first preview of the stack and refuses one whose domain lost its mapping", async () => {
    expect(await host().analyzeStack(previewStack({ mapping: true }))).toEqual([]);
    expect(await host().analyzeStack(previewStack({ mapping: false }))).toEqual([
      expect.objectContaining({
        policyName: POLICY_NAMES.authCallsMapping,
        enforcementLevel: "mandatory",
        urn: urnOf(SIP_DOMAIN_TYPE, "line"),
      }),
    ]);
  });

  it("judges the webhook function's call settings by the webhook's own contract", async () => {
    // In a preview the token parameter's name and version are not known yet.
    const webhook = (variables: Record<string, string>): EngineResource => ({
      type: LAMBDA_FUNCTION_TYPE,
      name: "webhook-function",
      properties: {
        environment: {
          variables: {
            FORWARD_TO: "sip:reception@pbx.example.com",
            ...variables,
            TWILIO_AUTH_TOKEN_PARAMETER: UNKNOWN,
            TWILIO_AUTH_TOKEN_VERSION: UNKNOWN,
          },
        },
      },
    });
    expect(await host().analyze(webhook({ GREETING: "お電話ありがとうございます。" }))).toEqual([]);
    expect(await host().analyze(webhook({ GREETING: "hello\vworld" }))).toEqual([
      expect.objectContaining({
        policyName: POLICY_NAMES.webhookCallSettings,
        message: expect.stringContaining("\nGREETING contains the control character U+000B"),
      }),
    ]);
    expect(await host().analyze(webhook({ GREETING: "あ".repeat(1400) }))).toEqual([
      expect.objectContaining({
        policyName: POLICY_NAMES.webhookCallSettings,
        message: expect.stringContaining("and AWS allows 4,096 in all"),
      }),
    ]);
  });
});
