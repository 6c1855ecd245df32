// One account's SIP state: the four SIP resources as Twilio keeps them, Twilio's rules on them,
// and the JSON Twilio returns for them. The accounts themselves live in accounts.ts; HTTP, auth,
// validation and faults in server.ts.
import { randomBytes } from "node:crypto";
import { isIPv4 } from "../../model/lineIpAddresses";
import {
  MAX_FRIENDLY_NAME_LENGTH,
  MAX_IPS_PER_LIST,
  MAX_SIP_DOMAIN_FRIENDLY_NAME_LENGTH,
  SIP_DOMAIN_SUFFIX,
} from "../../model/twilio";

type Json = Record<string, unknown>;

/** A Twilio API error: HTTP status plus Twilio's numeric code and message. */
export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }

  body(): Json {
    return {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
    };
  }
}

export const API_VERSION = "2010-04-01";
/**
 * What Twilio's API itself accepts as a domain name: laxer than the rule line-call applies before
 * asking (model/twilio.ts), as the real API is; DNS names are case-insensitive.
 */
const DOMAIN_NAME_PATTERN = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.sip\.twilio\.com$/i;
/** Twilio's documented limit on IP access control lists per account. */
export const MAX_IP_ACCESS_CONTROL_LISTS = 1000;
const HTTP_METHOD_FIELDS = [
  "voice_method",
  "voice_fallback_method",
  "voice_status_callback_method",
] as const;

export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString("hex");
}

/** RFC 2822 in GMT, as Twilio writes dates: "Mon, 20 Jul 2015 17:27:10 +0000". */
export function rfc2822(date: Date = new Date()): string {
  return date.toUTCString().replace(/GMT$/, "+0000");
}

export function notFound(path: string): TwilioApiError {
  return new TwilioApiError(404, 20404, `The requested resource ${path} was not found`);
}

/** Stored fields are Twilio's snake_case fields; derived ones (uri, subresource_uris…) are not stored. */
interface DomainRecord extends Json {
  sid: string;
  domain_name: string;
  friendly_name: string | null;
  voice_url: string | null;
  voice_method: string;
  voice_fallback_url: string | null;
  voice_fallback_method: string;
  voice_status_callback_url: string | null;
  voice_status_callback_method: string;
  sip_registration: boolean;
  emergency_calling_enabled: boolean;
  secure: boolean;
  byoc_trunk_sid: string | null;
  emergency_caller_sid: string | null;
  date_created: string;
  date_updated: string;
}

interface IpAccessControlListRecord extends Json {
  sid: string;
  friendly_name: string;
  date_created: string;
  date_updated: string;
}

interface IpAddressRecord extends Json {
  sid: string;
  ip_access_control_list_sid: string;
  friendly_name: string;
  ip_address: string;
  cidr_prefix_length: number;
  date_created: string;
  date_updated: string;
}

interface MappingRecord {
  date_created: string;
  date_updated: string;
}

/** Form values after validation: PascalCase names; null means "sent empty: clear it". */
export type FormValues = Record<string, unknown>;

/** A required form parameter; the request validator already refuses it missing, this keeps the store honest too. */
export function requiredString(form: FormValues, name: string): string {
  const value = form[name];
  if (typeof value !== "string" || value === "") {
    throw new TwilioApiError(400, 20001, `Missing required parameter ${name} in the post body`);
  }
  return value;
}

/** `VoiceFallbackUrl` → `voice_fallback_url`. */
export function snakeCase(pascal: string): string {
  return pascal.replace(/(?<!^)([A-Z])/g, "_$1").toLowerCase();
}

export type MappingView = "authCalls" | "legacy";

export type ResourceKind = "domain" | "ipAccessControlList" | "ipAddress" | "mapping";

const READ_ONLY_FIELDS = new Set([
  "sid",
  "account_sid",
  "date_created",
  "ip_access_control_list_sid",
]);

export class SipStore {
  readonly domains = new Map<string, DomainRecord>();
  readonly ipAccessControlLists = new Map<string, IpAccessControlListRecord>();
  readonly ipAddresses = new Map<string, IpAddressRecord>();
  /** domain sid → (IP ACL sid → mapping) — the domain's Auth/Calls IP ACL mappings. */
  readonly mappings = new Map<string, Map<string, MappingRecord>>();

