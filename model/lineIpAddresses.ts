// The LINE IP allow-list as it appears in stack config (`line-call:lineIpAddresses`).
// One set of rules shared by the Pulumi program, `npm run ip-diff` and the policy pack, so a
// reviewer, the preview and the deploy never disagree about what a valid list is.
import type * as IpAddr from "ipaddr.js";
import { projectKey } from "./project";
import { MAX_FRIENDLY_NAME_LENGTH, MAX_IPS_PER_LIST } from "./twilio";

/**
 * ipaddr.js is loaded on use, not imported at the top: the Twilio providers reuse these rules, and
 * a dynamic provider requires its third-party modules inside its methods. Providers load by
 * reference from the installed module (providers/installed.ts), but a provider serialized by value
 * (a stack last updated before that, the bench's by-value comparison) would otherwise carry a copy
 * of the library in its state.
 */
function ipv4(): typeof IpAddr.IPv4 {
  return (require("ipaddr.js") as typeof IpAddr).IPv4;
}

/** One entry as written in `Pulumi.<stack>.yaml`. */
export interface LineIpAddressConfig {
  ip: string;
  cidrPrefixLength?: number;
  label?: string;
}

/** One validated entry, with the names the stack gives it. */
export interface LineIpAddress {
  ip: string;
  cidrPrefixLength: number;
  label?: string;
  /** Pulumi resource name: stable per address, so list edits touch only that entry. */
  resourceName: string;
  /** Twilio FriendlyName: the label when given, else the address and prefix. */
  friendlyName: string;
}

export interface LineIpAddressesResult {
  entries: LineIpAddress[];
  /** One message per problem, each naming the config key, the entry and the fix. */
  errors: string[];
}

export const LINE_IP_ADDRESSES_KEY = projectKey("lineIpAddresses");

export function lineIpResourceName(ip: string, cidrPrefixLength: number): string {
  return `line-ip-${ip}-${cidrPrefixLength}`;
}

export function defaultIpFriendlyName(ip: string, cidrPrefixLength: number): string {
  return cidrNotation(ip, cidrPrefixLength);
}

/** An entry as an address and prefix, `203.0.113.10/32`: how an IP list's entries are compared. */
export function cidrNotation(ip: string, cidrPrefixLength: number): string {
  return `${ip}/${cidrPrefixLength}`;
}

/**
 * The problem with an entry written as `<address>/<prefix>`, or undefined when it is one Twilio
 * accepts, written the way `cidrNotation` writes it (no host bits set, no leading zeros).
 */
export function cidrNotationProblem(value: unknown): string | undefined {
  const example = 'e.g. "203.0.113.10/32"';
  if (typeof value !== "string") return `must be an address and prefix, ${example}`;
  const match = /^([^/]+)\/(0|[1-9][0-9]*)$/.exec(value);
  if (!match || !isIPv4(match[1])) {
    return `${JSON.stringify(value)} is not an IPv4 address and prefix, ${example}`;
  }
  const [, ip, prefixText] = match;
  const prefix = Number(prefixText);
  const prefixProblem = cidrPrefixProblem(prefix);
  if (prefixProblem) return `${JSON.stringify(value)}: the prefix ${prefixProblem}`;
  const network = networkAddressIfHostBitsSet(ip, prefix);
  return network
    ? `${JSON.stringify(value)} has host bits set: write ${cidrNotation(network, prefix)}`
    : undefined;
}

/** True for a dotted-quad IPv4 address as Twilio accepts it (no leading zeros, no shorthand). */
export function isIPv4(value: unknown): value is string {
  return typeof value === "string" && ipv4().isValidFourPartDecimal(value);
}

/**
 * The problem with a CIDR prefix length, or undefined when it is fine. Twilio silently stores
 * 0 as 32, so 0 is refused rather than meaning "everything".
 */
export function cidrPrefixProblem(value: unknown): string | undefined {
  // Refused rather than read as a number: inside a structured value YAML keeps the type written,
  // and a quoted "32" is the one shape the program, the policy pack and Twilio would disagree on.
  if (typeof value === "string" && /^\s*\d+\s*$/.test(value)) {
    return (
      `${JSON.stringify(value)} is a quoted string: write the number without quotes, ` +
      `cidrPrefixLength: ${value.trim()}`
    );
  }
  if (typeof value !== "number" || !Number.isInteger(value)) {
    return `must be a whole number from 1 to 32, not ${JSON.stringify(value)}`;
  }
  if (value === 0) {
    return "0 is not allowed: Twilio silently stores it as 32; use 1 to 32 (32 for one address)";
  }
  if (value < 1 || value > 32) return "must be from 1 to 32";
  return undefined;
}

