// IpAccessControlList and IpAccessControlListMapping through the provider host against the
// stand-in: life cycle, in-place rename, drift, adopt and the clash message, the mapping's
// replace rules, and Twilio's "still mapped" refusal surfaced with what to do.
import { describe, expect, it } from "vitest";
import { CheckFailedError } from "../../devkit/engine/engine";
import { standinTwilioClient } from "../../devkit/twilio-standin/client";
import { UNKNOWN } from "../../model/pulumiEngine";
import { twilioBedPerFile } from "../support/twilioBedPerFile";

const bed = twilioBedPerFile();
let counter = 0;
const uniqueName = () => `line-call-test-acl-${++counter}`;

const liveList = (sid: string) => bed.standin.ipAccessControlLists().find((l) => l.sid === sid);

describe("IpAccessControlList", () => {
  it("creates, reads back without drift, renames in place, shows drift, deletes", async () => {
    const friendlyName = uniqueName();
    const list = bed.resource("IpAccessControlList", "list");
    expect((await list.up({ friendlyName })).op).toBe("create");
    const sid = list.id;
    expect(sid).toMatch(/^AL[0-9a-f]{32}$/);
    expect(list.outputs).toMatchObject({
      sid,
      accountSid: bed.standin.accountSid,
      friendlyName,
      adopt: false,
    });
    await list.refresh();
    expect((await list.preview({ friendlyName })).op).toBe("same");

    const renamed = uniqueName();
    expect(await list.up({ friendlyName: renamed })).toEqual({ op: "update", replaces: [] });
    expect(list.id).toBe(sid);
    expect(liveList(sid)?.friendly_name).toBe(renamed);

    bed.standin.edit("ipAccessControlList", sid, { friendly_name: "renamed in the console" });
    await list.refresh();
    expect(list.outputs.friendlyName).toBe("renamed in the console");
    expect((await list.preview({ friendlyName: renamed })).op).toBe("update");
    await list.up({ friendlyName: renamed });
    expect(liveList(sid)?.friendly_name).toBe(renamed);

    await list.destroy();
    expect(liveList(sid)).toBeUndefined();
  });

  it("a list deleted outside Pulumi reads as gone; deleting it again succeeds", async () => {
    const list = bed.resource("IpAccessControlList", "gone");
    await list.up({ friendlyName: uniqueName() });
    const state = list.state;
    bed.standin.remove("ipAccessControlList", list.id);
    expect(await list.refresh()).toEqual({ exists: false });
    list.state = state;
    await list.destroy();
  });

  it("without adopt a list in use clashes, naming its SID, its use and adopt; with adopt it takes over", async () => {
    const friendlyName = uniqueName();
    const byHand = bed.resource("IpAccessControlList", "by-hand");
    await byHand.up({ friendlyName });
    const entry = bed.resource("IpAddress", "by-hand-entry");
    await entry.up({ ipAccessControlListSid: byHand.id, ipAddress: "203.0.113.30" });
    const clash = await bed
      .resource("IpAccessControlList", "clash")
      .up({ friendlyName })
      .catch((e: Error) => String(e));
    expect(clash).toContain(byHand.id);
    expect(clash).toContain("holds IP addresses");
    expect(clash).toContain("adopt: true");

    const adopted = bed.resource("IpAccessControlList", "adopted");
    await adopted.up({ friendlyName, adopt: true });
    expect(adopted.id).toBe(byHand.id);
    expect(
      bed.standin.ipAccessControlLists().filter((l) => l.friendly_name === friendlyName),
    ).toHaveLength(1);
    await adopted.refresh();
    expect((await adopted.preview({ friendlyName, adopt: true })).op).toBe("same");
    await entry.destroy();
    await adopted.destroy();
  });

  it("an empty list mapped to a SIP domain is in use too", async () => {
    const friendlyName = uniqueName();
    const domain = bed.resource("SipDomain", "in-use-domain");
    const domainName = `${uniqueName()}.sip.twilio.com`;
    await domain.up({ domainName });
    const byHand = bed.resource("IpAccessControlList", "mapped-by-hand");
    await byHand.up({ friendlyName });
    const mapping = bed.resource("IpAccessControlListMapping", "mapped-by-hand");
    await mapping.up({ domainSid: domain.id, ipAccessControlListSid: byHand.id });
    const clash = await bed
      .resource("IpAccessControlList", "clash-mapped")
      .up({ friendlyName })
      .catch((e: Error) => String(e));
    expect(clash).toContain(byHand.id);
    expect(clash).toContain(`is mapped to SIP domain ${domainName} (${domain.id})`);
    expect(clash).toContain("adopt: true");
    expect(
      bed.standin.ipAccessControlLists().filter((l) => l.friendly_name === friendlyName),
    ).toHaveLength(1);
    await mapping.destroy();
    await byHand.destroy();
    await domain.destroy();
  });

  it("takes over, without adopt, a list nothing uses: what its own lost create leaves", async () => {
    const friendlyName = uniqueName();
    // Twilio holds a list Pulumi does not track (the state of the create that made it is lost).
    const lost = bed.resource("IpAccessControlList", "lost-create");
    await lost.up({ friendlyName });
    const leftBehind = lost.id;
    lost.state = undefined;
    const list = bed.resource("IpAccessControlList", "declared");
    expect((await list.up({ friendlyName })).op).toBe("create");
    expect(list.id).toBe(leftBehind);
    expect(list.outputs).toMatchObject({ sid: leftBehind, friendlyName, adopt: false });
    expect(
      bed.standin.ipAccessControlLists().filter((l) => l.friendly_name === friendlyName),
    ).toHaveLength(1);
    await list.destroy();
    expect(liveList(leftBehind)).toBeUndefined();
  });

  it("check names the property", async () => {
    for (const [inputs, property, hint] of [
      [{}, "friendlyName", "required"],
      [{ friendlyName: "x".repeat(256) }, "friendlyName", "255"],
      [{ friendlyName: "  " }, "friendlyName", "blank"],
      [{ friendlyName: "ok", adopt: "yes" }, "adopt", "true or false"],
    ] as const) {
      const error = await bed
        .resource("IpAccessControlList", "invalid")
        .up(inputs)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CheckFailedError);
      expect((error as CheckFailedError).failures[0].property).toBe(property);
      expect((error as CheckFailedError).failures[0].reason).toContain(hint);
    }
  });
});

