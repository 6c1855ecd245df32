// The IP access control list holding LINE's SIP server addresses. Updates in place; `adopt`
// takes over an existing list with the same friendly name.
import * as pulumi from "@pulumi/pulumi";
import { MAX_FRIENDLY_NAME_LENGTH } from "../model/twilio";
import { twilioProviderError, unlessGone } from "./errors";
import {
  checkInputs,
  diffInputs,
  type FieldSpec,
  inputsFromLive,
  type OutputProperties,
  outputSlots,
  type Props,
  type Resolved,
  type ResourceArgs,
  type Schema,
  SIP_OBJECT_OUTPUTS,
  type State,
  stateFromLive,
  unchangedOutputs,
} from "./inputs";
import { installedProvider } from "./installed";
import {
  configureTwilio,
  createOrAdopt,
  noteCreatedHere,
  type TwilioSip,
  twilioCall,
} from "./twilioClient";

/** An input naming the list (IpAddress, the mapping): a change moves to another list, so it replaces. */
export const LIST_SID_FIELD = {
  kind: "sid",
  sidPrefix: "AL",
  required: true,
  replaces: true,
  example: "pass the sid output of an IpAccessControlList",
} as const satisfies FieldSpec;

export const IP_ACCESS_CONTROL_LIST_SCHEMA = {
  /** Up to 255 characters; also the key `adopt` matches on. */
  friendlyName: {
    kind: "string",
    required: true,
    example: "name the list, e.g. line-call-prod LINE SIP servers (adopt matches on it)",
    maxLength: MAX_FRIENDLY_NAME_LENGTH,
    rule: (value: string) => (value.trim() === "" ? "must not be blank" : undefined),
  },
  /** Take over an existing list with this friendly name instead of failing. */
  adopt: { kind: "boolean", defaultValue: false, option: true },
} as const satisfies Schema;

/** What Twilio computes for a list, beside the inputs. */
export const IP_ACCESS_CONTROL_LIST_OUTPUTS = SIP_OBJECT_OUTPUTS;

export type IpAccessControlListArgs = ResourceArgs<typeof IP_ACCESS_CONTROL_LIST_SCHEMA>;
type ListInputs = Resolved<typeof IP_ACCESS_CONTROL_LIST_SCHEMA>;
type ListState = State<typeof IP_ACCESS_CONTROL_LIST_SCHEMA, typeof IP_ACCESS_CONTROL_LIST_OUTPUTS>;

function listOutputs(list: Props, adopt: boolean): ListState {
  return stateFromLive(IP_ACCESS_CONTROL_LIST_SCHEMA, IP_ACCESS_CONTROL_LIST_OUTPUTS, list, {
    adopt,
  });
}

async function findListByName(sip: TwilioSip, friendlyName: string): Promise<Props | undefined> {
  const lists: Props[] = await sip.ipAccessControlLists.list({ pageSize: 1000 });
  return lists.find((list) => list.friendlyName === friendlyName);
}

/**
 * What a list is used for, or undefined when it holds no IP address and is mapped to no SIP
 * domain (Auth → Calls): a list in use was made by hand or belongs to another resource.
 */
async function listUse(listSid: string): Promise<string | undefined> {
  return twilioCall(`check what IP access control list ${listSid} is used for`, async (sip) => {
    const entries: Props[] = await sip.ipAccessControlLists(listSid).ipAddresses.list({ limit: 1 });
    if (entries.length > 0) return "holds IP addresses";
    const domains: Props[] = await sip.domains.list({ pageSize: 1000 });
    for (const domain of domains) {
      const mapping = await unlessGone<Props>(
        sip.domains(domain.sid).auth.calls.ipAccessControlListMappings(listSid).fetch(),
      );
      if (mapping) return `is mapped to SIP domain ${domain.domainName} (${domain.sid})`;
    }
    return undefined;
  });
}

export const ipAccessControlListProvider: pulumi.dynamic.ResourceProvider = {
  configure: configureTwilio,

  async check(_olds: Props, news: Props) {
    return checkInputs(IP_ACCESS_CONTROL_LIST_SCHEMA, news);
  },

  async diff(_id: string, olds: Props, news: Props) {
    return diffInputs(IP_ACCESS_CONTROL_LIST_SCHEMA, olds, news);
  },

  async create(inputs: ListInputs) {
    const { friendlyName, adopt } = inputs;
    const list = await createOrAdopt<Props>(`IP access control list "${friendlyName}"`, {
      lookUp: (sip) => findListByName(sip, friendlyName),
      create: async (sip) => {
        const created: Props = await sip.ipAccessControlLists.create({ friendlyName });
        noteCreatedHere(String(created.sid));
        return created;
      },
      adopt: async (existing) => {
        if (adopt) return existing;
        // Twilio allows two lists with one name, so the clash check is ours. A list that holds no
        // address and is mapped to no domain is what this resource's own create leaves when
        // Twilio wrote it and Pulumi never heard back (its entries and its mapping wait for its
        // SID): take that one over. One in use belongs to someone else.
        const use = await listUse(String(existing.sid));
        if (use === undefined) return existing;
        throw twilioProviderError(
          `IP access control list "${friendlyName}" already exists in this account as ${existing.sid} and ${use}: set adopt: true on this IpAccessControlList to take it over, or choose another friendlyName.`,
          undefined,
        );
      },
    });
    return { id: String(list.sid), outs: listOutputs(list, adopt) };
  },

  async read(id: string, props: ListState) {
    const list = await unlessGone(
      twilioCall<Props>(`read IP access control list ${id}`, (sip) =>
        sip.ipAccessControlLists(id).fetch(),
      ),
    );
    if (!list) return { id: "", props: {} };
    return {
      id,
      props: listOutputs(list, props.adopt ?? false),
      inputs: inputsFromLive(IP_ACCESS_CONTROL_LIST_SCHEMA, list, props),
    };
  },

  async update(id: string, olds: ListState, news: ListInputs) {
    const unchanged = unchangedOutputs(IP_ACCESS_CONTROL_LIST_SCHEMA, olds, news);
    if (unchanged) return unchanged;
    const updated = await twilioCall<Props>(`update IP access control list ${id}`, (sip) =>
      sip.ipAccessControlLists(id).update({ friendlyName: news.friendlyName }),
    );
    return { outs: listOutputs(updated, news.adopt) };
  },

  async delete(id: string) {
    await unlessGone(
      twilioCall(`delete IP access control list ${id}`, (sip) =>
        sip.ipAccessControlLists(id).remove(),
      ),
    );
  },
};

// The output properties (typed from the tables above) that pulumi.Resource creates, one per
// prop handed to super().
export interface IpAccessControlList
  extends OutputProperties<
    typeof IP_ACCESS_CONTROL_LIST_SCHEMA,
    typeof IP_ACCESS_CONTROL_LIST_OUTPUTS
  > {}

/** A Twilio SIP IP access control list. The resource id is its SID (AL…). */
export class IpAccessControlList extends pulumi.dynamic.Resource {
  constructor(name: string, args: IpAccessControlListArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      // The installed module's object, so the state names it instead of holding its code.
      installedProvider("ipAccessControlList"),
      name,
      { ...outputSlots(IP_ACCESS_CONTROL_LIST_SCHEMA, IP_ACCESS_CONTROL_LIST_OUTPUTS), ...args },
      opts,
      "twilio",
      "IpAccessControlList",
    );
  }
}
