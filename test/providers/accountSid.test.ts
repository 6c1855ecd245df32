// Every Twilio resource's `accountSid` through the provider host against the stand-in, configured
// with the parent account's credentials: resources live under the subaccount's path and only
// there; unset means the credentials' own account, with no diff for a resource made before the
// field existed; a change replaces (a domain delete-first, its name being unique across Twilio);
// refresh, delete and the adopt-after-a-lost-create look in the stored account; credentials that
// cannot reach the account fail loudly instead of reading the object as gone.
import { describe, expect, it } from "vitest";
import { CheckFailedError, type EngineResource } from "../../devkit/engine/engine";
import { madeUpSubaccount } from "../../devkit/twilio-standin/accounts";
import { changedFields } from "../../providers/inputs";
import { ACCOUNT_SID_FIELD } from "../../providers/twilioClient";
import { twilioBedPerFile } from "../support/twilioBedPerFile";

const A = madeUpSubaccount(1);
const B = madeUpSubaccount(2);
const bed = twilioBedPerFile({ standin: { subaccounts: [A, B] } });
let counter = 0;
const unique = (what: string) => `account-sid-${what}-${++counter}`;

/** A list, one entry, a domain and their mapping in `accountSid` (unset: the credentials' own). */
async function connection(accountSid: string | undefined) {
  const at = accountSid ? { accountSid } : {};
  const list = bed.resource("IpAccessControlList", unique("list"));
  await list.up({ ...at, friendlyName: unique("LINE"), declaredEntries: ["203.0.113.10/32"] });
  const entry = bed.resource("IpAddress", unique("entry"));
  await entry.up({ ...at, ipAccessControlListSid: list.id, ipAddress: "203.0.113.10" });
  const domain = bed.resource("SipDomain", unique("domain"));
  await domain.up({ ...at, domainName: `${unique("d")}.sip.twilio.com` });
  const mapping = bed.resource("IpAccessControlListMapping", unique("mapping"));
  await mapping.up({ ...at, domainSid: domain.id, ipAccessControlListSid: list.id });
  return { list, entry, domain, mapping, inputsOf: at };
}

function sids(account: ReturnType<typeof bed.standin.account>) {
  return {
    domains: account.domains().map((d) => d.sid),
    lists: account.ipAccessControlLists().map((l) => l.sid),
    entries: account.ipAddresses().map((e) => e.sid),
    mappings: account.ipAccessControlListMappings().map((m) => m.sid),
  };
}

