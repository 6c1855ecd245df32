// The `line-call:` keys the program reads, how Pulumi.yaml declares them, and where raw values
// come from. The bottom of the config check: every concern in this folder reads through these.
import { CALL_SETTINGS, type CallSettingName } from "../../model/callSettings";

/** How a project key is declared in Pulumi.yaml (kept equal to it by test/stack/config.test.ts). */
export interface ProjectKeySpec {
  /** The Pulumi.yaml type; absent where Pulumi.yaml cannot express it (a list of objects). */
  type?: "string" | "integer" | "boolean";
  default?: string | number | boolean;
}

/** The call settings as Pulumi.yaml declares them: the contract's types and defaults. */
const CALL_SETTING_KEYS = Object.fromEntries(
  Object.entries(CALL_SETTINGS).map(([name, spec]) => [
    name,
    {
      ...("type" in spec ? { type: spec.type } : {}),
      ...("default" in spec ? { default: spec.default } : {}),
    },
  ]),
) as Record<CallSettingName, ProjectKeySpec>;

/** Every `line-call:` key. A key not in this table is reported as a typo. */
export const PROJECT_KEYS = {
  sipDomainName: { type: "string" },
  lineIpAddresses: {},
  lineConnected: { type: "boolean", default: false },
  ...CALL_SETTING_KEYS,
  logRetentionDays: { type: "integer", default: 30 },
  webhookBaseUrl: { type: "string", default: "" },
  // Read by the policy pack (through scripts/policy-config.ts) and `npm run ip-diff`, not here.
  allowWideIpRanges: { type: "boolean", default: false },
  adoptExisting: { type: "boolean", default: false },
  // The customer's Twilio subaccount, managed with the parent's twilio:* credentials (twilio.ts).
  subaccountSid: { type: "string", default: "" },
  // Where missed calls and alarms go (notify.ts); the addresses separated by commas.
  notifyEmails: { type: "string", default: "" },
  notifySlackWebhookUrl: { type: "string", default: "" },
  lineChannelAccessToken: { type: "string", default: "" },
  alarms: { type: "boolean", default: false },
  // What this stack is (role.ts): single (its own webhook), platform (the shared webhook only) or
  // customer (its Twilio resources and one parameter for the platform's webhook).
  role: { type: "string", default: "single" },
  platformStack: { type: "string", default: "" },
} as const satisfies Record<string, ProjectKeySpec>;

export type ProjectKey = keyof typeof PROJECT_KEYS;

/** Where raw values come from: the stack config as the CLI passes it, and the environment. */
export interface ConfigSource {
  stack: string;
  /** Every config key the stack sets, `namespace:key`, values as the CLI passes them (strings). */
  values: Record<string, string>;
  secretKeys: ReadonlySet<string>;
  env: Record<string, string | undefined>;
}
