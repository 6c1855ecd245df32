/**
 * Business hours, voicemail and missed calls over real HTTP with signed requests: inside and
 * outside hours around midnight and across a public holiday, the forward busy / unanswered /
 * failed, a voicemail recorded (the recording status route, signed, its query tamper-proof), and
 * the missed-call events the handler logs and hands to its reporter.
 */
import type { Element } from "@xmldom/xmldom";
import { describe, expect, it } from "vitest";
import type { Env } from "../../lambda/config";
import { ROUTES } from "../../lambda/contract";
import type { MissedCall } from "../../lambda/missedCall";
import {
  DEFAULT_AFTER_HOURS_MESSAGE,
  DEFAULT_UNAVAILABLE_MESSAGE,
  DEFAULT_VOICEMAIL_PROMPT,
} from "../../model/callSettings";
import { hexUserToUser, SAMPLE_LINE_USER_ID, sampleLineCall } from "../../model/twilioRequest";
import {
  AUTH_TOKEN,
  describeChildren,
  NUMBER_TARGET_ENV,
  onlyChild,
  parseTwiml,
  type RunningWebhook,
  webhookPerTest,
} from "./harness";

const start = webhookPerTest();

/** Weekdays 09:00–18:00, Friday also 20:00–24:00 running on into Saturday 00:00–02:00. */
const BUSINESS_HOURS = JSON.stringify({
  weekly: {
    mon: ["09:00-18:00"],
    tue: ["09:00-18:00"],
    wed: ["09:00-18:00"],
    thu: ["09:00-18:00"],
    fri: ["09:00-18:00", "20:00-24:00"],
    sat: ["00:00-02:00"],
  },
  closed: ["12-29..01-03"],
});

const HOURS_ENV: Env = { ...NUMBER_TARGET_ENV, BUSINESS_HOURS };
const VOICEMAIL_ENV: Env = { ...HOURS_ENV, VOICEMAIL: "true", VOICEMAIL_MAX_SECONDS: "90" };

/** A LINE call as Twilio posts it, with the user's ID in LINE's hex User-to-User header. */
const LINE_CALL = sampleLineCall({
  "SipHeader_X-User-To-User": hexUserToUser(SAMPLE_LINE_USER_ID),
});

/** A webhook whose clock reads `iso`, and every missed call handed to its reporter. */
async function startAt(iso: string, env: Env = HOURS_ENV) {
  const delivered: MissedCall[] = [];
  const w = await start(env, {
    now: () => new Date(iso),
    reportMissedCall: async (call) => {
      delivered.push(call);
    },
  });
  return { w, delivered };
}

function decisionOf(w: RunningWebhook): unknown {
  return w.requestLogs().at(-1)?.decision;
}

function missedCallLogs(w: RunningWebhook) {
  return w.logs().filter((line) => line.msg === "missed call");
}

