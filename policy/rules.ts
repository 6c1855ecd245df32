// The rules a reviewer cares about, as pure functions over resource inputs shaped like the
// Twilio dynamic providers' (type tokens `pulumi-nodejs:dynamic/twilio:*`). `policy/index.ts`
// wires them into the CrossGuard `PolicyPack`; tests and `npm run ip-diff` call them directly.
//
// During `pulumi preview` CrossGuard hands policies a proxy that throws when a rule reads a value
// that is not known yet (e.g. the SID of a list that will be created). Every read here goes
// through `readProp`, so an unknown value means "can't judge that field yet", never a policy
// that is skipped as a whole.
import {
  CALL_SETTINGS,
  callSettingsFromEnvironment,
  environmentSizeProblem,
  parseCallSettings,
  UNKNOWN_ENVIRONMENT_VALUE,
} from "../model/callSettings";
import {
  cidrPrefixProblem,
  isIPv4,
  nonPublicRangeProblem,
  overlapProblem,
  rangesOverlap,
} from "../model/lineIpAddresses";
import { projectKey } from "../model/project";
import { MAX_IPS_PER_LIST } from "../model/twilio";

export const TWILIO_TYPE_PREFIX = "pulumi-nodejs:dynamic/twilio:";
export const SIP_DOMAIN_TYPE = `${TWILIO_TYPE_PREFIX}SipDomain`;
export const IP_ACCESS_CONTROL_LIST_TYPE = `${TWILIO_TYPE_PREFIX}IpAccessControlList`;
export const IP_ADDRESS_TYPE = `${TWILIO_TYPE_PREFIX}IpAddress`;
export const IP_ACCESS_CONTROL_LIST_MAPPING_TYPE = `${TWILIO_TYPE_PREFIX}IpAccessControlListMapping`;

/** The widest range (smallest prefix) allowed unless the stack opts in. */
export const WIDEST_PREFIX_WITHOUT_OPT_IN = 24;
/** Stack config key that opts a stack in to entries wider than /24. */
export const ALLOW_WIDE_IP_RANGES_KEY = projectKey("allowWideIpRanges");

/** The SipDomain inputs that Twilio calls back; each must be HTTPS when set. */
export const WEBHOOK_URL_INPUTS = [
  "voiceUrl",
  "voiceFallbackUrl",
  "voiceStatusCallbackUrl",
] as const;

/** The AWS Lambda function type; the webhook is the one whose environment holds the call settings. */
export const LAMBDA_FUNCTION_TYPE = "aws:lambda/function:Function";

/** Policy names (stable: they appear in `--policy-pack-config` files and in preview output). */
export const POLICY_NAMES = {
  ipRangeWidth: "line-ip-range-at-most-24",
  ipListSize: "line-ip-list-at-most-100",
  httpsWebhooks: "sip-domain-webhooks-https",
  authCallsMapping: "sip-domain-one-auth-calls-ip-list",
  webhookCallSettings: "webhook-call-settings-valid",
  ipEntriesPublic: "line-ip-entries-public",
  ipEntriesDistinct: "line-ip-entries-no-overlap",
} as const;

export interface IpRangeWidthConfig {
  /** Set from the stack's `line-call:allowWideIpRanges` (see `scripts/policy-config.ts`). */
  allowWideIpRanges?: boolean;
}

/** The shape of a resource in a stack policy (a subset of CrossGuard's `PolicyResource`). */
export interface StackResource {
  type: string;
  urn: string;
  name: string;
  props: Record<string, unknown>;
  propertyDependencies: Record<string, { urn: string }[]>;
}

export interface Violation {
  message: string;
  urn?: string;
}

type Read = { known: true; value: unknown } | { known: false };

/** Read one input; CrossGuard's preview proxy throws for values that are not known yet. */
export function readProp(props: Record<string, unknown>, key: string): Read {
  try {
    return { known: true, value: props[key] };
  } catch {
    return { known: false };
  }
}

/**
 * The problem with an IP range's width, or undefined. Shared by the policy and ip-diff so the
 * review aid and the preview agree.
 */
export function wideRangeProblem(
  ip: string,
  cidrPrefixLength: number,
  config: IpRangeWidthConfig,
): string | undefined {
  if (config.allowWideIpRanges === true || cidrPrefixLength >= WIDEST_PREFIX_WITHOUT_OPT_IN) {
    return undefined;
  }
  const addresses = 2 ** (32 - cidrPrefixLength);
  return (
    `${ip}/${cidrPrefixLength} admits ${addresses.toLocaleString("en-US")} addresses, wider than ` +
    `/${WIDEST_PREFIX_WITHOUT_OPT_IN}: list the exact addresses LINE gave you, or set ` +
    `${ALLOW_WIDE_IP_RANGES_KEY}: true in that stack's config if LINE really gave you this range`
  );
}

