// The stand-in is only useful if it refuses what Twilio refuses and never answers what Twilio
// would not: requests and responses are checked against Twilio's OpenAPI description.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rawRequest } from "../../../devkit/twilio-standin/client";
import { startTwilioStandin, type TwilioStandin } from "../../../devkit/twilio-standin/server";
import { loadTwilioSpec, SPEC_FILES } from "../../../devkit/twilio-standin/spec";

let standin: TwilioStandin;

beforeAll(async () => {
  standin = await startTwilioStandin();
});

afterAll(async () => {
  await standin.close();
});

beforeEach(() => {
  standin.validationErrors.length = 0;
});

async function createDomain(): Promise<string> {
  const res = await rawRequest(standin, "POST", "/SIP/Domains.json", {
    form: { DomainName: `v-${Math.random().toString(16).slice(2)}.sip.twilio.com` },
  });
  expect(res.status).toBe(201);
  return res.body?.sid as string;
}

/** Sends a request a correct client never sends; expects Twilio's 400 and one recorded problem. */
async function expectRejected(
  method: string,
  path: string,
  options: Parameters<typeof rawRequest>[3],
  problem: RegExp,
  status = 400,
): Promise<void> {
  const res = await rawRequest(standin, method, path, options);
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({
    status,
    more_info: expect.stringMatching(/^https:\/\/www\.twilio\.com\/docs\/errors\/\d+$/),
  });
  expect(standin.validationErrors).toHaveLength(1);
  expect(standin.validationErrors[0]).toMatch(problem);
  standin.validationErrors.length = 0;
}

describe("requests that break Twilio's API description", () => {
  it("refuses unknown parameters, wrong types, bad enums and missing required fields", async () => {
    await expectRejected(
      "POST",
      "/SIP/Domains.json",
      { form: { DomainName: "a.sip.twilio.com", VoiceUrI: "x" } },
      /CreateSipDomain request: .*unknown field "VoiceUrI"/,
    );
    await expectRejected(
      "POST",
      "/SIP/Domains.json",
      { form: { DomainName: "a.sip.twilio.com", VoiceMethod: "PUT" } },
      /VoiceMethod must be one of GET, POST/,
    );
    await expectRejected(
      "POST",
      "/SIP/Domains.json",
      { form: { DomainName: "a.sip.twilio.com", Secure: "yes" } },
      /Secure must be boolean/,
    );
    await expectRejected(
      "POST",
      "/SIP/Domains.json",
      { form: { DomainName: "a.sip.twilio.com", VoiceUrl: "not a url" } },
      /VoiceUrl must match format "uri"/,
    );
    await expectRejected(
      "POST",
      "/SIP/Domains.json",
      { form: { FriendlyName: "no name" } },
      /Missing required parameter DomainName/,
    );
    await expectRejected(
      "POST",
      "/SIP/IpAccessControlLists.json",
      { form: { FriendlyName: "" } },
      /Missing required parameter FriendlyName/,
    );
    await expectRejected(
      "POST",
      "/SIP/Domains.json",
      { form: "DomainName=a.sip.twilio.com&DomainName=b.sip.twilio.com" },
      /DomainName must be string/,
    );
  });

  it("requires a FriendlyName for an IP address and an integer prefix", async () => {
    const acl = await rawRequest(standin, "POST", "/SIP/IpAccessControlLists.json", {
      form: { FriendlyName: "v" },
    });
    const path = `/SIP/IpAccessControlLists/${acl.body?.sid}/IpAddresses.json`;
    await expectRejected(
      "POST",
      path,
      { form: { IpAddress: "203.0.113.1" } },
      /CreateSipIpAddress request: Missing required parameter FriendlyName/,
    );
    await expectRejected(
      "POST",
      path,
      { form: { IpAddress: "203.0.113.1", FriendlyName: "x", CidrPrefixLength: "32.5" } },
      /CidrPrefixLength must be integer/,
    );
    expect(standin.ipAddresses(acl.body?.sid as string)).toEqual([]);
  });

  it("refuses malformed SIDs, paging parameters and a body on a DELETE", async () => {
    await expectRejected(
      "GET",
      "/SIP/Domains/SD123.json",
      {},
      /FetchSipDomain request: path parameter Sid must NOT have fewer than 34 characters/,
    );
    await expectRejected(
      "GET",
      `/SIP/Domains/AL${"0".repeat(32)}.json`,
      {},
      /Sid must match pattern/,
    );
    await expectRejected(
      "GET",
      "/SIP/Domains.json?PageSize=1001",
      {},
      /query parameter PageSize must be <= 1000/,
    );
    await expectRejected("GET", "/SIP/Domains.json?Limit=5", {}, /unknown field "Limit"/);
    await expectRejected(
      "DELETE",
      `/SIP/Domains/SD${"0".repeat(32)}.json`,
      { form: { DomainName: "x" } },
      /DELETE takes no request body/,
    );
    await expectRejected(
      "POST",
      "/SIP/IpAccessControlLists.json",
      { form: '{"FriendlyName":"json"}', contentType: "application/json" },
      /application\/x-www-form-urlencoded/,
    );
  });

  it("refuses paths and methods the description does not have", async () => {
    await expectRejected(
      "GET",
      "/SIP/Trunks.json",
      {},
      /not a path in the Twilio API description/,
      404,
    );
    await expectRejected("DELETE", "/SIP/Domains.json", {}, /no DELETE operation/, 405);
  });

  it("does not record a valid request that Twilio's rules refuse, nor one under an account the credentials do not reach", async () => {
    const res = await rawRequest(standin, "POST", "/SIP/Domains.json", {
      form: { DomainName: "line.example.com" },
    });
    expect(res.body).toMatchObject({ status: 400, code: 21231 });
    const other = `/2010-04-01/Accounts/AC${"f".repeat(32)}/SIP/Domains.json`;
    expect((await rawRequest(standin, "GET", other)).body).toMatchObject({
      status: 401,
      code: 20003,
    });
    const unauthenticated = await rawRequest(standin, "GET", "/SIP/Domains.json", { auth: null });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get("www-authenticate")).toMatch(/^Basic/);
    expect(standin.validationErrors).toEqual([]);
  });
});

