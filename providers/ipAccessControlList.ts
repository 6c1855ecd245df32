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
  isoDate,
  type Props,
  type Schema,
  withoutUndefined,
} from "./inputs";
import { configureTwilio, type TwilioSip, twilioCall } from "./twilioClient";

export interface IpAccessControlListArgs {
  /** Up to 255 characters; also the key `adopt` matches on. */
  friendlyName: pulumi.Input<string>;
  /** Take over an existing list with this friendly name instead of failing. */
  adopt?: pulumi.Input<boolean>;
}

/** An input naming the list (IpAddress, the mapping): a change moves to another list, so it replaces. */
export const LIST_SID_FIELD: FieldSpec = {
  kind: "sid",
  sidPrefix: "AL",
  required: true,
  replaces: true,
  example: "pass the sid output of an IpAccessControlList",
};

export const IP_ACCESS_CONTROL_LIST_SCHEMA: Schema = {
  friendlyName: {
    kind: "string",
    required: true,
    example: "name the list, e.g. line-call-prod LINE SIP servers (adopt matches on it)",
    maxLength: MAX_FRIENDLY_NAME_LENGTH,
    rule: (value: string) => (value.trim() === "" ? "must not be blank" : undefined),
  },
  adopt: { kind: "boolean", defaultValue: false, option: true },
};

function listOutputs(list: Props, adopt: unknown): Props {
  return withoutUndefined({
    ...inputsFromLive(IP_ACCESS_CONTROL_LIST_SCHEMA, list, { adopt }),
    sid: list.sid,
    accountSid: list.accountSid ?? "",
    uri: list.uri ?? "",
    dateCreated: isoDate(list.dateCreated),
    dateUpdated: isoDate(list.dateUpdated),
  });
}

async function findListByName(sip: TwilioSip, friendlyName: string): Promise<Props | undefined> {
  const lists: Props[] = await sip.ipAccessControlLists.list({ pageSize: 1000 });
  return lists.find((list) => list.friendlyName === friendlyName);
}

export const ipAccessControlListProvider: pulumi.dynamic.ResourceProvider = {
  configure: configureTwilio,

  async check(_olds: Props, news: Props) {
    return checkInputs(IP_ACCESS_CONTROL_LIST_SCHEMA, news);
  },

  async diff(_id: string, olds: Props, news: Props) {
    return diffInputs(IP_ACCESS_CONTROL_LIST_SCHEMA, olds, news);
  },

  async create(inputs: Props) {
    const friendlyName = inputs.friendlyName as string;
    const lookUp = (sip: TwilioSip) => findListByName(sip, friendlyName);
    // Twilio allows two lists with one name, so the clash check is ours: one list call first.
    const existing = await twilioCall<Props | undefined>(
      `look up IP access control list "${friendlyName}"`,
      lookUp,
    );
    if (existing) {
      if (inputs.adopt !== true) {
        throw twilioProviderError(
          `IP access control list "${friendlyName}" already exists in this account as ${existing.sid}: set adopt: true on this IpAccessControlList to take it over, or choose another friendlyName.`,
          undefined,
        );
      }
      return { id: existing.sid as string, outs: listOutputs(existing, true) };
    }
    const created = await twilioCall<Props>(
      `create IP access control list "${friendlyName}"`,
      (sip) => sip.ipAccessControlLists.create({ friendlyName }),
      // Nothing had this name before the create, so a list that has it now is ours.
      { findExisting: lookUp },
    );
    return { id: created.sid as string, outs: listOutputs(created, inputs.adopt ?? false) };
  },

  async read(id: string, props: Props) {
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

  async update(id: string, _olds: Props, news: Props) {
    const updated = await twilioCall<Props>(`update IP access control list ${id}`, (sip) =>
      sip.ipAccessControlLists(id).update({ friendlyName: news.friendlyName }),
    );
    return { outs: listOutputs(updated, news.adopt ?? false) };
  },

  async delete(id: string) {
    await unlessGone(
      twilioCall(`delete IP access control list ${id}`, (sip) =>
        sip.ipAccessControlLists(id).remove(),
      ),
    );
  },
};

/** A Twilio SIP IP access control list. The resource id is its SID (AL…). */
export class IpAccessControlList extends pulumi.dynamic.Resource {
  declare readonly sid: pulumi.Output<string>;
  declare readonly accountSid: pulumi.Output<string>;
  declare readonly friendlyName: pulumi.Output<string>;
  declare readonly uri: pulumi.Output<string>;
  declare readonly dateCreated: pulumi.Output<string>;
  declare readonly dateUpdated: pulumi.Output<string>;

  constructor(name: string, args: IpAccessControlListArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      ipAccessControlListProvider,
      name,
      {
        sid: undefined,
        accountSid: undefined,
        uri: undefined,
        dateCreated: undefined,
        dateUpdated: undefined,
        ...args,
      },
      opts,
      "twilio",
      "IpAccessControlList",
    );
  }
}
