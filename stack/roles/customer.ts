// The customer role (`line-call:platformStack`): the customer's LINE connection in its Twilio
// subaccount, answered by the platform stack's shared webhook. The one AWS resource is the SSM
// SecureString `<prefix>/<subaccount SID>` the webhook reads: the subaccount's auth token and the
// call settings, encoded by lambda/customerParameter.ts (the webhook's own decoder lives beside
// it). The platform's base URL and prefix come by StackReference; the Request URL is set (once
// lineConnected) only after the parameter is written, so the first call finds its settings.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  customerParameterName,
  customerParameterPrefixProblem,
  encodeCustomerParameter,
} from "../../lambda/customerParameter";
import type { LineCallConfig } from "../config";
import { connectionNames } from "../naming";
import { customerSubaccount } from "../subaccount";
import { type ConnectionOutputs, declareConnection } from "./connection";
import { PLATFORM_OUTPUTS } from "./platform";

export interface CustomerOutputs extends ConnectionOutputs {
  role: "customer";
  platformStack: string;
  /** The SSM parameter the platform's webhook reads this customer's token and settings from. */
  customerParameterName: pulumi.Output<string>;
}

/** The platform's outputs as this customer reads them, checked: a wrong stack fails clearly. */
function platformOutput(platform: pulumi.StackReference, name: string, stack: string) {
  return platform.requireOutput(name).apply((value) => {
    if (typeof value !== "string" || value === "") {
      throw new Error(
        `line-call:platformStack ${stack} has no ${name} output: is it a platform stack ` +
          "(line-call:role platform) that has been deployed with pulumi up?",
      );
    }
    return value;
  });
}

export function customerStack(config: LineCallConfig): CustomerOutputs {
  const platformStack = config.platformStack as string;
  const names = connectionNames(config);
  // Checked as a child of twilio:accountSid and its token read with the parent's credentials on
  // every run (stack/subaccount.ts): a rotated token reaches the parameter with the next `up`.
  const subaccount = customerSubaccount(config.subaccountSid as string);
  const platform = new pulumi.StackReference("platform", { name: platformStack });
  const baseUrl = platformOutput(platform, PLATFORM_OUTPUTS.baseUrl, platformStack);
  const prefix = platformOutput(
    platform,
    PLATFORM_OUTPUTS.customerParameterPrefix,
    platformStack,
  ).apply((value) => {
    const problem = customerParameterPrefixProblem(value);
    if (problem) throw new Error(`${platformStack}'s customerParameterPrefix ${problem}`);
    return value;
  });

  const parameter = new aws.ssm.Parameter("customer-settings", {
    name: pulumi
      .all([prefix, subaccount.sid])
      .apply(([value, sid]) => customerParameterName(value, sid)),
    type: aws.ssm.ParameterType.SecureString,
    // The aws/ssm key: the platform's role decrypts through SSM without a kms grant of its own.
    value: pulumi.secret(
      pulumi
        .all([subaccount.sid, subaccount.authToken])
        .apply(([accountSid, authToken]) =>
          encodeCustomerParameter({ accountSid, authToken, call: config.call }),
        ),
    ),
    description: `LINE Call customer ${config.stack}: subaccount token and call settings for the shared webhook`,
    tags: { ...names.tags, role: "customer" },
  });

  const connection = declareConnection(
    config,
    names,
    {
      baseUrl,
      // A data dependency on the written parameter: the Request URL follows it.
      gateVoiceUrl: (url) => pulumi.all([parameter.version, url]).apply(([, value]) => value),
    },
    subaccount.sid,
  );
  return {
    ...connection,
    role: "customer",
    platformStack,
    customerParameterName: parameter.name,
  };
}
