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
import { readCustomer, readRole, type StackRole } from "./role";
import { readTwilioCredentials } from "./twilio";

export { type ConfigSource, PROJECT_KEYS, type ProjectKey, type ProjectKeySpec } from "./keys";
export { PLATFORM_STACK, STACK_ROLES, type StackRole } from "./role";

/** The validated settings of a stack with Twilio resources (single or customer). */
export interface LineCallConfig {
  stack: string;
  /** single: its own webhook; customer: the platform stack's (`platformStack`). */
  role: Exclude<StackRole, "platform">;
  /** A customer's platform stack, `<organization>/<project>/<stack>`. */
  platformStack?: string;
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

/** The validated settings of a platform stack: the shared webhook only. */
export interface PlatformConfig {
  stack: string;
  role: "platform";
  logRetentionDays: number;
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
  /** A single or customer stack's settings. */
  config?: LineCallConfig;
  /** A platform stack's settings. */
  platform?: PlatformConfig;
  errors: string[];
} {
  const r = new ConfigReader(source);
  r.unknownKeys();
  const { role, platformStack, hasTwilioSide } = readRole(r);
  const { logRetentionDays, webhookBaseUrl, hostsWebhook } = readHosting(r);
  if (!hasTwilioSide) {
    // A platform (or a role that cannot be told): none of the Twilio side's settings apply.
    const errors = r.problems;
    if (errors.length > 0 || logRetentionDays === undefined || role !== "platform") {
      return { errors };
    }
    return { errors, platform: { stack: source.stack, role, logRetentionDays } };
  }
  const domain = readDomain(r);
  // A customer's webhook is the platform's: its settings travel in a parameter, not this stack's
  // function environment.
  const ownWebhook = hostsWebhook && role !== "customer";
  const notify = readNotify(r, ownWebhook);
  const call = readCall(r, ownWebhook, notifyEnvironmentFor(notify, source));
  checkFollowUp(r, call, notify, ownWebhook);
  const { hasAuthToken, subaccountSid } = readTwilioCredentials(r, ownWebhook);
  if (role === "customer") readCustomer(r, { webhookBaseUrl, subaccountSid, call });

  const errors = r.problems;
  if (
    errors.length > 0 ||
    !call ||
    logRetentionDays === undefined ||
    role === undefined ||
    role === "platform"
  ) {
    return { errors };
  }
  return {
    errors,
    config: {
      stack: source.stack,
      role,
      ...(platformStack ? { platformStack } : {}),
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

/**
 * Reads and validates the stack config of a stack with Twilio resources; throws one error listing
 * every problem (and for a platform stack, which has none).
 */
export function readStackConfig(source: ConfigSource = currentConfigSource()): LineCallConfig {
  const config = readProgramConfig(source);
  if (config.role === "platform") {
    throw new ConfigError(
      ["this is a platform stack (line-call:role platform): it has no Twilio connection"],
      source.stack,
    );
  }
  return config;
}

/** Reads and validates the stack config, whatever the stack's role; throws on any problem. */
export function readProgramConfig(
  source: ConfigSource = currentConfigSource(),
): LineCallConfig | PlatformConfig {
  const { config, platform, errors } = validateConfig(source);
  const valid = config ?? platform;
  if (!valid) throw new ConfigError(errors, source.stack);
  return valid;
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
