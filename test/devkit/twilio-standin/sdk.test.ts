// The stand-in driven through the official twilio SDK, the way the providers use it: every
// resource's create/fetch/update/list/delete, paging, Twilio's rules and error codes. Each test
// ends by asserting that no request or response broke Twilio's API description.
import { describe, expect, it } from "vitest";
import { rawRequest, standinTwilioClient } from "../../../devkit/twilio-standin/client";
import { startTwilioStandin, type TwilioStandin } from "../../../devkit/twilio-standin/server";
import { type StandinClient, useStandin } from "./testing";

let standin: TwilioStandin;
let client: StandinClient;
useStandin((started, startedClient) => {
  standin = started;
  client = startedClient;
});

let domainCounter = 0;
function uniqueDomainName(): string {
  domainCounter += 1;
  return `line-call-test-${domainCounter}.sip.twilio.com`;
}

async function twilioError(
  promise: Promise<unknown>,
): Promise<{ status: number; code: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { status: number; code: number; message: string };
    return { status: e.status, code: e.code, message: e.message };
  }
  throw new Error("expected the Twilio call to fail");
}

const RFC_2822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/;

describe("SIP domain", () => {
  it("creates with Twilio's defaults, fetches, updates, lists and deletes", async () => {
    const domainName = uniqueDomainName();
    const created = await client.sip.domains.create({ domainName, friendlyName: "LINE Call" });
    expect(created.sid).toMatch(/^SD[0-9a-f]{32}$/);
    expect(created.accountSid).toBe(standin.accountSid);
    expect(created).toMatchObject({
      domainName,
      friendlyName: "LINE Call",
      voiceUrl: null,
      voiceMethod: "POST",
      voiceFallbackMethod: "POST",
      voiceStatusCallbackMethod: "POST",
      sipRegistration: false,
      secure: false,
      emergencyCallingEnabled: false,
      apiVersion: "2010-04-01",
    });
    expect(created.uri).toBe(
      `/2010-04-01/Accounts/${standin.accountSid}/SIP/Domains/${created.sid}.json`,
    );
    expect(created.subresourceUris).toEqual({
      credential_list_mappings: `/2010-04-01/Accounts/${standin.accountSid}/SIP/Domains/${created.sid}/CredentialListMappings.json`,
      ip_access_control_list_mappings: `/2010-04-01/Accounts/${standin.accountSid}/SIP/Domains/${created.sid}/IpAccessControlListMappings.json`,
    });

    const raw = standin.domains().find((d) => d.sid === created.sid);
    expect(raw?.date_created).toMatch(RFC_2822);

    const updated = await client.sip.domains(created.sid).update({
      voiceUrl: "https://example.com/voice",
      voiceMethod: "GET",
      sipRegistration: true,
      secure: true,
    });
    expect(updated).toMatchObject({
      voiceUrl: "https://example.com/voice",
      voiceMethod: "GET",
      sipRegistration: true,
      secure: true,
      friendlyName: "LINE Call",
    });
    const fetched = await client.sip.domains(created.sid).fetch();
    expect(fetched.toJSON()).toEqual(updated.toJSON());

    const listed = await client.sip.domains.list();
    expect(listed.map((d) => d.sid)).toContain(created.sid);

    await client.sip.domains(created.sid).remove();
    expect(standin.domains().map((d) => d.sid)).not.toContain(created.sid);
    expect(await twilioError(client.sip.domains(created.sid).fetch())).toMatchObject({
      status: 404,
      code: 20404,
    });
  });

  it("clears a field sent empty, as Twilio does, and an emptied method reads as POST", async () => {
    const domain = await client.sip.domains.create({
      domainName: uniqueDomainName(),
      voiceUrl: "https://example.com/voice",
      voiceMethod: "GET",
      friendlyName: "to clear",
    });
    const cleared = await client.sip.domains(domain.sid).update({
      voiceUrl: "",
      voiceMethod: "",
      friendlyName: "",
    } as never);
    expect(cleared).toMatchObject({ voiceUrl: null, voiceMethod: "POST", friendlyName: null });
    expect((await client.sip.domains(domain.sid).fetch()).voiceUrl).toBeNull();
  });

  it("refuses a duplicate domain name and one outside .sip.twilio.com", async () => {
    const domainName = uniqueDomainName();
    await client.sip.domains.create({ domainName });
    expect(await twilioError(client.sip.domains.create({ domainName }))).toMatchObject({
      status: 400,
      code: 21232,
    });
    expect(
      await twilioError(client.sip.domains.create({ domainName: domainName.toUpperCase() })),
    ).toMatchObject({ code: 21232 });
    expect(
      await twilioError(client.sip.domains.create({ domainName: "line.example.com" })),
    ).toMatchObject({
      status: 400,
      code: 21231,
    });
  });

  it("refuses a FriendlyName over Twilio's 64 characters", async () => {
    const error = await twilioError(
      client.sip.domains.create({ domainName: uniqueDomainName(), friendlyName: "x".repeat(65) }),
    );
    expect(error).toMatchObject({ status: 400 });
    expect(error.message).toContain("64");
  });
});