/** Rule: no IpAddress entry wider than /24 unless the stack allows it. */
export function checkIpRangeWidth(
  props: Record<string, unknown>,
  config: IpRangeWidthConfig,
): string[] {
  const prefix = readProp(props, "cidrPrefixLength");
  if (!prefix.known) return [];
  // Twilio stores a missing prefix as 32 (one address).
  const length = prefix.value === undefined ? 32 : prefix.value;
  // Worded by the shared rule, so the pack, the program and ip-diff say the same.
  if (typeof length !== "number") return [`cidrPrefixLength ${cidrPrefixProblem(length)}`];
  const ip = readProp(props, "ipAddress");
  const shown = ip.known && typeof ip.value === "string" ? ip.value : "(address not known yet)";
  const problem = wideRangeProblem(shown, length, config);
  return problem ? [problem] : [];
}

/** An IpAddress's range once its address and prefix are known (Twilio stores no prefix as 32). */
function knownRange(
  props: Record<string, unknown>,
): { ip: string; cidrPrefixLength: number } | undefined {
  const ip = readProp(props, "ipAddress");
  const prefix = readProp(props, "cidrPrefixLength");
  if (!ip.known || typeof ip.value !== "string" || !prefix.known) return undefined;
  const cidrPrefixLength = prefix.value === undefined ? 32 : prefix.value;
  if (typeof cidrPrefixLength !== "number" || cidrPrefixProblem(cidrPrefixLength)) return undefined;
  // An address the provider's own check refuses is that check's to report.
  return isIPv4(ip.value) ? { ip: ip.value, cidrPrefixLength } : undefined;
}

/** Rule: an IpAddress entry is public internet space (the program's own rule, checked again). */
export function checkIpEntryPublic(props: Record<string, unknown>): string[] {
  const range = knownRange(props);
  const problem = range && nonPublicRangeProblem(range.ip, range.cidrPrefixLength);
  return problem ? [problem] : [];
}

/** Rule: a SIP domain's webhook URLs are HTTPS when set (empty means unset). */
export function checkHttpsWebhookUrls(props: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const key of WEBHOOK_URL_INPUTS) {
    const read = readProp(props, key);
    if (!read.known || read.value === undefined || read.value === null || read.value === "") {
      continue;
    }
    const value = read.value;
    let protocol: string | undefined;
    try {
      protocol = typeof value === "string" ? new URL(value).protocol : undefined;
    } catch {
      protocol = undefined;
    }
    if (protocol === undefined) {
      problems.push(`${key} ${JSON.stringify(value)} is not a URL: use https://…`);
    } else if (protocol !== "https:") {
      problems.push(
        `${key} ${JSON.stringify(value)} uses ${protocol.slice(0, -1)}: Twilio would send call ` +
          "details and its signature in the clear; serve the webhook over https://",
      );
    }
  }
  return problems;
}

/**
 * The environment variables of a Lambda function's inputs, those not known yet (a preview) standing
 * in at the longest they will be; undefined when the function has none.
 */
function functionVariables(props: Record<string, unknown>): Record<string, string> | undefined {
  const environment = readProp(props, "environment");
  if (!environment.known || typeof environment.value !== "object" || environment.value === null) {
    return undefined;
  }
  const variables = readProp(environment.value as Record<string, unknown>, "variables");
  if (!variables.known || typeof variables.value !== "object" || variables.value === null) {
    return undefined;
  }
  const raw = variables.value as Record<string, unknown>;
  const known: Record<string, string> = {};
  for (const name of Object.keys(raw)) {
    const value = readProp(raw, name);
    known[name] =
      value.known && typeof value.value === "string" ? value.value : UNKNOWN_ENVIRONMENT_VALUE;
  }
  return known;
}

/**
 * Rule: the webhook function (a Lambda function whose environment holds any call setting) gets
 * settings it accepts, judged by the same contract it reads them with, and an environment that
 * fits Lambda's 4 KB.
 */
export function checkWebhookCallSettings(props: Record<string, unknown>): string[] {
  const variables = functionVariables(props);
  const settingNames = Object.values(CALL_SETTINGS).map((setting) => setting.env as string);
  if (!variables || !settingNames.some((name) => name in variables)) return [];
  const input = callSettingsFromEnvironment(variables);
  const problems = [...parseCallSettings(input).problems];
  const size = environmentSizeProblem(variables, input.label);
  if (size) problems.push(size);
  return problems;
}

/**
 * The resource a reference input points at: the engine's property dependency when the value
 * comes from another resource's output (always so in this program, and the only way during
 * preview, when SIDs are unknown), else a resource whose `sid` output equals the value.
 */
