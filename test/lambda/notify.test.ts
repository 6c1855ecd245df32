/**
 * Missed-call delivery over real HTTP: a signed after-dial request for an unanswered forward makes
 * the webhook publish to a local SNS stand-in through the real AWS SDK client (AWS_ENDPOINT_URL_SNS),
 * post to a Slack stand-in and push the follow-up to a LINE stand-in validated against LINE's
 * OpenAPI description; when every channel fails or hangs, the caller hears exactly the same TwiML.
 */
import type { Element } from "@xmldom/xmldom";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type LineStandin, startLineStandin } from "../../devkit/notify-standins/line";
import { type SlackStandin, startSlackStandin } from "../../devkit/notify-standins/slack";
import { type SnsStandin, startSnsStandin } from "../../devkit/notify-standins/sns";
import { type SsmStandIn, startSsmStandIn, useLambdaAwsEnvironment } from "../../devkit/ssmStandIn";
import type { Env } from "../../lambda/config";
import { createNotifier, NOTIFY_DEADLINE_MS } from "../../lambda/notify/notifier";
import { NOTIFY_ENV } from "../../lambda/notify/settings";
import { DEFAULT_FOLLOW_UP_MESSAGE } from "../../model/callSettings";
import { SAMPLE_LINE_USER_ID, sampleLineCall } from "../../model/twilioRequest";
import {
  AUTH_TOKEN,
  describeChildren,
  NUMBER_TARGET_ENV,
  onlyChild,
  parseTwiml,
  type RunningWebhook,
  webhookPerTest,
} from "./harness";

const TOPIC_ARN = "arn:aws:sns:ap-northeast-1:123456789012:line-call-prod-missed-calls";
const SECRETS_PARAMETER = "/line-call/prod/notify-secrets";

let sns: SnsStandin;
let slack: SlackStandin;
let line: LineStandin;
let ssm: SsmStandIn;
let restoreEnv: () => void;

beforeAll(async () => {
  sns = await startSnsStandin([TOPIC_ARN]);
  slack = await startSlackStandin();
  line = await startLineStandin({ friends: { [SAMPLE_LINE_USER_ID]: "LINE taro" } });
  ssm = await startSsmStandIn({
    [SECRETS_PARAMETER]: {
      value: JSON.stringify({
        slackWebhookUrl: slack.webhookUrl,
        lineChannelAccessToken: line.channelAccessToken,
      }),
    },
  });
  restoreEnv = useLambdaAwsEnvironment({
    AWS_ENDPOINT_URL_SNS: sns.url,
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
  });
});

afterAll(async () => {
  await Promise.all([sns.close(), slack.close(), line.close(), ssm.close()]);
  restoreEnv();
});

afterEach(() => {
  sns.published.length = 0;
  sns.refused.length = 0;
  slack.messages.length = 0;
  line.pushes.length = 0;
  sns.fault = slack.fault = line.fault = undefined;
  expect(line.validationErrors).toEqual([]);
});

const start = webhookPerTest();

/** Every channel configured as the deployed function has them: secrets in the SSM parameter. */
const DEPLOYED_ENV: Env = {
  ...NUMBER_TARGET_ENV,
  FOLLOW_UP: "true",
  [NOTIFY_ENV.topicArn]: TOPIC_ARN,
  [NOTIFY_ENV.secretsParameter]: SECRETS_PARAMETER,
};

const lineEnv = (): Env => ({ [NOTIFY_ENV.lineApiBaseUrl]: line.url });

let calls = 0;
/** An after-dial post for a new call (its own CallSid, so LINE's retry key is new too). */
const unanswered = (status: string) =>
  sampleLineCall({
    CallSid: `CA${String(++calls).padStart(32, "0")}`,
    CallStatus: "in-progress",
    DialCallStatus: status,
    DialCallDuration: "0",
  });

function notificationLogs(logs: Record<string, unknown>[]) {
  return logs.filter((entry) => entry.msg === "missed call notification");
}

