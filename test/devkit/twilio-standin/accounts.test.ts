// The stand-in's accounts, as Twilio serves them: a parent with subaccounts, each with its own auth
// token; the parent reads a subaccount's token and manages its SIP resources under its path; a
// subaccount's credentials reach neither the parent nor a sibling. Every request and response is
// checked against twilio_api_v2010_accounts.json (useStandin asserts no validation problem).
import { describe, expect, it } from "vitest";
import { rawRequest, standinTwilioClient } from "../../../devkit/twilio-standin/client";
import type { StandinAccount, TwilioStandin } from "../../../devkit/twilio-standin/server";
import { type StandinClient, useStandin } from "./testing";

let standin: TwilioStandin;
let parent: StandinClient;
useStandin((started, client) => {
  standin = started;
  parent = client;
});

/** Credentials of one account, for rawRequest. */
function as(account: StandinAccount) {
  return { url: standin.url, accountSid: account.sid, authToken: account.authToken };
}

const accountPath = (sid: string) => `/2010-04-01/Accounts/${sid}.json`;
const domainsOf = (sid: string) => `/2010-04-01/Accounts/${sid}/SIP/Domains.json`;
let domainCounter = 0;
const uniqueDomain = () => `accounts-test-${++domainCounter}.sip.twilio.com`;

