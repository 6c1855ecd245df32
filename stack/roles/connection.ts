// The Twilio side every stack with a LINE connection declares (single and customer roles): the
// LineSipConnection wired to a webhook's URLs, and the outputs LINE and the operator need.
import type * as pulumi from "@pulumi/pulumi";
import type { LineCallConfig } from "../config";
import { LineSipConnection } from "../lineSipConnection";
import { type ConnectionNames, edgeSipUri, TOKYO_EDGE } from "../naming";
import { nextStepFor } from "../outputs";
import { webhookUrls } from "../webhookUrls";

export interface ConnectionOutputs {
  sipUri: pulumi.Output<string>;
  /** The same domain on Twilio's Tokyo edge: what to send LINE (docs/operations.md). */
  sipUriTokyo: pulumi.Output<string>;
  sipDomainSid: pulumi.Output<string>;
  accountSid: pulumi.Output<string>;
  webhookBaseUrl: pulumi.Output<string>;
  /** Empty until LINE is connected. */
  voiceUrl: pulumi.Output<string>;
  lineConnected: boolean;
  lineIpAddresses: pulumi.Output<unknown>[] | unknown[];
  nextStep: pulumi.Output<string>;
}

/**
 * The connection to the webhook at `baseUrl`; `gateVoiceUrl` holds the Request URL back until
 * what the webhook needs is in place (a passed smoke test, a written customer parameter).
 */
export function declareConnection(
  config: LineCallConfig,
  names: ConnectionNames,
  webhook: {
    baseUrl: pulumi.Output<string>;
    gateVoiceUrl: (voiceUrl: pulumi.Input<string>) => pulumi.Output<string>;
  },
  /** The customer's subaccount, once Twilio confirmed it (stack/subaccount.ts); else unset. */
  accountSid?: pulumi.Output<string>,
): ConnectionOutputs {
  const { baseUrl, gateVoiceUrl } = webhook;
  const urls = webhookUrls(baseUrl);
  const connection = new LineSipConnection("line", {
    domainName: config.sipDomainName,
    friendlyName: names.domainFriendlyName,
    ipAccessControlListName: names.ipAccessControlListName,
    ipAddresses: config.lineIpAddresses,
    webhook: { ...urls, voiceUrl: gateVoiceUrl(urls.voiceUrl) },
    lineConnected: config.lineConnected,
    adopt: config.adoptExisting,
    // Left out when unset, so a stack made before subaccounts registers the same inputs as then.
    ...(accountSid ? { accountSid } : {}),
  });
  const sipUriTokyo = connection.sipUri.apply((uri) => edgeSipUri(uri, TOKYO_EDGE));
  return {
    sipUri: connection.sipUri,
    sipUriTokyo,
    sipDomainSid: connection.sipDomainSid,
    accountSid: connection.accountSid,
    webhookBaseUrl: baseUrl,
    voiceUrl: connection.voiceUrl,
    lineConnected: config.lineConnected,
    lineIpAddresses: config.lineIpAddresses.map((entry, index) => ({
      ip: entry.ip,
      cidrPrefixLength: entry.cidrPrefixLength,
      friendlyName: entry.friendlyName,
      sid: connection.ipAddresses[index].sid,
    })),
    nextStep: nextStepFor(config, { ...connection, sipUriTokyo }),
  };
}
