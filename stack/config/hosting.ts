// Where the webhook runs: on AWS in this stack (its region and log retention), or on your own
// TwiML host named by webhookBaseUrl (then no AWS at all).
import type { ConfigReader } from "./reader";

/** Values CloudWatch Logs accepts for a log group's retention (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

export interface HostingSettings {
  logRetentionDays?: number;
  /** Set: bring-your-own TwiML host, no AWS resources. Without trailing slash. */
  webhookBaseUrl?: string;
  /** True when this stack hosts the webhook on AWS (webhookBaseUrl is not set at all). */
  hostsWebhook: boolean;
}

export function isLocalHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "127.0.0.1" || hostname === "[::1]";
}

function readWebhookBaseUrl(r: ConfigReader, baseText: string): string | undefined {
  let url: URL | undefined;
  try {
    url = new URL(baseText);
  } catch {
    url = undefined;
  }
  const key = r.key("webhookBaseUrl");
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    r.problem(
      `${key} "${baseText}" is not an absolute URL: write e.g. https://twiml.example.com/line ` +
        "(or leave it unset to deploy the webhook on AWS)",
    );
  } else if (url.protocol === "http:" && !isLocalHost(url.hostname)) {
    r.problem(
      `${key} "${baseText}" must use https: Twilio posts caller details to it ` +
        "(plain http is accepted only for localhost trials)",
    );
  } else if (url.search !== "" || url.hash !== "" || url.username !== "") {
    r.problem(
      `${key} "${baseText}" must be a plain base URL without query, fragment or ` +
        "credentials: the routes /voice, /fallback and /status are appended to it",
    );
  } else {
    return baseText.replace(/\/+$/, "");
  }
  return undefined;
}

function checkAwsRegion(r: ConfigReader): void {
  const { values, env } = r.source;
  const region = values["aws:region"] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    r.problem(
      "aws:region is not set: pulumi config set aws:region ap-northeast-1 (or set line-call:webhookBaseUrl " +
        "to use your own TwiML host and no AWS at all)",
    );
  } else if (!AWS_REGION.test(region)) {
    r.problem(`aws:region "${region}" is not an AWS region name such as ap-northeast-1`);
  }
}

export function readHosting(r: ConfigReader): HostingSettings {
  const logRetentionDays = r.integer("logRetentionDays");
  const offered =
    logRetentionDays !== undefined &&
    (LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays);
  if (!offered) {
    r.problem(
      `${r.key("logRetentionDays")} ${JSON.stringify(r.text("logRetentionDays"))} is not a retention ` +
        `CloudWatch Logs offers: use one of ${LOG_RETENTION_DAYS.join(", ")}`,
    );
  }

  const baseText = r.text("webhookBaseUrl").trim();
  const hostsWebhook = baseText === "";
  const webhookBaseUrl = hostsWebhook ? undefined : readWebhookBaseUrl(r, baseText);
  // AWS is only needed when this stack hosts the webhook itself.
  if (hostsWebhook) checkAwsRegion(r);
  return {
    ...(offered ? { logRetentionDays } : {}),
    ...(webhookBaseUrl ? { webhookBaseUrl } : {}),
    hostsWebhook,
  };
}
