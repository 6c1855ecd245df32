// Names the stack gives what it creates, derived from the stack name so that several stacks
// (dev, prod) can share one Twilio account and one AWS account without clashing.
import { PROJECT } from "../model/project";
import { MAX_SIP_DOMAIN_FRIENDLY_NAME_LENGTH } from "../model/twilio";
import type { LineCallConfig } from "./config";

export interface ConnectionNames {
  /** The SIP domain's FriendlyName in the Twilio console. */
  domainFriendlyName: string;
  /** The IP access control list's FriendlyName. */
  ipAccessControlListName: string;
  /** The SSM parameter holding the Twilio auth token. */
  authTokenParameter: string;
  /** Tags on every AWS resource. */
  tags: Record<string, string>;
}

export function connectionNames(config: Pick<LineCallConfig, "stack">): ConnectionNames {
  return {
    domainFriendlyName: `${PROJECT} ${config.stack}`.slice(0, MAX_SIP_DOMAIN_FRIENDLY_NAME_LENGTH),
    ipAccessControlListName: `${PROJECT} ${config.stack}: LINE SIP servers`,
    authTokenParameter: `/${PROJECT}/${config.stack}/twilio-auth-token`,
    tags: { project: PROJECT, stack: config.stack },
  };
}
