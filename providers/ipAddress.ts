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
  type OutputProperties,
  outputSlots,
  type Props,
  type Resolved,
  type ResourceArgs,
  readInputs,
  type Schema,
  SIP_OBJECT_OUTPUTS,
  type State,
  stateFromLive,
  unchangedOutputs,
} from "./inputs";
import { installedProvider } from "./installed";
import { LIST_SID_FIELD, listEntries } from "./ipAccessControlList";
import {
  ACCOUNT_SID_FIELD,
  accountOf,
  configureTwilio,
  createdHere,
  createOrAdopt,
  forgetCreatedHere,
  sharedRead,
  twilioCall,
} from "./twilioClient";

export const IP_ADDRESS_SCHEMA = {
  /** The account (AC…) of the list; unset: the credentials' own. Changing it replaces. */
  accountSid: ACCOUNT_SID_FIELD,
  /** The list (AL…) this entry belongs to; changing it replaces the entry. */
  ipAccessControlListSid: LIST_SID_FIELD,
  /** IPv4 address in dotted-decimal form. */
  ipAddress: {
    kind: "string",
    required: true,
    example: "an IPv4 address LINE gave you, e.g. 203.0.113.10",
    rule: (value: string) =>
      isIPv4(value)
        ? undefined
        : `${JSON.stringify(value)} is not an IPv4 address in dotted-decimal form (Twilio accepts IPv4 only), e.g. 203.0.113.10${String(value).includes("/") ? "; put the prefix in cidrPrefixLength" : ""}`,
  },
  /** 1–32; default 32 (one address). 0 is refused: Twilio silently stores it as 32. */
  cidrPrefixLength: { kind: "integer", defaultValue: 32, rule: cidrPrefixProblem },
  /** Up to 255 characters; default `<ipAddress>/<cidrPrefixLength>`. */
  friendlyName: {
    kind: "string",
    maxLength: MAX_FRIENDLY_NAME_LENGTH,
    rule: (value: string) => (value.trim() === "" ? "must not be blank" : undefined),
  },
} as const satisfies Schema;

/** What Twilio computes for an entry, beside the inputs. */
export const IP_ADDRESS_OUTPUTS = SIP_OBJECT_OUTPUTS;

export type IpAddressArgs = ResourceArgs<typeof IP_ADDRESS_SCHEMA>;
type IpAddressInputs = Resolved<typeof IP_ADDRESS_SCHEMA>;
type IpAddressState = State<typeof IP_ADDRESS_SCHEMA, typeof IP_ADDRESS_OUTPUTS>;

function ipOutputs(entry: Props, listSid: string): IpAddressState {
  return stateFromLive(
    IP_ADDRESS_SCHEMA,
    IP_ADDRESS_OUTPUTS,
    entry,
    {},
    {
      ipAccessControlListSid: listSid,
    },
  );
}

function describe(inputs: IpAddressInputs): string {
  return `IP address ${inputs.ipAddress}/${inputs.cidrPrefixLength} in ${inputs.ipAccessControlListSid}`;
}

