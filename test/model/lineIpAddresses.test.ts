import { describe, expect, it } from "vitest";
import { parseLineIpAddresses } from "../../model/lineIpAddresses";

describe("parseLineIpAddresses", () => {
  it("accepts addresses and ranges, defaulting the prefix and friendly name", () => {
    const { entries, errors } = parseLineIpAddresses([
      { ip: "203.0.113.10" },
      { ip: "198.51.100.0", cidrPrefixLength: 24, label: "LINE range" },
    ]);
    expect(errors).toEqual([]);
    expect(entries).toEqual([
      {
        ip: "203.0.113.10",
        cidrPrefixLength: 32,
        resourceName: "line-ip-203.0.113.10-32",
        friendlyName: "203.0.113.10/32",
      },
      {
        ip: "198.51.100.0",
        cidrPrefixLength: 24,
        label: "LINE range",
        resourceName: "line-ip-198.51.100.0-24",
        friendlyName: "LINE range",
      },
    ]);
  });

  it("reports one message per problem, naming the key, the entry and the fix", () => {
    const { errors } = parseLineIpAddresses([
      { ip: "203.0.113.300" },
      { ip: "203.0.113.0/24" },
      { ip: "203.0.113.1", cidrPrefixLength: 0 },
      { ip: "203.0.113.2", cidrPrefixLength: 33 },
      { ip: "203.0.113.5", cidrPrefixLength: 24 },
      { ip: "203.0.113.9" },
      { ip: "203.0.113.9" },
      { ip: "203.0.113.8", prefix: 32 },
      { ip: "203.0.113.7", label: "" },
      42,
    ]);
    expect(errors).toHaveLength(9);
    expect(errors[0]).toMatch(/lineIpAddresses\[0\]\.ip "203\.0\.113\.300" is not an IPv4/);
    expect(errors[1]).toMatch(/\[1\]\.ip .*contains a prefix.*cidrPrefixLength/);
    expect(errors[2]).toMatch(/\[2\]\.cidrPrefixLength 0 is not allowed.*stores it as 32/);
    expect(errors[3]).toMatch(/\[3\]\.cidrPrefixLength must be from 1 to 32/);
    expect(errors[4]).toMatch(
      /\[4\] 203\.0\.113\.5\/24 has host bits set: write ip: 203\.0\.113\.0/,
    );
    expect(errors[5]).toMatch(/\[6\] duplicates line-call:lineIpAddresses\[5\]/);
    expect(errors[6]).toMatch(/\[7\]\.prefix is not a known field/);
    expect(errors[7]).toMatch(/\[8\]\.label must be a non-empty string/);
    expect(errors[8]).toMatch(/\[9\] must be an object/);
  });

  it("refuses a quoted prefix, saying to write it without quotes", () => {
    const { entries, errors } = parseLineIpAddresses([
      { ip: "203.0.113.10", cidrPrefixLength: "32" },
      { ip: "203.0.113.11", cidrPrefixLength: 31.5 },
    ]);
    expect(entries).toEqual([]);
    expect(errors).toEqual([
      'line-call:lineIpAddresses[0].cidrPrefixLength "32" is a quoted string: write the number without quotes, cidrPrefixLength: 32',
      "line-call:lineIpAddresses[1].cidrPrefixLength must be a whole number from 1 to 32, not 31.5",
    ]);
  });

  it("refuses a bare address as an entry, showing the object form", () => {
    const { entries, errors } = parseLineIpAddresses(["203.0.113.10", { ip: "203.0.113.11" }]);
    expect(entries.map((e) => e.ip)).toEqual(["203.0.113.11"]);
    expect(errors).toEqual([
      expect.stringMatching(
        /^line-call:lineIpAddresses\[0\] is the bare value "203\.0\.113\.10": write each entry as an object, - ip: 203\.0\.113\.10 /,
      ),
    ]);
  });

  it("explains a whole list left as a plain string by pulumi config set", () => {
    const [problem, ...rest] = parseLineIpAddresses("203.0.113.10").errors;
    expect(rest).toEqual([]);
    expect(problem).toMatch(/must be a list of .* not the plain string "203\.0\.113\.10"/);
    expect(problem).toContain("pulumi config rm lineIpAddresses");
    expect(problem).toContain("pulumi config set --path 'lineIpAddresses[0].ip' 203.0.113.10");
    expect(problem).toContain("line-call:lineIpAddresses: [{ip: 203.0.113.10}]");
  });

  it("refuses more than 100 entries and a missing or empty list", () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ ip: `11.0.${i >> 8}.${i & 255}` }));
    expect(parseLineIpAddresses(many).errors).toEqual([
      expect.stringMatching(/has 101 entries; Twilio allows at most 100.*21237/),
    ]);
    expect(parseLineIpAddresses(undefined).errors[0]).toMatch(/is not set/);
    expect(parseLineIpAddresses([]).errors[0]).toMatch(/is empty/);
    expect(parseLineIpAddresses("203.0.113.1").errors[0]).toMatch(/must be a list/);
  });
});

describe("entries LINE could not have given", () => {
  it("refuses private, loopback and reserved space, and accepts documentation addresses", () => {
    const { errors } = parseLineIpAddresses([
      { ip: "203.0.113.10" },
      { ip: "10.0.0.1" },
      { ip: "192.168.1.0", cidrPrefixLength: 24 },
      { ip: "127.0.0.1" },
      { ip: "0.0.0.0", cidrPrefixLength: 8 },
    ]);
    expect(errors).toEqual([
      expect.stringMatching(
        /^line-call:lineIpAddresses\[1\] 10\.0\.0\.1\/32 is private address space/,
      ),
      expect.stringMatching(/^line-call:lineIpAddresses\[2\] 192\.168\.1\.0\/24 is private/),
      expect.stringMatching(/^line-call:lineIpAddresses\[3\] 127\.0\.0\.1\/32 is loopback/),
      expect.stringMatching(/^line-call:lineIpAddresses\[4\] 0\.0\.0\.0\/8 is unspecified/),
    ]);
  });

  it("refuses an entry that shares addresses with an earlier one, either way round", () => {
    expect(
      parseLineIpAddresses([
        { ip: "198.51.100.0", cidrPrefixLength: 28 },
        { ip: "198.51.100.5" },
        { ip: "198.51.100.16", cidrPrefixLength: 28 },
      ]).errors,
    ).toEqual([
      "line-call:lineIpAddresses[1] 198.51.100.5/32 lies inside line-call:lineIpAddresses[0] 198.51.100.0/28: " +
        "one entry already admits the other's addresses, so removing the narrower one would not revoke them; keep only the entries LINE listed",
    ]);
    expect(
      parseLineIpAddresses([{ ip: "198.51.100.5" }, { ip: "198.51.100.0", cidrPrefixLength: 28 }])
        .errors[0],
    ).toMatch(/\[1\] 198\.51\.100\.0\/28 holds line-call:lineIpAddresses\[0\] 198\.51\.100\.5\/32/);
  });
});
