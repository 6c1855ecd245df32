/**
 * Where the webhook sends missed calls, as the deployed function's environment names it. The two
 * secrets (the Slack URL, whose path is its credential, and the LINE channel access token) are not
 * in the environment on AWS: they sit in one SSM SecureString, as JSON, read once per cold start
 * like the Twilio auth token. Set directly in the environment they take precedence (local runs,
 * tests), as TWILIO_AUTH_TOKEN does.
 */

export const NOTIFY_ENV = {
  /** The SNS topic whose e-mail subscriptions get each missed call (the stack's topic). */
  topicArn: "NOTIFY_TOPIC_ARN",
  /** The SSM SecureString holding `NotifySecrets` as JSON (the deployed function). */
  secretsParameter: "NOTIFY_SECRETS_PARAMETER",
  /**
   * The parameter's version. Not read by the handler: new secrets change the function's
   * configuration, so no warm instance keeps posting with a URL or token rotated away.
   */
  secretsVersion: "NOTIFY_SECRETS_VERSION",
  /** The Slack-compatible incoming-webhook URL itself (local runs and tests). */
  slackWebhookUrl: "NOTIFY_SLACK_WEBHOOK_URL",
  /** The LINE channel access token itself (local runs and tests). */
  lineChannelAccessToken: "LINE_CHANNEL_ACCESS_TOKEN",
  /** The LINE Messaging API's base URL; only a local stand-in sets it. */
  lineApiBaseUrl: "LINE_API_BASE_URL",
} as const;

/** The JSON held by the NOTIFY_SECRETS_PARAMETER SecureString; each field optional. */
export interface NotifySecrets {
  slackWebhookUrl?: string;
  lineChannelAccessToken?: string;
}

/** Reads the parameter's JSON, keeping only non-empty strings of the known fields. */
export function parseNotifySecrets(text: string): NotifySecrets {
  const value: unknown = JSON.parse(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error("not a JSON object");
  }
  const fields = value as Record<string, unknown>;
  const pick = (name: keyof NotifySecrets) =>
    typeof fields[name] === "string" && fields[name].trim() !== ""
      ? { [name]: fields[name].trim() }
      : {};
  return { ...pick("slackWebhookUrl"), ...pick("lineChannelAccessToken") };
}