describe("IpAccessControlList declaredEntries: entries no resource tracks", () => {
  const ips = (sid: string) =>
    bed.standin
      .ipAddresses(sid)
      .map((e) => `${e.ip_address}/${e.cidr_prefix_length}`)
      .sort();
  /** An entry Twilio holds that no resource tracks (made by a resource whose state is dropped). */
  async function untrackedEntry(listSid: string, ipAddress: string) {
    const entry = bed.resource("IpAddress", `untracked-${ipAddress}`);
    await entry.up({ ipAccessControlListSid: listSid, ipAddress });
    entry.state = undefined;
  }

  it("a refresh reports an undeclared entry; the update of that diff removes it and nothing else", async () => {
    const friendlyName = uniqueName();
    const declared = { friendlyName, declaredEntries: ["203.0.113.10/32"] };
    const list = bed.resource("IpAccessControlList", "policed");
    await list.up(declared);
    const entry = bed.resource("IpAddress", "policed-entry");
    await entry.up({ ipAccessControlListSid: list.id, ipAddress: "203.0.113.10" });
    await list.refresh();
    expect((await list.preview(declared)).op).toBe("same");

    await untrackedEntry(list.id, "198.51.100.7");
    await list.refresh();
    const account = { declaredEntries: ["203.0.113.10/32"], untrackedEntries: ["198.51.100.7/32"] };
    expect(list.outputs).toMatchObject(account);
    expect(list.state?.inputs).toMatchObject(account);
    expect((await list.preview(declared)).op).toBe("update");

    bed.standin.resetRequests();
    expect(await list.up(declared)).toEqual({ op: "update", replaces: [] });
    expect(ips(list.id)).toEqual(["203.0.113.10/32"]);
    expect(bed.standin.requests.map((r) => `${r.method} ${r.status}`)).toEqual([
      "GET 200",
      "DELETE 204",
    ]);
    expect(list.outputs).toMatchObject({ ...account, untrackedEntries: [] });
    expect(await entry.refresh()).toEqual({ exists: true });
    await list.refresh();
    expect((await list.preview(declared)).op).toBe("same");
    await entry.destroy();
    await list.destroy();
  });

  it("an entry dropped from declaredEntries goes with the list's update; its own delete then finds it gone", async () => {
    const friendlyName = uniqueName();
    const list = bed.resource("IpAccessControlList", "dropping");
    await list.up({ friendlyName, declaredEntries: ["203.0.113.10/32", "203.0.113.11/32"] });
    const kept = bed.resource("IpAddress", "kept");
    await kept.up({ ipAccessControlListSid: list.id, ipAddress: "203.0.113.10" });
    const dropped = bed.resource("IpAddress", "dropped");
    await dropped.up({ ipAccessControlListSid: list.id, ipAddress: "203.0.113.11" });
    // An address added in the same change needs nothing from Twilio at the list.
    bed.standin.resetRequests();
    await list.up({
      friendlyName,
      declaredEntries: ["203.0.113.10/32", "203.0.113.11/32", "203.0.113.12/32"],
    });
    expect(bed.standin.requests).toEqual([]);
    await list.up({ friendlyName, declaredEntries: ["203.0.113.10/32", "203.0.113.12/32"] });
    expect(ips(list.id)).toEqual(["203.0.113.10/32"]);
    await dropped.destroy();
    await kept.destroy();
    await list.destroy();
  });

  it("a list made before the input existed updates in place without a Twilio call, and then reports strays", async () => {
    const friendlyName = uniqueName();
    const list = bed.resource("IpAccessControlList", "upgraded");
    await list.up({ friendlyName });
    await untrackedEntry(list.id, "198.51.100.7");
    // Without declared entries the list does not look at its entries (one call: the list).
    bed.standin.resetRequests();
    await list.refresh();
    expect(bed.standin.requests).toHaveLength(1);
    expect(list.outputs).not.toHaveProperty("declaredEntries");
    expect(list.outputs).not.toHaveProperty("untrackedEntries");
    expect((await list.preview({ friendlyName })).op).toBe("same");

    const declared = { friendlyName, declaredEntries: ["203.0.113.10/32"] };
    expect(await list.preview(declared)).toMatchObject({ op: "update", replaces: [] });
    bed.standin.resetRequests();
    expect(await list.up(declared)).toEqual({ op: "update", replaces: [] });
    expect(bed.standin.requests).toEqual([]);
    expect(list.outputs).toMatchObject({
      declaredEntries: ["203.0.113.10/32"],
      untrackedEntries: [],
    });
    // The stray from before is reported by the next refresh, and the next update removes it.
    await list.refresh();
    expect(list.outputs.untrackedEntries).toEqual(["198.51.100.7/32"]);
    await list.up(declared);
    expect(ips(list.id)).toEqual([]);
    // Left out again: the list stops accounting for its entries, and stays without a diff.
    await list.up({ friendlyName });
    expect(list.outputs).not.toHaveProperty("declaredEntries");
    expect((await list.preview({ friendlyName })).op).toBe("same");
    await list.destroy();
  });

  it("an untracked entry the program then declares stays, for its IpAddress create to adopt", async () => {
    const friendlyName = uniqueName();
    // Made outside this provider process, as in the console: its creates look into it first.
    const twilio = standinTwilioClient(bed.standin);
    await twilio.sip.ipAccessControlLists.create({ friendlyName });
    const list = bed.resource("IpAccessControlList", "declared-later");
    await list.up({ friendlyName, declaredEntries: [] });
    await twilio.sip.ipAccessControlLists(list.id).ipAddresses.create({
      ipAddress: "198.51.100.7",
      friendlyName: "added in the console",
    });
    await list.refresh();
    expect(list.outputs.untrackedEntries).toEqual(["198.51.100.7/32"]);
    await list.up({ friendlyName, declaredEntries: ["198.51.100.7/32"] });
    const entry = bed.resource("IpAddress", "declared-later");
    await entry.up({ ipAccessControlListSid: list.id, ipAddress: "198.51.100.7" });
    expect(bed.standin.ipAddresses(list.id).map((e) => e.sid)).toEqual([entry.id]);
    await list.refresh();
    expect(list.outputs.untrackedEntries).toEqual([]);
    await entry.destroy();
    await list.destroy();
  });

  it("adopt: true brings a list made by hand to the declared entries", async () => {
    const friendlyName = uniqueName();
    const byHand = bed.resource("IpAccessControlList", "by-hand-entries");
    await byHand.up({ friendlyName });
    await untrackedEntry(byHand.id, "203.0.113.10");
    await untrackedEntry(byHand.id, "198.51.100.7");
    byHand.state = undefined;
    const adopted = bed.resource("IpAccessControlList", "adopted-entries");
    await adopted.up({ friendlyName, adopt: true, declaredEntries: ["203.0.113.10/32"] });
    expect(ips(adopted.id)).toEqual(["203.0.113.10/32"]);
    expect(adopted.outputs.declaredEntries).toEqual(["203.0.113.10/32"]);
    for (const entry of bed.standin.ipAddresses(adopted.id)) {
      bed.standin.remove("ipAddress", String(entry.sid));
    }
    await adopted.destroy();
  });

  it("check sorts the entries, refuses what Twilio would, and lets the unknown through", async () => {
    const list = bed.resource("IpAccessControlList", "checked");
    const friendlyName = uniqueName();
    expect(
      (
        await list.preview({
          friendlyName,
          declaredEntries: ["203.0.113.11/32", "203.0.113.10/32"],
        })
      ).inputs.declaredEntries,
    ).toEqual(["203.0.113.10/32", "203.0.113.11/32"]);
    for (const [declaredEntries, hint] of [
      ["203.0.113.10/32", "a list of strings"],
      [["203.0.113.10"], '"203.0.113.10" is not an IPv4 address and prefix'],
      [["203.0.113.10/24"], "host bits set: write 203.0.113.0/24"],
      [["203.0.113.10/0"], "Twilio silently stores it as 32"],
      [["203.0.113.10/032"], "not an IPv4 address and prefix"],
      [["203.0.113.10/32", "203.0.113.10/32"], 'lists "203.0.113.10/32" twice'],
    ] as const) {
      const error = await list.preview({ friendlyName, declaredEntries }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CheckFailedError);
      expect((error as CheckFailedError).failures[0].property).toBe("declaredEntries");
      expect((error as CheckFailedError).failures[0].reason).toContain(hint);
    }
    const set = await list
      .preview({ friendlyName, declaredEntries: [], untrackedEntries: ["198.51.100.7/32"] })
      .catch((e: unknown) => e);
    expect((set as CheckFailedError).failures[0]).toMatchObject({
      property: "untrackedEntries",
      reason: expect.stringContaining("not an input: leave it out"),
    });
    await list.up({ friendlyName, declaredEntries: ["203.0.113.10/32"] });
    for (const declaredEntries of [UNKNOWN, ["203.0.113.10/32", UNKNOWN]]) {
      expect(await list.preview({ friendlyName, declaredEntries })).toMatchObject({
        op: "update",
        replaces: [],
      });
    }
    await list.destroy();
  });
});