/** The network address of ip/prefix when ip has host bits set (e.g. 10.0.0.5/24 → 10.0.0.0). */
export function networkAddressIfHostBitsSet(ip: string, prefix: number): string | undefined {
  const network = ipv4().networkAddressFromCIDR(`${ip}/${prefix}`).toString();
  return network === ip ? undefined : network;
}

/**
 * The RFC 5737 documentation ranges, which ipaddr.js counts as "reserved": accepted, because the
 * example stacks and the offline stand-in use them and nothing on the internet can call from them.
 */
const DOCUMENTATION_RANGES = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"];

/**
 * The problem with a range that is not public internet space (private, loopback, link-local,
 * shared/CGNAT, multicast, reserved, …), or undefined. LINE's SIP servers are public addresses, so
 * such an entry is a typo or a placeholder, and would admit calls from inside some network. The
 * special ranges are ipaddr.js's own table (the one its `range()` names addresses by); a range
 * that reaches into one anywhere, not only at its ends, is refused.
 */
export function nonPublicRangeProblem(ip: string, cidrPrefixLength: number): string | undefined {
  const IPv4 = ipv4();
  const entry = { ip, cidrPrefixLength };
  const documentation = DOCUMENTATION_RANGES.map((range) => IPv4.parseCIDR(range));
  type Range = [IpAddr.IPv4, number];
  const special = (IPv4.prototype as unknown as { SpecialRanges: Record<string, Range | Range[]> })
    .SpecialRanges;
  for (const [kind, value] of Object.entries(special)) {
    // One range is stored as [address, bits], several as a list of those.
    const ranges = (Array.isArray(value[0]) ? value : [value]) as Range[];
    for (const [address, bits] of ranges) {
      if (documentation.some(([doc, docBits]) => doc.match(address, docBits) && bits >= docBits)) {
        continue;
      }
      const range = { ip: address.toString(), cidrPrefixLength: bits };
      if (!rangesOverlap(entry, range)) continue;
      const inside = cidrPrefixLength >= bits;
      return (
        `${ip}/${cidrPrefixLength} ${inside ? "is" : "reaches into"} ${kind} address space ` +
        `(${range.ip}/${bits}), not the public internet where LINE's SIP servers are: list the ` +
        "public addresses LINE gave you"
      );
    }
  }
  return undefined;
}

/** Whether two ranges share any address (for CIDR blocks: one holds the other's network). */
export function rangesOverlap(
  a: { ip: string; cidrPrefixLength: number },
  b: { ip: string; cidrPrefixLength: number },
): boolean {
  const IPv4 = ipv4();
  const first = IPv4.parse(a.ip);
  const second = IPv4.parse(b.ip);
  return first.match(second, b.cidrPrefixLength) || second.match(first, a.cidrPrefixLength);
}

/**
 * Why an entry may not share addresses with another of the same list: one already admits the
 * other's addresses, so removing the narrower one (LINE retiring that server) would not revoke them.
 */
export function overlapProblem(
  entry: { ip: string; cidrPrefixLength: number },
  other: { ip: string; cidrPrefixLength: number },
  otherName: string,
): string {
  const shown = (e: typeof entry) => `${e.ip}/${e.cidrPrefixLength}`;
  const inside = entry.cidrPrefixLength >= other.cidrPrefixLength;
  return (
    `${shown(entry)} ${inside ? "lies inside" : "holds"} ${otherName} ${shown(other)}: ` +
    "one entry already admits the other's addresses, so removing the narrower one would not " +
    "revoke them; keep only the entries LINE listed"
  );
}

/** `lineIpAddresses` for `line-call:lineIpAddresses`: how `pulumi config set` names a project key. */
function bareKey(key: string): string {
  return key.slice(key.indexOf(":") + 1);
}

