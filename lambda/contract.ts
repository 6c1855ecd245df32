// The webhook's deployment contract: the environment variables it reads besides the call settings
// (those, with their forms and defaults, live in model/callSettings.ts), the whole environment a
// deployed function gets, and the routes it serves. The stack imports this module (never the
// handler) to fill the Lambda function's environment and wire the SIP domain's URLs.
import {
  type CallSettingsEnvironment,
  environmentSizeProblem,
  UNKNOWN_ENVIRONMENT_VALUE,
} from "../model/callSettings";
import { TWILIO_SETTINGS } from "../model/twilio";
import { NOTIFY_ENV } from "./notify/settings";

/** The variables besides the call settings: where the auth token comes from, the public base URL. */
export const WEBHOOK_ENV = {
  /** The URL Twilio calls when it is not the API's own (a custom domain); Twilio signs it. */
  publicBaseUrl: "PUBLIC_BASE_URL",
  /** The auth token itself (local runs and tests). */
  authToken: TWILIO_SETTINGS.authToken.env,
  /** The SSM SecureString holding the auth token (the deployed function). */
  authTokenParameter: "TWILIO_AUTH_TOKEN_PARAMETER",
  /**
   * The parameter's version. Not read by the handler: a new token version changes the function's
   * configuration, so no warm instance keeps validating with a token that was rotated away.
   */
  authTokenVersion: "TWILIO_AUTH_TOKEN_VERSION",
  /**
   * Set only on a platform stack's shared function: the SSM path under which each customer's
   * parameter `<prefix>/<AccountSid>` lives (lambda/customers.ts). Its presence is shared mode:
   * no call settings or token in the environment, the request's AccountSid picks the customer.
   */
  customerParameterPrefix: "CUSTOMER_PARAMETER_PREFIX",
} as const;

/** Where the deployed function sends missed calls (lambda/notify/settings.ts), when configured. */
export interface NotifyEnvironment {
  topicArn?: string;
  secrets?: { parameterName: string; version: string };
}

/**
 * Everything the deployed function's environment holds: the call settings, the token's place and
 * where missed calls go.
 */
export function functionEnvironment(
  callSettings: CallSettingsEnvironment,
  authToken: { parameterName: string; version: string },
  notify: NotifyEnvironment = {},
): Record<string, string> {
  return {
    ...callSettings,
    [WEBHOOK_ENV.authTokenParameter]: authToken.parameterName,
    [WEBHOOK_ENV.authTokenVersion]: authToken.version,
    ...(notify.topicArn ? { [NOTIFY_ENV.topicArn]: notify.topicArn } : {}),
    ...(notify.secrets
      ? {
          [NOTIFY_ENV.secretsParameter]: notify.secrets.parameterName,
          [NOTIFY_ENV.secretsVersion]: notify.secrets.version,
        }
      : {}),
  };
}

/** The whole environment of a platform stack's shared function: only where customers live. */
export function sharedFunctionEnvironment(customerParameterPrefix: string): Record<string, string> {
  return { [WEBHOOK_ENV.customerParameterPrefix]: customerParameterPrefix };
}

/**
 * The problem with a deployed function's environment that would not fit Lambda's 4 KB, judged
 * before anything is created (AWS would refuse it mid-`up`, after the Twilio side exists).
 */
export function functionEnvironmentProblem(
  callSettings: CallSettingsEnvironment,
  parameterName: string,
  label: Parameters<typeof environmentSizeProblem>[1],
  notify: NotifyEnvironment = {},
): string | undefined {
  return environmentSizeProblem(
    functionEnvironment(
      callSettings,
      { parameterName, version: UNKNOWN_ENVIRONMENT_VALUE },
      notify,
    ),
    label,
  );
}

/** The webhook's routes, relative to its base URL. */
export const ROUTES = {
  /** The SIP domain's Request URL (voiceUrl). */
  voice: "/voice",
  /** `<Dial action>`: where Twilio reports how the forwarded leg ended. */
  afterDial: "/voice/after-dial",
  /** `<Record action>`: the voicemail recording ended while the caller was still on the line. */
  afterRecord: "/voice/after-record",
  /**
   * `<Record recordingStatusCallback>`: a voicemail recording completed (or was absent). Its query
   * carries the missed call's reason, `From` and LINE user ID: Twilio's recording callbacks hold
   * neither, and the query is part of the signed URL, so nobody can alter them.
   */
  recordingStatus: "/voicemail/recording-status",
  /** The SIP domain's fallback URL (voiceFallbackUrl). */
  fallback: "/fallback",
  /** The SIP domain's status callback URL (voiceStatusCallbackUrl). */
  status: "/status",
} as const;

export type RouteName = keyof typeof ROUTES;
export type RoutePath = (typeof ROUTES)[RouteName];
