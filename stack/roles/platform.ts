// The platform role (`line-call:role: platform`): an operator's shared webhook and nothing else —
// the Lambda function and HTTP API, no Twilio resources. Customer stacks find its base URL and
// parameter prefix through a StackReference to these outputs (PLATFORM_OUTPUTS).
import type * as pulumi from "@pulumi/pulumi";
import { AwsTwimlWebhook } from "../awsWebhook";
import type { PlatformConfig } from "../config";
import { buildLambdaBundle } from "../lambdaBundle";
import { connectionNames } from "../naming";

export interface PlatformOutputs {
  role: "platform";
  webhookBaseUrl: pulumi.Output<string>;
  customerParameterPrefix: string;
  functionName: pulumi.Output<string>;
  logGroupName: pulumi.Output<string>;
}

/** The outputs a customer stack reads from its platform stack, by name. */
export const PLATFORM_OUTPUTS = {
  baseUrl: "webhookBaseUrl",
  customerParameterPrefix: "customerParameterPrefix",
} as const satisfies Record<string, keyof PlatformOutputs>;

export function platformStack(config: PlatformConfig): PlatformOutputs {
  const names = connectionNames(config);
  const webhook = new AwsTwimlWebhook("webhook", {
    bundle: buildLambdaBundle(),
    customerParameterPrefix: names.customerParameterPrefix,
    logRetentionDays: config.logRetentionDays,
    tags: { ...names.tags, role: "platform" },
  });
  return {
    role: "platform",
    webhookBaseUrl: webhook.baseUrl,
    customerParameterPrefix: names.customerParameterPrefix,
    functionName: webhook.functionName,
    logGroupName: webhook.logGroupName,
  };
}
