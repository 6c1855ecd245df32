import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  checkAuthCallsMapping,
  checkHttpsWebhookUrls,
  checkIpEntriesDistinct,
  checkIpEntryPublic,
  checkIpListSize,
  checkIpRangeWidth,
  IP_ACCESS_CONTROL_LIST_MAPPING_TYPE,
  IP_ACCESS_CONTROL_LIST_TYPE,
  IP_ADDRESS_TYPE,
  SIP_DOMAIN_TYPE,
  type StackResource,
} from "../../policy/rules";

// CrossGuard's own preview proxy: reading an unknown value through it throws, as in a real preview.
const crossGuardProxy = createRequire(__filename)("@pulumi/policy/proxy") as {
  unknownCheckingProxy: <T extends object>(o: T) => T;
  unknownStringValue: unknown;
  unknownNumberValue: unknown;
};

// Dynamic resources carry their serialized provider as an input; the rules must ignore it.
const PROVIDER = { __provider: "exports.handler = __f0; /* serialized provider */" };

const ipAddress = (ip: string, cidrPrefixLength?: number) => ({
  ...PROVIDER,
  ipAccessControlListSid: "AL00000000000000000000000000000001",
  ipAddress: ip,
  ...(cidrPrefixLength === undefined ? {} : { cidrPrefixLength }),
  friendlyName: `${ip}/${cidrPrefixLength ?? 32}`,
});

describe(`ip range width rule (${IP_ADDRESS_TYPE})`, () => {
  it("passes single addresses, /24 and a missing prefix (Twilio stores it as /32)", () => {
    expect(checkIpRangeWidth(ipAddress("203.0.113.10", 32), {})).toEqual([]);
    expect(checkIpRangeWidth(ipAddress("203.0.113.0", 24), {})).toEqual([]);
    expect(checkIpRangeWidth(ipAddress("203.0.113.10"), {})).toEqual([]);
  });

  it("fails anything wider than /24, naming the range and the opt-in key", () => {
    const [problem, ...rest] = checkIpRangeWidth(ipAddress("198.51.100.0", 23), {});
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^198\.51\.100\.0\/23 admits 512 addresses, wider than \/24/);
    expect(problem).toMatch(/line-call:allowWideIpRanges: true/);
    expect(checkIpRangeWidth(ipAddress("10.0.0.0", 8), { allowWideIpRanges: false })).toHaveLength(
      1,
    );
  });

  it("words a prefix that is not a number as the program's config check does", () => {
    expect(checkIpRangeWidth({ ...ipAddress("203.0.113.10"), cidrPrefixLength: "32" }, {})).toEqual(
      [
        'cidrPrefixLength "32" is a quoted string: write the number without quotes, cidrPrefixLength: 32',
      ],
    );
  });

  it("passes wide ranges when the stack opts in", () => {
    expect(checkIpRangeWidth(ipAddress("10.0.0.0", 8), { allowWideIpRanges: true })).toEqual([]);
  });

  it("judges the prefix even while the address is unknown, and skips an unknown prefix", () => {
    const unknownAddress = crossGuardProxy.unknownCheckingProxy({
      ...ipAddress("x", 16),
      ipAddress: crossGuardProxy.unknownStringValue,
    });
    expect(checkIpRangeWidth(unknownAddress, {})[0]).toMatch(/address not known yet.*\/16/);
    const unknownPrefix = crossGuardProxy.unknownCheckingProxy({
      ...ipAddress("10.0.0.0"),
      cidrPrefixLength: crossGuardProxy.unknownNumberValue,
    });
    expect(checkIpRangeWidth(unknownPrefix, {})).toEqual([]);
  });
});

