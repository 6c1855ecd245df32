// What the stack hands the webhook: its call settings under the environment variable names the
// webhook's contract gives them (lambda/contract.ts). Shared by the Lambda function and
// `npm run local`.
import { type CallSettingsEnvironment, CALL_SETTINGS_ENV as ENV } from "../lambda/contract";
import type { LineCallConfig } from "./config";

export function webhookEnvironment(config: LineCallConfig): CallSettingsEnvironment {
  return {
    [ENV.forwardTo]: config.forwardTo.value,
    [ENV.callerId]: config.callerId,
    [ENV.greeting]: config.greeting,
    [ENV.sayLanguage]: config.language,
    [ENV.dialTimeout]: String(config.dialTimeout),
    [ENV.unavailableMessage]: config.unavailableMessage,
  };
}
