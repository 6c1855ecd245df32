// One IP entry (address/prefix) of an IP access control list. Moving it to another list replaces
// it; the address, prefix and name update in place.
import * as pulumi from "@pulumi/pulumi";
import {
  cidrPrefixProblem,
  defaultIpFriendlyName,
  isIPv4,
  networkAddressIfHostBitsSet,
} from "../model/lineIpAddresses";
import { isUnknown } from "../model/pulumiEngine";
import { MAX_FRIENDLY_NAME_LENGTH } from "../model/twilio";
import { unlessGone } from "./errors";
import {
  checkInputs,
  diffInputs,
  inputsFromLive,
  isoDate,
  type Props,
  type Schema,
  withoutUndefined,
} from "./inputs";
import { LIST_SID_FIELD } from "./ipAccessControlList";
import { configureTwilio, type TwilioSip, twilioCall } from "./twilioClient";

export interface IpAddressArgs {
  /** The list (AL…) this entry belongs to; changing it replaces the entry. */
  ipAccessControlListSid: pulumi.Input<string>;
  /** IPv4 address in dotted-decimal form. */
  ipAddress: pulumi.Input<string>;
  /** 1–32; default 32 (one address). 0 is refused: Twilio silently stores it as 32. */
  cidrPrefixLength?: pulumi.Input<number>;
  /** Up to 255 characters; default `<ipAddress>/<cidrPrefixLength>`. */
  friendlyName?: pulumi.Input<string>;
}

export const IP_ADDRESS_SCHEMA: Schema = {
  ipAccessControlListSid: LIST_SID_FIELD,
  ipAddress: {
    kind: "string",
    required: true,
    example: "an IPv4 address LINE gave you, e.g. 203.0.113.10",
    rule: (value: string) =>
      isIPv4(value)
        ? undefined
        : `${JSON.stringify(value)} is not an IPv4 address in dotted-decimal form (Twilio accepts IPv4 only), e.g. 203.0.113.10${String(value).includes("/") ? "; put the prefix in cidrPrefixLength" : ""}`,
  },
  cidrPrefixLength: { kind: "integer", defaultValue: 32, rule: cidrPrefixProblem },
  friendlyName: {
    kind: "string",
    maxLength: MAX_FRIENDLY_NAME_LENGTH,
    rule: (value: string) => (value.trim() === "" ? "must not be blank" : undefined),
  },
};

function ipOutputs(entry: Props, listSid: unknown): Props {
  return withoutUndefined({
    ...inputsFromLive(IP_ADDRESS_SCHEMA, entry, {}),
    ipAccessControlListSid: entry.ipAccessControlListSid ?? listSid,
    sid: entry.sid,
    accountSid: entry.accountSid ?? "",
    uri: entry.uri ?? "",
    dateCreated: isoDate(entry.dateCreated),
    dateUpdated: isoDate(entry.dateUpdated),
  });
}

function describe(inputs: Props): string {
  return `IP address ${inputs.ipAddress}/${inputs.cidrPrefixLength} in ${inputs.ipAccessControlListSid}`;
}

function twilioParams(inputs: Props): Props {
  return {
    ipAddress: inputs.ipAddress,
    cidrPrefixLength: inputs.cidrPrefixLength,
    friendlyName: inputs.friendlyName,
  };
}

