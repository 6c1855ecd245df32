/**
 * Delivers each missed call: one message to the SNS topic (its e-mail subscriptions) and/or one to
 * the Slack-compatible webhook, and, when the follow-up is on, one LINE push to the caller.
 *
 * What the caller hears never depends on it: the route's TwiML is decided first, every channel
 * runs at once, and the webhook waits for them at most `deadlineMs` (NOTIFY_DEADLINE_MS while a
 * caller is on the line) before answering Twilio anyway. A failure, or a channel still waiting at
 * the deadline (then abandoned: on Lambda work left running after the answer would be frozen with
 * the instance and finish on some later request, or never), is logged in one line per missed call
 * with every channel's outcome, never thrown.
 *
 * Logs carry no secret: error texts are stripped of the Slack URL and the LINE token, and no
 * recording URL is ever part of the event.
 */
import { readSsmParameter } from "../authToken";
import type { Env } from "../config";
import { WEBHOOK_ENV } from "../contract";
import { type LogSink, writeLog } from "../log";
import type { MissedCall } from "../missedCall";
import {
  LINE_API_BASE_URL,
  lineRetryKey,
  postToSlack,
  pushLineMessage,
  type SnsPublish,
  snsPublisher,
} from "./channels";
import { missedCallMessage } from "./message";
import { NOTIFY_ENV, type NotifySecrets, parseNotifySecrets } from "./settings";

/** The longest a caller waits in silence for the notifications (all channels at once). */
export const NOTIFY_DEADLINE_MS = 1500;
/**
 * The bound for a voicemail's notification: no caller waits for the recording callback, so the
 * channels get longer, well inside the function's 10 s timeout and Twilio's 15 s.
 */
export const VOICEMAIL_NOTIFY_DEADLINE_MS = 5000;
/** While the secrets parameter cannot be read, how long before it is tried again. */
export const SECRETS_RETRY_MS = 30_000;

export type ChannelName = "email" | "slack" | "linePush";
/** `delivered`, `duplicate` (LINE had it already), `failed: …` (timeouts too), `skipped: …`. */
export type ChannelOutcome = string;

export interface NotifierOptions {
  env: Env;
  log: LogSink;
  /** Replaces the SNS client (tests of the failure paths use the real one against a stand-in). */
  publish?: SnsPublish;
  readParameter?: typeof readSsmParameter;
}

export interface Notifier {
  /** True when at least one channel is configured (else `notify` only logs the missed call). */
  readonly configured: boolean;
  /** Starts reading the secrets now (Lambda's init phase), so a missed call does not wait for SSM. */
  prefetch(): void;
  /**
   * Delivers one missed call; resolves within `deadlineMs` (by default NOTIFY_DEADLINE_MS, or
   * VOICEMAIL_NOTIFY_DEADLINE_MS for a voicemail) with each channel's outcome.
   * @param followUpText the LINE push's text when the follow-up is on, else undefined; pushed
   *   for the missed call only, not again for its voicemail
   */
  notify(
    call: MissedCall,
    options: { followUpText?: string; deadlineMs?: number },
  ): Promise<Record<ChannelName, ChannelOutcome>>;
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return `${error.name === "Error" ? "" : `${error.name}: `}${error.message}${cause}`;
  }
  return String(error);
}

/** Replaces every secret in a text; short or absent secrets are left alone. */
function redact(text: string, secrets: (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 8) result = result.split(secret).join("[redacted]");
  }
  return result;
}

