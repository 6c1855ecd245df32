/**
 * The production token path: TWILIO_AUTH_TOKEN unset, TWILIO_AUTH_TOKEN_PARAMETER naming an SSM
 * SecureString. The real AWS SDK v3 SSM client (the one the Lambda runtime provides) talks to a
 * local stand-in of SSM's wire protocol via AWS_ENDPOINT_URL_SSM, the SDK's own endpoint override.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type SsmStandIn,
  type StoredParameter,
  startSsmStandIn,
  useLambdaAwsEnvironment,
} from "../../devkit/ssmStandIn";
import { SSM_RETRY_BACKOFF_MS, ssmRetryDelayMs } from "../../lambda/authToken";
import type { Env } from "../../lambda/config";
import { createHandler } from "../../lambda/handler";
import { sampleLineCall } from "../../model/twilioRequest";
import { AUTH_TOKEN, NUMBER_TARGET_ENV, onlyChild, parseTwiml, webhookPerTest } from "./harness";

const PARAMETER = "/line-call/dev/twilio-auth-token";
const parameters: Record<string, StoredParameter> = {
  [PARAMETER]: { value: `${AUTH_TOKEN}\n` },
  "/line-call/dev/plain-token": { value: AUTH_TOKEN, type: "String" },
};

/** The function's environment in production: no token, only the parameter's name. */
function productionEnv(parameterName: string): Env {
  const { TWILIO_AUTH_TOKEN: _unused, ...rest } = NUMBER_TARGET_ENV;
  return { ...rest, TWILIO_AUTH_TOKEN_PARAMETER: parameterName };
}

let ssm: SsmStandIn;
let restoreEnv: () => void;

beforeAll(async () => {
  ssm = await startSsmStandIn(parameters);
  restoreEnv = useLambdaAwsEnvironment({ AWS_ENDPOINT_URL_SSM: ssm.endpoint });
});

afterAll(async () => {
  await ssm.close();
  restoreEnv();
});

const start = webhookPerTest();

/** Only Date is faked (the SDK's sockets and timeouts stay real): `later(ms)` moves the clock. */
function fakeClock() {
  vi.useFakeTimers({ toFake: ["Date"] });
  return { later: (ms: number) => vi.setSystemTime(Date.now() + ms) };
}
afterEach(() => {
  vi.useRealTimers();
});

describe("auth token from SSM (TWILIO_AUTH_TOKEN_PARAMETER)", () => {
  it("reads the SecureString once per cold start, decrypted and SigV4-signed, and validates calls with it", async () => {
    ssm.calls.length = 0;
    const w = await start(productionEnv(PARAMETER));
    for (let i = 0; i < 3; i++) {
      const dial = onlyChild(parseTwiml(await w.post("/voice")), "Dial");
      expect(dial.getAttribute("callerId")).toBe("+815012345678");
    }
    expect(ssm.calls).toEqual([
      {
        name: PARAMETER,
        withDecryption: true,
        credentialScope: expect.stringMatching(
          /^AKIDLINECALLTEST0001\/\d{8}\/ap-northeast-1\/ssm\/aws4_request$/,
        ),
      },
    ]);
    expect(w.rawLog()).not.toContain(AUTH_TOKEN);

    // A new handler instance is a new cold start: it reads the parameter again.
    await start(productionEnv(PARAMETER)).then((next) => next.post("/voice"));
    expect(ssm.calls).toHaveLength(2);
  });

  it("with prefetch (on Lambda), reads the token during init, before the first call", async () => {
    ssm.calls.length = 0;
    const handler = createHandler({ env: productionEnv(PARAMETER), log: () => {}, prefetch: true });
    await expect.poll(() => ssm.calls.length).toBe(1);
    const w = await start(productionEnv(PARAMETER), handler);
    expect((await w.post("/voice")).status).toBe(200);
    expect(ssm.calls).toHaveLength(1);
  });

  it("refuses forged requests with the token from SSM", async () => {
    const w = await start(productionEnv(PARAMETER));
    const forged = await w.post("/voice", sampleLineCall(), { authToken: "e".repeat(32) });
    expect(forged.status).toBe(403);
  });

  it("gives callers the apology while the parameter cannot be read, logs why, and recovers without a redeploy", async () => {
    const clock = fakeClock();
    const name = "/line-call/dev/not-yet-created";
    const w = await start(productionEnv(name));
    const apology = parseTwiml(await w.post("/voice"));
    expect(onlyChild(apology, "Hangup")).toBeTruthy();
    const errors = w.logs().filter((line) => line.msg === "auth token unavailable");
    expect(errors).toEqual([
      expect.objectContaining({
        level: "error",
        problem: expect.stringMatching(/not-yet-created.*ParameterNotFound/),
      }),
    ]);
    expect(w.requestLogs()[0]).toMatchObject({ decision: "token-unavailable-apology" });

    parameters[name] = { value: AUTH_TOKEN };
    clock.later(SSM_RETRY_BACKOFF_MS.first);
    const dial = onlyChild(parseTwiml(await w.post("/voice")), "Dial");
    expect(dial.getAttribute("callerId")).toBe("+815012345678");
  });

  it("backs off while SSM fails: one read for a burst of calls, the next after a doubling, capped delay", async () => {
    const clock = fakeClock();
    const name = "/line-call/dev/never-created";
    const w = await start(productionEnv(name));
    const reads = () => ssm.calls.filter((call) => call.name === name).length;

    // Concurrent calls share the read in flight; the calls after the failure make none.
    await Promise.all([w.post("/voice"), w.post("/voice"), w.post("/voice")]);
    for (let i = 0; i < 3; i++) await w.post("/voice");
    expect(reads()).toBe(1);

    clock.later(SSM_RETRY_BACKOFF_MS.first - 1);
    await w.post("/voice");
    expect(reads()).toBe(1);
    clock.later(1);
    await w.post("/voice");
    expect(reads()).toBe(2);
    clock.later(ssmRetryDelayMs(2) - 1);
    await w.post("/voice");
    expect(reads()).toBe(2);
    clock.later(1);
    await w.post("/voice");
    expect(reads()).toBe(3);

    expect(w.requestLogs().map((line) => line.decision)).toEqual(
      Array(10).fill("token-unavailable-apology"),
    );
    expect(
      w
        .logs()
        .filter((line) => line.msg === "auth token unavailable")
        .map(({ failures, retryInMs }) => ({ failures, retryInMs })),
    ).toEqual([
      { failures: 1, retryInMs: 1_000 },
      { failures: 2, retryInMs: 2_000 },
      { failures: 3, retryInMs: 4_000 },
    ]);
    expect(ssmRetryDelayMs(6)).toBe(SSM_RETRY_BACKOFF_MS.max);
    expect(ssmRetryDelayMs(60)).toBe(SSM_RETRY_BACKOFF_MS.max);
  });

  it("warns when the parameter is a plain String rather than a SecureString", async () => {
    const w = await start(productionEnv("/line-call/dev/plain-token"));
    expect((await w.post("/voice")).status).toBe(200);
    expect(w.logs()).toContainEqual(
      expect.objectContaining({
        level: "warn",
        type: "String",
        parameter: "/line-call/dev/plain-token",
      }),
    );
  });

  it("prefers TWILIO_AUTH_TOKEN when both are set (local runs) and never calls SSM then", async () => {
    ssm.calls.length = 0;
    const w = await start({ ...productionEnv(PARAMETER), TWILIO_AUTH_TOKEN: AUTH_TOKEN });
    expect((await w.post("/voice")).status).toBe(200);
    expect(ssm.calls).toEqual([]);
  });
});
