// Names the stack gives what it creates, derived from the stack name so that several stacks
// (dev, prod) can share one Twilio account and one AWS account without clashing.
import { PROJECT } from "../model/project";
import { MAX_SIP_DOMAIN_FRIENDLY_NAME_LENGTH, SIP_DOMAIN_SUFFIX } from "../model/twilio";
import type { LineCallConfig } from "./config";

export interface ConnectionNames {
  /** The SIP domain's FriendlyName in the Twilio console. */
  domainFriendlyName: string;
  /** The IP access control list's FriendlyName. */
  ipAccessControlListName: string;
  /** The SSM parameter holding the Twilio auth token. */
  authTokenParameter: string;
  /** The SSM parameter holding the notification secrets (Slack URL, LINE token). */
  notifySecretsParameter: string;
  /** The SNS topic missed calls and alarms are published to. */
  missedCallTopic: string;
  /**
   * A platform stack's SSM path prefix: each customer stack writes `<prefix>/<AccountSid>`, and
   * the shared webhook may read only below it.
   */
  customerParameterPrefix: string;
  /** Tags on every AWS resource. */
  tags: Record<string, string>;
}

export function connectionNames(config: Pick<LineCallConfig, "stack">): ConnectionNames {
  return {
    domainFriendlyName: `${PROJECT} ${config.stack}`.slice(0, MAX_SIP_DOMAIN_FRIENDLY_NAME_LENGTH),
    ipAccessControlListName: `${PROJECT} ${config.stack}: LINE SIP servers`,
    authTokenParameter: `/${PROJECT}/${config.stack}/twilio-auth-token`,
    notifySecretsParameter: `/${PROJECT}/${config.stack}/notify-secrets`,
    missedCallTopic: `${PROJECT}-${config.stack}-missed-calls`,
    customerParameterPrefix: `/${PROJECT}/${config.stack}/customers`,
    tags: { project: PROJECT, stack: config.stack },
  };
}

/**
 * Twilio's edge location in Tokyo. A SIP domain `<name>.sip.twilio.com` also answers as
 * `<name>.sip.tokyo.twilio.com`, which pins LINE's SIP signalling and the call's media to Twilio's
 * edge in Japan, next to LINE's servers (the runbook says which URI to give LINE).
 */
export const TOKYO_EDGE = "tokyo";

/** The SIP URI of a domain on one of Twilio's edge locations: `sip:<name>.sip.<edge>.twilio.com`. */
export function edgeSipUri(sipUri: string, edge: string): string {
  if (!sipUri.endsWith(SIP_DOMAIN_SUFFIX)) return sipUri;
  return `${sipUri.slice(0, -SIP_DOMAIN_SUFFIX.length)}.sip.${edge}.twilio.com`;
}