  /**
   * @param domainNameTaken whether another domain, in any account, has this name already (SIP
   *   domain names are unique across Twilio, see accounts.ts).
   */
  constructor(
    readonly accountSid: string,
    private readonly domainNameTaken: (name: string, ownSid: string | undefined) => boolean,
  ) {}

  private accountPath(): string {
    return `/${API_VERSION}/Accounts/${this.accountSid}`;
  }

  // ---- rendering: Twilio's JSON for each resource ----

  renderDomain(d: DomainRecord): Json {
    const base = `${this.accountPath()}/SIP/Domains/${d.sid}`;
    return {
      account_sid: this.accountSid,
      api_version: API_VERSION,
      auth_type: (this.mappings.get(d.sid)?.size ?? 0) > 0 ? "IP_ACL" : null,
      date_created: d.date_created,
      date_updated: d.date_updated,
      domain_name: d.domain_name,
      friendly_name: d.friendly_name,
      sid: d.sid,
      uri: `${base}.json`,
      voice_fallback_method: d.voice_fallback_method,
      voice_fallback_url: d.voice_fallback_url,
      voice_method: d.voice_method,
      voice_status_callback_method: d.voice_status_callback_method,
      voice_status_callback_url: d.voice_status_callback_url,
      voice_url: d.voice_url,
      subresource_uris: {
        credential_list_mappings: `${base}/CredentialListMappings.json`,
        ip_access_control_list_mappings: `${base}/IpAccessControlListMappings.json`,
      },
      sip_registration: d.sip_registration,
      emergency_calling_enabled: d.emergency_calling_enabled,
      secure: d.secure,
      byoc_trunk_sid: d.byoc_trunk_sid,
      emergency_caller_sid: d.emergency_caller_sid,
    };
  }

  renderIpAccessControlList(l: IpAccessControlListRecord): Json {
    const base = `${this.accountPath()}/SIP/IpAccessControlLists/${l.sid}`;
    return {
      sid: l.sid,
      account_sid: this.accountSid,
      friendly_name: l.friendly_name,
      date_created: l.date_created,
      date_updated: l.date_updated,
      subresource_uris: { ip_addresses: `${base}/IpAddresses.json` },
      uri: `${base}.json`,
    };
  }

  renderIpAddress(ip: IpAddressRecord): Json {
    return {
      sid: ip.sid,
      account_sid: this.accountSid,
      friendly_name: ip.friendly_name,
      ip_address: ip.ip_address,
      cidr_prefix_length: ip.cidr_prefix_length,
      ip_access_control_list_sid: ip.ip_access_control_list_sid,
      date_created: ip.date_created,
      date_updated: ip.date_updated,
      uri: `${this.accountPath()}/SIP/IpAccessControlLists/${ip.ip_access_control_list_sid}/IpAddresses/${ip.sid}.json`,
    };
  }

  /**
   * A domain's IP ACL mapping. Twilio shows the same mapping through two paths: the domain's
   * Auth/Calls mappings (sid = the list's sid, name = the list's name) and the older
   * Domains/{SD}/IpAccessControlListMappings, which adds `domain_sid` and `uri`.
   */
  renderMapping(domainSid: string, aclSid: string, view: MappingView): Json {
    const m = this.requireMapping(domainSid, aclSid, "");
    const common = {
      account_sid: this.accountSid,
      date_created: m.date_created,
      date_updated: m.date_updated,
      friendly_name: this.ipAccessControlLists.get(aclSid)?.friendly_name ?? null,
      sid: aclSid,
    };
    if (view === "authCalls") return common;
    return {
      ...common,
      domain_sid: domainSid,
      uri: `${this.accountPath()}/SIP/Domains/${domainSid}/IpAccessControlListMappings/${aclSid}.json`,
    };
  }

  // ---- lookups ----

  requireDomain(sid: string, path: string): DomainRecord {
    const d = this.domains.get(sid);
    if (!d) throw notFound(path);
    return d;
  }

  requireIpAccessControlList(sid: string, path: string): IpAccessControlListRecord {
    const l = this.ipAccessControlLists.get(sid);
    if (!l) throw notFound(path);
    return l;
  }

  requireIpAddress(aclSid: string, sid: string, path: string): IpAddressRecord {
    this.requireIpAccessControlList(aclSid, path);
    const ip = this.ipAddresses.get(sid);
    if (!ip || ip.ip_access_control_list_sid !== aclSid) throw notFound(path);
    return ip;
  }

