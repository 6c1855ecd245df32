// Where missed calls and alarms go: the e-mail addresses subscribed to the stack's SNS topic, a
// Slack-compatible incoming webhook and the LINE channel access token (both secrets), and the
// alarm switch. They are AWS resources of this stack and secrets of the function, so they need
// the webhook hosted here; the follow-up itself (followUp, followUpMessage) is a call setting
// (model/callSettings.ts), checked here only for the token it needs.
import type { NotifyEnvironment } from "../../lambda/contract";
import { type CallSettings, UNKNOWN_ENVIRONMENT_VALUE } from "../../model/callSettings";
import { connectionNames } from "../naming";
import { isLocalHost } from "./hosting";
import type { ConfigReader } from "./reader";

/** SNS e-mail subscriptions: one address each, as SNS accepts them. */
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[a-z]{2,}$/i;
/** More would be a mailing list's job: give SNS that list's address instead. */
export const MAX_NOTIFY_EMAILS = 10;

export interface NotifySettings {
  /** Subscribed to the missed-call topic (each confirms by e-mail once). */
  emails: string[];
  /** A Slack-compatible incoming-webhook URL is set (a secret: the value is read at deploy). */
  hasSlackWebhookUrl: boolean;
  /** A LINE Messaging API channel access token is set (a secret). */
  hasLineChannelAccessToken: boolean;
  /** CloudWatch alarms on the webhook, to the same topic. */
  alarms: boolean;
}

/** The stack creates the SNS topic: e-mail subscribers, or alarms to send to it. */
export function needsTopic(notify: NotifySettings): boolean {
  return notify.emails.length > 0 || notify.alarms;
}

/** The function gets the secrets parameter: a Slack URL or a LINE token to read. */
export function needsSecrets(notify: NotifySettings): boolean {
  return notify.hasSlackWebhookUrl || notify.hasLineChannelAccessToken;
}

function readEmails(r: ConfigReader): string[] {
  const key = r.key("notifyEmails");
  const text = r.raw("notifyEmails")?.trim();
  if (!text) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The documented form: `pulumi config set notifyEmails "a@example.com, b@example.com"`.
    value = text.split(",");
  }
  if (typeof value === "string") value = [value];
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    r.problem(
      `${key} must be e-mail addresses separated by commas, e.g. "frontdesk@example.com, owner@example.com"`,
    );
    return [];
  }
  const emails = value.map((item: string) => item.trim()).filter((item) => item !== "");
  for (const email of emails) {
    if (!EMAIL.test(email)) {
      r.problem(`${key} entry "${email}" is not an e-mail address such as frontdesk@example.com`);
    }
  }
  const seen = new Set<string>();
  for (const email of emails) {
    const lower = email.toLowerCase();
    if (seen.has(lower)) r.problem(`${key} lists ${email} twice: SNS would mail it once anyway`);
    seen.add(lower);
  }
  if (emails.length > MAX_NOTIFY_EMAILS) {
    r.problem(
      `${key} lists ${emails.length} addresses; at most ${MAX_NOTIFY_EMAILS}: give a mailing list's address instead`,
    );
  }
  return emails;
}

/** A secret key's value, with the problem if it is stored in plaintext. */
function readSecret(r: ConfigReader, name: "notifySlackWebhookUrl" | "lineChannelAccessToken") {
  const key = r.key(name);
  const value = r.raw(name)?.trim();
  if (!value) return undefined;
  if (!r.source.secretKeys.has(key)) {
    r.problem(
      `${key} is stored in plaintext in Pulumi.${r.source.stack}.yaml: remove it and set it ` +
        `again with pulumi config set --secret ${name}`,
    );
  }
  return value;
}