describe("POST /voice with business hours", () => {
  it.each([
    ["Monday 09:00:00", "2026-12-07T09:00:00+09:00"],
    ["Monday 17:59:59", "2026-12-07T17:59:59+09:00"],
    ["Friday 23:59:59, before midnight", "2026-12-11T23:59:59+09:00"],
    ["Saturday 00:00:00, past midnight into Saturday's window", "2026-12-12T00:00:00+09:00"],
    ["Saturday 01:59:59", "2026-12-12T01:59:59+09:00"],
    ["the Tuesday after a Monday holiday", "2026-11-24T10:00:00+09:00"],
  ])("inside hours (%s) the call is forwarded as without business hours", async (_when, iso) => {
    const { w, delivered } = await startAt(iso);
    const response = parseTwiml(await w.post("/voice", LINE_CALL));
    expect(onlyChild(response, "Number").textContent).toBe("+81312345678");
    expect(decisionOf(w)).toBe("forward-number");
    expect(delivered).toEqual([]);
    expect(missedCallLogs(w)).toEqual([]);
  });

  it.each([
    ["Monday 08:59:59", "2026-12-07T08:59:59+09:00", "weekly"],
    ["Monday 18:00:00, the end of the window", "2026-12-07T18:00:00+09:00", "weekly"],
    ["Thursday 23:59:59, before midnight", "2026-12-10T23:59:59+09:00", "weekly"],
    ["Friday 00:00:00, past midnight", "2026-12-11T00:00:00+09:00", "weekly"],
    ["Saturday 02:00:00", "2026-12-12T02:00:00+09:00", "weekly"],
    ["Sunday noon", "2026-12-13T12:00:00+09:00", "weekly"],
    ["Labour Thanksgiving Day, a Monday", "2026-11-23T10:00:00+09:00", "public-holiday"],
    ["a substitute holiday (2026-05-06)", "2026-05-06T10:00:00+09:00", "public-holiday"],
    ["New Year's Eve 22:00, in the 12-29..01-03 closure", "2026-12-31T22:00+09:00", "closed-date"],
  ])(
    "outside hours (%s) the caller hears the after-hours message and the call ends",
    async (_when, iso, closedBecause) => {
      const { w, delivered } = await startAt(iso);
      const result = await w.post("/voice", LINE_CALL);
      // The decision rides along in a header (Twilio ignores it; the smoke test reads it).
      expect(result.decision).toBe("after-hours-message");
      const response = parseTwiml(result);
      expect(describeChildren(response)).toEqual([
        ["Say", { language: "ja-JP" }, DEFAULT_AFTER_HOURS_MESSAGE],
        ["Hangup", {}, ""],
      ]);
      expect(w.requestLogs().at(-1)).toMatchObject({
        decision: "after-hours-message",
        closedBecause,
      });
      const expected: MissedCall = {
        kind: "missed-call",
        reason: "after-hours",
        at:
          new Date(iso).toLocaleString("sv-SE", { timeZone: "Asia/Tokyo" }).replace(" ", "T") +
          "+09:00",
        timeZone: "Asia/Tokyo",
        callSid: LINE_CALL.CallSid,
        lineUserId: SAMPLE_LINE_USER_ID,
        from: LINE_CALL.From,
        voicemailOffered: false,
      };
      expect(delivered).toEqual([expected]);
      expect(missedCallLogs(w)).toEqual([{ level: "info", msg: "missed call", ...expected }]);
    },
  );

  it.each([
    ["Sunday 23:59:59, the night before the holiday", "2026-11-22T23:59:59+09:00", true],
    ["Monday 00:00:00, Labour Thanksgiving Day begins", "2026-11-23T00:00:00+09:00", false],
    ["Monday 23:59:59, the holiday's last second", "2026-11-23T23:59:59+09:00", false],
    ["Tuesday 00:00:00, the day after", "2026-11-24T00:00:00+09:00", true],
  ])("open around the clock except holidays: %s → open %s", async (_when, iso, open) => {
    const allDay = Object.fromEntries(
      ["sun", "mon", "tue", "wed", "thu", "fri", "sat"].map((day) => [day, ["00:00-24:00"]]),
    );
    const { w } = await startAt(iso, {
      ...NUMBER_TARGET_ENV,
      BUSINESS_HOURS: JSON.stringify({ weekly: allDay }),
    });
    const result = await w.post("/voice", LINE_CALL);
    parseTwiml(result);
    expect(result.decision).toBe(open ? "forward-number" : "after-hours-message");
    if (!open) expect(w.requestLogs().at(-1)).toMatchObject({ closedBecause: "public-holiday" });
  });

  it("reads the business hours in their time zone, whatever the server's clock says", async () => {
    // 2026-12-07T00:30Z is Monday 09:30 in Tokyo but still Sunday in UTC.
    const { w } = await startAt("2026-12-07T00:30:00Z");
    parseTwiml(await w.post("/voice", LINE_CALL));
    expect(decisionOf(w)).toBe("forward-number");
  });

  it("without business hours every call is forwarded, at any hour and on holidays", async () => {
    const { w, delivered } = await startAt("2027-01-01T03:00:00+09:00", NUMBER_TARGET_ENV);
    parseTwiml(await w.post("/voice", LINE_CALL));
    expect(decisionOf(w)).toBe("forward-number");
    expect(delivered).toEqual([]);
  });

  it("says the after-hours message in SAY_LANGUAGE, escaped, without the greeting", async () => {
    const { w } = await startAt("2026-12-13T12:00:00+09:00", {
      ...HOURS_ENV,
      SAY_LANGUAGE: "en-US",
      AFTER_HOURS_MESSAGE: "We're closed <Sundays> & holidays",
    });
    const result = await w.post("/voice", LINE_CALL);
    expect(describeChildren(parseTwiml(result))).toEqual([
      ["Say", { language: "en-US" }, "We're closed <Sundays> & holidays"],
      ["Hangup", {}, ""],
    ]);
  });
});

/** The `<Record>` of a voicemail answer, after checking the caller is told before it starts. */
function expectVoicemail(response: Element, message: string): Element {
  const children = describeChildren(response);
  expect(children.map(([tag]) => tag)).toEqual(["Say", "Say", "Record"]);
  expect(children[0]).toEqual(["Say", { language: "ja-JP" }, message]);
  expect(children[1]).toEqual(["Say", { language: "ja-JP" }, DEFAULT_VOICEMAIL_PROMPT]);
  return onlyChild(response, "Record");
}

