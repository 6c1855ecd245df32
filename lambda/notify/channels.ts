/**
 * The three ways a missed call leaves the webhook: an SNS Publish (the topic's e-mail
 * subscriptions), a Slack-compatible incoming webhook, and a LINE Messaging API push to the
 * caller. Each takes an AbortSignal so the notifier can bound the time the caller waits.
 *
 * SNS is called with the AWS SDK v3 client the Lambda Node.js runtime ships (as SSM is, for the
 * auth token): it adds nothing to the bundle and is required only when the first missed call is
 * published, so a cold start never loads it. It honours AWS_ENDPOINT_URL_SNS (the tests' stand-in).
 */
import { createHash } from "node:crypto";

/** The LINE Messaging API. LINE_API_BASE_URL replaces it for a local stand-in (tests, dev). */
export const LINE_API_BASE_URL = "https://api.line.me";
export const LINE_PUSH_PATH = "/v2/bot/message/push";

export type SnsPublish = (input: {
  topicArn: string;
  subject: string;
  message: string;
  signal: AbortSignal;
}) => Promise<{ messageId: string }>;

/** One SNS client per notifier, so a warm instance reuses its connection. */
export function snsPublisher(): SnsPublish {
  let client: import("@aws-sdk/client-sns").SNSClient | undefined;
  return async ({ topicArn, subject, message, signal }) => {
    // A plain require, kept as one by esbuild: the runtime's SDK is found through NODE_PATH.
    const { SNSClient, PublishCommand }: typeof import("@aws-sdk/client-sns") =
      require("@aws-sdk/client-sns");
    client ??= new SNSClient({});
    const result = await client.send(
      new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }),
      { abortSignal: signal },
    );
    return { messageId: result.MessageId ?? "" };
  };
}

/** A short description of a failed HTTP answer: status and the start of its body. */
async function httpFailure(response: Response): Promise<string> {
  const body = (await response.text().catch(() => "")).replace(/\s+/g, " ").trim();
  return `HTTP ${response.status}${body ? `: ${body.slice(0, 200)}` : ""}`;
}

/**
 * Slack's three control characters escaped: the text carries what the call carried (the LINE
 * user ID, From), and `<!channel>` or `<https://…|…>` in it must not ping a channel or hide a link.
 */
export function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Posts `text` to a Slack-compatible incoming webhook ({"text": …}, as Slack and Mattermost take). */
export async function postToSlack(url: string, text: string, signal: AbortSignal): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text: slackEscape(text) }),
    signal,
  });
  if (!response.ok) throw new Error(await httpFailure(response));
  await response.body?.cancel();
}

/**
 * A UUID made from the call and the reason: the push's X-Line-Retry-Key, so if Twilio posts the
 * same event twice LINE sends the message once (it answers the repeat with 409).
 */
export function lineRetryKey(callSid: string, reason: string): string {
  const hex = createHash("sha256").update(`${callSid}\n${reason}`).digest("hex");
  // Shaped as a version-5-style UUID (name-based).
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `5${hex.slice(13, 16)}`,
    ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16) + hex.slice(18, 20),
    hex.slice(20, 32),
  ].join("-");
}

export interface LinePush {
  baseUrl: string;
  channelAccessToken: string;
  to: string;
  text: string;
  retryKey?: string;
  signal: AbortSignal;
}

/** Sends one text message to a LINE user (POST /v2/bot/message/push). */
export async function pushLineMessage(push: LinePush): Promise<{ duplicate: boolean }> {
  const response = await fetch(`${push.baseUrl.replace(/\/+$/, "")}${LINE_PUSH_PATH}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${push.channelAccessToken}`,
      "content-type": "application/json",
      ...(push.retryKey ? { "x-line-retry-key": push.retryKey } : {}),
    },
    body: JSON.stringify({ to: push.to, messages: [{ type: "text", text: push.text }] }),
    signal: push.signal,
  });
  // 409 with a retry key: this exact push was already accepted.
  if (response.status === 409 && push.retryKey) {
    await response.body?.cancel();
    return { duplicate: true };
  }
  if (!response.ok) throw new Error(await httpFailure(response));
  await response.body?.cancel();
  return { duplicate: false };
}