describe("a missed call is delivered to every configured channel", () => {
  it("no-answer: one e-mail through SNS, one Slack message, one LINE follow-up, then the unavailable message", async () => {
    const w = await start({ ...DEPLOYED_ENV, ...lineEnv() });
    const response = parseTwiml(await w.post("/voice/after-dial", unanswered("no-answer")));
    expect(describeChildren(response).map(([tag]) => tag)).toEqual(["Say", "Hangup"]);

    expect(sns.refused).toEqual([]);
    expect(sns.published).toHaveLength(1);
    const [email] = sns.published;
    expect(email.topicArn).toBe(TOPIC_ARN);
    expect(email.credentialScope).toMatch(/\/ap-northeast-1\/sns\/aws4_request$/);
    expect(email.subject).toMatch(
      /^Missed LINE call \(no-answer\) \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+09:00$/,
    );
    expect(email.message).toContain(`LINE ユーザー ID: ${SAMPLE_LINE_USER_ID}`);
    expect(email.message).toContain("理由: 応答なし (no-answer)");
    expect(email.message).toContain("発信元 (From): sip:line@203.0.113.10");
    expect(email.message).toContain("(Asia/Tokyo)");

    expect(slack.messages).toEqual([email.message]);
    expect(line.pushes).toEqual([
      {
        to: SAMPLE_LINE_USER_ID,
        messages: [{ type: "text", text: DEFAULT_FOLLOW_UP_MESSAGE }],
        retryKey: expect.stringMatching(
          /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        ),
      },
    ]);
    const [logged] = notificationLogs(w.logs());
    expect(logged).toMatchObject({
      level: "info",
      reason: "no-answer",
      lineUserId: SAMPLE_LINE_USER_ID,
      deliveries: { email: "delivered", slack: "delivered", linePush: "delivered" },
    });
    // The secrets reached the function through SSM and never reached the log.
    expect(w.rawLog()).not.toContain(new URL(slack.webhookUrl).pathname);
    expect(w.rawLog()).not.toContain(line.channelAccessToken);
    expect(w.rawLog()).not.toContain(AUTH_TOKEN);
  });

  it.each(["busy", "failed"])(
    "%s is a missed call too; the follow-up is pushed once per call even if Twilio posts twice",
    async (status) => {
      const w = await start({ ...DEPLOYED_ENV, ...lineEnv() });
      const params = unanswered(status);
      await w.post("/voice/after-dial", params);
      await w.post("/voice/after-dial", params);
      expect(sns.published.map((m) => m.subject?.split(" ").slice(0, 4).join(" "))).toEqual([
        `Missed LINE call (${status})`,
        `Missed LINE call (${status})`,
      ]);
      expect(line.pushes).toHaveLength(1);
      expect(notificationLogs(w.logs()).map((entry) => entry.deliveries)).toEqual([
        { email: "delivered", slack: "delivered", linePush: "delivered" },
        { email: "delivered", slack: "delivered", linePush: "duplicate" },
      ]);
    },
  );

  it("what the call carried cannot ping a Slack channel: <, > and & are escaped as Slack requires", async () => {
    const w = await start({ ...DEPLOYED_ENV, ...lineEnv(), FOLLOW_UP: "false" });
    await w.post("/voice/after-dial", {
      ...unanswered("busy"),
      From: "<!channel> & <https://evil.example|bank>",
    });
    expect(sns.published[0]?.message).toContain(
      "発信元 (From): <!channel> & <https://evil.example|bank>",
    );
    expect(slack.messages[0]).toContain(
      "発信元 (From): &lt;!channel&gt; &amp; &lt;https://evil.example|bank&gt;",
    );
  });

  it("an answered call or a caller hang-up is not a missed call", async () => {
    const w = await start({ ...DEPLOYED_ENV, ...lineEnv() });
    await w.post("/voice/after-dial", unanswered("completed"));
    await w.post("/voice/after-dial", unanswered("canceled"));
    expect(sns.published).toEqual([]);
    expect(slack.messages).toEqual([]);
    expect(notificationLogs(w.logs())).toEqual([]);
  });

  it("without follow-up, or without a LINE user ID, nothing is pushed and the rest is delivered", async () => {
    const w = await start({ ...DEPLOYED_ENV, ...lineEnv(), FOLLOW_UP: "false" });
    await w.post("/voice/after-dial", unanswered("busy"));
    const noUser = unanswered("busy");
    delete noUser["SipHeader_X-User-To-User"];
    const withFollowUp = await start({ ...DEPLOYED_ENV, ...lineEnv() });
    await withFollowUp.post("/voice/after-dial", noUser);
    expect(line.pushes).toEqual([]);
    expect(notificationLogs(w.logs())[0]?.deliveries).toEqual({
      email: "delivered",
      slack: "delivered",
      linePush: "skipped: follow-up off",
    });
    expect(notificationLogs(withFollowUp.logs())[0]?.deliveries).toEqual({
      email: "delivered",
      slack: "delivered",
      linePush: "skipped: no LINE user ID in the call",
    });
    expect(sns.published[1]?.message).toContain("LINE ユーザー ID: 不明");
  });

  it("with the secrets set directly (local runs), without SSM", async () => {
    const w = await start({
      ...NUMBER_TARGET_ENV,
      ...lineEnv(),
      FOLLOW_UP: "true",
      FOLLOW_UP_MESSAGE: "お電話ありがとうございました。こちらでご用件をどうぞ。",
      [NOTIFY_ENV.slackWebhookUrl]: slack.webhookUrl,
      [NOTIFY_ENV.lineChannelAccessToken]: line.channelAccessToken,
    });
    await w.post("/voice/after-dial", unanswered("no-answer"));
    expect(sns.published).toEqual([]);
    expect(slack.messages).toHaveLength(1);
    expect(line.pushes[0]?.messages).toEqual([
      { type: "text", text: "お電話ありがとうございました。こちらでご用件をどうぞ。" },
    ]);
    expect(notificationLogs(w.logs())[0]?.deliveries).toMatchObject({
      email: "skipped: no topic (notifyEmails not set)",
    });
  });
});

