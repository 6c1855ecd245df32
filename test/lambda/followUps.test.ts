/**
 * The routes after /voice, over real HTTP: the <Dial action> outcome, the domain's fallback URL
 * and status callbacks; plus what callers hear when the configuration is broken, and XML escaping.
 */
import type { Element } from "@xmldom/xmldom";
import { describe, expect, it } from "vitest";
import type { Env } from "../../lambda/config";
import { APOLOGY_LANGUAGE, APOLOGY_MESSAGE } from "../../lambda/twiml";
import { DEFAULT_UNAVAILABLE_MESSAGE } from "../../model/callSettings";
import { sampleLineCall } from "../../model/twilioRequest";
import {
  AUTH_TOKEN,
  describeChildren,
  NUMBER_TARGET_ENV,
  onlyChild,
  parseTwiml,
  webhookPerTest,
} from "./harness";

const start = webhookPerTest();

function expectApology(response: Element) {
  expect(describeChildren(response)).toEqual([
    ["Say", { language: APOLOGY_LANGUAGE }, APOLOGY_MESSAGE],
    ["Hangup", {}, ""],
  ]);
}

function afterDial(dialCallStatus: string) {
  return sampleLineCall({ CallStatus: "in-progress", DialCallStatus: dialCallStatus });
}

describe("POST /voice/after-dial", () => {
  it.each(["no-answer", "busy", "failed"])(
    "plays UNAVAILABLE_MESSAGE and hangs up when the dial ended %s",
    async (status) => {
      const w = await start({
        ...NUMBER_TARGET_ENV,
        UNAVAILABLE_MESSAGE: "只今混み合っております。",
      });
      const response = parseTwiml(await w.post("/voice/after-dial", afterDial(status)));
      expect(describeChildren(response)).toEqual([
        ["Say", { language: "ja-JP" }, "只今混み合っております。"],
        ["Hangup", {}, ""],
      ]);
      expect(w.requestLogs()[0]).toMatchObject({
        decision: "unavailable-message",
        dialCallStatus: status,
      });
    },
  );

  it("uses a Japanese default UNAVAILABLE_MESSAGE in SAY_LANGUAGE", async () => {
    const w = await start({ ...NUMBER_TARGET_ENV, SAY_LANGUAGE: "en-US" });
    const say = onlyChild(parseTwiml(await w.post("/voice/after-dial", afterDial("busy"))), "Say");
    expect(say.textContent).toBe(DEFAULT_UNAVAILABLE_MESSAGE);
    expect(say.getAttribute("language")).toBe("en-US");
  });

  it.each(["completed", "answered", "canceled"])(
    "just hangs up when the dial ended %s",
    async (status) => {
      const w = await start();
      const response = parseTwiml(await w.post("/voice/after-dial", afterDial(status)));
      expect(describeChildren(response)).toEqual([["Hangup", {}, ""]]);
    },
  );
});

describe("POST /fallback", () => {
  it("apologises and hangs up", async () => {
    const w = await start();
    const params = sampleLineCall({ ErrorCode: "11200", ErrorUrl: "https://x.example/voice" });
    expectApology(parseTwiml(await w.post("/fallback", params)));
    expect(w.requestLogs()[0]).toMatchObject({ decision: "fallback-apology", errorCode: "11200" });
  });

  it("depends on nothing but the signature check: broken settings still get the apology", async () => {
    const w = await start({
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      FORWARD_TO: "not a number",
      SAY_LANGUAGE: "Japanese",
      DIAL_TIMEOUT: "forever",
    });
    expectApology(parseTwiml(await w.post("/fallback")));
  });
});

describe("POST /status", () => {
  it("validates and logs a status callback, answering 204 without TwiML", async () => {
    const w = await start();
    const params = sampleLineCall({
      CallStatus: "completed",
      CallDuration: "42",
      SequenceNumber: "3",
    });
    const result = await w.post("/status", params);
    expect(result.status).toBe(204);
    expect(result.body).toBe("");
    expect(w.requestLogs()).toEqual([
      expect.objectContaining({
        route: "/status",
        decision: "status-logged",
        callSid: params.CallSid,
        callStatus: "completed",
        callDuration: "42",
        sequenceNumber: "3",
      }),
    ]);
  });
});