describe("IpAccessControlListMapping", () => {
  it("maps a list to the domain's Auth → Calls, replaces on any change, drifts, unmaps", async () => {
    const domain = bed.resource("SipDomain", "mapped-domain");
    await domain.up({ domainName: `${uniqueName()}.sip.twilio.com` });
    const listA = bed.resource("IpAccessControlList", "a");
    const listB = bed.resource("IpAccessControlList", "b");
    await listA.up({ friendlyName: uniqueName() });
    await listB.up({ friendlyName: uniqueName() });
    const mapping = bed.resource("IpAccessControlListMapping", "mapping");
    const inputsA = { domainSid: domain.id, ipAccessControlListSid: listA.id };
    expect((await mapping.up(inputsA)).op).toBe("create");
    expect(mapping.id).toBe(`${domain.id}/${listA.id}`);
    expect(mapping.outputs).toMatchObject({ ...inputsA, sid: listA.id });
    expect(bed.standin.ipAccessControlListMappings(domain.id).map((m) => m.sid)).toEqual([
      listA.id,
    ]);
    await mapping.refresh();
    expect((await mapping.preview(inputsA)).op).toBe("same");

    // Twilio refuses to delete a list that is still mapped, and the message says what to do.
    const refused = await listA.destroy().catch((e: Error) => String(e));
    expect(refused).toContain("21236");
    expect(refused).toContain("IpAccessControlListMapping");
    expect(liveList(listA.id)).toBeDefined();

    // Any change replaces; in preview an unknown domain or list replaces too.
    expect(await mapping.preview({ ...inputsA, ipAccessControlListSid: UNKNOWN })).toMatchObject({
      op: "replace",
      replaces: ["ipAccessControlListSid"],
    });
    expect(await mapping.preview({ ...inputsA, domainSid: UNKNOWN })).toMatchObject({
      op: "replace",
      replaces: ["domainSid"],
    });
    const inputsB = { domainSid: domain.id, ipAccessControlListSid: listB.id };
    expect(await mapping.up(inputsB)).toEqual({
      op: "replace",
      replaces: ["ipAccessControlListSid"],
    });
    expect(mapping.id).toBe(`${domain.id}/${listB.id}`);
    expect(bed.standin.ipAccessControlListMappings(domain.id).map((m) => m.sid)).toEqual([
      listB.id,
    ]);

    // Unmapped in the console: refresh sees it gone.
    bed.standin.remove("mapping", `${domain.id}/${listB.id}`);
    const stale = mapping.state;
    expect(await mapping.refresh()).toEqual({ exists: false });
    mapping.state = stale;
    await mapping.destroy();

    await mapping.up(inputsB);
    await mapping.destroy();
    expect(bed.standin.ipAccessControlListMappings(domain.id)).toEqual([]);
    await listA.destroy();
    await listB.destroy();
    await domain.destroy();
  });

  it("takes over an identical mapping made by hand (it has no settings to lose)", async () => {
    const domain = bed.resource("SipDomain", "hand-mapped-domain");
    await domain.up({ domainName: `${uniqueName()}.sip.twilio.com` });
    const list = bed.resource("IpAccessControlList", "hand-mapped-list");
    await list.up({ friendlyName: uniqueName() });
    const inputs = { domainSid: domain.id, ipAccessControlListSid: list.id };
    const byHand = bed.resource("IpAccessControlListMapping", "by-hand");
    await byHand.up(inputs);
    const declared = bed.resource("IpAccessControlListMapping", "declared");
    expect((await declared.up(inputs)).op).toBe("create");
    expect(bed.standin.ipAccessControlListMappings(domain.id)).toHaveLength(1);
    await declared.destroy();
    await list.destroy();
    await domain.destroy();
  });

  it("check requires SD…/AL… SIDs", async () => {
    const error = await bed
      .resource("IpAccessControlListMapping", "invalid")
      .up({ domainSid: "example.sip.twilio.com", ipAccessControlListSid: "AL123" })
      .catch((e: unknown) => e);
    expect((error as CheckFailedError).failures.map((f) => f.property)).toEqual([
      "domainSid",
      "ipAccessControlListSid",
    ]);
  });
});