export function createNotifier(options: NotifierOptions): Notifier {
  const { env, log } = options;
  const topicArn = env[NOTIFY_ENV.topicArn]?.trim() || undefined;
  const parameterName = env[NOTIFY_ENV.secretsParameter]?.trim() || undefined;
  const direct: NotifySecrets = {
    ...(env[NOTIFY_ENV.slackWebhookUrl]?.trim()
      ? { slackWebhookUrl: env[NOTIFY_ENV.slackWebhookUrl]?.trim() }
      : {}),
    ...(env[NOTIFY_ENV.lineChannelAccessToken]?.trim()
      ? { lineChannelAccessToken: env[NOTIFY_ENV.lineChannelAccessToken]?.trim() }
      : {}),
  };
  const lineBaseUrl = env[NOTIFY_ENV.lineApiBaseUrl]?.trim() || LINE_API_BASE_URL;
  const publish = options.publish ?? snsPublisher();
  const readParameter = options.readParameter ?? readSsmParameter;

  let secrets: Promise<NotifySecrets | { problem: string }> | undefined;
  let retryAt = 0;
  const loadSecrets = (): Promise<NotifySecrets | { problem: string }> => {
    if (!parameterName) return Promise.resolve(direct);
    if (secrets) return secrets;
    if (Date.now() < retryAt) {
      return Promise.resolve({ problem: "secrets parameter unreadable (retried later)" });
    }
    secrets = readParameter(parameterName).then(
      ({ value }) => ({ ...parseNotifySecrets(value), ...direct }),
      (error: unknown) => {
        const problem = `could not read ${NOTIFY_ENV.secretsParameter} ${parameterName} (${errorText(error)}); check that it exists and the function's role may ssm:GetParameter it`;
        writeLog(log, { level: "error", msg: "notification secrets unavailable", problem });
        secrets = undefined;
        retryAt = Date.now() + SECRETS_RETRY_MS;
        return { problem };
      },
    );
    return secrets;
  };

  const channelsSet = Boolean(
    topicArn || parameterName || direct.slackWebhookUrl || direct.lineChannelAccessToken,
  );
  // A shared webhook serves many customers: channels of the function's own would carry every
  // customer's callers to one place, so they are never used there (one customer's data never
  // reaches another's channel); each customer's stack is where its channels belong.
  const shared = Boolean(env[WEBHOOK_ENV.customerParameterPrefix]?.trim());
  if (shared && channelsSet) {
    writeLog(log, {
      level: "warn",
      msg: "missed-call channels ignored on a shared webhook",
      problem: `${WEBHOOK_ENV.customerParameterPrefix} is set (a webhook shared by many customers), so ${NOTIFY_ENV.topicArn}, ${NOTIFY_ENV.secretsParameter} and the other notification settings are not used: they would carry every customer's callers to one channel`,
    });
  }
  const configured = channelsSet && !shared;

  return {
    configured,
    prefetch: () => {
      if (parameterName && configured) void loadSecrets();
    },
    notify: async (call, options) => {
      if (!configured) {
        const skipped = shared ? "skipped: shared webhook" : "skipped: not configured";
        return { email: skipped, slack: skipped, linePush: skipped };
      }
      const deadlineMs =
        options.deadlineMs ??
        (call.kind === "voicemail" ? VOICEMAIL_NOTIFY_DEADLINE_MS : NOTIFY_DEADLINE_MS);
      const followUpText = call.kind === "missed-call" ? options.followUpText : undefined;
      const noFollowUp = options.followUpText
        ? "skipped: pushed with the missed call, not again for its voicemail"
        : "skipped: follow-up off";
      const started = performance.now();
      const controller = new AbortController();
      const message = missedCallMessage(call);
      const outcomes: Record<ChannelName, ChannelOutcome> = {
        email: topicArn ? "pending" : "skipped: no topic (notifyEmails not set)",
        slack: "pending",
        linePush: "pending",
      };
      let secretsKnown: NotifySecrets = direct;
      const settle = async (channel: ChannelName, work: () => Promise<string>) => {
        try {
          outcomes[channel] = await work();
        } catch (error) {
          // After the deadline the outcome is already written ("timed out").
          if (controller.signal.aborted) return;
          outcomes[channel] =
            `failed: ${redact(errorText(error), [secretsKnown.slackWebhookUrl, secretsKnown.lineChannelAccessToken])}`;
        }
      };

      const deliveries: Promise<void>[] = [];
      if (topicArn) {
        deliveries.push(
          settle("email", async () => {
            await publish({
              topicArn,
              subject: message.subject,
              message: message.text,
              signal: controller.signal,
            });
            return "delivered";
          }),
        );
      }
      deliveries.push(
        (async () => {
          const loaded = await loadSecrets();
          if ("problem" in loaded) {
            outcomes.slack = `failed: ${loaded.problem}`;
            outcomes.linePush = followUpText ? `failed: ${loaded.problem}` : noFollowUp;
            return;
          }
          secretsKnown = loaded;
          const { slackWebhookUrl, lineChannelAccessToken } = loaded;
          const channels: Promise<void>[] = [];
          if (slackWebhookUrl) {
            channels.push(
              settle("slack", async () => {
                await postToSlack(slackWebhookUrl, message.text, controller.signal);
                return "delivered";
              }),
            );
          } else {
            outcomes.slack = "skipped: no Slack webhook URL";
          }
          if (!followUpText) {
            outcomes.linePush = noFollowUp;
          } else if (!lineChannelAccessToken) {
            outcomes.linePush = "failed: follow-up is on but no LINE channel access token is set";
          } else if (!call.lineUserId) {
            outcomes.linePush = "skipped: no LINE user ID in the call";
          } else {
            const to = call.lineUserId;
            channels.push(
              settle("linePush", async () => {
                const { duplicate } = await pushLineMessage({
                  baseUrl: lineBaseUrl,
                  channelAccessToken: lineChannelAccessToken,
                  to,
                  text: followUpText,
                  ...(call.callSid ? { retryKey: lineRetryKey(call.callSid, call.reason) } : {}),
                  signal: controller.signal,
                });
                return duplicate ? "duplicate" : "delivered";
              }),
            );
          }
          await Promise.all(channels);
        })(),
      );

      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<"deadline">((resolve) => {
        timer = setTimeout(() => resolve("deadline"), deadlineMs);
      });
      const finished = await Promise.race([Promise.all(deliveries), deadline]);
      clearTimeout(timer);
      if (finished === "deadline") {
        for (const channel of Object.keys(outcomes) as ChannelName[]) {
          if (outcomes[channel] === "pending") {
            outcomes[channel] = `failed: timed out after ${deadlineMs} ms (abandoned)`;
          }
        }
        controller.abort();
      }
      const failed = Object.values(outcomes).some((outcome) => outcome.startsWith("failed"));
      writeLog(log, {
        level: failed ? "error" : "info",
        msg: "missed call notification",
        callSid: call.callSid,
        reason: call.reason,
        kind: call.kind,
        at: call.at,
        lineUserId: call.lineUserId,
        voicemail: call.voicemail ?? null,
        deliveries: { ...outcomes },
        elapsedMs: Math.round(performance.now() - started),
      });
      return { ...outcomes };
    },
  };
}