  requireMapping(domainSid: string, aclSid: string, path: string): MappingRecord {
    const m = this.mappings.get(domainSid)?.get(aclSid);
    if (!m) throw notFound(path);
    return m;
  }

  ipAddressesOf(aclSid: string): IpAddressRecord[] {
    return [...this.ipAddresses.values()].filter((ip) => ip.ip_access_control_list_sid === aclSid);
  }

  mappedAclSids(domainSid: string): string[] {
    return [...(this.mappings.get(domainSid)?.keys() ?? [])];
  }

  // ---- Twilio's rules ----

  private checkDomainName(name: string, ownSid?: string): void {
    if (!DOMAIN_NAME_PATTERN.test(name)) {
      throw new TwilioApiError(
        400,
        21231,
        `DomainName ${name} is not valid: it may contain letters, digits and "-" and must end with ${SIP_DOMAIN_SUFFIX}`,
      );
    }
    if (this.domainNameTaken(name, ownSid)) {
      throw new TwilioApiError(400, 21232, `The domain ${name} is already in use`);
    }
  }

  private checkFriendlyName(name: unknown, max: number): void {
    if (typeof name === "string" && name.length > max) {
      throw new TwilioApiError(400, 20001, `FriendlyName must be at most ${max} characters long`);
    }
  }

  private checkIp(ip: unknown, prefix: unknown): void {
    if (ip !== undefined && !isIPv4(ip)) {
      throw new TwilioApiError(400, 20001, `IpAddress ${String(ip)} is not a valid IPv4 address`);
    }
    if (prefix !== undefined && prefix !== null) {
      if (typeof prefix !== "number" || prefix < 0 || prefix > 32) {
        throw new TwilioApiError(
          400,
          20001,
          `CidrPrefixLength ${String(prefix)} must be between 0 and 32`,
        );
      }
    }
  }

  /** Applies form values to a domain record; null (an empty form value) clears a field. */
  private applyDomainForm(d: DomainRecord, form: FormValues): void {
    for (const [name, value] of Object.entries(form)) {
      const field = snakeCase(name);
      if ((HTTP_METHOD_FIELDS as readonly string[]).includes(field)) {
        // An emptied method falls back to Twilio's default, POST.
        d[field] = value ?? "POST";
      } else if (typeof d[field] === "boolean") {
        d[field] = value ?? false;
      } else {
        d[field] = value;
      }
    }
  }

  createDomain(form: FormValues): DomainRecord {
    const name = requiredString(form, "DomainName");
    this.checkDomainName(name);
    this.checkFriendlyName(form.FriendlyName, MAX_SIP_DOMAIN_FRIENDLY_NAME_LENGTH);
    const now = rfc2822();
    const d: DomainRecord = {
      sid: newSid("SD"),
      domain_name: name,
      friendly_name: null,
      voice_url: null,
      voice_method: "POST",
      voice_fallback_url: null,
      voice_fallback_method: "POST",
      voice_status_callback_url: null,
      voice_status_callback_method: "POST",
      sip_registration: false,
      emergency_calling_enabled: false,
      secure: false,
      byoc_trunk_sid: null,
      emergency_caller_sid: null,
      date_created: now,
      date_updated: now,
    };
    this.applyDomainForm(d, form);
    this.domains.set(d.sid, d);
    return d;
  }

  updateDomain(sid: string, path: string, form: FormValues): DomainRecord {
    const d = this.requireDomain(sid, path);
    if (form.DomainName === null) {
      throw new TwilioApiError(400, 21231, "DomainName cannot be cleared");
    }
    if (typeof form.DomainName === "string") this.checkDomainName(form.DomainName, sid);
    this.checkFriendlyName(form.FriendlyName, MAX_SIP_DOMAIN_FRIENDLY_NAME_LENGTH);
    this.applyDomainForm(d, form);
    d.date_updated = rfc2822();
    return d;
  }

  deleteDomain(sid: string, path: string): void {
    this.requireDomain(sid, path);
    this.domains.delete(sid);
    this.mappings.delete(sid);
  }