export const ipAddressProvider: pulumi.dynamic.ResourceProvider = {
  configure: configureTwilio,

  async check(_olds: Props, news: Props) {
    // The address and prefix are only read once both are known: during a preview either may be
    // the engine's unknown sentinel (an address computed from another resource), itself a string.
    const known = (inputs: Props) =>
      typeof inputs.ipAddress === "string" &&
      !isUnknown(inputs.ipAddress) &&
      typeof inputs.cidrPrefixLength === "number";
    const result = checkInputs(IP_ADDRESS_SCHEMA, news, (inputs) =>
      known(inputs)
        ? {
            friendlyName: defaultIpFriendlyName(
              inputs.ipAddress as string,
              inputs.cidrPrefixLength as number,
            ),
          }
        : {},
    );
    const { ipAddress, cidrPrefixLength } = result.inputs as Props;
    if (!result.failures && known(result.inputs as Props)) {
      const network = networkAddressIfHostBitsSet(ipAddress as string, cidrPrefixLength as number);
      if (network) {
        return {
          inputs: result.inputs,
          failures: [
            {
              property: "ipAddress",
              reason: `ipAddress ${ipAddress}/${cidrPrefixLength} has host bits set: use ${network} for that range, or cidrPrefixLength 32 for the single address`,
            },
          ],
        };
      }
    }
    return result;
  },

  async diff(_id: string, olds: Props, news: Props) {
    return diffInputs(IP_ADDRESS_SCHEMA, olds, news);
  },

  async create(inputs: Props) {
    const listSid = inputs.ipAccessControlListSid as string;
    // The natural key of an entry is its address and prefix within the list.
    const findExisting = async (sip: TwilioSip) => {
      const entries: Props[] = await sip
        .ipAccessControlLists(listSid)
        .ipAddresses.list({ pageSize: 1000 });
      return entries.find(
        (entry) =>
          entry.ipAddress === inputs.ipAddress &&
          Number(entry.cidrPrefixLength ?? 32) === inputs.cidrPrefixLength,
      );
    };
    // Adopt before creating: an entry for this address already in the list is one a failed or
    // interrupted create left behind (Twilio wrote it, Pulumi never heard back), and creating
    // another would leave a copy outside the state that outlives the address's removal.
    const leftBehind = await twilioCall(
      `look up ${describe(inputs)} before creating it`,
      findExisting,
    );
    if (leftBehind) {
      const entry =
        leftBehind.friendlyName === inputs.friendlyName
          ? leftBehind
          : await twilioCall<Props>(`update ${describe(inputs)} (${leftBehind.sid})`, (sip) =>
              sip
                .ipAccessControlLists(listSid)
                .ipAddresses(leftBehind.sid as string)
                .update(twilioParams(inputs)),
            );
      return { id: entry.sid as string, outs: ipOutputs(entry, listSid) };
    }
    const created = await twilioCall<Props>(
      `create ${describe(inputs)}`,
      (sip) => sip.ipAccessControlLists(listSid).ipAddresses.create(twilioParams(inputs)),
      { findExisting },
    );
    return { id: created.sid as string, outs: ipOutputs(created, listSid) };
  },

  async read(id: string, props: Props) {
    const listSid = props.ipAccessControlListSid as string;
    const entry = await unlessGone(
      twilioCall<Props>(`read IP address ${id} in ${listSid}`, (sip) =>
        sip.ipAccessControlLists(listSid).ipAddresses(id).fetch(),
      ),
    );
    if (!entry) return { id: "", props: {} };
    return {
      id,
      props: ipOutputs(entry, listSid),
      inputs: {
        ...inputsFromLive(IP_ADDRESS_SCHEMA, entry, props),
        ipAccessControlListSid: listSid,
      },
    };
  },

  async update(id: string, olds: Props, news: Props) {
    const listSid = olds.ipAccessControlListSid as string;
    const updated = await twilioCall<Props>(`update ${describe(news)} (${id})`, (sip) =>
      sip.ipAccessControlLists(listSid).ipAddresses(id).update(twilioParams(news)),
    );
    return { outs: ipOutputs(updated, listSid) };
  },

  async delete(id: string, props: Props) {
    const listSid = props.ipAccessControlListSid as string;
    await unlessGone(
      twilioCall(`delete IP address ${id} in ${listSid}`, (sip) =>
        sip.ipAccessControlLists(listSid).ipAddresses(id).remove(),
      ),
    );
  },
};

/** One entry of a Twilio SIP IP access control list. The resource id is its SID (IP…). */
export class IpAddress extends pulumi.dynamic.Resource {
  declare readonly sid: pulumi.Output<string>;
  declare readonly accountSid: pulumi.Output<string>;
  declare readonly ipAccessControlListSid: pulumi.Output<string>;
  declare readonly ipAddress: pulumi.Output<string>;
  declare readonly cidrPrefixLength: pulumi.Output<number>;
  declare readonly friendlyName: pulumi.Output<string>;
  declare readonly uri: pulumi.Output<string>;
  declare readonly dateCreated: pulumi.Output<string>;
  declare readonly dateUpdated: pulumi.Output<string>;

  constructor(name: string, args: IpAddressArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      ipAddressProvider,
      name,
      {
        sid: undefined,
        accountSid: undefined,
        cidrPrefixLength: undefined,
        friendlyName: undefined,
        uri: undefined,
        dateCreated: undefined,
        dateUpdated: undefined,
        ...args,
      },
      opts,
      "twilio",
      "IpAddress",
    );
  }
}
