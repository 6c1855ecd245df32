// IpAddress through the provider host against the stand-in: life cycle, in-place updates of the
// address, prefix and name, replacement when the list changes, drift, defaults, validation, and
// Twilio's 100-per-list limit surfaced with what to do.
import { beforeAll, describe, expect, it } from "vitest";
import { CheckFailedError, type EngineResource } from "../../devkit/engine/engine";
import { UNKNOWN } from "../../model/pulumiEngine";
import { twilioBedPerFile } from "../support/twilioBedPerFile";

const bed = twilioBedPerFile();
let listA: EngineResource;
let listB: EngineResource;

beforeAll(async () => {
  listA = bed.resource("IpAccessControlList", "a");
  listB = bed.resource("IpAccessControlList", "b");
  await listA.up({ friendlyName: "line-call-test-ip-a" });
  await listB.up({ friendlyName: "line-call-test-ip-b" });
});

const liveIp = (sid: string) => bed.standin.ipAddresses().find((ip) => ip.sid === sid);

describe("IpAddress", () => {
  it("creates with defaults, updates in place, replaces when the list changes, deletes", async () => {
    const entry = bed.resource("IpAddress", "line-ip-203.0.113.10-32");
    const inputs = { ipAccessControlListSid: listA.id, ipAddress: "203.0.113.10" };
    expect((await entry.up(inputs)).op).toBe("create");
    const sid = entry.id;
    expect(sid).toMatch(/^IP[0-9a-f]{32}$/);
    expect(entry.outputs).toMatchObject({
      sid,
      ipAccessControlListSid: listA.id,
      ipAddress: "203.0.113.10",
      cidrPrefixLength: 32,
      friendlyName: "203.0.113.10/32",
      accountSid: bed.standin.accountSid,
    });
    expect(liveIp(sid)).toMatchObject({
      friendly_name: "203.0.113.10/32",
      cidr_prefix_length: 32,
      ip_access_control_list_sid: listA.id,
    });
    await entry.refresh();
    expect((await entry.preview(inputs)).op).toBe("same");

    // Address, prefix and name update in place (a defaulted name follows the address).
    const moved = { ...inputs, ipAddress: "198.51.100.0", cidrPrefixLength: 24 };
    expect(await entry.up(moved)).toEqual({ op: "update", replaces: [] });
    expect(entry.id).toBe(sid);
    expect(liveIp(sid)).toMatchObject({
      ip_address: "198.51.100.0",
      cidr_prefix_length: 24,
      friendly_name: "198.51.100.0/24",
    });
    const labelled = { ...moved, friendlyName: "LINE SIP range" };
    expect((await entry.up(labelled)).op).toBe("update");
    expect(liveIp(sid)?.friendly_name).toBe("LINE SIP range");

    // Another list replaces the entry (create the new one, then delete the old one).
    const otherList = { ...labelled, ipAccessControlListSid: listB.id };
    expect((await entry.preview({ ...labelled, ipAccessControlListSid: UNKNOWN })).op).toBe(
      "replace",
    );
    expect(await entry.up(otherList)).toEqual({
      op: "replace",
      replaces: ["ipAccessControlListSid"],
    });
    expect(entry.id).not.toBe(sid);
    expect(liveIp(sid)).toBeUndefined();
    expect(bed.standin.ipAddresses(listB.id).map((ip) => ip.sid)).toEqual([entry.id]);

    await entry.destroy();
    expect(bed.standin.ipAddresses(listB.id)).toEqual([]);
  });

  it("refresh shows a console edit; an entry deleted by hand reads as gone", async () => {
    const entry = bed.resource("IpAddress", "drift");
    const inputs = { ipAccessControlListSid: listA.id, ipAddress: "203.0.113.20" };
    await entry.up(inputs);
    bed.standin.edit("ipAddress", entry.id, { cidr_prefix_length: 30, friendly_name: "hand" });
    await entry.refresh();
    expect(entry.outputs).toMatchObject({ cidrPrefixLength: 30, friendlyName: "hand" });
    expect(entry.state?.inputs).toMatchObject({ cidrPrefixLength: 30, friendlyName: "hand" });
    expect((await entry.preview(inputs)).op).toBe("update");
    await entry.up(inputs);
    expect(liveIp(entry.id)).toMatchObject({
      cidr_prefix_length: 32,
      friendly_name: "203.0.113.20/32",
    });

    const state = entry.state;
    bed.standin.remove("ipAddress", entry.id);
    expect(await entry.refresh()).toEqual({ exists: false });
    entry.state = state;
    await entry.destroy();
  });

  it("check names the property and the fix", async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ ipAddress: "203.0.113.10" }, "ipAccessControlListSid", "required"],
      [
        { ipAccessControlListSid: "SD0", ipAddress: "203.0.113.10" },
        "ipAccessControlListSid",
        "AL…",
      ],
      [{ ipAccessControlListSid: listA.id, ipAddress: "203.0.113.256" }, "ipAddress", "IPv4"],
      [{ ipAccessControlListSid: listA.id, ipAddress: "2001:db8::1" }, "ipAddress", "IPv4"],
      [
        { ipAccessControlListSid: listA.id, ipAddress: "203.0.113.0/24" },
        "ipAddress",
        "cidrPrefixLength",
      ],
      [
        { ipAccessControlListSid: listA.id, ipAddress: "203.0.113.10", cidrPrefixLength: 0 },
        "cidrPrefixLength",
        "stores it as 32",
      ],
      [
        { ipAccessControlListSid: listA.id, ipAddress: "203.0.113.10", cidrPrefixLength: 33 },
        "cidrPrefixLength",
        "1 to 32",
      ],
      [
        { ipAccessControlListSid: listA.id, ipAddress: "203.0.113.10", cidrPrefixLength: 24 },
        "ipAddress",
        "host bits",
      ],
      [
        {
          ipAccessControlListSid: listA.id,
          ipAddress: "203.0.113.10",
          friendlyName: "x".repeat(256),
        },
        "friendlyName",
        "255",
      ],
    ];
    bed.standin.resetRequests();
    for (const [inputs, property, hint] of cases) {
      const error = await bed
        .resource("IpAddress", "invalid")
        .up(inputs)
        .catch((e: unknown) => e);
      expect(error, JSON.stringify(inputs)).toBeInstanceOf(CheckFailedError);
      const failure = (error as CheckFailedError).failures[0];
      expect(failure.property, JSON.stringify(inputs)).toBe(property);
      expect(failure.reason, JSON.stringify(inputs)).toContain(hint);
    }
    expect(bed.standin.requests).toEqual([]);
  });

  it("the 101st entry of a list fails with Twilio's code and what to do", async () => {
    const full = bed.resource("IpAccessControlList", "full");
    await full.up({ friendlyName: "line-call-test-ip-full" });
    const entries = Array.from({ length: 100 }, (_, i) => bed.resource("IpAddress", `full-${i}`));
    await Promise.all(
      entries.map((entry, i) =>
        entry.up({ ipAccessControlListSid: full.id, ipAddress: `10.0.${i}.1` }),
      ),
    );
    const error = await bed
      .resource("IpAddress", "one-too-many")
      .up({ ipAccessControlListSid: full.id, ipAddress: "10.1.0.1" })
      .catch((e: Error) => String(e));
    expect(error).toContain("21237");
    expect(error).toContain("CIDR ranges");
    expect(bed.standin.ipAddresses(full.id)).toHaveLength(100);
    await Promise.all(entries.map((entry) => entry.destroy()));
    await full.destroy();
  });
});