describe(`HTTPS webhook rule (${SIP_DOMAIN_TYPE})`, () => {
  const domain = {
    ...PROVIDER,
    domainName: "acme-line.sip.twilio.com",
    voiceFallbackUrl: "https://abc.execute-api.ap-northeast-1.amazonaws.com/fallback",
    voiceStatusCallbackUrl: "https://abc.execute-api.ap-northeast-1.amazonaws.com/status",
  };

  it("passes HTTPS URLs and an unset or cleared voiceUrl (not connected to LINE yet)", () => {
    expect(checkHttpsWebhookUrls(domain)).toEqual([]);
    expect(checkHttpsWebhookUrls({ ...domain, voiceUrl: "" })).toEqual([]);
    expect(
      checkHttpsWebhookUrls({ ...domain, voiceUrl: "HTTPS://abc.example.com/voice?x=1" }),
    ).toEqual([]);
  });

  it("fails each of voiceUrl, voiceFallbackUrl and voiceStatusCallbackUrl on plain HTTP or non-URLs", () => {
    const problems = checkHttpsWebhookUrls({
      ...domain,
      voiceUrl: "http://abc.example.com/voice",
      voiceFallbackUrl: "abc.example.com/fallback",
      voiceStatusCallbackUrl: "ftp://abc.example.com/status",
    });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^voiceUrl "http:\/\/abc\.example\.com\/voice" uses http: .*https/);
    expect(problems[1]).toMatch(/^voiceFallbackUrl "abc\.example\.com\/fallback" is not a URL/);
    expect(problems[2]).toMatch(/^voiceStatusCallbackUrl .* uses ftp/);
  });

  it("checks the known URLs while others are still unknown in a preview", () => {
    const props = crossGuardProxy.unknownCheckingProxy({
      ...domain,
      voiceUrl: crossGuardProxy.unknownStringValue,
      voiceFallbackUrl: "http://abc.example.com/fallback",
    });
    expect(checkHttpsWebhookUrls(props)).toEqual([
      expect.stringMatching(/^voiceFallbackUrl .* uses http/),
    ]);
  });
});

/** A stack built the way index.ts builds it; references carry property dependencies. */
function stack(
  options: {
    entries?: number;
    mappings?: number;
    unknownSids?: boolean;
    referencesBySidOnly?: boolean;
    /** The entries' ranges, instead of `entries` single addresses. */
    ranges?: Array<[string, number]>;
  } = {},
): StackResource[] {
  const { entries = 2, mappings = 1, unknownSids = false, referencesBySidOnly = false } = options;
  const urn = (type: string, name: string) => `urn:pulumi:prod::line-call::${type}::${name}`;
  const wrap = (props: Record<string, unknown>) =>
    crossGuardProxy.unknownCheckingProxy({ ...PROVIDER, ...props });
  const sid = (value: string) => (unknownSids ? crossGuardProxy.unknownStringValue : value);
  const dependsOn = (input: string, target: StackResource) =>
    referencesBySidOnly ? {} : { [input]: [target] };
  const domain: StackResource = {
    type: SIP_DOMAIN_TYPE,
    urn: urn(SIP_DOMAIN_TYPE, "line-domain"),
    name: "line-domain",
    props: wrap({ domainName: "acme-line.sip.twilio.com", sid: sid("SD01") }),
    propertyDependencies: {},
  };
  const list: StackResource = {
    type: IP_ACCESS_CONTROL_LIST_TYPE,
    urn: urn(IP_ACCESS_CONTROL_LIST_TYPE, "line-ips"),
    name: "line-ips",
    props: wrap({ friendlyName: "LINE", sid: sid("AL01") }),
    propertyDependencies: {},
  };
  const ranges =
    options.ranges ??
    Array.from({ length: entries }, (_, i): [string, number] => [`203.0.${i >> 8}.${i & 255}`, 32]);
  const addresses: StackResource[] = ranges.map(([ip, prefix]) => {
    return {
      type: IP_ADDRESS_TYPE,
      urn: urn(IP_ADDRESS_TYPE, `line-ip-${ip}-${prefix}`),
      name: `line-ip-${ip}-${prefix}`,
      props: wrap({ ...ipAddress(ip, prefix), ipAccessControlListSid: sid("AL01") }),
      propertyDependencies: dependsOn("ipAccessControlListSid", list),
    };
  });
  const mappingResources: StackResource[] = Array.from({ length: mappings }, (_, i) => ({
    type: IP_ACCESS_CONTROL_LIST_MAPPING_TYPE,
    urn: urn(IP_ACCESS_CONTROL_LIST_MAPPING_TYPE, `line-auth-calls-${i}`),
    name: `line-auth-calls-${i}`,
    props: wrap({ domainSid: sid("SD01"), ipAccessControlListSid: sid("AL01") }),
    propertyDependencies: {
      ...dependsOn("domainSid", domain),
      ...dependsOn("ipAccessControlListSid", list),
    },
  }));
  return [domain, list, ...addresses, ...mappingResources];
}