describe("responses", () => {
  it("are checked too: a value Twilio would never return is recorded as a stand-in problem", async () => {
    const sid = await createDomain();
    standin.edit("domain", sid, { voice_method: "PUT" });
    const res = await rawRequest(standin, "GET", `/SIP/Domains/${sid}.json`);
    expect(res.status).toBe(200);
    expect(standin.validationErrors).toEqual([
      "FetchSipDomain response 200: voice_method must be one of GET, POST",
    ]);
  });

  it("carry every field the description declares and no other", async () => {
    const sid = await createDomain();
    const res = await rawRequest(standin, "GET", `/SIP/Domains/${sid}.json`);
    const spec = JSON.parse(
      readFileSync(
        join(__dirname, "..", "..", "..", "devkit", "twilio-standin", "twilio_api_v2010_sip.json"),
        "utf8",
      ),
    );
    const declared = Object.keys(
      spec.components.schemas["api.v2010.account.sip.sip_domain"].properties,
    );
    expect(Object.keys(res.body ?? {}).sort()).toEqual(declared.sort());
    expect(standin.validationErrors).toEqual([]);
  });

  it("validators accept every example response in Twilio's description", () => {
    // Guards the closure the validators add (all fields required, none extra) and the formats.
    const paths = Object.assign(
      {},
      ...SPEC_FILES.map((file) => JSON.parse(readFileSync(file, "utf8")).paths),
    );
    const compiled = loadTwilioSpec();
    let checked = 0;
    const accountExamples: unknown[] = [];
    for (const pathItem of Object.values<
      Record<
        string,
        {
          operationId?: string;
          responses?: Record<
            string,
            { content?: Record<string, { examples?: Record<string, { value: unknown }> }> }
          >;
        }
      >
    >(paths)) {
      for (const op of Object.values(pathItem)) {
        if (!op?.operationId || !op.responses) continue;
        for (const [status, response] of Object.entries(op.responses)) {
          for (const example of Object.values(
            response.content?.["application/json"]?.examples ?? {},
          )) {
            const validate = compiled.operations.get(op.operationId)?.responses.get(Number(status));
            expect(validate, `${op.operationId} ${status}`).toBeDefined();
            expect(validate?.(example.value), `${op.operationId} ${status}`).toBeUndefined();
            if (/Account$/.test(op.operationId)) accountExamples.push(example.value);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(30);
    // The accounts' cut is read too: its create, fetch, update and list examples.
    expect(accountExamples.length).toBeGreaterThanOrEqual(4);
  });
});
