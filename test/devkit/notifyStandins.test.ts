// The notification stand-ins are only as lenient as what they imitate: the LINE stand-in checks
// every push against LINE's OpenAPI description (messaging_api_push.yml, message types through its
// discriminator), knows one token and the channel's friends; the SNS stand-in applies SNS's rules
// to Publish; the Slack stand-in answers as Slack's incoming webhooks do.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LineStandin, startLineStandin } from "../../devkit/notify-standins/line";
import { type SlackStandin, startSlackStandin } from "../../devkit/notify-standins/slack";
import { type SnsStandin, startSnsStandin } from "../../devkit/notify-standins/sns";
import { SAMPLE_LINE_USER_ID } from "../../model/twilioRequest";

let line: LineStandin;
let slack: SlackStandin;
let sns: SnsStandin;

beforeAll(async () => {
  line = await startLineStandin({ friends: { [SAMPLE_LINE_USER_ID]: "LINE taro" } });
  slack = await startSlackStandin();
  sns = await startSnsStandin(["arn:aws:sns:ap-northeast-1:123456789012:t"]);
});
afterAll(async () => {
  await Promise.all([line.close(), slack.close(), sns.close()]);
});

function push(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${line.url}/v2/bot/message/push`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${line.channelAccessToken}`,
      "content-type": "application/json",
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

const text = (value: string) => ({ type: "text", text: value });

describe("LINE Messaging API stand-in", () => {
  it("accepts a text push to a friend and answers as the spec's PushMessageResponse", async () => {
    const response = await push({ to: SAMPLE_LINE_USER_ID, messages: [text("hello")] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sentMessages: [{ id: expect.any(String) }] });
    expect(line.pushes.at(-1)).toEqual({
      to: SAMPLE_LINE_USER_ID,
      messages: [text("hello")],
      retryKey: undefined,
    });
    expect(line.validationErrors).toEqual([]);
  });

  it.each([
    [
      "no messages",
      { to: SAMPLE_LINE_USER_ID, messages: [] },
      /messages must NOT have fewer than 1 items/,
    ],
    [
      "six messages",
      { to: SAMPLE_LINE_USER_ID, messages: Array(6).fill(text("a")) },
      /more than 5 items/,
    ],
    ["no recipient", { messages: [text("a")] }, /must have required property 'to'/],
    [
      "a text message without text",
      { to: SAMPLE_LINE_USER_ID, messages: [{ type: "text" }] },
      /must have required property 'text'/,
    ],
    [
      "an unknown message type",
      { to: SAMPLE_LINE_USER_ID, messages: [{ type: "fax" }] },
      /type fax is not a message type/,
    ],
  ])("refuses %s as LINE's description does, and records it", async (_what, body, problem) => {
    line.validationErrors.length = 0;
    const response = await push(body);
    expect(response.status).toBe(400);
    expect(line.validationErrors).toEqual([expect.stringMatching(problem)]);
    line.validationErrors.length = 0;
  });

  it("refuses another token (401), a user the channel does not know (400), a repeated retry key (409)", async () => {
    const wrongToken = await push(
      { to: SAMPLE_LINE_USER_ID, messages: [text("a")] },
      { authorization: "Bearer other" },
    );
    expect(wrongToken.status).toBe(401);
    const stranger = await push({ to: `U${"0".repeat(32)}`, messages: [text("a")] });
    expect(stranger.status).toBe(400);
    expect(await stranger.json()).toEqual({ message: "Failed to send messages" });
    const key = "123e4567-e89b-12d3-a456-426614174000";
    expect(
      (await push({ to: SAMPLE_LINE_USER_ID, messages: [text("a")] }, { "x-line-retry-key": key }))
        .status,
    ).toBe(200);
    expect(
      (await push({ to: SAMPLE_LINE_USER_ID, messages: [text("a")] }, { "x-line-retry-key": key }))
        .status,
    ).toBe(409);
    expect(line.validationErrors).toEqual([]);
  });

  it("answers the profile of a friend and 404 for anyone else (how an operator confirms an ID)", async () => {
    const get = (userId: string) =>
      fetch(`${line.url}/v2/bot/profile/${userId}`, {
        headers: { authorization: `Bearer ${line.channelAccessToken}` },
      });
    const friend = await get(SAMPLE_LINE_USER_ID);
    expect(friend.status).toBe(200);
    expect(await friend.json()).toMatchObject({
      userId: SAMPLE_LINE_USER_ID,
      displayName: "LINE taro",
    });
    expect((await get(`U${"0".repeat(32)}`)).status).toBe(404);
    expect(line.validationErrors).toEqual([]);
  });
});

describe("Slack and SNS stand-ins", () => {
  it("Slack: ok for {text} on the secret path, no_service elsewhere, no_text without text", async () => {
    const post = (url: string, body: unknown) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const ok = await post(slack.webhookUrl, { text: "hi" });
    expect([ok.status, await ok.text()]).toEqual([200, "ok"]);
    const wrong = await post(`${slack.url}/services/T/B/guess`, { text: "hi" });
    expect([wrong.status, await wrong.text()]).toEqual([404, "no_service"]);
    const empty = await post(slack.webhookUrl, { text: " " });
    expect([empty.status, await empty.text()]).toEqual([400, "no_text"]);
    expect(slack.messages).toEqual(["hi"]);
  });

  it("SNS: refuses an unsigned request and an unknown topic, as SNS does", async () => {
    const form = (topic: string) =>
      new URLSearchParams({
        Action: "Publish",
        Version: "2010-03-31",
        TopicArn: topic,
        Message: "m",
      });
    const unsigned = await fetch(sns.url, {
      method: "POST",
      body: form("arn:aws:sns:ap-northeast-1:123456789012:t"),
    });
    expect(unsigned.status).toBe(403);
    const signedLike = {
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKID/20261205/ap-northeast-1/sns/aws4_request, SignedHeaders=host, Signature=0",
    };
    const unknown = await fetch(sns.url, {
      method: "POST",
      headers: signedLike,
      body: form("arn:aws:sns:ap-northeast-1:123456789012:other"),
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("<Code>NotFound</Code>");
    expect(sns.published).toEqual([]);
  });
});
