// A test bed: the Twilio stand-in, one provider host process configured against it the way a
// stack configured with `twilio:*` keys would be, and engine-driven resources of the four types.
import type * as pulumi from "@pulumi/pulumi";
import {
  ipAccessControlListMappingProvider,
  ipAccessControlListProvider,
  ipAddressProvider,
  sipDomainProvider,
} from "../../providers";
import {
  type StandinOptions,
  startTwilioStandin,
  type TwilioStandin,
} from "../twilio-standin/server";
import { EngineResource } from "./engine";
import { type HostOptions, ProviderHost, type Secret, secret } from "./providerHost";

export const PROVIDERS = {
  SipDomain: sipDomainProvider,
  IpAccessControlList: ipAccessControlListProvider,
  IpAddress: ipAddressProvider,
  IpAccessControlListMapping: ipAccessControlListMappingProvider,
} as const;

export type ResourceKind = keyof typeof PROVIDERS;

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
  /** Provider objects to use instead of the TypeScript sources (the bench passes tsc output). */
  providers?: Record<ResourceKind, pulumi.dynamic.ResourceProvider>;
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
  return {
    standin,
    host,
    config,
    resource: (kind, name) =>
      new EngineResource(host, `twilio:${kind}`, name, (options.providers ?? PROVIDERS)[kind]),
    close: async () => {
      await host.close();
      await standin.close();
    },
  };
}