/** Posts the recording status Twilio would send to the URL a `<Record>` named, signed for it. */
function postRecordingStatus(w: RunningWebhook, record: Element, params: Record<string, string>) {
  const signedUrl = record.getAttribute("recordingStatusCallback") ?? "";
  const pathAndQuery = signedUrl.slice(w.webhook.publicBaseUrl.length);
  return w.post(pathAndQuery, params, { signedUrl });
}

const RECORDING = {
  AccountSid: LINE_CALL.AccountSid,
  CallSid: LINE_CALL.CallSid,
  RecordingSid: "RE5c1d9e7f3a2b4c6d8e0f1a2b3c4d5e6f",
  RecordingUrl:
    "https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000001/Recordings/RE5c1d9e7f3a2b4c6d8e0f1a2b3c4d5e6f",
  RecordingStatus: "completed",
  RecordingDuration: "17",
  RecordingChannels: "1",
  RecordingSource: "RecordVerb",
  RecordingStartTime: "Thu, 31 Dec 2026 13:00:12 +0000",
};

describe("voicemail", () => {
  it("after hours: the message, the prompt, then <Record> with a beep, the maximum length and signed callbacks", async () => {
    const { w, delivered } = await startAt("2026-12-31T22:00+09:00", VOICEMAIL_ENV);
    const record = expectVoicemail(
      parseTwiml(await w.post("/voice", LINE_CALL)),
      DEFAULT_AFTER_HOURS_MESSAGE,
    );
    const base = w.webhook.publicBaseUrl;
    expect(record.getAttribute("maxLength")).toBe("90");
    expect(record.getAttribute("playBeep")).toBe("true");
    expect(record.getAttribute("action")).toBe(`${base}${ROUTES.afterRecord}`);
    expect(record.getAttribute("recordingStatusCallbackEvent")).toBe("completed absent");
    const callback = new URL(record.getAttribute("recordingStatusCallback") ?? "");
    expect(`${callback.origin}${callback.pathname}`).toBe(`${base}${ROUTES.recordingStatus}`);
    expect(Object.fromEntries(callback.searchParams)).toEqual({
      reason: "after-hours",
      from: LINE_CALL.From,
      lineUserId: SAMPLE_LINE_USER_ID,
    });
    expect(decisionOf(w)).toBe("after-hours-voicemail");
    // The missed call is reported at once: a caller who hangs up during the message is known too.
    expect(delivered).toEqual([
      expect.objectContaining({
        kind: "missed-call",
        reason: "after-hours",
        voicemailOffered: true,
      }),
    ]);

    // The recording completes: one voicemail event with its SID and duration, nothing secret logged.
    const status = await postRecordingStatus(w, record, RECORDING);
    expect(status.status).toBe(204);
    expect(delivered[1]).toEqual({
      kind: "voicemail",
      reason: "after-hours",
      at: "2026-12-31T22:00:00+09:00",
      timeZone: "Asia/Tokyo",
      callSid: LINE_CALL.CallSid,
      lineUserId: SAMPLE_LINE_USER_ID,
      from: LINE_CALL.From,
      voicemailOffered: true,
      voicemail: { recordingSid: RECORDING.RecordingSid, durationSeconds: 17 },
    });
    expect(w.requestLogs().at(-1)).toMatchObject({
      route: ROUTES.recordingStatus,
      decision: "voicemail-recorded",
      recordingSid: RECORDING.RecordingSid,
    });
    expect(w.rawLog()).not.toContain(AUTH_TOKEN);
    expect(w.rawLog()).not.toContain(RECORDING.RecordingUrl);
    expect(missedCallLogs(w)).toHaveLength(2);
  });

  it.each(["busy", "no-answer", "failed"] as const)(
    "inside hours, a forward that ended %s offers voicemail after the unavailable message",
    async (dialCallStatus) => {
      const { w, delivered } = await startAt("2026-12-07T10:00:00+09:00", VOICEMAIL_ENV);
      const record = expectVoicemail(
        parseTwiml(
          await w.post("/voice/after-dial", {
            ...LINE_CALL,
            CallStatus: "in-progress",
            DialCallStatus: dialCallStatus,
          }),
        ),
        DEFAULT_UNAVAILABLE_MESSAGE,
      );
      expect(decisionOf(w)).toBe("unavailable-voicemail");
      expect(delivered).toEqual([
        expect.objectContaining({
          kind: "missed-call",
          reason: dialCallStatus,
          voicemailOffered: true,
        }),
      ]);
      await postRecordingStatus(w, record, { ...RECORDING, RecordingDuration: "4" });
      expect(delivered[1]).toMatchObject({
        kind: "voicemail",
        reason: dialCallStatus,
        voicemail: { recordingSid: RECORDING.RecordingSid, durationSeconds: 4 },
      });
    },
  );

  it("an absent recording (the caller hung up or said nothing) adds no voicemail event", async () => {
    const { w, delivered } = await startAt("2026-12-13T12:00:00+09:00", VOICEMAIL_ENV);
    const record = onlyChild(parseTwiml(await w.post("/voice", LINE_CALL)), "Record");
    const status = await postRecordingStatus(w, record, {
      ...RECORDING,
      RecordingStatus: "absent",
      RecordingDuration: "0",
    });
    expect(status.status).toBe(204);
    expect(decisionOf(w)).toBe("recording-not-kept");
    expect(delivered.map((call) => call.kind)).toEqual(["missed-call"]);
  });

  it("the reason, From and LINE ID in the callback's query cannot be altered: the signature covers them", async () => {
    const { w, delivered } = await startAt("2026-12-13T12:00:00+09:00", VOICEMAIL_ENV);
    const record = onlyChild(parseTwiml(await w.post("/voice", LINE_CALL)), "Record");
    const signedUrl = record.getAttribute("recordingStatusCallback") ?? "";
    const altered = signedUrl.replace("lineUserId=U", "lineUserId=Uattacker");
    const result = await w.post(altered.slice(w.webhook.publicBaseUrl.length), RECORDING, {
      signedUrl,
    });
    expect(result.status).toBe(403);
    expect(delivered).toHaveLength(1);
  });

  it("a recording status without a missed call's reason is logged, not reported", async () => {
    const { w, delivered } = await startAt("2026-12-13T12:00:00+09:00", VOICEMAIL_ENV);
    expect((await w.post(ROUTES.recordingStatus, RECORDING)).status).toBe(204);
    expect(w.requestLogs().at(-1)).toMatchObject({
      decision: "recording-unattributed",
      reason: null,
    });
    expect(delivered).toEqual([]);
  });

  it("the <Record> action hangs up when the message ends with the caller still on the line", async () => {
    const { w } = await startAt("2026-12-13T12:00:00+09:00", VOICEMAIL_ENV);
    const response = parseTwiml(
      await w.post(ROUTES.afterRecord, { ...LINE_CALL, RecordingDuration: "30", Digits: "#" }),
    );
    expect(describeChildren(response)).toEqual([["Hangup", {}, ""]]);
    expect(w.requestLogs().at(-1)).toMatchObject({
      decision: "voicemail-ended",
      recordingDuration: "30",
    });
  });
});

