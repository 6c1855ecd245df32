// Faults between the provider and Twilio, injected in the stand-in: 429 bursts, 500/503, dropped
// connections and responses lost after the write happened. After each, the stand-in's inventory
// shows no duplicate and nothing orphaned, and state points at the object that really exists.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EngineResource } from "../../devkit/engine/engine";
import { MAX_ATTEMPTS } from "../../providers/twilioClient";
import { twilioBedPerFile } from "../support/twilioBedPerFile";

const bed = twilioBedPerFile();
let counter = 0;
const unique = (what: string) => `line-call-fault-${what}-${++counter}`;

beforeEach(() => {
  bed.standin.clearFaults();
  bed.standin.resetRequests();
});
// Runs before twilioBedPerFile's own check of the stand-in's validation errors.
afterEach(() => {
  bed.standin.clearFaults();
});

/** Resolves once condition() holds, polling the in-process stand-in every few milliseconds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

type Json = Record<string, unknown>;

const hits = (method: string, path: string) =>
  bed.standin.requests.filter((r) => r.method === method && r.path.includes(path));

async function domainAndList() {
  const domain = bed.resource("SipDomain", unique("domain"));
  await domain.up({ domainName: `${unique("d")}.sip.twilio.com` });
  const list = bed.resource("IpAccessControlList", unique("list"));
  await list.up({ friendlyName: unique("list") });
  return { domain, list };
}

async function destroyAll(...resources: EngineResource[]) {
  for (const r of resources) await r.destroy();
}

describe("retries", () => {
  it("a 429 burst on create is retried with backoff; one domain results", async () => {
    const domainName = `${unique("d")}.sip.twilio.com`;
    bed.standin.injectFault({ method: "POST", path: "/SIP/Domains.json", kind: "429", times: 3 });
    const domain = bed.resource("SipDomain", "burst");
    await domain.up({ domainName });
    expect(hits("POST", "/SIP/Domains.json").map((r) => r.status)).toEqual([429, 429, 429, 201]);
    // A 429 is refused before anything happens, so no look-up was needed between attempts.
    expect(hits("GET", "/SIP/Domains.json")).toEqual([]);
    expect(bed.standin.domains().filter((d) => d.domain_name === domainName)).toHaveLength(1);
    await domain.destroy();
  });

  it("a 429 with Retry-After waits as long as Twilio asks", async () => {
    const list = bed.resource("IpAccessControlList", "retry-after");
    bed.standin.injectFault({
      method: "POST",
      path: "/SIP/IpAccessControlLists.json",
      kind: "429",
      retryAfterSeconds: 2,
    });
    const started = Date.now();
    await list.up({ friendlyName: unique("list") });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(hits("POST", "/SIP/IpAccessControlLists.json").map((r) => r.status)).toEqual([429, 201]);
    await list.destroy();
  });

  it("500 on read and 503 on update are retried", async () => {
    const list = bed.resource("IpAccessControlList", "flaky");
    await list.up({ friendlyName: unique("list") });
    bed.standin.injectFault({ method: "GET", path: list.id, kind: "500", times: 2 });
    expect(await list.refresh()).toEqual({ exists: true });
    const renamed = unique("renamed");
    bed.standin.injectFault({ method: "POST", path: list.id, kind: "503" });
    await list.up({ friendlyName: renamed });
    expect(bed.standin.ipAccessControlLists().find((l) => l.sid === list.id)?.friendly_name).toBe(
      renamed,
    );
    await list.destroy();
  });

  it("Twilio failing past the retries surfaces the code, the message and what to do", async () => {
    const friendlyName = unique("list");
    bed.standin.injectFault({
      method: "POST",
      path: "/SIP/IpAccessControlLists.json",
      kind: "500",
      times: 20,
    });
    const error = await bed
      .resource("IpAccessControlList", "down")
      .up({ friendlyName })
      .catch((e: Error) => String(e));
    expect(error).toContain("20500");
    expect(error).toContain("HTTP 500");
    expect(error).toContain("try again");
    expect(
      bed.standin.ipAccessControlLists().filter((l) => l.friendly_name === friendlyName),
    ).toEqual([]);
  });

  it("a connection dropped every time fails with one line naming the address to check", async () => {
    const list = bed.resource("IpAccessControlList", "unreachable");
    await list.up({ friendlyName: unique("list") });
    bed.standin.injectFault({ method: "POST", path: list.id, kind: "drop", times: 20 });
    const error = await list.up({ friendlyName: unique("renamed") }).catch((e: Error) => String(e));
    expect(error).toContain("could not be reached");
    expect(error).toContain("twilio:apiBaseUrl");
    bed.standin.clearFaults();
    await list.destroy();
  });
});

describe("a create whose response is lost never leaves a duplicate", () => {
  it("SipDomain", async () => {
    const domainName = `${unique("d")}.sip.twilio.com`;
    bed.standin.injectFault({ method: "POST", path: "/SIP/Domains.json", kind: "lost-response" });
    const domain = bed.resource("SipDomain", "lost");
    await domain.up({ domainName, voiceUrl: "https://example.com/voice" });
    const live = bed.standin.domains().filter((d) => d.domain_name === domainName);
    expect(live).toHaveLength(1);
    expect(domain.id).toBe(live[0].sid);
    expect(domain.outputs.voiceUrl).toBe("https://example.com/voice");
    await domain.refresh();
    expect((await domain.preview({ domainName, voiceUrl: "https://example.com/voice" })).op).toBe(
      "same",
    );
    await domain.destroy();
    expect(bed.standin.domains().filter((d) => d.domain_name === domainName)).toEqual([]);
  });

  it("IpAccessControlList", async () => {
    const friendlyName = unique("list");
    bed.standin.injectFault({
      method: "POST",
      path: "/SIP/IpAccessControlLists.json",
      kind: "lost-response",
    });
    const list = bed.resource("IpAccessControlList", "lost");
    await list.up({ friendlyName });
    const live = bed.standin.ipAccessControlLists().filter((l) => l.friendly_name === friendlyName);
    expect(live.map((l) => l.sid)).toEqual([list.id]);
    await list.destroy();
  });

  it("IpAccessControlList written but never confirmed, every look-up failing: the next create adopts it", async () => {
    const friendlyName = unique("list");
    const path = "/SIP/IpAccessControlLists.json";
    bed.standin.injectFault({ method: "POST", path, kind: "lost-response" });
    const list = bed.resource("IpAccessControlList", "lost-unconfirmed");
    const first = list.up({ friendlyName }).catch((e: Error) => String(e));
    // Once Twilio has written the list, every look-up for it fails (the provider waits before
    // looking again), so this create gives up without knowing the list exists.
    await until(() => hits("POST", path).some((r) => r.fault === "lost-response"));
    bed.standin.injectFault({ method: "GET", path, kind: "500", times: Number.POSITIVE_INFINITY });
    const error = await first;
    expect(error).toContain("HTTP 500");
    // It says the list may exist, where, and what the next `pulumi up` does about it.
    expect(error).toContain(
      `IP access control list "${friendlyName}" may exist in Twilio account ${bed.standin.accountSid}`,
    );
    expect(error).toContain("the next `pulumi up` looks for it first and takes it over");
    // The look-up was retried as persistently as the create: every attempt of it was made.
    const lookUps = hits("GET", path).filter((r) => r.fault === "500");
    expect(lookUps).toHaveLength(MAX_ATTEMPTS);
    const live = () =>
      bed.standin.ipAccessControlLists().filter((l) => l.friendly_name === friendlyName);
    expect(live()).toHaveLength(1);
    expect(list.state).toBeUndefined();

    // The next `up` (after `pulumi refresh --clear-pending-creates`) creates it again: adopted.
    bed.standin.clearFaults();
    expect((await list.up({ friendlyName })).op).toBe("create");
    expect(live().map((l) => l.sid)).toEqual([list.id]);
    expect(hits("POST", path)).toHaveLength(1);
    await list.refresh();
    expect((await list.preview({ friendlyName })).op).toBe("same");
    await list.destroy();
    expect(live()).toEqual([]);
  });

  it("IpAddress, and a dropped request (before the write) is simply retried", async () => {
    const { domain, list } = await domainAndList();
    bed.standin.injectFault({ method: "POST", path: "/IpAddresses.json", kind: "lost-response" });
    const lost = bed.resource("IpAddress", "lost");
    await lost.up({ ipAccessControlListSid: list.id, ipAddress: "203.0.113.10" });
    bed.standin.injectFault({ method: "POST", path: "/IpAddresses.json", kind: "drop" });
    const dropped = bed.resource("IpAddress", "dropped");
    await dropped.up({ ipAccessControlListSid: list.id, ipAddress: "203.0.113.11" });
    const live = bed.standin.ipAddresses(list.id);
    expect(live.map((ip) => ip.ip_address).sort()).toEqual(["203.0.113.10", "203.0.113.11"]);
    expect(live.map((ip) => ip.sid).sort()).toEqual([lost.id, dropped.id].sort());
    await destroyAll(lost, dropped, list, domain);
  });

  it("IpAccessControlListMapping", async () => {
    const { domain, list } = await domainAndList();
    bed.standin.injectFault({
      method: "POST",
      path: "/IpAccessControlListMappings.json",
      kind: "lost-response",
    });
    const mapping = bed.resource("IpAccessControlListMapping", "lost");
    await mapping.up({ domainSid: domain.id, ipAccessControlListSid: list.id });
    expect(bed.standin.ipAccessControlListMappings(domain.id).map((m) => m.sid)).toEqual([list.id]);
    await destroyAll(mapping, list, domain);
  });

  it("a delete whose response is lost still succeeds and leaves nothing behind", async () => {
    const { domain, list } = await domainAndList();
    const entry = bed.resource("IpAddress", "deleted");
    await entry.up({ ipAccessControlListSid: list.id, ipAddress: "203.0.113.12" });
    bed.standin.injectFault({ method: "DELETE", path: entry.id, kind: "lost-response" });
    await entry.destroy();
    expect(bed.standin.ipAddresses(list.id)).toEqual([]);
    bed.standin.injectFault({ method: "DELETE", path: domain.id, kind: "lost-response" });
    await destroyAll(list, domain);
    expect(bed.standin.domains().find((d) => d.sid === domain.id)).toBeUndefined();
  });
});

describe("the issue's pattern: 5×500 on the create, its response lost, one 500 on the look-up after it", () => {
  /** Injects the pattern on one create and returns once the look-up after the lost write failed. */
  async function writtenThenLookUpFails(post: string, lookUp: string, lookUpFailures = 1) {
    bed.standin.injectFault({ method: "POST", path: post, kind: "500", times: 5 });
    bed.standin.injectFault({ method: "POST", path: post, kind: "lost-response" });
    // The provider waits before looking, as between attempts, so the fault lands on that look-up.
    await until(() => hits("POST", post).some((r) => r.fault === "lost-response"));
    bed.standin.injectFault({ method: "GET", path: lookUp, kind: "500", times: lookUpFailures });
  }

  /** Each create, the paths of its POST and of its look-up, and what Twilio must then hold. */
  const creates = {
    SipDomain: {
      post: "/SIP/Domains.json",
      lookUp: "/SIP/Domains.json",
      inputs: async () => ({ domainName: `${unique("d")}.sip.twilio.com` }),
      live: (inputs: Json) =>
        bed.standin.domains().filter((d) => d.domain_name === inputs.domainName),
    },
    IpAccessControlList: {
      post: "/SIP/IpAccessControlLists.json",
      lookUp: "/SIP/IpAccessControlLists.json",
      inputs: async () => ({ friendlyName: unique("list") }),
      live: (inputs: Json) =>
        bed.standin.ipAccessControlLists().filter((l) => l.friendly_name === inputs.friendlyName),
    },
    IpAddress: {
      post: "/IpAddresses.json",
      lookUp: "/IpAddresses.json",
      inputs: async () => ({
        ipAccessControlListSid: (await domainAndList()).list.id,
        ipAddress: "203.0.113.20",
      }),
      live: (inputs: Json) => bed.standin.ipAddresses(String(inputs.ipAccessControlListSid)),
    },
    IpAccessControlListMapping: {
      post: "/IpAccessControlListMappings.json",
      lookUp: "/IpAccessControlListMappings/",
      inputs: async () => {
        const { domain, list } = await domainAndList();
        return { domainSid: domain.id, ipAccessControlListSid: list.id };
      },
      live: (inputs: Json) => bed.standin.ipAccessControlListMappings(String(inputs.domainSid)),
    },
  } as const;

  it.each(Object.keys(creates) as Array<keyof typeof creates>)(
    "%s: tracked, once, after its look-up was retried",
    async (kind) => {
      const { post, lookUp, inputs: makeInputs, live } = creates[kind];
      const inputs: Json = await makeInputs();
      bed.standin.resetRequests();
      const resource = bed.resource(kind, `pattern-${kind}`);
      const [result] = await Promise.all([
        resource.up(inputs),
        writtenThenLookUpFails(post, lookUp),
      ]);
      expect(result.op).toBe("create");
      const held = live(inputs);
      expect(held).toHaveLength(1);
      expect(resource.id).toContain(String(held[0].sid));
      expect(hits("GET", lookUp).some((r) => r.fault === "500")).toBe(true);
      await resource.destroy();
    },
  );

  it("the look-up after the last attempt failing every time: the error says the entry may exist; the next create adopts it", async () => {
    const { domain, list } = await domainAndList();
    const entry = bed.resource("IpAddress", "pattern-unconfirmed");
    const inputs = { ipAccessControlListSid: list.id, ipAddress: "203.0.113.21" };
    const [error] = await Promise.all([
      entry.up(inputs).catch((e: Error) => String(e)),
      writtenThenLookUpFails("/IpAddresses.json", "/IpAddresses.json", Number.POSITIVE_INFINITY),
    ]);
    expect(error).toContain(
      `Could not create IP address 203.0.113.21/32 in ${list.id}, nor tell whether Twilio did it: ` +
        "the last attempt got no answer (ECONNRESET), then looking for it got HTTP 500 (Twilio error 20500). " +
        `The IP address 203.0.113.21/32 in ${list.id} may exist in Twilio account ${bed.standin.accountSid}`,
    );
    expect(error).toContain("the next `pulumi up` looks for it first and takes it over");
    expect(entry.state).toBeUndefined();
    expect(bed.standin.ipAddresses(list.id)).toHaveLength(1);

    bed.standin.clearFaults();
    expect((await entry.up(inputs)).op).toBe("create");
    expect(bed.standin.ipAddresses(list.id).map((e) => e.sid)).toEqual([entry.id]);
    await destroyAll(entry, list, domain);
  });
});
