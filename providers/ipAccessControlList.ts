// The IP access control list holding LINE's SIP server addresses. Updates in place; `adopt`
// takes over an existing list with the same friendly name. Given the entries the program declares
// (`declaredEntries`), it also answers for every other entry in it: `read` reports them
// (`untrackedEntries`), so the drift check fails naming them, and an update removes what its diff
// drops from either.
import * as pulumi from "@pulumi/pulumi";
import { cidrNotation, cidrNotationProblem } from "../model/lineIpAddresses";
import { MAX_FRIENDLY_NAME_LENGTH } from "../model/twilio";
import { twilioProviderError, unlessGone } from "./errors";
import {
  canonical,
  changedFields,
  checkInputs,
  diffInputs,
  type FieldSpec,
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
import {
  ACCOUNT_SID_FIELD,
  accountOf,
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
  /** The account (AC…) the list lives in; unset: the credentials' own. Changing it replaces. */
  accountSid: ACCOUNT_SID_FIELD,
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
  /**
   * Every entry the program declares in this list, as `<address>/<prefix>` (one IpAddress resource
   * each). Left out, the list does not look at its entries at all.
   */
  declaredEntries: {
    kind: "stringList",
    rule: (entries: string[]) => {
      const problems = entries.map(cidrNotationProblem).filter((problem) => problem !== undefined);
      return problems.length > 0
        ? `has entries Twilio would refuse: ${problems.join("; ")}`
        : undefined;
    },
  },
  /**
   * With declaredEntries: the entries a refresh found in the list beyond them, as `<address>/
   * <prefix>`. Not for the program, which leaves it out (it is then []): a refresh that finds one
   * makes the state differ from the program, the diff names it and the update removes it.
   */
  untrackedEntries: {
    kind: "stringList",
    rule: (entries: string[]) =>
      entries.length > 0
        ? "is what a refresh finds in the list beyond declaredEntries, not an input: leave it out"
        : undefined,
  },
} as const satisfies Schema;

/** What Twilio computes for a list, beside the inputs. */
export const IP_ACCESS_CONTROL_LIST_OUTPUTS = SIP_OBJECT_OUTPUTS;

export type IpAccessControlListArgs = ResourceArgs<typeof IP_ACCESS_CONTROL_LIST_SCHEMA>;
/** The list's entries as it accounts for them: only when the program declares its entries. */
interface EntryAccount {
  declaredEntries: string[];
  untrackedEntries: string[];
}

/** The entry fields may be left out (then they are absent, never undefined, in inputs and state). */
type WithEntries<T> = Omit<T, keyof EntryAccount> & Partial<EntryAccount>;
type ListInputs = WithEntries<Resolved<typeof IP_ACCESS_CONTROL_LIST_SCHEMA>>;
type ListState = WithEntries<
  State<typeof IP_ACCESS_CONTROL_LIST_SCHEMA, typeof IP_ACCESS_CONTROL_LIST_OUTPUTS>
>;

/** The list's state: Twilio's fields, the `adopt` option and the entry account, if any. */
function listOutputs(list: Props, adopt: boolean, entries?: EntryAccount): ListState {
  // `list` is Twilio's object or the stored state: the entry account comes only from `entries`.
  const {
    declaredEntries: _declared,
    untrackedEntries: _untracked,
    ...state
  } = stateFromLive(IP_ACCESS_CONTROL_LIST_SCHEMA, IP_ACCESS_CONTROL_LIST_OUTPUTS, list, { adopt });
  return entries === undefined ? state : { ...state, ...entries };
}

async function findListByName(sip: TwilioSip, friendlyName: string): Promise<Props | undefined> {
  const lists: Props[] = await sip.ipAccessControlLists.list({ pageSize: 1000 });
  return lists.find((list) => list.friendlyName === friendlyName);
}

/** Every entry of a list (Twilio allows at most 100, so one page). */
export function listEntries(sip: TwilioSip, listSid: string): Promise<Props[]> {
  return sip.ipAccessControlLists(listSid).ipAddresses.list({ pageSize: 1000 });
}

/** An entry as Twilio returns it, in the notation of `declaredEntries`. */
export function entryCidr(entry: Props): string {
  return cidrNotation(String(entry.ipAddress), Number(entry.cidrPrefixLength ?? 32));
}

/** The entry account as stored or checked (sorted), or undefined when nothing is declared. */
function entryAccountOf(props: Props): EntryAccount | undefined {
  const list = (name: keyof EntryAccount) =>
    canonical(IP_ACCESS_CONTROL_LIST_SCHEMA[name], props[name]) as string[] | undefined;
  const declaredEntries = list("declaredEntries");
  if (declaredEntries === undefined) return undefined;
  return { declaredEntries, untrackedEntries: list("untrackedEntries") ?? [] };
}

/** Removes the entries of a list that `doomed` picks (a 404 means already gone). */
async function removeEntries(
  listSid: string,
  accountSid: string | undefined,
  doomed: (cidr: string) => boolean,
  why: string,
): Promise<void> {
  const entries = await twilioCall<Props[]>(
    `list the IP addresses of ${listSid}`,
    (sip) => listEntries(sip, listSid),
    { accountSid },
  );
  await Promise.all(
    entries
      .filter((entry) => doomed(entryCidr(entry)))
      .map((entry) =>
        unlessGone(
          twilioCall(
            `remove IP address ${entryCidr(entry)} (${entry.sid}) from ${listSid}, ${why}`,
            (sip) => sip.ipAccessControlLists(listSid).ipAddresses(String(entry.sid)).remove(),
            { accountSid },
          ),
        ),
      ),
  );
}

/**
 * What a list is used for, or undefined when it holds no IP address and is mapped to no SIP
 * domain (Auth → Calls): a list in use was made by hand or belongs to another resource.
 */
async function listUse(
  listSid: string,
  accountSid: string | undefined,
): Promise<string | undefined> {
  return twilioCall(
    `check what IP access control list ${listSid} is used for`,
    async (sip) => {
      const entries: Props[] = await sip
        .ipAccessControlLists(listSid)
        .ipAddresses.list({ limit: 1 });
      if (entries.length > 0) return "holds IP addresses";
      const domains: Props[] = await sip.domains.list({ pageSize: 1000 });
      for (const domain of domains) {
        const mapping = await unlessGone<Props>(
          sip.domains(domain.sid).auth.calls.ipAccessControlListMappings(listSid).fetch(),
        );
        if (mapping) return `is mapped to SIP domain ${domain.domainName} (${domain.sid})`;
      }
      return undefined;
    },
    { accountSid },
  );
}

export const ipAccessControlListProvider: pulumi.dynamic.ResourceProvider = {
  configure: configureTwilio,

  async check(_olds: Props, news: Props) {
    return checkInputs(IP_ACCESS_CONTROL_LIST_SCHEMA, news, (inputs) =>
      inputs.declaredEntries === undefined ? {} : { untrackedEntries: [] },
    );
  },

  async diff(_id: string, olds: Props, news: Props) {
    return diffInputs(IP_ACCESS_CONTROL_LIST_SCHEMA, olds, news);
  },

  async create(inputs: ListInputs) {
    const { friendlyName, adopt } = inputs;
    const accountSid = accountOf(inputs);
    const entries = entryAccountOf(inputs);
    let takenOver = false;
    const list = await createOrAdopt<Props>(
      `IP access control list "${friendlyName}"`,
      {
        lookUp: (sip) => findListByName(sip, friendlyName),
        create: async (sip) => {
          const created: Props = await sip.ipAccessControlLists.create({ friendlyName });
          noteCreatedHere(String(created.sid));
          return created;
        },
        adopt: async (existing) => {
          if (adopt) {
            takenOver = true;
            return existing;
          }
          // Twilio allows two lists with one name, so the clash check is ours. A list that holds no
          // address and is mapped to no domain is what this resource's own create leaves when
          // Twilio wrote it and Pulumi never heard back (its entries and its mapping wait for its
          // SID): take that one over. One in use belongs to someone else.
          const use = await listUse(String(existing.sid), accountSid);
          if (use === undefined) return existing;
          throw twilioProviderError(
            `IP access control list "${friendlyName}" already exists in ${accountSid ? `account ${accountSid}` : "this account"} as ${existing.sid} and ${use}: set adopt: true on this IpAccessControlList to take it over, or choose another friendlyName.`,
            undefined,
          );
        },
      },
      accountSid,
    );
    // A list taken over with adopt: true is brought to the declared settings, entries included:
    // the declared ones are adopted by their IpAddress creates, which come next; any other entry
    // would admit an address nobody declared.
    if (takenOver && entries !== undefined) {
      await removeEntries(
        String(list.sid),
        accountSid,
        (cidr) => !entries.declaredEntries.includes(cidr),
        "which the adopted list held but the program does not declare",
      );
    }
    return { id: String(list.sid), outs: listOutputs(list, adopt, entries) };
  },

  // With declared entries, also what the list holds beyond them, as untrackedEntries: the program
  // has none, so the diff names each one and the next update removes it.
  async read(id: string, props: ListState) {
    const accountSid = accountOf(props);
    const list = await unlessGone(
      twilioCall<Props>(
        `read IP access control list ${id}`,
        (sip) => sip.ipAccessControlLists(id).fetch(),
        { accountSid },
      ),
    );
    if (!list) return { id: "", props: {} };
    const stored = entryAccountOf(props);
    let entries: EntryAccount | undefined;
    if (stored !== undefined) {
      const held = await twilioCall<Props[]>(
        `list the IP addresses of ${id}`,
        (sip) => listEntries(sip, id),
        { accountSid },
      );
      const { declaredEntries } = stored;
      const untrackedEntries = held
        .map(entryCidr)
        .filter((cidr) => !declaredEntries.includes(cidr))
        .sort();
      entries = { declaredEntries, untrackedEntries };
    }
    const inputs = readInputs(IP_ACCESS_CONTROL_LIST_SCHEMA, list, props);
    return {
      id,
      props: listOutputs(list, props.adopt ?? false, entries),
      inputs: { ...inputs, ...entries },
    };
  },

  // The entries the diff drops (no longer declared, or untracked ones a refresh found) are removed
  // here, before the IpAddress resources that depend on the list are created, updated or deleted;
  // an entry removed here that a resource tracked is then already gone (404) for its delete. An
  // untracked entry the program now declares stays, for its IpAddress create to adopt. Nothing
  // else is touched: an update removes only what its preview showed.
  async update(id: string, olds: ListState, news: ListInputs) {
    const unchanged = unchangedOutputs(IP_ACCESS_CONTROL_LIST_SCHEMA, olds, news);
    if (unchanged) return unchanged;
    const accountSid = accountOf(olds);
    const entries = entryAccountOf(news);
    const before = entryAccountOf(olds);
    const dropped =
      entries === undefined || before === undefined
        ? []
        : [...before.declaredEntries, ...before.untrackedEntries].filter(
            (cidr) => !entries.declaredEntries.includes(cidr),
          );
    if (dropped.length > 0) {
      await removeEntries(
        id,
        accountSid,
        (cidr) => dropped.includes(cidr),
        "which the program does not declare",
      );
    }
    const renamed = changedFields(IP_ACCESS_CONTROL_LIST_SCHEMA, olds, news).includes(
      "friendlyName",
    );
    const list = renamed
      ? await twilioCall<Props>(
          `update IP access control list ${id}`,
          (sip) => sip.ipAccessControlLists(id).update({ friendlyName: news.friendlyName }),
          { accountSid },
        )
      : olds;
    return { outs: listOutputs(list, news.adopt, entries) };
  },

  async delete(id: string, props: ListState) {
    await unlessGone(
      twilioCall(
        `delete IP access control list ${id}`,
        (sip) => sip.ipAccessControlLists(id).remove(),
        { accountSid: accountOf(props) },
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
