/**
 * The shared webhook of a platform stack (CUSTOMER_PARAMETER_PREFIX set), over real HTTP with
 * Twilio-signed requests: the request's AccountSid picks the customer, whose SecureString
 * `<prefix>/<AccountSid>` (written by encodeCustomerParameter, as a customer stack writes it) is
 * read by the real AWS SDK client from a local SSM stand-in. The cache's clock is injected, so
 * the 60-second bound is crossed without waiting.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type SsmStandIn,
  type StoredParameter,
  startSsmStandIn,
  useLambdaAwsEnvironment,
} from "../../devkit/ssmStandIn";
import { SSM_RETRY_BACKOFF_MS } from "../../lambda/authToken";
import { encodeCustomerParameter } from "../../lambda/customerParameter";
import { CUSTOMER_CACHE } from "../../lambda/customers";
import { createHandler } from "../../lambda/handler";
import { callSettingsFromEnvironment, parseCallSettings } from "../../model/callSettings";
import { sampleLineCall } from "../../model/twilioRequest";
import {
  describeChildren,
  onlyChild,
  parseTwiml,
  type RunningWebhook,
  startWebhook,
} from "./harness";

const PREFIX = "/line-call/platform/customers";
const A = { sid: `AC${"a".repeat(32)}`, token: "a1".repeat(16) };
const B = { sid: `AC${"b".repeat(32)}`, token: "b2".repeat(16) };
const UNKNOWN_SID = `AC${"c".repeat(32)}`;
const DENIED_SID = `AC${"d".repeat(32)}`;
const MALFORMED_SID = `AC${"e".repeat(32)}`;

const SETTINGS_A = {
  FORWARD_TO: "+81312345678",
  CALLER_ID: "+815012345678",
  GREETING: "A社でございます。",
};
const SETTINGS_B = {
  FORWARD_TO: "sip:reception@pbx.b.example.com",
  GREETING: "B社へようこそ。",
  DIAL_TIMEOUT: "45",
};

/** The parameter as a customer stack writes it: settings judged by the contract, then encoded. */
function parameterFor(
  customer: { sid: string; token: string },
  env: Record<string, string>,
): StoredParameter {
  const { settings, problems } = parseCallSettings(callSettingsFromEnvironment(env));
  expect(problems).toEqual([]);
  if (!settings) throw new Error("unreachable");
  const value = encodeCustomerParameter({
    accountSid: customer.sid,
    authToken: customer.token,
    call: settings,
  });
  return { value, type: "SecureString" };
}

const name = (sid: string) => `${PREFIX}/${sid}`;
const parameters: Record<string, StoredParameter> = {};
let ssm: SsmStandIn;
let restoreEnv: () => void;

beforeAll(async () => {
  ssm = await startSsmStandIn(parameters, { denied: new Set([name(DENIED_SID)]) });
  restoreEnv = useLambdaAwsEnvironment({ AWS_ENDPOINT_URL_SSM: ssm.endpoint });
});

afterAll(async () => {
  await ssm.close();
  restoreEnv();
});

let running: RunningWebhook | undefined;
let lines: string[] = [];
let clock = 0;

/** A fresh warm instance of the shared webhook (new cache), its clock at `clock`. */
async function sharedWebhook(): Promise<RunningWebhook> {
  for (const key of Object.keys(parameters)) delete parameters[key];
  parameters[name(A.sid)] = parameterFor(A, SETTINGS_A);
  parameters[name(B.sid)] = parameterFor(B, SETTINGS_B);
  parameters[name(MALFORMED_SID)] = { value: '{"format":1,"accountSid":', type: "SecureString" };
  ssm.calls.length = 0;
  clock = Date.parse("2026-12-05T00:00:00Z");
  lines = [];
  const log = (line: string) => lines.push(line);
  const handler = createHandler({
    env: { CUSTOMER_PARAMETER_PREFIX: PREFIX },
    log,
    now: () => new Date(clock),
  });
  running = await startWebhook({}, handler);
  return running;
}
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const logs = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
const requestLogs = () => logs().filter((entry) => entry.msg === "twilio request");
/** A LINE call of `account`, signed with `token` as Twilio signs the subaccount's requests. */
const call = (w: RunningWebhook, account: string, token: string) =>
  w.post("/voice", sampleLineCall({ AccountSid: account }), { authToken: token });