/** Validate the whole list; never throws, so callers can report every problem at once. */
export function parseLineIpAddresses(
  raw: unknown,
  key: string = LINE_IP_ADDRESSES_KEY,
): LineIpAddressesResult {
  const errors: string[] = [];
  const entries: LineIpAddress[] = [];
  if (raw === undefined || raw === null) {
    return {
      entries,
      errors: [
        `${key} is not set: add the list of IP addresses LINE gave you, e.g. [{ip: 203.0.113.10}], ` +
          "to Pulumi.yaml (config: lineIpAddresses: value:, shared by every stack) or to the stack file",
      ],
    };
  }
  if (typeof raw === "string") {
    // What `pulumi config set lineIpAddresses 203.0.113.10` (without --path) leaves behind.
    const example = isIPv4(raw.trim()) ? raw.trim() : "203.0.113.10";
    return {
      entries,
      errors: [
        `${key} must be a list of {ip, cidrPrefixLength?, label?} entries, not the plain string ` +
          `${JSON.stringify(raw)} (what pulumi config set stores without --path): run ` +
          `pulumi config rm ${bareKey(key)}, then pulumi config set --path '${bareKey(key)}[0].ip' ` +
          `${example} for each entry ([1].ip, …), or write ${key}: [{ip: ${example}}] in the stack file`,
      ],
    };
  }
  if (!Array.isArray(raw)) {
    return {
      entries,
      errors: [`${key} must be a list of {ip, cidrPrefixLength?, label?} entries`],
    };
  }
  if (raw.length === 0) {
    errors.push(`${key} is empty: LINE's calls can only reach the domain from listed IPs`);
  }
  if (raw.length > MAX_IPS_PER_LIST) {
    errors.push(
      `${key} has ${raw.length} entries; Twilio allows at most ${MAX_IPS_PER_LIST} per list ` +
        "(error 21237): merge neighbouring addresses into CIDR ranges",
    );
  }
  const seen = new Map<string, number>();
  raw.forEach((item: unknown, index: number) => {
    const where = `${key}[${index}]`;
    if (typeof item === "string") {
      errors.push(
        `${where} is the bare value ${JSON.stringify(item)}: write each entry as an object, ` +
          `- ip: ${isIPv4(item.trim()) ? item.trim() : "203.0.113.10"} ` +
          "(with cidrPrefixLength and label on the lines below it when needed)",
      );
      return;
    }
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      errors.push(`${where} must be an object like {ip: 203.0.113.10, cidrPrefixLength: 32}`);
      return;
    }
    const { ip, cidrPrefixLength = 32, label, ...extra } = item as Record<string, unknown>;
    const before = errors.length;
    for (const name of Object.keys(extra)) {
      errors.push(`${where}.${name} is not a known field: use ip, cidrPrefixLength and label`);
    }
    if (typeof ip === "string" && ip.includes("/")) {
      errors.push(
        `${where}.ip "${ip}" contains a prefix: put the address in ip and the prefix in cidrPrefixLength`,
      );
    } else if (!isIPv4(ip)) {
      errors.push(
        `${where}.ip ${JSON.stringify(ip)} is not an IPv4 address in dotted-decimal form ` +
          "(Twilio accepts IPv4 only), e.g. 203.0.113.10",
      );
    }
    const prefixProblem = cidrPrefixProblem(cidrPrefixLength);
    if (prefixProblem) errors.push(`${where}.cidrPrefixLength ${prefixProblem}`);
    if (label !== undefined) {
      if (typeof label !== "string" || label.trim() === "") {
        errors.push(`${where}.label must be a non-empty string when set`);
      } else if (label.length > MAX_FRIENDLY_NAME_LENGTH) {
        errors.push(
          `${where}.label is ${label.length} characters; Twilio allows ${MAX_FRIENDLY_NAME_LENGTH}`,
        );
      }
    }
    if (errors.length > before) return;
    const address = ip as string;
    const prefix = cidrPrefixLength as number;
    const network = networkAddressIfHostBitsSet(address, prefix);
    if (network) {
      errors.push(
        `${where} ${address}/${prefix} has host bits set: write ip: ${network} for that range, ` +
          "or cidrPrefixLength: 32 for the single address",
      );
      return;
    }
    const publicProblem = nonPublicRangeProblem(address, prefix);
    if (publicProblem) {
      errors.push(`${where} ${publicProblem}`);
      return;
    }
    const resourceName = lineIpResourceName(address, prefix);
    const first = seen.get(resourceName);
    if (first !== undefined) {
      errors.push(
        `${where} duplicates ${key}[${first}] (${address}/${prefix}): remove one of them`,
      );
      return;
    }
    const range = { ip: address, cidrPrefixLength: prefix };
    const overlapped = entries.find((entry) => rangesOverlap(entry, range));
    if (overlapped) {
      errors.push(
        `${where} ${overlapProblem(range, overlapped, `${key}[${seen.get(overlapped.resourceName)}]`)}`,
      );
      return;
    }
    seen.set(resourceName, index);
    entries.push({
      ip: address,
      cidrPrefixLength: prefix,
      ...(typeof label === "string" ? { label } : {}),
      resourceName,
      friendlyName: typeof label === "string" ? label : defaultIpFriendlyName(address, prefix),
    });
  });
  return { entries, errors };
}