describe("accountSid", () => {
  it("puts every resource under the subaccount's path, with the parent's credentials, and only there", async () => {
    bed.standin.resetRequests();
    const c = await connection(A.sid);
    for (const resource of [c.list, c.entry, c.domain, c.mapping]) {
      expect(resource.outputs.accountSid).toBe(A.sid);
    }
    expect(sids(bed.standin.account(A.sid))).toEqual({
      domains: [c.domain.id],
      lists: [c.list.id],
      entries: [c.entry.id],
      mappings: [c.list.id],
    });
    for (const other of [bed.standin.accountSid, B.sid]) {
      expect(sids(bed.standin.account(other))).toEqual({
        domains: [],
        lists: [],
        entries: [],
        mappings: [],
      });
    }
    expect(bed.standin.requests.length).toBeGreaterThan(0);
    for (const request of bed.standin.requests) {
      expect(request.path).toMatch(new RegExp(`^/2010-04-01/Accounts/${A.sid}/SIP/`));
      expect(request.callerAccountSid).toBe(bed.standin.accountSid);
    }

    // Read back without drift, then deleted where they live.
    for (const resource of [c.list, c.entry, c.domain, c.mapping]) {
      expect(await resource.refresh()).toEqual({ exists: true });
    }
    expect(
      (await c.domain.preview({ accountSid: A.sid, domainName: c.domain.outputs.domainName })).op,
    ).toBe("same");
    expect(
      (
        await c.entry.preview({
          accountSid: A.sid,
          ipAccessControlListSid: c.list.id,
          ipAddress: "203.0.113.10",
        })
      ).op,
    ).toBe("same");
    for (const resource of [c.mapping, c.entry, c.domain, c.list]) await resource.destroy();
    expect(sids(bed.standin.account(A.sid))).toEqual({
      domains: [],
      lists: [],
      entries: [],
      mappings: [],
    });
  });

  it("unset is the credentials' own account: naming it changes nothing, another account replaces", async () => {
    const c = await connection(undefined);
    const parent = bed.standin.accountSid;
    expect(c.domain.outputs.accountSid).toBe(parent);
    expect(sids(bed.standin.account(parent)).domains).toContain(c.domain.id);
    const domainName = c.domain.outputs.domainName;
    // A resource made before the field existed is one made without it: no diff either way.
    expect(await c.domain.preview({ domainName })).toMatchObject({ op: "same" });
    expect(await c.domain.preview({ accountSid: parent, domainName })).toMatchObject({
      op: "same",
    });
    const listInputs = {
      friendlyName: c.list.outputs.friendlyName,
      declaredEntries: ["203.0.113.10/32"],
    };
    expect(await c.list.preview(listInputs)).toMatchObject({ op: "same" });
    expect(await c.list.preview({ ...listInputs, accountSid: B.sid })).toMatchObject({
      op: "replace",
      replaces: ["accountSid"],
    });
    expect(
      await c.mapping.preview({
        accountSid: B.sid,
        domainSid: c.domain.id,
        ipAccessControlListSid: c.list.id,
      }),
    ).toMatchObject({ op: "replace", replaces: ["accountSid"] });
    for (const resource of [c.mapping, c.entry, c.list]) await resource.destroy();

    // The domain moves: deleted first, then created in B under the same name.
    const oldSid = c.domain.id;
    expect(await c.domain.up({ accountSid: B.sid, domainName })).toEqual({
      op: "replace",
      replaces: ["accountSid"],
    });
    expect(c.domain.id).not.toBe(oldSid);
    expect(bed.standin.account(B.sid).domains()).toMatchObject([
      { sid: c.domain.id, domain_name: domainName, account_sid: B.sid },
    ]);
    expect(sids(bed.standin.account(parent)).domains).not.toContain(oldSid);
    await c.domain.destroy();
  });

  it("refresh reads the stored account: an entry deleted there out of band is gone", async () => {
    const c = await connection(A.sid);
    bed.standin.remove("ipAddress", c.entry.id);
    expect(await c.entry.refresh()).toEqual({ exists: false });
    expect(await c.domain.refresh()).toEqual({ exists: true });
    for (const resource of [c.mapping, c.domain, c.list]) await resource.destroy();
  });

  it("a create whose response is lost is found in the subaccount and tracked once", async () => {
    bed.standin.injectFault({
      kind: "lost-response",
      method: "POST",
      path: `/Accounts/${B.sid}/SIP/IpAccessControlLists.json`,
    });
    const friendlyName = unique("lost");
    const list = bed.resource("IpAccessControlList", unique("list"));
    expect((await list.up({ accountSid: B.sid, friendlyName })).op).toBe("create");
    const inB = bed.standin.account(B.sid).ipAccessControlLists();
    expect(inB.filter((l) => l.friendly_name === friendlyName).map((l) => l.sid)).toEqual([
      list.id,
    ]);
    await list.destroy();
  });

  it("check refuses an accountSid that is not an account SID, naming the field", async () => {
    const domain = bed.resource("SipDomain", unique("bad"));
    await expect(
      domain.up({
        accountSid: "SK0123456789abcdef0123456789abcdef",
        domainName: "x.sip.twilio.com",
      }),
    ).rejects.toThrow(CheckFailedError);
    await expect(
      domain.up({ accountSid: "customer-a", domainName: "x.sip.twilio.com" }),
    ).rejects.toThrow(/accountSid: accountSid must be a AC… SID/);
  });

  it("credentials that cannot reach the account fail with Twilio's 20003, never read as gone", async () => {
    const stranger = `AC${"5".repeat(32)}`;
    const domain = bed.resource("SipDomain", unique("stranger"));
    await expect(
      domain.up({ accountSid: stranger, domainName: `${unique("s")}.sip.twilio.com` }),
    ).rejects.toThrow(/Twilio error 20003, HTTP 401.*check twilio:accountSid/);

    const list: EngineResource = bed.resource("IpAccessControlList", unique("list"));
    await list.up({ accountSid: A.sid, friendlyName: unique("reach") });
    const stored = list.state;
    if (!stored) throw new Error("no state");
    list.state = { ...stored, outputs: { ...stored.outputs, accountSid: stranger } };
    await expect(list.refresh()).rejects.toThrow(/20003/);
    list.state = stored;
    await list.destroy();
  });
});

describe("an unset accountSid in the diff", () => {
  const parent = `AC${"1".repeat(32)}`;
  const other = `AC${"2".repeat(32)}`;
  const schemaWith = (credentials: string | undefined) => ({
    accountSid: { ...ACCOUNT_SID_FIELD, whenUnset: () => credentials },
  });

  it("means the credentials' account; unknown credentials count as no change", () => {
    const stored = { accountSid: parent };
    expect(changedFields(schemaWith(parent), stored, {})).toEqual([]);
    expect(changedFields(schemaWith(parent), stored, { accountSid: parent })).toEqual([]);
    expect(changedFields(schemaWith(parent), stored, { accountSid: other })).toEqual([
      "accountSid",
    ]);
    // Other credentials (twilio:accountSid changed): the object must move to their account.
    expect(changedFields(schemaWith(other), stored, {})).toEqual(["accountSid"]);
    // A preview without credentials cannot tell, and says nothing changed.
    expect(changedFields(schemaWith(undefined), stored, {})).toEqual([]);
  });
});
