// The program (index.ts) under Pulumi's mocks for a customer in a subaccount, with the Twilio
// stand-in answering the program's own read of the subaccount: every Twilio resource names the
// subaccount, the hosted webhook's SSM parameter holds the subaccount's token as a secret (never
// the parent's, nothing in plaintext), the smoke test's call is the subaccount's, nextStep says
// which SID LINE gets; no resource, AWS ones included, is registered before Twilio confirmed the
// subaccount (a subaccount of another operator: test/e2e/subaccounts.test.ts, through the CLI).
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type StandinAccount,
  startTwilioStandin,
  type TwilioStandin,
} from "../../devkit/twilio-standin/server";
import {
  mockState,
  type ProgramRun,
  plaintextParts,
  runProgram,
  SMOKE_TEST_RUN_TYPE,
  stackFileConfig,
} from "../support/programHarness";

const TWILIO_TYPES = [
  "pulumi-nodejs:dynamic/twilio:SipDomain",
  "pulumi-nodejs:dynamic/twilio:IpAccessControlList",
  "pulumi-nodejs:dynamic/twilio:IpAddress",
  "pulumi-nodejs:dynamic/twilio:IpAccessControlListMapping",
];
const SSM_PARAMETER = "aws:ssm/parameter:Parameter";

let standin: TwilioStandin;
let customer: StandinAccount;
let run: ProgramRun;

/** The prod stack file as an operator of many customers fills it in: the parent's credentials. */
function customerStack(subaccountSid: string) {
  return {
    stack: "prod",
    config: {
      ...stackFileConfig("prod"),
      "twilio:accountSid": standin.accountSid,
      "twilio:authToken": standin.authToken,
      "twilio:apiBaseUrl": standin.url,
      "line-call:subaccountSid": subaccountSid,
    },
    secretKeys: ["twilio:authToken"],
  };
}

beforeAll(async () => {
  standin = await startTwilioStandin();
  customer = standin.createSubaccount({ friendlyName: "customer" });
  run = await runProgram(customerStack(customer.sid));
}, 120_000);
afterAll(async () => {
  await standin.close();
});

describe("a customer stack in a subaccount, hosted on AWS", () => {
  it("runs without error and puts every Twilio resource in the subaccount", () => {
    expect(run.error).toBeUndefined();
    const twilio = run.registrations.filter((r) => TWILIO_TYPES.includes(r.type));
    expect(twilio.length).toBeGreaterThanOrEqual(4);
    for (const resource of twilio) {
      expect(resource.inputs.accountSid, `${resource.type} ${resource.name}`).toBe(customer.sid);
    }
    expect(run.one(SMOKE_TEST_RUN_TYPE).inputs.accountSid).toBe(customer.sid);
  });

  it("gives the webhook the subaccount's token as a secret, and neither token in plaintext anywhere", () => {
    const parameter = run.one(SSM_PARAMETER);
    expect(parameter.inputs.type).toBe("SecureString");
    expect(parameter.wire.value).toMatchObject({ value: customer.authToken });
    for (const registration of run.registrations) {
      const plain = JSON.stringify(plaintextParts(registration.wire));
      expect(plain, registration.type).not.toContain(customer.authToken);
      expect(plain, registration.type).not.toContain(standin.authToken);
    }
    expect(JSON.stringify(run.outputs)).not.toContain(customer.authToken);
  });

  it("tells the operator to send LINE the subaccount's SID", () => {
    expect(String(run.outputs.nextStep)).toContain(
      "(the customer's subaccount, not twilio:accountSid)",
    );
  });

  it("read the subaccount once, with the parent's credentials", () => {
    const reads = standin.requests.filter((r) => r.operationId === "FetchAccount");
    expect(reads.map((r) => [r.path, r.callerAccountSid, r.status])).toEqual([
      [`/2010-04-01/Accounts/${customer.sid}.json`, standin.accountSid, 200],
    ]);
    expect(standin.validationErrors).toEqual([]);
  });
});

describe("the check before anything is created", () => {
  it("holds every resource, AWS ones included, until Twilio confirmed the subaccount", async () => {
    // The program as the CLI runs it: inside its root stack resource, which holds the
    // transformation that makes every resource wait (the shared harness runs it without one).
    vi.resetModules();
    const registered: Array<{ type: string; at: number }> = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({ type: args.type, at: performance.now() });
          return mockState(args.type, args.name, args.inputs);
        },
        call: (args) => args.inputs,
      },
      "line-call",
      "prod",
      false,
    );
    const { config, secretKeys } = customerStack(customer.sid);
    pulumi.runtime.setAllConfig(
      Object.fromEntries(
        Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
      ),
      secretKeys,
    );
    standin.resetRequests();
    await pulumi.runtime.runInPulumiStack(async () => ({ ...(await import("../../index.js")) }));
    const read = standin.requests.find((r) => r.operationId === "FetchAccount");
    expect(read?.answeredMs).toBeDefined();
    const resources = registered.filter((r) => r.type !== "pulumi:pulumi:Stack");
    expect(resources.map((r) => r.type)).toEqual(
      expect.arrayContaining(["aws:iam/role:Role", "aws:cloudwatch/logGroup:LogGroup"]),
    );
    for (const resource of resources) {
      expect(resource.at, resource.type).toBeGreaterThan(
        read?.answeredMs ?? Number.POSITIVE_INFINITY,
      );
    }
  }, 120_000);
});
