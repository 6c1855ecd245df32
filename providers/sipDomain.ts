// The Twilio SIP domain LINE sends calls to (`<name>.sip.twilio.com`). Everything updates in
// place; `adopt` takes over a domain created by hand or by script.
import * as pulumi from "@pulumi/pulumi";
import { isUnknown } from "../model/pulumiEngine";
import {
  MAX_SIP_DOMAIN_FRIENDLY_NAME_LENGTH,
  SIP_DOMAIN_SUFFIX,
  sipDomainNameProblem,
} from "../model/twilio";
import { type TwilioProviderError, twilioProviderError, unlessGone } from "./errors";
import {
  bodyFields,
  changedFields,
  checkInputs,
  diffInputs,
  inputsFromLive,
  type OutputProperties,
  type OutputTable,
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
  type TwilioSip,
  twilioCall,
} from "./twilioClient";

/**
 * The friendly name a domain gets when the program sets none: its domain name, or just the label
 * when the whole name is over Twilio's 64 characters (a label of 50 to 63 characters).
 */
export function defaultDomainFriendlyName(domainName: string): string {
  return domainName.length <= MAX_SIP_DOMAIN_FRIENDLY_NAME_LENGTH
    ? domainName
    : domainName.slice(0, -SIP_DOMAIN_SUFFIX.length);
}

export const SIP_DOMAIN_SCHEMA = {
  /** The account (AC…) the domain lives in; unset: the credentials' own. Changing it replaces. */
  accountSid: ACCOUNT_SID_FIELD,
  /** `<name>.sip.twilio.com`; unique across Twilio. */
  domainName: {
    kind: "string",
    required: true,
    rule: sipDomainNameProblem,
    example: "set it to <name>.sip.twilio.com, e.g. acme-line.sip.twilio.com",
  },
  /** Up to 64 characters; defaults to the domain name (its label when the name is longer). */
  friendlyName: { kind: "string", maxLength: MAX_SIP_DOMAIN_FRIENDLY_NAME_LENGTH },
  /** The Request URL Twilio calls for each incoming call (absent = cleared). */
  voiceUrl: { kind: "url", defaultValue: "" },
  voiceMethod: { kind: "method", defaultValue: "POST" },
  voiceFallbackUrl: { kind: "url", defaultValue: "" },
  voiceFallbackMethod: { kind: "method", defaultValue: "POST" },
  voiceStatusCallbackUrl: { kind: "url", defaultValue: "" },
  voiceStatusCallbackMethod: { kind: "method", defaultValue: "POST" },
  sipRegistration: { kind: "boolean", defaultValue: false },
  secure: { kind: "boolean", defaultValue: false },
  emergencyCallingEnabled: { kind: "boolean", defaultValue: false },
  /** Take over an existing domain with this domain name instead of failing. */
  adopt: { kind: "boolean", defaultValue: false, option: true },
} as const satisfies Schema;

/** What Twilio computes for a domain, beside the inputs. */
export const SIP_DOMAIN_OUTPUTS = {
  ...SIP_OBJECT_OUTPUTS,
  /** `sip:<domainName>`: what LINE needs, together with the account SID. */
  sipUri: "string",
  authType: "string",
  byocTrunkSid: "string",
  emergencyCallerSid: "string",
} as const satisfies OutputTable;

export type SipDomainArgs = ResourceArgs<typeof SIP_DOMAIN_SCHEMA>;
type SipDomainInputs = Resolved<typeof SIP_DOMAIN_SCHEMA>;
type SipDomainState = State<typeof SIP_DOMAIN_SCHEMA, typeof SIP_DOMAIN_OUTPUTS>;

/** The Twilio fields the provider writes (everything but the `adopt` option and the account). */
function twilioParams(inputs: SipDomainInputs, forCreate: boolean): Props {
  const params: Props = {};
  for (const name of bodyFields(SIP_DOMAIN_SCHEMA)) {
    const value = inputs[name];
    // On create, an empty value is simply not sent; on update "" clears the field in Twilio.
    if (value === undefined || (forCreate && value === "")) continue;
    params[name] = value;
  }
  return params;
}

/** Every field Twilio holds, as outputs (never undefined). */
function domainOutputs(domain: Props, adopt: boolean): SipDomainState {
  return stateFromLive(
    SIP_DOMAIN_SCHEMA,
    SIP_DOMAIN_OUTPUTS,
    domain,
    { adopt },
    {
      sipUri: `sip:${domain.domainName}`,
    },
  );
}

async function findDomainByName(sip: TwilioSip, domainName: string): Promise<Props | undefined> {
  const domains: Props[] = await sip.domains.list({ pageSize: 1000 });
  return domains.find((domain) => domain.domainName === domainName);
}

/**
 * Whether a domain of this account with the declared name is what this very create leaves when
 * Twilio wrote it and Pulumi never heard back (an interrupted `pulumi up`, or a create whose
 * look-ups kept failing): it holds exactly the settings the create sends, and no IP access control
 * list is mapped to it yet (the stack maps one only once the domain is in its state). Taking that
 * one over changes nothing in Twilio; anything else is someone's domain, and needs adopt: true.
 */
