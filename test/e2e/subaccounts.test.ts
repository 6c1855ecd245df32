// Customers in Twilio subaccounts, through the real Pulumi CLI against one stand-in: an operator's
// parent account with two customer subaccounts, one stack each, both driven by the parent's
// credentials only (twilio:authToken is the parent's; nobody typed a subaccount token). Each
// customer's resources exist only in its own subaccount; the smoke test passes against a webhook
// that accepts only that subaccount's signatures; the drift check fails for the customer whose IP
// entry was deleted out of band, and only for it; destroying one leaves the other untouched; a
// stack naming another operator's subaccount fails before anything is created.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEngineStack,
  type EngineStack,
  engineStandin,
  engineTestsEnabled,
  expectSuccess,
} from "../../devkit/engine/cliStack";
import type { StandinAccount, TwilioStandin } from "../../devkit/twilio-standin/server";
import { driftGate, exportedDeployment } from "../support/stackInventory";

const enabled = engineTestsEnabled();
const LONG = 600_000;

type Json = Record<string, unknown>;

describe.runIf(enabled)("customers in Twilio subaccounts, under the real engine", () => {
  let standin: TwilioStandin;
  let customerA: StandinAccount;
  let customerB: StandinAccount;
  const stacks: EngineStack[] = [];

  beforeAll(async () => {
    standin = await engineStandin();
    customerA = standin.createSubaccount({ friendlyName: "customer A" });
    customerB = standin.createSubaccount({ friendlyName: "customer B" });
  });
  afterAll(async () => {
    for (const stack of stacks) await stack.close();
    await standin?.close();
  });

  async function customerStack(name: string, subaccount: StandinAccount): Promise<EngineStack> {
    const stack = await createEngineStack(name, { standin, subaccount });
    stacks.push(stack);
    stack.writeConfig({
      ...stack.readConfig(),
      "line-call:sipDomainName": `line-call-${name}.sip.twilio.com`,
    });
    return stack;
  }

  /** The SIDs of the SIP objects an account holds. */
  function inventory(accountSid: string) {
    const account = standin.account(accountSid);
    const sids = (objects: Json[]) => objects.map((o) => String(o.sid)).sort();
    return {
      domains: sids(account.domains()),
      lists: sids(account.ipAccessControlLists()),
      entries: sids(account.ipAddresses()),
      mappings: sids(account.ipAccessControlListMappings()),
    };
  }

  /** The SIDs of the Twilio objects a stack's state tracks, by kind (mapping ids are SD…/AL…). */
  async function tracked(stack: EngineStack) {
    const resources = ((await exportedDeployment(stack)).resources ?? []) as Json[];
    const ids = (type: string) =>
      resources
        .filter((r) => r.type === `pulumi-nodejs:dynamic/twilio:${type}`)
        .map((r) => String(r.id))
        .sort();
    return {
      domains: ids("SipDomain"),
      lists: ids("IpAccessControlList"),
      entries: ids("IpAddress"),
      mappings: ids("IpAccessControlListMapping").map((id) => id.split("/")[1]),
    };
  }

  async function outputs(stack: EngineStack): Promise<Json> {
    const result = expectSuccess(
      await stack.pulumi(["stack", "output", "--json", "--show-secrets"]),
      "stack output",
    );
    return JSON.parse(result.stdout) as Json;
  }

  it(
    "two customers come up in their own subaccounts with the parent's credentials only; drift names the one changed; destroying one leaves the other",
    async () => {
      const [a, b] = await Promise.all([
        customerStack("customer-a", customerA),
        customerStack("customer-b", customerB),
      ]);
      standin.resetRequests();
      const [upA, upB] = await Promise.all([
        a.pulumi(["up", "--yes", "--skip-preview"]),
        b.pulumi(["up", "--yes", "--skip-preview"]),
      ]);
      expectSuccess(upA, "pulumi up (customer A)");
      expectSuccess(upB, "pulumi up (customer B)");

      // Every Twilio call was made with the parent's credentials, A's under A's path, B's under
      // B's, and the parent itself holds nothing.
      expect(standin.requests.length).toBeGreaterThan(0);
      for (const request of standin.requests) {
        expect(request.callerAccountSid).toBe(standin.accountSid);
        expect(request.path).toMatch(
          new RegExp(`^/2010-04-01/Accounts/(${customerA.sid}|${customerB.sid})(\\.json|/SIP/)`),
        );
      }
      expect(inventory(standin.accountSid)).toEqual({
        domains: [],
        lists: [],
        entries: [],
        mappings: [],
      });
      for (const [stack, customer] of [
        [a, customerA],
        [b, customerB],
      ] as const) {
        const held = inventory(customer.sid);
        expect(held.domains).toHaveLength(1);
        expect(held.entries).toHaveLength(2);
        expect(await tracked(stack)).toEqual(held);
        // What to hand LINE: the SIP URI and the subaccount's SID, said as such.
        const out = await outputs(stack);
        expect(out.accountSid).toBe(customer.sid);
        expect(out.sipUri).toBe(`sip:line-call-${stack.name}.sip.twilio.com`);
        expect(String(out.nextStep)).toContain(
          `Account SID ${customer.sid} (the customer's subaccount, not twilio:accountSid)`,
        );
        // The subaccount's token was read, never stored: not in the stack file, not in the state.
        expect(readFileSync(stack.configFile, "utf8")).not.toContain(customer.authToken);
        const state = expectSuccess(await stack.pulumi(["stack", "export"]), "stack export");
        expect(state.stdout).not.toContain(customer.authToken);
      }
      // The two customers' objects are disjoint.
      expect(inventory(customerA.sid).domains).not.toEqual(inventory(customerB.sid).domains);

      // Someone deletes one of customer A's LINE entries in the console: A's drift check fails
      // naming customer A's stack and that entry; B's passes.
      const [lostEntry] = standin.account(customerA.sid).ipAddresses();
      standin.remove("ipAddress", String(lostEntry.sid));
      const [gateA, gateB] = await Promise.all([driftGate(a), driftGate(b)]);
      expect(gateA.code).not.toBe(0);
      expect(gateA.output).toContain("customer-a");
      expect(gateA.output).toContain(`line-ip-${String(lostEntry.ip_address)}-32`);
      expectSuccess(gateB, "customer B's drift check");

      // Destroying customer A removes A's objects and touches nothing of B's.
      const bBefore = inventory(customerB.sid);
      standin.resetRequests();
      expectSuccess(await a.pulumi(["destroy", "--yes", "--skip-preview"]), "destroy A");
      expect(inventory(customerA.sid)).toEqual({
        domains: [],
        lists: [],
        entries: [],
        mappings: [],
      });
      expect(inventory(customerB.sid)).toEqual(bBefore);
      for (const request of standin.requests) {
        expect(request.path).not.toContain(customerB.sid);
      }
      expectSuccess(await driftGate(b), "customer B's drift check after A's destroy");
    },
    LONG,
  );

  it(
    "a stack that signed in with the subaccount's own credentials moves to the parent's with no change at all",
    async () => {
      const customer = standin.createSubaccount({ friendlyName: "moving customer" });
      const stack = await customerStack("moving", customer);
      const { "line-call:subaccountSid": _declared, ...single } = stack.readConfig();
      // Before: a single stack of the subaccount itself, its own SID and token in the stack.
      stack.writeConfig({ ...single, "twilio:accountSid": customer.sid });
      const setToken = (token: string) =>
        stack.pulumi(["config", "set", "--secret", "twilio:authToken", token]);
      expectSuccess(await setToken(customer.authToken), "config set (the subaccount's token)");
      expectSuccess(await stack.pulumi(["up", "--yes", "--skip-preview"]), "pulumi up (before)");
      const held = inventory(customer.sid);
      expect(held.domains).toHaveLength(1);

      // After: the parent's credentials and line-call:subaccountSid; the preview shows nothing to
      // do, and the update changes nothing in Twilio.
      stack.writeConfig({
        ...stack.readConfig(),
        "twilio:accountSid": standin.accountSid,
        "line-call:subaccountSid": customer.sid,
      });
      expectSuccess(await setToken(standin.authToken), "config set (the parent's token)");
      expectSuccess(
        await stack.pulumi(["preview", "--refresh", "--expect-no-changes", "--diff"]),
        "the preview after the move",
      );
      standin.resetRequests();
      expectSuccess(await stack.pulumi(["up", "--yes", "--skip-preview"]), "pulumi up (after)");
      expect(standin.requests.filter((r) => r.method !== "GET")).toEqual([]);
      expect(inventory(customer.sid)).toEqual(held);
      expect((await outputs(stack)).accountSid).toBe(customer.sid);
    },
    LONG,
  );

  it(
    "a stack naming another operator's subaccount fails naming both SIDs, before anything is created",
    async () => {
      const otherOperator = standin.createMainAccount();
      const theirs = standin.createSubaccount({}, otherOperator.sid);
      const stack = await customerStack("foreign", theirs);
      const before = standin.accounts().map((account) => inventory(account.sid));
      standin.resetRequests();

      for (const command of [["preview"], ["up", "--yes", "--skip-preview"]]) {
        const result = await stack.pulumi(command);
        expect(result.code, command.join(" ")).not.toBe(0);
        expect(result.output).toContain(
          `line-call:subaccountSid ${theirs.sid} is not a subaccount of twilio:accountSid ${standin.accountSid}`,
        );
        expect(result.output).toContain("Nothing was created");
      }
      // Only the look-up of the account itself reached Twilio; nothing was written anywhere.
      expect(standin.requests.map((r) => `${r.method} ${r.path} ${r.status}`).sort()).toEqual([
        `GET /2010-04-01/Accounts/${theirs.sid}.json 404`,
        `GET /2010-04-01/Accounts/${theirs.sid}.json 404`,
      ]);
      expect(standin.accounts().map((account) => inventory(account.sid))).toEqual(before);
      const resources = ((await exportedDeployment(stack)).resources ?? []) as Json[];
      expect(resources.filter((r) => String(r.type).includes("twilio:"))).toEqual([]);
    },
    LONG,
  );
});
