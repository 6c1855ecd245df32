// The SIP domain's Auth → Calls IP access control list mapping: the link that lets calls from the
// listed IPs (LINE's SIP servers) into the domain. It has no settings, so any change replaces it.
import * as pulumi from "@pulumi/pulumi";
import { unlessGone } from "./errors";
import {
  checkInputs,
  diffInputs,
  isoDate,
  type Props,
  type Schema,
  withoutUndefined,
} from "./inputs";
import { LIST_SID_FIELD } from "./ipAccessControlList";
import { configureTwilio, type TwilioSip, twilioCall } from "./twilioClient";

export interface IpAccessControlListMappingArgs {
  /** The SIP domain (SD…). */
  domainSid: pulumi.Input<string>;
  /** The IP access control list (AL…) allowed to call into the domain. */
  ipAccessControlListSid: pulumi.Input<string>;
}

export const IP_ACCESS_CONTROL_LIST_MAPPING_SCHEMA: Schema = {
  domainSid: {
    kind: "sid",
    sidPrefix: "SD",
    required: true,
    replaces: true,
    example: "pass the sid output of a SipDomain",
  },
  ipAccessControlListSid: LIST_SID_FIELD,
};

/** The resource id: `SD…/AL…`. */
export function mappingId(domainSid: string, listSid: string): string {
  return `${domainSid}/${listSid}`;
}

function parseMappingId(id: string, props: Props): { domainSid: string; listSid: string } {
  const [domainSid, listSid] = id.split("/");
  return {
    domainSid: domainSid || (props.domainSid as string),
    listSid: listSid || (props.ipAccessControlListSid as string),
  };
}

function mappings(sip: TwilioSip, domainSid: string) {
  return sip.domains(domainSid).auth.calls.ipAccessControlListMappings;
}

function mappingOutputs(mapping: Props, domainSid: string, listSid: string): Props {
  return withoutUndefined({
    domainSid,
    ipAccessControlListSid: listSid,
    sid: mapping.sid ?? listSid,
    accountSid: mapping.accountSid ?? "",
    friendlyName: mapping.friendlyName ?? "",
    dateCreated: isoDate(mapping.dateCreated),
    dateUpdated: isoDate(mapping.dateUpdated),
  });
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

  async create(inputs: Props) {
    const domainSid = inputs.domainSid as string;
    const listSid = inputs.ipAccessControlListSid as string;
    const what = `map IP access control list ${listSid} to SIP domain ${domainSid} (Auth → Calls)`;
    const lookUp = (sip: TwilioSip) => fetchMapping(sip, domainSid, listSid);
    let mapping: Props;
    try {
      mapping = await twilioCall<Props>(
        what,
        (sip) => mappings(sip, domainSid).create({ ipAccessControlListSid: listSid }),
        {
          findExisting: lookUp,
        },
      );
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === undefined || status >= 500 || status === 404 || status === 401) throw error;
      // The mapping already exists (set up by hand before the domain and list were adopted):
      // it has no settings, so taking it over loses nothing.
      const existing = await twilioCall<Props | undefined>(`look up ${what}`, lookUp);
      if (!existing) throw error;
      mapping = existing;
    }
    return { id: mappingId(domainSid, listSid), outs: mappingOutputs(mapping, domainSid, listSid) };
  },

  async read(id: string, props: Props) {
    const { domainSid, listSid } = parseMappingId(id, props);
    const mapping = await twilioCall<Props | undefined>(
      `read the mapping of ${listSid} to ${domainSid}`,
      (sip) => fetchMapping(sip, domainSid, listSid),
    );
    if (!mapping) return { id: "", props: {} };
    return {
      id,
      props: mappingOutputs(mapping, domainSid, listSid),
      inputs: { domainSid, ipAccessControlListSid: listSid },
    };
  },

  async delete(id: string, props: Props) {
    const { domainSid, listSid } = parseMappingId(id, props);
    await unlessGone(
      twilioCall(`remove the mapping of ${listSid} from ${domainSid}`, (sip) =>
        mappings(sip, domainSid)(listSid).remove(),
      ),
    );
  },
};

/**
 * Maps an IP access control list to a SIP domain for calls (Auth → Calls). The resource id is
 * `SD…/AL…`.
 */
export class IpAccessControlListMapping extends pulumi.dynamic.Resource {
  declare readonly sid: pulumi.Output<string>;
  declare readonly accountSid: pulumi.Output<string>;
  declare readonly domainSid: pulumi.Output<string>;
  declare readonly ipAccessControlListSid: pulumi.Output<string>;
  declare readonly friendlyName: pulumi.Output<string>;
  declare readonly dateCreated: pulumi.Output<string>;
  declare readonly dateUpdated: pulumi.Output<string>;

  constructor(
    name: string,
    args: IpAccessControlListMappingArgs,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      ipAccessControlListMappingProvider,
      name,
      {
        sid: undefined,
        accountSid: undefined,
        friendlyName: undefined,
        dateCreated: undefined,
        dateUpdated: undefined,
        ...args,
      },
      opts,
      "twilio",
      "IpAccessControlListMapping",
    );
  }
}
