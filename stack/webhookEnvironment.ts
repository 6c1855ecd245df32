// What the stack hands the webhook: its call settings under the environment variable names the
// handler reads (lambda/config.ts). Shared by the Lambda function and `npm run local`.
import type { LineCallConfig } from "./config";

export interface WebhookEnvironment {
  FORWARD_TO: string;
  CALLER_ID: string;
  GREETING: string;
  SAY_LANGUAGE: string;
  DIAL_TIMEOUT: string;
  UNAVAILABLE_MESSAGE: string;
}

export function webhookEnvironment(config: LineCallConfig): WebhookEnvironment {
  return {
    FORWARD_TO: config.forwardTo.value,
    CALLER_ID: config.callerId,
    GREETING: config.greeting,
    SAY_LANGUAGE: config.language,
    DIAL_TIMEOUT: String(config.dialTimeout),
    UNAVAILABLE_MESSAGE: config.unavailableMessage,
  };
}