describe("IP access control list and IP addresses", () => {
  it("lists, renames and deletes a list with its entries", async () => {
    const acl = await client.sip.ipAccessControlLists.create({ friendlyName: "LINE" });
    expect(acl.sid).toMatch(/^AL[0-9a-f]{32}$/);
    expect(acl.subresourceUris).toEqual({
      ip_addresses: `/2010-04-01/Accounts/${standin.accountSid}/SIP/IpAccessControlLists/${acl.sid}/IpAddresses.json`,
    });
    const renamed = await client.sip
      .ipAccessControlLists(acl.sid)
      .update({ friendlyName: "LINE prod" });
    expect(renamed.friendlyName).toBe("LINE prod");
    expect((await client.sip.ipAccessControlLists(acl.sid).fetch()).friendlyName).toBe("LINE prod");

    const ips = client.sip.ipAccessControlLists(acl.sid).ipAddresses;
    const ip = await ips.create({ ipAddress: "203.0.113.10", friendlyName: "LINE 1" });
    expect(ip).toMatchObject({
      ipAddress: "203.0.113.10",
      cidrPrefixLength: 32,
      friendlyName: "LINE 1",
      ipAccessControlListSid: acl.sid,
    });
    expect(ip.sid).toMatch(/^IP[0-9a-f]{32}$/);
    const moved = await ips(ip.sid).update({ ipAddress: "203.0.113.11", cidrPrefixLength: 31 });
    expect(moved).toMatchObject({
      ipAddress: "203.0.113.11",
      cidrPrefixLength: 31,
      friendlyName: "LINE 1",
    });
    expect((await ips(ip.sid).fetch()).toJSON()).toEqual(moved.toJSON());

    await client.sip.ipAccessControlLists(acl.sid).remove();
    expect(standin.ipAddresses(acl.sid)).toEqual([]);
    expect(await twilioError(ips(ip.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
  });

  it("stores a zero or absent CIDR prefix as 32, as Twilio does", async () => {
    const acl = await client.sip.ipAccessControlLists.create({ friendlyName: "prefixes" });
    const ips = client.sip.ipAccessControlLists(acl.sid).ipAddresses;
    const zero = await ips.create({
      ipAddress: "198.51.100.1",
      friendlyName: "zero",
      cidrPrefixLength: 0,
    });
    expect(zero.cidrPrefixLength).toBe(32);
    const net = await ips.create({
      ipAddress: "198.51.100.0",
      friendlyName: "net",
      cidrPrefixLength: 24,
    });
    expect(net.cidrPrefixLength).toBe(24);
  });

  it("refuses the 101st address of a list with 21237", async () => {
    const acl = await client.sip.ipAccessControlLists.create({ friendlyName: "full" });
    const ips = client.sip.ipAccessControlLists(acl.sid).ipAddresses;
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        ips.create({
          ipAddress: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
          friendlyName: `ip ${i}`,
        }),
      ),
    );
    expect(
      await twilioError(ips.create({ ipAddress: "10.1.0.1", friendlyName: "one too many" })),
    ).toMatchObject({
      status: 400,
      code: 21237,
    });
    expect(standin.ipAddresses(acl.sid)).toHaveLength(100);
  });

  it("keeps the 100-address limit when 101 creates arrive at once", async () => {
    const acl = await client.sip.ipAccessControlLists.create({ friendlyName: "race" });
    const ips = client.sip.ipAccessControlLists(acl.sid).ipAddresses;
    standin.setLatency(50); // every request in flight together before any is handled
    const results = await Promise.allSettled(
      Array.from({ length: 101 }, (_, i) =>
        ips.create({ ipAddress: `172.16.0.${i + 1}`, friendlyName: `ip ${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(100);
    const rejected = results.filter((r) => r.status === "rejected");
    expect(rejected.map((r) => (r.reason as { code: number }).code)).toEqual([21237]);
    expect(standin.ipAddresses(acl.sid)).toHaveLength(100);
  });

  it("refuses an address that is not IPv4 and a prefix over 32", async () => {
    const acl = await client.sip.ipAccessControlLists.create({ friendlyName: "bad ips" });
    const ips = client.sip.ipAccessControlLists(acl.sid).ipAddresses;
    expect(
      await twilioError(ips.create({ ipAddress: "2001:db8::1", friendlyName: "v6" })),
    ).toMatchObject({
      status: 400,
    });
    expect(
      await twilioError(
        ips.create({ ipAddress: "203.0.113.1", friendlyName: "wide", cidrPrefixLength: 33 }),
      ),
    ).toMatchObject({ status: 400 });
    expect(standin.ipAddresses(acl.sid)).toEqual([]);
  });

  it("pages through Twilio's next_page_uri, 50 at a time by default", async () => {
    const acl = await client.sip.ipAccessControlLists.create({ friendlyName: "paging" });
    const ips = client.sip.ipAccessControlLists(acl.sid).ipAddresses;
    for (let i = 1; i <= 60; i++) {
      await ips.create({ ipAddress: `192.0.2.${i}`, friendlyName: `ip ${i}` });
    }
    standin.resetRequests();
    const all = await ips.list();
    expect(all.map((ip) => ip.ipAddress)).toEqual(
      Array.from({ length: 60 }, (_, i) => `192.0.2.${i + 1}`),
    );
    expect(standin.requests.map((r) => r.operationId)).toEqual([
      "ListSipIpAddress",
      "ListSipIpAddress",
    ]);

    const firstPage = await ips.page({ pageSize: 25 });
    expect(firstPage.instances).toHaveLength(25);
    const secondPage = await firstPage.nextPage();
    expect(secondPage?.instances[0].ipAddress).toBe("192.0.2.26");
    const back = await secondPage?.previousPage();
    expect(back?.instances.map((ip) => ip.sid)).toEqual(firstPage.instances.map((ip) => ip.sid));
  });
});

describe("the domain's Auth/Calls IP access control list mapping", () => {
  it("maps, lists, fetches and unmaps; a mapped list cannot be deleted (21236)", async () => {
    const domain = await client.sip.domains.create({ domainName: uniqueDomainName() });
    const acl = await client.sip.ipAccessControlLists.create({ friendlyName: "LINE" });
    const mappings = client.sip.domains(domain.sid).auth.calls.ipAccessControlListMappings;

    const mapping = await mappings.create({ ipAccessControlListSid: acl.sid });
    expect(mapping.sid).toBe(acl.sid);
    expect(mapping.friendlyName).toBe("LINE");
    expect((await mappings.list()).map((m) => m.sid)).toEqual([acl.sid]);
    expect((await mappings(acl.sid).fetch()).sid).toBe(acl.sid);
    expect(standin.ipAccessControlListMappings(domain.sid).map((m) => m.sid)).toEqual([acl.sid]);
    expect((await client.sip.domains(domain.sid).fetch()).authType).toBe("IP_ACL");

    // The older Domains/{SD}/IpAccessControlListMappings view shows the same mapping.
    const legacy = await client.sip.domains(domain.sid).ipAccessControlListMappings.list();
    expect(legacy.map((m) => [m.sid, m.domainSid])).toEqual([[acl.sid, domain.sid]]);

    expect(await twilioError(mappings.create({ ipAccessControlListSid: acl.sid }))).toMatchObject({
      status: 409,
    });
    expect(await twilioError(client.sip.ipAccessControlLists(acl.sid).remove())).toMatchObject({
      status: 400,
      code: 21236,
    });

    await mappings(acl.sid).remove();
    expect(await twilioError(mappings(acl.sid).fetch())).toMatchObject({
      status: 404,
      code: 20404,
    });
    await client.sip.ipAccessControlLists(acl.sid).remove();
    expect(standin.ipAccessControlLists().map((l) => l.sid)).not.toContain(acl.sid);
  });

  it("refuses to map a list that does not exist and drops mappings with their domain", async () => {
    const domain = await client.sip.domains.create({ domainName: uniqueDomainName() });
    const mappings = client.sip.domains(domain.sid).auth.calls.ipAccessControlListMappings;
    expect(
      await twilioError(mappings.create({ ipAccessControlListSid: `AL${"0".repeat(32)}` })),
    ).toMatchObject({ status: 404, code: 20404 });

    const acl = await client.sip.ipAccessControlLists.create({ friendlyName: "kept" });
    await mappings.create({ ipAccessControlListSid: acl.sid });
    await client.sip.domains(domain.sid).remove();
    expect(standin.ipAccessControlListMappings(domain.sid)).toEqual([]);
    await client.sip.ipAccessControlLists(acl.sid).remove();
  });
});

describe("authentication", () => {
  it("answers bad credentials with 401 and Twilio code 20003", async () => {
    const wrong = standinTwilioClient(standin, { password: "0".repeat(32) });
    expect(await twilioError(wrong.sip.domains.list())).toMatchObject({ status: 401, code: 20003 });
  });

  it("accepts an API key and secret when configured", async () => {
    const keyed = await startTwilioStandin({ apiKey: `SK${"a".repeat(32)}`, apiSecret: "s3cret" });
    try {
      const viaKey = standinTwilioClient(keyed, {
        username: `SK${"a".repeat(32)}`,
        password: "s3cret",
      });
      const acl = await viaKey.sip.ipAccessControlLists.create({ friendlyName: "via key" });
      expect(keyed.ipAccessControlLists().map((l) => l.sid)).toEqual([acl.sid]);
      const wrongSecret = standinTwilioClient(keyed, {
        username: `SK${"a".repeat(32)}`,
        password: "nope",
      });
      expect(await twilioError(wrongSecret.sip.ipAccessControlLists.list())).toMatchObject({
        code: 20003,
      });
      expect(keyed.validationErrors).toEqual([]);
    } finally {
      await keyed.close();
    }
  });
});

describe("inventory", () => {
  it("returns each resource exactly as the API returns it", async () => {
    const domain = await client.sip.domains.create({ domainName: uniqueDomainName() });
    const acl = await client.sip.ipAccessControlLists.create({ friendlyName: "inventory" });
    const ip = await client.sip.ipAccessControlLists(acl.sid).ipAddresses.create({
      ipAddress: "203.0.113.77",
      friendlyName: "seventy-seven",
    });
    await client.sip.domains(domain.sid).auth.calls.ipAccessControlListMappings.create({
      ipAccessControlListSid: acl.sid,
    });
    const api = async (path: string) => (await rawRequest(standin, "GET", path)).body;

    expect(standin.domains().find((d) => d.sid === domain.sid)).toEqual(
      await api(`/SIP/Domains/${domain.sid}.json`),
    );
    expect(standin.ipAccessControlLists().find((l) => l.sid === acl.sid)).toEqual(
      await api(`/SIP/IpAccessControlLists/${acl.sid}.json`),
    );
    expect(standin.ipAddresses(acl.sid)).toEqual([
      await api(`/SIP/IpAccessControlLists/${acl.sid}/IpAddresses/${ip.sid}.json`),
    ]);
    expect(standin.ipAddresses().map((i) => i.sid)).toContain(ip.sid);
    expect(standin.ipAccessControlListMappings(domain.sid)).toEqual([
      await api(
        `/SIP/Domains/${domain.sid}/Auth/Calls/IpAccessControlListMappings/${acl.sid}.json`,
      ),
    ]);
    expect(standin.ipAccessControlListMappings().map((m) => m.sid)).toContain(acl.sid);
  });
});
