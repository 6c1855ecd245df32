// A test bed: the Twilio stand-in, one provider host process configured against it the way a
// stack configured with `twilio:*` keys would be, and engine-driven resources of the four types.
import type * as pulumi from "@pulumi/pulumi";
import { type InstalledProviderName, installedProvider } from "../../providers/installed";
import { ensureProvidersModule } from "../../stack/providersModule";
import {
  type StandinOptions,
  startTwilioStandin,
  type TwilioStandin,
} from "../twilio-standin/server";
import { EngineResource } from "./engine";
import { type HostOptions, ProviderHost, type Secret, secret } from "./providerHost";

/** Each Twilio resource kind's provider, named as in the installed module (providers/installed.ts). */
export const PROVIDER_NAMES = {
  SipDomain: "sipDomain",
  IpAccessControlList: "ipAccessControlList",
  IpAddress: "ipAddress",
  IpAccessControlListMapping: "ipAccessControlListMapping",
} as const satisfies Record<string, InstalledProviderName>;

export type ResourceKind = keyof typeof PROVIDER_NAMES;

export type ProvidersByKind = Record<ResourceKind, pulumi.dynamic.ResourceProvider>;

/** Each kind's provider, taken from `providerNamed`. */
export function providersByKind(
  providerNamed: (name: InstalledProviderName) => pulumi.dynamic.ResourceProvider,
): ProvidersByKind {
  return Object.fromEntries(
    Object.entries(PROVIDER_NAMES).map(([kind, name]) => [kind, providerNamed(name)]),
  ) as ProvidersByKind;
}

/**
 * The providers as users' stacks load them: the installed module's objects (rebuilt first when
 * providers/ changed), which serialize as a `require` of the module, not as code.
 */
export function installedProviders(): ProvidersByKind {
  ensureProvidersModule();
  return providersByKind(installedProvider);
}

export interface TwilioBed {
  standin: TwilioStandin;
  host: ProviderHost;
  /** The stack config the host was configured with. */
  config: Record<string, string | Secret>;
  resource(kind: ResourceKind, name: string): EngineResource;
  close(): Promise<void>;
}

export interface BedOptions {
  standin?: StandinOptions;
  host?: HostOptions;
  /** Replaces the default config (accountSid + secret authToken + apiBaseUrl of the stand-in). */
  config?: (standin: TwilioStandin) => Record<string, string | Secret>;
  /** Provider objects to use instead of the installed ones (the bench passes by-value ones). */
  providers?: ProvidersByKind;
}

export function standinConfig(standin: TwilioStandin): Record<string, string | Secret> {
  return {
    "line-call:lineConnected": "false",
    "twilio:accountSid": standin.accountSid,
    "twilio:authToken": secret(standin.authToken),
    "twilio:apiBaseUrl": standin.url,
  };
}

export async function startTwilioBed(options: BedOptions = {}): Promise<TwilioBed> {
  const standin = await startTwilioStandin(options.standin);
  const host = await ProviderHost.start(options.host);
  const config = (options.config ?? standinConfig)(standin);
  await host.configure(config);
  const providers = options.providers ?? installedProviders();
  return {
    standin,
    host,
    config,
    resource: (kind, name) => new EngineResource(host, `twilio:${kind}`, name, providers[kind]),
    close: async () => {
      await host.close();
      await standin.close();
    },
  };
}
