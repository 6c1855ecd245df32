// The Twilio SIP domain LINE sends calls to (`<name>.sip.twilio.com`). Everything updates in
// place; `adopt` takes over a domain created by hand or by script.
import * as pulumi from "@pulumi/pulumi";
import { type TwilioProviderError, twilioProviderError, unlessGone } from "./errors";
import {
  checkInputs,
  diffInputs,
  inputsFromLive,
  isoDate,
  type Props,
  type Schema,
  withoutUndefined,
} from "./inputs";
import { configureTwilio, type TwilioSip, twilioCall } from "./twilioClient";

export interface SipDomainArgs {
  /** `<name>.sip.twilio.com`; unique across Twilio. */
  domainName: pulumi.Input<string>;
  /** Up to 64 characters; defaults to the domain name. */
  friendlyName?: pulumi.Input<string>;
  /** The Request URL Twilio calls for each incoming call (absent = cleared). */
  voiceUrl?: pulumi.Input<string>;
  voiceMethod?: pulumi.Input<string>;
  voiceFallbackUrl?: pulumi.Input<string>;
  voiceFallbackMethod?: pulumi.Input<string>;
  voiceStatusCallbackUrl?: pulumi.Input<string>;
  voiceStatusCallbackMethod?: pulumi.Input<string>;
  sipRegistration?: pulumi.Input<boolean>;
  secure?: pulumi.Input<boolean>;
  emergencyCallingEnabled?: pulumi.Input<boolean>;
  /** Take over an existing domain with this domain name instead of failing. */
  adopt?: pulumi.Input<boolean>;
}

/** Twilio's domain names: one DNS label of letters, digits and "-", then `.sip.twilio.com`. */
function domainNameProblem(value: string): string | undefined {
  if (!value.endsWith(".sip.twilio.com")) {
    return `must end in .sip.twilio.com, e.g. line-call-prod.sip.twilio.com (got ${JSON.stringify(value)})`;
  }
  const label = value.slice(0, -".sip.twilio.com".length);
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) {
    return `must be one label of lowercase letters, digits and "-" (1–63 characters, not starting or ending with "-") before .sip.twilio.com (got ${JSON.stringify(value)})`;
  }
  return undefined;
}

export const SIP_DOMAIN_SCHEMA: Schema = {
  domainName: {
    kind: "string",
    required: true,
    rule: domainNameProblem,
    example: "set it to <name>.sip.twilio.com, e.g. acme-line.sip.twilio.com",
  },
  friendlyName: { kind: "string", maxLength: 64 },
  voiceUrl: { kind: "url", defaultValue: "" },
  voiceMethod: { kind: "method", defaultValue: "POST" },
  voiceFallbackUrl: { kind: "url", defaultValue: "" },
  voiceFallbackMethod: { kind: "method", defaultValue: "POST" },
  voiceStatusCallbackUrl: { kind: "url", defaultValue: "" },
  voiceStatusCallbackMethod: { kind: "method", defaultValue: "POST" },
  sipRegistration: { kind: "boolean", defaultValue: false },
  secure: { kind: "boolean", defaultValue: false },
  emergencyCallingEnabled: { kind: "boolean", defaultValue: false },
  adopt: { kind: "boolean", defaultValue: false, option: true },
};

/** The Twilio fields the provider writes (everything but the `adopt` option). */
function twilioParams(inputs: Props, forCreate: boolean): Props {
  const params: Props = {};
  for (const [name, spec] of Object.entries(SIP_DOMAIN_SCHEMA)) {
    if (spec.option) continue;
    const value = inputs[name];
    // On create, an empty value is simply not sent; on update "" clears the field in Twilio.
    if (value === undefined || (forCreate && value === "")) continue;
    params[name] = value;
  }
  return params;
}

/** Every field Twilio holds, as outputs (never undefined). */
function domainOutputs(domain: Props, adopt: unknown): Props {
  const outs = inputsFromLive(SIP_DOMAIN_SCHEMA, domain, { adopt });
  return withoutUndefined({
    ...outs,
    sid: domain.sid,
    accountSid: domain.accountSid ?? "",
    sipUri: `sip:${domain.domainName}`,
    authType: domain.authType ?? "",
    byocTrunkSid: domain.byocTrunkSid ?? "",
    emergencyCallerSid: domain.emergencyCallerSid ?? "",
    uri: domain.uri ?? "",
    dateCreated: isoDate(domain.dateCreated),
    dateUpdated: isoDate(domain.dateUpdated),
  });
}

async function findDomainByName(sip: TwilioSip, domainName: string): Promise<Props | undefined> {
  const domains: Props[] = await sip.domains.list({ pageSize: 1000 });
  return domains.find((domain) => domain.domainName === domainName);
}

async function updateDomain(sid: string, params: Props): Promise<Props> {
  return twilioCall<Props>(`update SIP domain ${sid}`, (sip) => sip.domains(sid).update(params));
}

