// During a preview any input may be the engine's unknown sentinel (a value computed from another
// resource). Every provider's check must let it through, field by field, without throwing and
// without a failure, and keep it for the engine to fill in later.
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../model/pulumiEngine";
import {
  ipAccessControlListMappingProvider,
  ipAccessControlListProvider,
  ipAddressProvider,
  sipDomainProvider,
} from "../../providers";
import { webhookSmokeTestProvider } from "../../providers/webhookSmokeTest";

const known = {
  ipAddress: {
    ipAccessControlListSid: `AL${"0".repeat(32)}`,
    ipAddress: "203.0.113.10",
    cidrPrefixLength: 32,
    friendlyName: "LINE SIP 1",
  },
  ipAccessControlList: { friendlyName: "line-call prod: LINE SIP servers" },
  ipAccessControlListMapping: {
    domainSid: `SD${"0".repeat(32)}`,
    ipAccessControlListSid: `AL${"0".repeat(32)}`,
  },
  sipDomain: { domainName: "acme-line.sip.twilio.com", voiceUrl: "https://example.com/voice" },
  webhookSmokeTest: { voiceUrl: "https://example.com/voice", timeoutSeconds: 90 },
};

const providers = {
  ipAddress: ipAddressProvider,
  ipAccessControlList: ipAccessControlListProvider,
  ipAccessControlListMapping: ipAccessControlListMappingProvider,
  sipDomain: sipDomainProvider,
  webhookSmokeTest: webhookSmokeTestProvider,
};

describe.each(Object.keys(known) as Array<keyof typeof known>)("%s check", (kind) => {
  const fields = Object.keys(known[kind]);
  it.each(fields)("passes an unknown %s through", async (field) => {
    const news = { ...known[kind], [field]: UNKNOWN };
    const result = await providers[kind].check?.({}, news);
    expect(result?.failures).toBeUndefined();
    expect(result?.inputs[field]).toBe(UNKNOWN);
  });

  it("passes every field unknown at once", async () => {
    const news = Object.fromEntries(fields.map((field) => [field, UNKNOWN]));
    const result = await providers[kind].check?.({}, news);
    expect(result?.failures).toBeUndefined();
  });
});