describe("missing or invalid configuration", () => {
  const broken: [string, Env, string][] = [
    ["FORWARD_TO missing", { ...NUMBER_TARGET_ENV, FORWARD_TO: "" }, "FORWARD_TO is not set"],
    ["FORWARD_TO invalid", { ...NUMBER_TARGET_ENV, FORWARD_TO: "03-1234-5678" }, "FORWARD_TO"],
    [
      "CALLER_ID missing for a phone number",
      { ...NUMBER_TARGET_ENV, CALLER_ID: "" },
      "CALLER_ID is not set",
    ],
    ["CALLER_ID invalid", { ...NUMBER_TARGET_ENV, CALLER_ID: "050-1234-5678" }, "CALLER_ID"],
    ["DIAL_TIMEOUT out of range", { ...NUMBER_TARGET_ENV, DIAL_TIMEOUT: "601" }, "DIAL_TIMEOUT"],
    ["SAY_LANGUAGE invalid", { ...NUMBER_TARGET_ENV, SAY_LANGUAGE: "Japanese" }, "SAY_LANGUAGE"],
    [
      "PUBLIC_BASE_URL invalid",
      { ...NUMBER_TARGET_ENV, PUBLIC_BASE_URL: "calls.example.com" },
      "PUBLIC_BASE_URL",
    ],
  ];

  it.each(broken)(
    "%s: signed calls get the apology, and the problem is logged once",
    async (_name, env, problem) => {
      const w = await start(env);
      expectApology(parseTwiml(await w.post("/voice")));
      expectApology(parseTwiml(await w.post("/voice/after-dial", afterDial("busy"))));
      const configErrors = w.logs().filter((line) => String(line.msg).startsWith("invalid"));
      expect(configErrors).toEqual([
        expect.objectContaining({
          level: "error",
          problems: [expect.stringContaining(problem)],
        }),
      ]);
      expect(w.requestLogs()[0]).toMatchObject({ decision: "config-error-apology" });
    },
  );

  it("still refuses unsigned requests when only the call settings are broken", async () => {
    const w = await start({ TWILIO_AUTH_TOKEN: AUTH_TOKEN });
    expect((await w.post("/voice", sampleLineCall(), { signature: null })).status).toBe(403);
  });

  it("without any auth token setting, calls get the apology and nothing is forwarded", async () => {
    const env = { ...NUMBER_TARGET_ENV, TWILIO_AUTH_TOKEN: "" };
    const w = await start(env);
    expectApology(parseTwiml(await w.post("/voice")));
    expect((await w.post("/status")).status).toBe(204);
    const problems = w.logs().find((line) => Array.isArray(line.problems))?.problems;
    expect(problems).toEqual([expect.stringContaining("TWILIO_AUTH_TOKEN_PARAMETER")]);
    expect(w.requestLogs().map((line) => line.decision)).toEqual([
      "token-unavailable-apology",
      "token-unavailable",
    ]);
  });
});

describe("XML-special characters", () => {
  const special = `<b>"Tom" & 'Jerry'</b> ]]> &amp;`;

  it("escapes them in GREETING and UNAVAILABLE_MESSAGE", async () => {
    const w = await start({
      ...NUMBER_TARGET_ENV,
      GREETING: special,
      UNAVAILABLE_MESSAGE: special,
    });
    const voice = await w.post("/voice");
    expect(voice.body).not.toContain("<b>");
    expect(onlyChild(parseTwiml(voice), "Say").textContent).toBe(special);
    const unavailable = parseTwiml(await w.post("/voice/after-dial", afterDial("no-answer")));
    expect(onlyChild(unavailable, "Say").textContent).toBe(special);
  });

  it("escapes them in a SIP target and encodes them in the LINE ID header", async () => {
    const w = await start({
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      FORWARD_TO: "sip:desk@pbx.example.com?X-Shop=a&X-Floor=2",
      CALLER_ID: "+815012345678",
    });
    const lineUserId = `U<1>&"2'`;
    const params = sampleLineCall({ "SipHeader_X-User-To-User": lineUserId });
    const response = await w.post("/voice", params);
    expect(response.body).toContain("&amp;X-Floor=2");
    expect(onlyChild(parseTwiml(response), "Sip").textContent).toBe(
      `sip:desk@pbx.example.com?X-Shop=a&X-Floor=2&X-LINE-User-Id=${encodeURIComponent(lineUserId)}`,
    );
    expect(w.requestLogs()[0]).toMatchObject({ lineUserId });
  });

  it("escapes them in the after-dial action URL taken from PUBLIC_BASE_URL", async () => {
    const base = "https://calls.example.com/a&b'c";
    const w = await start({ ...NUMBER_TARGET_ENV, PUBLIC_BASE_URL: base });
    const response = await w.post("/voice", sampleLineCall(), { signedUrl: `${base}/voice` });
    expect(onlyChild(parseTwiml(response), "Dial").getAttribute("action")).toBe(
      `${base}/voice/after-dial`,
    );
  });

  it("refuses control characters in settings as a configuration problem, not a crash", async () => {
    const w = await start({ ...NUMBER_TARGET_ENV, GREETING: "hello\u0001" });
    expectApology(parseTwiml(await w.post("/voice")));
  });
});