async function isLeftOverByThisCreate(existing: Props, inputs: SipDomainInputs): Promise<boolean> {
  const live = inputsFromLive(SIP_DOMAIN_SCHEMA, existing, {});
  if (changedFields(SIP_DOMAIN_SCHEMA, live, inputs).length > 0) return false;
  const sid = String(existing.sid);
  const mapped: Props[] = await twilioCall(
    `list the IP access control lists mapped to SIP domain ${sid}`,
    (sip) => sip.domains(sid).auth.calls.ipAccessControlListMappings.list({ pageSize: 1000 }),
    { accountSid: accountOf(inputs) },
  );
  return mapped.length === 0;
}

async function updateDomain(
  sid: string,
  params: Props,
  accountSid: string | undefined,
): Promise<Props> {
  return twilioCall<Props>(`update SIP domain ${sid}`, (sip) => sip.domains(sid).update(params), {
    accountSid,
  });
}

export const sipDomainProvider: pulumi.dynamic.ResourceProvider = {
  configure: configureTwilio,

  async check(_olds: Props, news: Props) {
    return checkInputs(SIP_DOMAIN_SCHEMA, news, ({ domainName }) => ({
      friendlyName:
        typeof domainName !== "string" || isUnknown(domainName)
          ? domainName
          : defaultDomainFriendlyName(domainName),
    }));
  },

  async diff(_id: string, olds: Props, news: Props) {
    const diff = diffInputs(SIP_DOMAIN_SCHEMA, olds, news);
    // A domain name is unique across all of Twilio, so the domain in the new account can only be
    // created once the old one is gone.
    return { ...diff, deleteBeforeReplace: diff.replaces?.includes("accountSid") ?? false };
  },

  async create(inputs: SipDomainInputs) {
    const { domainName } = inputs;
    const accountSid = accountOf(inputs);
    const where = accountSid ? `account ${accountSid}` : "this account";
    const what = `create SIP domain ${domainName}`;
    const lookUp = (sip: TwilioSip) => findDomainByName(sip, domainName);
    if (inputs.adopt === true) {
      const existing = await twilioCall<Props | undefined>(
        `look up SIP domain ${domainName}`,
        lookUp,
        { accountSid },
      );
      if (existing) {
        const adopted = await updateDomain(
          String(existing.sid),
          twilioParams(inputs, false),
          accountSid,
        );
        return { id: String(adopted.sid), outs: domainOutputs(adopted, true) };
      }
    }
    let created: Props;
    try {
      created = await twilioCall<Props>(
        what,
        (sip) => sip.domains.create(twilioParams(inputs, true)),
        { findExisting: { object: `SIP domain ${domainName}`, lookUp }, accountSid },
      );
    } catch (error) {
      const status = (error as TwilioProviderError).status;
      if (status === undefined || status >= 500 || status === 401 || status === 403) throw error;
      // Twilio refuses a taken domain name; say which object has it and how to take it over.
      const existing = await twilioCall<Props | undefined>(
        `look up SIP domain ${domainName}`,
        lookUp,
        { accountSid },
      );
      if (!existing) throw error;
      if (await isLeftOverByThisCreate(existing, inputs)) {
        return { id: String(existing.sid), outs: domainOutputs(existing, inputs.adopt) };
      }
      throw twilioProviderError(
        `SIP domain ${domainName} already exists in ${where} as ${existing.sid}: set adopt: true on this SipDomain to take it over (it will then be updated to the declared settings), or choose another domainName.`,
        error as TwilioProviderError,
      );
    }
    return { id: String(created.sid), outs: domainOutputs(created, inputs.adopt) };
  },

  async read(id: string, props: SipDomainState) {
    const domain = await unlessGone(
      twilioCall<Props>(`read SIP domain ${id}`, (sip) => sip.domains(id).fetch(), {
        accountSid: accountOf(props),
      }),
    );
    if (!domain) return { id: "", props: {} };
    const outs = domainOutputs(domain, props.adopt ?? false);
    return { id, props: outs, inputs: readInputs(SIP_DOMAIN_SCHEMA, domain, props) };
  },

  async update(id: string, olds: SipDomainState, news: SipDomainInputs) {
    const unchanged = unchangedOutputs(SIP_DOMAIN_SCHEMA, olds, news);
    if (unchanged) return unchanged;
    const updated = await updateDomain(id, twilioParams(news, false), accountOf(olds));
    return { outs: domainOutputs(updated, news.adopt) };
  },

  async delete(id: string, props: SipDomainState) {
    await unlessGone(
      twilioCall(`delete SIP domain ${id}`, (sip) => sip.domains(id).remove(), {
        accountSid: accountOf(props),
      }),
    );
  },
};

// The output properties (typed from the tables above) that pulumi.Resource creates, one per
// prop handed to super().
export interface SipDomain
  extends OutputProperties<typeof SIP_DOMAIN_SCHEMA, typeof SIP_DOMAIN_OUTPUTS> {}

/** A Twilio SIP domain (Voice → SIP Domains). The resource id is its SID (SD…). */
export class SipDomain extends pulumi.dynamic.Resource {
  constructor(name: string, args: SipDomainArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      // The installed module's object, so the state names it instead of holding its code.
      installedProvider("sipDomain"),
      name,
      { ...outputSlots(SIP_DOMAIN_SCHEMA, SIP_DOMAIN_OUTPUTS), ...args },
      opts,
      "twilio",
      "SipDomain",
    );
  }
}
