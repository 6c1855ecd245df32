// The SIP domain's Auth → Calls IP access control list mapping: the link that lets calls from the
// listed IPs (LINE's SIP servers) into the domain. It has no settings, so any change replaces it.
import * as pulumi from "@pulumi/pulumi";
import { unlessGone } from "./errors";
import {
  checkInputs,
  diffInputs,
  type OutputProperties,
  type OutputTable,
  outputSlots,
  type Props,
  type Resolved,
  type ResourceArgs,
  readInputs,
  type Schema,
  type State,
  stateFromLive,
  unchangedOutputs,
} from "./inputs";
import { installedProvider } from "./installed";
import { LIST_SID_FIELD } from "./ipAccessControlList";
import {
  ACCOUNT_SID_FIELD,
  accountOf,
  configureTwilio,
  type TwilioSip,
  twilioCall,
} from "./twilioClient";

export const IP_ACCESS_CONTROL_LIST_MAPPING_SCHEMA = {
  /** The account (AC…) of the domain and list; unset: the credentials' own. Changing it replaces. */
  accountSid: ACCOUNT_SID_FIELD,
  /** The SIP domain (SD…). */
  domainSid: {
    kind: "sid",
    sidPrefix: "SD",
    required: true,
    replaces: true,
    example: "pass the sid output of a SipDomain",
  },
  /** The IP access control list (AL…) allowed to call into the domain. */
  ipAccessControlListSid: LIST_SID_FIELD,
} as const satisfies Schema;

/** What Twilio keeps for a mapping, beside the inputs. */
export const IP_ACCESS_CONTROL_LIST_MAPPING_OUTPUTS = {
  /** The list's SID (Twilio names a mapping by the list it maps). */
  sid: "string",
  accountSid: "string",
  friendlyName: "string",
  dateCreated: "date",
  dateUpdated: "date",
} as const satisfies OutputTable;

export type IpAccessControlListMappingArgs = ResourceArgs<
  typeof IP_ACCESS_CONTROL_LIST_MAPPING_SCHEMA
>;
type MappingInputs = Resolved<typeof IP_ACCESS_CONTROL_LIST_MAPPING_SCHEMA>;
type MappingState = State<
  typeof IP_ACCESS_CONTROL_LIST_MAPPING_SCHEMA,
  typeof IP_ACCESS_CONTROL_LIST_MAPPING_OUTPUTS
>;

/** The resource id: `SD…/AL…`. */
export function mappingId(domainSid: string, listSid: string): string {
  return `${domainSid}/${listSid}`;
}

function parseMappingId(id: string, props: MappingState): { domainSid: string; listSid: string } {
  const [domainSid, listSid] = id.split("/");
  return {
    domainSid: domainSid || props.domainSid,
    listSid: listSid || props.ipAccessControlListSid,
  };
}

function mappings(sip: TwilioSip, domainSid: string) {
  return sip.domains(domainSid).auth.calls.ipAccessControlListMappings;
}

function mappingOutputs(mapping: Props, domainSid: string, listSid: string): MappingState {
  return stateFromLive(
    IP_ACCESS_CONTROL_LIST_MAPPING_SCHEMA,
    IP_ACCESS_CONTROL_LIST_MAPPING_OUTPUTS,
    mapping,
    {},
    {
      domainSid,
      ipAccessControlListSid: listSid,
      sid: typeof mapping.sid === "string" ? mapping.sid : listSid,
    },
  );
}

function fetchMapping(sip: TwilioSip, domainSid: string, listSid: string) {
  return unlessGone<Props>(mappings(sip, domainSid)(listSid).fetch());
}