describe("delivery failing never changes what the caller hears", () => {
  it("every channel failing: the same TwiML, each failure logged without its secret", async () => {
    const healthy = await start({ ...DEPLOYED_ENV, ...lineEnv() });
    const expected = (await healthy.post("/voice/after-dial", unanswered("no-answer"))).body;

    sns.fault = { status: 500 };
    slack.fault = { status: 404 };
    const w = await start({
      ...DEPLOYED_ENV,
      ...lineEnv(),
      // A token the channel does not know.
      [NOTIFY_ENV.lineChannelAccessToken]: "revoked-token-0123456789",
    });
    const result = await w.post("/voice/after-dial", unanswered("no-answer"));
    expect(result.status).toBe(200);
    expect(result.body).toBe(expected);
    const [logged] = notificationLogs(w.logs());
    expect(logged?.level).toBe("error");
    expect(logged?.deliveries).toEqual({
      email: expect.stringMatching(/^failed: InternalError\w*: stand-in fault$/),
      slack: "failed: HTTP 404: stand-in fault",
      linePush: expect.stringMatching(/^failed: HTTP 401: .*Authentication failed/),
    });
    expect(w.rawLog()).not.toContain("revoked-token-0123456789");
    expect(w.rawLog()).not.toContain(new URL(slack.webhookUrl).pathname);
  });

  it("channels that hang are abandoned at the deadline and the caller gets the same answer", async () => {
    const healthy = await start({ ...DEPLOYED_ENV, ...lineEnv() });
    const expected = (await healthy.post("/voice/after-dial", unanswered("busy"))).body;
    sns.fault = slack.fault = line.fault = { delayMs: NOTIFY_DEADLINE_MS + 2000 };
    const w = await start({ ...DEPLOYED_ENV, ...lineEnv() });
    const result = await w.post("/voice/after-dial", unanswered("busy"));
    expect(result.body).toBe(expected);
    const timedOut = `failed: timed out after ${NOTIFY_DEADLINE_MS} ms (abandoned)`;
    expect(notificationLogs(w.logs())[0]?.deliveries).toEqual({
      email: timedOut,
      slack: timedOut,
      linePush: timedOut,
    });
  });

  it("an unreadable secrets parameter fails Slack and LINE, not SNS nor the caller", async () => {
    const w = await start({
      ...DEPLOYED_ENV,
      ...lineEnv(),
      [NOTIFY_ENV.secretsParameter]: "/line-call/prod/missing",
    });
    const response = parseTwiml(await w.post("/voice/after-dial", unanswered("no-answer")));
    expect(describeChildren(response).map(([tag]) => tag)).toEqual(["Say", "Hangup"]);
    expect(sns.published).toHaveLength(1);
    const [logged] = notificationLogs(w.logs());
    expect(logged?.deliveries).toMatchObject({
      email: "delivered",
      slack: expect.stringMatching(
        /^failed: could not read NOTIFY_SECRETS_PARAMETER \/line-call\/prod\/missing/,
      ),
    });
  });
});

/** Weekdays 09:00–18:00 in Tokyo; voicemail on. */
const VOICEMAIL_ENV: Env = {
  ...DEPLOYED_ENV,
  BUSINESS_HOURS: JSON.stringify({ weekly: { mon: ["09:00-18:00"], tue: ["09:00-18:00"] } }),
  VOICEMAIL: "true",
};

/** Posts the recording status Twilio would send to the URL a `<Record>` named, signed for it. */
function postRecordingStatus(w: RunningWebhook, twiml: Element, params: Record<string, string>) {
  const signedUrl = onlyChild(twiml, "Record").getAttribute("recordingStatusCallback") ?? "";
  return w.post(signedUrl.slice(w.webhook.publicBaseUrl.length), params, { signedUrl });
}