function twilioParams(inputs: IpAddressInputs): Props {
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
    type Known = Props & { ipAddress: string; cidrPrefixLength: number };
    const known = (inputs: Props): inputs is Known =>
      typeof inputs.ipAddress === "string" &&
      !isUnknown(inputs.ipAddress) &&
      typeof inputs.cidrPrefixLength === "number";
    const result = checkInputs(IP_ADDRESS_SCHEMA, news, (inputs) =>
      known(inputs)
        ? { friendlyName: defaultIpFriendlyName(inputs.ipAddress, inputs.cidrPrefixLength) }
        : {},
    );
    const checked: Props = result.inputs;
    if (!result.failures && known(checked)) {
      const { ipAddress, cidrPrefixLength } = checked;
      const network = networkAddressIfHostBitsSet(ipAddress, cidrPrefixLength);
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

  async create(inputs: IpAddressInputs) {
    const listSid = inputs.ipAccessControlListSid;
    const accountSid = accountOf(inputs);
    const ownEntry = (entries: Props[]) =>
      entries.find(
        (entry) =>
          entry.ipAddress === inputs.ipAddress &&
          Number(entry.cidrPrefixLength ?? 32) === inputs.cidrPrefixLength,
      );
    const created = createOrAdopt<Props>(
      describe(inputs),
      {
        // The natural key of an entry is its address and prefix within the list (a list of this
        // stack's), so an entry found for it is one a failed or interrupted create left behind.
        lookUp: async (sip) => ownEntry(await listEntries(sip, listSid)),
        // A list this run created itself holds only what this run's creates put there, and each of
        // those looks again after an attempt that may have reached Twilio: nothing to look for.
        firstLookUp: async (sip) =>
          createdHere(listSid)
            ? undefined
            : ownEntry(
                await sharedRead(`IP addresses of ${listSid}`, () => listEntries(sip, listSid)),
              ),
        create: (sip) => sip.ipAccessControlLists(listSid).ipAddresses.create(twilioParams(inputs)),
        adopt: async (leftBehind) =>
          leftBehind.friendlyName === inputs.friendlyName
            ? leftBehind
            : twilioCall<Props>(
                `update ${describe(inputs)} (${leftBehind.sid})`,
                (sip) =>
                  sip
                    .ipAccessControlLists(listSid)
                    .ipAddresses(String(leftBehind.sid))
                    .update(twilioParams(inputs)),
                { accountSid },
              ),
      },
      accountSid,
    );
    const entry = await created.catch((error: unknown) => {
      forgetCreatedHere(listSid);
      throw error;
    });
    return { id: String(entry.sid), outs: ipOutputs(entry, listSid) };
  },

  async read(id: string, props: IpAddressState) {
    const listSid = props.ipAccessControlListSid;
    const entry = await unlessGone(
      twilioCall<Props>(
        `read IP address ${id} in ${listSid}`,
        (sip) => sip.ipAccessControlLists(listSid).ipAddresses(id).fetch(),
        { accountSid: accountOf(props) },
      ),
    );
    if (!entry) return { id: "", props: {} };
    return {
      id,
      props: ipOutputs(entry, listSid),
      inputs: {
        ...readInputs(IP_ADDRESS_SCHEMA, entry, props),
        ipAccessControlListSid: listSid,
      },
    };
  },

  async update(id: string, olds: IpAddressState, news: IpAddressInputs) {
    const unchanged = unchangedOutputs(IP_ADDRESS_SCHEMA, olds, news);
    if (unchanged) return unchanged;
    const listSid = olds.ipAccessControlListSid;
    const updated = await twilioCall<Props>(
      `update ${describe(news)} (${id})`,
      (sip) => sip.ipAccessControlLists(listSid).ipAddresses(id).update(twilioParams(news)),
      { accountSid: accountOf(olds) },
    );
    return { outs: ipOutputs(updated, listSid) };
  },

  async delete(id: string, props: IpAddressState) {
    const listSid = props.ipAccessControlListSid;
    await unlessGone(
      twilioCall(
        `delete IP address ${id} in ${listSid}`,
        (sip) => sip.ipAccessControlLists(listSid).ipAddresses(id).remove(),
        { accountSid: accountOf(props) },
      ),
    );
  },
};

// The output properties (typed from the tables above) that pulumi.Resource creates, one per
// prop handed to super().
export interface IpAddress
  extends OutputProperties<typeof IP_ADDRESS_SCHEMA, typeof IP_ADDRESS_OUTPUTS> {}

/** One entry of a Twilio SIP IP access control list. The resource id is its SID (IP…). */
export class IpAddress extends pulumi.dynamic.Resource {
  constructor(name: string, args: IpAddressArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      // The installed module's object, so the state names it instead of holding its code.
      installedProvider("ipAddress"),
      name,
      { ...outputSlots(IP_ADDRESS_SCHEMA, IP_ADDRESS_OUTPUTS), ...args },
      opts,
      "twilio",
      "IpAddress",
    );
  }
}