function referencedResource(
  resource: StackResource,
  input: string,
  candidates: StackResource[],
): StackResource | undefined {
  const byUrn = new Map(candidates.map((c) => [c.urn, c]));
  for (const dependency of resource.propertyDependencies[input] ?? []) {
    const found = byUrn.get(dependency.urn);
    if (found) return found;
  }
  const value = readProp(resource.props, input);
  if (!value.known || typeof value.value !== "string" || value.value === "") return undefined;
  return candidates.find((c) => {
    const sid = readProp(c.props, "sid");
    return sid.known && sid.value === value.value;
  });
}

/** Key identifying the list an IpAddress belongs to (the list's URN when it is in the stack). */
function listKey(address: StackResource, lists: StackResource[]): string | undefined {
  const list = referencedResource(address, "ipAccessControlListSid", lists);
  if (list) return list.urn;
  const sid = readProp(address.props, "ipAccessControlListSid");
  return sid.known && typeof sid.value === "string" && sid.value !== ""
    ? `sid:${sid.value}`
    : undefined;
}

function ofType(resources: StackResource[], type: string): StackResource[] {
  return resources.filter((r) => r.type === type);
}

function entriesByList(resources: StackResource[]): Map<string, StackResource[]> {
  const lists = ofType(resources, IP_ACCESS_CONTROL_LIST_TYPE);
  const byList = new Map<string, StackResource[]>();
  for (const address of ofType(resources, IP_ADDRESS_TYPE)) {
    const key = listKey(address, lists);
    if (key === undefined) continue;
    byList.set(key, [...(byList.get(key) ?? []), address]);
  }
  return byList;
}

/** Stack rule: no two entries of one list share addresses (the program's own rule, checked again). */
export function checkIpEntriesDistinct(resources: StackResource[]): Violation[] {
  const violations: Violation[] = [];
  for (const entries of entriesByList(resources).values()) {
    const seen: Array<{ entry: StackResource; range: { ip: string; cidrPrefixLength: number } }> =
      [];
    for (const entry of entries) {
      const range = knownRange(entry.props);
      if (!range) continue;
      const other = seen.find((s) => rangesOverlap(s.range, range));
      if (other) {
        violations.push({
          urn: entry.urn,
          message: `IP address ${entry.name}: ${overlapProblem(range, other.range, other.entry.name)}`,
        });
      } else {
        seen.push({ entry, range });
      }
    }
  }
  return violations;
}

/** Stack rule: at most 100 IpAddress entries per access control list (Twilio error 21237). */
export function checkIpListSize(resources: StackResource[]): Violation[] {
  const violations: Violation[] = [];
  for (const [key, entries] of entriesByList(resources)) {
    if (entries.length <= MAX_IPS_PER_LIST) continue;
    const list = resources.find((r) => r.urn === key);
    violations.push({
      message:
        `IP access control list ${list ? list.name : key.slice(4)} has ${entries.length} entries; ` +
        `Twilio allows at most ${MAX_IPS_PER_LIST} (error 21237): merge neighbouring addresses ` +
        "into CIDR ranges or remove ones LINE no longer uses",
      ...(list ? { urn: list.urn } : {}),
    });
  }
  return violations;
}

/**
 * Stack rule: every SIP domain has exactly one Auth-Calls IP ACL mapping, and the list it maps
 * has at least one entry: the domain must admit LINE's SIP servers by source IP, and only them.
 */
export function checkAuthCallsMapping(resources: StackResource[]): Violation[] {
  const violations: Violation[] = [];
  const domains = ofType(resources, SIP_DOMAIN_TYPE);
  const lists = ofType(resources, IP_ACCESS_CONTROL_LIST_TYPE);
  const mappings = ofType(resources, IP_ACCESS_CONTROL_LIST_MAPPING_TYPE);
  const entries = entriesByList(resources);
  for (const domain of domains) {
    const own = mappings.filter((m) => referencedResource(m, "domainSid", domains) === domain);
    if (own.length !== 1) {
      violations.push({
        urn: domain.urn,
        message:
          own.length === 0
            ? `SIP domain ${domain.name} has no Auth-Calls IP access control list mapping: ` +
              "LINE's calls are not admitted by source IP; map the LINE IP list to it"
            : `SIP domain ${domain.name} has ${own.length} Auth-Calls IP access control list ` +
              `mappings (${own.map((m) => m.name).join(", ")}): keep exactly one, mapping the LINE IP list`,
      });
      continue;
    }
    const mapping = own[0];
    const list = referencedResource(mapping, "ipAccessControlListSid", lists);
    // A list this stack doesn't manage can't be inspected here; the mapping still counts.
    if (!list) continue;
    if ((entries.get(list.urn) ?? []).length === 0) {
      violations.push({
        urn: list.urn,
        message:
          `IP access control list ${list.name}, mapped to SIP domain ${domain.name}, has no ` +
          "entries: LINE's calls could not reach the domain; add the IPs LINE gave you",
      });
    }
  }
  return violations;
}