describe("accounts", () => {
  it("the parent reads a subaccount, auth token included; the subaccount reads itself without it", async () => {
    const sub = standin.createSubaccount({ friendlyName: "customer A" });
    expect(sub).toMatchObject({
      sid: expect.stringMatching(/^AC[0-9a-f]{32}$/),
      authToken: expect.stringMatching(/^[0-9a-f]{32}$/),
      ownerAccountSid: standin.accountSid,
      status: "active",
    });

    // Through the official SDK, as the program reads it.
    const fetched = await parent.api.v2010.accounts(sub.sid).fetch();
    expect(fetched).toMatchObject({
      sid: sub.sid,
      ownerAccountSid: standin.accountSid,
      authToken: sub.authToken,
      friendlyName: "customer A",
      status: "active",
      type: "Full",
    });

    const itself = await rawRequest(as(sub), "GET", accountPath(sub.sid));
    expect(itself.status).toBe(200);
    expect(itself.body).toMatchObject({ sid: sub.sid, auth_token: null });
    // The parent sees its own token (it owns itself).
    const own = await rawRequest(standin, "GET", accountPath(standin.accountSid));
    expect(own.body).toMatchObject({
      owner_account_sid: standin.accountSid,
      auth_token: standin.authToken,
    });
  });

  it("a subaccount's credentials reach neither the parent nor a sibling: 404 20404 for the account, 401 20003 under its path", async () => {
    const a = standin.createSubaccount();
    const b = standin.createSubaccount();
    for (const other of [standin.accountSid, b.sid]) {
      expect((await rawRequest(as(a), "GET", accountPath(other))).body).toMatchObject({
        status: 404,
        code: 20404,
      });
      expect((await rawRequest(as(a), "GET", domainsOf(other))).body).toMatchObject({
        status: 401,
        code: 20003,
      });
      const create = await rawRequest(as(a), "POST", domainsOf(other), {
        form: { DomainName: uniqueDomain() },
      });
      expect(create.status).toBe(401);
    }
    expect(standin.domains()).toEqual([]);
    expect(standin.account(b.sid).domains()).toEqual([]);
    // Its own path is fine, and the SDK sees a refusal as Twilio's error.
    expect((await rawRequest(as(a), "GET", domainsOf(a.sid))).status).toBe(200);
    const asA = standinTwilioClient(standin, { username: a.sid, password: a.authToken });
    await expect(asA.api.v2010.accounts(b.sid).sip.domains.list()).rejects.toMatchObject({
      status: 401,
      code: 20003,
    });
  });

  it("the parent manages a subaccount's SIP resources under the subaccount's path; they are the subaccount's alone", async () => {
    const sub = standin.createSubaccount();
    const sip = parent.api.v2010.accounts(sub.sid).sip;
    const domain = await sip.domains.create({ domainName: uniqueDomain() });
    const list = await sip.ipAccessControlLists.create({ friendlyName: "LINE" });
    const entry = await sip
      .ipAccessControlLists(list.sid)
      .ipAddresses.create({ friendlyName: "LINE 1", ipAddress: "203.0.113.10" });
    await sip.domains(domain.sid).auth.calls.ipAccessControlListMappings.create({
      ipAccessControlListSid: list.sid,
    });
    expect([domain.accountSid, list.accountSid, entry.accountSid]).toEqual([
      sub.sid,
      sub.sid,
      sub.sid,
    ]);
    expect(domain.uri).toBe(`/2010-04-01/Accounts/${sub.sid}/SIP/Domains/${domain.sid}.json`);

    const inSub = standin.account(sub.sid);
    expect(inSub.domains().map((d) => d.sid)).toEqual([domain.sid]);
    expect(inSub.ipAddresses().map((e) => e.sid)).toEqual([entry.sid]);
    expect(inSub.ipAccessControlListMappings(domain.sid)).toHaveLength(1);
    expect(standin.domains().map((d) => d.sid)).not.toContain(domain.sid);
    expect(standin.ipAccessControlLists().map((l) => l.sid)).not.toContain(list.sid);
    // Under the parent's own path the subaccount's objects do not exist.
    await expect(parent.sip.domains(domain.sid).fetch()).rejects.toMatchObject({ status: 404 });
    // The subaccount's own credentials see them too.
    const own = await rawRequest(as(sub), "GET", domainsOf(sub.sid));
    expect((own.body?.domains as Array<{ sid: string }> | undefined)?.map((d) => d.sid)).toEqual([
      domain.sid,
    ]);

    // Edits and removals behind the client's back find the account holding the object.
    standin.edit("domain", domain.sid, { voice_url: "https://console.example/edit" });
    expect(inSub.domains()[0].voice_url).toBe("https://console.example/edit");
    standin.remove("ipAddress", entry.sid);
    expect(inSub.ipAddresses()).toEqual([]);
    standin.remove("mapping", `${domain.sid}/${list.sid}`);
    expect(inSub.ipAccessControlListMappings()).toEqual([]);
  });

  it("SIP domain names stay unique across all accounts", async () => {
    const a = standin.createSubaccount();
    const b = standin.createSubaccount();
    const name = uniqueDomain();
    await parent.api.v2010.accounts(a.sid).sip.domains.create({ domainName: name });
    await expect(
      parent.api.v2010.accounts(b.sid).sip.domains.create({ domainName: name.toUpperCase() }),
    ).rejects.toMatchObject({ status: 400, code: 21232 });
    await expect(parent.sip.domains.create({ domainName: name })).rejects.toMatchObject({
      code: 21232,
    });
  });

  it("lists the caller's accounts: the parent itself and its subaccounts; a subaccount only itself", async () => {
    const sub = standin.createSubaccount({ friendlyName: "listed" });
    const all = await parent.api.v2010.accounts.list({ pageSize: 1000 });
    expect(all.map((a) => a.sid)).toEqual(
      standin
        .accounts()
        .filter((a) => a.ownerAccountSid === standin.accountSid)
        .map((a) => a.sid),
    );
    expect(all[0].sid).toBe(standin.accountSid);
    const named = await parent.api.v2010.accounts.list({ friendlyName: "listed" });
    expect(named.map((a) => a.sid)).toEqual([sub.sid]);
    const asSub = standinTwilioClient(standin, { username: sub.sid, password: sub.authToken });
    expect((await asSub.api.v2010.accounts.list()).map((a) => a.sid)).toEqual([sub.sid]);
  });

  it("creates a subaccount over the API with the parent's credentials, never with a subaccount's", async () => {
    const created = await parent.api.v2010.accounts.create({ friendlyName: "over the API" });
    expect(created).toMatchObject({
      ownerAccountSid: standin.accountSid,
      friendlyName: "over the API",
      authToken: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(standin.accounts().find((a) => a.sid === created.sid)?.authToken).toBe(
      created.authToken,
    );
    const asSub = standinTwilioClient(standin, {
      username: created.sid,
      password: created.authToken ?? "",
    });
    await expect(asSub.api.v2010.accounts.create({})).rejects.toMatchObject({ status: 401 });
  });

  it("a closed subaccount's own credentials are refused; its parent still reads it, and it stays closed", async () => {
    const sub = standin.createSubaccount();
    const closed = await parent.api.v2010.accounts(sub.sid).update({ status: "closed" });
    expect(closed.status).toBe("closed");
    expect((await rawRequest(as(sub), "GET", domainsOf(sub.sid))).status).toBe(401);
    expect((await parent.api.v2010.accounts(sub.sid).fetch()).status).toBe("closed");
    await expect(
      parent.api.v2010.accounts(sub.sid).update({ status: "active" }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it("another operator's subaccount is out of the main account's reach, and the other way round", async () => {
    const other = standin.createMainAccount();
    const theirs = standin.createSubaccount({}, other.sid);
    expect(theirs.ownerAccountSid).toBe(other.sid);
    await expect(parent.api.v2010.accounts(theirs.sid).fetch()).rejects.toMatchObject({
      status: 404,
      code: 20404,
    });
    await expect(parent.api.v2010.accounts(theirs.sid).sip.domains.list()).rejects.toMatchObject({
      status: 401,
      code: 20003,
    });
    const asOther = standinTwilioClient(standin, {
      username: other.sid,
      password: other.authToken,
    });
    expect((await asOther.api.v2010.accounts(theirs.sid).fetch()).authToken).toBe(theirs.authToken);
    await expect(asOther.api.v2010.accounts(standin.accountSid).fetch()).rejects.toMatchObject({
      status: 404,
    });
    expect((await asOther.api.v2010.accounts.list()).map((a) => a.sid)).toEqual([
      other.sid,
      theirs.sid,
    ]);
  });

  it("records whose credentials made each request", async () => {
    const sub = standin.createSubaccount();
    standin.resetRequests();
    await rawRequest(as(sub), "GET", domainsOf(sub.sid));
    await rawRequest(standin, "GET", domainsOf(sub.sid));
    await rawRequest(standin, "GET", domainsOf(sub.sid), { auth: "ACnobody:wrong" });
    expect(standin.requests.map((r) => r.callerAccountSid)).toEqual([
      sub.sid,
      standin.accountSid,
      undefined,
    ]);
  });
});
