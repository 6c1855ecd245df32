/**
 * The webhook's settings, read from the Lambda function's environment. The call settings are
 * judged by the one contract the stack also applies (model/callSettings.ts), so the webhook never
 * refuses what `pulumi up` accepted. Every problem is collected (not just the first) so one log
 * line tells the operator everything to fix at once.
 */
import {
  type CallSettings,
  callSettingsFromEnvironment,
  parseCallSettings,
} from "../model/callSettings";
import { WEBHOOK_ENV } from "./contract";

export interface SettingsResult {
  /** Present only when every call setting is valid. */
  call?: CallSettings;
  /**
   * Base URL Twilio uses for this webhook when it is not the API's own domain (custom domains),
   * as configured but without trailing slashes: Twilio signs the URL exactly as configured.
   */
  publicBaseUrl?: string;
  /** Human-readable problems, each naming the variable and the fix. */
  problems: string[];
}

export type Env = Readonly<Record<string, string | undefined>>;

function parsePublicBaseUrl(raw: string, problems: string[]): string | undefined {
  const name = WEBHOOK_ENV.publicBaseUrl;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(
      `${name} "${raw}" is not a URL; set it to the base Twilio calls, e.g. https://calls.example.com`,
    );
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    problems.push(`${name} must start with https:// (got "${raw}")`);
    return undefined;
  }
  if (url.search || url.hash) {
    problems.push(`${name} must not carry a query or fragment (got "${raw}")`);
    return undefined;
  }
  return raw.replace(/\/+$/, "");
}

/** PUBLIC_BASE_URL, when set and valid (a problem is added otherwise). */
export function readPublicBaseUrl(env: Env, problems: string[]): string | undefined {
  const rawBase = env[WEBHOOK_ENV.publicBaseUrl]?.trim();
  return rawBase ? parsePublicBaseUrl(rawBase, problems) : undefined;
}

/** Reads and validates every webhook setting except the auth token (see authToken.ts). */
export function readSettings(env: Env): SettingsResult {
  const problems: string[] = [];
  const publicBaseUrl = readPublicBaseUrl(env, problems);
  const call = parseCallSettings(callSettingsFromEnvironment(env));
  problems.push(...call.problems);
  if (problems.length > 0 || !call.settings) return { publicBaseUrl, problems };
  return { call: call.settings, publicBaseUrl, problems };
}