describe("the shared webhook (CUSTOMER_PARAMETER_PREFIX)", () => {
  it("answers customers A and B each with their own settings, signed with their own tokens", async () => {
    const w = await sharedWebhook();
    const a = parseTwiml(await call(w, A.sid, A.token));
    const b = parseTwiml(await call(w, B.sid, B.token));
    expect(describeChildren(a)[0]).toEqual(["Say", { language: "ja-JP" }, SETTINGS_A.GREETING]);
    expect(onlyChild(a, "Number").textContent).toBe(SETTINGS_A.FORWARD_TO);
    expect(onlyChild(a, "Dial").getAttribute("callerId")).toBe(SETTINGS_A.CALLER_ID);
    expect(describeChildren(b)[0]).toEqual(["Say", { language: "ja-JP" }, SETTINGS_B.GREETING]);
    expect(onlyChild(b, "Sip").textContent).toMatch(/^sip:reception@pbx\.b\.example\.com\?/);
    expect(onlyChild(b, "Dial").getAttribute("timeout")).toBe("45");
    // One read each, decrypted; the next calls are answered from the cache.
    await call(w, A.sid, A.token);
    await call(w, B.sid, B.token);
    expect(ssm.calls.map((c) => [c.name, c.withDecryption])).toEqual([
      [name(A.sid), true],
      [name(B.sid), true],
    ]);
    expect(requestLogs().map((entry) => [entry.accountSid, entry.decision])).toEqual([
      [A.sid, "forward-number"],
      [B.sid, "forward-sip"],
      [A.sid, "forward-number"],
      [B.sid, "forward-sip"],
    ]);
    expect(lines.join("\n")).not.toMatch(new RegExp(`${A.token}|${B.token}`));
  });

  it("refuses a request signed with A's token that claims B's AccountSid (403, no TwiML)", async () => {
    const w = await sharedWebhook();
    const forged = await call(w, B.sid, A.token);
    expect(forged.status).toBe(403);
    expect(forged.body).toBe("Forbidden");
    expect(requestLogs()).toEqual([
      expect.objectContaining({ decision: "rejected-signature", accountSid: B.sid }),
    ]);
    // …and B's own calls still work.
    expect((await call(w, B.sid, B.token)).status).toBe(200);
  });

  it("refuses an unknown or malformed AccountSid with 403; a malformed one costs no SSM read", async () => {
    const w = await sharedWebhook();
    expect((await call(w, UNKNOWN_SID, A.token)).status).toBe(403);
    expect((await call(w, UNKNOWN_SID, A.token)).status).toBe(403);
    expect(ssm.calls.map((c) => c.name)).toEqual([name(UNKNOWN_SID)]); // remembered as unknown
    for (const claimed of ["ACnot-an-account", `${A.sid}/../${B.sid}`, ""]) {
      expect((await call(w, claimed, A.token)).status).toBe(403);
    }
    const { AccountSid: _left, ...noAccount } = sampleLineCall();
    expect((await w.post("/voice", noAccount, { authToken: A.token })).status).toBe(403);
    expect(ssm.calls).toHaveLength(1);
    expect(requestLogs().map((entry) => entry.reason)).toEqual([
      "unknown-account",
      "unknown-account",
      "malformed-account-sid",
      "malformed-account-sid",
      "malformed-account-sid",
      "malformed-account-sid",
    ]);
  });

  it("turns 1,000 forged AccountSids into a bounded number of SSM reads, and still answers known customers", async () => {
    const w = await sharedWebhook();
    expect((await call(w, A.sid, A.token)).status).toBe(200);
    clock += CUSTOMER_CACHE.ttlMs + 1; // A's entry has expired: its next call reads again
    const before = ssm.calls.length;
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const forged = `AC${i.toString(16).padStart(32, "f")}`;
      const { status } = await call(w, forged, "f".repeat(32));
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const reads = ssm.calls.length - before;
    console.info(
      `1,000 forged AccountSids (clock held still): ${reads} SSM reads, ` +
        `${1000 - reads} refused without one; answers ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(statuses).toEqual(new Map([[403, 1000]]));
    expect(reads).toBe(CUSTOMER_CACHE.lookups.burst);
    // One warning line for the episode, not one per request.
    expect(logs().filter((entry) => entry.msg === "account lookups throttled")).toEqual([
      expect.objectContaining({ level: "warn", refused: 1 }),
    ]);
    // A known customer's expired entry is read again without drawing on the empty bucket.
    expect((await call(w, A.sid, A.token)).status).toBe(200);
    expect(ssm.calls.length - before).toBe(CUSTOMER_CACHE.lookups.burst + 1);
    // Time refills the bucket: one second buys `perSecond` more lookups.
    clock += 1000;
    const newcomer = await call(w, B.sid, B.token);
    expect(newcomer.status).toBe(200);
  });

  it("answers many customers met for the first time in a row: only accounts not found draw the bucket down", async () => {
    const w = await sharedWebhook();
    const many = Array.from({ length: 3 * CUSTOMER_CACHE.lookups.burst }, (_, i) => ({
      sid: `AC${(i + 1).toString(16).padStart(32, "0")}`,
      token: (i + 1).toString(16).padStart(32, "7"),
    }));
    for (const customer of many)
      parameters[name(customer.sid)] = parameterFor(customer, SETTINGS_B);
    // The clock held still: no refill; each found customer gives its lookup back.
    for (const customer of many)
      expect((await call(w, customer.sid, customer.token)).status).toBe(200);
    expect(ssm.calls).toHaveLength(many.length);
    // The bucket is still full for unknown accounts.
    for (let i = 0; i < CUSTOMER_CACHE.lookups.burst; i++) {
      expect((await call(w, `AC${i.toString(16).padStart(32, "9")}`, A.token)).status).toBe(403);
    }
    expect(ssm.calls).toHaveLength(many.length + CUSTOMER_CACHE.lookups.burst);
    expect(
      requestLogs()
        .map((entry) => entry.reason)
        .filter(Boolean),
    ).not.toContain("lookup-throttled");
  });

  it("answers a changed greeting within the documented bound (the cache's TTL)", async () => {
    const w = await sharedWebhook();
    const greeting = async () => describeChildren(parseTwiml(await call(w, A.sid, A.token)))[0][2];
    expect(await greeting()).toBe(SETTINGS_A.GREETING);
    parameters[name(A.sid)] = parameterFor(A, { ...SETTINGS_A, GREETING: "新しいご挨拶です。" });
    clock += CUSTOMER_CACHE.ttlMs - 1;
    expect(await greeting()).toBe(SETTINGS_A.GREETING);
    clock += 1;
    expect(await greeting()).toBe("新しいご挨拶です。");
    expect(ssm.calls).toHaveLength(2);
  });

  it.each([
    ["cannot be read (access denied)", DENIED_SID, /AccessDeniedException/],
    ["is malformed", MALFORMED_SID, /is not JSON/],
    [
      "carries another account's settings",
      UNKNOWN_SID,
      /accountSid ACa+ is not the one in its name/,
    ],
  ])(
    "gives the caller the apology and logs one line naming the parameter when it %s",
    async (_what, sid, problem) => {
      const w = await sharedWebhook();
      if (sid === UNKNOWN_SID) parameters[name(sid)] = { ...parameters[name(A.sid)] };
      await call(w, A.sid, A.token); // A is cached in this instance: none of it may leak
      const reply = await call(w, sid, A.token);
      const apology = parseTwiml(reply);
      expect(describeChildren(apology).map(([tag]) => tag)).toEqual(["Say", "Hangup"]);
      expect(reply.body).not.toContain(SETTINGS_A.GREETING);
      expect(reply.body).not.toContain(SETTINGS_A.FORWARD_TO);
      // Again within the backoff: the same apology, no second read and no second error line.
      expect((await call(w, sid, A.token)).body).toBe(reply.body);
      const errors = logs().filter((entry) => entry.level === "error");
      expect(errors).toEqual([
        expect.objectContaining({
          msg: "customer parameter unusable",
          parameter: name(sid),
          problem: expect.stringMatching(problem),
        }),
      ]);
      expect(JSON.stringify(errors)).not.toContain(A.token);
      expect(
        requestLogs()
          .slice(1)
          .map((entry) => entry.decision),
      ).toEqual(["customer-unavailable-apology", "customer-unavailable-apology"]);
      expect(ssm.calls.map((c) => c.name)).toEqual([name(A.sid), name(sid)]);
      // Fixed: read again after the backoff, and answered with its own settings.
      parameters[name(sid)] = parameterFor({ sid, token: B.token }, SETTINGS_B);
      if (sid === DENIED_SID) return; // still denied by the role: stays the apology
      clock += SSM_RETRY_BACKOFF_MS.first;
      const fixed = parseTwiml(await call(w, sid, B.token));
      expect(describeChildren(fixed)[0][2]).toBe(SETTINGS_B.GREETING);
    },
  );

  it("answers /status with 204 and /fallback with the apology only for a signed customer request", async () => {
    const w = await sharedWebhook();
    const status = await w.post(
      "/status",
      sampleLineCall({ AccountSid: B.sid, CallStatus: "completed" }),
      {
        authToken: B.token,
      },
    );
    expect(status.status).toBe(204);
    const fallback = await w.post("/fallback", sampleLineCall({ AccountSid: A.sid }), {
      authToken: A.token,
    });
    expect(describeChildren(parseTwiml(fallback)).map(([tag]) => tag)).toEqual(["Say", "Hangup"]);
    const forged = await w.post("/fallback", sampleLineCall({ AccountSid: A.sid }), {
      authToken: B.token,
    });
    expect(forged.status).toBe(403);
  });
});
