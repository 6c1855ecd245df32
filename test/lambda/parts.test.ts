/** The handler's pure parts, at the edges the HTTP tests do not reach cheaply. */
import { describe, expect, it } from "vitest";
import { readSettings } from "../../lambda/config";
import { MAX_FORM_BYTES, parseTwilioForm } from "../../lambda/form";
import { isSignedByTwilio, publicLocation, signedUrl } from "../../lambda/signature";
import { decodeUserToUser, lineUserIdFrom, MAX_LINE_USER_ID_LENGTH } from "../../lambda/uui";
import { twilioSignature } from "../../model/twilioRequest";

describe("decodeUserToUser (RFC 7433)", () => {
  it.each([
    ["55616263;encoding=hex", "Uabc"],
    ['"55616263";encoding=hex', "Uabc"],
    ["55616263 ; encoding = hex ; purpose=isdn-uui", "Uabc"],
    ["e5b1b1e794b0;encoding=hex", "山田"],
    ["55616263", "55616263"],
    ["Uabc;purpose=line", "Uabc"],
  ])("%s → %s", (raw, expected) => {
    expect(decodeUserToUser(raw)).toEqual({ value: expected });
  });

  it.each([
    ["odd-length hex", "556;encoding=hex"],
    ["non-hex", "xyz1;encoding=hex"],
    ["hex that is not UTF-8", "ff;encoding=hex"],
    ["an empty value", ";encoding=hex"],
    ["control characters", "55015563;encoding=hex"],
    ["an over-long value", "U".repeat(MAX_LINE_USER_ID_LENGTH + 1)],
  ])("reports %s as a problem instead of an ID", (_name, raw) => {
    const result = decodeUserToUser(raw);
    expect(result.value).toBeUndefined();
    expect(result.problem).toEqual(expect.any(String));
  });

  it("falls back to User-to-User when X-User-To-User is unusable", () => {
    expect(
      lineUserIdFrom({
        "SipHeader_X-User-To-User": "zz;encoding=hex",
        "SipHeader_User-to-User": "Uok",
      }),
    ).toEqual({ lineUserId: "Uok", source: "SipHeader_User-to-User" });
  });
});

describe("readSettings", () => {
  it("collects every problem at once, each naming its variable", () => {
    const { call, problems } = readSettings({
      FORWARD_TO: "0312345678",
      CALLER_ID: "0501234",
      SAY_LANGUAGE: "ja_JP",
      DIAL_TIMEOUT: "2.5",
      PUBLIC_BASE_URL: "ftp://calls.example.com",
    });
    expect(call).toBeUndefined();
    expect(problems.map((problem) => problem.split(" ")[0])).toEqual([
      "PUBLIC_BASE_URL",
      "FORWARD_TO",
      "CALLER_ID",
      "SAY_LANGUAGE",
      "DIAL_TIMEOUT",
    ]);
  });

  it("applies defaults and trims values", () => {
    expect(readSettings({ FORWARD_TO: " sip:desk@pbx.example.com ", GREETING: "  " })).toEqual({
      call: {
        forwardTo: { kind: "sip", value: "sip:desk@pbx.example.com" },
        language: "ja-JP",
        dialTimeout: 30,
        unavailableMessage: expect.stringContaining("申し訳ございません"),
        // No businessHours: always open, as before they existed.
        afterHoursMessage: expect.stringContaining("営業時間外"),
        voicemail: false,
        voicemailMaxSeconds: 120,
        voicemailPrompt: expect.stringContaining("発信音"),
        followUp: false,
        followUpMessage: expect.stringContaining("お電話ありがとうございました"),
      },
      publicBaseUrl: undefined,
      problems: [],
    });
  });

  it("accepts Twilio language codes of every shape", () => {
    for (const language of ["en-US", "cmn-CN", "en-GB-WLS", "arb"]) {
      const { problems } = readSettings({ FORWARD_TO: "sip:a@b.example", SAY_LANGUAGE: language });
      expect(problems, language).toEqual([]);
    }
  });
});

describe("parseTwilioForm", () => {
  const form = (body: string, isBase64Encoded = false) =>
    parseTwilioForm({
      body,
      isBase64Encoded,
      headers: { "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8" },
    });

  it("decodes + and percent-escapes, and turns repeated names into arrays", () => {
    expect(form("A=1+2%2B3&B=x&B=y&C")).toEqual({
      ok: true,
      params: { A: "1 2+3", B: ["x", "y"], C: "" },
    });
  });

  it("refuses invalid base64 and oversized bodies before decoding them", () => {
    expect(form("QQ=?", true)).toMatchObject({ ok: false, statusCode: 400 });
    expect(form("A".repeat(MAX_FORM_BYTES * 2), true)).toMatchObject({
      ok: false,
      statusCode: 413,
    });
  });

  it("gives validateRequest what it signs: repeated parameters verify", () => {
    const url = "https://example.com/status";
    const parsed = form("Event=a&Event=b&CallSid=CA1");
    if (!parsed.ok) throw new Error("parse failed");
    const withoutParams = twilioSignature("token", url, {});
    expect(isSignedByTwilio("token", withoutParams, url, parsed.params)).toBe(false);
    const signed = twilioSignature("token", url, parsed.params as Record<string, string>);
    expect(isSignedByTwilio("token", signed, url, parsed.params)).toBe(true);
  });
});

describe("publicLocation and signedUrl", () => {
  it("uses the API's own domain over HTTPS by default", () => {
    const location = publicLocation(
      "abc.execute-api.ap-northeast-1.amazonaws.com",
      "/voice",
      undefined,
    );
    expect(signedUrl(location, "a=1")).toBe(
      "https://abc.execute-api.ap-northeast-1.amazonaws.com/voice?a=1",
    );
  });

  it("strips PUBLIC_BASE_URL's base path from the request path when it is there", () => {
    expect(publicLocation("x", "/line/voice", "https://calls.example.com/line")).toEqual({
      base: "https://calls.example.com/line",
      routePath: "/voice",
    });
    expect(publicLocation("x", "/voice", "https://calls.example.com/line")).toEqual({
      base: "https://calls.example.com/line",
      routePath: "/voice",
    });
  });

  it("treats a URL validateRequest cannot parse as unsigned rather than throwing", () => {
    expect(isSignedByTwilio("token", "sig", "https://[bad/voice", {})).toBe(false);
  });
});