describe("IP list size rule (stack)", () => {
  it("passes 100 entries in one list", () => {
    expect(checkIpListSize(stack({ entries: 100 }))).toEqual([]);
  });

  it("fails 101 entries, on the list's URN, both by dependency and by SID", () => {
    for (const options of [{ unknownSids: true }, { referencesBySidOnly: true }]) {
      const violations = checkIpListSize(stack({ entries: 101, ...options }));
      expect(violations).toEqual([
        {
          urn: "urn:pulumi:prod::line-call::pulumi-nodejs:dynamic/twilio:IpAccessControlList::line-ips",
          message: expect.stringMatching(/line-ips has 101 entries; Twilio allows at most 100/),
        },
      ]);
    }
  });
});

describe("Auth-Calls mapping rule (stack)", () => {
  it("passes one mapping to a non-empty list, in a preview (unknown SIDs) and after up", () => {
    expect(checkAuthCallsMapping(stack({ unknownSids: true }))).toEqual([]);
    expect(checkAuthCallsMapping(stack({ referencesBySidOnly: true }))).toEqual([]);
  });

  it("fails a domain without a mapping", () => {
    expect(checkAuthCallsMapping(stack({ mappings: 0 }))).toEqual([
      {
        urn: expect.stringContaining("SipDomain::line-domain"),
        message: expect.stringMatching(/line-domain has no Auth-Calls IP access control list/),
      },
    ]);
  });

  it("fails a domain with two mappings", () => {
    expect(checkAuthCallsMapping(stack({ mappings: 2, unknownSids: true }))).toEqual([
      {
        urn: expect.stringContaining("SipDomain::line-domain"),
        message: expect.stringMatching(
          /has 2 .* mappings \(line-auth-calls-0, line-auth-calls-1\)/,
        ),
      },
    ]);
  });

  it("fails a mapped list with no entries", () => {
    expect(checkAuthCallsMapping(stack({ entries: 0 }))).toEqual([
      {
        urn: expect.stringContaining("IpAccessControlList::line-ips"),
        message: expect.stringMatching(
          /line-ips, mapped to SIP domain line-domain, has no entries/,
        ),
      },
    ]);
  });
});

describe(`public entries rule (${IP_ADDRESS_TYPE})`, () => {
  it("passes public and documentation addresses, refuses private and reserved space", () => {
    expect(checkIpEntryPublic(ipAddress("147.92.160.1", 32))).toEqual([]);
    expect(checkIpEntryPublic(ipAddress("203.0.113.10", 32))).toEqual([]);
    for (const [ip, prefix, kind] of [
      ["10.1.2.3", 32, "private"],
      ["192.168.0.0", 24, "private"],
      ["127.0.0.1", 32, "loopback"],
      ["100.64.0.1", 32, "carrierGradeNat"],
      ["169.254.1.1", 32, "linkLocal"],
      ["224.0.0.5", 32, "multicast"],
      ["198.18.0.0", 15, "reserved"],
    ] as const) {
      expect(checkIpEntryPublic(ipAddress(ip, prefix))).toEqual([
        expect.stringContaining(`${ip}/${prefix} is ${kind} address space`),
      ]);
    }
    // A range that starts public and runs into special space.
    // A range whose ends are public but which holds private space between them.
    expect(checkIpEntryPublic(ipAddress("8.0.0.0", 6))[0]).toMatch(
      /^8\.0\.0\.0\/6 reaches into private address space \(10\.0\.0\.0\/8\)/,
    );
  });

  it("skips what is not known yet", () => {
    const unknownAddress = crossGuardProxy.unknownCheckingProxy({
      ...ipAddress("x", 32),
      ipAddress: crossGuardProxy.unknownStringValue,
    });
    expect(checkIpEntryPublic(unknownAddress)).toEqual([]);
  });
});

describe("distinct entries rule (stack)", () => {
  it("passes neighbouring ranges, refuses an entry inside another of the same list", () => {
    expect(
      checkIpEntriesDistinct(
        stack({
          ranges: [
            ["198.51.100.0", 28],
            ["198.51.100.16", 28],
          ],
        }),
      ),
    ).toEqual([]);
    expect(
      checkIpEntriesDistinct(
        stack({
          ranges: [
            ["198.51.100.0", 28],
            ["198.51.100.5", 32],
          ],
        }),
      ),
    ).toEqual([
      {
        urn: expect.stringContaining("IpAddress::line-ip-198.51.100.5-32"),
        message: expect.stringMatching(
          /198\.51\.100\.5\/32 lies inside line-ip-198\.51\.100\.0-28 198\.51\.100\.0\/28/,
        ),
      },
    ]);
  });
});
