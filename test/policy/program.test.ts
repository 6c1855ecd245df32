// The Twilio resources the real program (index.ts) declares for the committed prod IP list, sent
// to the policy pack exactly as the engine would send them (inputs on the wire, property
// dependencies, unknowns during preview): the stack as shipped passes, a wide range does not.
import { describe, expect, it } from "vitest";
import { POLICY_NAMES, TWILIO_TYPE_PREFIX } from "../../policy/rules";
import { policyConfigFor } from "../../scripts/gitops/policyConfig";
import { type EngineResource, usePolicyPack } from "../support/policyPackHost";
import {
  runProgram,
  stackFileConfig,
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
} from "../support/programHarness";

/** prod's committed config, with its webhook on a host of its own (no AWS build needed). */
function prodSettings(overrides: Record<string, unknown>, preview: boolean) {
  return {
    stack: "prod",
    preview,
    config: {
      ...stackFileConfig("prod"),
      "twilio:accountSid": TEST_ACCOUNT_SID,
      "twilio:authToken": TEST_AUTH_TOKEN,
      "line-call:webhookBaseUrl": "https://twiml.example.com/line",
      ...overrides,
    },
    secretKeys: ["twilio:authToken"],
  };
}

async function twilioResources(
  overrides: Record<string, unknown> = {},
  preview = true,
): Promise<EngineResource[]> {
  const run = await runProgram(prodSettings(overrides, preview));
  if (run.error) throw run.error;
  return run.registrations
    .filter((r) => r.type.startsWith(TWILIO_TYPE_PREFIX))
    .map((r) => ({
      type: r.type,
      name: r.name,
      urn: r.urn,
      properties: r.wire,
      propertyDependencies: r.propertyDependencies,
    }));
}

describe("the program's Twilio resources under the policy pack", () => {
  const host = usePolicyPack();

  async function violations(resources: EngineResource[]) {
    const perResource = await Promise.all(resources.map((r) => host().analyze(r)));
    return [...perResource.flat(), ...(await host().analyzeStack(resources))];
  }

  it("passes the committed prod stack, in a preview and in an update, connected or not", async () => {
    await host().configure(policyConfigFor(stackFileConfig("prod")));
    for (const [overrides, preview] of [
      [{}, true],
      [{}, false],
      [{ "line-call:lineConnected": "true" }, false],
    ] as const) {
      const resources = await twilioResources(overrides, preview);
      const entries = (stackFileConfig("prod")["line-call:lineIpAddresses"] as unknown[]).length;
      expect(resources.map((r) => r.type.slice(TWILIO_TYPE_PREFIX.length)).sort()).toEqual([
        "IpAccessControlList",
        "IpAccessControlListMapping",
        ...Array(entries).fill("IpAddress"),
        "SipDomain",
      ]);
      expect(await violations(resources)).toEqual([]);
    }
  });

  it("refuses a /16 entry until the stack sets line-call:allowWideIpRanges", async () => {
    const wide = {
      "line-call:lineIpAddresses": [
        ...(stackFileConfig("prod")["line-call:lineIpAddresses"] as unknown[]),
        { ip: "11.20.0.0", cidrPrefixLength: 16, label: "typo" },
      ],
    };
    await host().configure(policyConfigFor(prodSettings(wide, true).config));
    expect(await violations(await twilioResources(wide))).toEqual([
      expect.objectContaining({
        policyName: POLICY_NAMES.ipRangeWidth,
        enforcementLevel: "mandatory",
        message: expect.stringContaining("11.20.0.0/16 admits 65,536 addresses"),
      }),
    ]);

    const optedIn = { ...wide, "line-call:allowWideIpRanges": "true" };
    await host().configure(policyConfigFor(prodSettings(optedIn, true).config));
    // The program accepts the key (Pulumi.yaml declares it) and the pack honours it.
    expect(await violations(await twilioResources(optedIn))).toEqual([]);
  });
});
