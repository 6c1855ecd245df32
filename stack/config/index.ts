// Per-stack configuration (`Pulumi.<stack>.yaml`): every key the program reads, its defaults, and
// the validation that runs before any resource is declared. A bad value is reported together
// with every other problem, one line each naming the key and the fix, so an operator fixes the
// whole file in one go instead of one `pulumi up` per typo. Each concern has its own module in
// this folder; this one puts their results together.
import * as pulumi from "@pulumi/pulumi";
import type { NotifySecrets } from "../../lambda/notify/settings";
import type { CallSettings } from "../../model/callSettings";
import type { LineIpAddress } from "../../model/lineIpAddresses";
import { PROJECT } from "../../model/project";
import { resolveTwilioSetting } from "../../model/twilio";
import { readCall } from "./call";
import { readDomain } from "./domain";
import { readHosting } from "./hosting";
import type { ConfigSource } from "./keys";
import { checkFollowUp, type NotifySettings, notifyEnvironmentFor, readNotify } from "./notify";
import { ConfigReader } from "./reader";
import { readTwilioCredentials } from "./twilio";

export { type ConfigSource, PROJECT_KEYS, type ProjectKey, type ProjectKeySpec } from "./keys";

/** The validated settings the program is built from. */
export interface LineCallConfig {
  stack: string;
  sipDomainName: string;
  lineIpAddresses: LineIpAddress[];
  lineConnected: boolean;
  /** Where calls ring and what the caller hears (model/callSettings.ts). */
  call: CallSettings;
  logRetentionDays: number;
  /** Set: bring-your-own TwiML host, no AWS resources. Without trailing slash. */
  webhookBaseUrl?: string;
  /** Take over a SIP domain (and list) that already exist under the same names. */
  adoptExisting: boolean;
  /** True when a Twilio auth token is available (config or environment) for the webhook. */
  hasAuthToken: boolean;
  /**
   * The customer's Twilio subaccount: every Twilio resource lives in it, managed with the parent
   * credentials of twilio:*. Undefined: the credentials' own account.
   */
  subaccountSid?: string;
  /** Where missed calls and alarms go (notify.ts); all empty when none is configured. */
  notify: NotifySettings;
}

export class ConfigError extends pulumi.RunError {
  constructor(
    readonly problems: string[],
    stack: string,
  ) {
    super(
      `Pulumi.${stack}.yaml has ${problems.length} problem${problems.length === 1 ? "" : "s"}; ` +
        `nothing was changed:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/**
 * Validates the whole configuration. Never throws: returns every problem, so the caller can
 * report them together.
 */
export function validateConfig(source: ConfigSource): {
  config?: LineCallConfig;
  errors: string[];
} {
  const r = new ConfigReader(source);
  r.unknownKeys();
  const domain = readDomain(r);
  const { logRetentionDays, webhookBaseUrl, hostsWebhook } = readHosting(r);
  const notify = readNotify(r, hostsWebhook);
  const call = readCall(r, hostsWebhook, notifyEnvironmentFor(notify, source));
  checkFollowUp(r, call, notify, hostsWebhook);
  const { hasAuthToken, subaccountSid } = readTwilioCredentials(r, hostsWebhook);

  const errors = r.problems;
  if (errors.length > 0 || !call || logRetentionDays === undefined) {
    return { errors };
  }
  return {
    errors,
    config: {
      stack: source.stack,
      ...domain,
      call,
      logRetentionDays,
      ...(webhookBaseUrl ? { webhookBaseUrl } : {}),
      hasAuthToken,
      ...(subaccountSid ? { subaccountSid } : {}),
      notify,
    },
  };
}

/** The stack config exactly as the Pulumi CLI handed it to this program. */
export function currentConfigSource(): ConfigSource {
  const values = pulumi.runtime.allConfig();
  // isConfigSecret is not in the SDK's typings, but it is how Config.get knows a key is secret.
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
  const secretKeys = new Set(
    Object.keys(values).filter((k) => runtime.isConfigSecret?.(k) ?? false),
  );
  return { stack: pulumi.getStack(), values, secretKeys, env: process.env };
}

/** Reads and validates the stack config; throws one error listing every problem. */
export function readStackConfig(source: ConfigSource = currentConfigSource()): LineCallConfig {
  const { config, errors } = validateConfig(source);
  if (!config) throw new ConfigError(errors, source.stack);
  return config;
}

/**
 * The Twilio auth token as a Pulumi secret, resolved as the providers resolve it
 * (`resolveTwilioSetting`: `twilio:authToken`, else TWILIO_AUTH_TOKEN), wrapped so it is
 * encrypted wherever it lands in the state.
 */
export function twilioAuthToken(
  source: ConfigSource = currentConfigSource(),
): pulumi.Output<string> {
  const fromConfig = new pulumi.Config("twilio").getSecret("authToken");
  return pulumi.secret(
    pulumi
      .output(fromConfig)
      .apply((value) => resolveTwilioSetting("authToken", () => value, source.env) ?? ""),
  );
}

/** The account SID as the providers resolve it (`resolveTwilioSetting`). */
export function twilioAccountSid(source: ConfigSource = currentConfigSource()): string {
  return resolveTwilioSetting("accountSid", (key) => source.values[key], source.env) ?? "";
}

/**
 * The notification secrets as one Pulumi secret: the JSON the webhook reads from its SSM
 * SecureString (lambda/notify/settings.ts), encrypted wherever it lands in the state.
 */
export function notifySecrets(): pulumi.Output<string> {
  const config = new pulumi.Config(PROJECT);
  const value = (name: string) => config.getSecret(name) ?? pulumi.secret("");
  return pulumi.secret(
    pulumi
      .all([value("notifySlackWebhookUrl"), value("lineChannelAccessToken")])
      .apply(([slackWebhookUrl, lineChannelAccessToken]) => {
        const secrets: NotifySecrets = {
          ...(slackWebhookUrl.trim() ? { slackWebhookUrl: slackWebhookUrl.trim() } : {}),
          ...(lineChannelAccessToken.trim()
            ? { lineChannelAccessToken: lineChannelAccessToken.trim() }
            : {}),
        };
        return JSON.stringify(secrets);
      }),
  );
}
