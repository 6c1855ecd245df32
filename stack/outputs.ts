// The one-line `nextStep` output: what the operator does next in the LINE onboarding runbook.
import * as pulumi from "@pulumi/pulumi";
import type { LineCallConfig } from "./config";

export function nextStepFor(
  config: Pick<LineCallConfig, "stack" | "lineConnected" | "call" | "subaccountSid">,
  connection: {
    sipUri: pulumi.Input<string>;
    sipUriTokyo: pulumi.Input<string>;
    accountSid: pulumi.Input<string>;
  },
): pulumi.Output<string> {
  if (config.lineConnected) {
    return pulumi.interpolate`Connected: LINE calls to ${connection.sipUri} are forwarded to ${config.call.forwardTo.value}. Check drift with: pulumi preview --refresh --expect-no-changes --stack ${config.stack}`;
  }
  // The SID LINE needs is the account the domain lives in: a customer's subaccount, never its parent.
  const whose = config.subaccountSid ? " (the customer's subaccount, not twilio:accountSid)" : "";
  return pulumi.interpolate`Send LINE the SIP URI ${connection.sipUriTokyo} (Twilio's Tokyo edge, for callers in Japan; the global ${connection.sipUri} also works) and Account SID ${connection.accountSid}${whose}; when LINE confirms the link, open a PR setting line-call:lineConnected to true in Pulumi.${config.stack}.yaml.`;
}