describe("after hours and voicemail", () => {
  it("a call after hours is one notification at once, the voicemail another; the caller is followed up once", async () => {
    const w = await start(
      { ...VOICEMAIL_ENV, ...lineEnv() },
      { now: () => new Date("2026-12-31T22:00:05+09:00") },
    );
    const call = unanswered("");
    const twiml = parseTwiml(await w.post("/voice", call));
    expect(describeChildren(twiml).map(([tag]) => tag)).toEqual(["Say", "Say", "Record"]);
    expect(sns.published.map((message) => message.subject)).toEqual([
      "Missed LINE call (after-hours) 2026-12-31 22:00:05+09:00",
    ]);
    expect(sns.published[0]?.message).toContain("理由: 営業時間外 (after-hours)");
    expect(sns.published[0]?.message).toContain("留守番電話: ご案内しました");
    expect(line.pushes).toHaveLength(1);

    const recording = {
      AccountSid: call.AccountSid,
      CallSid: call.CallSid,
      RecordingSid: "RE5c1d9e7f3a2b4c6d8e0f1a2b3c4d5e6f",
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${call.AccountSid}/Recordings/RE5c1d9e7f3a2b4c6d8e0f1a2b3c4d5e6f`,
      RecordingStatus: "completed",
      RecordingDuration: "17",
    };
    expect((await postRecordingStatus(w, twiml, recording)).status).toBe(204);
    expect(sns.published.map((message) => message.subject)).toEqual([
      "Missed LINE call (after-hours) 2026-12-31 22:00:05+09:00",
      "Voicemail (after-hours) 2026-12-31 22:00:05+09:00",
    ]);
    expect(sns.published[1]?.message).toContain(
      "留守番電話: 17 秒 (録音 SID RE5c1d9e7f3a2b4c6d8e0f1a2b3c4d5e6f",
    );
    expect(slack.messages).toEqual(sns.published.map((message) => message.message));
    // One follow-up per call, not one more for the voicemail.
    expect(line.pushes).toHaveLength(1);
    expect(notificationLogs(w.logs()).map((entry) => entry.deliveries)).toEqual([
      { email: "delivered", slack: "delivered", linePush: "delivered" },
      {
        email: "delivered",
        slack: "delivered",
        linePush: "skipped: pushed with the missed call, not again for its voicemail",
      },
    ]);
    // Neither the recording's URL nor any secret reaches a notification or the log.
    for (const text of [w.rawLog(), ...sns.published.map((message) => message.message)]) {
      expect(text).not.toContain(recording.RecordingUrl);
    }
  });

  it("busy inside hours with voicemail on: notified at once, while the caller is offered voicemail", async () => {
    const w = await start(
      { ...VOICEMAIL_ENV, ...lineEnv() },
      { now: () => new Date("2026-12-29T10:00:00+09:00") },
    );
    const twiml = parseTwiml(await w.post("/voice/after-dial", unanswered("busy")));
    expect(describeChildren(twiml).map(([tag]) => tag)).toEqual(["Say", "Say", "Record"]);
    expect(sns.published.map((message) => message.subject)).toEqual([
      "Missed LINE call (busy) 2026-12-29 10:00:00+09:00",
    ]);
  });

  it("nothing configured: no notification line, the missed call is only logged", async () => {
    const w = await start(NUMBER_TARGET_ENV);
    await w.post("/voice/after-dial", unanswered("no-answer"));
    expect(w.logs().filter((entry) => entry.msg === "missed call")).toHaveLength(1);
    expect(notificationLogs(w.logs())).toEqual([]);
  });
});

describe("a shared webhook (many customers)", () => {
  it("never delivers through channels of its own: they would carry every customer's callers to one place", async () => {
    const lines: string[] = [];
    const notifier = createNotifier({
      env: {
        CUSTOMER_PARAMETER_PREFIX: "/line-call/platform/customers",
        [NOTIFY_ENV.topicArn]: TOPIC_ARN,
        [NOTIFY_ENV.slackWebhookUrl]: slack.webhookUrl,
      },
      log: (line) => lines.push(line),
    });
    expect(notifier.configured).toBe(false);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({
      level: "warn",
      msg: "missed-call channels ignored on a shared webhook",
    });
    const outcome = await notifier.notify(
      {
        kind: "missed-call",
        reason: "busy",
        at: "2026-12-29T10:00:00+09:00",
        timeZone: "Asia/Tokyo",
        callSid: "CA00000000000000000000000000000099",
        lineUserId: SAMPLE_LINE_USER_ID,
        from: "sip:line@203.0.113.10",
        voicemailOffered: false,
      },
      { followUpText: "x" },
    );
    expect(outcome).toEqual({
      email: "skipped: shared webhook",
      slack: "skipped: shared webhook",
      linePush: "skipped: shared webhook",
    });
    expect(sns.published).toEqual([]);
    expect(slack.messages).toEqual([]);
  });
});