export const sipDomainProvider: pulumi.dynamic.ResourceProvider = {
  configure: configureTwilio,

  async check(_olds: Props, news: Props) {
    return checkInputs(SIP_DOMAIN_SCHEMA, news, (inputs) => ({
      friendlyName: typeof inputs.domainName === "string" ? inputs.domainName : undefined,
    }));
  },

  async diff(_id: string, olds: Props, news: Props) {
    return diffInputs(SIP_DOMAIN_SCHEMA, olds, news);
  },

  async create(inputs: Props) {
    const domainName = inputs.domainName as string;
    const what = `create SIP domain ${domainName}`;
    const lookUp = (sip: TwilioSip) => findDomainByName(sip, domainName);
    if (inputs.adopt === true) {
      const existing = await twilioCall<Props | undefined>(
        `look up SIP domain ${domainName}`,
        lookUp,
      );
      if (existing) {
        const adopted = await updateDomain(existing.sid as string, twilioParams(inputs, false));
        return { id: adopted.sid as string, outs: domainOutputs(adopted, true) };
      }
    }
    let created: Props;
    try {
      created = await twilioCall<Props>(
        what,
        (sip) => sip.domains.create(twilioParams(inputs, true)),
        {
          findExisting: lookUp,
        },
      );
    } catch (error) {
      const status = (error as TwilioProviderError).status;
      if (status === undefined || status >= 500 || status === 401 || status === 403) throw error;
      // Twilio refuses a taken domain name; say which object has it and how to take it over.
      const existing = await twilioCall<Props | undefined>(
        `look up SIP domain ${domainName}`,
        lookUp,
      );
      if (!existing) throw error;
      throw twilioProviderError(
        `SIP domain ${domainName} already exists in this account as ${existing.sid}: set adopt: true on this SipDomain to take it over (it will then be updated to the declared settings), or choose another domainName.`,
        error as TwilioProviderError,
      );
    }
    return { id: created.sid as string, outs: domainOutputs(created, inputs.adopt ?? false) };
  },

  async read(id: string, props: Props) {
    const domain = await unlessGone(
      twilioCall<Props>(`read SIP domain ${id}`, (sip) => sip.domains(id).fetch()),
    );
    if (!domain) return { id: "", props: {} };
    const outs = domainOutputs(domain, props.adopt ?? false);
    return { id, props: outs, inputs: inputsFromLive(SIP_DOMAIN_SCHEMA, domain, props) };
  },

  async update(id: string, _olds: Props, news: Props) {
    const updated = await updateDomain(id, twilioParams(news, false));
    return { outs: domainOutputs(updated, news.adopt ?? false) };
  },

  async delete(id: string) {
    await unlessGone(twilioCall(`delete SIP domain ${id}`, (sip) => sip.domains(id).remove()));
  },
};

/** A Twilio SIP domain (Voice → SIP Domains). The resource id is its SID (SD…). */
export class SipDomain extends pulumi.dynamic.Resource {
  declare readonly sid: pulumi.Output<string>;
  declare readonly accountSid: pulumi.Output<string>;
  /** `sip:<domainName>`: what LINE needs, together with the account SID. */
  declare readonly sipUri: pulumi.Output<string>;
  declare readonly domainName: pulumi.Output<string>;
  declare readonly friendlyName: pulumi.Output<string>;
  declare readonly voiceUrl: pulumi.Output<string>;
  declare readonly voiceMethod: pulumi.Output<string>;
  declare readonly voiceFallbackUrl: pulumi.Output<string>;
  declare readonly voiceFallbackMethod: pulumi.Output<string>;
  declare readonly voiceStatusCallbackUrl: pulumi.Output<string>;
  declare readonly voiceStatusCallbackMethod: pulumi.Output<string>;
  declare readonly sipRegistration: pulumi.Output<boolean>;
  declare readonly secure: pulumi.Output<boolean>;
  declare readonly emergencyCallingEnabled: pulumi.Output<boolean>;
  declare readonly authType: pulumi.Output<string>;
  declare readonly byocTrunkSid: pulumi.Output<string>;
  declare readonly emergencyCallerSid: pulumi.Output<string>;
  declare readonly uri: pulumi.Output<string>;
  declare readonly dateCreated: pulumi.Output<string>;
  declare readonly dateUpdated: pulumi.Output<string>;

  constructor(name: string, args: SipDomainArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      sipDomainProvider,
      name,
      {
        sid: undefined,
        accountSid: undefined,
        sipUri: undefined,
        friendlyName: undefined,
        voiceUrl: undefined,
        voiceMethod: undefined,
        voiceFallbackUrl: undefined,
        voiceFallbackMethod: undefined,
        voiceStatusCallbackUrl: undefined,
        voiceStatusCallbackMethod: undefined,
        sipRegistration: undefined,
        secure: undefined,
        emergencyCallingEnabled: undefined,
        authType: undefined,
        byocTrunkSid: undefined,
        emergencyCallerSid: undefined,
        uri: undefined,
        dateCreated: undefined,
        dateUpdated: undefined,
        ...args,
      },
      opts,
      "twilio",
      "SipDomain",
    );
  }
}
