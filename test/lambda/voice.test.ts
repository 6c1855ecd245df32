/**
 * The /voice route over real HTTP: signed LINE calls are forwarded with the right TwiML, the LINE
 * user's ID is decoded and carried to a PBX, and one structured log line is written per call.
 */

import { describe, expect, it } from "vitest";
import {
  hexUserToUser,
  SAMPLE_LINE_USER_ID,
  sampleLineCall,
  twilioSignature,
} from "../../model/twilioRequest";
import {
  AUTH_TOKEN,
  describeChildren,
  NUMBER_TARGET_ENV,
  onlyChild,
  parseTwiml,
  webhookPerTest,
} from "./harness";

const start = webhookPerTest();

const SIP_TARGET_ENV = {
  TWILIO_AUTH_TOKEN: AUTH_TOKEN,
  FORWARD_TO: "sip:reception@pbx.example.com;transport=tls",
};

describe("POST /voice with a signed LINE call", () => {
  it("greets in Japanese and dials FORWARD_TO with CALLER_ID, answerOnBridge, timeout and the after-dial action", async () => {
    const w = await start(NUMBER_TARGET_ENV);
    const response = parseTwiml(await w.post("/voice"));
    expect(describeChildren(response)).toEqual([
      ["Say", { language: "ja-JP" }, NUMBER_TARGET_ENV.GREETING],
      [
        "Dial",
        {
          callerId: "+815012345678",
          answerOnBridge: "true",
          timeout: "25",
          action: `${w.webhook.publicBaseUrl}/voice/after-dial`,
          method: "POST",
        },
        "+81312345678",
      ],
    ]);
    expect(describeChildren(onlyChild(response, "Dial"))).toEqual([["Number", {}, "+81312345678"]]);
  });

  it("uses SAY_LANGUAGE, Twilio's default 30 s timeout, and no <Say> without a GREETING", async () => {
    const w = await start({ ...NUMBER_TARGET_ENV, GREETING: "", DIAL_TIMEOUT: "" });
    const response = parseTwiml(await w.post("/voice"));
    expect(describeChildren(response).map(([tag]) => tag)).toEqual(["Dial"]);
    expect(onlyChild(response, "Dial").getAttribute("timeout")).toBe("30");

    const english = await start({ ...NUMBER_TARGET_ENV, GREETING: "Hello", SAY_LANGUAGE: "en-US" });
    const say = onlyChild(parseTwiml(await english.post("/voice")), "Say");
    expect(say.getAttribute("language")).toBe("en-US");
    expect(say.textContent).toBe("Hello");
  });

  it("sends a sip: target to <Sip> with the LINE user's ID as the X-LINE-User-Id header", async () => {
    const w = await start(SIP_TARGET_ENV);
    const response = parseTwiml(await w.post("/voice"));
    const dial = onlyChild(response, "Dial");
    expect(dial.hasAttribute("callerId")).toBe(false);
    expect(describeChildren(dial)).toEqual([
      [
        "Sip",
        {},
        `sip:reception@pbx.example.com;transport=tls?X-LINE-User-Id=${SAMPLE_LINE_USER_ID}`,
      ],
    ]);
  });

  it("appends the header with & when the SIP URI already carries headers, and keeps CALLER_ID", async () => {
    const w = await start({
      ...SIP_TARGET_ENV,
      FORWARD_TO: "sip:reception@pbx.example.com?X-Shop=ginza",
      CALLER_ID: "+815012345678",
    });
    const dial = onlyChild(parseTwiml(await w.post("/voice")), "Dial");
    expect(dial.getAttribute("callerId")).toBe("+815012345678");
    expect(onlyChild(dial, "Sip").textContent).toBe(
      `sip:reception@pbx.example.com?X-Shop=ginza&X-LINE-User-Id=${SAMPLE_LINE_USER_ID}`,
    );
  });

  const uuiCases: [string, Record<string, string>][] = [
    ["hex-encoded X-User-To-User", { "SipHeader_X-User-To-User": hexUserToUser("Uabc123") }],
    ["plain X-User-To-User", { "SipHeader_X-User-To-User": "Uabc123" }],
    [
      "hex with other ;params (dropped) and upper-case ENCODING=HEX",
      {
        "SipHeader_X-User-To-User": `${Buffer.from("Uabc123").toString("hex")};purpose=line;ENCODING=HEX`,
      },
    ],
    ["plain value with a ;param", { "SipHeader_X-User-To-User": "Uabc123;purpose=line" }],
    ["header name in another case", { "sipheader_x-user-to-user": "Uabc123" }],
    ["standard User-to-User", { "SipHeader_User-to-User": hexUserToUser("Uabc123") }],
  ];
  it.each(uuiCases)("reads the LINE user ID from %s", async (_name, header) => {
    const w = await start(SIP_TARGET_ENV);
    const params = sampleLineCall();
    delete params["SipHeader_X-User-To-User"];
    Object.assign(params, header);
    const sip = onlyChild(parseTwiml(await w.post("/voice", params)), "Sip");
    expect(sip.textContent).toBe(
      "sip:reception@pbx.example.com;transport=tls?X-LINE-User-Id=Uabc123",
    );
    expect(w.requestLogs()[0]).toMatchObject({ lineUserId: "Uabc123" });
  });

  it("still forwards when the LINE ID header is missing, and logs the ID as absent", async () => {
    const w = await start(SIP_TARGET_ENV);
    const params = sampleLineCall();
    delete params["SipHeader_X-User-To-User"];
    const sip = onlyChild(parseTwiml(await w.post("/voice", params)), "Sip");
    expect(sip.textContent).toBe("sip:reception@pbx.example.com;transport=tls");
    expect(w.requestLogs()).toEqual([
      expect.objectContaining({ decision: "forward-sip", lineUserId: null }),
    ]);
  });

  it("forwards without the header when the LINE ID cannot be decoded, and logs why", async () => {
    const w = await start(SIP_TARGET_ENV);
    const params = sampleLineCall({ "SipHeader_X-User-To-User": "zz12;encoding=hex" });
    const sip = onlyChild(parseTwiml(await w.post("/voice", params)), "Sip");
    expect(sip.textContent).toBe("sip:reception@pbx.example.com;transport=tls");
    expect(w.requestLogs()[0]).toMatchObject({
      lineUserId: null,
      lineUserIdProblem: expect.stringContaining("hex"),
    });
  });

  it("validates a query string in the signed URL", async () => {
    const w = await start(NUMBER_TARGET_ENV);
    const response = await w.post("/voice?shop=ginza&x=%27a%27");
    expect(response.status).toBe(200);
  });

  it("writes one JSON log line per call with the call's identity, decision and latency, and no secrets", async () => {
    const w = await start(SIP_TARGET_ENV);
    await w.post("/voice");
    const [line, ...others] = w.requestLogs();
    expect(others).toEqual([]);
    expect(line).toEqual({
      level: "info",
      msg: "twilio request",
      route: "/voice",
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 200,
      decision: "forward-sip",
      callSid: "CA7f0d3b8c1e2a4f5b6c7d8e9f0a1b2c3d",
      lineUserId: SAMPLE_LINE_USER_ID,
      lineUserIdSource: "SipHeader_X-User-To-User",
      from: "sip:line@203.0.113.10",
      to: "sip:0312345678@line-example.sip.twilio.com",
      sipDomain: "line-example.sip.twilio.com",
      latencyMs: expect.any(Number),
    });
    const signature = twilioSignature(
      AUTH_TOKEN,
      `${w.webhook.publicBaseUrl}/voice`,
      sampleLineCall(),
    );
    expect(w.rawLog()).not.toContain(AUTH_TOKEN);
    expect(w.rawLog()).not.toContain(signature);
  });
});
