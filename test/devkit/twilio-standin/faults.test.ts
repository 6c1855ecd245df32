// Injected faults, latency, out-of-band edits and the request log: the levers the provider
// tests pull to prove retries, idempotent creates and drift detection.
import { describe, expect, it } from "vitest";
import { rawRequest } from "../../../devkit/twilio-standin/client";
import { startTwilioStandin, type TwilioStandin } from "../../../devkit/twilio-standin/server";
import { type StandinClient, useStandin } from "./testing";

let standin: TwilioStandin;
let client: StandinClient;
useStandin((started, startedClient) => {
  standin = started;
  client = startedClient;
});

const LISTS = "/SIP/IpAccessControlLists.json";

function createList(friendlyName: string) {
  return rawRequest(standin, "POST", LISTS, { form: { FriendlyName: friendlyName } });
}

function listsNamed(name: string) {
  return standin.ipAccessControlLists().filter((l) => l.friendly_name === name);
}

describe("faults", () => {
  it("429 answers Twilio's 20429 for as many matching requests as asked, with Retry-After when set", async () => {
    standin.injectFault({
      kind: "429",
      method: "POST",
      path: LISTS,
      times: 2,
      retryAfterSeconds: 1,
    });
    const first = await createList("throttled");
    expect(first.status).toBe(429);
    expect(first.body).toEqual({
      code: 20429,
      message: "Too Many Requests",
      more_info: "https://www.twilio.com/docs/errors/20429",
      status: 429,
    });
    expect(first.headers.get("retry-after")).toBe("1");
    expect((await createList("throttled")).status).toBe(429);
    expect(listsNamed("throttled")).toHaveLength(0);
    expect((await createList("throttled")).status).toBe(201);
    expect(listsNamed("throttled")).toHaveLength(1);
  });

  it("reaches the SDK as a RestException carrying status and code", async () => {
    standin.injectFault({ kind: "429" });
    await expect(client.sip.domains.list()).rejects.toMatchObject({ status: 429, code: 20429 });
    standin.injectFault({ kind: "503" });
    await expect(client.sip.domains.list()).rejects.toMatchObject({ status: 503, code: 20503 });
    await expect(client.sip.domains.list()).resolves.toBeDefined();
  });

  it("500 and 503 answer Twilio's error bodies without doing the write", async () => {
    standin.injectFault({ kind: "500", path: LISTS });
    standin.injectFault({ kind: "503", path: LISTS });
    expect((await createList("failing")).body).toMatchObject({ status: 500, code: 20500 });
    expect((await createList("failing")).body).toMatchObject({ status: 503, code: 20503 });
    expect(listsNamed("failing")).toHaveLength(0);
  });

  it("drop closes the connection before the write; lost-response after it", async () => {
    standin.injectFault({ kind: "drop", method: "POST", path: LISTS });
    await expect(createList("dropped")).rejects.toThrow();
    expect(listsNamed("dropped")).toHaveLength(0);

    standin.injectFault({ kind: "lost-response", method: "POST", path: LISTS });
    await expect(createList("lost")).rejects.toThrow();
    expect(listsNamed("lost")).toHaveLength(1);

    const unanswered = standin.requests.filter((r) => r.status === 0);
    expect(unanswered.map((r) => [r.fault, r.operationId])).toEqual([
      ["drop", "CreateSipIpAccessControlList"],
      ["lost-response", "CreateSipIpAccessControlList"],
    ]);
  });

  it("a lost response through the SDK surfaces as a connection error while the object exists", async () => {
    standin.injectFault({ kind: "lost-response", method: "POST", path: /\/SIP\/Domains\.json$/ });
    await expect(
      client.sip.domains.create({ domainName: "lost-once.sip.twilio.com" }),
    ).rejects.toThrow();
    expect(
      standin.domains().filter((d) => d.domain_name === "lost-once.sip.twilio.com"),
    ).toHaveLength(1);
  });

  it("matches faults by method and path, and clearFaults removes them", async () => {
    standin.injectFault({ kind: "500", method: "DELETE" });
    standin.injectFault({ kind: "503", path: /IpAddresses/ });
    expect((await rawRequest(standin, "GET", LISTS)).status).toBe(200);
    expect((await createList("unaffected")).status).toBe(201);
    standin.clearFaults();
    const sid = listsNamed("unaffected")[0].sid as string;
    expect(
      (await rawRequest(standin, "DELETE", `/SIP/IpAccessControlLists/${sid}.json`)).status,
    ).toBe(204);
  });

  it("is not used up by a request that fails authentication", async () => {
    standin.injectFault({ kind: "500", path: LISTS });
    expect((await rawRequest(standin, "GET", LISTS, { auth: "ACnobody:wrong" })).status).toBe(401);
    expect((await rawRequest(standin, "GET", LISTS)).status).toBe(500);
  });

  it("a fault with times: Infinity holds until clearFaults", async () => {
    standin.injectFault({
      kind: "500",
      method: "GET",
      path: LISTS,
      times: Number.POSITIVE_INFINITY,
    });
    for (let i = 0; i < 3; i++) expect((await rawRequest(standin, "GET", LISTS)).status).toBe(500);
    standin.clearFaults();
    expect((await rawRequest(standin, "GET", LISTS)).status).toBe(200);
  });

  it("latency faults delay matching requests and still serve them; any fault can be delayed; setLatency delays all", async () => {
    standin.injectFault({ kind: "latency", latencyMs: 150, method: "GET", times: 1 });
    let started = Date.now();
    expect((await rawRequest(standin, "GET", LISTS)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    expect(standin.requests.at(-1)?.fault).toBeUndefined();

    standin.injectFault({ kind: "503", latencyMs: 120, path: LISTS });
    started = Date.now();
    expect((await rawRequest(standin, "GET", LISTS)).status).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);

    standin.setLatency(100);
    started = Date.now();
    expect((await createList("slow")).status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  });

  it("stand-in options set the default page size and a latency for every request", async () => {
    const small = await startTwilioStandin({ pageSize: 2, latencyMs: 20 });
    try {
      for (const name of ["a", "b", "c"]) await createListOn(small, name);
      const page = await rawRequest(small, "GET", LISTS);
      expect(page.body).toMatchObject({ page_size: 2, start: 0, end: 1, page: 0 });
      expect(page.body?.next_page_uri).toMatch(/PageSize=2&Page=1&PageToken=PAAL[0-9a-f]{32}$/);
      const next = await rawRequest(small, "GET", page.body?.next_page_uri as string);
      expect(next.body).toMatchObject({ start: 2, end: 2, page: 1, next_page_uri: null });
      expect(next.body?.ip_access_control_lists).toHaveLength(1);
      expect(small.validationErrors).toEqual([]);
    } finally {
      await small.close();
    }
  });
});

function createListOn(s: TwilioStandin, name: string) {
  return rawRequest(s, "POST", LISTS, { form: { FriendlyName: name } });
}

describe("out-of-band edits", () => {
  it("edit changes what the API returns, as a console edit would", async () => {
    const domain = await client.sip.domains.create({ domainName: "drift.sip.twilio.com" });
    standin.edit("domain", domain.sid, {
      voice_url: "https://console.example/edited",
      sip_registration: true,
    });
    const fetched = await client.sip.domains(domain.sid).fetch();
    expect(fetched).toMatchObject({
      voiceUrl: "https://console.example/edited",
      sipRegistration: true,
    });

    const acl = await client.sip.ipAccessControlLists.create({ friendlyName: "before" });
    const ip = await client.sip.ipAccessControlLists(acl.sid).ipAddresses.create({
      ipAddress: "203.0.113.7",
      friendlyName: "seven",
    });
    standin.edit("ipAccessControlList", acl.sid, { friendly_name: "after" });
    standin.edit("ipAddress", ip.sid, { cidr_prefix_length: 30 });
    expect((await client.sip.ipAccessControlLists(acl.sid).fetch()).friendlyName).toBe("after");
    expect(
      (await client.sip.ipAccessControlLists(acl.sid).ipAddresses(ip.sid).fetch()).cidrPrefixLength,
    ).toBe(30);
  });

  it("edit refuses fields Twilio does not have or that cannot change, and unknown sids", () => {
    const [domain] = standin.domains();
    expect(() => standin.edit("domain", domain.sid as string, { voiceUrl: "x" })).toThrow(
      /voiceUrl/,
    );
    expect(() => standin.edit("domain", domain.sid as string, { sid: "SDx" })).toThrow(/sid/);
    expect(() => standin.edit("domain", `SD${"0".repeat(32)}`, { voice_url: null })).toThrow(
      /No domain/,
    );
    expect(() => standin.edit("trunk", "TK1", {})).toThrow(/Unknown resource kind/);
  });

  it("remove deletes behind the client's back: the API then answers 404", async () => {
    const domain = await client.sip.domains.create({ domainName: "gone.sip.twilio.com" });
    const acl = await client.sip.ipAccessControlLists.create({ friendlyName: "gone" });
    const ip = await client.sip.ipAccessControlLists(acl.sid).ipAddresses.create({
      ipAddress: "203.0.113.9",
      friendlyName: "nine",
    });
    const mappings = client.sip.domains(domain.sid).auth.calls.ipAccessControlListMappings;
    await mappings.create({ ipAccessControlListSid: acl.sid });

    standin.remove("ipAddress", ip.sid);
    await expect(
      client.sip.ipAccessControlLists(acl.sid).ipAddresses(ip.sid).fetch(),
    ).rejects.toMatchObject({
      status: 404,
      code: 20404,
    });
    standin.remove("mapping", `${domain.sid}/${acl.sid}`);
    await expect(mappings(acl.sid).fetch()).rejects.toMatchObject({ status: 404 });
    expect(standin.ipAccessControlListMappings(domain.sid)).toEqual([]);
    standin.remove("domain", domain.sid);
    await expect(client.sip.domains(domain.sid).fetch()).rejects.toMatchObject({ status: 404 });
    expect(() => standin.remove("domain", domain.sid)).toThrow(/No domain/);
  });
});

describe("request log", () => {
  it("records method, path, status, operation and timing of each call, and resets", async () => {
    standin.resetRequests();
    const acl = await client.sip.ipAccessControlLists.create({ friendlyName: "logged" });
    await client.sip.ipAccessControlLists(acl.sid).fetch();
    await client.sip.ipAccessControlLists(acl.sid).remove();
    await expect(client.sip.ipAccessControlLists(acl.sid).fetch()).rejects.toMatchObject({
      status: 404,
    });
    expect(standin.requests).toMatchObject([
      {
        method: "POST",
        path: `/2010-04-01/Accounts/${standin.accountSid}${LISTS}`,
        status: 201,
        operationId: "CreateSipIpAccessControlList",
      },
      {
        method: "GET",
        path: `/2010-04-01/Accounts/${standin.accountSid}/SIP/IpAccessControlLists/${acl.sid}.json`,
        status: 200,
        operationId: "FetchSipIpAccessControlList",
      },
      {
        method: "DELETE",
        path: `/2010-04-01/Accounts/${standin.accountSid}/SIP/IpAccessControlLists/${acl.sid}.json`,
        status: 204,
        operationId: "DeleteSipIpAccessControlList",
      },
      {
        method: "GET",
        path: `/2010-04-01/Accounts/${standin.accountSid}/SIP/IpAccessControlLists/${acl.sid}.json`,
        status: 404,
        operationId: "FetchSipIpAccessControlList",
      },
    ]);
    // One call after another: each answered after it arrived, and before the next arrived.
    standin.requests.forEach((request, index) => {
      expect(request.answeredMs).toBeGreaterThanOrEqual(request.receivedMs);
      const previous = standin.requests[index - 1];
      if (previous) expect(request.receivedMs).toBeGreaterThanOrEqual(previous.answeredMs ?? NaN);
    });
    standin.resetRequests();
    expect(standin.requests).toEqual([]);
  });
});
