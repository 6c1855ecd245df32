// The Twilio SIP dynamic providers: resource classes for the program and the provider objects
// (for tests and the engine harness). Credentials come from stack config, see twilioClient.ts.

export { isTwilioProviderError, type TwilioProviderError } from "./errors";
export {
  IP_ACCESS_CONTROL_LIST_SCHEMA,
  IpAccessControlList,
  type IpAccessControlListArgs,
  ipAccessControlListProvider,
} from "./ipAccessControlList";
export {
  IP_ACCESS_CONTROL_LIST_MAPPING_SCHEMA,
  IpAccessControlListMapping,
  type IpAccessControlListMappingArgs,
  ipAccessControlListMappingProvider,
  mappingId,
} from "./ipAccessControlListMapping";
export { IP_ADDRESS_SCHEMA, IpAddress, type IpAddressArgs, ipAddressProvider } from "./ipAddress";
export { SIP_DOMAIN_SCHEMA, SipDomain, type SipDomainArgs, sipDomainProvider } from "./sipDomain";
export { MAX_CONCURRENT_TWILIO_CALLS } from "./twilioClient";
export { WebhookSmokeTestRun, webhookSmokeTestProvider } from "./webhookSmokeTest";