export const ipAccessControlListMappingProvider: pulumi.dynamic.ResourceProvider = {
  configure: configureTwilio,

  async check(_olds: Props, news: Props) {
    return checkInputs(IP_ACCESS_CONTROL_LIST_MAPPING_SCHEMA, news);
  },

  async diff(_id: string, olds: Props, news: Props) {
    // A replacement always maps a different pair, so it can be created before the old mapping
    // goes and calls are never refused in between.
    return diffInputs(IP_ACCESS_CONTROL_LIST_MAPPING_SCHEMA, olds, news);
  },

  async create(inputs: MappingInputs) {
    const { domainSid, ipAccessControlListSid: listSid } = inputs;
    const accountSid = accountOf(inputs);
    const what = `map IP access control list ${listSid} to SIP domain ${domainSid} (Auth → Calls)`;
    const lookUp = (sip: TwilioSip) => fetchMapping(sip, domainSid, listSid);
    let mapping: Props;
    try {
      mapping = await twilioCall<Props>(
        what,
        (sip) => mappings(sip, domainSid).create({ ipAccessControlListSid: listSid }),
        {
          findExisting: {
            object: `mapping of IP access control list ${listSid} to SIP domain ${domainSid} (Auth → Calls)`,
            lookUp,
          },
          accountSid,
        },
      );
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === undefined || status >= 500 || status === 404 || status === 401) throw error;
      // The mapping already exists (set up by hand before the domain and list were adopted, or
      // left by a create Twilio did without Pulumi hearing back): it has no settings, so taking
      // it over loses nothing.
      const existing = await twilioCall<Props | undefined>(`look up ${what}`, lookUp, {
        accountSid,
      });
      if (!existing) throw error;
      mapping = existing;
    }
    return { id: mappingId(domainSid, listSid), outs: mappingOutputs(mapping, domainSid, listSid) };
  },

  async read(id: string, props: MappingState) {
    const { domainSid, listSid } = parseMappingId(id, props);
    const mapping = await twilioCall<Props | undefined>(
      `read the mapping of ${listSid} to ${domainSid}`,
      (sip) => fetchMapping(sip, domainSid, listSid),
      { accountSid: accountOf(props) },
    );
    if (!mapping) return { id: "", props: {} };
    const outs = mappingOutputs(mapping, domainSid, listSid);
    return {
      id,
      props: outs,
      inputs: readInputs(
        IP_ACCESS_CONTROL_LIST_MAPPING_SCHEMA,
        { accountSid: outs.accountSid, domainSid, ipAccessControlListSid: listSid },
        props,
      ),
    };
  },

  // Every field replaces the mapping, so an update only comes when nothing but the stored provider
  // changed (installed.ts): the state takes the new provider, Twilio is not called.
  async update(id: string, olds: MappingState, news: MappingInputs) {
    const unchanged = unchangedOutputs(IP_ACCESS_CONTROL_LIST_MAPPING_SCHEMA, olds, news);
    if (!unchanged)
      throw new Error(`mapping ${id}: a changed field replaces it, it is never updated`);
    return unchanged;
  },

  async delete(id: string, props: MappingState) {
    const { domainSid, listSid } = parseMappingId(id, props);
    await unlessGone(
      twilioCall(
        `remove the mapping of ${listSid} from ${domainSid}`,
        (sip) => mappings(sip, domainSid)(listSid).remove(),
        { accountSid: accountOf(props) },
      ),
    );
  },
};

// The output properties (typed from the tables above) that pulumi.Resource creates, one per
// prop handed to super().
export interface IpAccessControlListMapping
  extends OutputProperties<
    typeof IP_ACCESS_CONTROL_LIST_MAPPING_SCHEMA,
    typeof IP_ACCESS_CONTROL_LIST_MAPPING_OUTPUTS
  > {}

/**
 * Maps an IP access control list to a SIP domain for calls (Auth → Calls). The resource id is
 * `SD…/AL…`.
 */
export class IpAccessControlListMapping extends pulumi.dynamic.Resource {
  constructor(
    name: string,
    args: IpAccessControlListMappingArgs,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      // The installed module's object, so the state names it instead of holding its code.
      installedProvider("ipAccessControlListMapping"),
      name,
      {
        ...outputSlots(
          IP_ACCESS_CONTROL_LIST_MAPPING_SCHEMA,
          IP_ACCESS_CONTROL_LIST_MAPPING_OUTPUTS,
        ),
        ...args,
      },
      opts,
      "twilio",
      "IpAccessControlListMapping",
    );
  }
}