describe("missed calls without voicemail", () => {
  it.each(["busy", "no-answer", "failed"] as const)(
    "a forward that ended %s: the unavailable message, the end, one missed call",
    async (dialCallStatus) => {
      const { w, delivered } = await startAt("2026-12-07T10:00:00+09:00");
      const response = parseTwiml(
        await w.post("/voice/after-dial", { ...LINE_CALL, DialCallStatus: dialCallStatus }),
      );
      expect(describeChildren(response)).toEqual([
        ["Say", { language: "ja-JP" }, DEFAULT_UNAVAILABLE_MESSAGE],
        ["Hangup", {}, ""],
      ]);
      expect(delivered).toEqual([
        {
          kind: "missed-call",
          reason: dialCallStatus,
          at: "2026-12-07T10:00:00+09:00",
          timeZone: "Asia/Tokyo",
          callSid: LINE_CALL.CallSid,
          lineUserId: SAMPLE_LINE_USER_ID,
          from: LINE_CALL.From,
          voicemailOffered: false,
        },
      ]);
    },
  );

  it.each(["completed", "canceled"])(
    "a forward that ended %s is no missed call",
    async (status) => {
      const { w, delivered } = await startAt("2026-12-07T10:00:00+09:00", VOICEMAIL_ENV);
      parseTwiml(await w.post("/voice/after-dial", { ...LINE_CALL, DialCallStatus: status }));
      expect(delivered).toEqual([]);
    },
  );

  it("a failing delivery is logged and changes nothing the caller hears", async () => {
    const w = await start(HOURS_ENV, {
      now: () => new Date("2026-12-13T12:00:00+09:00"),
      reportMissedCall: async () => {
        throw new Error("SNS unreachable");
      },
    });
    const response = parseTwiml(await w.post("/voice", LINE_CALL));
    expect(onlyChild(response, "Say").textContent).toBe(DEFAULT_AFTER_HOURS_MESSAGE);
    expect(w.logs()).toContainEqual(
      expect.objectContaining({
        level: "error",
        msg: "missed call not delivered",
        callSid: LINE_CALL.CallSid,
        error: "SNS unreachable",
      }),
    );
  });
});
