// The Twilio side of one LINE Call connection: the SIP domain LINE sends calls to, the IP access
// control list holding LINE's addresses, one entry per address, and the mapping that makes the
// domain accept calls only from that list. One component, so a stack can later hold several
// connections (one per subaccount or customer).
import * as pulumi from "@pulumi/pulumi";
import { cidrNotation, type LineIpAddress } from "../model/lineIpAddresses";
import {
  IpAccessControlList,
  IpAccessControlListMapping,
  IpAddress,
  SipDomain,
} from "../providers";

export interface WebhookUrls {
  /** The Request URL (`/voice`). */
  voiceUrl: pulumi.Input<string>;
  /** Where Twilio goes when the Request URL fails (`/fallback`). */
  fallbackUrl: pulumi.Input<string>;
  /** Call status callbacks (`/status`). */
  statusCallbackUrl: pulumi.Input<string>;
}

export interface LineSipConnectionArgs {
  /** `<name>.sip.twilio.com`, unique across Twilio. */
  domainName: string;
  /** Shown in the Twilio console (at most 64 characters). */
  friendlyName: string;
  /** Twilio FriendlyName of the IP access control list. */
  ipAccessControlListName: string;
  /** LINE's addresses, already validated by `parseLineIpAddresses`. */
  ipAddresses: LineIpAddress[];
  webhook: WebhookUrls;
  /**
   * Whether LINE has confirmed the link. Only then is the Request URL set; before that (and after
   * flipping back) it is left out, which the SipDomain provider turns into a cleared Request URL.
   */
  lineConnected: boolean;
  /** Take over an existing domain and list with the same names instead of failing. */
  adopt?: boolean;
  /**
   * The account every resource lives in (a customer's subaccount, managed with its parent's
   * credentials); unset: the credentials' own account.
   */
  accountSid?: pulumi.Input<string>;
  /**
   * Prefix for the child resource names. Pulumi URNs carry the parent's type but not its name, so a
   * second connection in the same stack needs its own prefix (e.g. "customer-b-").
   */
  resourceNamePrefix?: string;
}

/** Pulumi resource names of the children (IP entries are named after the address). */
export function connectionResourceNames(prefix = "") {
  return {
    domain: `${prefix}sip-domain`,
    ipAccessControlList: `${prefix}line-ip-access-control-list`,
    mapping: `${prefix}line-ip-access-control-list-mapping`,
    ipAddress: (entry: LineIpAddress) => `${prefix}${entry.resourceName}`,
  };
}

export class LineSipConnection extends pulumi.ComponentResource {
  /** `sip:<domain>`: send it to LINE together with the account SID (the subaccount's, if any). */
  readonly sipUri: pulumi.Output<string>;
  readonly sipDomainSid: pulumi.Output<string>;
  readonly accountSid: pulumi.Output<string>;
  readonly ipAccessControlListSid: pulumi.Output<string>;
  /** The Request URL as set on the domain: empty until LINE is connected. */
  readonly voiceUrl: pulumi.Output<string>;
  readonly domain: SipDomain;
  readonly ipAccessControlList: IpAccessControlList;
  readonly ipAddresses: IpAddress[];
  readonly mapping: IpAccessControlListMapping;

  constructor(name: string, args: LineSipConnectionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("line-call:twilio:LineSipConnection", name, {}, opts);
    const parent = { parent: this };
    const names = connectionResourceNames(args.resourceNamePrefix);
    // Left out when unset, so a stack made before subaccounts registers the same inputs as then.
    const account = args.accountSid === undefined ? {} : { accountSid: args.accountSid };

    // The list knows which entries the stack declares, so an entry nobody tracks (left by a create
    // Twilio did after Pulumi gave up on it, or added in the console) fails the drift check and
    // the next update removes it: otherwise it would admit its address to the domain for good.
    this.ipAccessControlList = new IpAccessControlList(
      names.ipAccessControlList,
      {
        ...account,
        friendlyName: args.ipAccessControlListName,
        adopt: args.adopt ?? false,
        declaredEntries: args.ipAddresses.map((entry) =>
          cidrNotation(entry.ip, entry.cidrPrefixLength),
        ),
      },
      parent,
    );
    // The resource ids are the SIDs. Taken from the id, not the `sid` output: the engine knows an
    // id throughout a preview, while an output of a resource being updated is unknown there, which
    // would preview the entries and the mapping as replaced whenever the list or domain changes.
    const listSid = this.ipAccessControlList.id;
    this.ipAddresses = args.ipAddresses.map(
      (entry) =>
        new IpAddress(
          names.ipAddress(entry),
          {
            ...account,
            ipAccessControlListSid: listSid,
            ipAddress: entry.ip,
            cidrPrefixLength: entry.cidrPrefixLength,
            friendlyName: entry.friendlyName,
          },
          parent,
        ),
    );

    this.domain = new SipDomain(
      names.domain,
      {
        ...account,
        domainName: args.domainName,
        friendlyName: args.friendlyName,
        ...(args.lineConnected ? { voiceUrl: args.webhook.voiceUrl } : {}),
        voiceMethod: "POST",
        voiceFallbackUrl: args.webhook.fallbackUrl,
        voiceFallbackMethod: "POST",
        voiceStatusCallbackUrl: args.webhook.statusCallbackUrl,
        voiceStatusCallbackMethod: "POST",
        adopt: args.adopt ?? false,
      },
      parent,
    );

    // Mapped last, after every entry exists: the moment the mapping appears the domain accepts
    // calls from exactly the listed addresses, never from a half-filled list.
    this.mapping = new IpAccessControlListMapping(
      names.mapping,
      { ...account, domainSid: this.domain.id, ipAccessControlListSid: listSid },
      { parent: this, dependsOn: this.ipAddresses },
    );

    this.sipUri = this.domain.sipUri;
    this.sipDomainSid = this.domain.sid;
    this.accountSid = this.domain.accountSid;
    this.ipAccessControlListSid = listSid;
    this.voiceUrl = this.domain.voiceUrl.apply((url) => url ?? "");
    this.registerOutputs({
      sipUri: this.sipUri,
      sipDomainSid: this.sipDomainSid,
      accountSid: this.accountSid,
      ipAccessControlListSid: this.ipAccessControlListSid,
      voiceUrl: this.voiceUrl,
    });
  }
}