describe("IpAddress create after a run that lost its answer", () => {
  /** A POST to the stand-in as another process (an earlier, crashed run) would have made it. */
  async function postAsEarlierRun(path: string, form: Record<string, string>) {
    const { url, accountSid, authToken } = bed.standin;
    const response = await fetch(`${url}/2010-04-01/Accounts/${accountSid}/SIP/${path}`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams(form).toString(),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { sid: string };
  }

  it("adopts the entry left in a list this run did not create, with one shared look-up", async () => {
    const list = await postAsEarlierRun("IpAccessControlLists.json", {
      FriendlyName: "line-call-test-ip-earlier-run",
    });
    const leftBehind = await postAsEarlierRun(`IpAccessControlLists/${list.sid}/IpAddresses.json`, {
      FriendlyName: "LINE SIP 1",
      IpAddress: "203.0.113.50",
    });
    bed.standin.resetRequests();
    // Some latency, as from Twilio, so the creates' look-ups are in flight together.
    bed.standin.setLatency(50);
    const entries = ["203.0.113.50", "203.0.113.51", "203.0.113.52"].map((ip) =>
      bed.resource("IpAddress", `line-ip-${ip}-32-earlier`),
    );
    await Promise.all(
      entries.map((entry, i) =>
        entry.up({
          ipAccessControlListSid: list.sid,
          ipAddress: `203.0.113.${50 + i}`,
          friendlyName: `LINE SIP ${i + 1}`,
        }),
      ),
    );
    bed.standin.setLatency(0);
    expect(entries[0].id).toBe(leftBehind.sid);
    expect(bed.standin.ipAddresses(list.sid)).toHaveLength(3);
    const requests = bed.standin.requests.map((r) => r.method);
    expect(requests.filter((m) => m === "GET")).toHaveLength(1);
    expect(requests.filter((m) => m === "POST")).toHaveLength(2);
  });

  it("skips the look-up in a list this run created itself: nothing can be left there", async () => {
    bed.standin.resetRequests();
    const entry = bed.resource("IpAddress", "line-ip-203.0.113.60-32-fresh");
    await entry.up({ ipAccessControlListSid: listA.id, ipAddress: "203.0.113.60" });
    expect(bed.standin.requests.map((r) => r.method)).toEqual(["POST"]);
    await entry.destroy();
  });
});