function checkSlackWebhookUrl(r: ConfigReader, value: string): void {
  const key = r.key("notifySlackWebhookUrl");
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // Never the value itself in a message: its path is the credential.
  if (
    !url ||
    !(url.protocol === "https:" || (url.protocol === "http:" && isLocalHost(url.hostname)))
  ) {
    r.problem(
      `${key} is not an https:// URL: copy the incoming webhook's URL again ` +
        "(Slack: https://hooks.slack.com/services/…) and set it with pulumi config set --secret notifySlackWebhookUrl",
    );
  } else if (url.pathname === "/" || url.pathname === "") {
    r.problem(
      `${key} (on ${url.hostname}) has no path: an incoming webhook's URL ends in its secret path`,
    );
  }
}

export function readNotify(r: ConfigReader, hostsWebhook: boolean): NotifySettings {
  const emails = readEmails(r);
  const slackWebhookUrl = readSecret(r, "notifySlackWebhookUrl");
  if (slackWebhookUrl !== undefined) checkSlackWebhookUrl(r, slackWebhookUrl);
  const lineToken = readSecret(r, "lineChannelAccessToken");
  if (lineToken !== undefined && /\s/.test(lineToken)) {
    r.problem(
      `${r.key("lineChannelAccessToken")} contains blanks: copy the channel access token (long-lived) ` +
        "again from the LINE Developers console, Messaging API tab",
    );
  }
  const alarms = r.boolean("alarms");
  const notify: NotifySettings = {
    emails,
    hasSlackWebhookUrl: slackWebhookUrl !== undefined,
    hasLineChannelAccessToken: lineToken !== undefined,
    alarms,
  };

  if (alarms && emails.length === 0) {
    r.problem(
      `${r.key("alarms")} is true but ${r.key("notifyEmails")} is empty: the alarms go to the ` +
        "missed-call SNS topic, which only its e-mail subscribers read; add an address",
    );
  }
  if (!hostsWebhook) {
    const set = (
      [
        ["notifyEmails", emails.length > 0],
        ["notifySlackWebhookUrl", notify.hasSlackWebhookUrl],
        ["lineChannelAccessToken", notify.hasLineChannelAccessToken],
        ["alarms", alarms],
      ] as const
    )
      .filter(([, isSet]) => isSet)
      .map(([name]) => r.key(name));
    if (set.length > 0) {
      r.problem(
        `${set.join(", ")} ${set.length === 1 ? "needs" : "need"} the webhook hosted by this stack on AWS, ` +
          `and this stack has none (${r.key("webhookBaseUrl")} names your own host, or it is a customer ` +
          "of a platform's shared webhook, which never uses channels of its own): remove them",
      );
    }
  }
  return notify;
}

/** The follow-up (a call setting) pushes with the channel token this stack holds. */
export function checkFollowUp(
  r: ConfigReader,
  call: CallSettings | undefined,
  notify: NotifySettings,
  hostsWebhook: boolean,
): void {
  // A webhook on your own host pushes with its own token.
  if (hostsWebhook && call?.followUp && !notify.hasLineChannelAccessToken) {
    r.problem(
      `${r.key("followUp")} is true but ${r.key("lineChannelAccessToken")} is not set: ` +
        "pulumi config set --secret lineChannelAccessToken (the Messaging API channel's token), or set followUp false",
    );
  }
}

/**
 * The notification variables the function will get, with values as long as the deployed ones
 * (the topic ARN in the longest region name, the version a whole number): for the 4 KB check
 * before anything exists.
 */
export function notifyEnvironmentFor(
  notify: NotifySettings,
  source: ConfigReader["source"],
): NotifyEnvironment {
  const names = connectionNames({ stack: source.stack });
  return {
    ...(needsTopic(notify)
      ? { topicArn: `arn:aws:sns:ap-southeast-5:123456789012:${names.missedCallTopic}` }
      : {}),
    ...(needsSecrets(notify)
      ? {
          secrets: {
            parameterName: names.notifySecretsParameter,
            version: UNKNOWN_ENVIRONMENT_VALUE,
          },
        }
      : {}),
  };
}