  createIpAccessControlList(form: FormValues): IpAccessControlListRecord {
    const friendlyName = requiredString(form, "FriendlyName");
    this.checkFriendlyName(friendlyName, MAX_FRIENDLY_NAME_LENGTH);
    if (this.ipAccessControlLists.size >= MAX_IP_ACCESS_CONTROL_LISTS) {
      throw new TwilioApiError(
        400,
        21238,
        `An account can have at most ${MAX_IP_ACCESS_CONTROL_LISTS} IP access control lists`,
      );
    }
    const now = rfc2822();
    const l: IpAccessControlListRecord = {
      sid: newSid("AL"),
      friendly_name: friendlyName,
      date_created: now,
      date_updated: now,
    };
    this.ipAccessControlLists.set(l.sid, l);
    return l;
  }

  updateIpAccessControlList(
    sid: string,
    path: string,
    form: FormValues,
  ): IpAccessControlListRecord {
    const l = this.requireIpAccessControlList(sid, path);
    const friendlyName = requiredString(form, "FriendlyName");
    this.checkFriendlyName(friendlyName, MAX_FRIENDLY_NAME_LENGTH);
    l.friendly_name = friendlyName;
    l.date_updated = rfc2822();
    return l;
  }

  deleteIpAccessControlList(sid: string, path: string): void {
    this.requireIpAccessControlList(sid, path);
    for (const [domainSid, mapped] of this.mappings) {
      if (mapped.has(sid)) {
        throw new TwilioApiError(
          400,
          21236,
          `Cannot delete IP access control list ${sid}: it is still mapped to SIP domain ${domainSid}. Remove the mapping first.`,
        );
      }
    }
    this.removeIpAccessControlList(sid);
  }

  /** Deletes a list with its entries and any mappings (out-of-band removal skips the mapping rule). */
  removeIpAccessControlList(sid: string): void {
    this.ipAccessControlLists.delete(sid);
    for (const ip of this.ipAddressesOf(sid)) this.ipAddresses.delete(ip.sid);
    for (const mapped of this.mappings.values()) mapped.delete(sid);
  }

  createIpAddress(aclSid: string, path: string, form: FormValues): IpAddressRecord {
    this.requireIpAccessControlList(aclSid, path);
    const friendlyName = requiredString(form, "FriendlyName");
    const ipAddress = requiredString(form, "IpAddress");
    this.checkFriendlyName(friendlyName, MAX_FRIENDLY_NAME_LENGTH);
    this.checkIp(ipAddress, form.CidrPrefixLength);
    if (this.ipAddressesOf(aclSid).length >= MAX_IPS_PER_LIST) {
      throw new TwilioApiError(
        400,
        21237,
        `IP access control list ${aclSid} already holds the maximum of ${MAX_IPS_PER_LIST} IP addresses`,
      );
    }
    const now = rfc2822();
    const ip: IpAddressRecord = {
      sid: newSid("IP"),
      ip_access_control_list_sid: aclSid,
      friendly_name: friendlyName,
      ip_address: ipAddress,
      // Twilio stores an absent or zero prefix as the whole address.
      cidr_prefix_length:
        typeof form.CidrPrefixLength === "number" && form.CidrPrefixLength > 0
          ? form.CidrPrefixLength
          : 32,
      date_created: now,
      date_updated: now,
    };
    this.ipAddresses.set(ip.sid, ip);
    return ip;
  }

  updateIpAddress(aclSid: string, sid: string, path: string, form: FormValues): IpAddressRecord {
    const ip = this.requireIpAddress(aclSid, sid, path);
    if (form.FriendlyName === null || form.IpAddress === null) {
      throw new TwilioApiError(400, 20001, "FriendlyName and IpAddress cannot be cleared");
    }
    this.checkFriendlyName(form.FriendlyName, MAX_FRIENDLY_NAME_LENGTH);
    this.checkIp(form.IpAddress, form.CidrPrefixLength);
    if (typeof form.FriendlyName === "string") ip.friendly_name = form.FriendlyName;
    if (typeof form.IpAddress === "string") ip.ip_address = form.IpAddress;
    if ("CidrPrefixLength" in form) {
      const prefix = form.CidrPrefixLength;
      ip.cidr_prefix_length = typeof prefix === "number" && prefix > 0 ? prefix : 32;
    }
    ip.date_updated = rfc2822();
    return ip;
  }

