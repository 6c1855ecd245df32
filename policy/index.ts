// The CrossGuard entry point: `pulumi preview|up --policy-pack policy`. Only wiring lives here;
// the rules are in ./rules so tests exercise them directly.
import { PolicyPack, type ReportViolation } from "@pulumi/policy";
import {
  checkAuthCallsMapping,
  checkHttpsWebhookUrls,
  checkIpEntriesDistinct,
  checkIpEntryPublic,
  checkIpListSize,
  checkIpRangeWidth,
  checkWebhookCallSettings,
  IP_ADDRESS_TYPE,
  type IpRangeWidthConfig,
  LAMBDA_FUNCTION_TYPE,
  POLICY_NAMES,
  SIP_DOMAIN_TYPE,
  type Violation,
  WIDEST_PREFIX_WITHOUT_OPT_IN,
} from "./rules";

function report(violations: Violation[], reportViolation: ReportViolation): void {
  for (const { message, urn } of violations) reportViolation(message, urn);
}

new PolicyPack("line-call", {
  enforcementLevel: "mandatory",
  policies: [
    {
      name: POLICY_NAMES.ipRangeWidth,
      description:
        `No LINE IP entry wider than /${WIDEST_PREFIX_WITHOUT_OPT_IN} unless the stack sets ` +
        "line-call:allowWideIpRanges (passed in as this policy's allowWideIpRanges config).",
      configSchema: {
        properties: { allowWideIpRanges: { type: "boolean", default: false } },
      },
      validateResource: (args, reportViolation) => {
        if (args.type !== IP_ADDRESS_TYPE) return;
        const config = args.getConfig<IpRangeWidthConfig>();
        for (const message of checkIpRangeWidth(args.props, config)) reportViolation(message);
      },
    },
    {
      name: POLICY_NAMES.ipEntriesPublic,
      description:
        "LINE IP entries are public internet addresses (not private, loopback, shared, multicast or reserved space).",
      validateResource: (args, reportViolation) => {
        if (args.type !== IP_ADDRESS_TYPE) return;
        for (const message of checkIpEntryPublic(args.props)) reportViolation(message);
      },
    },
    {
      name: POLICY_NAMES.ipEntriesDistinct,
      description: "No two entries of one IP access control list share addresses.",
      validateStack: (args, reportViolation) =>
        report(checkIpEntriesDistinct(args.resources), reportViolation),
    },
    {
      name: POLICY_NAMES.httpsWebhooks,
      description:
        "A SIP domain's voiceUrl, voiceFallbackUrl and voiceStatusCallbackUrl are HTTPS.",
      validateResource: (args, reportViolation) => {
        if (args.type !== SIP_DOMAIN_TYPE) return;
        for (const message of checkHttpsWebhookUrls(args.props)) reportViolation(message);
      },
    },
    {
      name: POLICY_NAMES.webhookCallSettings,
      description:
        "The webhook function's call settings are ones the webhook accepts (model/callSettings.ts), " +
        "and its environment fits Lambda's 4 KB.",
      validateResource: (args, reportViolation) => {
        if (args.type !== LAMBDA_FUNCTION_TYPE) return;
        for (const message of checkWebhookCallSettings(args.props)) reportViolation(message);
      },
    },
    {
      name: POLICY_NAMES.ipListSize,
      description: "At most 100 entries per IP access control list (Twilio's limit).",
      validateStack: (args, reportViolation) =>
        report(checkIpListSize(args.resources), reportViolation),
    },
    {
      name: POLICY_NAMES.authCallsMapping,
      description:
        "Every SIP domain has exactly one Auth-Calls IP access control list mapping, to a non-empty list.",
      validateStack: (args, reportViolation) =>
        report(checkAuthCallsMapping(args.resources), reportViolation),
    },
  ],
});