  deleteIpAddress(aclSid: string, sid: string, path: string): void {
    this.requireIpAddress(aclSid, sid, path);
    this.ipAddresses.delete(sid);
  }

  createMapping(domainSid: string, path: string, form: FormValues): string {
    this.requireDomain(domainSid, path);
    const aclSid = requiredString(form, "IpAccessControlListSid");
    if (!this.ipAccessControlLists.has(aclSid)) {
      throw new TwilioApiError(404, 20404, `IP access control list ${aclSid} was not found`);
    }
    let mapped = this.mappings.get(domainSid);
    if (!mapped) {
      mapped = new Map();
      this.mappings.set(domainSid, mapped);
    }
    if (mapped.has(aclSid)) {
      throw new TwilioApiError(
        409,
        21230,
        `IP access control list ${aclSid} is already mapped to SIP domain ${domainSid}`,
      );
    }
    const now = rfc2822();
    mapped.set(aclSid, { date_created: now, date_updated: now });
    return aclSid;
  }

  deleteMapping(domainSid: string, aclSid: string, path: string): void {
    this.requireDomain(domainSid, path);
    this.requireMapping(domainSid, aclSid, path);
    this.mappings.get(domainSid)?.delete(aclSid);
  }

  // ---- out-of-band changes (what a person in the Twilio console does) ----

  /** Whether this account holds the object (`edit`/`remove` find the account by it). */
  holds(kind: ResourceKind, sid: string): boolean {
    if (kind === "mapping") {
      const [domainSid, aclSid] = splitMappingId(sid);
      return domainSid !== undefined
        ? this.domains.has(domainSid)
        : this.ipAccessControlLists.has(aclSid);
    }
    if (kind === "domain") return this.domains.has(sid);
    if (kind === "ipAccessControlList") return this.ipAccessControlLists.has(sid);
    return this.ipAddresses.has(sid);
  }

  edit(kind: ResourceKind, sid: string, patch: Json): void {
    const record = this.recordOf(kind, sid) as Json;
    for (const [field, value] of Object.entries(patch)) {
      if (!(field in record) || READ_ONLY_FIELDS.has(field)) {
        throw new Error(`edit(${kind}): ${field} is not an editable Twilio field of ${sid}`);
      }
      record[field] = value;
    }
    record.date_updated = rfc2822();
  }

  remove(kind: ResourceKind, sid: string): void {
    switch (kind) {
      case "domain":
        this.requireKnown(this.domains.has(sid), kind, sid);
        this.domains.delete(sid);
        this.mappings.delete(sid);
        return;
      case "ipAccessControlList":
        this.requireKnown(this.ipAccessControlLists.has(sid), kind, sid);
        this.removeIpAccessControlList(sid);
        return;
      case "ipAddress":
        this.requireKnown(this.ipAddresses.has(sid), kind, sid);
        this.ipAddresses.delete(sid);
        return;
      case "mapping": {
        const [domainSid, aclSid] = splitMappingId(sid);
        let removed = false;
        for (const [dSid, mapped] of this.mappings) {
          if (domainSid !== undefined && dSid !== domainSid) continue;
          removed = mapped.delete(aclSid) || removed;
        }
        this.requireKnown(removed, kind, sid);
        return;
      }
      default:
        throw new Error(`Unknown resource kind ${String(kind)}`);
    }
  }

  private recordOf(kind: ResourceKind, sid: string): Json {
    const record =
      kind === "domain"
        ? this.domains.get(sid)
        : kind === "ipAccessControlList"
          ? this.ipAccessControlLists.get(sid)
          : kind === "ipAddress"
            ? this.ipAddresses.get(sid)
            : undefined;
    if (kind === "mapping") {
      throw new Error("A mapping has no editable fields; use remove('mapping', 'SD…/AL…')");
    }
    this.requireKnown(record !== undefined, kind, sid);
    return record as Json;
  }

  private requireKnown(known: boolean, kind: string, sid: string): void {
    if (!known) throw new Error(`No ${kind} ${sid} in the stand-in`);
  }
}

/** "SD…/AL…" → [SD, AL]; a bare "AL…" → [undefined, AL] (every domain's mapping of that list). */
function splitMappingId(id: string): [string | undefined, string] {
  const parts = id.split("/");
  return parts.length === 2 ? [parts[0], parts[1]] : [undefined, id];
}
